/* parsim plan: model, parallel plan, memory per GPU, work per step and the op graph (no simulation).
 *
 * Reads a model (preset or HF config.json), a plan and a scenario, refuses impossible ones (exit
 * 2, one line naming the flag and the rule), then reports memory per GPU and the largest batch
 * that fits, and, for the evaluated batch, the FLOPs, bytes and communication of a prefill step and
 * of decode steps, summed from the op graph. --json prints the same as one object whose keys are
 * documented in docs/workload.md; --ops writes the op graph of the first prefill step and the first
 * decode step as CSV.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "parsim/options.h"
#include "parsim/platform.h"
#include "parsim/gpu.h"
#include "parsim/graph.h"
#include "parsim/memory.h"
#include "parsim/model.h"
#include "parsim/plan.h"
#include "parsim/util.h"
#include "parsim/workload.h"

typedef struct plan_args {
    ps_workload_args workload;
    const char *ops_path;
    int json;
} plan_args;

static const char *const plan_usage[] = {"parsim plan (--model NAME | --model-file config.json) [options]", NULL};
static const ps_command_help plan_help = {
    .command = "parsim plan",
    .usage = plan_usage,
    .description = "Memory per GPU, largest batch and work per step of a TP x PP x DP plan; no simulation.",
};

/* Returns PS_OK to go on, PS_OPTIONS_HELP after --help, else the error code. */
static int parse_args(int argc, char **argv, plan_args *a, ps_error *err)
{
    *a = (plan_args){0};
    ps_workload_args_init(&a->workload, "parsim plan");
    const ps_option opts[] = {
        PS_OPT_WORKLOAD(&a->workload),
        PS_OPT_GROUP("output"),
        PS_OPT_FLAG(0, "json", &a->json, "one JSON object (keys in docs/workload.md)"),
        PS_OPT_STRING(0, "ops", &a->ops_path, "FILE.csv", "write the op graph (first prefill step, first decode step)"),
        PS_OPT_END(),
    };
    return ps_options_parse(&plan_help, opts, argc, argv, NULL, NULL, err);
}

/* Everything the reports need. */
typedef struct plan_ctx {
    plan_args args;
    ps_workload w;
    /* shorthands into w */
    const ps_model *model;
    const ps_precision *prec;
    const ps_gpu_spec *gpu;
    const ps_plan *plan;
    ps_scenario sc;          /* with the evaluated batch */
    ps_memory_report mem;
    int has_work;
    int64_t prefill_steps;
    ps_step prefill_first, prefill_last, decode_first, decode_last;
    ps_graph_totals t_prefill_first, t_prefill_last, t_decode_first, t_decode_last;
} plan_ctx;

static int setup(plan_ctx *c, ps_error *err)
{
    /* --model-file needs cJSON (parsim_core), --platform SimGrid (parsim_sim): both are here. */
    const ps_workload_hooks hooks = {.model_file = ps_model_load_hf_config, .platform = ps_platform_workload_gpu};
    int rc = ps_workload_build(&c->args.workload, &hooks, &c->w, err);
    if (c->w.gpu.platform_warning[0])
        fprintf(stderr, "parsim plan: warning: %s\n", c->w.gpu.platform_warning);
    if (rc)
        return rc;
    c->model = &c->w.model;
    c->prec = &c->w.precision;
    c->gpu = &c->w.gpu.spec;
    c->plan = &c->w.plan;
    if (ps_memory_plan(c->model, c->prec, c->plan, &c->w.scenario, c->gpu, c->w.mem_fraction, &c->mem, err))
        return err->code;
    c->sc = c->w.scenario;
    c->sc.batch = c->mem.batch;
    return PS_OK;
}

static int step_totals(const plan_ctx *c, const ps_step *step, ps_graph_totals *t, ps_error *err)
{
    ps_graph g;
    if (ps_graph_build(c->model, c->prec, c->plan, step, &g, err))
        return err->code;
    ps_graph_totals_compute(&g, t);
    ps_graph_free(&g);
    return PS_OK;
}

/* Work of the evaluated batch: first and last prefill steps (all others equal the first) and the
 * first and last decode steps (every per-step quantity is affine in the context, so the sum over
 * the OSL steps is OSL x the mean of the two). */
