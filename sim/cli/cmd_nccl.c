/* parsim nccl: nccl-tests on a simulated platform -- the same table as all_reduce_perf & co, and
 * a measured-vs-simulated comparison for a real nccl-tests log (--compare). See docs/nccl.md.
 */
#include <getopt.h>
#include <math.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "parsim/coll.h"
#include "parsim/platform.h"
#include "parsim/util.h"

#define MAX_SIZES 4096 /* sizes per sweep or compared log (Vidur curves have 994) */

typedef struct nccl_opts {
    const char *platform;
    const char *calibration;
    const char *compare;
    ps_coll_op op;
    bool op_given;
    int gpus;
    uint64_t min_bytes, max_bytes;
    int factor;
    int type_bytes;
    const char *type_name;
    ps_coll_algo algo;
    ps_coll_proto proto;
    int gpus_per_thread;
    bool json;
    bool predict;
    int section;          /* --section N (1-based); 0 = none */
    bool dtype_given;
    bool gpus_given;
} nccl_opts;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: parsim nccl --platform FILE [--op OP] [--gpus N] [-b MIN] [-e MAX] [-f FACTOR]\n"
            "                   [--dtype bf16|fp16|fp32] [--algo ring|nvls|p2p|tree|nvls_tree] [--proto LL|LL128|Simple]\n"
            "                   [-g GPUS_PER_THREAD] [--calibration FILE] [--predict] [--json]\n"
            "       parsim nccl --platform FILE --compare LOG [--op OP | --section N] [--gpus N] ...\n\n"
            "Simulates an nccl-tests sweep on a SimGrid platform and prints the nccl-tests table\n"
            "(out-of-place and in-place halves are the same simulation). Sizes and busbw follow\n"
            "nccl-tests: for all_gather, reduce_scatter and alltoall the size is the total buffer;\n"
            "sendrecv is the ring pattern of sendrecv_perf.\n\n"
            "  --op OP            all_reduce (default), all_gather, reduce_scatter, alltoall,\n"
            "                     sendrecv, broadcast\n"
            "  --gpus N           group size: GPUs 0..N-1 of the platform (default: all)\n"
            "  -b, -e, -f         min size, max size (8, 64K, 1M, 8G), multiplication factor\n"
            "                     (defaults 8, 8G, 2: 31 sizes)\n"
            "  --dtype T          bf16 (default), fp16 or fp32 (also nccl-tests' half, float, bfloat16)\n"
            "  --algo, --proto    force NCCL_ALGO / NCCL_PROTO (default: the tuner's choice)\n"
            "  -g G               nccl-tests -g: one thread drives G GPUs; time >= G x launch_us\n"
            "  --calibration F    fitted parameters (default: PLATFORM.nccl.json beside the .xml)\n"
            "  --predict          closed-form idle-platform model instead of a SimGrid run\n"
            "  --compare LOG      simulate the sizes of an nccl-tests log (or calibration CSV) and\n"
            "                     print measured vs simulated time, error per size and the medians;\n"
            "                     a log of several tests is compared test by test\n"
            "  --op OP, --section N  with --compare: the test of that collective, or the N-th test\n"
            "                     of the log (1-based); a log that does not name its collective\n"
            "                     needs --op\n"
            "  --json             {\"rows\":[{size_bytes,time_us,algbw_gbps,busbw_gbps,algo,proto}]}\n");
}

