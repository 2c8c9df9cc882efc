/* parsim calibrate: fits the collective model's free parameters (per-hop latency, protocol
 * efficiencies, pipeline fill, group-size scale, harness launch cost) to measured nccl-tests
 * curves and writes a sidecar that `--platform` picks up (docs/nccl.md).
 *
 * `parsim calibrate --ops ...` is the op cost model's fit (cmd_calibrate_ops.c): cmd_calibrate
 * hands the whole command line to it when --ops is there. The NCCL fit is parse_args (the
 * option table, from which --help comes) -> load_curves -> check_inputs -> fit_and_write.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "parsim/options.h"
#include "parsim/coll.h"
#include "parsim/platform.h"
#include "parsim/util.h"

#define MAX_CURVES 64
#define MAX_ANCHORS 16

static int parse_algo_word(const char *w, ps_coll_algo *a)
{
    if (!strcmp(w, "auto") || !strcmp(w, "default")) {
        *a = PS_ALGO_AUTO;
        return 0;
    }
    /* the engines' own kernels are not NCCL's: nothing of theirs is fitted */
    return ps_coll_algo_parse(w, a) || ps_coll_algo_is_engine(*a);
}

/* OP:GPUS:ALGO:G=PATH */
static int parse_curve_spec(const char *spec, ps_nccl_curve *c, ps_error *err)
{
    const char *eq = strchr(spec, '=');
    char head[128];
    if (!eq || (size_t)(eq - spec) >= sizeof head)
        return ps_error_set(err, PS_EINPUT, "--curve '%s': expected OP:GPUS:ALGO:G=CSV", spec);
    memcpy(head, spec, (size_t)(eq - spec));
    head[eq - spec] = '\0';
    char *f[4];
    int nf = 0;
    char *save = NULL;
    /* every field counted: 'all_reduce:8:ring:8:5=x.csv' stopped reading at 4 and took it */
    for (char *t = strtok_r(head, ":", &save); t; t = strtok_r(NULL, ":", &save), nf++)
        if (nf < 4)
            f[nf] = t;
    ps_coll_op op;
    ps_coll_algo algo;
    int gpus, g;
    if (nf != 4 || ps_coll_op_parse(f[0], &op) || parse_algo_word(f[2], &algo) ||
        ps_parse_int(f[1], "GPUS", 1, 1024, &gpus, NULL) || ps_parse_int(f[3], "G", 1, 1024, &g, NULL))
        return ps_error_set(err, PS_EINPUT, "--curve '%s': expected OP:GPUS:ALGO:G=CSV (e.g. "
                            "all_reduce:8:ring:8=file.csv)", spec);
    if (gpus % g) /* nccl-tests runs processes x threads x -g GPUs */
        return ps_error_set(err, PS_EINPUT, "--curve '%s': %d GPUs are not a multiple of G = %d", spec, gpus, g);
    if (!eq[1]) /* read as the file '' ("parsim calibrate: : cannot open") */
        return ps_error_set(err, PS_EINPUT, "--curve '%s': no CSV file after '='", spec);
    int rc = ps_nccl_curve_read(eq + 1, c, err);
    if (rc)
        return rc;
    c->op = op;
    c->has_op = true;
    c->gpus = gpus;
    c->algo = algo;
    c->gpus_per_thread = g;
    return PS_OK;
}

static int parse_peak(const char *spec, ps_nccl_anchor *a, ps_error *err)
{
    char buf[128];
    if (strlen(spec) >= sizeof buf)
        return ps_error_set(err, PS_EINPUT, "--peak: too long");
    strcpy(buf, spec);
    char *f[5];
    int nf = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ":", &save); t; t = strtok_r(NULL, ":", &save), nf++)
        if (nf < 5)
            f[nf] = t;
    uint64_t size;
    if (nf != 5 || ps_coll_op_parse(f[0], &a->op) || parse_algo_word(f[2], &a->algo) ||
        ps_parse_int(f[1], "GPUS", 2, 1024, &a->gpus, NULL) ||
        ps_parse_size_bytes(f[3], "SIZE", &size, NULL) ||
        ps_parse_double(f[4], "BUSBW", &a->busbw_gbps, NULL) || !(a->busbw_gbps > 0))
        return ps_error_set(err, PS_EINPUT, "--peak '%s': expected OP:GPUS:ALGO:SIZE:BUSBW "
                            "(e.g. all_reduce:8:auto:8G:480)", spec);
    /* The bound of -b/-e and of a log's rows (PS_NCCL_MAX_SIZE_BYTES: no GPU holds more). */
    if (size > PS_NCCL_MAX_SIZE_BYTES)
        return ps_error_set(err, PS_EINPUT, "--peak '%s': SIZE %s is larger than 1 TiB (no GPU holds that buffer)",
                            spec, f[3]);
    a->size_bytes = (double)size;
    return PS_OK;
}