static int compute_work(plan_ctx *c, ps_error *err)
{
    c->has_work = c->w.scenario.batch != PS_BATCH_MAX || c->mem.max_batch > 0;
    if (!c->has_work)
        return PS_OK;
    c->prefill_steps = ps_prefill_step_count(c->plan, &c->sc);
    if (ps_step_prefill(c->plan, &c->sc, 0, &c->prefill_first, err) ||
        ps_step_prefill(c->plan, &c->sc, c->prefill_steps - 1, &c->prefill_last, err) ||
        ps_step_decode(c->plan, &c->sc, 0, &c->decode_first, err) ||
        ps_step_decode(c->plan, &c->sc, c->sc.osl - 1, &c->decode_last, err))
        return err->code;
    if (step_totals(c, &c->prefill_first, &c->t_prefill_first, err) ||
        step_totals(c, &c->prefill_last, &c->t_prefill_last, err) ||
        step_totals(c, &c->decode_first, &c->t_decode_first, err) ||
        step_totals(c, &c->decode_last, &c->t_decode_last, err))
        return err->code;
    return PS_OK;
}

static int write_ops(const plan_ctx *c, ps_error *err)
{
    if (!c->args.ops_path)
        return PS_OK;
    if (!c->has_work)
        return ps_error_set(err, PS_EINPUT, "--ops: no batch fits, there is no op graph to write");
    if (ps_same_file(c->args.ops_path, c->args.workload.model_file) || ps_same_file(c->args.ops_path, c->w.gpu.platform_path))
        return ps_error_set(err, PS_EINPUT, "--ops %s is an input of this command; write the op graph elsewhere",
                            c->args.ops_path);
    ps_graph g[2];
    if (ps_graph_build(c->model, c->prec, c->plan, &c->prefill_first, &g[0], err))
        return err->code;
    if (ps_graph_build(c->model, c->prec, c->plan, &c->decode_first, &g[1], err)) {
        ps_graph_free(&g[0]);
        return err->code;
    }
    const ps_graph *both[2] = {&g[0], &g[1]};
    int rc = ps_graph_write_csv(both, 2, c->args.ops_path, err);
    ps_graph_free(&g[0]);
    ps_graph_free(&g[1]);
    return rc ? ps_error_prefix(err, "--ops") : PS_OK;
}

/* ---- text report ---- */

#define GB 1e9

static void print_stage_list(const plan_ctx *c)
{
    for (int s = 0; s < c->plan->pp; s++) {
        int first = c->plan->stage_first_layer[s], n = c->plan->stage_layers[s];
        printf("  S%d: layers %d-%d (%d)%s%s\n", s, first, first + n - 1, n, s == 0 ? ", embedding" : "",
               s == c->plan->pp - 1 ? ", final norm + LM head" : "");
    }
}

static void print_header(const plan_ctx *c)
{
    const ps_model *m = c->model;
    const ps_plan *p = c->plan;
    printf("model      %s: %.2f B params (%lld); %lld layers, hidden %lld, %lld heads, %lld KV heads x %lld, "
           "FFN %lld, vocab %lld%s\n",
           m->name, (double)ps_model_params(m) / 1e9, (long long)ps_model_params(m), (long long)m->layers,
           (long long)m->hidden, (long long)m->heads, (long long)m->kv_heads, (long long)m->head_dim,
           (long long)m->intermediate, (long long)m->vocab, m->tie_word_embeddings ? ", tied embeddings" : "");
    printf("precision  layer weights %s, embedding/LM head/norms %s, activations %s, KV cache %s\n",
           ps_dtype_name(c->prec->weights), ps_dtype_name(ps_precision_embedding_dtype(c->prec)),
           ps_dtype_name(c->prec->act), ps_dtype_name(c->prec->kv));
    printf("plan       TP%d x PP%d x DP%d = %d x %s (%.1f GB each), microbatches %d, KV heads per GPU %lld\n", p->tp,
           p->pp, p->dp, ps_plan_gpus(p), c->gpu->name, c->gpu->hbm_bytes / GB, p->microbatches,
           (long long)p->kv_heads_per_rank);
    print_stage_list(c);
    char batch[32];
    if (c->w.scenario.batch == PS_BATCH_MAX)
        snprintf(batch, sizeof batch, "max");
    else
        snprintf(batch, sizeof batch, "%lld", (long long)c->w.scenario.batch);
    printf("scenario   batch %s per replica, ISL %lld, OSL %lld; up to %lld prompts per prefill microbatch\n", batch,
           (long long)c->sc.isl, (long long)c->sc.osl, (long long)ps_scenario_prompts_per_microbatch(&c->sc));
}

