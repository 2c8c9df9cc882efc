/* parsim-record's command line: the workload options go through core's one parser
 * (ps_workload_parse_option), so the recorder accepts exactly the spellings `parsim plan` does;
 * the recorder's own options are a small table here. No hooks: --model-file (cJSON) and
 * --platform (SimGrid) are refused by ps_workload_build with the reason, because this program
 * must run on GPU hosts that have only the CUDA stack. */
#include <stdlib.h>
#include <string.h>

#include "parsim/util.h"
#include "record.h"

#define PROG "parsim-record"

typedef enum rec_option_id {
    R_PHASE, R_WARMUP, R_ITERS, R_LAUNCH, R_EMULATE_RANK, R_LAYERS, R_SEED, R_OUT, R_OVERWRITE, R_DRY_RUN,
    R_FABRIC, R_DEVICE, R_HELP, R_COUNT
} rec_option_id;

typedef struct rec_option {
    const char *name;
    bool takes_value;
    const char *usage, *help;
} rec_option;

static const rec_option rec_options[R_COUNT] = {
    [R_PHASE] = {"phase", true, "--phase prefill|decode", "the step recorded (default decode: decode step 0, context isl + 1)"},
    [R_WARMUP] = {"warmup", true, "--warmup N", "steps run before recording, not recorded (default 3)"},
    [R_ITERS] = {"iters", true, "--iters N", "steps recorded (default 5)"},
    [R_LAUNCH] = {"launch", true, "--launch graph|eager", "CUDA-graph replay or eager launches (default: graph for decode, eager for prefill)"},
    [R_EMULATE_RANK] = {"emulate-rank", true, "--emulate-rank R", "run rank R of the plan alone on one GPU (communication sized, not run)"},
    [R_LAYERS] = {"layers", true, "--layers K", "run only the first K layers of each stage (a model too large for the GPUs)"},
    [R_SEED] = {"seed", true, "--seed S", "seed of the on-GPU weight generator (default 1)"},
    [R_OUT] = {"out", true, "-o, --out DIR", "trace directory to write (parsim-trace 2)"},
    [R_OVERWRITE] = {"overwrite", false, "--overwrite", "replace an existing trace at DIR"},
    [R_DRY_RUN] = {"dry-run", false, "--dry-run", "print the ops, shapes and memory of the run; needs no GPU"},
    [R_FABRIC] = {"fabric", true, "--fabric TEXT", "platform preset or fabric of this machine, for the trace metadata"},
    [R_DEVICE] = {"device", true, "--device N", "first CUDA device to use (default 0)"},
    [R_HELP] = {"help", false, "-h, --help", "this help"},
};

const char *ps_rec_launch_mode_name(ps_rec_launch_mode mode) { return mode == PS_REC_GRAPH ? "graph" : "eager"; }

void ps_rec_usage(FILE *out)
{
    fprintf(out, "usage: " PROG " --model NAME [workload options] [recorder options] (-o DIR | --dry-run)\n"
                 "Runs the op graph of one step on the local GPUs (cuBLASLt, own kernels, NCCL) and records\n"
                 "it with CUPTI into a parsim trace (docs/trace-format.md, runtime/README.md).\n\n");
    ps_workload_usage(out);
    fprintf(out, "recorder:\n");
    for (int i = 0; i < R_COUNT; i++)
        fprintf(out, "  %-26s %s\n", rec_options[i].usage, rec_options[i].help);
    fprintf(out, "Exit status: 0 recorded, 2 bad usage or input, or no CUDA device (one line on stderr).\n");
}

static int find_rec_option(const char *name)
{
    for (int i = 0; i < R_COUNT; i++)
        if (!strcmp(rec_options[i].name, name))
            return i;
    return -1;
}

