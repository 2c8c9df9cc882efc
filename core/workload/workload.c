/* The workload bundle and its option parser (see parsim/workload.h).
 *
 * One table lists the options in --help order; parsing, the "given twice" rule and the help text
 * all come from it, so a program that parses workload options cannot spell one differently.
 * ps_workload_build applies the rules in the order `parsim plan` always applied them (the CLI
 * goldens under tests/cli/plan pin the first message for each broken rule):
 *   exactly one model source -> model -> precision -> platform GPU -> catalogue GPU ->
 *   stage split -> plan -> scenario.
 * libc only: --model-file and --platform go through hooks (parsim/workload.h).
 */
#include "parsim/workload.h"

#include <limits.h>
#include <string.h>

#include "parsim/memory.h"
#include "parsim/util.h"

typedef enum workload_option_id {
    OPT_MODEL, OPT_MODEL_FILE, OPT_DTYPE, OPT_KV_DTYPE,
    OPT_TP, OPT_PP, OPT_DP, OPT_MICROBATCHES, OPT_STAGE_LAYERS, OPT_GPU, OPT_GPUS, OPT_PLATFORM,
    OPT_BATCH, OPT_ISL, OPT_OSL, OPT_PREFILL_TOKENS, OPT_MEM_FRACTION,
    OPT_COUNT
} workload_option_id;

/* usage: the left column of --help; NULL when an earlier line shows the option (--pp, --dp,
 * --osl share a line with --tp / --isl). help: the right column; "\n" continues on the next
 * line. section: printed before the option. A help of NULL is generated (value lists). */
typedef struct workload_option {
    const char *name;
    const char *section;
    const char *usage;
    const char *help;
} workload_option;

static const workload_option workload_options[OPT_COUNT] = {
    [OPT_MODEL] = {"model", "model", "--model NAME", NULL},
    [OPT_MODEL_FILE] = {"model-file", NULL, "--model-file PATH", "a Hugging Face config.json (Llama family)"},
    [OPT_DTYPE] = {"dtype", NULL, "--dtype T", "layer weights: fp8 | bf16 | fp16 (default bf16)"},
    [OPT_KV_DTYPE] = {"kv-dtype", NULL, "--kv-dtype T", "KV cache: bf16 | fp16 | fp8 (default: the activation dtype)"},
    [OPT_TP] = {"tp", "plan", "--tp N --pp N --dp N", "tensor, pipeline, data (replica) parallelism (default 1)"},
    [OPT_PP] = {"pp", NULL, NULL, NULL},
    [OPT_DP] = {"dp", NULL, NULL, NULL},
    [OPT_MICROBATCHES] = {"microbatches", NULL, "--microbatches N", "microbatches in flight (default pp)"},
    [OPT_STAGE_LAYERS] = {"stage-layers", NULL, "--stage-layers A,B,..",
                          "layers per stage (default: even, extra layers to middle stages)"},
    [OPT_GPU] = {"gpu", NULL, "--gpu NAME", NULL},
    [OPT_GPUS] = {"gpus", NULL, "--gpus N", "GPUs available on the platform (default tp*pp*dp)"},
    [OPT_PLATFORM] = {"platform", NULL, "--platform FILE|NAME",
                      "take the GPU model, its HBM and the GPU count from a platform\n"
                      "file or preset (parsim platform --list); the plan must fit on its GPUs"},
    [OPT_BATCH] = {"batch", "scenario", "--batch N|max", "sequences per replica (default max: the largest that fits)"},
    [OPT_ISL] = {"isl", NULL, "--isl N --osl N", "prompt and output tokens per sequence (default 2048, 128)"},
    [OPT_OSL] = {"osl", NULL, NULL, NULL},
    [OPT_PREFILL_TOKENS] = {"prefill-tokens", NULL, "--prefill-tokens N", NULL},
    [OPT_MEM_FRACTION] = {"mem-fraction", NULL, "--mem-fraction F", NULL},
};

_Static_assert(OPT_COUNT <= 32, "ps_workload_args.seen holds one bit per option");

#define DEFAULT_GPU "h100-sxm"
#define DEFAULT_ISL 2048
#define DEFAULT_OSL 128

