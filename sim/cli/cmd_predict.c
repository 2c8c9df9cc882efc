/* parsim predict: time per step, latency and throughput of a plan on a platform, from a replay
 * of the op graph on SimGrid (sim/replay/, docs/predict.md).
 *
 * Workload flags are the shared ones (parsim/workload.h); the serving flags are this file's.
 * Exit 0 with a prediction (also when the plan does not fit: fits false and the shortfall),
 * 2 with one line for bad input, 1 for an internal failure.
 */
#include <getopt.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "parsim/memory.h"
#include "parsim/platform.h"
#include "parsim/replay.h"
#include "parsim/util.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: parsim predict (--model NAME | --model-file config.json) --platform FILE|PRESET [options]\n"
                 "\n"
                 "Replays the op graph of every iteration on the SimGrid platform (compute from the cost\n"
                 "model, TP collectives and PP hand-offs through the NCCL model) and reports TTFT, TPOT,\n"
                 "end-to-end latency, output tokens/s and where an iteration's time goes.\n"
                 "\n");
    ps_workload_usage(out);
    fprintf(out, "serving:\n"
                 "  --scheduler S         inflight (default): continuous batching as the engine runs it\n"
                 "                        static: prefill the batch, then OSL-1 decode steps together\n"
                 "  --engine E            trtllm (default) | vllm: the engine's scheduler defaults\n"
                 "                        trtllm: max-batch-size 2048, max-num-tokens 8192, chunked prefill\n"
                 "                        off, KV for prompt+output reserved at admission (GUARANTEED_NO_EVICT);\n"
                 "                        with --batch max, trtllm-bench's tuning heuristic sets both limits\n"
                 "                        vllm: max-num-seqs 1024, max-num-batched-tokens 16384, chunked\n"
                 "                        prefill on, preemption when the KV cache runs out\n"
                 "  --allreduce A         nccl | trtllm | vllm: who runs the TP all-reduces (default: the\n"
                 "                        engine's own kernels: one-shot/two-shot over NVLink up to 8 MiB,\n"
                 "                        NCCL above; nccl: every all-reduce through NCCL's model)\n"
                 "  --max-batch-size N    sequences per microbatch (vllm: max_num_seqs, all microbatches)\n"
                 "  --max-num-tokens N    tokens per iteration (decode tokens + prompt chunks)\n"
                 "  --chunked-prefill on|off\n"
                 "  --requests R          requests in the run (default 1000; --batch N: 4N, at most 1000)\n"
                 "  --rate Q              Poisson arrivals at Q requests/s instead of a closed loop\n"
                 "  --seed S              seed of the arrivals (default 0)\n"
                 "  --launch L            graph | eager: how decode kernels are launched (default graph,\n"
                 "                        as both engines run decode; prefill is always eager)\n"
                 "costs:\n"
                 "  --trace DIR           a parsim trace directory (repeatable): ops it measured take the\n"
                 "                        measured time, other shapes of its op kinds are interpolated\n"
                 "                        from it, the rest comes from the calibrated model\n"
                 "output:\n"
                 "  --timeline FILE.json  Chrome trace of the replay (Perfetto): one process per GPU, a track\n"
                 "                        per stream and per PP link; kernels tagged with their cost source\n"
                 "                        (in-flight: the first 2 million ops)\n"
                 "  --explain             after the table, the decode step in words: what bounds it, what the\n"
                 "                        all-reduces and the pipeline cost\n"
                 "  --json                one JSON object (keys in docs/predict.md)\n"
                 "  -h, --help            this help\n");
}

typedef struct predict_args {
    ps_workload_args workload;
    ps_serving serving;
    const char *timeline;
    const char *traces[PS_PREDICT_MAX_TRACES];
    int ntraces;
    bool explain, allreduce_set;
    bool json, scheduler_set, engine_set, launch_set, mbs_set, mnt_set, chunk_set, req_set, rate_set, seed_set;
} predict_args;

