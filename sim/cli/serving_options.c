/* The serving flags of predict and sweep (serving_options.h): one parser, one help. */
#include "serving_options.h"

#include <stdio.h>
#include <string.h>

#include "parsim/util.h"

/* Every value of an enum flag with what it means; the names come from the enum's own name
 * function (replay.h, cost.h), so that help, parser and output cannot spell a value twice. */
typedef struct choice {
    int value;
    const char *meaning; /* help text after "NAME: "; "\n" continues the line */
} choice;

static const choice schedulers[] = {
    {PS_SCHED_STATIC, "prefill the batch, then OSL-1 decode steps together"},
    {PS_SCHED_INFLIGHT, "continuous batching as the engine runs it"},
};
static const choice engines[] = {
    {PS_ENGINE_TRTLLM, "max-batch-size 2048, max-num-tokens 8192,\n"
                       "chunked prefill off, KV for prompt+output reserved at admission\n"
                       "(GUARANTEED_NO_EVICT); with --batch max, trtllm-bench's tuning\n"
                       "heuristic sets both limits"},
    {PS_ENGINE_VLLM, "max-num-seqs 1024, max-num-batched-tokens 16384,\n"
                     "chunked prefill on, preemption when the KV cache runs out"},
};
static const choice allreduces[] = {
    {PS_ALLREDUCE_NCCL, "every all-reduce through NCCL's model"},
    {PS_ALLREDUCE_TRTLLM, "TensorRT-LLM's one-shot (up to 128 tokens) / two-shot\n"
                          "kernels over NVLink up to 8 MiB, NCCL above"},
    {PS_ALLREDUCE_VLLM, "vLLM's custom all-reduce (one-/two-stage) over NVLink\n"
                        "up to 8 MiB, NCCL above"},
};
static const choice launches[] = {
    {PS_LAUNCH_GRAPH, "CUDA graphs, as both engines run decode\n"
                      "(prefill and mixed iterations always run eager)"},
    {PS_LAUNCH_EAGER, "one launch per kernel"},
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *scheduler_name(int v) { return ps_scheduler_name((ps_scheduler)v); }
static const char *engine_name(int v) { return ps_engine_name((ps_engine)v); }
static const char *allreduce_name(int v) { return ps_allreduce_impl_name((ps_allreduce_impl)v); }
static const char *launch_name(int v) { return ps_launch_mode_name((ps_launch_mode)v); }

typedef struct choice_flag {
    const char *flag;
    const choice *choices;
    size_t count;
    const char *(*name)(int value);
} choice_flag;

static const choice_flag scheduler_flag = {"--scheduler", schedulers, COUNT(schedulers), scheduler_name};
static const choice_flag engine_flag = {"--engine", engines, COUNT(engines), engine_name};
static const choice_flag allreduce_flag = {"--allreduce", allreduces, COUNT(allreduces), allreduce_name};
static const choice_flag launch_flag = {"--launch", launches, COUNT(launches), launch_name};

/* "'x' is not one of static inflight": the list in table order. */
static int parse_choice(const choice_flag *f, const char *text, int *out, ps_error *err)
{
    for (size_t i = 0; i < f->count; i++)
        if (!strcmp(text, f->name(f->choices[i].value))) {
            *out = f->choices[i].value;
            return PS_OK;
        }
    char list[256] = "";
    for (size_t i = 0; i < f->count; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? " " : "", f->name(f->choices[i].value));
    return ps_error_set(err, PS_EINPUT, "%s: '%s' is not one of %s", f->flag, text, list);
}

/* "NAME (default): meaning" per value, one per line (continuations indented under the meaning). */
static void choice_help(const choice_flag *f, int default_value, const char *default_text, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < f->count; i++) {
        const char *name = f->name(f->choices[i].value);
        const char *mark = f->choices[i].value == default_value ? " (default)" : "";
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "%s%s%s: ", i ? "\n" : "", name, mark);
        for (const char *c = f->choices[i].meaning; *c && strlen(buf) + 8 < size; c++) {
            len = strlen(buf);
            if (*c == '\n')
                snprintf(buf + len, size - len, "\n  ");
            else
                snprintf(buf + len, size - len, "%c", *c);
        }
    }
    if (default_text) {
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "\n%s", default_text);
    }
}

void ps_cli_serving_init(ps_cli_serving *s)
{
    memset(s, 0, sizeof *s);
    ps_serving_init(&s->serving);
    choice_help(&scheduler_flag, s->serving.scheduler, NULL, s->scheduler_help, sizeof s->scheduler_help);
    choice_help(&engine_flag, s->serving.engine, NULL, s->engine_help, sizeof s->engine_help);
    choice_help(&allreduce_flag, -2, "(default: the --engine's own kernels; docs/predict.md)", s->allreduce_help,
                sizeof s->allreduce_help);
    choice_help(&launch_flag, s->serving.launch, NULL, s->launch_help, sizeof s->launch_help);
}

