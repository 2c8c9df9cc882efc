/* tests/coll/test_coll_engine.c: the serving engines' own all-reduce algorithms (sim/coll/
 * allreduce_trtllm.c, allreduce_vllm.c, allreduce_engine.c). One SimGrid platform per process,
 * so one mode per ctest entry:
 *   rules-h100  the selection rules on 8 x H100 (TensorRT-LLM's SM90 table and workspace, vLLM's
 *               custom / symmetric-memory / NCCL limits), bad calls, and the closed form of a
 *               one-shot and a two-shot kernel computed here from the platform's own numbers;
 *   rules-mesh, rules-pcie, rules-b200  the topology and SM rules on other fabrics;
 *   exact       a SimGrid sweep of both engines equals their closed form on an idle platform;
 *   contention  a kernel slowed by a concurrent PP send on a GPU port it uses;
 *   validate    held-out comparison with the published H100 measurements of
 *               docs/data/engine-allreduce.csv (never fitted on them): prints the table
 *               docs/validation.md shows (scripts/engine-ar-validation.sh) and fails when a
 *               median error grows past its recorded bound.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <simgrid/actor.h>
#include <simgrid/engine.h>

#include "coll/allreduce_engine.h"
#include "parsim/coll.h"
#include "parsim/platform.h"

#include "coll_fixture.h"

static ps_platform *pf;
static ps_coll_ctx *ctx;
static ps_coll_group *groups[9]; /* groups[n]: GPUs 0..n-1 */

static void load(const char *name)
{
    coll_fixture_load(name, &pf, &ctx);
}

static ps_coll_group *group(int n)
{
    if (!groups[n]) {
        int ranks[8] = {0, 1, 2, 3, 4, 5, 6, 7};
        assert_int_equal(ps_coll_group_create(ctx, n, ranks, &groups[n], NULL), PS_OK);
    }
    return groups[n];
}

static void cleanup(void)
{
    for (int n = 0; n < 9; n++) {
        ps_coll_group_free(groups[n]);
        groups[n] = NULL;
    }
    ps_coll_ctx_free(ctx);
    ps_platform_free(pf);
}

static ps_coll_result pick(ps_coll_algo algo, int n, double bytes, double hidden)
{
    ps_coll_call call = {PS_COLL_ALL_REDUCE, bytes, 0, algo, PS_PROTO_AUTO, hidden * 2, 2};
    ps_coll_result r;
    ps_error err = {0, ""};
    if (ps_coll_predict(group(n), &call, &r, &err))
        fail_msg("%s on %d GPUs, %g B: %s", ps_coll_algo_name(algo), n, bytes, err.message);
    return r;
}

/* The kernel the engine picks ("nccl" for a fallback, with its reason containing `why`). */
static void expect(ps_coll_algo algo, int n, double bytes, double hidden, const char *kernel,
                   const char *why)
{
    ps_coll_result r = pick(algo, n, bytes, hidden);
    char tag[160];
    ps_coll_result_tag(&r, tag, sizeof tag);
    if (!strcmp(kernel, "nccl")) {
        if (r.kernel || !r.fallback_why || !strstr(r.fallback_why, why))
            fail_msg("%s, %d GPUs, %g B, hidden %g: got '%s', expected NCCL (%s)",
                     ps_coll_algo_name(algo), n, bytes, hidden, tag, why);
        assert_true(r.algo != algo && r.time_s > 0);
    } else if (!r.kernel || strcmp(r.kernel, kernel)) {
        fail_msg("%s, %d GPUs, %g B, hidden %g: got '%s', expected %s", ps_coll_algo_name(algo), n,
                 bytes, hidden, tag, kernel);
    }
}

#define KiB 1024.0
#define MiB (1024.0 * 1024.0)

