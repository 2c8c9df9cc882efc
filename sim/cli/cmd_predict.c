/* parsim predict: time per step, latency and throughput of a plan on a platform, from a replay
 * of the op graph on SimGrid (sim/replay/, docs/predict.md).
 *
 * Workload flags are the shared ones (parsim/workload.h), serving flags those of serving_options.c
 * (shared with sweep); options and --help come from one table (options.h).
 * Exit 0 with a prediction (also when the plan does not fit: fits false and the shortfall),
 * 2 with one line for bad input, 1 for an internal failure.
 */
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "parsim/options.h"
#include "parsim/memory.h"
#include "parsim/platform.h"
#include "parsim/replay.h"
#include "parsim/trace.h"
#include "parsim/util.h"
#include "serving_options.h"

typedef struct predict_args {
    ps_workload_args workload;
    ps_cli_serving serving;
    const char *timeline;
    const char *traces[PS_PREDICT_MAX_TRACES];
    int ntraces;
    int explain, json;
} predict_args;

static const char *const predict_usage[] = {
    "parsim predict (--model NAME | --model-file config.json) --platform FILE|PRESET [options]", NULL};
static const ps_command_help predict_help = {
    .command = "parsim predict",
    .usage = predict_usage,
    .description = "Replays the op graph of every iteration on the SimGrid platform (compute from the cost\n"
                   "model, TP collectives and PP hand-offs through the NCCL model) and reports TTFT, TPOT,\n"
                   "end-to-end latency, output tokens/s and where an iteration's time goes.",
};

static int add_trace(const ps_option *opt, const char *value, ps_error *err)
{
    predict_args *a = opt->data;
    if (a->ntraces == PS_PREDICT_MAX_TRACES)
        return ps_error_set(err, PS_EINPUT, "--trace: at most %d trace directories", PS_PREDICT_MAX_TRACES);
    if (strlen(value) >= PS_WORKLOAD_PATH_BYTES)
        return ps_error_set(err, PS_EINPUT, "--trace: path too long");
    a->traces[a->ntraces++] = value;
    return PS_OK;
}

/* Returns PS_OK to go on, PS_OPTIONS_HELP after --help, else the error code. */
static int parse_args(int argc, char **argv, predict_args *a, ps_error *err)
{
    *a = (predict_args){0};
    ps_workload_args_init(&a->workload, "parsim predict");
    ps_cli_serving_init(&a->serving);
    const ps_option opts[] = {
        PS_OPT_WORKLOAD(&a->workload),
        PS_CLI_SERVING_OPTIONS(&a->serving),
        PS_CLI_ARRIVAL_OPTIONS(&a->serving),
        PS_OPT_GROUP("costs"),
        PS_OPT_CALLBACK(0, "trace", "DIR", "a parsim trace directory (repeatable): ops it measured take the\n"
                        "measured time, other shapes of its op kinds are interpolated\n"
                        "from it, the rest comes from the calibrated model", add_trace, a, PS_OPT_REPEATABLE),
        PS_OPT_GROUP("output"),
        PS_OPT_STRING(0, "timeline", &a->timeline, "FILE.json",
                      "Chrome trace of the replay (Perfetto): one process per GPU, a track\n"
                      "per stream and per PP link; kernels tagged with their cost source\n"
                      "(in-flight: the first 2 million ops)"),
        PS_OPT_FLAG(0, "explain", &a->explain, "after the table, the decode step in words: what bounds it, what the\n"
                    "all-reduces and the pipeline cost, and every other tp x pp of the same\n"
                    "GPUs simulated with the same settings: why this plan wins or loses"),
        PS_OPT_FLAG(0, "json", &a->json, "one JSON object (keys in docs/predict.md)"),
        PS_OPT_END(),
    };
    int rc = ps_options_parse(&predict_help, opts, argc, argv, NULL, NULL, err);
    if (rc)
        return rc;
    if (ps_cli_serving_check(&a->serving, &a->workload, err))
        return err->code;
    if (!a->workload.platform)
        return ps_error_set(err, PS_EINPUT, "--platform: a platform is needed (a file or a preset; see parsim platform --list)");
    /* --json printed the object alone: the explanation was dropped after simulating every plan */
    if (a->explain && a->json)
        return ps_error_set(err, PS_EINPUT, "--explain is text after the table; it does not go with --json");
    return PS_OK;
}

/* The platform hook of this command: like ps_platform_workload_gpu, but the loaded platform is
 * kept for the replay (SimGrid holds one platform per process, so it cannot be loaded twice). */
static ps_platform *loaded_platform;

