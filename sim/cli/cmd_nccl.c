/* parsim nccl: nccl-tests on a simulated platform -- the same table as all_reduce_perf & co, and
 * a measured-vs-simulated comparison for a real nccl-tests log (--compare). See docs/nccl.md.
 *
 * parse_args (the option table: flags and --help) -> check_args (rules between flags) ->
 * run_sweep or run_compare (simulate or predict) -> print_table / print_json / print_compare.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "parsim/options.h"
#include "parsim/array.h"
#include "parsim/coll.h"
#include "parsim/dtype.h"
#include "parsim/platform.h"
#include "parsim/stats.h"
#include "parsim/util.h"

#define MAX_SIZES 4096 /* rows per compared log (Vidur curves have 994) */

typedef struct nccl_args {
    const char *platform;
    const char *calibration;
    const char *compare;
    ps_coll_op op;
    bool op_given;
    int gpus;             /* --gpus; 0 = every GPU of the platform (or the log's count) */
    uint64_t min_bytes, max_bytes;
    int factor;
    ps_dtype dtype;
    bool dtype_given;
    ps_coll_algo algo;
    ps_coll_proto proto;
    int gpus_per_thread;
    int json;
    int predict;
    int section;          /* --section N (1-based); 0 = none */
    int nccl_version;     /* --nccl-version as NCCL_VERSION_CODE; 0 = the platform's */
    const char *size_flag; /* the first of --minbytes, --maxbytes, --stepfactor given; NULL = none */
} nccl_args;

/* parsim's defaults (docs/nccl.md): -b 8 -e 8G -f 2 (31 sizes), bf16, all GPUs, -g 1, the tuner's
 * algorithm and protocol. */
static void nccl_args_init(nccl_args *a)
{
    *a = (nccl_args){
        .op = PS_COLL_ALL_REDUCE,
        .min_bytes = 8,
        .max_bytes = 8ull << 30,
        .factor = 2,
        .dtype = PS_DTYPE_BF16,
        .algo = PS_ALGO_AUTO,
        .proto = PS_PROTO_AUTO,
        .gpus_per_thread = 1,
    };
}

static const char *type_name(const nccl_args *a) { return ps_dtype_nccl_tests_name(a->dtype); }

/* ---- options ---------------------------------------------------------------------------------
 * Every value list below is generated from the table that parses it (sim/coll's collective,
 * algorithm and protocol names, parsim/dtype.h's dtypes), so adding an algorithm or a dtype
 * there needs no edit here. */

static const char *algo_name_at(int i) { return ps_coll_algo_name((ps_coll_algo)i); }
static const char *proto_name_at(int i) { return ps_coll_proto_name((ps_coll_proto)i); }
static const char *dtype_name_at(int i) { return ps_dtype_at(i)->name; }

/* nccl-tests' type name where it differs from parsim's ("bfloat16", "half", "float", ...). */
static const char *nccl_alt_name_at(int i)
{
    const ps_dtype_info *d = ps_dtype_at(i);
    return strcmp(d->nccl_tests_name, d->name) ? d->nccl_tests_name : NULL;
}

static int parse_op(const ps_option *opt, const char *value, ps_error *err)
{
    nccl_args *a = opt->data;
    if (ps_coll_op_parse(value, &a->op) || !ps_coll_op_has_nccl_test(a->op)) {
        char ops[256];
        ps_coll_op_list(ops, sizeof ops, true);
        if (ps_nccl_tests_unmodelled(value))
            return ps_error_set(err, PS_EINPUT, "--op: parsim does not model %s (it models %s)", value, ops);
        return ps_error_set(err, PS_EINPUT, "--op: unknown collective '%s' (%s)", value, ops);
    }
    a->op_given = true;
    return PS_OK;
}

/* Remembers a sweep-size flag: --compare takes its sizes from the log and ignored them. */
static int note_size_flag(const ps_option *seen, const char *value, ps_error *err)
{
    (void)value;
    (void)err;
    nccl_args *a = seen->data;
    static const char *const size_flags[] = {"minbytes", "maxbytes", "stepfactor"};
    for (size_t i = 0; !a->size_flag && seen->long_name && i < sizeof size_flags / sizeof size_flags[0]; i++)
        if (!strcmp(seen->long_name, size_flags[i]))
            a->size_flag = size_flags[i];
    return PS_OK;
}