static void test_rules_h100(void **state)
{
    (void)state;
    load("hgx-h100");
    /* TensorRT-LLM, SM90 table (customAllReduceUtils.h @005b299b), bf16, hidden 4096 unless said */
    expect(PS_ALGO_TRTLLM, 8, 64 * KiB, 4096, "oneshot", "");     /* 8 tokens */
    expect(PS_ALGO_TRTLLM, 8, 1 * MiB, 4096, "twoshot", "");      /* 128 tokens */
    expect(PS_ALGO_TRTLLM, 8, 512 * KiB, 8192, "twoshot", "");    /* 32 tokens of 8192 */
    expect(PS_ALGO_TRTLLM, 8, 256 * KiB, 8192, "oneshot", "");    /* 16 tokens of 8192 */
    expect(PS_ALGO_TRTLLM, 4, 128 * KiB, 4096, "twoshot", "");    /* TP4 row, 16 tokens */
    expect(PS_ALGO_TRTLLM, 4, 1 * MiB, 4096, "oneshot", "");      /* TP4 row, 128 tokens */
    expect(PS_ALGO_TRTLLM, 2, 12 * MiB, 4096, "oneshot", "");     /* 2 GPUs: 16 MB workspace */
    expect(PS_ALGO_TRTLLM, 8, 8 * MiB, 4096, "nccl", "8 MB workspace"); /* 8 MiB > 8e6 B */
    expect(PS_ALGO_TRTLLM, 2, 16 * MiB, 4096, "nccl", "16 MB workspace");
    /* out of the table: NCCL_SYMMETRIC, NCCL's symmetric kernels (multicast on NVLS) */
    expect(PS_ALGO_TRTLLM, 8, 128, 64, "nccl_symmetric_mc", "");          /* hidden < 128 */
    expect(PS_ALGO_TRTLLM, 8, 32 * KiB, 16384, "nccl_symmetric_mc", "");  /* 405B's hidden */
    expect(PS_ALGO_TRTLLM, 8, 2 * KiB, 1024, "oneshot", "");             /* 1 token of 1024 */
    expect(PS_ALGO_TRTLLM, 6, 64 * KiB, 4096, "twoshot", "");     /* TP6 reads the TP4 rows: 8 tokens */
    expect(PS_ALGO_TRTLLM, 6, 32 * KiB, 4096, "oneshot", "");     /* ... 4 tokens */
    /* vLLM: custom all-reduce below its SM 9.0 limit, then symmetric memory, then NCCL */
    expect(PS_ALGO_VLLM, 8, 128 * KiB, 0, "1stage", "");
    expect(PS_ALGO_VLLM, 8, 256 * KiB, 0, "symm_mem_multimem", ""); /* custom: < 256 KiB only */
    expect(PS_ALGO_VLLM, 8, 64 * MiB, 0, "nccl", "symmetric-memory limit");
    expect(PS_ALGO_VLLM, 4, 256 * KiB, 0, "1stage", "");
    expect(PS_ALGO_VLLM, 4, 512 * KiB, 0, "2stage", "");
    expect(PS_ALGO_VLLM, 4, 8 * MiB, 0, "symm_mem_multimem", "");  /* 8 MiB caps custom; SM 9.0
                                                                       multimem on 4 GPUs */
    expect(PS_ALGO_VLLM, 2, 8 * MiB, 0, "symm_mem_two_shot", "");
    expect(PS_ALGO_VLLM, 6, 1 * MiB, 0, "symm_mem_multimem", "");
    expect(PS_ALGO_VLLM, 2, 7 * MiB, 0, "1stage", "");             /* 2 GPUs: always 1stage */
    expect(PS_ALGO_VLLM, 3, 64 * KiB, 0, "nccl", "2, 4, 6, 8 GPUs");
    expect(PS_ALGO_VLLM, 8, 8, 0, "nccl", "multiple of 16");
    /* an fp8 tensor: neither engine's kernels take it */
    ps_coll_call fp8 = {PS_COLL_ALL_REDUCE, 64 * KiB, 0, PS_ALGO_TRTLLM, PS_PROTO_AUTO, 4096, 1};
    ps_coll_result r8;
    assert_int_equal(ps_coll_predict(group(8), &fp8, &r8, NULL), PS_OK);
    assert_null(r8.kernel);
    assert_non_null(strstr(r8.fallback_why, "fp16, bf16 or fp32"));
    fp8.algo = PS_ALGO_VLLM;
    assert_int_equal(ps_coll_predict(group(8), &fp8, &r8, NULL), PS_OK);
    assert_null(r8.kernel);
    /* engine algorithms are all_reduce only and pick their own kernels */
    ps_coll_call bad = {PS_COLL_ALL_GATHER, 1 * MiB, 0, PS_ALGO_TRTLLM, PS_PROTO_AUTO, 0, 0};
    ps_coll_result r;
    ps_error err = {0, ""};
    assert_int_equal(ps_coll_predict(group(8), &bad, &r, &err), PS_EINPUT);
    bad = (ps_coll_call){PS_COLL_ALL_REDUCE, 1 * MiB, 0, PS_ALGO_VLLM, PS_PROTO_LL, 0, 0};
    assert_int_equal(ps_coll_predict(group(8), &bad, &r, &err), PS_EINPUT);
    /* NCCL's tuner never picks them */
    ps_coll_call nccl = {PS_COLL_ALL_REDUCE, 64 * KiB, 0, PS_ALGO_AUTO, PS_PROTO_AUTO, 0, 0};
    assert_int_equal(ps_coll_predict(group(8), &nccl, &r, &err), PS_OK);
    assert_null(r.kernel);
    assert_true(r.algo != PS_ALGO_TRTLLM && r.algo != PS_ALGO_VLLM);

    /* The closed form, from the platform's own numbers: route latency lat and port bandwidth bw of
     * GPU 0 -> 1, the sidecar's p2p efficiency. One-shot on 8 GPUs: every GPU's port carries 7 S
     * each way in 1 step; two-shot: 7 x 2 S / 8 in 2 steps. Tolerance 1e-12 relative: the same
     * arithmetic in another order. */
    double bw, lat;
    assert_int_equal(ps_platform_route(pf, 0, 1, &bw, &lat, &err), PS_OK);
    double eff = ps_coll_ctx_params(ctx)->p2p.eff, s = 1 * MiB;
    const coll_engine_ar *trt = coll_engine_ar_of(PS_ALGO_TRTLLM);
    assert_int_equal(coll_engine_predict_kernel(group(8), trt, coll_engine_kernel_index(trt, "oneshot"),
                                                s, &r, &err), PS_OK);
    double want = COLL_ENGINE_KERNEL_FIXED_US * 1e-6 + lat + 7 * s / (eff * bw);
    assert_true(fabs(r.time_s - want) <= 1e-12 * want);
    assert_int_equal(coll_engine_predict_kernel(group(8), trt, coll_engine_kernel_index(trt, "twoshot"),
                                                s, &r, &err), PS_OK);
    want = COLL_ENGINE_KERNEL_FIXED_US * 1e-6 + 2 * lat + 7 * (2 * s / 8) / (eff * bw);
    assert_true(fabs(r.time_s - want) <= 1e-12 * want);
    cleanup();
}