static int parse_rec_value(ps_rec_options *o, rec_option_id id, const char *v, bool *launch_set, ps_error *err)
{
    switch (id) {
    case R_PHASE:
        if (!strcmp(v, "prefill") || !strcmp(v, "decode")) {
            o->phase = !strcmp(v, "prefill") ? PS_PHASE_PREFILL : PS_PHASE_DECODE;
            return PS_OK;
        }
        return ps_error_set(err, PS_EINPUT, "--phase: '%s' is not prefill or decode", v);
    case R_WARMUP: return ps_parse_int(v, "--warmup", 0, PS_REC_MAX_ITERS, &o->warmup, err);
    case R_ITERS: return ps_parse_int(v, "--iters", 1, PS_REC_MAX_ITERS, &o->iters, err);
    case R_LAUNCH:
        *launch_set = true;
        if (!strcmp(v, "graph") || !strcmp(v, "eager")) {
            o->launch = !strcmp(v, "graph") ? PS_REC_GRAPH : PS_REC_EAGER;
            return PS_OK;
        }
        return ps_error_set(err, PS_EINPUT, "--launch: '%s' is not graph or eager", v);
    case R_EMULATE_RANK: return ps_parse_int(v, "--emulate-rank", 0, 65535, &o->emulate_rank, err);
    case R_LAYERS: return ps_parse_int(v, "--layers", 1, 1 << 20, &o->layers, err);
    case R_SEED: return ps_parse_u64(v, "--seed", &o->seed, err);
    case R_OUT: o->out_dir = v; return PS_OK;
    case R_FABRIC:
        if (strlen(v) > PS_TRACE_MAX_TEXT_BYTES || !ps_trace_text_valid(v, PS_TRACE_MAX_TEXT_BYTES, false))
            return ps_error_set(err, PS_EINPUT, "--fabric: at most %d bytes of text", PS_TRACE_MAX_TEXT_BYTES);
        o->fabric = v;
        return PS_OK;
    case R_DEVICE: return ps_parse_int(v, "--device", 0, 1023, &o->device, err);
    case R_OVERWRITE: o->overwrite = true; return PS_OK;
    case R_DRY_RUN: o->dry_run = true; return PS_OK;
    case R_HELP: o->help = true; return PS_OK;
    case R_COUNT: break;
    }
    return ps_error_set(err, PS_EINTERNAL, "recorder option %d has no parser", (int)id);
}

/* Splits "--name=value" / "--name value" / "-o value"; returns the name, sets *value (or NULL). */
static int next_option(int argc, char **argv, int *i, char *name, size_t size, const char **value, bool *inline_value)
{
    const char *a = argv[*i];
    *value = NULL;
    *inline_value = false;
    if (!strcmp(a, "-o") || !strcmp(a, "-h")) {
        snprintf(name, size, "%s", a[1] == 'o' ? "out" : "help");
        return PS_OK;
    }
    if (strncmp(a, "--", 2) || !a[2])
        return PS_EINPUT;
    const char *eq = strchr(a + 2, '=');
    size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
    snprintf(name, size, "%.*s", (int)(n < size ? n : size - 1), a + 2);
    if (eq) {
        *value = eq + 1;
        *inline_value = true;
    }
    return PS_OK;
}

static int take_value(int argc, char **argv, int *i, const char *name, const char **value, bool inline_value,
                      ps_error *err)
{
    if (inline_value)
        return PS_OK;
    if (*i + 1 >= argc)
        return ps_error_set(err, PS_EINPUT, "--%s: needs a value (see " PROG " --help)", name);
    *value = argv[++*i];
    return PS_OK;
}

static int parse_argv(int argc, char **argv, ps_rec_options *o, ps_workload_args *wa, bool *launch_set,
                      ps_error *err)
{
    uint32_t seen = 0;
    for (int i = 1; i < argc; i++) {
        char name[64];
        const char *value;
        bool inline_value;
        if (next_option(argc, argv, &i, name, sizeof name, &value, &inline_value))
            return ps_error_set(err, PS_EINPUT, "'%.60s': unexpected argument (options start with --; see " PROG
                                " --help)", argv[i]);
        bool takes_value = false;
        if (ps_workload_is_option(name, &takes_value)) {
            if (takes_value && take_value(argc, argv, &i, name, &value, inline_value, err))
                return err->code;
            if (ps_workload_parse_option(wa, name, value, err))
                return err->code;
            continue;
        }
        int id = find_rec_option(name);
        if (id < 0)
            return ps_error_set(err, PS_EINPUT, "--%s: unknown option (see " PROG " --help)", name);
        if (seen & (1u << id))
            return ps_error_set(err, PS_EINPUT, "--%s given twice (give each option once)", name);
        seen |= 1u << id;
        if (rec_options[id].takes_value) {
            if (take_value(argc, argv, &i, name, &value, inline_value, err))
                return err->code;
        } else if (inline_value) {
            return ps_error_set(err, PS_EINPUT, "--%s takes no value", name);
        }
        if (parse_rec_value(o, (rec_option_id)id, value, launch_set, err))
            return err->code;
    }
    return PS_OK;
}