/* -b / -e: an nccl-tests size, at most PS_NCCL_MAX_SIZE_BYTES (1 TiB: no GPU holds a larger
 * buffer; the bound --compare puts on a log's rows). */
static int parse_size(const ps_option *opt, const char *value, ps_error *err)
{
    char flag[4] = {'-', opt->short_name, '\0'};
    uint64_t *out = opt->data;
    int rc = ps_parse_size_bytes(value, flag, out, err);
    if (rc)
        return rc;
    if (*out > PS_NCCL_MAX_SIZE_BYTES)
        return ps_error_set(err, PS_EINPUT, "%s: %s is larger than 1 TiB (no GPU holds that buffer)", flag, value);
    return PS_OK;
}

static int parse_dtype(const ps_option *opt, const char *value, ps_error *err)
{
    nccl_args *a = opt->data;
    if (!ps_dtype_from_alias(value, &a->dtype)) {
        char names[256];
        ps_options_join(names, sizeof names, dtype_name_at, ps_dtype_count(), NULL);
        return ps_error_set(err, PS_EINPUT, "--dtype: unknown type '%s' (%s)", value, names);
    }
    a->dtype_given = true;
    return PS_OK;
}

static int parse_algo(const ps_option *opt, const char *value, ps_error *err)
{
    if (!ps_coll_algo_parse(value, opt->data))
        return PS_OK;
    char names[256];
    ps_options_join(names, sizeof names, algo_name_at, PS_ALGO_COUNT, NULL);
    return ps_error_set(err, PS_EINPUT, "--algo: unknown algorithm '%s' (%s)", value, names);
}

static int parse_nccl_version(const ps_option *opt, const char *value, ps_error *err)
{
    if (!ps_nccl_version_parse(value, opt->data))
        return PS_OK;
    return ps_error_set(err, PS_EINPUT, "--nccl-version: expected NCCL's MAJOR.MINOR[.PATCH], "
                        "2.17.1 (NVLS's first release) or later, e.g. 2.18.5; got '%.64s'", value);
}

static int parse_proto(const ps_option *opt, const char *value, ps_error *err)
{
    if (!ps_coll_proto_parse(value, opt->data))
        return PS_OK;
    char names[128];
    ps_options_join(names, sizeof names, proto_name_at, PS_PROTO_COUNT, NULL);
    return ps_error_set(err, PS_EINPUT, "--proto: unknown protocol '%s' (%s)", value, names);
}

static const char *const nccl_usage[] = {
    "parsim nccl --platform FILE [--op OP] [--gpus N] [-b MIN] [-e MAX] [-f FACTOR] [-d T]",
    "            [--algo A] [--proto P] [-g GPUS_PER_THREAD] [--calibration FILE] [--nccl-version V]",
    "            [--predict] [--json]",
    "parsim nccl --platform FILE --compare LOG [--op OP | --section N] [--gpus N] ...",
    NULL,
};
static const ps_command_help nccl_help = {
    .command = "parsim nccl",
    .usage = nccl_usage,
    .description =
        "Simulates an nccl-tests sweep on a SimGrid platform and prints the nccl-tests table\n"
        "(out-of-place and in-place halves are the same simulation). Sizes and busbw follow\n"
        "nccl-tests: for all_gather, reduce_scatter and alltoall the size is the total buffer;\n"
        "sendrecv is the ring pattern of sendrecv_perf.",
    .help_column = 22,
};