enum { OPT_WORKLOAD = 256, OPT_JSON = 512, OPT_SCHEDULER, OPT_ENGINE, OPT_LAUNCH, OPT_MBS, OPT_MNT, OPT_CHUNK,
       OPT_REQUESTS, OPT_RATE, OPT_SEED, OPT_TIMELINE, OPT_TRACE, OPT_EXPLAIN, OPT_ALLREDUCE, PREDICT_OPTIONS = 15 };

static void fill_long_options(struct option *longs)
{
    int n = ps_workload_option_count();
    for (int i = 0; i < n; i++)
        longs[i] = (struct option){ps_workload_option_name(i), required_argument, NULL, OPT_WORKLOAD + i};
    longs[n++] = (struct option){"json", no_argument, NULL, OPT_JSON};
    longs[n++] = (struct option){"scheduler", required_argument, NULL, OPT_SCHEDULER};
    longs[n++] = (struct option){"engine", required_argument, NULL, OPT_ENGINE};
    longs[n++] = (struct option){"launch", required_argument, NULL, OPT_LAUNCH};
    longs[n++] = (struct option){"max-batch-size", required_argument, NULL, OPT_MBS};
    longs[n++] = (struct option){"max-num-tokens", required_argument, NULL, OPT_MNT};
    longs[n++] = (struct option){"chunked-prefill", required_argument, NULL, OPT_CHUNK};
    longs[n++] = (struct option){"requests", required_argument, NULL, OPT_REQUESTS};
    longs[n++] = (struct option){"rate", required_argument, NULL, OPT_RATE};
    longs[n++] = (struct option){"seed", required_argument, NULL, OPT_SEED};
    longs[n++] = (struct option){"timeline", required_argument, NULL, OPT_TIMELINE};
    longs[n++] = (struct option){"trace", required_argument, NULL, OPT_TRACE};
    longs[n++] = (struct option){"explain", no_argument, NULL, OPT_EXPLAIN};
    longs[n++] = (struct option){"allreduce", required_argument, NULL, OPT_ALLREDUCE};
    longs[n++] = (struct option){"help", no_argument, NULL, 'h'};
    longs[n] = (struct option){NULL, 0, NULL, 0};
}

static int once(bool *set, const char *flag, ps_error *err)
{
    if (*set)
        return ps_error_set(err, PS_EINPUT, "%s given twice (give each option once)", flag);
    *set = true;
    return PS_OK;
}

