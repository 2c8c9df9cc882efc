/* parsim plan: model, parallel plan, memory per GPU, work per step and the op graph (no simulation).
 *
 * Reads a model (preset or HF config.json), a plan and a scenario, refuses impossible ones (exit
 * 2, one line naming the flag and the rule), then reports memory per GPU and the largest batch
 * that fits, and, for the evaluated batch, the FLOPs, bytes and communication of a prefill step and
 * of decode steps, summed from the op graph. --json prints the same as one object whose keys are
 * documented in docs/workload.md; --ops writes the op graph of the first prefill step and the first
 * decode step as CSV.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "parsim/platform.h"
#include "parsim/gpu.h"
#include "parsim/graph.h"
#include "parsim/memory.h"
#include "parsim/model.h"
#include "parsim/plan.h"
#include "parsim/util.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: parsim plan (--model NAME | --model-file config.json) [options]\n"
            "\n"
            "Memory per GPU, largest batch and work per step of a TP x PP x DP plan; no simulation.\n"
            "\n"
            "model:\n"
            "  --model NAME          preset: llama3.1-8b llama3.1-70b llama3.1-405b llama2-7b llama2-70b\n"
            "  --model-file PATH     a Hugging Face config.json (Llama family)\n"
            "  --dtype T             layer weights: fp8 | bf16 | fp16 (default bf16)\n"
            "  --kv-dtype T          KV cache: bf16 | fp16 | fp8 (default: the activation dtype)\n"
            "plan:\n"
            "  --tp N --pp N --dp N  tensor, pipeline, data (replica) parallelism (default 1)\n"
            "  --microbatches N      microbatches in flight (default pp)\n"
            "  --stage-layers A,B,.. layers per stage (default: even, extra layers to middle stages)\n"
            "  --gpu NAME            h100-sxm h100-pcie h200-sxm a100-sxm b200 gb200 (default h100-sxm)\n"
            "  --gpus N              GPUs available on the platform (default tp*pp*dp)\n"
            "  --platform FILE       take the GPU model, its HBM and the GPU count from a platform\n"
            "                        file (parsim platform); the plan must fit on its GPUs\n"
            "scenario:\n"
            "  --batch N|max         sequences per replica (default max: the largest that fits)\n"
            "  --isl N --osl N       prompt and output tokens per sequence (default 2048, 128)\n"
            "  --prefill-tokens N    prompt tokens per prefill microbatch (default %d)\n"
            "  --mem-fraction F      share of GPU memory usable, in (0, 1] (default %.2f)\n"
            "output:\n"
            "  --json                one JSON object (keys in docs/workload.md)\n"
            "  --ops FILE.csv        write the op graph (first prefill step, first decode step)\n"
            "  -h, --help            this help\n",
            PS_DEFAULT_PREFILL_TOKENS, PS_DEFAULT_MEM_FRACTION);
}

typedef struct plan_args {
    const char *model_name, *model_file, *gpu_name, *ops_path, *stage_layers, *platform_path;
    int gpu_set, gpus_set;
    ps_dtype weights, kv;
    int kv_set;
    int tp, pp, dp, microbatches, gpus;
    ps_scenario sc;
    double mem_fraction;
    int json;
} plan_args;

enum { OPT_MODEL = 256, OPT_MODEL_FILE, OPT_DTYPE, OPT_KV_DTYPE, OPT_TP, OPT_PP, OPT_DP, OPT_MICRO,
       OPT_STAGES, OPT_GPU, OPT_GPUS, OPT_BATCH, OPT_ISL, OPT_OSL, OPT_PREFILL, OPT_MEMFRAC, OPT_JSON,
       OPT_OPS, OPT_PLATFORM };

static const struct option long_options[] = {
    {"model", required_argument, NULL, OPT_MODEL},
    {"model-file", required_argument, NULL, OPT_MODEL_FILE},
    {"dtype", required_argument, NULL, OPT_DTYPE},
    {"kv-dtype", required_argument, NULL, OPT_KV_DTYPE},
    {"tp", required_argument, NULL, OPT_TP},
    {"pp", required_argument, NULL, OPT_PP},
    {"dp", required_argument, NULL, OPT_DP},
    {"microbatches", required_argument, NULL, OPT_MICRO},
    {"stage-layers", required_argument, NULL, OPT_STAGES},
    {"gpu", required_argument, NULL, OPT_GPU},
    {"gpus", required_argument, NULL, OPT_GPUS},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"isl", required_argument, NULL, OPT_ISL},
    {"osl", required_argument, NULL, OPT_OSL},
    {"prefill-tokens", required_argument, NULL, OPT_PREFILL},
    {"mem-fraction", required_argument, NULL, OPT_MEMFRAC},
    {"json", no_argument, NULL, OPT_JSON},
    {"ops", required_argument, NULL, OPT_OPS},
    {"platform", required_argument, NULL, OPT_PLATFORM},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int parse_dtype(const char *text, const char *flag, const char *allowed, ps_dtype *out, ps_error *err)
{
    ps_dtype d;
    if (!ps_dtype_parse(text, &d) || !strstr(allowed, ps_dtype_name(d)))
        return ps_error_set(err, PS_EINPUT, "%s: '%s' is not one of %s", flag, text, allowed);
    *out = d;
    return PS_OK;
}

static int parse_one(plan_args *a, int opt, const char *v, ps_error *err)
{
    switch (opt) {
    case OPT_MODEL: a->model_name = v; return PS_OK;
    case OPT_MODEL_FILE: a->model_file = v; return PS_OK;
    case OPT_DTYPE: return parse_dtype(v, "--dtype", "fp8|bf16|fp16", &a->weights, err);
    case OPT_KV_DTYPE: a->kv_set = 1; return parse_dtype(v, "--kv-dtype", "bf16|fp16|fp8", &a->kv, err);
    case OPT_TP: return ps_parse_int(v, "--tp", 1, PS_PLAN_MAX_TP, &a->tp, err);
    case OPT_PP: return ps_parse_int(v, "--pp", 1, PS_PLAN_MAX_PP, &a->pp, err);
    case OPT_DP: return ps_parse_int(v, "--dp", 1, PS_PLAN_MAX_DP, &a->dp, err);
    case OPT_MICRO: return ps_parse_int(v, "--microbatches", 1, PS_PLAN_MAX_MICROBATCHES, &a->microbatches, err);
    case OPT_STAGES: a->stage_layers = v; return PS_OK;
    case OPT_GPU: a->gpu_name = v; a->gpu_set = 1; return PS_OK;
    case OPT_GPUS: a->gpus_set = 1; return ps_parse_int(v, "--gpus", 1, 1 << 30, &a->gpus, err);
    case OPT_PLATFORM: a->platform_path = v; return PS_OK;
    case OPT_BATCH:
        if (!strcmp(v, "max")) {
            a->sc.batch = PS_BATCH_MAX;
            return PS_OK;
        }
        /* -1 is PS_BATCH_MAX inside: it must not pass as a number and silently mean "max". */
        if (ps_parse_i64(v, "--batch", &a->sc.batch, err) || a->sc.batch < 1)
            return ps_error_set(err, PS_EINPUT, "--batch: expected a number >= 1 or 'max', got '%s'", v);
        return PS_OK;
    case OPT_ISL: return ps_parse_i64(v, "--isl", &a->sc.isl, err);
    case OPT_OSL: return ps_parse_i64(v, "--osl", &a->sc.osl, err);
    case OPT_PREFILL: return ps_parse_i64(v, "--prefill-tokens", &a->sc.prefill_tokens, err);
    case OPT_MEMFRAC: return ps_parse_double(v, "--mem-fraction", &a->mem_fraction, err);
    case OPT_JSON: a->json = 1; return PS_OK;
    case OPT_OPS: a->ops_path = v; return PS_OK;
    }
    return ps_error_set(err, PS_EINTERNAL, "unhandled option %d", opt);
}

