/* tests/coll/test_coll_accuracy.c: the shipped calibration against the measured curves of
 * ../shared/data/nccl (PARSIM_SHARED_DATA; exit 77 when absent). test_coll_accuracy h100|h200.
 *
 * Targets and why (issue 4): per curve, the median |simulated/measured - 1| of time is at most
 * 10 % over sizes >= 1 MiB and at most 25 % below 1 MiB. Medians, because single nccl-tests
 * points jump by 10-20 % between neighbouring sizes (e.g. AIC all_reduce n8: 18.98 us at 16 KiB,
 * 18.44 us at 32 KiB; Together all_reduce: 69.2 us at 512 KiB between 37.9 and 46.5), which no
 * smooth model follows; 25 % below 1 MiB because there the time is a few us of launch and
 * protocol latency whose run-to-run spread is itself ~10-20 %. Peaks: the 8-GPU all_reduce at
 * 8 GiB must give 470-490 GB/s busbw with the default algorithm (NVLS; published 476-482) and
 * 360-375 GB/s ring-only (measured 368), nccl-model.md section 1.
 * Times come from the closed form, which coll.sim.exact shows equals the SimGrid simulation on an
 * idle platform to 1e-9; `parsim nccl --compare` (scripts/validation-table.sh) runs the
 * simulation itself for docs/validation.md.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "parsim/coll.h"
#include "parsim/platform.h"

static const char *gpu;
static char data_dir[1024];
static ps_platform *pf;
static ps_coll_ctx *ctx;

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void check_curve(const char *file, ps_coll_op op, int n, ps_coll_algo algo, int g)
{
    char path[1400];
    snprintf(path, sizeof path, "%s/%s", data_dir, file);
    ps_nccl_curve c;
    ps_error err = {0, ""};
    if (ps_nccl_curve_read(path, &c, &err))
        fail_msg("%s", err.message);
    ps_nccl_row *rows = calloc((size_t)c.n_rows, sizeof *rows);
    double *big = calloc((size_t)c.n_rows, sizeof(double)), *small = calloc((size_t)c.n_rows, sizeof(double));
    assert_non_null(rows);
    assert_non_null(big);
    assert_non_null(small);
    ps_nccl_sweep sw = {op, n, c.size_bytes, c.n_rows, 2, algo, PS_PROTO_AUTO, g};
    assert_int_equal(ps_nccl_predict_rows(ctx, &sw, rows, &err), PS_OK);
    int nb = 0, ns = 0;
    for (int i = 0; i < c.n_rows; i++) {
        double e = fabs(rows[i].time_us / c.time_us[i] - 1);
        if (c.size_bytes[i] >= 1048576)
            big[nb++] = e;
        else
            small[ns++] = e;
    }
    double mb = median(big, nb), ms = median(small, ns);
    printf("%-55s median |err| >= 1 MiB %5.1f %%, < 1 MiB %5.1f %%\n", file, 100 * mb, 100 * ms);
    if (mb > 0.10 || ms > 0.25)
        fail_msg("%s: median errors %.3f (>= 1 MiB, max 0.10) and %.3f (< 1 MiB, max 0.25)", file, mb, ms);
    free(rows);
    free(big);
    free(small);
    ps_nccl_curve_free(&c);
}

static double peak_busbw(ps_coll_algo algo)
{
    double size = 8.0 * (1 << 30);
    ps_nccl_row row;
    ps_error err = {0, ""};
    ps_nccl_sweep sw = {PS_COLL_ALL_REDUCE, 8, &size, 1, 2, algo, PS_PROTO_AUTO, 1};
    assert_int_equal(ps_nccl_predict_rows(ctx, &sw, &row, &err), PS_OK);
    return row.busbw_gbps;
}

static void test_curves(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        ps_coll_op op;
    } ops[] = {{"allreduce", PS_COLL_ALL_REDUCE},
               {"allgather", PS_COLL_ALL_GATHER},
               {"reducescatter", PS_COLL_REDUCE_SCATTER}};
    char file[256];
    for (size_t o = 0; o < 3; o++)
        for (int n = 2; n <= 8; n *= 2) {
            snprintf(file, sizeof file, "%ssxm-aic-nccl2.29.2-%s-n%d-half.csv", gpu, ops[o].name, n);
            check_curve(file, ops[o].op, n, PS_ALGO_AUTO, 1);
        }
    if (!strcmp(gpu, "h100"))
        for (size_t o = 0; o < 3; o++) {
            /* NCCL_ALGO=RING, NVLS off, one thread driving 8 GPUs (-g 8) */
            snprintf(file, sizeof file, "h100x8-together-ring-g8-nccl2.26.2-%s.csv", ops[o].name);
            check_curve(file, ops[o].op, 8, PS_ALGO_RING, 8);
        }
}

static void test_peaks(void **state)
{
    (void)state;
    double nvls = peak_busbw(PS_ALGO_AUTO), ring = peak_busbw(PS_ALGO_RING);
    printf("8-GPU all_reduce at 8 GiB: default %.1f GB/s busbw, ring %.1f GB/s\n", nvls, ring);
    assert_true(nvls >= 470 && nvls <= 490);
    assert_true(ring >= 360 && ring <= 375);
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "h100") && strcmp(argv[1], "h200"))) {
        fprintf(stderr, "usage: test_coll_accuracy h100|h200\n");
        return 2;
    }
    gpu = argv[1];
    const char *shared = getenv("PARSIM_SHARED_DATA");
    struct stat st;
    snprintf(data_dir, sizeof data_dir, "%s/nccl", shared ? shared : "");
    if (!shared || stat(data_dir, &st) != 0) {
        fprintf(stderr, "SKIP: %s not found (PARSIM_SHARED_DATA)\n", data_dir);
        return 77;
    }
    char platform[1024];
    const char *src = getenv("PARSIM_SOURCE_DIR");
    snprintf(platform, sizeof platform, "%s/platforms/hgx-%s.xml", src ? src : ".", gpu);
    ps_error err = {0, ""};
    ps_coll_params params;
    char used[1100];
    if (ps_platform_load(platform, &pf, &err) ||
        ps_coll_params_for_platform(platform, NULL, &params, used, sizeof used, &err) ||
        ps_coll_ctx_create(pf, &params, &ctx, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    if (!used[0]) {
        fprintf(stderr, "no calibration sidecar beside %s\n", platform);
        return 1;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_curves), cmocka_unit_test(test_peaks)};
    int rc = cmocka_run_group_tests_name(gpu, tests, NULL, NULL);
    ps_coll_ctx_free(ctx);
    ps_platform_free(pf);
    return rc;
}