static void test_rules_mesh(void **state)
{
    (void)state;
    load("mesh8-h200"); /* every pair NVLink-connected, no switch */
    expect(PS_ALGO_TRTLLM, 8, 1 * MiB, 4096, "twoshot", "");
    expect(PS_ALGO_TRTLLM, 8, 32 * KiB, 16384, "nccl_symmetric", ""); /* no switch: peer loads */
    expect(PS_ALGO_VLLM, 8, 64 * KiB, 0, "1stage", "");
    expect(PS_ALGO_VLLM, 8, 1 * MiB, 0, "nccl", "needs NVSwitch multicast");
    expect(PS_ALGO_VLLM, 4, 8 * MiB, 0, "nccl", "needs NVSwitch multicast");
    cleanup();
}

static void test_rules_pcie(void **state)
{
    (void)state;
    load("pcie8-h100");
    expect(PS_ALGO_TRTLLM, 4, 64 * KiB, 4096, "nccl", "no NVLink");
    expect(PS_ALGO_VLLM, 4, 64 * KiB, 0, "nccl", "no NVLink");
    expect(PS_ALGO_VLLM, 2, 1 * MiB, 0, "1stage", ""); /* 2 GPUs over PCIe P2P */
    cleanup();
}

static void test_rules_b200(void **state)
{
    (void)state;
    load("hgx-b200"); /* SM100 rows and limits */
    expect(PS_ALGO_TRTLLM, 8, 1 * MiB, 4096, "oneshot", ""); /* SM90 picks twoshot here */
    expect(PS_ALGO_TRTLLM, 8, 4 * MiB, 4096, "twoshot", "");
    expect(PS_ALGO_VLLM, 8, 512 * KiB, 0, "2stage", "");     /* SM 10.0: custom below 1 MiB */
    expect(PS_ALGO_VLLM, 8, 1 * MiB, 0, "symm_mem_multimem", "");
    cleanup();
}

/* One SimGrid run of both engines' sweeps equals their closed form (as coll.sim.exact for NCCL's
 * algorithms): tolerance 1e-9 relative + 1 ns, SimGrid's surf/precision. */