/* Returns -1 to continue, else the exit code (0 after --help). */
static int parse_args(int argc, char **argv, plan_args *a, ps_error *err)
{
    *a = (plan_args){.weights = PS_DTYPE_BF16, .tp = 1, .pp = 1, .dp = 1, .gpu_name = "h100-sxm",
                     .sc = {.batch = PS_BATCH_MAX, .isl = 2048, .osl = 128,
                            .prefill_tokens = PS_DEFAULT_PREFILL_TOKENS},
                     .mem_fraction = PS_DEFAULT_MEM_FRACTION};
    opterr = 0;
    optind = 1;
    int opt;
    unsigned char seen[512] = {0};
    char twice[64];
    while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            return 0;
        }
        if (opt == '?')
            return ps_error_set(err, PS_EINPUT, "%s: unknown option (see parsim plan --help)", argv[optind - 1]);
        if (opt == ':')
            return ps_error_set(err, PS_EINPUT, "%s: needs a value (see parsim plan --help)", argv[optind - 1]);
        if (ps_cli_repeated(long_options, seen, opt, twice, sizeof twice))
            return ps_error_set(err, PS_EINPUT, "%s given twice (give each option once)", twice);
        if (parse_one(a, opt, optarg, err))
            return err->code;
    }
    if (optind < argc)
        return ps_error_set(err, PS_EINPUT, "'%s': unexpected argument (see parsim plan --help)", argv[optind]);
    if (!a->model_name == !a->model_file)
        return ps_error_set(err, PS_EINPUT, "--model / --model-file: give exactly one of them");
    return -1;
}

