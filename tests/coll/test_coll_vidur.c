/* tests/coll/test_coll_vidur.c: the collective model vs Microsoft Vidur's NCCL profiles
 * (../shared/data/vidur, provenance in its SOURCE.md; skipped with exit 77 when absent).
 *   test_coll_vidur h100-sendrecv   h100_dgx/send_recv.csv: a 2-GPU send/recv across 2 DGX H100
 *                                   nodes (devices_per_node=1: through the NICs) and inside one
 *                                   node, vs `send` on dgx-h100-x2 (ranks 0 -> 8 and 0 -> 1)
 *   test_coll_vidur a100-allreduce  a100_dgx/all_reduce.csv: 2..16 GPUs on 1 and 2 nodes vs a
 *                                   generated 2 x 8 A100 DGX platform (NVSwitch gen2, no NVLS,
 *                                   one 200 Gb/s HDR NIC per GPU)
 * Vidur's numbers are the median over 3 profiling steps of the median NCCL KERNEL time of 11 calls
 * (no host launch cost), fp16, sizes 2 KiB .. 64 MiB. The model is the closed form (equal to the
 * simulation on an idle platform: coll.sim.exact / coll.sim.tree). No sidecar exists for these
 * platforms, so every number below is NCCL's own constants on the platform's links: these are
 * prediction errors, not fit residuals.
 *
 * Checks are two-sided bands around the medians measured today (printed by the test, tabulated
 * in docs/validation.md): model, constants and data are deterministic, so a median moves only
 * when the model changes. The band is +-2 points (BAND): wide enough for a change too small to
 * matter (a libm difference; with 994 densely spaced sizes a tiny shift moves a median by far
 * less than a point), narrow enough that any real change, better OR worse, fails and forces the
 * numbers here and in docs/validation.md to be updated with it. A one-sided bound (the old "at
 * most 95 %") would have let the A100 2-node error improve or degrade by tens of points unseen.
 */
#include <math.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "parsim/coll.h"
#include "parsim/platform.h"

#define MAX_ROWS 8192
#define BAND 0.02 /* +-2 points around the measured median |error|: see the header comment */

/* |got - want| <= BAND, printing both when not. */
static bool in_band(const char *what, double got, double want)
{
    if (fabs(got - want) <= BAND)
        return true;
    printf("%s: median |err| %.1f %% is outside %.1f +- %.0f %%: update the test and "
           "docs/validation.md\n", what, 100 * got, 100 * want, 100 * BAND);
    return false;
}

typedef struct vrow {
    double median_ms;
    int workers;
    double size;
    int per_node;
} vrow;

static const char *mode;
static char csv_path[1024];
static vrow rows[MAX_ROWS];
static int n_rows;

/* Vidur CSV: ",time_stats.X.min,max,mean,median,std,rank,num_workers,size,collective,
 * devices_per_node,max_devices_per_node" (SOURCE.md); plain numbers, no quoting. */
static void read_csv(void)
{
    FILE *f = fopen(csv_path, "r");
    assert_non_null(f);
    char line[1024];
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f) && n_rows < MAX_ROWS) {
        char *field[12];
        int nf = 0;
        for (char *p = line, *tok; nf < 12 && (tok = strsep(&p, ",\n"));)
            field[nf++] = tok;
        assert_true(nf >= 12);
        rows[n_rows++] = (vrow){strtod(field[4], NULL), atoi(field[7]), strtod(field[8], NULL),
                                atoi(field[10])};
    }
    fclose(f);
    assert_true(n_rows > 100);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct stats {
    int count;
    double median_abs, median_signed, small_abs, large_abs; /* small: < 1 MiB, large: >= 1 MiB */
    char algos[64];
} stats;