static void print_memory(const plan_ctx *c)
{
    const ps_memory_report *r = &c->mem;
    printf("\nmemory per GPU (GB = 1e9 bytes; usable %.2f x %.2f GB = %.2f GB)\n", r->mem_fraction, r->gpu_bytes / GB,
           r->usable_bytes / GB);
    printf("  stage  layers  weights GB  KV B/token  KV GB  workspace GB  total GB\n");
    for (int s = 0; s < r->stages; s++) {
        const ps_stage_memory *st = &r->stage[s];
        printf("  S%-5d %6d  %10.2f  %10.0f  %5.2f  %12.2f  %8.2f%s\n", s, st->layers, st->weights_bytes / GB,
               st->kv_bytes_per_token, st->kv_bytes / GB, st->workspace_bytes / GB, st->total_bytes / GB,
               s == r->worst_stage ? "  <- most loaded" : "");
    }
    printf("  max batch  %lld sequences of %lld tokens (KV %.2f MB per sequence on the most loaded GPU)\n",
           (long long)r->max_batch, (long long)r->context_tokens,
           r->kv_bytes_per_token_per_gpu * (double)r->context_tokens / 1e6);
    if (r->fits)
        printf("  batch %lld fits: %.2f GB left on stage S%d\n", (long long)r->batch,
               (r->usable_bytes - r->stage[r->worst_stage].total_bytes) / GB, r->worst_stage);
    else
        printf("  batch %lld does NOT fit: stage S%d needs %.2f GB, %.2f GB more than the %.2f GB usable\n",
               (long long)r->batch, r->worst_stage, r->stage[r->worst_stage].total_bytes / GB,
               r->shortfall_bytes / GB, r->usable_bytes / GB);
}

static void print_totals(const char *label, const ps_step *step, const ps_graph_totals *t)
{
    printf("  %s: sequences %lld, tokens %lld, microbatches %d, context %lld\n", label,
           (long long)ps_step_sequences(step), (long long)(ps_step_sequences(step) * step->tokens_per_seq),
           step->microbatches, (long long)step->context);
    printf("    FLOPs       %.3f TFLOP (layer GEMMs %.3f, attention %.3f, LM head %.3f); busiest GPU %.3f\n",
           t->flops / 1e12, t->gemm_flops / 1e12, t->attention_flops / 1e12, t->lm_head_flops / 1e12,
           t->max_rank_flops / 1e12);
    printf("    HBM bytes   %.3f GB read, %.3f GB written\n", t->bytes_read / GB, t->bytes_written / GB);
    printf("    comm        TP all-reduce %lld x = %.3f GB, logits all-gather %lld x = %.3f GB, "
           "PP send %lld x = %.3f GB; busiest GPU %.3f GB\n",
           (long long)t->allreduce_count, t->allreduce_bytes / GB, (long long)t->allgather_count,
           t->allgather_bytes / GB, (long long)t->p2p_count, t->p2p_bytes / GB, t->max_rank_comm_bytes / GB);
}

static double prefill_total(const plan_ctx *c, double first, double last)
{
    return (double)(c->prefill_steps - 1) * first + last;
}

static double decode_total(const plan_ctx *c, double first, double last)
{
    return (double)c->sc.osl * (first + last) / 2;
}

static void print_work(const plan_ctx *c)
{
    if (!c->has_work) {
        printf("\nwork       none: not even one sequence fits\n");
        return;
    }
    printf("\nwork per step (sums over the %d GPUs; each collective and hand-off counted once)\n",
           ps_plan_gpus(c->plan));
    char label[96];
    snprintf(label, sizeof label, "prefill step 1 of %lld", (long long)c->prefill_steps);
    print_totals(label, &c->prefill_first, &c->t_prefill_first);
    snprintf(label, sizeof label, "decode step 1 of %lld", (long long)c->sc.osl);
    print_totals(label, &c->decode_first, &c->t_decode_first);
    snprintf(label, sizeof label, "decode step %lld of %lld", (long long)c->sc.osl, (long long)c->sc.osl);
    print_totals(label, &c->decode_last, &c->t_decode_last);
    printf("  whole batch: prefill %.3f PFLOP in %lld steps, decode %.3f PFLOP in %lld steps\n",
           prefill_total(c, c->t_prefill_first.flops, c->t_prefill_last.flops) / 1e15, (long long)c->prefill_steps,
           decode_total(c, c->t_decode_first.flops, c->t_decode_last.flops) / 1e15, (long long)c->sc.osl);
}

/* ---- JSON report ---- */

