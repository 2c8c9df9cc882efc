/* sim/replay/graph_mixed.c: the op graph of a mixed iteration (continuous batching): in each
 * microbatch, d running sequences decode one token each and some prompts advance by a chunk
 * (C tokens after a cached prefix of P tokens), all in one forward pass (serving.md 1.2, 2.4).
 *
 * Built from the decode graph of the same plan (ps_graph_build with max(d, 1) sequences per
 * microbatch): the ops and their order are those of a decode step, and every per-token quantity
 * is rescaled to the microbatch's T = d + sum(C) tokens:
 *   GEMMs          m = T (the LM head: m = the sequences that sample, d + finished prompts);
 *                  FLOPs 2mnk, bytes = weights once + activations in and out
 *   element-wise   tokens, FLOPs and bytes x T / t0 (t0 = the base graph's tokens)
 *   collectives    all-reduce and hand-off bytes x T / t0; logits all-gather and sampling x s / t0
 *   attention      tokens = T; its time is priced per part by the caller (mixed_attention_cost):
 *                  the decode part (d sequences at their mean context) plus one prefill query per
 *                  chunk (C query tokens over P + C keys, prefix P), which no single op's shapes
 *                  can carry.
 * Ids: the decode ids with the phase "mixed": mixed/mb<m>/<scope>/<name> (docs/workload.md).
 */
#include <stdio.h>
#include <string.h>

#include "sched_mixed.h"

static bool is_head_sampled(const ps_op *op)
{
    return op->layer < 0 && (op->kind == PS_OP_SAMPLING || op->kind == PS_OP_ALLGATHER ||
                             (op->kind == PS_OP_GEMM && strstr(op->id, "/lm_head")));
}

static void scale_op(ps_op *op, const mixed_mb *mb, int64_t t0, double act_bytes)
{
    int64_t T = mb->decode_seqs + mb->chunk_tokens, s = mb->sampled > 0 ? mb->sampled : 1;
    double f = (double)T / (double)t0, g = (double)s / (double)t0;
    double k = is_head_sampled(op) ? g : f;
    if (op->kind == PS_OP_GEMM) {
        int64_t m = is_head_sampled(op) ? s : T;
        double weights = op->bytes_read - (double)op->m * (double)op->k * act_bytes;
        op->m = m;
        op->tokens = m;
        op->flops = 2.0 * (double)m * (double)op->n * (double)op->k;
        op->bytes_read = weights + (double)m * (double)op->k * act_bytes;
        op->bytes_written = (double)m * (double)op->n * act_bytes;
        return;
    }
    if (op->kind == PS_OP_ATTENTION) {
        op->tokens = T;
        op->seqs = mb->decode_seqs;
        op->context = mb->decode_context;
        return;
    }
    op->tokens = (int64_t)((double)op->tokens * k + 0.5);
    op->flops *= k;
    op->bytes_read *= k;
    op->bytes_written *= k;
    op->comm_bytes *= k;
}

int mixed_graph_build(const ps_workload *wl, const mixed_step *ms, ps_graph *g, ps_error *err)
{
    ps_step step = {0};
    step.phase = PS_PHASE_DECODE;
    step.microbatches = ms->microbatches;
    step.tokens_per_seq = 1;
    step.context = 1;
    for (int k = 0; k < ms->microbatches; k++)
        step.seqs[k] = ms->mb[k].decode_seqs > 0 ? ms->mb[k].decode_seqs : 1;
    if (ps_graph_build(&wl->model, &wl->precision, &wl->plan, &step, g, err))
        return err->code;
    double a = ps_dtype_bytes(wl->precision.act);
    for (int r = 0; r < g->nranks; r++) {
        ps_rank_ops *ro = &g->ranks[r];
        for (size_t i = 0; i < ro->count; i++) {
            ps_op *op = &ro->ops[i];
            scale_op(op, &ms->mb[op->microbatch], step.seqs[op->microbatch], a);
            char id[PS_OP_ID_BYTES];
            snprintf(id, sizeof id, "mixed/%s", op->id + strlen("decode/"));
            memcpy(op->id, id, sizeof id);
        }
    }
    return PS_OK;
}

/* The attention of microbatch mb: the decode part and one prefill query per chunk. */
int mixed_attention_cost(const ps_cost_model *cost, const ps_workload *wl, const mixed_mb *mb,
                         ps_launch_mode launch, replay_op_cost *out, ps_error *err)
{
    ps_cost_query q = {0};
    q.kind = PS_OP_ATTENTION;
    q.dtype = wl->precision.act;
    q.launch = launch;
    q.heads = wl->plan.heads_per_rank;
    q.kv_heads = wl->plan.kv_heads_per_rank;
    q.head_dim = wl->model.head_dim;
    *out = (replay_op_cost){0, PS_COST_MODEL, false, 0, true, 0};
    double err_weighted = 0;
    bool unknown = false;
    for (int part = -1; part < mb->nchunks; part++) {
        if (part < 0 && mb->decode_seqs == 0)
            continue;
        q.dtype = wl->precision.act;
        if (part < 0) {
            /* A decode query streams the KV cache: its bytes are the cache's dtype (the op
             * graph counts them so, workload.md). The cost model's attention reads K and V in
             * the query's dtype (family_attention.c: KV bytes = ... x dtype bytes), so a decode
             * part is priced in the KV dtype: with an fp8 cache (--kv-dtype fp8; TensorRT-LLM's
             * and vLLM's decode kernels read fp8 KV) it moves half the bytes of a bf16 one.
             * Prompt chunks stay in the activations' dtype (compute-bound). */
            q.dtype = wl->precision.kv;
            q.phase = PS_PHASE_DECODE;
            q.seqs = q.tokens = mb->decode_seqs;
            q.context = mb->decode_context;
            q.prefix = 0;
        } else {
            q.phase = PS_PHASE_PREFILL;
            q.seqs = 1;
            q.tokens = mb->chunks[part].tokens;
            q.prefix = mb->chunks[part].prefix;
            q.context = q.prefix + q.tokens;
        }
        ps_cost_answer ans;
        if (ps_cost_estimate(cost, &q, &ans, err))
            return ps_error_prefix(err, "mixed attention");
        double t = ans.time_us * 1e-6;
        out->time_s += t;
        if (ans.source < out->source)
            out->source = ans.source; /* the best source that served a part */
        out->compute_bound |= ans.bound == PS_BOUND_COMPUTE;
        out->in_envelope &= ans.in_envelope;
        if (ans.error_pct >= 0)
            err_weighted += t * ans.error_pct;
        else
            unknown = true;
    }
    out->error_pct = unknown ? -1 : (out->time_s > 0 ? err_weighted / out->time_s : 0);
    return PS_OK;
}