static double median_of(double *v, int n)
{
    if (n == 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Errors (predicted / measured - 1) of one (workers, per_node) group of rows on `group`. */
static stats compare(ps_coll_group *group, ps_coll_op op, int workers, int per_node)
{
    static double all[MAX_ROWS], sig[MAX_ROWS], small[MAX_ROWS], large[MAX_ROWS];
    stats s = {0, 0, 0, 0, 0, ""};
    int ns = 0, nl = 0;
    ps_coll_algo first = PS_ALGO_AUTO, last = PS_ALGO_AUTO;
    for (int i = 0; i < n_rows; i++) {
        if (rows[i].workers != workers || rows[i].per_node != per_node || !(rows[i].median_ms > 0))
            continue;
        ps_coll_call call = {op, rows[i].size, 0, PS_ALGO_AUTO, PS_PROTO_AUTO, 0, 0};
        ps_coll_result r;
        ps_error err = {0, ""};
        assert_int_equal(ps_coll_predict(group, &call, &r, &err), PS_OK);
        double e = r.time_s / (rows[i].median_ms * 1e-3) - 1;
        all[s.count] = fabs(e);
        sig[s.count++] = e;
        if (rows[i].size < 1048576)
            small[ns++] = fabs(e);
        else
            large[nl++] = fabs(e);
        if (first == PS_ALGO_AUTO)
            first = r.algo;
        last = r.algo;
    }
    s.median_abs = median_of(all, s.count);
    s.median_signed = median_of(sig, s.count);
    s.small_abs = median_of(small, ns);
    s.large_abs = median_of(large, nl);
    snprintf(s.algos, sizeof s.algos, "%s..%s", ps_coll_algo_name(first), ps_coll_algo_name(last));
    printf("%s: %d GPUs, %d per node: %d sizes, median |err| %.1f %% (< 1 MiB %.1f %%, >= 1 MiB "
           "%.1f %%), median signed %+.1f %%, algo %s\n", mode, workers, per_node, s.count,
           100 * s.median_abs, 100 * s.small_abs, 100 * s.large_abs, 100 * s.median_signed,
           s.algos);
    return s;
}

static ps_platform *pf;
static ps_coll_ctx *ctx;

static void load_platform(const char *path)
{
    ps_error err = {0, ""};
    assert_int_equal(ps_platform_load(path, &pf, &err), PS_OK);
    assert_int_equal(ps_coll_ctx_create(pf, NULL, &ctx, &err), PS_OK); /* NCCL's constants */
}

static ps_coll_group *group_on_nodes(int workers, int per_node)
{
    int ranks[16];
    for (int i = 0; i < workers; i++)
        ranks[i] = (i / per_node) * 8 + i % per_node; /* node-major, local GPUs 0.. on each node */
    ps_coll_group *g;
    ps_error err = {0, ""};
    assert_int_equal(ps_coll_group_create(ctx, workers, ranks, &g, &err), PS_OK);
    return g;
}

/* H100 send/recv. Across nodes the transfer crosses one 400 Gb/s NIC each way (50 GB/s); NCCL's
 * p2p efficiency 0.824 (an NVLink figure, params.c) gives 41 GB/s where Vidur measured ~36 GB/s
 * at 64 MiB (SOURCE.md), and its small sizes are ~17-20 us (kernel time of a blocking send with
 * a remote wake-up): the model's base 6.6 us + NCCL's Simple network step, 14 us, which inter-node
 * p2p always runs (model.c coll_net_hop_us; it was the 3.5 us route before, < 1 MiB 36.2 %).
 * Measured median |err|: across nodes 10.8 % (>= 1 MiB 10.8 %, < 1 MiB 9.7 %), inside a node
 * 2.5 % (2.4 / 3.4 %); both too fast (the inter-node gap is the p2p efficiency, which no
 * sidecar fits for NICs yet). */
static void test_h100_sendrecv(void **state)
{
    (void)state;
    char path[1024];
    const char *src = getenv("PARSIM_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/platforms/dgx-h100-x2.xml", src ? src : ".");
    load_platform(path);
    read_csv();
    ps_coll_group *inter = group_on_nodes(2, 1), *intra = group_on_nodes(2, 2);
    stats a = compare(inter, PS_COLL_SEND, 2, 1);
    stats b = compare(intra, PS_COLL_SEND, 2, 2);
    assert_true(a.count > 900 && b.count > 900);
    bool ok = in_band("across nodes, all sizes", a.median_abs, 0.108);
    ok &= in_band("across nodes, >= 1 MiB", a.large_abs, 0.108);
    ok &= in_band("across nodes, < 1 MiB", a.small_abs, 0.097);
    ok &= in_band("inside a node, all sizes", b.median_abs, 0.025);
    ok &= in_band("inside a node, >= 1 MiB", b.large_abs, 0.024);
    ok &= in_band("inside a node, < 1 MiB", b.small_abs, 0.034);
    assert_true(ok);
    assert_true(a.median_signed < 0 && b.median_signed < 0); /* both too fast, see above */
    ps_coll_group_free(inter);
    ps_coll_group_free(intra);
    ps_coll_ctx_free(ctx);
    ps_platform_free(pf);
}

/* A100 DGX all_reduce, 1 and 2 nodes. The platform: 8 x A100 SXM per node on NVSwitch gen2 (no
 * NVLS), one ConnectX-6 HDR 200 Gb/s NIC per GPU (NVIDIA DGX A100 datasheet: 8 single-port
 * ConnectX-6 VPI for the compute fabric). NCCL's Hopper constants are used for an Ampere GPU
 * (A100 NVLink: 12 x 20 GB/s = 240 of 300 GB/s, 0.80 vs Hopper's 0.824; its llMaxBw is 87.7 not
 * 141): a known bias, reported, not fitted. Measured median |err| (signed: all negative, the
 * model is faster): one node 2/4/8 GPUs 43.5 / 34.1 / 28.6 %; two nodes (per node 1/2/4/8)
 * 71.5 / 83.1 / 73.6 / 88.3 % (80.6 / 90.7 % for the Tree groups before NCCL's per-channel Tree
 * caps across nodes, model.c coll_tree_net_cap_gbps). The two-node data cannot come from 8 x 200 Gb/s rails: a 2-GPU
 * (1 per node) all_reduce of 64 MiB takes 11.4 ms, i.e. ~5.9 GB/s through one NIC, and 16 GPUs
 * on 2 nodes take 7.2 ms, no faster than 2 x 8 GPUs sharing ONE ~50-100 Gb/s path per node would
 * be; per-GPU 50 Gb/s rails fit the 1-GPU-per-node group (13 %) but still not 16 GPUs (74 %).
 * Vidur's cluster network is not documented (SOURCE.md), so we keep the DGX datasheet platform;
 * the bands (header comment) pin today's errors so that a better network model shows. */
static void test_a100_allreduce(void **state)
{
    (void)state;
    char dir[] = "/tmp/parsim-vidur-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[1100];
    snprintf(path, sizeof path, "%s/dgx-a100-x2.xml", dir);
    ps_platform_spec spec = {NULL, "a100-sxm", 2, 8, PS_FABRIC_NVSWITCH, 25e9,
                             "2 x DGX A100 (test_coll_vidur)", NULL, 0, NULL, 0};
    ps_error err = {0, ""};
    assert_int_equal(ps_platform_generate_file(&spec, path, &err), PS_OK);
    load_platform(path);
    unlink(path);
    rmdir(dir);
    read_csv();
    static const struct {
        int workers, per_node;
        double measured; /* median |err| today, all sizes */
    } groups[] = {{2, 1, 0.715}, {2, 2, 0.435}, {4, 2, 0.831}, {4, 4, 0.341},
                  {8, 4, 0.736}, {8, 8, 0.286}, {16, 8, 0.883}};
    bool ok = true;
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        ps_coll_group *g = group_on_nodes(groups[i].workers, groups[i].per_node);
        stats s = compare(g, PS_COLL_ALL_REDUCE, groups[i].workers, groups[i].per_node);
        assert_true(s.count > 900);
        char what[64];
        snprintf(what, sizeof what, "%d GPUs, %d per node", groups[i].workers, groups[i].per_node);
        ok &= in_band(what, s.median_abs, groups[i].measured);
        assert_true(s.median_signed < 0); /* see above: the model is faster everywhere */
        ps_coll_group_free(g);
    }
    assert_true(ok);
    ps_coll_ctx_free(ctx);
    ps_platform_free(pf);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_coll_vidur h100-sendrecv|a100-allreduce\n");
        return 2;
    }
    mode = argv[1];
    const char *data = getenv("PARSIM_SHARED_DATA");
    const char *file = !strcmp(mode, "h100-sendrecv") ? "h100_dgx/send_recv.csv"
                     : !strcmp(mode, "a100-allreduce") ? "a100_dgx/all_reduce.csv" : NULL;
    if (!file) {
        fprintf(stderr, "test_coll_vidur: unknown mode '%s'\n", mode);
        return 2;
    }
    snprintf(csv_path, sizeof csv_path, "%s/vidur/data/profiling/network/%s",
             data ? data : "../shared/data", file);
    if (access(csv_path, R_OK)) {
        printf("skipped: %s not found (set PARSIM_SHARED_DATA)\n", csv_path);
        return 77;
    }
    const struct CMUnitTest h100[] = {cmocka_unit_test(test_h100_sendrecv)};
    const struct CMUnitTest a100[] = {cmocka_unit_test(test_a100_allreduce)};
    if (!strcmp(mode, "h100-sendrecv"))
        return cmocka_run_group_tests_name(mode, h100, NULL, NULL);
    return cmocka_run_group_tests_name(mode, a100, NULL, NULL);
}