typedef struct log_pick {
    const char *op; /* --op: only this collective's test of each log */
    int section;    /* --section: only this test of each log; 0 = any */
    int gpus;       /* --gpus: the logs' GPU count; 0 = their Rank lines */
} log_pick;

/* The curves of one --nccl log: the picked test, or every test parsim models (the others are
 * named on stderr). A multi-test log's curves are labelled FILE#N in the sidecar. */
static int add_log(const char *path, const log_pick *pick, ps_nccl_curve *curves,
                   const char **files, char **labels, int *n_curves, ps_error *err)
{
    ps_nccl_log log;
    int rc = ps_nccl_log_read(path, pick->gpus, &log, err);
    if (rc)
        return rc;
    int index = -1;
    if (pick->op || pick->section || log.n_curves == 1)
        rc = ps_nccl_log_select(&log, pick->op, pick->section, &index, err);
    for (int i = 0; !rc && i < log.n_curves; i++) {
        ps_nccl_curve *c = &log.curves[i];
        if (index >= 0 && i != index)
            continue;
        const char *why = ps_nccl_curve_unsupported(c);
        if (*why && index >= 0 && !c->op_name[0] && pick->op) {
            why = ""; /* an unnamed single test: --op names it */
            ps_coll_op_parse(pick->op, &c->op);
            c->has_op = true;
        }
        if (*why && index >= 0) {
            rc = ps_error_set(err, PS_EINPUT, "%s: test %d (line %d) is %s%s: %s", path,
                              c->section, c->line, c->op_name[0] ? c->op_name : "unnamed",
                              c->op_name[0] ? "_perf" : "", why);
        } else if (*why) {
            fprintf(stderr, "parsim calibrate: note: %s: test %d (%s, line %d) skipped: %s\n",
                    path, c->section, c->op_name[0] ? c->op_name : "unnamed", c->line, why);
        } else if (*n_curves == MAX_CURVES) {
            rc = ps_error_set(err, PS_EINPUT, "more than %d curves", MAX_CURVES);
        } else {
            ps_nccl_log_take(&log, i, &curves[*n_curves]);
            char label[600];
            snprintf(label, sizeof label, log.n_curves > 1 ? "%s#%d" : "%s", path, c->section);
            if (!(labels[*n_curves] = strdup(label)))
                rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
            files[*n_curves] = labels[*n_curves];
            (*n_curves)++;
        }
    }
    ps_nccl_log_free(&log);
    return rc;
}

typedef struct input_ref {
    const char *arg; /* the --nccl LOG or --curve SPEC argument */
    bool is_log;     /* --nccl */
} input_ref;

typedef struct calibrate_args {
    const char *platform, *output, *start;
    input_ref inputs[MAX_CURVES]; /* --nccl and --curve, in command-line order */
    int n_inputs, n_logfiles;
    ps_nccl_anchor anchors[MAX_ANCHORS];
    int n_anchors;
    log_pick pick;
} calibrate_args;

/* --nccl LOG and --curve SPEC: kept in order (read after the options, once --gpus is known). */
static int add_input(const ps_option *opt, const char *value, ps_error *err)
{
    calibrate_args *a = opt->data;
    if (a->n_inputs == MAX_CURVES)
        return ps_error_set(err, PS_EINPUT, "more than %d curves", MAX_CURVES);
    bool is_log = !strcmp(opt->long_name, "nccl");
    a->inputs[a->n_inputs++] = (input_ref){value, is_log};
    a->n_logfiles += is_log;
    return PS_OK;
}

static int add_peak(const ps_option *opt, const char *value, ps_error *err)
{
    calibrate_args *a = opt->data;
    if (a->n_anchors == MAX_ANCHORS)
        return ps_error_set(err, PS_EINPUT, "more than %d --peak", MAX_ANCHORS);
    return parse_peak(value, &a->anchors[a->n_anchors++], err);
}

static int check_op(const ps_option *opt, const char *value, ps_error *err)
{
    calibrate_args *a = opt->data;
    ps_coll_op op;
    if (ps_coll_op_parse(value, &op) || !ps_coll_op_has_nccl_test(op))
        return ps_error_set(err, PS_EINPUT, "--op: %s '%s'",
                            ps_nccl_tests_unmodelled(value) ? "parsim does not model" : "unknown collective", value);
    a->pick.op = value;
    return PS_OK;
}