void ps_workload_args_init(ps_workload_args *args, const char *command)
{
    *args = (ps_workload_args){
        .command = command ? command : "parsim",
        .weights = PS_DTYPE_BF16,
        .tp = 1, .pp = 1, .dp = 1,
        .gpu_name = DEFAULT_GPU,
        .scenario = {.batch = PS_BATCH_MAX, .isl = DEFAULT_ISL, .osl = DEFAULT_OSL,
                     .prefill_tokens = PS_DEFAULT_PREFILL_TOKENS},
        .mem_fraction = PS_DEFAULT_MEM_FRACTION,
    };
}

int ps_workload_option_count(void) { return OPT_COUNT; }

const char *ps_workload_option_name(int index)
{
    return index >= 0 && index < OPT_COUNT ? workload_options[index].name : NULL;
}

static int find_option(const char *name)
{
    for (int i = 0; name && i < OPT_COUNT; i++)
        if (!strcmp(workload_options[i].name, name))
            return i;
    return -1;
}

bool ps_workload_is_option(const char *name, bool *takes_value)
{
    if (find_option(name) < 0)
        return false;
    if (takes_value)
        *takes_value = true;
    return true;
}

/* `allowed` lists the accepted names, '|'-separated. */
static int parse_dtype(const char *text, const char *flag, const char *allowed, ps_dtype *out, ps_error *err)
{
    ps_dtype dtype;
    if (!ps_dtype_parse(text, &dtype) || !strstr(allowed, ps_dtype_name(dtype)))
        return ps_error_set(err, PS_EINPUT, "%s: '%s' is not one of %s", flag, text, allowed);
    *out = dtype;
    return PS_OK;
}

static int parse_batch(const char *text, int64_t *batch, ps_error *err)
{
    if (!strcmp(text, "max")) {
        *batch = PS_BATCH_MAX;
        return PS_OK;
    }
    /* -1 is PS_BATCH_MAX inside: it must not pass as a number and silently mean "max". */
    if (ps_parse_i64(text, "--batch", batch, err) || *batch < 1)
        return ps_error_set(err, PS_EINPUT, "--batch: expected a number >= 1 or 'max', got '%s'", text);
    return PS_OK;
}

static int parse_value(ps_workload_args *a, workload_option_id id, const char *v, ps_error *err)
{
    ps_scenario *sc = &a->scenario;
    switch (id) {
    case OPT_MODEL: a->model_name = v; return PS_OK;
    case OPT_MODEL_FILE: a->model_file = v; return PS_OK;
    case OPT_DTYPE: return parse_dtype(v, "--dtype", "fp8|bf16|fp16", &a->weights, err);
    case OPT_KV_DTYPE: a->kv_set = true; return parse_dtype(v, "--kv-dtype", "bf16|fp16|fp8", &a->kv, err);
    case OPT_TP: return ps_parse_int(v, "--tp", 1, PS_PLAN_MAX_TP, &a->tp, err);
    case OPT_PP: return ps_parse_int(v, "--pp", 1, PS_PLAN_MAX_PP, &a->pp, err);
    case OPT_DP: return ps_parse_int(v, "--dp", 1, PS_PLAN_MAX_DP, &a->dp, err);
    case OPT_MICROBATCHES:
        return ps_parse_int(v, "--microbatches", 1, PS_PLAN_MAX_MICROBATCHES, &a->microbatches, err);
    case OPT_STAGE_LAYERS: a->stage_layers = v; return PS_OK;
    case OPT_GPU: a->gpu_name = v; a->gpu_set = true; return PS_OK;
    case OPT_GPUS: a->gpus_set = true; return ps_parse_int(v, "--gpus", 1, 1 << 30, &a->gpus, err);
    case OPT_PLATFORM: a->platform = v; return PS_OK;
    case OPT_BATCH: return parse_batch(v, &sc->batch, err);
    case OPT_ISL: return ps_parse_i64(v, "--isl", &sc->isl, err);
    case OPT_OSL: return ps_parse_i64(v, "--osl", &sc->osl, err);
    case OPT_PREFILL_TOKENS: return ps_parse_i64(v, "--prefill-tokens", &sc->prefill_tokens, err);
    case OPT_MEM_FRACTION: return ps_parse_double(v, "--mem-fraction", &a->mem_fraction, err);
    case OPT_COUNT: break;
    }
    return ps_error_set(err, PS_EINTERNAL, "workload option %d has no parser", (int)id);
}