static void test_exact(void **state)
{
    (void)state;
    load("hgx-h200");
    double sizes[16];
    int count = 0;
    for (double s = 1024; s <= 256 * MiB; s *= 4)
        sizes[count++] = s;
    ps_nccl_sweep sw[2] = {{PS_COLL_ALL_REDUCE, 8, sizes, count, 2, PS_ALGO_TRTLLM, PS_PROTO_AUTO, 1},
                           {PS_COLL_ALL_REDUCE, 8, sizes, count, 2, PS_ALGO_VLLM, PS_PROTO_AUTO, 1}};
    ps_nccl_row sim[2][16], pred[2][16];
    ps_nccl_row *const rows[2] = {sim[0], sim[1]};
    ps_error err = {0, ""};
    for (int k = 0; k < 2; k++)
        assert_int_equal(ps_nccl_predict_rows(ctx, &sw[k], pred[k], &err), PS_OK);
    assert_int_equal(ps_nccl_simulate_many(ctx, sw, 2, rows, &err), PS_OK);
    int kernels = 0, fallbacks = 0;
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < count; i++) {
            double got = sim[k][i].time_us, want = pred[k][i].time_us;
            if (fabs(got - want) > 1e-9 * want + 1e-3)
                fail_msg("%s %g B: simulated %.9g us, closed form %.9g us",
                         ps_coll_algo_name(sw[k].algo), sizes[i], got, want);
            kernels += sim[k][i].kernel != NULL;
            fallbacks += sim[k][i].fallback_why != NULL;
            assert_true((sim[k][i].kernel == NULL) == (pred[k][i].kernel == NULL));
        }
    assert_true(kernels >= 8 && fallbacks >= 2); /* both paths ran */
    cleanup();
}

/* ---- contention: a kernel whose GPU port is shared with a PP send ---------------------------- */

typedef struct actor_arg {
    ps_coll_group *group;
    int member;
    ps_coll_call call;
    double time_s;
} actor_arg;

static void actor_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    actor_arg *a = sg_actor_self_get_data();
    double t0 = simgrid_get_clock();
    ps_coll_result r;
    if (ps_coll_run(a->group, a->member, &a->call, &r, NULL) == PS_OK)
        a->time_s = simgrid_get_clock() - t0;
}

static void test_contention(void **state)
{
    (void)state;
    load("hgx-h100");
    /* TP4 on GPUs 0-3, TensorRT-LLM two-shot of 4 MiB (SM90 TP4 row, 512 tokens of 4096); a
     * 256 MiB send from GPU 0 to GPU 4 at the same time shares GPU 0's up port. */
    int send_ranks[2] = {0, 4};
    ps_coll_group *send = NULL;
    assert_int_equal(ps_coll_group_create(ctx, 2, send_ranks, &send, NULL), PS_OK);
    ps_coll_call ar = {PS_COLL_ALL_REDUCE, 4 * MiB, 0, PS_ALGO_TRTLLM, PS_PROTO_AUTO, 8192, 2};
    ps_coll_result idle;
    assert_int_equal(ps_coll_predict(group(4), &ar, &idle, NULL), PS_OK);
    assert_string_equal(idle.kernel, "twoshot");
    actor_arg args[6];
    for (int i = 0; i < 4; i++)
        args[i] = (actor_arg){group(4), i, ar, 0};
    ps_coll_call pp = {PS_COLL_SEND, 256 * MiB, 0, PS_ALGO_AUTO, PS_PROTO_AUTO, 0, 0};
    for (int i = 0; i < 2; i++)
        args[4 + i] = (actor_arg){send, i, pp, 0};
    const int hosts[6] = {0, 1, 2, 3, 0, 4};
    for (int i = 0; i < 6; i++) {
        char name[16];
        snprintf(name, sizeof name, "a%d", i);
        sg_actor_t a = sg_actor_init(name, ps_platform_gpu_at(pf, hosts[i])->host);
        sg_actor_set_data(a, &args[i]);
        sg_actor_start(a, actor_main, 0, NULL);
    }
    simgrid_run();
    /* GPU 0's up port carries the kernel's 3 x 2 S / 4 and the send at once: max-min sharing
     * gives the kernel at most the port's half while both run, so its data phase is at least
     * 1.5x longer; 1.2x leaves room for the latency part, which does not slow. */
    assert_true(args[0].time_s > 1.2 * idle.time_s);
    ps_coll_group_free(send);
    cleanup();
}

/* ---- validation against published measurements (held out) ------------------------------------ */

typedef struct point {
    char source[32], engine[16], kernel[24], dtype[8], launch[12];
    int gpus;
    double bytes, measured_us, predicted_us;
} point;

