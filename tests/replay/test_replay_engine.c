/* tests/replay/test_replay_engine.c: the replay engine inside real SimGrid runs, one scenario per
 * process (SimGrid has one engine per process): test_replay_engine <scenario>.
 *   merge      Llama-3.1-8B TP2 x PP2 decode on hgx-h200, 3 passes: merged segments give the same
 *              pass ends as one exec per op (to 1e-9 relative: the ops run back to back on one
 *              GPU either way, only SimGrid's float rounding of summed durations differs), with
 *              far fewer activities; every op is replayed (ops counted before merging)
 *   serial     TP1 x PP1: a pass takes exactly the sum of its op durations (no communication)
 *   deadlock   TP2: rank 1's first all-reduce turned into a compute op: its next all-reduce meets
 *              rank 0's first one, refused by id (PS_EINPUT naming both ops, the rank, the stream)
 *   unmatched  PP2: rank 1's pp_recv turned into a compute op: rank 0's pp_send never completes
 *   overlap    a 1 ms GEMM beside a 10 GB send on the same GPU, share 10 %: the GEMM takes
 *              1 / (1 - 0.1) ms (the modelled share, applied exactly), and without the send 1 ms
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parsim/coll.h"
#include "parsim/graph.h"
#include "parsim/platform.h"
#include "replay/replay_internal.h"

static const char *scenario;

/* Every compute op costs 10 us + 1 ns per op index (distinct durations, deterministic). */
static int fixed_cost(void *ctx, const ps_graph *g, int rank, const ps_op *op, replay_op_cost *out, ps_error *err)
{
    (void)ctx;
    (void)g;
    (void)rank;
    (void)err;
    out->time_s = 10e-6 + 1e-9 * (double)(op - g->ranks[rank].ops);
    out->source = PS_COST_MODEL;
    out->compute_bound = op->kind == PS_OP_GEMM;
    out->error_pct = 1;
    out->in_envelope = true;
    return PS_OK;
}

typedef struct fixture {
    ps_platform *platform;
    ps_coll_ctx *coll;
    ps_model model;
    ps_precision prec;
    ps_plan plan;
    ps_graph graph;
    replay_engine *engine;
} fixture;

static void setup(fixture *f, int tp, int pp, int64_t batch, bool decode)
{
    ps_error err = {0, ""};
    assert_int_equal(ps_platform_load("platforms/hgx-h200.xml", &f->platform, &err), PS_OK);
    assert_int_equal(ps_coll_ctx_create(f->platform, NULL, &f->coll, &err), PS_OK);
    f->model = *ps_model_find_preset("llama3.1-8b");
    assert_int_equal(ps_precision_init(&f->prec, PS_DTYPE_BF16, &err), PS_OK);
    assert_int_equal(ps_plan_init(&f->plan, &f->model, tp, pp, 1, 0, NULL, 8, &err), PS_OK);
    ps_scenario sc = {batch, 256, 8, 8192};
    ps_step step;
    if (decode)
        assert_int_equal(ps_step_decode(&f->plan, &sc, 0, &step, &err), PS_OK);
    else
        assert_int_equal(ps_step_prefill(&f->plan, &sc, 0, &step, &err), PS_OK);
    assert_int_equal(ps_graph_build(&f->model, &f->prec, &f->plan, &step, &f->graph, &err), PS_OK);
    replay_engine_config cfg = {f->platform, f->coll, &f->plan, PS_ALGO_AUTO, false, NULL, 0, 0, 0};
    assert_int_equal(replay_engine_create(&cfg, &f->engine, &err), PS_OK);
}

static void teardown(fixture *f)
{
    replay_engine_free(f->engine);
    ps_graph_free(&f->graph);
    ps_coll_ctx_free(f->coll);
    ps_platform_free(f->platform);
}

typedef struct run_arg {
    const replay_graph *const *passes;
    int npasses;
    replay_result res[2];
    const replay_graph *const *passes2;
} run_arg;

static int driver(replay_engine *e, void *arg, ps_error *err)
{
    run_arg *a = arg;
    if (replay_run_passes(e, a->passes, a->npasses, &a->res[0], err))
        return err->code;
    if (a->passes2)
        return replay_run_passes(e, a->passes2, a->npasses, &a->res[1], err);
    return PS_OK;
}