/* Returns PS_OK to go on, PS_OPTIONS_HELP after --help, else the error code. */
static int parse_args(int argc, char **argv, nccl_args *a, ps_error *err)
{
    nccl_args_init(a);
    char ops[256], algos[256], protos[128], dtypes[256], nccl_names[256];
    ps_coll_op_list(ops, sizeof ops, true);
    ps_options_join(algos, sizeof algos, algo_name_at, PS_ALGO_COUNT, NULL);
    ps_options_join(protos, sizeof protos, proto_name_at, PS_PROTO_COUNT, NULL);
    ps_options_join(dtypes, sizeof dtypes, dtype_name_at, ps_dtype_count(), NULL);
    ps_options_join(nccl_names, sizeof nccl_names, nccl_alt_name_at, ps_dtype_count(), NULL);
    char op_help[512], algo_help[512], proto_help[256], dtype_help[768];
    snprintf(op_help, sizeof op_help, "collective (default all_reduce):\n%s", ops);
    snprintf(algo_help, sizeof algo_help, "force NCCL_ALGO (default: the tuner's choice):\n%s\n"
             "(trtllm, vllm: all_reduce through the engine's own kernels, NCCL above its\n"
             "limit; a size is read as rows of 4096 elements; no --proto)", algos);
    snprintf(proto_help, sizeof proto_help, "force NCCL_PROTO (default: the tuner's choice):\n%s", protos);
    snprintf(dtype_help, sizeof dtype_help, "element type (default bf16):\n%s\n(or nccl-tests' names: %s)", dtypes,
             nccl_names);
    const ps_option opts[] = {
        PS_OPT_STRING(0, "platform", &a->platform, "FILE", "SimGrid platform (required)"),
        PS_OPT_STRING(0, "calibration", &a->calibration, "FILE",
                      "fitted parameters (default: PLATFORM.nccl.json beside the .xml)"),
        PS_OPT_GROUP("sweep (nccl-tests' flags)"),
        PS_OPT_CALLBACK(0, "op", "OP", op_help, parse_op, a, 0),
        PS_OPT_INT(0, "gpus", &a->gpus, "N", 1, PS_PLATFORM_MAX_GPUS,
                   "group size: GPUs 0..N-1 of the platform (default: all)"),
        PS_OPT_CALLBACK('b', "minbytes", "MIN", "min size (8, 64K, 1M, 8G; default 8)", parse_size,
                        &a->min_bytes, 0),
        PS_OPT_CALLBACK('e', "maxbytes", "MAX", "max size (default 8G; at most 1T)", parse_size, &a->max_bytes, 0),
        PS_OPT_INT('f', "stepfactor", &a->factor, "FACTOR", 2, 1024,
                   "multiplication factor between sizes (default 2: 31 sizes)"),
        PS_OPT_CALLBACK('d', "dtype", "T", dtype_help, parse_dtype, a, 0),
        PS_OPT_CALLBACK(0, "algo", "A", algo_help, parse_algo, &a->algo, 0),
        PS_OPT_CALLBACK(0, "proto", "P", proto_help, parse_proto, &a->proto, 0),
        PS_OPT_INT('g', "gpus-per-thread", &a->gpus_per_thread, "G", 1, 1024,
                   "nccl-tests -g: one thread drives G GPUs; time >= G x launch_us"),
        PS_OPT_CALLBACK(0, "nccl-version", "V",
                        "the NCCL release to model where NCCL's behaviour differs by\n"
                        "release (NVLS's work split; docs/nccl.md \"NCCL versions\"), e.g.\n"
                        "2.18.5 (default: the platform's nccl_version, else 2.29.2)",
                        parse_nccl_version, &a->nccl_version, 0),
        PS_OPT_FLAG(0, "predict", &a->predict, "closed-form idle-platform model instead of a SimGrid run"),
        PS_OPT_GROUP("comparison with a measured log"),
        PS_OPT_STRING(0, "compare", &a->compare, "LOG",
                      "simulate the sizes of an nccl-tests log (or calibration CSV) and\n"
                      "print measured vs simulated time, error per size and the medians;\n"
                      "a log of several tests is compared test by test; with --op, the\n"
                      "test of that collective (a log that does not name its collective\n"
                      "needs --op)"),
        PS_OPT_INT(0, "section", &a->section, "N", 1, 100000, "with --compare: the N-th test of the log (1-based)"),
        PS_OPT_GROUP("output"),
        PS_OPT_FLAG(0, "json", &a->json, "{\"rows\":[{size_bytes,time_us,algbw_gbps,busbw_gbps,algo,proto}]}"),
        PS_OPT_OBSERVER(note_size_flag, a),
        PS_OPT_END(),
    };
    return ps_options_parse(&nccl_help, opts, argc, argv, NULL, NULL, err);
}

/* The rules between flags. */
static int check_args(const nccl_args *a, ps_error *err)
{
    if (!a->platform)
        return ps_error_set(err, PS_EINPUT, "--platform FILE is required");
    if (a->section && !a->compare)
        return ps_error_set(err, PS_EINPUT, "--section needs --compare LOG");
    if (a->compare && a->size_flag)
        return ps_error_set(err, PS_EINPUT, "--%s sets the sizes of a sweep; --compare simulates the sizes of %s (drop "
                            "-b, -e and -f)", a->size_flag, a->compare);
    if (a->min_bytes > a->max_bytes)
        return ps_error_set(err, PS_EINPUT, "-b %llu is larger than -e %llu", (unsigned long long)a->min_bytes,
                            (unsigned long long)a->max_bytes);
    return PS_OK;
}

