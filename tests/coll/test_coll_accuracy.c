/* tests/coll/test_coll_accuracy.c: the collective model against the measured curves of
 * ../shared/data/nccl (PARSIM_SHARED_DATA; exit 77 when absent). Two kinds of numbers, never
 * mixed:
 *
 *   test_coll_accuracy h100|h200     FIT RESIDUALS: the shipped calibration
 *                                    (platforms/hgx-<gpu>.nccl.json) on the very curves it was
 *                                    fitted on (scripts/nccl-calibrate.sh). They show the model
 *                                    CAN follow the data, not that it predicts.
 *   test_coll_accuracy heldout-gpus  HELD OUT: a fit on the H100 2- and 4-GPU curves only (run
 *                                    here with ps_nccl_calibrate, as `parsim calibrate` does),
 *                                    tested on the 8-GPU curves it never saw.
 *   test_coll_accuracy heldout-h100-to-h200, heldout-h200-to-h100
 *                                    HELD OUT: the shipped H100 sidecar on the H200 curves, and
 *                                    the H200 sidecar on the H100 curves (each fit saw only its
 *                                    own GPU; both GPUs have the same NVLink4 and NVSwitch).
 * (One mode per process: SimGrid loads one platform per process.)
 *
 * Fit residual targets and why (issue 4): per curve, the median |simulated/measured - 1| of time
 * is at most 10 % over sizes >= 1 MiB and at most 25 % below 1 MiB. Medians, because single
 * nccl-tests points jump by 10-20 % between neighbouring sizes (e.g. AIC all_reduce n8: 18.98 us
 * at 16 KiB, 18.44 us at 32 KiB; Together all_reduce: 69.2 us at 512 KiB between 37.9 and 46.5),
 * which no smooth model follows; 25 % below 1 MiB because there the time is a few us of launch
 * and protocol latency whose run-to-run spread is itself ~10-20 %. Peaks: the 8-GPU all_reduce
 * at 8 GiB must give 470-490 GB/s busbw with the default algorithm (NVLS; published 476-482) and
 * 360-375 GB/s ring-only (measured 368), nccl-model.md section 1.
 *
 * Held-out checks are two-sided bands around the errors measured today (the tables below, also
 * in docs/validation.md): everything here is deterministic, so a median moves only when the
 * model, the fitter or the constants change; +-2 points lets a change too small to matter (a
 * libm difference, a last-digit constant) pass and makes any real change -- better or worse --
 * fail, so that the numbers here and in docs/validation.md are updated with it.
 *
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

static const char *mode;
static char data_dir[1024];
static ps_platform *pf;
static ps_coll_ctx *ctx;

static const char *const op_files[] = {"allreduce", "allgather", "reducescatter", "alltoall"};
static const ps_coll_op op_enums[] = {PS_COLL_ALL_REDUCE, PS_COLL_ALL_GATHER,
                                      PS_COLL_REDUCE_SCATTER, PS_COLL_ALLTOALL};

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

static void read_curve(const char *file, ps_coll_op op, int n, ps_coll_algo algo, int g,
                       ps_nccl_curve *c)
{
    char path[1400];
    snprintf(path, sizeof path, "%s/%s", data_dir, file);
    ps_error err = {0, ""};
    if (ps_nccl_curve_read(path, c, &err))
        fail_msg("%s", err.message);
    c->op = op;
    c->has_op = true;
    c->gpus = n;
    c->algo = algo;
    c->gpus_per_thread = g;
}

/* Median |error| of the current context's model on one curve, >= 1 MiB and < 1 MiB. */
static void curve_errors(const char *file, ps_coll_op op, int n, ps_coll_algo algo, int g,
                         double *mb, double *ms)
{
    ps_nccl_curve c;
    read_curve(file, op, n, algo, g, &c);
    ps_error err = {0, ""};
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
    *mb = median(big, nb);
    *ms = median(small, ns);
    free(rows);
    free(big);
    free(small);
    ps_nccl_curve_free(&c);
}

/* Fit residual: the issue-4 targets on a curve the sidecar was fitted on. */
static void check_fit_residual(const char *file, ps_coll_op op, int n, ps_coll_algo algo, int g)
{
    double mb, ms;
    curve_errors(file, op, n, algo, g, &mb, &ms);
    printf("fit residual  %-52s median |err| >= 1 MiB %5.1f %%, < 1 MiB %5.1f %%\n", file,
           100 * mb, 100 * ms);
    if (mb > 0.10 || ms > 0.25)
        fail_msg("%s: median errors %.3f (>= 1 MiB, max 0.10) and %.3f (< 1 MiB, max 0.25)", file, mb, ms);
}

/* Held out: the band of the header comment around today's errors (percent). */
#define HELDOUT_BAND_POINTS 2.0

