/* parsim calibrate: fits the collective model's free parameters (per-hop latency, protocol
 * efficiencies, pipeline fill, group-size scale, harness launch cost) to measured nccl-tests
 * curves and writes a sidecar that `--platform` picks up (docs/nccl.md).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "parsim/coll.h"
#include "parsim/platform.h"
#include "parsim/util.h"

#define MAX_CURVES 64

static void usage(FILE *out)
{
    fprintf(out,
            "usage: parsim calibrate --platform FILE --nccl LOG... [--curve SPEC=CSV...]\n"
            "                        [--peak OP:GPUS:ALGO:SIZE:BUSBW...] -o FILE.nccl.json\n\n"
            "Fits the NCCL model of parsim to measured curves (least squares on log time,\n"
            "deterministic) and writes the parameters. `parsim nccl --platform P.xml` reads\n"
            "P.nccl.json when it exists.\n\n"
            "  --nccl LOG             an nccl-tests stdout log (collective and rank count from its\n"
            "                         header; -g from its 'nGpus' line); repeatable. Every test of\n"
            "                         a multi-test log is a curve (tests parsim does not model are\n"
            "                         skipped, said on stderr) unless --op or --section picks one\n"
            "  --op OP, --section N   per --nccl log: only its OP test, or its N-th test (1-based)\n"
            "  --gpus N               the GPU count of the --nccl logs (instead of their Rank lines)\n"
            "  --curve OP:GPUS:ALGO:G=CSV\n"
            "                         a CSV size_bytes,time_us,algbw_GBps,busbw_GBps measured with\n"
            "                         OP on GPUS GPUs, ALGO = auto or a forced algorithm (ring for\n"
            "                         NCCL_ALGO=Ring), G = nccl-tests -g; repeatable\n"
            "  --peak OP:GPUS:ALGO:SIZE:BUSBW\n"
            "                         a published busbw (GB/s) at one size, as an extra point\n"
            "  --start FILE           start from these parameters (default: NCCL's constants)\n"
            "  -o FILE                where to write (atomically)\n");
}

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
    for (char *t = strtok_r(head, ":", &save); t && nf < 4; t = strtok_r(NULL, ":", &save))
        f[nf++] = t;
    ps_coll_op op;
    ps_coll_algo algo;
    int gpus, g;
    if (nf != 4 || ps_coll_op_parse(f[0], &op) || parse_algo_word(f[2], &algo) ||
        ps_parse_int(f[1], "GPUS", 1, 1024, &gpus, NULL) || ps_parse_int(f[3], "G", 1, 1024, &g, NULL))
        return ps_error_set(err, PS_EINPUT, "--curve '%s': expected OP:GPUS:ALGO:G=CSV (e.g. "
                            "all_reduce:8:ring:8=file.csv)", spec);
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
    for (char *t = strtok_r(buf, ":", &save); t && nf < 5; t = strtok_r(NULL, ":", &save))
        f[nf++] = t;
    uint64_t size;
    if (nf != 5 || ps_coll_op_parse(f[0], &a->op) || parse_algo_word(f[2], &a->algo) ||
        ps_parse_int(f[1], "GPUS", 2, 1024, &a->gpus, NULL) ||
        ps_parse_size_bytes(f[3], "SIZE", &size, NULL) ||
        ps_parse_double(f[4], "BUSBW", &a->busbw_gbps, NULL) || !(a->busbw_gbps > 0))
        return ps_error_set(err, PS_EINPUT, "--peak '%s': expected OP:GPUS:ALGO:SIZE:BUSBW "
                            "(e.g. all_reduce:8:auto:8G:480)", spec);
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

int cmd_calibrate(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) /* the op cost fit has its own options (cmd_calibrate_ops.c) */
        if (!strcmp(argv[i], "--ops") || !strncmp(argv[i], "--ops=", 6))
            return cmd_calibrate_ops(argc, argv);
    enum { O_PLATFORM = 256, O_NCCL, O_CURVE, O_PEAK, O_START, O_OP, O_SECTION, O_GPUS };
    static const struct option longs[] = {
        {"platform", required_argument, 0, O_PLATFORM}, {"nccl", required_argument, 0, O_NCCL},
        {"curve", required_argument, 0, O_CURVE},       {"peak", required_argument, 0, O_PEAK},
        {"start", required_argument, 0, O_START},       {"output", required_argument, 0, 'o'},
        {"op", required_argument, 0, O_OP},             {"section", required_argument, 0, O_SECTION},
        {"gpus", required_argument, 0, O_GPUS},
        {"help", no_argument, 0, 'h'},                  {0, 0, 0, 0}};
    ps_nccl_curve *curves = calloc(MAX_CURVES, sizeof *curves);
    ps_nccl_anchor anchors[16];
    const char *files[MAX_CURVES];
    char *labels[MAX_CURVES] = {0};
    const char *logs[MAX_CURVES];   /* the --nccl and --curve arguments, in command-line order */
    bool is_log[MAX_CURVES];
    int n_curves = 0, n_anchors = 0, n_logs = 0, n_logfiles = 0, rc = 0, c;
    log_pick pick = {NULL, 0, 0};
    const char *platform = NULL, *output = NULL, *start = NULL;
    ps_error err = {0, ""};
    ps_platform *pf = NULL;
    ps_coll_ctx *ctx = NULL;
    if (!curves) {
        fprintf(stderr, "parsim calibrate: out of memory\n");
        return 1;
    }
    optind = 1;
    opterr = 0;
    unsigned char seen[512] = {0};
    char twice[64];
    while (!rc && (c = getopt_long(argc, argv, "o:h", longs, NULL)) != -1) {
        if ((c == O_PLATFORM || c == O_START || c == 'o' || c == O_OP || c == O_SECTION ||
             c == O_GPUS) && ps_cli_repeated(longs, seen, c, twice, sizeof twice)) {
            rc = ps_error_set(&err, PS_EINPUT, "%s given twice (give each option once)", twice);
            break;
        }
        switch (c) {
        case O_PLATFORM: platform = optarg; break;
        case 'o': output = optarg; break;
        case O_START: start = optarg; break;
        case O_NCCL:
        case O_CURVE:
            if (n_logs == MAX_CURVES) {
                rc = ps_error_set(&err, PS_EINPUT, "more than %d curves", MAX_CURVES);
                break;
            }
            is_log[n_logs] = c == O_NCCL;
            n_logfiles += c == O_NCCL;
            logs[n_logs++] = optarg;
            break;
        case O_OP: pick.op = optarg; break;
        case O_SECTION: rc = ps_parse_int(optarg, "--section", 1, 100000, &pick.section, &err); break;
        case O_GPUS: rc = ps_parse_int(optarg, "--gpus", 1, 1024, &pick.gpus, &err); break;

        case O_PEAK:
            if (n_anchors == 16)
                rc = ps_error_set(&err, PS_EINPUT, "more than 16 --peak");
            else
                rc = parse_peak(optarg, &anchors[n_anchors++], &err);
            break;
        case 'h':
            usage(stdout);
            free(curves);
            return 0;
        default:
            rc = ps_error_set(&err, PS_EINPUT, "unknown or incomplete option '%s' (see parsim "
                              "calibrate --help)", argv[optind - 1]);
        }
    }
    if (!rc && optind < argc)
        rc = ps_error_set(&err, PS_EINPUT, "unexpected argument '%s'", argv[optind]);
    if (!rc && pick.op) {
        ps_coll_op op;
        if (ps_coll_op_parse(pick.op, &op) || !ps_coll_op_has_nccl_test(op))
            rc = ps_error_set(&err, PS_EINPUT, "--op: %s '%s'", ps_nccl_tests_unmodelled(pick.op)
                              ? "parsim does not model" : "unknown collective", pick.op);
    }
    for (int i = 0; !rc && i < n_logs; i++) {
        if (is_log[i]) {
            rc = add_log(logs[i], &pick, curves, files, labels, &n_curves, &err);
        } else if (n_curves == MAX_CURVES) {
            rc = ps_error_set(&err, PS_EINPUT, "more than %d curves", MAX_CURVES);
        } else if (!(rc = parse_curve_spec(logs[i], &curves[n_curves], &err))) {
            files[n_curves] = curves[n_curves].path;
            n_curves++;
        }
    }
    if (!rc && (pick.op || pick.section || pick.gpus) && n_logfiles == 0)
        rc = ps_error_set(&err, PS_EINPUT, "--op, --section and --gpus apply to --nccl logs; give "
                          "one");
    if (!rc && (!platform || !output || n_curves == 0))
        rc = ps_error_set(&err, PS_EINPUT, "--platform, -o and at least one --nccl/--curve are "
                          "required");
    /* -o equal to an input would replace the measurements (or the platform) by the fit. */
    for (int i = 0; !rc && i < n_curves + 2; i++) {
        const char *in = i < n_curves ? curves[i].path : i == n_curves ? platform : start;
        if (ps_same_file(output, in))
            rc = ps_error_set(&err, PS_EINPUT, "-o %s is the input %s; write the parameters "
                              "elsewhere", output, in);
    }
    ps_coll_params params;
    ps_coll_params_default(&params);
    if (!rc && start)
        rc = ps_coll_params_load(start, &params, &err);
    if (!rc)
        rc = ps_platform_load(platform, &pf, &err);
    if (!rc)
        rc = ps_coll_ctx_create(pf, &params, &ctx, &err);
    double rms = 0;
    if (!rc)
        rc = ps_nccl_calibrate(ctx, curves, n_curves, anchors, n_anchors, &params, &rms, &err);
    if (!rc) {
        /* The command line, for the sidecar: how to reproduce it. */
        ps_strbuf cmd = {0};
        ps_strbuf_appendf(&cmd, "parsim");
        for (int i = 0; i < argc; i++)
            ps_strbuf_appendf(&cmd, " %s", argv[i]);
        rc = ps_coll_params_write(output, &params, cmd.data, files, n_curves, rms, &err);
        ps_strbuf_free(&cmd);
    }
    if (!rc)
        fprintf(stderr, "parsim calibrate: %d curves, rms log error %.3f, wrote %s\n", n_curves,
                rms, output);
    else
        fprintf(stderr, "parsim calibrate: %s\n", err.message);
    for (int i = 0; i < n_curves; i++) {
        ps_nccl_curve_free(&curves[i]);
        free(labels[i]);
    }
    free(curves);
    ps_coll_ctx_free(ctx);
    ps_platform_free(pf);
    return rc;
}