static int parse_one(predict_args *a, int opt, const char *v, ps_error *err)
{
    switch (opt) {
    case OPT_JSON: a->json = true; return PS_OK;
    case OPT_EXPLAIN: a->explain = true; return PS_OK;
    case OPT_ALLREDUCE:
        if (once(&a->allreduce_set, "--allreduce", err))
            return err->code;
        if (!strcmp(v, "nccl"))
            a->serving.allreduce = PS_ALLREDUCE_NCCL;
        else if (!strcmp(v, "trtllm"))
            a->serving.allreduce = PS_ALLREDUCE_TRTLLM;
        else if (!strcmp(v, "vllm"))
            a->serving.allreduce = PS_ALLREDUCE_VLLM;
        else
            return ps_error_set(err, PS_EINPUT, "--allreduce: '%s' is not one of nccl trtllm vllm", v);
        return PS_OK;
    case OPT_SCHEDULER:
        if (once(&a->scheduler_set, "--scheduler", err))
            return err->code;
        if (!strcmp(v, "static"))
            a->serving.scheduler = PS_SCHED_STATIC;
        else if (!strcmp(v, "inflight"))
            a->serving.scheduler = PS_SCHED_INFLIGHT;
        else
            return ps_error_set(err, PS_EINPUT, "--scheduler: '%s' is not one of static inflight", v);
        return PS_OK;
    case OPT_ENGINE:
        if (once(&a->engine_set, "--engine", err))
            return err->code;
        if (!strcmp(v, "trtllm"))
            a->serving.engine = PS_ENGINE_TRTLLM;
        else if (!strcmp(v, "vllm"))
            a->serving.engine = PS_ENGINE_VLLM;
        else
            return ps_error_set(err, PS_EINPUT, "--engine: '%s' is not one of trtllm vllm", v);
        return PS_OK;
    case OPT_LAUNCH:
        if (once(&a->launch_set, "--launch", err))
            return err->code;
        if (!ps_launch_mode_parse(v, &a->serving.launch))
            return ps_error_set(err, PS_EINPUT, "--launch: '%s' is not one of graph eager", v);
        return PS_OK;
    case OPT_MBS:
    case OPT_MNT:
    case OPT_REQUESTS: {
        bool *set = opt == OPT_MBS ? &a->mbs_set : opt == OPT_MNT ? &a->mnt_set : &a->req_set;
        const char *flag = opt == OPT_MBS ? "--max-batch-size" : opt == OPT_MNT ? "--max-num-tokens" : "--requests";
        int64_t *dst = opt == OPT_MBS ? &a->serving.max_batch_size : opt == OPT_MNT ? &a->serving.max_num_tokens
                                                                                   : &a->serving.requests;
        if (once(set, flag, err))
            return err->code;
        if (ps_parse_i64(v, flag, dst, err))
            return err->code;
        if (*dst < 1 || *dst > 10000000)
            return ps_error_set(err, PS_EINPUT, "%s: expected 1 to 10000000, got '%s'", flag, v);
        return PS_OK;
    }
    case OPT_CHUNK:
        if (once(&a->chunk_set, "--chunked-prefill", err))
            return err->code;
        if (strcmp(v, "on") && strcmp(v, "off"))
            return ps_error_set(err, PS_EINPUT, "--chunked-prefill: '%s' is not one of on off", v);
        a->serving.chunked_prefill = !strcmp(v, "on");
        return PS_OK;
    case OPT_RATE:
        if (once(&a->rate_set, "--rate", err))
            return err->code;
        if (ps_parse_double(v, "--rate", &a->serving.rate_per_s, err))
            return err->code;
        if (!(a->serving.rate_per_s > 0) || a->serving.rate_per_s > 1e9)
            return ps_error_set(err, PS_EINPUT, "--rate: expected requests per second > 0, got '%s'", v);
        return PS_OK;
    case OPT_TRACE:
        if (a->ntraces == PS_PREDICT_MAX_TRACES)
            return ps_error_set(err, PS_EINPUT, "--trace: at most %d trace directories", PS_PREDICT_MAX_TRACES);
        if (strlen(v) >= PS_WORKLOAD_PATH_BYTES)
            return ps_error_set(err, PS_EINPUT, "--trace: path too long");
        a->traces[a->ntraces++] = v;
        return PS_OK;
    case OPT_TIMELINE:
        if (a->timeline)
            return ps_error_set(err, PS_EINPUT, "--timeline given twice (give each option once)");
        a->timeline = v;
        return PS_OK;
    case OPT_SEED:
        if (once(&a->seed_set, "--seed", err))
            return err->code;
        return ps_parse_u64(v, "--seed", &a->serving.seed, err);
    }
    const char *name = ps_workload_option_name(opt - OPT_WORKLOAD);
    if (!name)
        return ps_error_set(err, PS_EINTERNAL, "unhandled option %d", opt);
    return ps_workload_parse_option(&a->workload, name, v, err);
}