static int parse_stage_layers(const char *text, int pp, int *out, ps_error *err)
{
    int n = 0;
    const char *c = text;
    for (;;) {
        char item[32];
        size_t len = strcspn(c, ",");
        if (n == pp)
            return ps_error_set(err, PS_EINPUT, "--stage-layers: more than --pp %d stages given", pp);
        if (len == 0 || len >= sizeof item)
            return ps_error_set(err, PS_EINPUT, "--stage-layers: expected comma-separated layer counts, got '%s'", text);
        memcpy(item, c, len);
        item[len] = '\0';
        if (ps_parse_int(item, "--stage-layers", 1, 1 << 30, &out[n++], err))
            return err->code;
        if (c[len] == '\0')
            break;
        c += len + 1;
    }
    if (n != pp)
        return ps_error_set(err, PS_EINPUT, "--stage-layers: %d stages given, --pp is %d", n, pp);
    return PS_OK;
}

/* Everything the reports need. */
typedef struct plan_ctx {
    plan_args args;
    ps_model model;
    ps_precision prec;
    const ps_gpu_spec *gpu;
    ps_gpu_spec platform_gpu; /* catalogue entry with the platform file's properties applied */
    ps_plan plan;
    ps_scenario sc;          /* with the evaluated batch */
    ps_memory_report mem;
    int has_work;
    int64_t prefill_steps;
    ps_step prefill_first, prefill_last, decode_first, decode_last;
    ps_graph_totals t_prefill_first, t_prefill_last, t_decode_first, t_decode_last;
} plan_ctx;

/* --platform: the platform file decides the GPU model, its memory (a user-edited file's
 * properties win over the catalogue) and how many GPUs exist. Every GPU of a platform is assumed
 * alike; the first one stands for all. */
