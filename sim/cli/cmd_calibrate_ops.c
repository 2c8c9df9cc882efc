/* parsim calibrate --ops: fits the compute cost model's coefficients (core/cost/) to measured op
 * tables and writes one coefficient file (docs/cost.md). Dispatched from cmd_calibrate.c when
 * --ops is on the command line; the NCCL calibration is the rest of that file. Options and
 * --help come from one table (options.h); errors are code + ps_error, printed once by parsim.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "parsim/options.h"
#include "parsim/cost.h"
#include "parsim/util.h"

#define MAX_SPECS 64

typedef struct calibrate_ops_args {
    const char *fit[MAX_SPECS], *hold[MAX_SPECS];
    int nfit, nhold;
    const char *gpu_name, *output;
    char gpu_help[512];
} calibrate_ops_args;

static const char *const calibrate_ops_usage[] = {
    "parsim calibrate --ops FILE[@FILTER]... [--holdout FILE[@FILTER]...] --gpu MODEL",
    "                 -o FILE.cost", NULL};
static const ps_command_help calibrate_ops_help = {
    .command = "parsim calibrate",
    .usage = calibrate_ops_usage,
    .description = "Fits the op cost model (GEMM, attention, element-wise, embedding) to measured kernel\n"
                   "times, least squares on log time, deterministic, and writes a coefficient file with\n"
                   "the held-out errors. Layouts are recognised by their header: traces/h200-torch-reference\n"
                   "gemm/attention/memory_ops CSVs, Vidur mlp.csv and attention.csv, LLMServingSim\n"
                   "layers.csv and attention.csv, XLA matmul_sm90.csv (docs/cost.md).",
    .help_column = 14,
};

static int add_spec(const ps_option *opt, const char *value, ps_error *err)
{
    calibrate_ops_args *a = opt->data;
    bool fit = !strcmp(opt->long_name, "ops");
    int *n = fit ? &a->nfit : &a->nhold;
    if (*n == MAX_SPECS)
        return ps_error_set(err, PS_EINPUT, "more than %d files", MAX_SPECS);
    (fit ? a->fit : a->hold)[(*n)++] = value;
    return PS_OK;
}

/* Returns PS_OK to go on, PS_OPTIONS_HELP after --help, else the error code. */
static int parse_args(int argc, char **argv, calibrate_ops_args *a, ps_error *err)
{
    snprintf(a->gpu_help, sizeof a->gpu_help, "the GPU the file is for:");
    for (int i = 0; i < ps_gpu_catalog_count(); i++)
        snprintf(a->gpu_help + strlen(a->gpu_help), sizeof a->gpu_help - strlen(a->gpu_help), " %s",
                 ps_gpu_catalog_at(i)->name);
    const ps_option opts[] = {
        PS_OPT_CALLBACK(0, "ops", "SPEC", "data to fit on; repeatable, and every argument after it too", add_spec, a,
                        PS_OPT_GREEDY),
        PS_OPT_CALLBACK(0, "holdout", "SPEC", "data the fit never sees, for error.model / error.scaled; repeatable",
                        add_spec, a, PS_OPT_GREEDY),
        PS_OPT_STRING(0, "gpu", &a->gpu_name, "MODEL", a->gpu_help),
        PS_OPT_STRING('o', "output", &a->output, "FILE", "where to write (atomically)"),
        PS_OPT_TEXT("SPEC = FILE[@KEY=V1,V2][@KEY!=V...]: keep rows by tp, model, op, kind or dtype,\n"
                    "e.g. mlp.csv@tp=1 or gemm_graph.csv@model!=llama3.1-405b."),
        PS_OPT_END(),
    };
    return ps_options_parse(&calibrate_ops_help, opts, argc, argv, NULL, NULL, err);
}

/* Required options, a known GPU, and an output that is none of the inputs. */
static int check_args(const calibrate_ops_args *a, const ps_gpu_spec **gpu, ps_error *err)
{
    if (!a->gpu_name || !a->output || a->nfit == 0)
        return ps_error_set(err, PS_EINPUT, "--ops, --gpu and -o are required (see parsim calibrate --help)");
    *gpu = ps_gpu_find(a->gpu_name);
    if (!*gpu)
        return ps_error_set(err, PS_EINPUT, "--gpu %s: unknown GPU (see parsim platform --list)", a->gpu_name);
    for (int i = 0; i < a->nfit + a->nhold; i++) {
        char path[1024];
        const char *spec = i < a->nfit ? a->fit[i] : a->hold[i - a->nfit];
        snprintf(path, sizeof path, "%.*s", (int)strcspn(spec, "@"), spec);
        if (ps_same_file(a->output, path))
            return ps_error_set(err, PS_EINPUT, "-o %s is the input %s; write the coefficients elsewhere", a->output,
                                path);
    }
    return PS_OK;
}

static int read_specs(ps_cost_points *pts, const char *const *specs, int n, ps_error *err)
{
    for (int i = 0; i < n; i++) {
        int rc = ps_cost_points_read(pts, specs[i], err);
        if (rc)
            return rc;
    }
    return PS_OK;
}

