/* bench/bench_replay.c: speed of the replay engine (issue 11, "Speed"; target 500k op-graph ops
 * replayed per second on the 2-core machine, counted before merging).
 *   1. Llama 3.1 405B fp8 on hgx-h200, decode steps replayed back to back (12 passes each) for
 *      TP8 batch 64 (253 all-reduces per step), PP8 batch 256 (8 microbatches, hand-offs), TP4xPP2
 *      batch 128, and TP1 (one GPU, no communication: the merging's ceiling); wall time around
 *      replay_run_passes, ops/s and SimGrid activities per op.
 *   2. the headline predictions (`parsim predict`, the demo's cases) timed as processes, if the
 *      parsim binary is found (PARSIM_BIN, else build/bin/parsim).
 *   3. the in-flight scheduler's rounds per second on long runs (10^5 and 10^6 requests, Poisson
 *      and all at once): its bookkeeping, not the replay, is what grows with the request count
 *      (one round used to walk all R requests and copy 3 x 272 KB of step: 7.5 s for 10^4
 *      requests at 10/s, 0.14 s after).
 * Run from the source tree (or set PARSIM_SOURCE_DIR). Prints numbers; never fails on speed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parsim/coll.h"
#include "parsim/cost.h"
#include "parsim/platform.h"
#include "replay/replay_internal.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int op_cost(void *ctx, const ps_graph *g, int rank, const ps_op *op, replay_op_cost *out, ps_error *err)
{
    (void)g;
    (void)rank;
    ps_cost_query q;
    ps_cost_query_from_op(op, PS_LAUNCH_GRAPH, &q);
    ps_cost_answer a;
    if (ps_cost_estimate(ctx, &q, &a, err))
        return err->code;
    *out = (replay_op_cost){a.time_us * 1e-6, a.source, a.bound == PS_BOUND_COMPUTE, a.error_pct, a.in_envelope, 0};
    return PS_OK;
}

typedef struct bench_case {
    const char *name;
    int tp, pp;
    int64_t batch;
} bench_case;

static const bench_case cases[] = {{"TP8 batch 64", 8, 1, 64}, {"PP8 batch 256", 1, 8, 256},
                                   {"TP4xPP2 batch 128", 4, 2, 128}, {"TP1 batch 8 (1 GPU)", 1, 1, 8}};
#define NCASES (int)(sizeof cases / sizeof cases[0])
#define PASSES 12

typedef struct bench {
    ps_platform *pf;
    ps_coll_ctx *coll;
    ps_cost_model *cost;
    ps_model model;
    ps_precision prec;
} bench;

static int run_case(bench *b, const bench_case *c, ps_error *err)
{
    ps_plan plan;
    if (ps_plan_init(&plan, &b->model, c->tp, c->pp, 1, 0, NULL, 8, err))
        return err->code;
    ps_scenario sc = {c->batch, 2048, 128, 8192};
    ps_step step;
    ps_graph g;
    if (ps_step_decode(&plan, &sc, 0, &step, err) || ps_graph_build(&b->model, &b->prec, &plan, &step, &g, err))
        return err->code;
    replay_costing costing = {op_cost, b->cost, 0.015, 0.094, false};
    replay_graph rg;
    double t0 = now_s();
    int rc = replay_graph_prepare(&g, &costing, &rg, err);
    double t_prep = now_s() - t0;
    replay_engine *e = NULL;
    replay_engine_config cfg = {b->pf, b->coll, &plan, PS_ALGO_AUTO, false, NULL, 0, 0, 0};
    if (!rc)
        rc = replay_engine_create(&cfg, &e, err);
    if (!rc) {
        rg.feedback = true;
        const replay_graph *passes[PASSES];
        for (int i = 0; i < PASSES; i++)
            passes[i] = &rg;
        replay_result res;
        t0 = now_s();
        rc = replay_run_passes(e, passes, PASSES, &res, err);
        double wall = now_s() - t0;
        if (!rc) {
            printf("%-22s %8lld ops/pass %7lld segments/pass  prepare %6.1f ms  replay %7.1f ms  %8.0f k ops/s  "
                   "%.3f activities/op  step %.3f ms simulated\n",
                   c->name, (long long)rg.ops, (long long)rg.segments, t_prep * 1e3, wall * 1e3,
                   (double)res.ops / wall / 1e3, (double)res.activities / (double)res.ops,
                   (res.pass_end_s[PASSES - 1] - res.pass_end_s[PASSES - 2]) * 1e3);
            replay_result_free(&res);
        }
    }
    replay_engine_free(e);
    replay_graph_free(&rg);
    ps_graph_free(&g);
    return rc;
}

static int driver(replay_engine *unused, void *arg, ps_error *err)
{
    (void)unused;
    bench *b = arg;
    for (int i = 0; i < NCASES; i++)
        if (run_case(b, &cases[i], err))
            return err->code;
    return PS_OK;
}

static void headline(void)
{
    const char *bin = getenv("PARSIM_BIN") ? getenv("PARSIM_BIN") : "build/bin/parsim";
    FILE *f = fopen(bin, "r");
    if (!f) {
        printf("headline predictions: %s not found (set PARSIM_BIN)\n", bin);
        return;
    }
    fclose(f);
    static const char *const layouts[] = {"--tp 8", "--pp 8", "--tp 4 --pp 2", "--tp 2 --pp 4"};
    static const char *const loads[] = {"max", "1"};
    printf("headline predictions (parsim predict, Llama 3.1 405B fp8, hgx-h200, ISL 2048 OSL 128, inflight):\n");
    for (int l = 0; l < 4; l++)
        for (int k = 0; k < 2; k++) {
            char cmd[512];
            snprintf(cmd, sizeof cmd, "%s predict --model llama3.1-405b --dtype fp8 %s --platform hgx-h200 --batch %s "
                     "--isl 2048 --osl 128 >/dev/null", bin, layouts[l], loads[k]);
            double t0 = now_s();
            int rc = system(cmd);
            printf("  %-14s --batch %-4s %7.2f s%s\n", layouts[l], loads[k], now_s() - t0, rc ? " (failed)" : "");
        }
}

/* Rounds/s of `parsim predict`'s in-flight loop: iterations from its "run" line over the wall. */
static void scheduler_rounds(void)
{
    const char *bin = getenv("PARSIM_BIN") ? getenv("PARSIM_BIN") : "build/bin/parsim";
    static const char *const loads[] = {"--requests 100000 --rate 10", "--requests 1000000 --rate 10",
                                        "--requests 1000000 --batch max"};
    printf("in-flight scheduler (parsim predict, Llama 3.1 8B, hgx-h200 TP1, ISL 128 OSL 16):\n");
    for (int l = 0; l < 3; l++) {
        char cmd[512], line[512];
        snprintf(cmd, sizeof cmd, "%s predict --model llama3.1-8b --platform hgx-h200 --tp 1 --isl 128 --osl 16 %s",
                 bin, loads[l]);
        double t0 = now_s(), iterations = 0;
        FILE *p = popen(cmd, "r");
        if (!p) {
            printf("  %s: cannot run %s\n", loads[l], bin);
            return;
        }
        while (fgets(line, sizeof line, p))
            if (!strncmp(line, "run ", 4))
                sscanf(line, "run %*s requests, %lf iterations", &iterations);
        int rc = pclose(p);
        double wall = now_s() - t0;
        printf("  %-32s %9.0f rounds  %6.2f s  %8.0f k rounds/s%s\n", loads[l], iterations, wall,
               iterations / wall / 1e3, rc ? " (failed)" : "");
    }
}