static const char *const calibrate_usage[] = {
    "parsim calibrate --platform FILE --nccl LOG... [--curve SPEC=CSV...]",
    "                 [--peak OP:GPUS:ALGO:SIZE:BUSBW...] -o FILE.nccl.json",
    "parsim calibrate --ops FILE... --gpu MODEL -o FILE.cost   (op cost model: --ops --help)",
    NULL,
};
static const ps_command_help calibrate_help = {
    .command = "parsim calibrate",
    .usage = calibrate_usage,
    .description = "Fits the NCCL model of parsim to measured curves (least squares on log time,\n"
                   "deterministic) and writes the parameters. `parsim nccl --platform P.xml` reads\n"
                   "P.nccl.json when it exists.",
    .help_column = 22,
};

static const char *algo_name_at(int i) { return ps_coll_algo_name((ps_coll_algo)i); }

/* Returns PS_OK to go on, PS_OPTIONS_HELP after --help, else the error code. */
static int parse_args(int argc, char **argv, calibrate_args *a, ps_error *err)
{
    *a = (calibrate_args){0};
    char ops[256], algos[256], curve_help[1024], op_help[512];
    ps_coll_op_list(ops, sizeof ops, true);
    ps_options_join(algos, sizeof algos, algo_name_at, PS_ALGO_COUNT, NULL); /* sim/coll's algorithm table */
    snprintf(curve_help, sizeof curve_help,
             "a CSV size_bytes,time_us,algbw_GBps,busbw_GBps measured with\n"
             "OP on GPUS GPUs, ALGO = auto or a forced algorithm (ring for\n"
             "NCCL_ALGO=Ring), G = nccl-tests -g; repeatable; ALGO is one of\nauto, %s", algos);
    snprintf(op_help, sizeof op_help, "per --nccl log: only its OP test, one of\n%s", ops);
    const ps_option opts[] = {
        PS_OPT_STRING(0, "platform", &a->platform, "FILE", "the platform the curves were measured on (required)"),
        PS_OPT_GROUP("measurements"),
        PS_OPT_CALLBACK(0, "nccl", "LOG",
                        "an nccl-tests stdout log (collective and rank count from its\n"
                        "header; -g from its 'nGpus' line); repeatable. Every test of\n"
                        "a multi-test log is a curve (tests parsim does not model are\n"
                        "skipped, said on stderr) unless --op or --section picks one",
                        add_input, a, PS_OPT_REPEATABLE),
        PS_OPT_CALLBACK(0, "op", "OP", op_help, check_op, a, 0),
        PS_OPT_INT(0, "section", &a->pick.section, "N", 1, 100000, "per --nccl log: only its N-th test (1-based)"),
        PS_OPT_INT(0, "gpus", &a->pick.gpus, "N", 1, 1024, "the GPU count of the --nccl logs (instead of their Rank lines)"),
        PS_OPT_CALLBACK(0, "curve", "OP:GPUS:ALGO:G=CSV", curve_help, add_input, a, PS_OPT_REPEATABLE),
        PS_OPT_CALLBACK(0, "peak", "OP:GPUS:ALGO:SIZE:BUSBW",
                        "a published busbw (GB/s) at one size (at most 1T), as an extra\npoint; repeatable",
                        add_peak, a, PS_OPT_REPEATABLE),
        PS_OPT_GROUP("fit"),
        PS_OPT_STRING(0, "start", &a->start, "FILE", "start from these parameters (default: NCCL's constants)"),
        PS_OPT_STRING('o', "output", &a->output, "FILE", "where to write (atomically)"),
        PS_OPT_END(),
    };
    return ps_options_parse(&calibrate_help, opts, argc, argv, NULL, NULL, err);
}

typedef struct curve_set {
    ps_nccl_curve *curves; /* MAX_CURVES */
    const char *files[MAX_CURVES];
    char *labels[MAX_CURVES];
    int n_curves;
} curve_set;

static void curve_set_free(curve_set *cs)
{
    for (int i = 0; cs->curves && i < cs->n_curves; i++) {
        ps_nccl_curve_free(&cs->curves[i]);
        free(cs->labels[i]);
    }
    free(cs->curves);
}