#define MAX_POINTS 256

static int read_points(const char *path, point *pts)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    int n = 0;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return 0;
    }
    while (n < MAX_POINTS && fgets(line, sizeof line, f)) {
        point *p = &pts[n];
        if (sscanf(line, "%31[^,],%*[^,],%15[^,],%23[^,],%d,%7[^,],%lf,%lf,%11[^,\n]", p->source,
                   p->engine, p->kernel, &p->gpus, p->dtype, &p->bytes, &p->measured_us,
                   p->launch) == 8)
            n++;
    }
    fclose(f);
    return n;
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

static void print_pct(double v)
{
    if (isnan(v))
        printf(" - |");
    else
        printf(" %.1f %% |", 100 * v);
}

/* Median |error| of the points of one (source, engine, kernel) below and from 1 MiB. */
static void medians(const point *pts, int n, const point *key, double *small, double *big, int *count)
{
    double s[MAX_POINTS], b[MAX_POINTS];
    int ns = 0, nb = 0;
    for (int i = 0; i < n; i++) {
        const point *p = &pts[i];
        if (strcmp(p->source, key->source) || strcmp(p->engine, key->engine) ||
            strcmp(p->kernel, key->kernel))
            continue;
        double e = fabs(p->predicted_us / p->measured_us - 1);
        if (p->bytes >= MiB)
            b[nb++] = e;
        else
            s[ns++] = e;
    }
    *small = median(s, ns);
    *big = median(b, nb);
    *count = ns + nb;
}

/* Whether a row fitted COLL_ENGINE_ORDERED_SYNC_US (allreduce_engine.h): vLLM PR #24111's curves
 * of the kernels with ordered barriers. Every other row is held out. */
#define ORDERED_SYNC_FIT_SOURCE "vllm-pr24111"
static bool fitted_on(const point *p)
{
    const coll_engine_ar *e = coll_engine_ar_of(!strcmp(p->engine, "trtllm") ? PS_ALGO_TRTLLM : PS_ALGO_VLLM);
    int k = coll_engine_kernel_index(e, p->kernel);
    return !strcmp(p->source, ORDERED_SYNC_FIT_SOURCE) && k >= 0 && e->kernels[k].ordered_sync;
}