static void test_merge(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 2, 2, 4, true);
    ps_error err = {0, ""};
    replay_costing merged = {fixed_cost, NULL, 0, 0, false}, split = {fixed_cost, NULL, 0, 0, true};
    replay_graph a, b;
    assert_int_equal(replay_graph_prepare(&f.graph, &merged, &a, &err), PS_OK);
    assert_int_equal(replay_graph_prepare(&f.graph, &split, &b, &err), PS_OK);
    a.feedback = b.feedback = true;
    assert_true(a.segments * 3 < b.segments); /* ~5 compute ops between two all-reduces */
    const replay_graph *pa[3] = {&a, &a, &a}, *pb[3] = {&b, &b, &b};
    run_arg arg = {pa, 3, {{0}}, pb};
    assert_int_equal(replay_simulate(f.engine, driver, &arg, &err), PS_OK);
    for (int p = 0; p < 3; p++) {
        double ta = arg.res[0].pass_end_s[p] - arg.res[0].start_s, tb = arg.res[1].pass_end_s[p] - arg.res[1].start_s;
        assert_true(fabs(ta - tb) <= 1e-9 * tb);
    }
    assert_int_equal(arg.res[0].ops, 3 * a.ops);
    assert_int_equal(arg.res[1].ops, 3 * a.ops);
    assert_true(arg.res[0].activities < arg.res[1].activities);
    replay_result_free(&arg.res[0]);
    replay_result_free(&arg.res[1]);
    replay_graph_free(&a);
    replay_graph_free(&b);
    teardown(&f);
}

static void test_serial(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 1, 1, 4, false);
    ps_error err = {0, ""};
    replay_costing c = {fixed_cost, NULL, 0, 0, false};
    replay_graph a;
    assert_int_equal(replay_graph_prepare(&f.graph, &c, &a, &err), PS_OK);
    const replay_graph *pa[1] = {&a};
    run_arg arg = {pa, 1, {{0}}, NULL};
    assert_int_equal(replay_simulate(f.engine, driver, &arg, &err), PS_OK);
    double sum = 0;
    for (size_t i = 0; i < f.graph.ranks[0].count; i++)
        sum += a.op_time_s[0][i];
    assert_true(fabs(arg.res[0].pass_end_s[0] - arg.res[0].start_s - sum) <= 1e-9 * sum);
    replay_result_free(&arg.res[0]);
    replay_graph_free(&a);
    teardown(&f);
}

/* Turns the first op of `kind` on `rank` into a compute op (no communicator, no peer). */
static const ps_op *break_op(ps_graph *g, int rank, ps_op_kind kind)
{
    ps_rank_ops *ro = &g->ranks[rank];
    for (size_t i = 0; i < ro->count; i++)
        if (ro->ops[i].kind == kind) {
            ro->ops[i].kind = PS_OP_RESIDUAL;
            ro->ops[i].stream = PS_STREAM_COMPUTE;
            ro->ops[i].group = -1;
            ro->ops[i].peer = -1;
            return &ro->ops[i];
        }
    return NULL;
}

static void expect_deadlock(fixture *f, const char *want1, const char *want2)
{
    ps_error err = {0, ""};
    replay_costing c = {fixed_cost, NULL, 0, 0, false};
    replay_graph a;
    assert_int_equal(replay_graph_prepare(&f->graph, &c, &a, &err), PS_OK);
    const replay_graph *pa[1] = {&a};
    run_arg arg = {pa, 1, {{0}}, NULL};
    assert_int_equal(replay_simulate(f->engine, driver, &arg, &err), PS_EINPUT);
    printf("message: %s\n", err.message);
    assert_non_null(strstr(err.message, want1));
    assert_non_null(strstr(err.message, want2));
    replay_graph_free(&a);
}

static void test_deadlock(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 2, 1, 4, true);
    assert_non_null(break_op(&f.graph, 1, PS_OP_ALLREDUCE));
    /* rank 1 calls its layer-0 attn_allreduce while rank 0 waits in embed_allreduce */
    expect_deadlock(&f, "op decode/mb0/L000/attn_allreduce on rank 1 stream compute",
                    "meets op decode/mb0/embed/embed_allreduce");
    teardown(&f);
}

static void test_unmatched(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 1, 2, 1, true);
    assert_non_null(break_op(&f.graph, 1, PS_OP_RECV));
    expect_deadlock(&f, "op decode/mb0/S0/pp_send on rank 0 stream pp_send", "unmatched send/recv");
    teardown(&f);
}