/* Reads every --nccl log and --curve CSV, in command-line order. */
static int load_curves(const calibrate_args *a, curve_set *cs, ps_error *err)
{
    if (!(cs->curves = calloc(MAX_CURVES, sizeof *cs->curves)))
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    int rc = PS_OK;
    /* One file twice (--nccl a.log --nccl a.log, or as two --curve specs) was fitted twice: its
     * points weighed double against the other curves'. */
    for (int i = 0; i < a->n_inputs; i++)
        for (int j = 0; j < i; j++) {
            const char *pi = a->inputs[i].arg, *pj = a->inputs[j].arg, *e;
            if (!a->inputs[i].is_log && (e = strchr(pi, '=')))
                pi = e + 1;
            if (!a->inputs[j].is_log && (e = strchr(pj, '=')))
                pj = e + 1;
            if (ps_same_file(pi, pj))
                return ps_error_set(err, PS_EINPUT, "%s is given twice (--nccl / --curve): its points would weigh "
                                    "double in the fit", pi);
        }
    for (int i = 0; !rc && i < a->n_inputs; i++) {
        if (a->inputs[i].is_log) {
            rc = add_log(a->inputs[i].arg, &a->pick, cs->curves, cs->files, cs->labels, &cs->n_curves, err);
        } else if (cs->n_curves == MAX_CURVES) {
            rc = ps_error_set(err, PS_EINPUT, "more than %d curves", MAX_CURVES);
        } else if (!(rc = parse_curve_spec(a->inputs[i].arg, &cs->curves[cs->n_curves], err))) {
            cs->files[cs->n_curves] = cs->curves[cs->n_curves].path;
            cs->n_curves++;
        }
    }
    return rc;
}

/* The rules between flags and inputs: selectors need logs, the required three, -o not an input. */
static int check_inputs(const calibrate_args *a, const curve_set *cs, ps_error *err)
{
    if ((a->pick.op || a->pick.section || a->pick.gpus) && a->n_logfiles == 0)
        return ps_error_set(err, PS_EINPUT, "--op, --section and --gpus apply to --nccl logs; give one");
    if (!a->platform || !a->output || cs->n_curves == 0)
        return ps_error_set(err, PS_EINPUT, "--platform, -o and at least one --nccl/--curve are required");
    /* -o equal to an input would replace the measurements (or the platform) by the fit. */
    for (int i = 0; i < cs->n_curves + 2; i++) {
        const char *in = i < cs->n_curves ? cs->curves[i].path : i == cs->n_curves ? a->platform : a->start;
        if (ps_same_file(a->output, in))
            return ps_error_set(err, PS_EINPUT, "-o %s is the input %s; write the parameters elsewhere", a->output,
                                in);
    }
    return PS_OK;
}

/* Fits and writes the sidecar, which records the command line (how to reproduce it). */
static int fit_and_write(const calibrate_args *a, const curve_set *cs, int argc, char **argv, ps_error *err)
{
    ps_coll_params params;
    ps_coll_params_default(&params);
    ps_platform *pf = NULL;
    ps_coll_ctx *ctx = NULL;
    double rms = 0;
    int rc = a->start ? ps_coll_params_load(a->start, &params, err) : PS_OK;
    if (!rc)
        rc = ps_platform_load(a->platform, &pf, err);
    if (!rc)
        rc = ps_coll_ctx_create(pf, &params, &ctx, err);
    if (!rc)
        rc = ps_nccl_calibrate(ctx, cs->curves, cs->n_curves, a->anchors, a->n_anchors, &params, &rms, err);
    if (!rc) {
        ps_strbuf cmd = {0};
        ps_strbuf_appendf(&cmd, "parsim");
        for (int i = 0; i < argc; i++)
            ps_strbuf_appendf(&cmd, " %s", argv[i]);
        rc = ps_coll_params_write(a->output, &params, cmd.data, cs->files, cs->n_curves, rms, err);
        ps_strbuf_free(&cmd);
    }
    if (!rc)
        fprintf(stderr, "parsim calibrate: %d curves, rms log error %.3f, wrote %s\n", cs->n_curves, rms, a->output);
    ps_coll_ctx_free(ctx);
    ps_platform_free(pf);
    return rc;
}

/* The NCCL fit: error code + ps_error (PS_OPTIONS_HELP after --help). */
static int calibrate_nccl(int argc, char **argv, ps_error *err)
{
    calibrate_args a;
    curve_set cs = {0};
    int rc = parse_args(argc, argv, &a, err);
    if (!rc)
        rc = load_curves(&a, &cs, err);
    if (!rc)
        rc = check_inputs(&a, &cs, err);
    if (!rc)
        rc = fit_and_write(&a, &cs, argc, argv, err);
    curve_set_free(&cs);
    return rc;
}

static bool wants_ops(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--ops") || !strncmp(argv[i], "--ops=", 6))
            return true;
    return false;
}

int cmd_calibrate(int argc, char **argv, ps_error *err)
{
    if (wants_ops(argc, argv)) /* the op cost fit has its own options */
        return cmd_calibrate_ops(argc, argv, err);
    int rc = calibrate_nccl(argc, argv, err);
    return rc == PS_OPTIONS_HELP ? PS_OK : rc;
}
