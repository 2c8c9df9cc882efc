/* parsim-record's command line: one option table (parsim/options.h, the parser of parsim's
 * subcommands, in core's libc-only part) holding the workload block (ps_workload_parse_option, so
 * the recorder accepts exactly the spellings `parsim plan` does) and the recorder's own options;
 * --help comes from the same table. No hooks: --model-file (cJSON) and
 * --platform (SimGrid) are refused by ps_workload_build with the reason, because this program
 * must run on GPU hosts that have only the CUDA stack. */
#include <stdlib.h>
#include <string.h>

#include "parsim/options.h"
#include "parsim/util.h"
#include "record.h"

#define PROG "parsim-record"

typedef struct rec_state {
    ps_rec_options *o;
    bool launch_set;
    int overwrite, dry_run; /* PS_OPT_FLAG targets */
} rec_state;

const char *ps_rec_launch_mode_name(ps_rec_launch_mode mode) { return mode == PS_REC_GRAPH ? "graph" : "eager"; }

static int parse_phase(const ps_option *opt, const char *v, ps_error *err)
{
    rec_state *st = opt->data;
    if (strcmp(v, "prefill") && strcmp(v, "decode"))
        return ps_error_set(err, PS_EINPUT, "--phase: '%s' is not prefill or decode", v);
    st->o->phase = !strcmp(v, "prefill") ? PS_PHASE_PREFILL : PS_PHASE_DECODE;
    return PS_OK;
}

static int parse_launch(const ps_option *opt, const char *v, ps_error *err)
{
    rec_state *st = opt->data;
    st->launch_set = true;
    if (strcmp(v, "graph") && strcmp(v, "eager"))
        return ps_error_set(err, PS_EINPUT, "--launch: '%s' is not graph or eager", v);
    st->o->launch = !strcmp(v, "graph") ? PS_REC_GRAPH : PS_REC_EAGER;
    return PS_OK;
}

static int parse_seed(const ps_option *opt, const char *v, ps_error *err)
{
    rec_state *st = opt->data;
    return ps_parse_u64(v, "--seed", &st->o->seed, err);
}

static int parse_fabric(const ps_option *opt, const char *v, ps_error *err)
{
    rec_state *st = opt->data;
    if (strlen(v) > PS_TRACE_MAX_TEXT_BYTES || !ps_trace_text_valid(v, PS_TRACE_MAX_TEXT_BYTES, false))
        return ps_error_set(err, PS_EINPUT, "--fabric: at most %d bytes of text", PS_TRACE_MAX_TEXT_BYTES);
    st->o->fabric = v;
    return PS_OK;
}

static const char *const rec_usage_lines[] = {
    PROG " --model NAME [workload options] [recorder options] (-o DIR | --dry-run)", NULL};
static const ps_command_help rec_help = {
    .command = PROG,
    .usage = rec_usage_lines,
    .description = "Runs the op graph of one step on the local GPUs (cuBLASLt, own kernels, NCCL) and records\n"
                   "it with CUPTI into a parsim trace (docs/trace-format.md, runtime/README.md).\n"
                   "Exit status: 0 recorded, 2 bad usage or input, or no CUDA device (one line on stderr).",
};

#define REC_TABLE_SIZE 16

/* The one table of parsim-record's options: the workload block (core's parser, the spellings
 * parsim plan takes) and the recorder's own. Parsing and --help both read it. */
static void rec_table(ps_option table[REC_TABLE_SIZE], ps_workload_args *wa, rec_state *st)
{
    ps_rec_options *o = st->o;
    const ps_option opts[] = {
        PS_OPT_WORKLOAD(wa),
        PS_OPT_GROUP("recorder"),
        PS_OPT_CALLBACK(0, "phase", "prefill|decode", "the step recorded (default decode: decode step 0, context isl + 1)",
                        parse_phase, st, 0),
        PS_OPT_INT(0, "warmup", &o->warmup, "N", 0, PS_REC_MAX_ITERS, "steps run before recording, not recorded (default 3)"),
        PS_OPT_INT(0, "iters", &o->iters, "N", 1, PS_REC_MAX_ITERS, "steps recorded (default 5)"),
        PS_OPT_CALLBACK(0, "launch", "graph|eager",
                        "CUDA-graph replay or eager launches (default: graph for decode, eager for prefill)",
                        parse_launch, st, 0),
        PS_OPT_INT(0, "emulate-rank", &o->emulate_rank, "R", 0, 65535,
                   "run rank R of the plan alone on one GPU (communication sized, not run)"),
        PS_OPT_INT(0, "layers", &o->layers, "K", 1, 1 << 20,
                   "run only the first K layers of each stage (a model too large for the GPUs)"),
        PS_OPT_CALLBACK(0, "seed", "S", "seed of the on-GPU weight generator (default 1)", parse_seed, st, 0),
        PS_OPT_STRING('o', "out", &o->out_dir, "DIR", "trace directory to write (parsim-trace 2)"),
        PS_OPT_FLAG(0, "overwrite", &st->overwrite, "replace an existing trace at DIR"),
        PS_OPT_FLAG(0, "dry-run", &st->dry_run, "print the ops, shapes and memory of the run; needs no GPU"),
        PS_OPT_CALLBACK(0, "fabric", "TEXT", "platform preset or fabric of this machine, for the trace metadata",
                        parse_fabric, st, 0),
        PS_OPT_INT(0, "device", &o->device, "N", 0, 1023, "first CUDA device to use (default 0)"),
        PS_OPT_END(),
    };
    _Static_assert(sizeof opts / sizeof opts[0] <= REC_TABLE_SIZE, "REC_TABLE_SIZE is too small");
    memcpy(table, opts, sizeof opts);
}

void ps_rec_usage(FILE *out)
{
    ps_rec_options o = {0};
    ps_workload_args wa;
    ps_workload_args_init(&wa, PROG);
    rec_state st = {.o = &o};
    ps_option table[REC_TABLE_SIZE];
    rec_table(table, &wa, &st);
    ps_options_usage(out, &rec_help, table);
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
    rec_state st = {.o = o};
    ps_option table[REC_TABLE_SIZE];
    rec_table(table, &wa, &st);
    int rc = ps_options_parse(&rec_help, table, argc, argv, NULL, NULL, err);
    if (rc == PS_OPTIONS_HELP) { /* printed on stdout by ps_options_parse */
        o->help = true;
        return PS_OK;
    }
    if (rc)
        return rc;
    o->overwrite = st.overwrite;
    o->dry_run = st.dry_run;
    if (!st.launch_set)
        o->launch = o->phase == PS_PHASE_DECODE ? PS_REC_GRAPH : PS_REC_EAGER;
    /* The recorder checks the plan against the GPUs it finds at run time, not a catalogue count. */
    if (!wa.gpus_set)
        wa.gpus = 0;
    if (ps_workload_build(&wa, NULL, &o->workload, err))
        return err->code;
    return check_recorder_rules(o, &wa, err);
}