/* Returns -1 to continue, else the exit code (0 after --help). */
static int parse_args(int argc, char **argv, predict_args *a, ps_error *err)
{
    *a = (predict_args){0};
    ps_workload_args_init(&a->workload, "parsim predict");
    ps_serving_init(&a->serving);
    struct option longs[64];
    if (ps_workload_option_count() + PREDICT_OPTIONS + 1 > (int)(sizeof longs / sizeof longs[0]))
        return ps_error_set(err, PS_EINTERNAL, "predict: option table too small");
    fill_long_options(longs);
    opterr = 0;
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            return 0;
        }
        if (opt == '?')
            return ps_error_set(err, PS_EINPUT, "%s: unknown option (see parsim predict --help)", argv[optind - 1]);
        if (opt == ':')
            return ps_error_set(err, PS_EINPUT, "%s: needs a value (see parsim predict --help)", argv[optind - 1]);
        if (parse_one(a, opt, optarg, err))
            return err->code;
    }
    if (optind < argc)
        return ps_error_set(err, PS_EINPUT, "'%s': unexpected argument (see parsim predict --help)", argv[optind]);
    if (a->serving.scheduler == PS_SCHED_STATIC && (a->mbs_set || a->mnt_set || a->chunk_set || a->req_set ||
                                                    a->rate_set || a->seed_set))
        return ps_error_set(err, PS_EINPUT, "--max-batch-size, --max-num-tokens, --chunked-prefill, --requests, --rate "
                            "and --seed are in-flight scheduler limits (--scheduler static takes none)");
    if (a->rate_set && a->workload.scenario.batch != PS_BATCH_MAX)
        return ps_error_set(err, PS_EINPUT, "--rate and --batch N both set the load: give one of them");
    if (!a->workload.platform)
        return ps_error_set(err, PS_EINPUT, "--platform: a platform is needed (a file or a preset; see parsim platform --list)");
    return -1;
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

static int run(predict_args *a, ps_error *err)
{
    static ps_predict_request req; /* large (trace paths): not on the stack */
    memset(&req, 0, sizeof req);
    const ps_workload_hooks hooks = {.model_file = ps_model_load_hf_config, .platform = keep_platform};
    int rc = ps_workload_build(&a->workload, &hooks, &req.workload, err);
    if (req.workload.gpu.platform_warning[0])
        fprintf(stderr, "parsim predict: warning: %s\n", req.workload.gpu.platform_warning);
    if (rc)
        return rc;
    req.serving = a->serving;
    if (a->timeline && (ps_same_file(a->timeline, req.workload.gpu.platform_path) ||
                        ps_same_file(a->timeline, a->workload.model_file)))
        return ps_error_set(err, PS_EINPUT, "--timeline %s is an input of this command; write it elsewhere", a->timeline);
    struct stat st;
    if (a->timeline && stat(a->timeline, &st) == 0 && !S_ISREG(st.st_mode))
        /* the atomic writer renames its temporary file over the path: never over a device */
        return ps_error_set(err, PS_EINPUT, "--timeline %s: not a regular file", a->timeline);
    req.timeline_path = a->timeline;
    req.ntraces = a->ntraces;
    for (int i = 0; i < a->ntraces; i++)
        snprintf(req.traces[i], sizeof req.traces[i], "%s", a->traces[i]);
    req.platform = loaded_platform;
    snprintf(req.platform_path, sizeof req.platform_path, "%s", req.workload.gpu.platform_path);
    ps_prediction p;
    if (ps_predict(&req, &p, err))
        return err->code;
    if (a->json)
        return ps_prediction_write_json(stdout, &p, err);
    if (ps_prediction_write_text(stdout, &p, err))
        return err->code;
    return a->explain ? ps_prediction_write_explain(stdout, &p, err) : PS_OK;
}

int cmd_predict(int argc, char **argv)
{
    predict_args a;
    ps_error err = {0, ""};
    int rc = parse_args(argc, argv, &a, &err);
    if (rc == 0)
        return 0;
    if (rc < 0)
        rc = run(&a, &err);
    if (!rc && fflush(stdout))
        rc = ps_error_set(&err, PS_EINTERNAL, "cannot write the prediction to stdout");
    ps_platform_free(loaded_platform);
    loaded_platform = NULL;
    if (rc) {
        fprintf(stderr, "parsim predict: %s\n", err.message);
        return rc == PS_EINPUT ? 2 : 1;
    }
    return 0;
}