static cJSON *json_model(const plan_ctx *c)
{
    const ps_model *m = c->model;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", m->name);
    cJSON_AddNumberToObject(o, "params", (double)ps_model_params(m));
    cJSON_AddNumberToObject(o, "layers", (double)m->layers);
    cJSON_AddNumberToObject(o, "hidden", (double)m->hidden);
    cJSON_AddNumberToObject(o, "intermediate", (double)m->intermediate);
    cJSON_AddNumberToObject(o, "heads", (double)m->heads);
    cJSON_AddNumberToObject(o, "kv_heads", (double)m->kv_heads);
    cJSON_AddNumberToObject(o, "head_dim", (double)m->head_dim);
    cJSON_AddNumberToObject(o, "vocab", (double)m->vocab);
    cJSON_AddNumberToObject(o, "max_position", (double)m->max_position);
    cJSON_AddBoolToObject(o, "tie_word_embeddings", m->tie_word_embeddings);
    cJSON *p = cJSON_AddObjectToObject(o, "precision");
    cJSON_AddStringToObject(p, "weights", ps_dtype_name(c->prec->weights));
    cJSON_AddStringToObject(p, "embedding", ps_dtype_name(ps_precision_embedding_dtype(c->prec)));
    cJSON_AddStringToObject(p, "activations", ps_dtype_name(c->prec->act));
    cJSON_AddStringToObject(p, "kv_cache", ps_dtype_name(c->prec->kv));
    return o;
}

static cJSON *json_int_array(const int *values, int n)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateNumber(values[i]));
    return arr;
}

static cJSON *json_plan(const plan_ctx *c)
{
    const ps_plan *p = c->plan;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "tp", p->tp);
    cJSON_AddNumberToObject(o, "pp", p->pp);
    cJSON_AddNumberToObject(o, "dp", p->dp);
    cJSON_AddNumberToObject(o, "gpus", ps_plan_gpus(p));
    cJSON_AddStringToObject(o, "gpu", c->gpu->name);
    cJSON_AddNumberToObject(o, "microbatches", p->microbatches);
    cJSON_AddItemToObject(o, "stage_layers", json_int_array(p->stage_layers, p->pp));
    cJSON_AddItemToObject(o, "stage_first_layer", json_int_array(p->stage_first_layer, p->pp));
    cJSON_AddNumberToObject(o, "kv_heads_per_gpu", (double)p->kv_heads_per_rank);
    return o;
}

static cJSON *json_scenario(const plan_ctx *c)
{
    cJSON *o = cJSON_CreateObject();
    if (c->w.scenario.batch == PS_BATCH_MAX)
        cJSON_AddStringToObject(o, "batch_requested", "max");
    else
        cJSON_AddNumberToObject(o, "batch_requested", (double)c->w.scenario.batch);
    cJSON_AddNumberToObject(o, "batch", (double)c->sc.batch);
    cJSON_AddNumberToObject(o, "isl", (double)c->sc.isl);
    cJSON_AddNumberToObject(o, "osl", (double)c->sc.osl);
    cJSON_AddNumberToObject(o, "prefill_tokens", (double)c->sc.prefill_tokens);
    cJSON_AddNumberToObject(o, "prompts_per_microbatch", (double)ps_scenario_prompts_per_microbatch(&c->sc));
    return o;
}

static cJSON *json_memory(const plan_ctx *c)
{
    const ps_memory_report *r = &c->mem;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "gpu_bytes", r->gpu_bytes);
    cJSON_AddNumberToObject(o, "mem_fraction", r->mem_fraction);
    cJSON_AddNumberToObject(o, "usable_bytes", r->usable_bytes);
    cJSON_AddNumberToObject(o, "weights_bytes_per_gpu", r->weights_bytes_per_gpu);
    cJSON_AddNumberToObject(o, "kv_bytes_per_token_per_gpu", r->kv_bytes_per_token_per_gpu);
    cJSON_AddNumberToObject(o, "context_tokens", (double)r->context_tokens);
    cJSON_AddNumberToObject(o, "max_batch", (double)r->max_batch);
    cJSON_AddNumberToObject(o, "batch", (double)r->batch);
    cJSON_AddBoolToObject(o, "fits", r->fits);
    cJSON_AddNumberToObject(o, "shortfall_bytes", r->shortfall_bytes);
    cJSON_AddNumberToObject(o, "worst_stage", r->worst_stage);
    cJSON *stages = cJSON_AddArrayToObject(o, "stages");
    for (int s = 0; s < r->stages; s++) {
        const ps_stage_memory *st = &r->stage[s];
        cJSON *so = cJSON_CreateObject();
        cJSON_AddNumberToObject(so, "stage", s);
        cJSON_AddNumberToObject(so, "layers", st->layers);
        cJSON_AddBoolToObject(so, "embedding", st->has_embedding);
        cJSON_AddBoolToObject(so, "lm_head", st->has_lm_head);
        cJSON_AddNumberToObject(so, "weights_bytes", st->weights_bytes);
        cJSON_AddNumberToObject(so, "kv_bytes_per_token", st->kv_bytes_per_token);
        cJSON_AddNumberToObject(so, "kv_bytes", st->kv_bytes);
        cJSON_AddNumberToObject(so, "workspace_bytes", st->workspace_bytes);
        cJSON_AddNumberToObject(so, "total_bytes", st->total_bytes);
        cJSON_AddItemToArray(stages, so);
    }
    return o;
}