static int keep_platform(const char *path, ps_workload_gpu *gpu, ps_error *err)
{
    if (ps_platform_load(path, &loaded_platform, err))
        return err->code;
    const ps_platform_gpu *g0 = ps_platform_gpu_at(loaded_platform, 0);
    const char *loaded_path = ps_platform_path(loaded_platform);
    if (!g0)
        return ps_error_set(err, PS_EINPUT, "%s: the platform has no GPU", loaded_path);
    if (ps_workload_gpu_from_properties(g0->gpu_model, g0->hbm_bytes, g0->hbm_bandwidth_bytes_per_s,
                                        g0->peak_flops_bf16, g0->peak_flops_fp8, g0->sm_count, &gpu->spec, err))
        return ps_error_prefix(err, "%s", loaded_path);
    gpu->gpus_available = ps_platform_gpu_count(loaded_platform);
    snprintf(gpu->platform_path, sizeof gpu->platform_path, "%s", loaded_path);
    const char *warning = ps_platform_warning(loaded_platform);
    snprintf(gpu->platform_warning, sizeof gpu->platform_warning, "%s", warning ? warning : "");
    return PS_OK;
}

/* The outputs must not replace an input, and the atomic writer renames its temporary file over
 * the path: never over a device. */
static int check_timeline(const predict_args *a, const ps_workload *w, ps_error *err)
{
    if (!a->timeline)
        return PS_OK;
    if (ps_same_file(a->timeline, w->gpu.platform_path) || ps_same_file(a->timeline, a->workload.model_file))
        return ps_error_set(err, PS_EINPUT, "--timeline %s is an input of this command; write it elsewhere", a->timeline);
    /* --trace DIR --timeline DIR/ops.csv replaced the trace the costs come from */
    for (int i = 0; i < a->ntraces; i++)
        if (ps_trace_refuse_own_file(a->traces[i], a->timeline, "--timeline", err))
            return err->code;
    struct stat st;
    if (stat(a->timeline, &st) == 0 && !S_ISREG(st.st_mode))
        return ps_error_set(err, PS_EINPUT, "--timeline %s: not a regular file", a->timeline);
    return PS_OK;
}

static int build_request(const predict_args *a, ps_predict_request *req, ps_error *err)
{
    memset(req, 0, sizeof *req);
    const ps_workload_hooks hooks = {.model_file = ps_model_load_hf_config, .platform = keep_platform};
    int rc = ps_workload_build(&a->workload, &hooks, &req->workload, err);
    if (req->workload.gpu.platform_warning[0])
        fprintf(stderr, "parsim predict: warning: %s\n", req->workload.gpu.platform_warning);
    if (rc || (rc = check_timeline(a, &req->workload, err)))
        return rc;
    req->serving = a->serving.serving;
    req->timeline_path = a->timeline;
    req->ntraces = a->ntraces;
    for (int i = 0; i < a->ntraces; i++)
        snprintf(req->traces[i], sizeof req->traces[i], "%s", a->traces[i]);
    req->platform = loaded_platform;
    snprintf(req->platform_path, sizeof req->platform_path, "%s", req->workload.gpu.platform_path);
    return PS_OK;
}

static int print_prediction(const predict_args *a, const ps_prediction *p, ps_error *err)
{
    if (a->json)
        return ps_prediction_write_json(stdout, p, err);
    if (ps_prediction_write_text(stdout, p, err))
        return err->code;
    return a->explain ? ps_prediction_write_explain(stdout, p, err) : PS_OK;
}

static int run(const predict_args *a, ps_error *err)
{
    static ps_predict_request req; /* large (trace paths): not on the stack */
    if (build_request(a, &req, err))
        return err->code;
    req.compare_plans = a->explain != 0; /* sim/replay/compare.c */
    ps_prediction p;
    if (ps_predict(&req, &p, err))
        return err->code;
    if (p.not_fit_reason[0]) /* the engine would refuse to start: an impossible plan, exit 2 */
        return ps_error_set(err, PS_EINPUT, "%s", p.not_fit_reason);
    if (a->timeline && !p.fits) /* exit 0 (fits: false is an answer), but no silent missing file */
        fprintf(stderr, "parsim predict: --timeline %s not written: the plan does not fit, nothing was replayed\n",
                a->timeline);
    return print_prediction(a, &p, err);
}

int cmd_predict(int argc, char **argv, ps_error *err)
{
    static predict_args a; /* the serving help texts: not on the stack */
    int rc = parse_args(argc, argv, &a, err);
    if (rc == PS_OPTIONS_HELP)
        return PS_OK;
    if (!rc)
        rc = run(&a, err);
    ps_platform_free(loaded_platform);
    loaded_platform = NULL;
    return rc;
}
