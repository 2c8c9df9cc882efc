/* --dry-run: what a run would execute, without a GPU. Deterministic text (a CLI golden test pins
 * it): the run, the memory each GPU needs, then every launch of every rank with its shapes. */
#include <string.h>

#include "record.h"

#define GIB (1024.0 * 1024.0 * 1024.0)

static void print_header(const ps_rec_options *o, const ps_rec_plan *p, FILE *out)
{
    const ps_workload *w = &o->workload;
    fprintf(out, "parsim-record dry run: %s %s (kv %s), plan tp%d pp%d dp%d, microbatches %d\n", w->model.name,
            ps_dtype_name(w->precision.weights), ps_dtype_name(w->precision.kv), w->plan.tp, w->plan.pp, w->plan.dp,
            p->step.microbatches);
    fprintf(out, "step: %s, %lld sequences x %lld tokens, context %lld; launch %s, warmup %d, measured %d\n",
            ps_phase_name(p->step.phase), (long long)ps_step_sequences(&p->step), (long long)p->step.tokens_per_seq,
            (long long)p->step.context, ps_rec_launch_mode_name(o->launch), o->warmup, o->iters);
    if (p->emulated)
        fprintf(out, "shard emulation: rank %d of %d on one GPU; communication sized, not executed\n",
                o->emulate_rank, ps_plan_gpus(&w->plan));
    else
        fprintf(out, "ranks 0..%d on GPUs %d..%d, one thread per GPU\n", p->nranks - 1, o->device,
                o->device + p->nranks - 1);
}

static void print_memory(const ps_rec_rank_plan *r, FILE *out)
{
    fprintf(out, "rank %d (stage %d, tp_rank %d, GPU %d): layers %d..%d, %zu launches; memory %.3f GiB = weights "
                 "%.3f + kv cache %.3f + activations %.3f + gemm workspace %.3f\n",
            r->rank, r->stage, r->tp_rank, r->device, r->layer_first, r->layer_first + r->layer_count - 1,
            r->nlaunches, ps_rec_rank_total_bytes(r) / GIB, r->weight_bytes / GIB, r->kv_bytes / GIB,
            r->activation_bytes / GIB, r->workspace_bytes / GIB);
}

static void print_shape(const ps_rec_plan *p, const ps_rec_launch *l, FILE *out)
{
    switch (l->kind) {
    case PS_RL_GEMM:
        fprintf(out, "m=%lld n=%lld k=%lld %s", (long long)l->m, (long long)l->n, (long long)l->k,
                l->fp8 ? "e4m3" : "bf16");
        if (l->in_stride != l->k)
            fprintf(out, " rows every %lld", (long long)l->in_stride);
        break;
    case PS_RL_QUANT_FP8: fprintf(out, "rows=%lld k=%lld", (long long)l->rows, (long long)l->k); break;
    case PS_RL_ATTN_PREFILL:
    case PS_RL_ATTN_DECODE:
    case PS_RL_KV_WRITE:
        fprintf(out, "tokens=%lld heads=%lld kv_heads=%lld head_dim=%lld context=%lld kv=%s", (long long)l->rows,
                (long long)p->heads, (long long)p->kv_heads, (long long)p->head_dim, (long long)p->max_context,
                ps_dtype_name(p->kv));
        break;
    case PS_RL_ALLREDUCE:
    case PS_RL_ALLGATHER:
    case PS_RL_SEND:
    case PS_RL_RECV:
        fprintf(out, "count=%lld bf16 group=%s size=%d", (long long)l->count, l->group, l->group_size);
        if (l->peer >= 0)
            fprintf(out, " peer=%d", l->peer);
        fputs(l->executed ? "" : " (sized only)", out);
        break;
    case PS_RL_ARGMAX: fprintf(out, "seqs=%lld vocab=%lld", (long long)l->rows, (long long)p->vocab); break;
    default: fprintf(out, "rows=%lld", (long long)l->rows); break;
    }
}

void ps_rec_dry_run(const ps_rec_options *o, const ps_rec_plan *p, FILE *out)
{
    print_header(o, p, out);
    double most = 0;
    for (int i = 0; i < p->nranks; i++) {
        print_memory(&p->ranks[i], out);
        double t = ps_rec_rank_total_bytes(&p->ranks[i]);
        most = t > most ? t : most;
    }
    fprintf(out, "largest GPU memory need: %.3f GiB (%s has %.0f GB)\n", most / GIB, o->workload.gpu.spec.name,
            o->workload.gpu.spec.hbm_bytes / 1e9);
    for (int i = 0; i < p->nranks; i++) {
        const ps_rec_rank_plan *r = &p->ranks[i];
        fprintf(out, "\nrank %d launches:\n%-36s %-18s %-8s %-8s %-10s %s\n", r->rank, "op", "launch", "stream",
                "in", "out", "shape");
        for (size_t k = 0; k < r->nlaunches; k++) {
            const ps_rec_launch *l = &r->launches[k];
            fprintf(out, "%-36s %-18s %-8s %-8s %-10s ", r->ops->ops[l->op].id, ps_rec_launch_kind_name(l->kind),
                    ps_stream_name(l->stream), ps_rec_buffer_name(l->in), ps_rec_buffer_name(l->out));
            print_shape(p, l, out);
            if (l->wait_for >= 0)
                fprintf(out, " [waits for %s]", r->ops->ops[r->launches[l->wait_for].op].id);
            fputc('\n', out);
        }
    }
}

int ps_rec_trace_meta(const ps_rec_options *o, const ps_rec_plan *p, ps_trace_meta *m, ps_error *err)
{
    ps_trace_meta_init(m, PS_TRACE_SOURCE_PARSIM_RECORD);
    if (ps_workload_to_trace_meta(&o->workload, m, err))
        return err->code;
    m->gpu_name[0] = '\0'; /* the GPU's own name, filled at run time, not the catalogue's */
    m->gpu_count = p->nranks;
    m->shard_emulation = p->emulated;
    m->emulated_rank = p->emulated ? o->emulate_rank : -1;
    snprintf(m->recorder_version, sizeof m->recorder_version, "%s", PS_REC_VERSION);
    snprintf(m->phase, sizeof m->phase, "%s", ps_phase_name(p->step.phase));
    snprintf(m->clock, sizeof m->clock, "realtime"); /* CUPTI's default timebase on Linux */
    snprintf(m->kv_dtype, sizeof m->kv_dtype, "%s", ps_dtype_name(o->workload.precision.kv));
    m->microbatches = p->step.microbatches;
    snprintf(m->launch_mode, sizeof m->launch_mode, "%s", ps_rec_launch_mode_name(o->launch));
    m->warmup_iterations = o->warmup;
    m->measured_iterations = o->iters;
    if (o->layers) {
        m->layer_first = p->ranks[0].layer_first;
        m->layer_count = o->layers;
    }
    snprintf(m->platform, sizeof m->platform, "%s",
             o->fabric ? o->fabric : p->emulated ? "one GPU (shard emulation)" : "");
    return ps_trace_meta_validate(m, err);
}