static int apply_platform(plan_ctx *c, ps_error *err)
{
    plan_args *a = &c->args;
    ps_platform *platform = NULL;
    if (ps_platform_load(a->platform_path, &platform, err))
        return ps_error_prefix(err, "--platform");
    const ps_platform_gpu *g0 = ps_platform_gpu_at(platform, 0);
    const ps_gpu_spec *spec = g0 ? ps_gpu_find(g0->gpu_model) : NULL;
    int rc = PS_OK;
    if (!spec)
        rc = ps_error_set(err, PS_EINPUT, "--platform: %s: GPU model '%s' is not in the catalogue",
                          a->platform_path, g0 ? g0->gpu_model : "(none)");
    else if (a->gpu_set && strcmp(a->gpu_name, spec->name))
        rc = ps_error_set(err, PS_EINPUT, "--gpu %s contradicts --platform %s, whose GPUs are %s",
                          a->gpu_name, a->platform_path, spec->name);
    else if (a->gpus_set && a->gpus != ps_platform_gpu_count(platform))
        rc = ps_error_set(err, PS_EINPUT, "--gpus %d contradicts --platform %s, which has %d GPUs", a->gpus,
                          a->platform_path, ps_platform_gpu_count(platform));
    if (!rc) {
        c->platform_gpu = *spec;
        c->platform_gpu.hbm_bytes = g0->hbm_bytes;
        c->platform_gpu.hbm_bandwidth_bytes_per_s = g0->hbm_bandwidth_bytes_per_s;
        c->gpu = &c->platform_gpu;
        a->gpus = ps_platform_gpu_count(platform);
        rc = ps_platform_check_gpu_count(platform, a->tp * a->pp * a->dp, false, err);
    }
    const char *warning = rc ? NULL : ps_platform_warning(platform);
    if (warning)
        fprintf(stderr, "parsim plan: warning: %s\n", warning);
    ps_platform_free(platform);
    return rc;
}

static int setup(plan_ctx *c, ps_error *err)
{
    plan_args *a = &c->args;
    if (a->model_name) {
        const ps_model *preset = ps_model_find_preset(a->model_name);
        if (!preset)
            return ps_error_set(err, PS_EINPUT, "--model: unknown model '%s' (see parsim plan --help)", a->model_name);
        c->model = *preset;
    } else if (ps_model_load_hf_config(a->model_file, &c->model, err)) {
        return ps_error_prefix(err, "--model-file");
    }
    if (ps_precision_init(&c->prec, a->weights, err))
        return err->code;
    if (a->kv_set)
        c->prec.kv = a->kv;
    c->gpu = ps_gpu_find(a->gpu_name);
    if (a->platform_path && apply_platform(c, err))
        return err->code;
    if (!c->gpu)
        return ps_error_set(err, PS_EINPUT, "--gpu: unknown GPU '%s' (see parsim plan --help)", a->gpu_name);
    int stages[PS_PLAN_MAX_PP];
    if (a->stage_layers && parse_stage_layers(a->stage_layers, a->pp, stages, err))
        return err->code;
    if (ps_plan_init(&c->plan, &c->model, a->tp, a->pp, a->dp, a->microbatches, a->stage_layers ? stages : NULL,
                     a->gpus, err))
        return err->code;
    if (ps_scenario_validate(&a->sc, &c->model, err))
        return err->code;
    if (ps_memory_plan(&c->model, &c->prec, &c->plan, &a->sc, c->gpu, a->mem_fraction, &c->mem, err))
        return err->code;
    c->sc = a->sc;
    c->sc.batch = c->mem.batch;
    return PS_OK;
}