static cJSON *json_totals(const ps_step *step, const ps_graph_totals *t)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", (double)step->index);
    cJSON_AddNumberToObject(o, "sequences", (double)ps_step_sequences(step));
    cJSON_AddNumberToObject(o, "tokens", (double)(ps_step_sequences(step) * step->tokens_per_seq));
    cJSON_AddNumberToObject(o, "microbatches", step->microbatches);
    cJSON_AddNumberToObject(o, "context", (double)step->context);
    cJSON_AddNumberToObject(o, "ops", (double)t->ops);
    cJSON_AddNumberToObject(o, "flops", t->flops);
    cJSON_AddNumberToObject(o, "gemm_flops", t->gemm_flops);
    cJSON_AddNumberToObject(o, "attention_flops", t->attention_flops);
    cJSON_AddNumberToObject(o, "lm_head_flops", t->lm_head_flops);
    cJSON_AddNumberToObject(o, "bytes_read", t->bytes_read);
    cJSON_AddNumberToObject(o, "bytes_written", t->bytes_written);
    cJSON_AddNumberToObject(o, "allreduce_count", (double)t->allreduce_count);
    cJSON_AddNumberToObject(o, "allreduce_bytes", t->allreduce_bytes);
    cJSON_AddNumberToObject(o, "allgather_count", (double)t->allgather_count);
    cJSON_AddNumberToObject(o, "allgather_bytes", t->allgather_bytes);
    cJSON_AddNumberToObject(o, "p2p_count", (double)t->p2p_count);
    cJSON_AddNumberToObject(o, "p2p_bytes", t->p2p_bytes);
    cJSON_AddNumberToObject(o, "max_gpu_flops", t->max_rank_flops);
    cJSON_AddNumberToObject(o, "max_gpu_comm_bytes", t->max_rank_comm_bytes);
    return o;
}

static cJSON *json_work(const plan_ctx *c)
{
    if (!c->has_work)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "prefill_steps", (double)c->prefill_steps);
    cJSON_AddNumberToObject(o, "decode_steps", (double)c->sc.osl);
    cJSON_AddItemToObject(o, "prefill_step", json_totals(&c->prefill_first, &c->t_prefill_first));
    cJSON_AddItemToObject(o, "prefill_last_step", json_totals(&c->prefill_last, &c->t_prefill_last));
    cJSON_AddItemToObject(o, "decode_first_step", json_totals(&c->decode_first, &c->t_decode_first));
    cJSON_AddItemToObject(o, "decode_last_step", json_totals(&c->decode_last, &c->t_decode_last));
    cJSON_AddNumberToObject(o, "prefill_flops",
                            prefill_total(c, c->t_prefill_first.flops, c->t_prefill_last.flops));
    cJSON_AddNumberToObject(o, "decode_flops", decode_total(c, c->t_decode_first.flops, c->t_decode_last.flops));
    return o;
}

static int print_json(const plan_ctx *c, ps_error *err)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    cJSON_AddItemToObject(root, "model", json_model(c));
    cJSON_AddItemToObject(root, "plan", json_plan(c));
    cJSON_AddItemToObject(root, "scenario", json_scenario(c));
    cJSON_AddItemToObject(root, "memory", json_memory(c));
    cJSON_AddItemToObject(root, "work", json_work(c));
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return ps_error_set(err, PS_EINTERNAL, "out of memory while printing JSON");
    puts(text);
    cJSON_free(text);
    return PS_OK;
}

int cmd_plan(int argc, char **argv, ps_error *err)
{
    plan_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    int rc = parse_args(argc, argv, &c->args, err);
    if (rc == PS_OPTIONS_HELP)
        rc = PS_OK;
    else if (!rc && !(rc = setup(c, err)) && !(rc = compute_work(c, err)) && !(rc = write_ops(c, err))) {
        if (c->args.json)
            rc = print_json(c, err);
        else {
            print_header(c);
            print_memory(c);
            print_work(c);
        }
    }
    free(c);
    return rc;
}