/* ---- printing -------------------------------------------------------------------------------- */

/* nccl-tests prints times with 2 decimals below 10 ms... (src/common.cu, 2.17: %7.2f below
 * 10000 us, %7.1f up to 100000, %7.0f above). */
static void format_time(char *buf, size_t size, double us)
{
    if (us >= 100000.0)
        snprintf(buf, size, "%7.0f", us);
    else if (us >= 10000.0)
        snprintf(buf, size, "%7.1f", us);
    else
        snprintf(buf, size, "%7.2f", us);
}

static void print_table(const nccl_args *o, const ps_nccl_sweep *sw, const ps_nccl_row *rows,
                        const char *cal_used)
{
    int root = ps_coll_op_root(sw->op);
    printf("# parsim nccl: %s_perf on %d GPUs of %s (%s), type %s, -g %d\n",
           ps_coll_op_name(sw->op), sw->gpus, o->platform,
           o->predict ? "closed-form model" : "SimGrid simulation", type_name(o), sw->gpus_per_thread);
    printf("# calibration: %s\n", cal_used);
    printf("# algo/proto per size: the tuner's choice%s (last column)\n",
           sw->algo != PS_ALGO_AUTO || sw->proto != PS_PROTO_AUTO ? ", restricted by --algo/--proto" : "");
    printf("#\n");
    printf("#                                                              out-of-place                       in-place          \n");
    printf("#       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong\n");
    printf("#        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)       \n");
    double sum_busbw = 0;
    for (int i = 0; i < sw->count; i++) {
        const ps_nccl_row *r = &rows[i];
        char t[32];
        format_time(t, sizeof t, r->time_us);
        printf("%12.0f  %12lld  %8s  %6s  %6i", r->size_bytes, r->count, type_name(o),
               ps_coll_op_redop(sw->op), root);
        for (int half = 0; half < 2; half++)
            printf("  %7s  %6.2f  %6.2f  %5s", t, r->algbw_gbps, r->busbw_gbps, "N/A");
        char tag[160];
        ps_nccl_row_tag(r, tag, sizeof tag);
        printf("   # %s\n", tag);
        sum_busbw += r->busbw_gbps;
    }
    printf("# Out of bounds values : 0 OK\n");
    printf("# Avg bus bandwidth    : %g \n", sw->count ? sum_busbw / sw->count : 0.0);
    printf("#\n");
}

static void print_json(const ps_nccl_sweep *sw, const ps_nccl_row *rows)
{
    printf("{\"op\":\"%s\",\"gpus\":%d,\"rows\":[", ps_coll_op_name(sw->op), sw->gpus);
    for (int i = 0; i < sw->count; i++) {
        /* an engine kernel's name takes the protocol's place; a fallback says why */
        printf("%s\n{\"size_bytes\":%.0f,\"time_us\":%.6g,\"algbw_gbps\":%.6g,\"busbw_gbps\":%.6g,"
               "\"algo\":\"%s\",\"proto\":\"%s\"", i ? "," : "", rows[i].size_bytes,
               rows[i].time_us, rows[i].algbw_gbps, rows[i].busbw_gbps,
               ps_coll_algo_name(rows[i].algo),
               rows[i].kernel ? rows[i].kernel : ps_coll_proto_name(rows[i].proto));
        if (rows[i].fallback_why)
            printf(",\"fallback\":\"%s: %s\"", rows[i].engine, rows[i].fallback_why);
        printf("}");
    }
    printf("\n]}\n");
}

/* Measured vs simulated per size and the medians. The error buffers are allocated before
 * anything is printed: a failed allocation is an error, never half a table (or a NULL store). */