/* The header comment of the file: the data, the split and the command. */
static void header_text(ps_strbuf *h, const ps_gpu_spec *gpu, const calibrate_ops_args *a, int argc, char **argv)
{
    ps_strbuf_appendf(h, "parsim op cost coefficients for %s (docs/cost.md explains every key).\n", gpu->name);
    ps_strbuf_appendf(h, "Fitted on (the only data the fit saw):\n");
    for (int i = 0; i < a->nfit; i++)
        ps_strbuf_appendf(h, "  %s\n", a->fit[i]);
    ps_strbuf_appendf(h, "Held out (error.model on %s, error.scaled on other GPUs):\n", gpu->name);
    for (int i = 0; i < a->nhold; i++)
        ps_strbuf_appendf(h, "  %s\n", a->hold[i]);
    /* The output is named by its base name, so that regenerating the file elsewhere (the
     * byte-for-byte test) writes the same bytes. */
    ps_strbuf_appendf(h, "Command:\n  parsim");
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i], *slash = strrchr(arg, '/');
        bool out = i > 0 && (!strcmp(argv[i - 1], "-o") || !strcmp(argv[i - 1], "--output"));
        ps_strbuf_appendf(h, " %s", out && slash ? slash + 1 : arg);
    }
    ps_strbuf_appendf(h, "\n");
}

/* One measurement as text: everything that tells two rows apart (GPU, data set, model, TP, op
 * label, the whole query, the time to the last bit). */
static void point_key(const ps_cost_points *pts, size_t i, char *key, size_t size)
{
    ps_cost_point_view v;
    ps_cost_points_at(pts, i, &v);
    const ps_cost_query *q = &v.query;
    snprintf(key, size, "%s|%s|%s|%d|%s|%d|%d|%d|%d|%d|%s|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%a",
             v.gpu, v.source, v.model, v.tp, v.op, (int)q->kind, (int)q->dtype, (int)q->launch, (int)q->phase,
             (int)q->sampler, q->op_id, (long long)q->m, (long long)q->n, (long long)q->k, (long long)q->seqs,
             (long long)q->tokens, (long long)q->context, (long long)q->prefix, (long long)q->heads,
             (long long)q->kv_heads, (long long)q->head_dim, (long long)q->width, v.measured_us);
}

#define POINT_KEY_BYTES 400

static int cmp_key(const void *a, const void *b) { return strcmp(a, b); }

/* A held-out point that is also a fit point is no held-out error: `--ops f.csv --holdout f.csv`
 * (or overlapping @filters) reported the fit residual as "held-out 33.8 % (7 points)". */
static int check_holdout_unseen(const ps_cost_points *fit_pts, const ps_cost_points *hold,
                                ps_error *err)
{
    size_t nf = ps_cost_points_count(fit_pts), nh = ps_cost_points_count(hold);
    if (nf == 0 || nh == 0)
        return PS_OK;
    char *keys = malloc(nf * POINT_KEY_BYTES);
    if (!keys)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    for (size_t i = 0; i < nf; i++)
        point_key(fit_pts, i, keys + i * POINT_KEY_BYTES, POINT_KEY_BYTES);
    qsort(keys, nf, POINT_KEY_BYTES, cmp_key);
    int rc = PS_OK;
    for (size_t i = 0; !rc && i < nh; i++) {
        char key[POINT_KEY_BYTES];
        point_key(hold, i, key, sizeof key);
        if (bsearch(key, keys, nf, POINT_KEY_BYTES, cmp_key)) {
            ps_cost_point_view v;
            ps_cost_points_at(hold, i, &v);
            rc = ps_error_set(err, PS_EINPUT, "--holdout: held-out point %zu (%s %s %s, %g us) is also in the --ops "
                              "data: held-out errors must come from data the fit never saw (split the files or their "
                              "@filters)", i + 1, v.gpu, v.source, v.op[0] ? v.op : v.model, v.measured_us);
        }
    }
    free(keys);
    return rc;
}

/* Reads the data, fits and writes the file; the fit's summary and one line go to stderr. */
static int fit(const calibrate_ops_args *a, const ps_gpu_spec *gpu, int argc, char **argv, ps_error *err)
{
    ps_cost_points *pf = ps_cost_points_new(), *ph = ps_cost_points_new();
    int rc = pf && ph ? PS_OK : ps_error_set(err, PS_EINTERNAL, "out of memory");
    if (!rc)
        rc = read_specs(pf, a->fit, a->nfit, err);
    if (!rc)
        rc = read_specs(ph, a->hold, a->nhold, err);
    if (!rc)
        rc = check_holdout_unseen(pf, ph, err);
    /* with no point the fit wrote unfitted defaults and said "0 points fitted" with exit 0 */
    if (!rc && ps_cost_points_count(pf) == 0)
        rc = ps_error_set(err, PS_EINPUT, "--ops: %s%s: no measured point to fit (no data row%s, or its @filter kept "
                          "none)", a->fit[0], a->nfit > 1 ? " ..." : "", a->nfit > 1 ? " in any of the files" : "");
    char summary[4096] = "";
    if (!rc) {
        ps_strbuf h = {0};
        header_text(&h, gpu, a, argc, argv);
        rc = ps_cost_fit_write(gpu, pf, ph, h.data, a->output, summary, sizeof summary, err);
        ps_strbuf_free(&h);
    }
    if (!rc)
        fprintf(stderr, "%sparsim calibrate: %zu points fitted, %zu held out, wrote %s\n", summary,
                ps_cost_points_count(pf), ps_cost_points_count(ph), a->output);
    ps_cost_points_free(pf);
    ps_cost_points_free(ph);
    return rc;
}

int cmd_calibrate_ops(int argc, char **argv, ps_error *err)
{
    static calibrate_ops_args a; /* the spec lists and the generated help: not on the stack */
    memset(&a, 0, sizeof a);
    const ps_gpu_spec *gpu = NULL;
    int rc = parse_args(argc, argv, &a, err);
    if (rc == PS_OPTIONS_HELP)
        return PS_OK;
    if (rc || (rc = check_args(&a, &gpu, err)))
        return rc;
    return fit(&a, gpu, argc, argv, err);
}