static int step_totals(const plan_ctx *c, const ps_step *step, ps_graph_totals *t, ps_error *err)
{
    ps_graph g;
    if (ps_graph_build(&c->model, &c->prec, &c->plan, step, &g, err))
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
    c->has_work = c->args.sc.batch != PS_BATCH_MAX || c->mem.max_batch > 0;
    if (!c->has_work)
        return PS_OK;
    c->prefill_steps = ps_prefill_step_count(&c->plan, &c->sc);
    if (ps_step_prefill(&c->plan, &c->sc, 0, &c->prefill_first, err) ||
        ps_step_prefill(&c->plan, &c->sc, c->prefill_steps - 1, &c->prefill_last, err) ||
        ps_step_decode(&c->plan, &c->sc, 0, &c->decode_first, err) ||
        ps_step_decode(&c->plan, &c->sc, c->sc.osl - 1, &c->decode_last, err))
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
    if (ps_same_file(c->args.ops_path, c->args.model_file) || ps_same_file(c->args.ops_path, c->args.platform_path))
        return ps_error_set(err, PS_EINPUT, "--ops %s is an input of this command; write the op graph elsewhere",
                            c->args.ops_path);
    ps_graph g[2];
    if (ps_graph_build(&c->model, &c->prec, &c->plan, &c->prefill_first, &g[0], err))
        return err->code;
    if (ps_graph_build(&c->model, &c->prec, &c->plan, &c->decode_first, &g[1], err)) {
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
    for (int s = 0; s < c->plan.pp; s++) {
        int first = c->plan.stage_first_layer[s], n = c->plan.stage_layers[s];
        printf("  S%d: layers %d-%d (%d)%s%s\n", s, first, first + n - 1, n, s == 0 ? ", embedding" : "",
               s == c->plan.pp - 1 ? ", final norm + LM head" : "");
    }
}

static void print_header(const plan_ctx *c)
{
    const ps_model *m = &c->model;
    const ps_plan *p = &c->plan;
    printf("model      %s: %.2f B params (%lld); %lld layers, hidden %lld, %lld heads, %lld KV heads x %lld, "
           "FFN %lld, vocab %lld%s\n",
           m->name, (double)ps_model_params(m) / 1e9, (long long)ps_model_params(m), (long long)m->layers,
           (long long)m->hidden, (long long)m->heads, (long long)m->kv_heads, (long long)m->head_dim,
           (long long)m->intermediate, (long long)m->vocab, m->tie_word_embeddings ? ", tied embeddings" : "");
    printf("precision  layer weights %s, embedding/LM head/norms %s, activations %s, KV cache %s\n",
           ps_dtype_name(c->prec.weights), ps_dtype_name(ps_precision_embedding_dtype(&c->prec)),
           ps_dtype_name(c->prec.act), ps_dtype_name(c->prec.kv));
    printf("plan       TP%d x PP%d x DP%d = %d x %s (%.1f GB each), microbatches %d, KV heads per GPU %lld\n", p->tp,
           p->pp, p->dp, ps_plan_gpus(p), c->gpu->name, c->gpu->hbm_bytes / GB, p->microbatches,
           (long long)p->kv_heads_per_rank);
    print_stage_list(c);
    char batch[32];
    if (c->args.sc.batch == PS_BATCH_MAX)
        snprintf(batch, sizeof batch, "max");
    else
        snprintf(batch, sizeof batch, "%lld", (long long)c->args.sc.batch);
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
           ps_plan_gpus(&c->plan));
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
    const ps_model *m = &c->model;
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
    cJSON_AddStringToObject(p, "weights", ps_dtype_name(c->prec.weights));
    cJSON_AddStringToObject(p, "embedding", ps_dtype_name(ps_precision_embedding_dtype(&c->prec)));
    cJSON_AddStringToObject(p, "activations", ps_dtype_name(c->prec.act));
    cJSON_AddStringToObject(p, "kv_cache", ps_dtype_name(c->prec.kv));
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
    const ps_plan *p = &c->plan;
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
    if (c->args.sc.batch == PS_BATCH_MAX)
        cJSON_AddStringToObject(o, "batch_requested", "max");
    else
        cJSON_AddNumberToObject(o, "batch_requested", (double)c->args.sc.batch);
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

int cmd_plan(int argc, char **argv)
{
    ps_error err = {0};
    plan_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        fprintf(stderr, "parsim plan: out of memory\n");
        return PS_EINTERNAL;
    }
    int rc = parse_args(argc, argv, &c->args, &err);
    if (rc < 0) {
        rc = PS_OK;
        if (setup(c, &err) || compute_work(c, &err) || write_ops(c, &err))
            rc = err.code ? err.code : PS_EINTERNAL;
        else if (c->args.json)
            rc = print_json(c, &err);
        else {
            print_header(c);
            print_memory(c);
            print_work(c);
        }
    }
    if (rc)
        fprintf(stderr, "parsim plan: %s\n", err.message);
    free(c);
    return rc;
}