static void test_validate(void **state)
{
    (void)state;
    const char *src = getenv("PARSIM_SOURCE_DIR");
    char path[512];
    snprintf(path, sizeof path, "%s/docs/data/engine-allreduce.csv", src ? src : ".");
    static point pts[MAX_POINTS];
    int n = read_points(path, pts);
    if (n <= 0)
        fail_msg("cannot read %s", path);
    load("hgx-h100"); /* every published point is an 8 x H100 SXM node */
    for (int i = 0; i < n; i++) {
        point *p = &pts[i];
        ps_coll_algo algo = !strcmp(p->engine, "trtllm") ? PS_ALGO_TRTLLM : PS_ALGO_VLLM;
        int type = !strcmp(p->dtype, "fp32") ? 4 : 2;
        ps_coll_result r;
        ps_error err = {0, ""};
        if (!strcmp(p->kernel, "auto")) { /* the engine's own choice */
            ps_coll_call call = {PS_COLL_ALL_REDUCE, p->bytes, 0, algo, PS_PROTO_AUTO, 0, type};
            assert_int_equal(ps_coll_predict(group(p->gpus), &call, &r, &err), PS_OK);
        } else {
            const coll_engine_ar *e = coll_engine_ar_of(algo);
            int k = coll_engine_kernel_index(e, p->kernel);
            if (k < 0)
                fail_msg("%s: no kernel %s/%s", path, p->engine, p->kernel);
            assert_int_equal(coll_engine_predict_kernel(group(p->gpus), e, k, p->bytes, &r, &err), PS_OK);
        }
        p->predicted_us = r.time_s * 1e6;
    }
    /* The summary table docs/validation.md shows, then every point. */
    printf("| source | engine | kernel | GPUs | launch | data | points | median \\|err\\| < 1 MiB | >= 1 MiB |\n");
    printf("|---|---|---|---|---|---|---|---|---|\n");
    /* Bounds: the medians measured with the ordered-barrier cost (2026-12-02, allreduce_engine.h:
     * 1stage 9.1 / 6.5 %, 2stage 7.5 / 11.6 %, multimem 11.1 / 8.2 %, symm two-shot 3.5 / 13.3 %
     * -- these three are fit residuals, COLL_ENGINE_ORDERED_SYNC_US was fitted on them -- and
     * held out SGLang's eager vLLM 1stage 48.0 / 40.0 %, 2stage - / 17.0 %, TensorRT-LLM
     * 9.0 / 23.3 %) plus about a quarter (at least 2.5 points), so a change that makes a kernel's
     * prediction worse fails here. They are regression guards, not targets: docs/validation.md
     * says what the errors mean; sim/replay/predict.c's engine_ar_errors quotes the held-out ones. */
    static const struct {
        const char *source, *engine, *kernel;
        double small, big;
    } bound[] = {
        {"vllm-pr24111", "vllm", "1stage", 0.12, 0.09},
        {"vllm-pr24111", "vllm", "2stage", 0.10, 0.15},
        {"vllm-pr24111", "vllm", "symm_mem_multimem", 0.14, 0.11},
        {"vllm-pr24111", "vllm", "symm_mem_two_shot", 0.06, 0.17},
        {"sglang-pr2904", "vllm", "1stage", 0.60, 0.50},
        {"sglang-pr2904", "vllm", "2stage", 0.60, 0.22},
        {"sglang-pr2904", "trtllm", "auto", 0.12, 0.30},
    };
    int failures = 0;
    for (int i = 0; i < n; i++) {
        const point *p = &pts[i];
        bool first = true;
        for (int j = 0; j < i && first; j++)
            first = strcmp(pts[j].source, p->source) || strcmp(pts[j].engine, p->engine) ||
                    strcmp(pts[j].kernel, p->kernel);
        if (!first)
            continue;
        double small, big;
        int count;
        medians(pts, n, p, &small, &big, &count);
        char gpus[32] = "";
        for (int j = 0; j < n; j++) {
            const point *q = &pts[j];
            if (strcmp(q->source, p->source) || strcmp(q->engine, p->engine) || strcmp(q->kernel, p->kernel))
                continue;
            char one[8];
            snprintf(one, sizeof one, "%d", q->gpus);
            if (!strstr(gpus, one) && strlen(gpus) + 4 < sizeof gpus)
                snprintf(gpus + strlen(gpus), sizeof gpus - strlen(gpus), "%s%s", gpus[0] ? "," : "", one);
        }
        printf("| %s | %s | %s | %s | %s | %s | %d |", p->source, p->engine, p->kernel, gpus, p->launch,
               fitted_on(p) ? "fit residual" : "held out", count);
        print_pct(small);
        print_pct(big);
        printf("\n");
        for (size_t b = 0; b < sizeof bound / sizeof bound[0]; b++)
            if (!strcmp(bound[b].source, p->source) && !strcmp(bound[b].engine, p->engine) &&
                !strcmp(bound[b].kernel, p->kernel)) {
                if ((!isnan(small) && small > bound[b].small) || (!isnan(big) && big > bound[b].big)) {
                    fprintf(stderr, "%s %s/%s: median |error| %.3f / %.3f past its bound %.2f / %.2f\n",
                            p->source, p->engine, p->kernel, small, big, bound[b].small, bound[b].big);
                    failures++;
                }
            }
    }
    printf("\n| source | engine/kernel | GPUs | size (B) | measured (us) | predicted (us) | error |\n");
    printf("|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < n; i++) {
        const point *p = &pts[i];
        printf("| %s | %s/%s | %d | %.0f | %.1f | %.1f | %+.0f %% |\n", p->source, p->engine, p->kernel,
               p->gpus, p->bytes, p->measured_us, p->predicted_us, 100 * (p->predicted_us / p->measured_us - 1));
    }
    assert_int_equal(failures, 0);
    cleanup();
}

int main(int argc, char **argv)
{
    const struct {
        const char *name;
        void (*fn)(void **);
    } all[] = {{"rules-h100", test_rules_h100}, {"rules-mesh", test_rules_mesh},
               {"rules-pcie", test_rules_pcie}, {"rules-b200", test_rules_b200},
               {"exact", test_exact},           {"contention", test_contention},
               {"validate", test_validate}};
    for (size_t i = 0; argc == 2 && i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(argv[1], all[i].name)) {
            const struct CMUnitTest t[] = {cmocka_unit_test(all[i].fn)};
            return cmocka_run_group_tests_name(all[i].name, t, NULL, NULL);
        }
    fprintf(stderr, "usage: test_coll_engine rules-h100|rules-mesh|rules-pcie|rules-b200|exact|"
                    "contention|validate\n");
    return 2;
}