static int check_heldout(const char *label, const char *file, ps_coll_op op, int n,
                         ps_coll_algo algo, int g, double want_big_pct, double want_small_pct)
{
    double mb, ms;
    curve_errors(file, op, n, algo, g, &mb, &ms);
    printf("held out (%s)  %-52s median |err| >= 1 MiB %5.1f %%, < 1 MiB %5.1f %%\n", label, file,
           100 * mb, 100 * ms);
    if (fabs(100 * mb - want_big_pct) > HELDOUT_BAND_POINTS ||
        fabs(100 * ms - want_small_pct) > HELDOUT_BAND_POINTS) {
        printf("  expected %.1f %% and %.1f %% (+-%.0f points): update this test and "
               "docs/validation.md\n", want_big_pct, want_small_pct, HELDOUT_BAND_POINTS);
        return 1;
    }
    return 0;
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

/* platforms/hgx-<gpu>.xml with the sidecar of `cal_gpu` (NULL: its own). */
static void load(const char *gpu, const char *cal_gpu)
{
    char platform[1024], cal[1024];
    const char *src = getenv("PARSIM_SOURCE_DIR");
    snprintf(platform, sizeof platform, "%s/platforms/hgx-%s.xml", src ? src : ".", gpu);
    snprintf(cal, sizeof cal, "%s/platforms/hgx-%s.nccl.json", src ? src : ".",
             cal_gpu ? cal_gpu : gpu);
    ps_error err = {0, ""};
    ps_coll_params params;
    char used[1100];
    if (ps_platform_load(platform, &pf, &err) ||
        ps_coll_params_for_platform(platform, cal, &params, used, sizeof used, &err) ||
        ps_coll_ctx_create(pf, &params, &ctx, &err))
        fail_msg("%s", err.message);
}

static void unload(void)
{
    ps_coll_ctx_free(ctx);
    ps_platform_free(pf);
    ctx = NULL;
    pf = NULL;
}

static void test_fit_residuals(void **state)
{
    (void)state;
    load(mode, NULL);
    char file[256];
    for (size_t o = 0; o < 3; o++) /* alltoall: fitted too, but the issue sets no target */
        for (int n = 2; n <= 8; n *= 2) {
            snprintf(file, sizeof file, "%ssxm-aic-nccl2.29.2-%s-n%d-half.csv", mode, op_files[o], n);
            check_fit_residual(file, op_enums[o], n, PS_ALGO_AUTO, 1);
        }
    if (!strcmp(mode, "h100"))
        for (size_t o = 0; o < 3; o++) {
            /* NCCL_ALGO=RING, NVLS off, one thread driving 8 GPUs (-g 8) */
            snprintf(file, sizeof file, "h100x8-together-ring-g8-nccl2.26.2-%s.csv", op_files[o]);
            check_fit_residual(file, op_enums[o], 8, PS_ALGO_RING, 8);
        }
    double nvls = peak_busbw(PS_ALGO_AUTO), ring = peak_busbw(PS_ALGO_RING);
    printf("fit residual  8-GPU all_reduce at 8 GiB: default %.1f GB/s busbw, ring %.1f GB/s\n",
           nvls, ring);
    assert_true(nvls >= 470 && nvls <= 490);
    assert_true(ring >= 360 && ring <= 375);
    unload();
}

/* Fit on the H100 AIC curves of 2 and 4 GPUs (all four collectives, default algorithm, -g 1;
 * no peak: the published peaks are 8-GPU numbers), test on the 8-GPU curves. What it shows:
 * the 8-GPU ring efficiency is NOT predictable from 2 and 4 GPUs (NCCL runs more channels on 8:
 * the fitted group-size scale is the part that does not extrapolate), so reduce_scatter is off
 * by about 20 % at >= 1 MiB, all_reduce and all_gather by 12-15 %; alltoall (p2p, no scale)
 * carries over. */
static void test_heldout_gpus(void **state)
{
    (void)state;
    load("h100", NULL);
    ps_nccl_curve curves[8];
    char file[256];
    int nc = 0;
    for (int n = 2; n <= 4; n *= 2)
        for (size_t o = 0; o < 4; o++) {
            snprintf(file, sizeof file, "h100sxm-aic-nccl2.29.2-%s-n%d-half.csv", op_files[o], n);
            read_curve(file, op_enums[o], n, PS_ALGO_AUTO, 1, &curves[nc++]);
        }
    ps_coll_params params;
    ps_coll_params_default(&params);
    double rms = 0;
    ps_error err = {0, ""};
    assert_int_equal(ps_nccl_calibrate(ctx, curves, nc, NULL, 0, &params, &rms, &err), PS_OK);
    ps_coll_ctx_set_params(ctx, &params);
    printf("fit on 2 and 4 GPUs: %d curves, rms log error %.3f (fit residual)\n", nc, rms);
    for (int i = 0; i < nc; i++)
        ps_nccl_curve_free(&curves[i]);
    /* all_reduce was 26.8 / 36.8 % while the fit set NVLS's latency from 2- and 4-GPU curves that
     * never run NVLS at small sizes; it keeps NCCL's 25 us since (calibrate.c). Before NVLS's
     * chunked form (model.c coll_nvls_pipeline_s) the medians >= 1 MiB were 12.5 / 14.9 / 19.7 %
     * (all_reduce / all_gather / reduce_scatter): the 2+4-GPU fit set NVLS's sqrt fill from
     * 4-GPU points alone and the ring's 8-GPU efficiency with it. */
    static const double want[4][2] = {{4.6, 16.3}, {7.0, 9.5}, {7.6, 9.7}, {3.4, 9.7}};
    int bad = 0;
    for (size_t o = 0; o < 4; o++) {
        snprintf(file, sizeof file, "h100sxm-aic-nccl2.29.2-%s-n8-half.csv", op_files[o]);
        bad += check_heldout("2,4 -> 8 GPUs", file, op_enums[o], 8, PS_ALGO_AUTO, 1, want[o][0],
                             want[o][1]);
    }
    unload();
    assert_int_equal(bad, 0);
}

/* The shipped sidecar of one GPU on the other's platform and curves. H100 -> H200: within 7 %
 * at >= 1 MiB everywhere, alltoall's small sizes ~17-22 % (as its fit residual). H200 -> H100
 * also covers the Together ring-only -g 8 curves: the H200 fit never saw a -g 8 run, so it has
 * no launch floor and the small sizes are 47-67 % too fast (the harness, not NCCL). */
static void test_heldout_gpu(void **state)
{
    (void)state;
    static const double h100_on_h200[3][4][2] = { /* [n 2,4,8][op] {>= 1 MiB, < 1 MiB} % */
        {{4.6, 3.3}, {4.3, 6.0}, {2.1, 4.9}, {3.0, 22.3}},
        {{2.8, 6.2}, {3.2, 5.3}, {5.5, 3.3}, {5.7, 22.2}},
        {{4.8, 10.4}, {4.8, 9.8}, {2.9, 7.8}, {2.4, 16.7}}};
    static const double h200_on_h100[3][4][2] = {
        {{3.6, 3.2}, {7.1, 6.2}, {3.6, 5.3}, {7.3, 23.9}},
        {{4.0, 8.5}, {4.1, 6.5}, {4.5, 3.5}, {5.9, 16.8}},
        {{4.4, 16.1}, {4.5, 9.3}, {4.5, 9.5}, {3.0, 11.4}}};
    static const double h200_on_together[3][2] = {{1.3, 47.1}, {4.7, 66.8}, {4.1, 66.7}};
    char file[256];
    int bad = 0;
    int dir = !strcmp(mode, "heldout-h100-to-h200") ? 0 : 1;
    {
        const char *gpu = dir == 0 ? "h200" : "h100", *cal = dir == 0 ? "h100" : "h200";
        const double(*want)[4][2] = dir == 0 ? h100_on_h200 : h200_on_h100;
        char label[32];
        snprintf(label, sizeof label, "%s fit -> %s", cal, gpu);
        load(gpu, cal);
        for (int k = 0, n = 2; n <= 8; k++, n *= 2)
            for (size_t o = 0; o < 4; o++) {
                snprintf(file, sizeof file, "%ssxm-aic-nccl2.29.2-%s-n%d-half.csv", gpu,
                         op_files[o], n);
                bad += check_heldout(label, file, op_enums[o], n, PS_ALGO_AUTO, 1, want[k][o][0],
                                     want[k][o][1]);
            }
        for (size_t o = 0; dir == 1 && o < 3; o++) {
            snprintf(file, sizeof file, "h100x8-together-ring-g8-nccl2.26.2-%s.csv", op_files[o]);
            bad += check_heldout(label, file, op_enums[o], 8, PS_ALGO_RING, 8,
                                 h200_on_together[o][0], h200_on_together[o][1]);
        }
        unload();
    }
    assert_int_equal(bad, 0);
}

int main(int argc, char **argv)
{
    static const char *const modes[] = {"h100", "h200", "heldout-gpus", "heldout-h100-to-h200",
                                        "heldout-h200-to-h100"};
    int m = -1;
    for (int i = 0; argc == 2 && i < 5; i++)
        if (!strcmp(argv[1], modes[i]))
            m = i;
    if (m < 0) {
        fprintf(stderr, "usage: test_coll_accuracy h100|h200|heldout-gpus|heldout-h100-to-h200|"
                "heldout-h200-to-h100\n");
        return 2;
    }
    mode = argv[1];
    const char *shared = getenv("PARSIM_SHARED_DATA");
    struct stat st;
    snprintf(data_dir, sizeof data_dir, "%s/nccl", shared ? shared : "");
    if (!shared || stat(data_dir, &st) != 0) {
        fprintf(stderr, "SKIP: %s not found (PARSIM_SHARED_DATA)\n", data_dir);
        return 77;
    }
    const struct CMUnitTest fit[] = {cmocka_unit_test(test_fit_residuals)};
    const struct CMUnitTest gpus[] = {cmocka_unit_test(test_heldout_gpus)};
    const struct CMUnitTest gpu[] = {cmocka_unit_test(test_heldout_gpu)};
    if (m < 2)
        return cmocka_run_group_tests_name(mode, fit, NULL, NULL);
    return m == 2 ? cmocka_run_group_tests_name(mode, gpus, NULL, NULL)
                  : cmocka_run_group_tests_name(mode, gpu, NULL, NULL);
}
