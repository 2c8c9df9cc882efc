/* parsim calibrate --ops: fits the compute cost model's coefficients (core/cost/) to measured op
 * tables and writes one coefficient file (docs/cost.md). Dispatched from cmd_calibrate.c when
 * --ops is on the command line; the NCCL calibration is the rest of that file.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "parsim/cost.h"
#include "parsim/util.h"

#define MAX_SPECS 64

static void usage(FILE *out)
{
    fprintf(out,
            "usage: parsim calibrate --ops FILE[@FILTER]... [--holdout FILE[@FILTER]...] --gpu MODEL\n"
            "                        -o FILE.cost\n\n"
            "Fits the op cost model (GEMM, attention, element-wise, embedding) to measured kernel\n"
            "times, least squares on log time, deterministic, and writes a coefficient file with\n"
            "the held-out errors. Layouts are recognised by their header: traces/h200-torch-reference\n"
            "gemm/attention/memory_ops CSVs, Vidur mlp.csv and attention.csv, LLMServingSim\n"
            "layers.csv and attention.csv, XLA matmul_sm90.csv (docs/cost.md).\n\n"
            "  --ops SPEC       data to fit on; repeatable, and every argument after it too\n"
            "  --holdout SPEC   data the fit never sees, for error.model / error.scaled; repeatable\n"
            "  --gpu MODEL      the GPU the file is for (catalogue name, e.g. h200-sxm)\n"
            "  -o FILE          where to write (atomically)\n"
            "SPEC = FILE[@KEY=V1,V2][@KEY!=V...]: keep rows by tp, model, op, kind or dtype,\n"
            "e.g. mlp.csv@tp=1 or gemm_graph.csv@model!=llama3.1-405b.\n");
}

static int read_specs(ps_cost_points *pts, char **specs, int n, ps_error *err)
{
    for (int i = 0; i < n; i++) {
        int rc = ps_cost_points_read(pts, specs[i], err);
        if (rc)
            return rc;
    }
    return PS_OK;
}

/* The header comment of the file: the data, the split and the command. */
static void header_text(ps_strbuf *h, const ps_gpu_spec *gpu, char **fit, int nfit, char **hold, int nhold,
                        int argc, char **argv)
{
    ps_strbuf_appendf(h, "parsim op cost coefficients for %s (docs/cost.md explains every key).\n", gpu->name);
    ps_strbuf_appendf(h, "Fitted on (the only data the fit saw):\n");
    for (int i = 0; i < nfit; i++)
        ps_strbuf_appendf(h, "  %s\n", fit[i]);
    ps_strbuf_appendf(h, "Held out (error.model on %s, error.scaled on other GPUs):\n", gpu->name);
    for (int i = 0; i < nhold; i++)
        ps_strbuf_appendf(h, "  %s\n", hold[i]);
    /* The output is named by its base name, so that regenerating the file elsewhere (the
     * byte-for-byte test) writes the same bytes. */
    ps_strbuf_appendf(h, "Command:\n  parsim");
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *slash = strrchr(a, '/');
        bool out = i > 0 && (!strcmp(argv[i - 1], "-o") || !strcmp(argv[i - 1], "--output"));
        ps_strbuf_appendf(h, " %s", out && slash ? slash + 1 : a);
    }
    ps_strbuf_appendf(h, "\n");
}

int cmd_calibrate_ops(int argc, char **argv)
{
    enum { O_OPS = 256, O_HOLDOUT, O_GPU };
    static const struct option longs[] = {{"ops", required_argument, 0, O_OPS},
                                          {"holdout", required_argument, 0, O_HOLDOUT},
                                          {"gpu", required_argument, 0, O_GPU},
                                          {"output", required_argument, 0, 'o'},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    char *fit[MAX_SPECS], *hold[MAX_SPECS];
    int nfit = 0, nhold = 0, c, last = 0, rc = 0;
    const char *gpu_name = NULL, *output = NULL;
    ps_error err = {0, ""};
    unsigned char seen[512] = {0};
    char twice[64];
    optind = 1;
    opterr = 0;
    /* "-" + optstring: non-options come back as 1, in order, so they extend the last list. */
    while (!rc && (c = getopt_long(argc, argv, "-o:h", longs, NULL)) != -1) {
        if ((c == O_GPU || c == 'o') && ps_cli_repeated(longs, seen, c, twice, sizeof twice)) {
            rc = ps_error_set(&err, PS_EINPUT, "%s given twice (give each option once)", twice);
            break;
        }
        switch (c) {
        case O_OPS:
        case O_HOLDOUT:
            last = c;
            /* fall through */
        case 1:
            if (!last) {
                rc = ps_error_set(&err, PS_EINPUT, "unexpected argument '%s'", optarg);
            } else if ((last == O_OPS ? nfit : nhold) == MAX_SPECS) {
                rc = ps_error_set(&err, PS_EINPUT, "more than %d files", MAX_SPECS);
            } else if (last == O_OPS) {
                fit[nfit++] = optarg;
            } else {
                hold[nhold++] = optarg;
            }
            break;
        case O_GPU: gpu_name = optarg; last = 0; break;
        case 'o': output = optarg; last = 0; break;
        case 'h': usage(stdout); return 0;
        default:
            rc = ps_error_set(&err, PS_EINPUT, "unknown or incomplete option '%s' (see parsim calibrate --help)",
                              argv[optind - 1]);
        }
    }
    const ps_gpu_spec *gpu = gpu_name ? ps_gpu_find(gpu_name) : NULL;
    if (!rc && (!gpu_name || !output || nfit == 0))
        rc = ps_error_set(&err, PS_EINPUT, "--ops, --gpu and -o are required (see parsim calibrate --help)");
    if (!rc && !gpu)
        rc = ps_error_set(&err, PS_EINPUT, "--gpu %s: unknown GPU (see parsim platform --list)", gpu_name);
    for (int i = 0; !rc && i < nfit + nhold; i++) {
        char path[1024];
        const char *spec = i < nfit ? fit[i] : hold[i - nfit];
        snprintf(path, sizeof path, "%.*s", (int)strcspn(spec, "@"), spec);
        if (ps_same_file(output, path))
            rc = ps_error_set(&err, PS_EINPUT, "-o %s is the input %s; write the coefficients elsewhere", output, path);
    }
    ps_cost_points *pf = ps_cost_points_new(), *ph = ps_cost_points_new();
    if (!rc && (!pf || !ph))
        rc = ps_error_set(&err, PS_EINTERNAL, "out of memory");
    if (!rc)
        rc = read_specs(pf, fit, nfit, &err);
    if (!rc)
        rc = read_specs(ph, hold, nhold, &err);
    char summary[4096] = "";
    if (!rc) {
        ps_strbuf h = {0};
        header_text(&h, gpu, fit, nfit, hold, nhold, argc, argv);
        rc = ps_cost_fit_write(gpu, pf, ph, h.data, output, summary, sizeof summary, &err);
        ps_strbuf_free(&h);
    }
    if (!rc)
        fprintf(stderr, "%sparsim calibrate: %zu points fitted, %zu held out, wrote %s\n", summary,
                ps_cost_points_count(pf), ps_cost_points_count(ph), output);
    else
        fprintf(stderr, "parsim calibrate: %s\n", err.message);
    ps_cost_points_free(pf);
    ps_cost_points_free(ph);
    return rc;
}