static int print_compare(const nccl_args *o, const ps_nccl_curve *cv, const ps_nccl_sweep *sw,
                         const ps_nccl_row *rows, const char *cal_used, int section,
                         ps_error *err)
{
    size_t count = sw->count > 0 ? (size_t)sw->count : 1;
    double *big = malloc(sizeof(double) * count);
    double *small = malloc(sizeof(double) * count);
    if (!big || !small) {
        free(big);
        free(small);
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    int nb = 0, ns = 0;
    if (o->json) {
        printf("{");
        if (section > 0)
            printf("\"section\":%d,", section);
        printf("\"log\":"); /* a path may hold quotes or backslashes */
        ps_json_write_string(stdout, cv->path);
        printf(",\"op\":\"%s\",\"gpus\":%d,\"rows\":[", ps_coll_op_name(sw->op), sw->gpus);
    }
    else {
        printf("# parsim nccl --compare %s: %s on %d GPUs of %s, -g %d\n", cv->path,
               ps_coll_op_name(sw->op), sw->gpus, o->platform, sw->gpus_per_thread);
        printf("# calibration: %s\n", cal_used);
        printf("#       size   measured(us)  simulated(us)   error  algo/proto\n");
    }
    for (int i = 0; i < sw->count; i++) {
        double e = rows[i].time_us / cv->time_us[i] - 1.0;
        if (cv->size_bytes[i] >= 1048576)
            big[nb++] = fabs(e);
        else
            small[ns++] = fabs(e);
        if (o->json)
            printf("%s\n{\"size_bytes\":%.0f,\"measured_us\":%.6g,\"simulated_us\":%.6g,"
                   "\"error\":%.4f,\"algo\":\"%s\",\"proto\":\"%s\"}", i ? "," : "",
                   cv->size_bytes[i], cv->time_us[i], rows[i].time_us, e,
                   ps_coll_algo_name(rows[i].algo), ps_coll_proto_name(rows[i].proto));
        else
            printf("%12.0f  %13.2f  %13.2f  %+6.1f%%  %s/%s\n", cv->size_bytes[i], cv->time_us[i],
                   rows[i].time_us, 100 * e, ps_coll_algo_name(rows[i].algo),
                   ps_coll_proto_name(rows[i].proto));
    }
    double mb = 0, ms = 0; /* ps_median: the mean of the middle two for an even count */
    int rc = PS_OK;
    if (nb)
        rc = ps_median(big, (size_t)nb, &mb, err);
    if (!rc && ns)
        rc = ps_median(small, (size_t)ns, &ms, err);
    if (rc) {
        free(big);
        free(small);
        return rc;
    }
    if (o->json)
        printf("\n],\"median_abs_error_ge_1MiB\":%.4f,\"median_abs_error_lt_1MiB\":%.4f}",
               mb, ms);
    else {
        if (nb)
            printf("# median |error|, sizes >= 1 MiB: %.1f%% (%d sizes)\n", 100 * mb, nb);
        if (ns)
            printf("# median |error|, sizes <  1 MiB: %.1f%% (%d sizes)\n", 100 * ms, ns);
    }
    free(big);
    free(small);
    return PS_OK;
}

/* ---- --compare ------------------------------------------------------------------------------ */

/* Why a test of the log cannot be compared, or "" (it can). */
static const char *skip_reason(const nccl_args *o, const ps_nccl_curve *c)
{
    if (c->has_op || (!c->op_name[0] && o->op_given))
        return "";
    return ps_nccl_curve_unsupported(c);
}

/* The sweep that reproduces curve c: its op, GPU count, -g and type, unless the options say. */
static void compare_sweep(const nccl_args *o, const ps_platform *pf, const ps_nccl_curve *c,
                          ps_nccl_sweep *sw)
{
    int type_bytes = ps_dtype_bytes(o->dtype);
    if (!o->dtype_given && c->type_bytes == 4)
        type_bytes = 4; /* a float log: sizes round to 4-byte elements */
    *sw = (ps_nccl_sweep){
        .op = c->has_op ? c->op : o->op,
        .gpus = o->gpus ? o->gpus : c->gpus ? c->gpus : ps_platform_gpu_count(pf),
        .sizes = c->size_bytes,
        .count = c->n_rows,
        .type_bytes = type_bytes,
        .algo = o->algo,
        .proto = o->proto,
        .gpus_per_thread = o->gpus_per_thread != 1 ? o->gpus_per_thread : c->gpus_per_thread,
    };
}

typedef struct compare_job {
    ps_nccl_log log;
    int *picked;          /* indexes of the curves compared, in file order */
    int n_picked;
    ps_nccl_sweep *sweeps;
    ps_nccl_row **rows;
    bool several;         /* a log of several tests compared without a selector */
} compare_job;

static void compare_job_free(compare_job *j)
{
    for (int i = 0; j->rows && i < j->n_picked; i++)
        free(j->rows[i]);
    free(j->rows);
    free(j->sweeps);
    free(j->picked);
    ps_nccl_log_free(&j->log);
}

/* Which tests to compare: the selected one, the only one, or every one parsim can. */
static int pick_tests(const nccl_args *o, compare_job *j, ps_error *err)
{
    ps_nccl_log *log = &j->log;
    j->picked = calloc((size_t)log->n_curves, sizeof *j->picked);
    if (!j->picked)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    if (o->section || o->op_given || log->n_curves == 1) {
        int index;
        int rc = ps_nccl_log_select(log, o->op_given ? ps_coll_op_name(o->op) : NULL, o->section,
                                    &index, err);
        if (rc)
            return rc;
        const ps_nccl_curve *c = &log->curves[index];
        const char *why = skip_reason(o, c);
        if (!c->op_name[0] && *why)
            return ps_error_set(err, PS_EINPUT, "%s does not say which collective it measured: "
                                "give --op", o->compare);
        if (*why)
            return ps_error_set(err, PS_EINPUT, "%s: test %d (line %d) is %s_perf: %s", o->compare,
                                c->section, c->line, c->op_name, why);
        j->picked[j->n_picked++] = index;
        return PS_OK;
    }
    j->several = true;
    for (int i = 0; i < log->n_curves; i++)
        if (!*skip_reason(o, &log->curves[i]))
            j->picked[j->n_picked++] = i;
    if (j->n_picked == 0)
        return ps_error_set(err, PS_EINPUT, "%s: none of its %d tests is a collective parsim "
                            "models with a name in the log (see --op, --section)", o->compare,
                            log->n_curves);
    return PS_OK;
}

/* nccl-tests runs processes x threads x -g GPUs: -g 3 on 8 GPUs (or -g 16 on 8) is no run it
 * can make, and was simulated as one thread launching for 3 (16) GPUs. */
static int check_gpus_per_thread(int gpus, int gpus_per_thread, ps_error *err)
{
    if (gpus % gpus_per_thread)
        return ps_error_set(err, PS_EINPUT, "-g %d: the group of %d GPUs is not a multiple of it (nccl-tests runs "
                            "processes x threads x -g GPUs)", gpus_per_thread, gpus);
    return PS_OK;
}

static int prepare_sweeps(const nccl_args *o, const ps_platform *pf, compare_job *j,
                          ps_error *err)
{
    j->sweeps = calloc((size_t)j->n_picked, sizeof *j->sweeps);
    j->rows = calloc((size_t)j->n_picked, sizeof *j->rows);
    if (!j->sweeps || !j->rows)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    for (int k = 0; k < j->n_picked; k++) {
        const ps_nccl_curve *c = &j->log.curves[j->picked[k]];
        if (c->n_rows > MAX_SIZES)
            return ps_error_set(err, PS_EINPUT, "%s: more than %d rows", o->compare, MAX_SIZES);
        compare_sweep(o, pf, c, &j->sweeps[k]);
        int rc = ps_platform_check_gpu_count(pf, j->sweeps[k].gpus, false, err);
        if (!rc)
            rc = check_gpus_per_thread(j->sweeps[k].gpus, j->sweeps[k].gpus_per_thread, err);
        if (rc) {
            if (j->several) { /* name the test: the others may fit */
                char msg[sizeof err->message];
                snprintf(msg, sizeof msg, "%s", err->message);
                ps_error_set(err, rc, "%s: test %d (%s, line %d): %s", o->compare, c->section,
                             c->op_name, c->line, msg);
            }
            return rc;
        }
        if (c->zero_rows)
            fprintf(stderr, "parsim nccl: note: %s: test %d: %d row%s of 0 bytes skipped (NCCL "
                    "launches nothing for them)\n", o->compare, c->section, c->zero_rows,
                    c->zero_rows == 1 ? "" : "s");
        if (!(j->rows[k] = calloc((size_t)(c->n_rows > 0 ? c->n_rows : 1), sizeof **j->rows)))
            return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    return PS_OK;
}

static int print_comparisons(const nccl_args *o, const compare_job *j, const char *cal_used,
                             ps_error *err)
{
    const ps_nccl_log *log = &j->log;
    if (!j->several) {
        int rc = print_compare(o, &log->curves[j->picked[0]], &j->sweeps[0], j->rows[0], cal_used,
                               0, err);
        if (!rc && o->json)
            printf("\n");
        return rc;
    }
    if (o->json) {
        printf("{\"log\":");
        ps_json_write_string(stdout, log->path);
        printf(",\"sections\":[");
    }
    int k = 0, rc = PS_OK;
    for (int i = 0; i < log->n_curves && !rc; i++) {
        const ps_nccl_curve *c = &log->curves[i];
        bool compared = k < j->n_picked && j->picked[k] == i;
        if (!compared)
            continue;
        if (o->json)
            printf("%s\n", k ? "," : "");
        else
            printf("%s# test %d of %d (line %d)\n", k ? "#\n" : "", c->section, log->n_curves,
                   c->line);
        rc = print_compare(o, c, &j->sweeps[k], j->rows[k], cal_used, o->json ? c->section : 0,
                           err);
        k++;
    }
    if (o->json)
        printf("\n],\"skipped\":[");
    int skipped = 0;
    for (int i = 0; i < log->n_curves && !rc; i++) {
        const ps_nccl_curve *c = &log->curves[i];
        const char *why = skip_reason(o, c);
        if (!*why)
            continue;
        if (o->json) {
            printf("%s\n{\"section\":%d,\"op\":", skipped ? "," : "", c->section);
            ps_json_write_string(stdout, c->op_name);
            printf(",\"reason\":");
            ps_json_write_string(stdout, why);
            printf("}");
        } else {
            printf("#\n# test %d of %d (line %d): %s skipped: %s\n", c->section, log->n_curves,
                   c->line, c->op_name[0] ? c->op_name : "(unnamed)", why);
        }
        skipped++;
    }
    if (o->json)
        printf("%s]}\n", skipped ? "\n" : "");
    return rc;
}

/* ---- the command ------------------------------------------------------------------------------ */

/* The sizes of a sweep: nccl-tests multiplies size by -f; from -b 0 that would stay at 0 forever,
 * so after the 0-byte row the sweep continues at 1 byte (then 2, 4, ... up to -e). With -e at
 * most 1 TiB and -f at least 2 that is at most 42 sizes. */
static int make_sizes(const nccl_args *a, ps_array *sizes, ps_error *err)
{
    for (double s = (double)a->min_bytes; s <= (double)a->max_bytes; s = s == 0 ? 1 : s * a->factor) {
        double *slot = ps_array_push(sizes);
        if (!slot)
            return ps_error_set(err, PS_EINTERNAL, "out of memory");
        *slot = s;
    }
    return PS_OK;
}

/* nccl-tests allocates each rank's send and receive buffers for -e before it runs (common.cu,
 * AllocateBuffs; getCollByteCount in each src/<op>.cu): all_gather sends size/n and receives size,
 * reduce_scatter the other way round, every other op sends and receives size. A -e whose buffers
 * do not fit the smallest GPU's HBM makes its cudaMalloc fail; parsim refuses it the same way
 * instead of printing times for a run that cannot happen. */
static int check_buffers_fit(const nccl_args *a, const ps_platform *pf, int gpus, ps_error *err)
{
    double size = (double)a->max_bytes, n = gpus;
    double need = a->op == PS_COLL_ALL_GATHER || a->op == PS_COLL_REDUCE_SCATTER ? size + size / n : 2 * size;
    const ps_platform_gpu *smallest = NULL;
    for (int r = 0; r < gpus; r++) {
        const ps_platform_gpu *g = ps_platform_gpu_at(pf, r);
        if (g->hbm_bytes > 0 && (!smallest || g->hbm_bytes < smallest->hbm_bytes))
            smallest = g;
    }
    if (smallest && need > smallest->hbm_bytes)
        return ps_error_set(err, PS_EINPUT,
                            "-e %llu: %s_perf's buffers need %.0f GB per GPU, more than %s's %.0f GB of HBM "
                            "(nccl-tests' cudaMalloc would fail)",
                            (unsigned long long)a->max_bytes, ps_coll_op_name(a->op), need / 1e9,
                            smallest->gpu_model, smallest->hbm_bytes / 1e9);
    return PS_OK;
}

static int run_sweep(const nccl_args *a, ps_platform *pf, ps_coll_ctx *ctx, const char *cal_used, ps_error *err)
{
    ps_array sizes;
    ps_array_init(&sizes, sizeof(double));
    ps_nccl_row *rows = NULL;
    int gpus = a->gpus ? a->gpus : ps_platform_gpu_count(pf);
    int rc = make_sizes(a, &sizes, err);
    if (!rc && !(rows = calloc(sizes.len, sizeof *rows)))
        rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
    if (!rc)
        rc = ps_platform_check_gpu_count(pf, gpus, false, err);
    if (!rc)
        rc = check_gpus_per_thread(gpus, a->gpus_per_thread, err);
    if (!rc)
        rc = check_buffers_fit(a, pf, gpus, err);
    if (!rc) {
        ps_nccl_sweep sw = {a->op, gpus, sizes.data, (int)sizes.len, ps_dtype_bytes(a->dtype), a->algo, a->proto,
                            a->gpus_per_thread};
        rc = a->predict ? ps_nccl_predict_rows(ctx, &sw, rows, err) : ps_nccl_simulate(ctx, &sw, rows, err);
        if (!rc && a->json)
            print_json(&sw, rows);
        else if (!rc)
            print_table(a, &sw, rows, cal_used);
    }
    free(rows);
    ps_array_free(&sizes);
    return rc;
}

static int run_compare(const nccl_args *a, compare_job *j, ps_platform *pf, ps_coll_ctx *ctx, const char *cal_used,
                       ps_error *err)
{
    int rc = prepare_sweeps(a, pf, j, err);
    for (int k = 0; !rc && a->predict && k < j->n_picked; k++)
        rc = ps_nccl_predict_rows(ctx, &j->sweeps[k], j->rows[k], err);
    if (!rc && !a->predict)
        rc = ps_nccl_simulate_many(ctx, j->sweeps, j->n_picked, j->rows, err);
    if (!rc)
        rc = print_comparisons(a, j, cal_used, err);
    return rc;
}

/* The log (first: a bad log is reported before the platform is loaded), the platform and its
 * calibration, then the sweep or the comparison. */
static int run(const nccl_args *a, ps_error *err)
{
    compare_job job = {0};
    ps_platform *pf = NULL;
    ps_coll_ctx *ctx = NULL;
    ps_coll_params params;
    char cal_used[1024];
    int rc = PS_OK;
    if (a->compare && ((rc = ps_nccl_log_read(a->compare, a->gpus, &job.log, err)) || (rc = pick_tests(a, &job, err))))
        goto out;
    if ((rc = ps_platform_load(a->platform, &pf, err)))
        goto out;
    if (ps_platform_warning(pf))
        fprintf(stderr, "parsim nccl: warning: %s\n", ps_platform_warning(pf));
    if ((rc = ps_coll_params_for_platform(a->platform, a->calibration, &params, cal_used, sizeof cal_used, err)))
        goto out;
    params.nccl_version = a->nccl_version;
    if ((rc = ps_coll_ctx_create(pf, &params, &ctx, err)))
        goto out;
    /* The calibration line names the NCCL release modelled when it is not the default one the
     * shipped sidecars and NCCL's constants describe. */
    char cal_line[1200], nccl[16];
    int modelled = ps_coll_ctx_params(ctx)->nccl_version;
    ps_nccl_version_format(modelled, nccl, sizeof nccl);
    snprintf(cal_line, sizeof cal_line, "%s%s%s%s", cal_used[0] ? cal_used : "none (NCCL tuning.cc defaults)",
             modelled != PS_NCCL_VERSION_DEFAULT ? "; NCCL modelled: " : "",
             modelled != PS_NCCL_VERSION_DEFAULT ? nccl : "",
             modelled == PS_NCCL_VERSION_DEFAULT ? ""
             : a->nccl_version ? " (--nccl-version)" : " (the platform's nccl_version)");
    rc = a->compare ? run_compare(a, &job, pf, ctx, cal_line, err) : run_sweep(a, pf, ctx, cal_line, err);
    if (!rc && (fflush(stdout) || ferror(stdout)))
        rc = ps_error_set(err, PS_EINPUT, "cannot write the output: %s", strerror(errno));
out:
    compare_job_free(&job);
    ps_coll_ctx_free(ctx);
    ps_platform_free(pf);
    return rc;
}

int cmd_nccl(int argc, char **argv, ps_error *err)
{
    nccl_args a;
    int rc = parse_args(argc, argv, &a, err);
    if (rc == PS_OPTIONS_HELP)
        return PS_OK;
    if (rc || (rc = check_args(&a, err)))
        return rc;
    return run(&a, err);
}