int main(void)
{
    const char *src = getenv("PARSIM_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/platforms/hgx-h200.xml", src ? src : ".");
    ps_error err = {0, ""};
    bench b = {0};
    ps_coll_params params;
    char used[1100];
    b.model = *ps_model_find_preset("llama3.1-405b");
    replay_engine *e = NULL;
    ps_plan plan1;
    if (ps_precision_init(&b.prec, PS_DTYPE_FP8, &err) || ps_platform_load(path, &b.pf, &err) ||
        ps_coll_params_for_platform(path, NULL, &params, used, sizeof used, &err) ||
        ps_coll_ctx_create(b.pf, &params, &b.coll, &err) ||
        ps_cost_model_create(ps_gpu_find("h200-sxm"), NULL, &b.cost, &err) ||
        ps_plan_init(&plan1, &b.model, 1, 1, 1, 0, NULL, 8, &err)) {
        fprintf(stderr, "bench_replay: %s\n", err.message);
        return 1;
    }
    replay_engine_config cfg = {b.pf, b.coll, &plan1, PS_ALGO_AUTO, false, NULL, 0, 0, 0};
    if (replay_engine_create(&cfg, &e, &err) || replay_simulate(e, driver, &b, &err)) {
        fprintf(stderr, "bench_replay: %s\n", err.message);
        return 1;
    }
    replay_engine_free(e);
    ps_cost_model_free(b.cost);
    ps_coll_ctx_free(b.coll);
    ps_platform_free(b.pf);
    headline();
    scheduler_rounds();
    return 0;
}