/* The serving options, by bit in `given`. */
enum { S_SCHEDULER, S_ENGINE, S_ALLREDUCE, S_MAX_BATCH_SIZE, S_MAX_NUM_TOKENS, S_CHUNKED_PREFILL, S_REQUESTS,
       S_LAUNCH, S_RATE, S_SEED, S_COUNT };
static const char *const names[S_COUNT] = {"scheduler", "engine", "allreduce", "max-batch-size", "max-num-tokens",
                                           "chunked-prefill", "requests", "launch", "rate", "seed"};

/* The in-flight limits: 1 to 10^7 (no engine runs more sequences or tokens per iteration). */
#define LIMIT_MAX 10000000

static int parse_limit(const char *flag, const char *text, int64_t *out, ps_error *err)
{
    if (ps_parse_i64(text, flag, out, err))
        return err->code;
    if (*out < 1 || *out > LIMIT_MAX)
        return ps_error_set(err, PS_EINPUT, "%s: expected 1 to %d, got '%s'", flag, LIMIT_MAX, text);
    return PS_OK;
}

/* --rate: requests per second in [1e-3, 1e9] (a billion requests a second is no serving load).
 * The floor keeps the arrival clock exact: the run spans about requests / rate seconds, and at
 * 1e7 requests (the --requests limit) and 1e-3 req/s that is 1e10 s, where a double still
 * resolves 2 us (0.04 % of a 5 ms decode step). At 1e-15 req/s the arrivals lie near 1e17 s,
 * where an iteration no longer moves the clock, and every latency came out 0 (exit 0). */
static int parse_rate(const char *text, double *out, ps_error *err)
{
    if (ps_parse_double(text, "--rate", out, err))
        return err->code;
    if (!(*out >= 1e-3) || *out > 1e9)
        return ps_error_set(err, PS_EINPUT, "--rate: expected requests per second in [0.001, 1e9], got '%s'", text);
    return PS_OK;
}

static int parse_value(ps_serving *v, int which, const char *flag, const char *text, ps_error *err)
{
    int choice_value;
    switch (which) {
    case S_SCHEDULER:
        if (parse_choice(&scheduler_flag, text, &choice_value, err))
            return err->code;
        v->scheduler = (ps_scheduler)choice_value;
        return PS_OK;
    case S_ENGINE:
        if (parse_choice(&engine_flag, text, &choice_value, err))
            return err->code;
        v->engine = (ps_engine)choice_value;
        return PS_OK;
    case S_ALLREDUCE:
        if (parse_choice(&allreduce_flag, text, &choice_value, err))
            return err->code;
        v->allreduce = (ps_allreduce_impl)choice_value;
        return PS_OK;
    case S_LAUNCH:
        if (parse_choice(&launch_flag, text, &choice_value, err))
            return err->code;
        v->launch = (ps_launch_mode)choice_value;
        return PS_OK;
    case S_MAX_BATCH_SIZE: return parse_limit(flag, text, &v->max_batch_size, err);
    case S_MAX_NUM_TOKENS: return parse_limit(flag, text, &v->max_num_tokens, err);
    case S_REQUESTS: return parse_limit(flag, text, &v->requests, err);
    case S_CHUNKED_PREFILL:
        if (strcmp(text, "on") && strcmp(text, "off"))
            return ps_error_set(err, PS_EINPUT, "--chunked-prefill: '%s' is not one of on off", text);
        v->chunked_prefill = !strcmp(text, "on");
        return PS_OK;
    case S_RATE: return parse_rate(text, &v->rate_per_s, err);
    case S_SEED: return ps_parse_u64(text, "--seed", &v->seed, err);
    }
    return ps_error_set(err, PS_EINTERNAL, "%s: not a serving option", flag);
}

int ps_cli_serving_option(const ps_option *opt, const char *value, ps_error *err)
{
    ps_cli_serving *s = opt->data;
    int which = 0;
    while (which < S_COUNT && strcmp(names[which], opt->long_name))
        which++;
    char flag[48];
    snprintf(flag, sizeof flag, "--%s", opt->long_name);
    if (parse_value(&s->serving, which, flag, value, err))
        return err->code;
    s->given |= 1u << which;
    return PS_OK;
}

int ps_cli_serving_check(const ps_cli_serving *s, const ps_workload_args *workload, ps_error *err)
{
    const unsigned inflight_only = 1u << S_MAX_BATCH_SIZE | 1u << S_MAX_NUM_TOKENS | 1u << S_CHUNKED_PREFILL |
                                   1u << S_REQUESTS | 1u << S_RATE | 1u << S_SEED;
    if (s->serving.scheduler == PS_SCHED_STATIC && (s->given & inflight_only))
        return ps_error_set(err, PS_EINPUT, "--max-batch-size, --max-num-tokens, --chunked-prefill, --requests, --rate "
                            "and --seed are in-flight scheduler limits (--scheduler static takes none)");
    if ((s->given & 1u << S_RATE) && workload && workload->scenario.batch != PS_BATCH_MAX)
        return ps_error_set(err, PS_EINPUT, "--rate and --batch N both set the load: give one of them");
    return PS_OK;
}