int ps_workload_parse_option(ps_workload_args *args, const char *name, const char *value, ps_error *err)
{
    int id = find_option(name);
    if (id < 0)
        return ps_error_set(err, PS_EINPUT, "--%s: unknown option (see %s --help)", name ? name : "",
                            args->command);
    if (!value)
        return ps_error_set(err, PS_EINPUT, "--%s: needs a value (see %s --help)", name, args->command);
    /* getopt lets the last of "--tp 2 ... --tp 4" silently win: a plan the user may not have meant. */
    if (args->seen & (UINT32_C(1) << id))
        return ps_error_set(err, PS_EINPUT, "--%s given twice (give each option once)", name);
    args->seen |= UINT32_C(1) << id;
    return parse_value(args, (workload_option_id)id, value, err);
}

/* ---- build ---- */

static int parse_stage_layers(const char *text, int pp, int *out, ps_error *err)
{
    int n = 0;
    const char *c = text;
    for (;;) {
        char item[32];
        size_t len = strcspn(c, ",");
        if (len == 0 || len >= sizeof item) /* an empty item ("16,16,") is a typo, whatever --pp is */
            return ps_error_set(err, PS_EINPUT, "--stage-layers: expected comma-separated layer counts, got '%s'",
                                text);
        if (n == pp)
            return ps_error_set(err, PS_EINPUT, "--stage-layers: more than --pp %d stages given", pp);
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

static int build_model(const ps_workload_args *a, const ps_workload_hooks *hooks, ps_model *model, ps_error *err)
{
    if (!a->model_name == !a->model_file)
        return ps_error_set(err, PS_EINPUT, "--model / --model-file: give exactly one of them");
    if (a->model_name) {
        const ps_model *preset = ps_model_find_preset(a->model_name);
        if (!preset)
            return ps_error_set(err, PS_EINPUT, "--model: unknown model '%s' (see %s --help)", a->model_name,
                                a->command);
        *model = *preset;
        return PS_OK;
    }
    if (!hooks || !hooks->model_file)
        return ps_error_set(err, PS_EINPUT,
                            "--model-file: %s cannot read config.json files (built without cJSON); use --model NAME",
                            a->command);
    if (hooks->model_file(a->model_file, model, err))
        return ps_error_prefix(err, "--model-file");
    return PS_OK;
}

/* --platform: the platform decides the GPU model, its memory and how many GPUs exist; --gpu and
 * --gpus may only repeat what it says. *gpus is the count the plan is checked against. */
static int build_platform_gpu(const ps_workload_args *a, const ps_workload_hooks *hooks, ps_workload_gpu *gpu,
                              int *gpus, ps_error *err)
{
    if (!hooks || !hooks->platform)
        return ps_error_set(err, PS_EINPUT,
                            "--platform: %s has no platform support (built without SimGrid); use --gpu and --gpus",
                            a->command);
    ps_workload_gpu loaded;
    memset(&loaded, 0, sizeof loaded);
    if (hooks->platform(a->platform, &loaded, err))
        return ps_error_prefix(err, "--platform");
    const char *path = loaded.platform_path;
    if (a->gpu_set && strcmp(a->gpu_name, loaded.spec.name))
        return ps_error_set(err, PS_EINPUT, "--gpu %s contradicts --platform %s, whose GPUs are %s", a->gpu_name,
                            path, loaded.spec.name);
    if (a->gpus_set && a->gpus != loaded.gpus_available)
        return ps_error_set(err, PS_EINPUT, "--gpus %d contradicts --platform %s, which has %d GPUs", a->gpus, path,
                            loaded.gpus_available);
    int needed = a->tp * a->pp * a->dp;
    if (needed > loaded.gpus_available)
        return ps_error_set(err, PS_EINPUT, "%s: the plan needs %d GPUs, the platform has %d", path, needed,
                            loaded.gpus_available);
    *gpu = loaded;
    *gpus = loaded.gpus_available;
    return PS_OK;
}

static int build_gpu(const ps_workload_args *a, const ps_workload_hooks *hooks, ps_workload_gpu *gpu, int *gpus,
                     ps_error *err)
{
    *gpus = a->gpus;
    if (a->platform)
        return build_platform_gpu(a, hooks, gpu, gpus, err);
    const ps_gpu_spec *spec = ps_gpu_find(a->gpu_name);
    if (!spec)
        return ps_error_set(err, PS_EINPUT, "--gpu: unknown GPU '%s' (see %s --help)", a->gpu_name, a->command);
    memset(gpu, 0, sizeof *gpu);
    gpu->spec = *spec;
    return PS_OK;
}

int ps_workload_build(const ps_workload_args *a, const ps_workload_hooks *hooks, ps_workload *w, ps_error *err)
{
    memset(w, 0, sizeof *w);
    w->scenario = a->scenario;
    w->mem_fraction = a->mem_fraction;
    if (build_model(a, hooks, &w->model, err) || ps_precision_init(&w->precision, a->weights, err))
        return err->code;
    if (a->kv_set)
        w->precision.kv = a->kv;
    int gpus = 0;
    if (build_gpu(a, hooks, &w->gpu, &gpus, err))
        return err->code;
    int stages[PS_PLAN_MAX_PP];
    if (a->stage_layers && parse_stage_layers(a->stage_layers, a->pp, stages, err))
        return err->code;
    if (ps_plan_init(&w->plan, &w->model, a->tp, a->pp, a->dp, a->microbatches, a->stage_layers ? stages : NULL,
                     gpus, err))
        return err->code;
    return ps_scenario_validate(&w->scenario, &w->model, err);
}

/* ---- help ---- */

static void print_option_line(FILE *out, const char *usage, const char *help)
{
    const char *line = help;
    for (;;) {
        size_t len = strcspn(line, "\n");
        fprintf(out, "  %-21s %.*s\n", usage, (int)len, line);
        if (!line[len])
            break;
        line += len + 1;
        usage = "";
    }
}

/* The help of the options whose value list or default comes from a table or a constant. */
static void generated_help(workload_option_id id, char *buf, size_t size)
{
    switch (id) {
    case OPT_MODEL:
        snprintf(buf, size, "preset:");
        for (int i = 0; i < ps_model_preset_count(); i++)
            snprintf(buf + strlen(buf), size - strlen(buf), " %s", ps_model_preset_at(i)->name);
        break;
    case OPT_GPU:
        buf[0] = '\0';
        for (int i = 0; i < ps_gpu_catalog_count(); i++)
            snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? " " : "", ps_gpu_catalog_at(i)->name);
        snprintf(buf + strlen(buf), size - strlen(buf), " (default %s)", DEFAULT_GPU);
        break;
    case OPT_PREFILL_TOKENS:
        snprintf(buf, size, "prompt tokens per prefill microbatch (default %d)", PS_DEFAULT_PREFILL_TOKENS);
        break;
    case OPT_MEM_FRACTION:
        snprintf(buf, size, "share of GPU memory usable, in (0, 1] (default %.2f)", PS_DEFAULT_MEM_FRACTION);
        break;
    default:
        buf[0] = '\0';
    }
}

static bool listed(const char *const *names, const char *name)
{
    for (; names && *names; names++)
        if (!strcmp(*names, name))
            return true;
    return false;
}

void ps_workload_usage(FILE *out) { ps_workload_usage_except(out, NULL); }

void ps_workload_usage_except(FILE *out, const char *const *except)
{
    for (int i = 0; i < OPT_COUNT; i++) {
        const workload_option *o = &workload_options[i];
        if (o->section)
            fprintf(out, "%s:\n", o->section);
        if (!o->usage || listed(except, o->name))
            continue;
        char generated[512];
        generated_help((workload_option_id)i, generated, sizeof generated);
        print_option_line(out, o->usage, o->help ? o->help : generated);
    }
}

/* ---- platform GPU ---- */

int ps_workload_gpu_from_properties(const char *gpu_model, double hbm_bytes, double hbm_bandwidth_bytes_per_s,
                                    double peak_flops_bf16, double peak_flops_fp8, int sm_count,
                                    ps_gpu_spec *out, ps_error *err)
{
    const ps_gpu_spec *spec = ps_gpu_find(gpu_model);
    if (!spec)
        return ps_error_set(err, PS_EINPUT, "GPU model '%s' is not in the catalogue", gpu_model ? gpu_model : "(none)");
    *out = *spec;
    if (hbm_bytes > 0)
        out->hbm_bytes = hbm_bytes;
    if (hbm_bandwidth_bytes_per_s > 0)
        out->hbm_bandwidth_bytes_per_s = hbm_bandwidth_bytes_per_s;
    if (peak_flops_bf16 > 0)
        out->peak_flops_bf16 = peak_flops_bf16;
    if (peak_flops_fp8 > 0)
        out->peak_flops_fp8 = peak_flops_fp8;
    if (sm_count > 0)
        out->sm_count = sm_count;
    return PS_OK;
}

/* ---- trace metadata <-> workload ---- */

bool ps_workload_trace_meta_complete(const ps_trace_meta *m)
{
    return ps_model_find_preset(m->model) && m->tp > 0 && m->batch > 0 && m->isl > 0 && m->osl > 0;
}

static int meta_dtype(const char *name, ps_dtype *out, ps_error *err)
{
    if (!name[0]) {
        *out = PS_DTYPE_BF16;
        return PS_OK;
    }
    /* A known dtype that weights cannot have (fp32) is left to ps_precision_init's rule. */
    if (!ps_dtype_parse(name, out))
        return ps_error_set(err, PS_EINPUT, "dtype '%s' is not one of bf16 fp16 fp8", name);
    return PS_OK;
}

int ps_workload_from_trace_meta(const ps_trace_meta *m, ps_workload *w, ps_error *err)
{
    memset(w, 0, sizeof *w);
    if (!ps_workload_trace_meta_complete(m))
        return ps_error_set(err, PS_EINPUT,
                            "no workload: needs a model preset (got '%s'), tp, batch, isl and osl", m->model);
    w->model = *ps_model_find_preset(m->model);
    ps_dtype weights;
    if (meta_dtype(m->dtype, &weights, err))
        return err->code;
    ps_error why = {0};
    int pp = m->pp ? m->pp : 1, dp = m->dp ? m->dp : 1;
    if (ps_plan_init(&w->plan, &w->model, m->tp, pp, dp, 0, NULL, 0, &why) ||
        ps_precision_init(&w->precision, weights, &why))
        return ps_error_set(err, PS_EINPUT, "plan tp %d pp %d dp %d does not fit model %s: %s", m->tp, m->pp, m->dp,
                            m->model, why.message);
    w->scenario = (ps_scenario){.batch = m->batch, .isl = m->isl, .osl = m->osl,
                                .prefill_tokens = PS_DEFAULT_PREFILL_TOKENS};
    if (ps_scenario_validate(&w->scenario, &w->model, &why))
        return ps_error_set(err, PS_EINPUT, "scenario batch %d isl %d osl %d: %s", m->batch, m->isl, m->osl,
                            why.message);
    w->mem_fraction = PS_DEFAULT_MEM_FRACTION;
    const ps_gpu_spec *spec = ps_gpu_find(m->gpu_name);
    if (spec)
        w->gpu.spec = *spec;
    else
        w->gpu.spec.name = "";
    return PS_OK;
}

int ps_workload_to_trace_meta(const ps_workload *w, ps_trace_meta *m, ps_error *err)
{
    if (strlen(w->model.name) > PS_TRACE_MAX_TEXT_BYTES)
        return ps_error_set(err, PS_EINPUT, "model name '%s' is longer than %d bytes", w->model.name,
                            PS_TRACE_MAX_TEXT_BYTES);
    const ps_scenario *sc = &w->scenario;
    if (sc->batch < 1 || sc->batch > INT_MAX || sc->isl > INT_MAX || sc->osl > INT_MAX)
        return ps_error_set(err, PS_EINPUT, "scenario batch %lld isl %lld osl %lld does not fit a trace's metadata",
                            (long long)sc->batch, (long long)sc->isl, (long long)sc->osl);
    snprintf(m->model, sizeof m->model, "%s", w->model.name);
    snprintf(m->dtype, sizeof m->dtype, "%s", ps_dtype_name(w->precision.weights));
    m->tp = w->plan.tp;
    m->pp = w->plan.pp;
    m->dp = w->plan.dp;
    m->batch = (int)sc->batch;
    m->isl = (int)sc->isl;
    m->osl = (int)sc->osl;
    return PS_OK;
}