/* Two ranks: rank 0 runs one GEMM (1 ms) on compute and sends 10 GB on pp_send; rank 1 receives. */
static void tiny_graph(ps_graph *g, bool with_send)
{
    memset(g, 0, sizeof *g);
    g->nranks = 2;
    g->ranks = calloc(2, sizeof *g->ranks);
    for (int r = 0; r < 2; r++) {
        g->ranks[r].rank = r;
        g->ranks[r].stage = r;
        g->ranks[r].ops = calloc(2, sizeof(ps_op));
    }
    ps_op *gemm = &g->ranks[0].ops[g->ranks[0].count++];
    snprintf(gemm->id, sizeof gemm->id, "decode/mb0/L000/qkv_gemm");
    gemm->kind = PS_OP_GEMM;
    gemm->group = gemm->peer = -1;
    if (!with_send)
        return;
    ps_op *send = &g->ranks[0].ops[g->ranks[0].count++];
    snprintf(send->id, sizeof send->id, "decode/mb0/S0/pp_send");
    send->kind = PS_OP_SEND;
    send->stream = PS_STREAM_PP_SEND;
    send->comm_bytes = 10e9;
    send->group = -1;
    send->peer = 1;
    ps_op *recv = &g->ranks[1].ops[g->ranks[1].count++];
    snprintf(recv->id, sizeof recv->id, "decode/mb0/S1/pp_recv");
    recv->kind = PS_OP_RECV;
    recv->stream = PS_STREAM_PP_RECV;
    recv->comm_bytes = 10e9;
    recv->group = -1;
    recv->peer = 0;
}

static int one_ms(void *ctx, const ps_graph *g, int rank, const ps_op *op, replay_op_cost *out, ps_error *err)
{
    (void)ctx;
    (void)g;
    (void)rank;
    (void)op;
    (void)err;
    *out = (replay_op_cost){1e-3, PS_COST_MODEL, true, 1, true, 0};
    return PS_OK;
}

static void test_overlap(void **state)
{
    (void)state;
    fixture f;
    setup(&f, 1, 2, 1, true);
    ps_error err = {0, ""};
    replay_costing c = {one_ms, NULL, 0.1, 0.1, false};
    ps_graph g1, g0;
    tiny_graph(&g1, true);
    tiny_graph(&g0, false);
    replay_graph a, b;
    assert_int_equal(replay_graph_prepare(&g1, &c, &a, &err), PS_OK);
    assert_int_equal(replay_graph_prepare(&g0, &c, &b, &err), PS_OK);
    assert_true(fabs(a.overlap_share - 0.1) < 1e-12);
    const replay_graph *pa[1] = {&a}, *pb[1] = {&b};
    run_arg arg = {pa, 1, {{0}}, pb};
    assert_int_equal(replay_simulate(f.engine, driver, &arg, &err), PS_OK);
    double slowed = arg.res[0].rank_pass[0].compute_s, alone = arg.res[1].rank_pass[0].compute_s;
    printf("GEMM alone %.6f ms, beside a send %.6f ms (modelled 1/(1-0.1) = %.6f ms)\n", alone * 1e3,
           slowed * 1e3, 1e-3 / 0.9 * 1e3);
    assert_true(fabs(alone - 1e-3) < 1e-12);
    /* the stretch series stops at terms below 1e-9 s (SimGrid's clock resolution): the tail left
     * out is below 1e-9 x 0.1 / 0.9 s, and each of the ~7 sleeps rounds to 1e-9 s */
    assert_true(fabs(slowed - 1e-3 / 0.9) < 5e-9);
    replay_result_free(&arg.res[0]);
    replay_result_free(&arg.res[1]);
    replay_graph_free(&a);
    replay_graph_free(&b);
    for (int r = 0; r < 2; r++) {
        free(g1.ranks[r].ops);
        free(g0.ranks[r].ops);
    }
    free(g1.ranks);
    free(g0.ranks);
    teardown(&f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_replay_engine merge|serial|deadlock|unmatched|overlap\n");
        return 2;
    }
    scenario = argv[1];
    struct CMUnitTest tests[1];
    if (!strcmp(scenario, "merge"))
        tests[0] = (struct CMUnitTest)cmocka_unit_test(test_merge);
    else if (!strcmp(scenario, "serial"))
        tests[0] = (struct CMUnitTest)cmocka_unit_test(test_serial);
    else if (!strcmp(scenario, "deadlock"))
        tests[0] = (struct CMUnitTest)cmocka_unit_test(test_deadlock);
    else if (!strcmp(scenario, "unmatched"))
        tests[0] = (struct CMUnitTest)cmocka_unit_test(test_unmatched);
    else if (!strcmp(scenario, "overlap"))
        tests[0] = (struct CMUnitTest)cmocka_unit_test(test_overlap);
    else
        return 2;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