/* The rules that only the recorder has (the workload's are ps_workload_build's). */
static int check_recorder_rules(ps_rec_options *o, const ps_workload_args *wa, ps_error *err)
{
    const ps_plan *plan = &o->workload.plan;
    int ranks = ps_plan_gpus(plan);
    if (o->workload.scenario.batch == PS_BATCH_MAX)
        return ps_error_set(err, PS_EINPUT, "--batch: " PROG " needs a number of sequences (max is for parsim plan)");
    if (o->emulate_rank >= ranks)
        return ps_error_set(err, PS_EINPUT, "--emulate-rank: %d is outside the plan (tp %d x pp %d x dp %d = %d ranks)",
                            o->emulate_rank, plan->tp, plan->pp, plan->dp, ranks);
    if (o->emulate_rank < 0 && plan->dp > 1)
        return ps_error_set(err, PS_EINPUT, "--dp: " PROG " runs one replica (dp 1); record a rank of a larger plan "
                            "with --emulate-rank");
    int min_stage = plan->stage_layers[0];
    for (int s = 1; s < plan->pp; s++)
        min_stage = plan->stage_layers[s] < min_stage ? plan->stage_layers[s] : min_stage;
    if (o->emulate_rank >= 0) {
        int replica, stage, tp_rank;
        ps_plan_coords(plan, o->emulate_rank, &replica, &stage, &tp_rank);
        min_stage = plan->stage_layers[stage];
    }
    if (o->layers && o->emulate_rank < 0 && plan->pp > 1)
        return ps_error_set(err, PS_EINPUT, "--layers: with --pp > 1 give --emulate-rank too (a trace names one "
                            "layer range)");
    if (o->layers > min_stage)
        return ps_error_set(err, PS_EINPUT, "--layers: %d is more than the %d layers of a stage", o->layers, min_stage);
    if (!o->dry_run && !o->help && !o->out_dir)
        return ps_error_set(err, PS_EINPUT, "-o/--out: give the trace directory to write (or --dry-run)");
    if (o->workload.model.head_dim % 32 || o->workload.model.head_dim > 128)
        return ps_error_set(err, PS_EINPUT, "--model: head_dim %lld is not supported by the recorder's attention "
                            "kernels (a multiple of 32, at most 128)", (long long)o->workload.model.head_dim);
    (void)wa;
    return PS_OK;
}

int ps_rec_parse_args(int argc, char **argv, ps_rec_options *o, ps_error *err)
{
    memset(o, 0, sizeof *o);
    o->phase = PS_PHASE_DECODE;
    o->warmup = PS_REC_DEFAULT_WARMUP;
    o->iters = PS_REC_DEFAULT_ITERS;
    o->emulate_rank = -1;
    o->seed = 1;
    ps_workload_args wa;
    ps_workload_args_init(&wa, PROG);
    bool launch_set = false;
    if (parse_argv(argc, argv, o, &wa, &launch_set, err))
        return err->code;
    if (o->help)
        return PS_OK;
    if (!launch_set)
        o->launch = o->phase == PS_PHASE_DECODE ? PS_REC_GRAPH : PS_REC_EAGER;
    /* The recorder checks the plan against the GPUs it finds at run time, not a catalogue count. */
    if (!wa.gpus_set)
        wa.gpus = 0;
    if (ps_workload_build(&wa, NULL, &o->workload, err))
        return err->code;
    return check_recorder_rules(o, &wa, err);
}