static int parse_dtype(const char *t, nccl_opts *o)
{
    if (!strcmp(t, "bf16") || !strcmp(t, "bfloat16")) {
        o->type_bytes = 2;
        o->type_name = "bfloat16";
    } else if (!strcmp(t, "fp16") || !strcmp(t, "half")) {
        o->type_bytes = 2;
        o->type_name = "half";
    } else if (!strcmp(t, "fp32") || !strcmp(t, "float")) {
        o->type_bytes = 4;
        o->type_name = "float";
    } else {
        return 1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, nccl_opts *o)
{
    enum { O_PLATFORM = 256, O_OP, O_GPUS, O_DTYPE, O_ALGO, O_PROTO, O_JSON, O_CAL, O_COMPARE,
           O_PREDICT, O_SECTION };
    static const struct option longs[] = {
        {"platform", required_argument, 0, O_PLATFORM}, {"op", required_argument, 0, O_OP},
        {"gpus", required_argument, 0, O_GPUS},         {"minbytes", required_argument, 0, 'b'},
        {"maxbytes", required_argument, 0, 'e'},        {"stepfactor", required_argument, 0, 'f'},
        {"dtype", required_argument, 0, O_DTYPE},       {"algo", required_argument, 0, O_ALGO},
        {"proto", required_argument, 0, O_PROTO},       {"json", no_argument, 0, O_JSON},
        {"calibration", required_argument, 0, O_CAL},   {"compare", required_argument, 0, O_COMPARE},
        {"predict", no_argument, 0, O_PREDICT},         {"gpus-per-thread", required_argument, 0, 'g'},
        {"section", required_argument, 0, O_SECTION},
        {"help", no_argument, 0, 'h'},                  {0, 0, 0, 0}};
    ps_error err = {0, ""};
    int c;
    optind = 1;
    opterr = 0;
    unsigned char seen[512] = {0};
    char twice[64];
    while ((c = getopt_long(argc, argv, "b:e:f:d:g:h", longs, NULL)) != -1) {
        int rc = 0;
        if (c != '?' && c != ':' && ps_cli_repeated(longs, seen, c, twice, sizeof twice)) {
            fprintf(stderr, "parsim nccl: %s given twice (give each option once)\n", twice);
            return 2;
        }
        switch (c) {
        case O_PLATFORM: o->platform = optarg; break;
        case O_CAL: o->calibration = optarg; break;
        case O_COMPARE: o->compare = optarg; break;
        case O_JSON: o->json = true; break;
        case O_PREDICT: o->predict = true; break;
        case O_OP:
            if (ps_coll_op_parse(optarg, &o->op) || !ps_coll_op_has_nccl_test(o->op)) {
                char ops[256];
                ps_coll_op_list(ops, sizeof ops, true);
                if (ps_nccl_tests_unmodelled(optarg))
                    fprintf(stderr, "parsim nccl: --op: parsim does not model %s (it models %s)\n",
                            optarg, ops);
                else
                    fprintf(stderr, "parsim nccl: --op: unknown collective '%s' (%s)\n", optarg,
                            ops);
                return 2;
            }
            o->op_given = true;
            break;
        case O_GPUS:
            rc = ps_parse_int(optarg, "--gpus", 1, PS_PLATFORM_MAX_GPUS, &o->gpus, &err);
            o->gpus_given = true;
            break;
        case O_SECTION: rc = ps_parse_int(optarg, "--section", 1, 100000, &o->section, &err); break;
        case 'g': rc = ps_parse_int(optarg, "-g", 1, 1024, &o->gpus_per_thread, &err); break;
        case 'b': rc = ps_parse_size_bytes(optarg, "-b", &o->min_bytes, &err); break;
        case 'e': rc = ps_parse_size_bytes(optarg, "-e", &o->max_bytes, &err); break;
        case 'f': rc = ps_parse_int(optarg, "-f", 2, 1024, &o->factor, &err); break;
        case 'd':
        case O_DTYPE:
            if (parse_dtype(optarg, o)) {
                fprintf(stderr, "parsim nccl: --dtype: unknown type '%s' (bf16, fp16, fp32)\n", optarg);
                return 2;
            }
            o->dtype_given = true;
            break;
        case O_ALGO:
            if (ps_coll_algo_parse(optarg, &o->algo)) {
                fprintf(stderr, "parsim nccl: --algo: unknown algorithm '%s' (ring, nvls, p2p, tree, nvls_tree)\n", optarg);
                return 2;
            }
            break;
        case O_PROTO:
            if (ps_coll_proto_parse(optarg, &o->proto)) {
                fprintf(stderr, "parsim nccl: --proto: unknown protocol '%s' (LL, LL128, Simple)\n", optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return -1;
        default:
            fprintf(stderr, "parsim nccl: unknown or incomplete option '%s' (see parsim nccl --help)\n",
                    argv[optind - 1]);
            return 2;
        }
        if (rc) {
            fprintf(stderr, "parsim nccl: %s\n", err.message);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "parsim nccl: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!o->platform) {
        fprintf(stderr, "parsim nccl: --platform FILE is required\n");
        return 2;
    }
    if (o->section && !o->compare) {
        fprintf(stderr, "parsim nccl: --section needs --compare LOG\n");
        return 2;
    }
    if (o->min_bytes > o->max_bytes) {
        fprintf(stderr, "parsim nccl: -b %llu is larger than -e %llu\n",
                (unsigned long long)o->min_bytes, (unsigned long long)o->max_bytes);
        return 2;
    }
    return 0;
}

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

static void print_table(const nccl_opts *o, const ps_nccl_sweep *sw, const ps_nccl_row *rows,
                        const char *cal_used)
{
    int root = ps_coll_op_root(sw->op);
    printf("# parsim nccl: %s_perf on %d GPUs of %s (%s), type %s, -g %d\n",
           ps_coll_op_name(sw->op), sw->gpus, o->platform,
           o->predict ? "closed-form model" : "SimGrid simulation", o->type_name, sw->gpus_per_thread);
    printf("# calibration: %s\n", cal_used[0] ? cal_used : "none (NCCL tuning.cc defaults)");
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
        printf("%12.0f  %12lld  %8s  %6s  %6i", r->size_bytes, r->count, o->type_name,
               ps_coll_op_redop(sw->op), root);
        for (int half = 0; half < 2; half++)
            printf("  %7s  %6.2f  %6.2f  %5s", t, r->algbw_gbps, r->busbw_gbps, "N/A");
        printf("   # %s/%s\n", ps_coll_algo_name(r->algo), ps_coll_proto_name(r->proto));
        sum_busbw += r->busbw_gbps;
    }
    printf("# Out of bounds values : 0 OK\n");
    printf("# Avg bus bandwidth    : %g \n", sw->count ? sum_busbw / sw->count : 0.0);
    printf("#\n");
}

static void print_json(const ps_nccl_sweep *sw, const ps_nccl_row *rows)
{
    printf("{\"op\":\"%s\",\"gpus\":%d,\"rows\":[", ps_coll_op_name(sw->op), sw->gpus);
    for (int i = 0; i < sw->count; i++)
        printf("%s\n{\"size_bytes\":%.0f,\"time_us\":%.6g,\"algbw_gbps\":%.6g,\"busbw_gbps\":%.6g,"
               "\"algo\":\"%s\",\"proto\":\"%s\"}", i ? "," : "", rows[i].size_bytes,
               rows[i].time_us, rows[i].algbw_gbps, rows[i].busbw_gbps,
               ps_coll_algo_name(rows[i].algo), ps_coll_proto_name(rows[i].proto));
    printf("\n]}\n");
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    if (n == 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Measured vs simulated per size and the medians. The error buffers are allocated before
 * anything is printed: a failed allocation is an error, never half a table (or a NULL store). */
static int print_compare(const nccl_opts *o, const ps_nccl_curve *cv, const ps_nccl_sweep *sw,
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
        printf("# calibration: %s\n", cal_used[0] ? cal_used : "none (NCCL tuning.cc defaults)");
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
    double mb = median(big, nb), ms = median(small, ns);
    if (o->json)
        printf("\n],\"median_abs_error_ge_1MiB\":%.4f,\"median_abs_error_lt_1MiB\":%.4f}",
               nb ? mb : 0.0, ns ? ms : 0.0);
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
static const char *skip_reason(const nccl_opts *o, const ps_nccl_curve *c)
{
    if (c->has_op || (!c->op_name[0] && o->op_given))
        return "";
    return ps_nccl_curve_unsupported(c);
}

/* The sweep that reproduces curve c: its op, GPU count, -g and type, unless the options say. */
static void compare_sweep(const nccl_opts *o, const ps_platform *pf, const ps_nccl_curve *c,
                          ps_nccl_sweep *sw)
{
    int type_bytes = o->type_bytes;
    if (!o->dtype_given && c->type_bytes == 4)
        type_bytes = 4; /* a float log: sizes round to 4-byte elements */
    *sw = (ps_nccl_sweep){
        .op = c->has_op ? c->op : o->op,
        .gpus = o->gpus_given ? o->gpus : c->gpus ? c->gpus : ps_platform_gpu_count(pf),
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
static int pick_tests(const nccl_opts *o, compare_job *j, ps_error *err)
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

static int prepare_sweeps(const nccl_opts *o, const ps_platform *pf, compare_job *j,
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

static int print_comparisons(const nccl_opts *o, const compare_job *j, const char *cal_used,
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

static int make_sizes(const nccl_opts *o, double *sizes)
{
    int count = 0;
    /* nccl-tests multiplies size by -f; from -b 0 that would stay at 0 forever, so after the
     * 0-byte row the sweep continues at 1 byte (then 2, 4, ... up to -e). */
    for (double s = (double)o->min_bytes; s <= (double)o->max_bytes && count < MAX_SIZES;
         s = s == 0 ? 1 : s * o->factor)
        sizes[count++] = s;
    return count;
}

static int run_sweep(const nccl_opts *o, ps_platform *pf, ps_coll_ctx *ctx, const char *cal_used,
                     ps_error *err)
{
    double *sizes = malloc(sizeof(double) * MAX_SIZES);
    ps_nccl_row *rows = calloc(MAX_SIZES, sizeof *rows);
    int rc = PS_OK;
    if (!sizes || !rows)
        rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
    int gpus = o->gpus ? o->gpus : ps_platform_gpu_count(pf);
    if (!rc)
        rc = ps_platform_check_gpu_count(pf, gpus, false, err);
    if (!rc) {
        ps_nccl_sweep sw = {o->op, gpus, sizes, make_sizes(o, sizes), o->type_bytes, o->algo,
                            o->proto, o->gpus_per_thread};
        rc = o->predict ? ps_nccl_predict_rows(ctx, &sw, rows, err)
                        : ps_nccl_simulate(ctx, &sw, rows, err);
        if (!rc && o->json)
            print_json(&sw, rows);
        else if (!rc)
            print_table(o, &sw, rows, cal_used);
    }
    free(rows);
    free(sizes);
    return rc;
}

static int run_compare(const nccl_opts *o, compare_job *j, ps_platform *pf, ps_coll_ctx *ctx,
                       const char *cal_used, ps_error *err)
{
    int rc = prepare_sweeps(o, pf, j, err);
    for (int k = 0; !rc && o->predict && k < j->n_picked; k++)
        rc = ps_nccl_predict_rows(ctx, &j->sweeps[k], j->rows[k], err);
    if (!rc && !o->predict)
        rc = ps_nccl_simulate_many(ctx, j->sweeps, j->n_picked, j->rows, err);
    if (!rc)
        rc = print_comparisons(o, j, cal_used, err);
    return rc;
}

int cmd_nccl(int argc, char **argv)
{
    nccl_opts o = {NULL, NULL, NULL, PS_COLL_ALL_REDUCE, false, 0, 8, 8ull << 30, 2, 2,
                   "bfloat16", PS_ALGO_AUTO, PS_PROTO_AUTO, 1, false, false, 0, false, false};
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    ps_error err = {0, ""};
    compare_job job;
    memset(&job, 0, sizeof job);
    ps_platform *pf = NULL;
    ps_coll_ctx *ctx = NULL;
    ps_coll_params params;
    char cal_used[1024];
    if (o.compare) { /* the log first: a bad log is reported before the platform is loaded */
        if ((rc = ps_nccl_log_read(o.compare, o.gpus_given ? o.gpus : 0, &job.log, &err)) ||
            (rc = pick_tests(&o, &job, &err)))
            goto out;
    }
    if ((rc = ps_platform_load(o.platform, &pf, &err)))
        goto out;
    if (ps_platform_warning(pf))
        fprintf(stderr, "parsim nccl: warning: %s\n", ps_platform_warning(pf));
    if ((rc = ps_coll_params_for_platform(o.platform, o.calibration, &params, cal_used,
                                          sizeof cal_used, &err)) ||
        (rc = ps_coll_ctx_create(pf, &params, &ctx, &err)))
        goto out;
    rc = o.compare ? run_compare(&o, &job, pf, ctx, cal_used, &err)
                   : run_sweep(&o, pf, ctx, cal_used, &err);
    if (!rc && (fflush(stdout) || ferror(stdout)))
        rc = ps_error_set(&err, PS_EINPUT, "cannot write the output: %s", strerror(errno));
out:
    if (rc)
        fprintf(stderr, "parsim nccl: %s\n", err.message);
    compare_job_free(&job);
    ps_coll_ctx_free(ctx);
    ps_platform_free(pf);
    return rc;
}
