/* Op graph: the closed forms of the issue (GEMM FLOPs = 2 x layer params x tokens whatever tp and
 * pp, LM head = 2 x vocab x hidden per sampled token, all-reduce and PP hand-off sizes), attention
 * FLOPs, id grammar and uniqueness, matching across ranks, dependencies, lookup and CSV. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "parsim/graph.h"
#include "ps_test.h"

typedef struct fixture {
    const ps_model *m;
    ps_precision prec;
    ps_plan plan;
    ps_scenario sc;
    ps_step step;
    ps_graph g;
} fixture;

static void build(fixture *f, const char *model, ps_dtype w, int tp, int pp, int dp, int64_t batch, int64_t isl,
                  ps_phase phase, int64_t index)
{
    ps_error err = {0};
    f->m = ps_model_find_preset(model);
    assert_non_null(f->m);
    assert_int_equal(ps_precision_init(&f->prec, w, &err), PS_OK);
    assert_int_equal(ps_plan_init(&f->plan, f->m, tp, pp, dp, 0, NULL, 0, &err), PS_OK);
    f->sc = (ps_scenario){.batch = batch, .isl = isl, .osl = 16, .prefill_tokens = 8192};
    if (phase == PS_PHASE_PREFILL)
        assert_int_equal(ps_step_prefill(&f->plan, &f->sc, index, &f->step, &err), PS_OK);
    else
        assert_int_equal(ps_step_decode(&f->plan, &f->sc, index, &f->step, &err), PS_OK);
    if (ps_graph_build(f->m, &f->prec, &f->plan, &f->step, &f->g, &err))
        fail_msg("build: %s", err.message);
}

static double step_tokens(const ps_step *st) { return (double)ps_step_sequences(st) * (double)st->tokens_per_seq; }

/* Relative comparison: sums of up to ~1e5 integer-valued doubles below 2^53 are exact, but the
 * largest totals (prefill of 405B) pass 2^53, where a double keeps ~1e-16 relative; 1e-12 allows
 * the rounding of that many additions and nothing else. */
static void assert_close(double got, double want, const char *what)
{
    if (fabs(got - want) > 1e-12 * fabs(want))
        fail_msg("%s: %.17g, expected %.17g", what, got, want);
}

static const int plans[][3] = {{1, 1, 1}, {2, 1, 1}, {8, 1, 1}, {1, 8, 1}, {4, 2, 1}, {2, 3, 2}};
#define NPLANS (sizeof plans / sizeof plans[0])

static void check_gemm_closed_forms(const char *model, ps_phase phase, int64_t batch, int64_t isl)
{
    for (size_t i = 0; i < NPLANS; i++) {
        fixture f;
        build(&f, model, PS_DTYPE_FP8, plans[i][0], plans[i][1], plans[i][2], batch, isl, phase, 0);
        ps_graph_totals t;
        ps_graph_totals_compute(&f.g, &t);
        double dp = f.plan.dp, tokens = step_tokens(&f.step);
        double layer_params = (double)ps_model_layer_linear_params(f.m) * (double)f.m->layers;
        assert_close(t.gemm_flops, dp * 2 * layer_params * tokens, "layer GEMM FLOPs");
        assert_close(t.lm_head_flops, dp * 2.0 * (double)f.m->vocab * (double)f.m->hidden * (double)ps_step_sequences(&f.step),
                     "LM head FLOPs");
        ps_graph_free(&f.g);
    }
}

static void test_gemm_flops_prefill(void **state)
{
    (void)state;
    check_gemm_closed_forms("llama3.1-8b", PS_PHASE_PREFILL, 12, 1000);
    check_gemm_closed_forms("llama3.1-405b", PS_PHASE_PREFILL, 40, 2048);
}

static void test_gemm_flops_decode(void **state)
{
    (void)state;
    check_gemm_closed_forms("llama3.1-70b", PS_PHASE_DECODE, 100, 2048);
    check_gemm_closed_forms("llama3.1-405b", PS_PHASE_DECODE, 7, 128);
}

/* tp > kv heads: each KV head is computed on tp / kv ranks, so the K and V projections are
 * counted tp / kv_heads times: QKV FLOPs = 2 x tokens x hidden x (heads + 2 x tp) x head_dim. */
static void test_gemm_flops_replicated_kv(void **state)
{
    (void)state;
    fixture f;
    build(&f, "llama3.1-8b", PS_DTYPE_BF16, 16, 1, 1, 3, 64, PS_PHASE_PREFILL, 0);
    double tokens = step_tokens(&f.step), qkv = 0;
    for (int r = 0; r < f.g.nranks; r++)
        for (size_t i = 0; i < f.g.ranks[r].count; i++)
            if (strstr(f.g.ranks[r].ops[i].id, "/qkv_gemm"))
                qkv += f.g.ranks[r].ops[i].flops;
    assert_close(qkv, 32 * 2.0 * tokens * 4096 * (32 + 2 * 16) * 128, "replicated QKV FLOPs");
    ps_graph_free(&f.g);
}

/* Attention: prefill 4 x heads x head_dim x S(S+1)/2 per sequence and layer, decode
 * 4 x heads x head_dim x context per sequence and layer (summed over the TP ranks). */
static void test_attention_flops(void **state)
{
    (void)state;
    for (size_t i = 0; i < NPLANS; i++) {
        fixture f;
        build(&f, "llama3.1-70b", PS_DTYPE_BF16, plans[i][0], plans[i][1], plans[i][2], 9, 300, PS_PHASE_PREFILL, 0);
        ps_graph_totals t;
        ps_graph_totals_compute(&f.g, &t);
        double per = 4.0 * 64 * 128 * 80 * f.plan.dp;
        assert_close(t.attention_flops, per * 9 * 300.0 * 301 / 2, "prefill attention");
        ps_graph_free(&f.g);
        build(&f, "llama3.1-70b", PS_DTYPE_BF16, plans[i][0], plans[i][1], plans[i][2], 9, 300, PS_PHASE_DECODE, 5);
        ps_graph_totals_compute(&f.g, &t);
        assert_close(t.attention_flops, per * 9 * (300 + 5 + 1), "decode attention");
        ps_graph_free(&f.g);
    }
}

/* Every all-reduce moves tokens x hidden x activation bytes; two per layer per microbatch, plus
 * the embedding's on the first stage. Every hand-off moves tokens x hidden x activation bytes. */
static void test_comm_sizes(void **state)
{
    (void)state;
    for (size_t p = 0; p < NPLANS; p++) {
        fixture f;
        build(&f, "llama3.1-8b", PS_DTYPE_FP8, plans[p][0], plans[p][1], plans[p][2], 11, 100, PS_PHASE_PREFILL, 0);
        for (int r = 0; r < f.g.nranks; r++) {
            const ps_rank_ops *ro = &f.g.ranks[r];
            int64_t allreduces = 0, sends = 0, recvs = 0;
            for (size_t i = 0; i < ro->count; i++) {
                const ps_op *op = &ro->ops[i];
                double want = (double)op->tokens * 4096 * 2; /* bf16 activations */
                if (op->kind == PS_OP_ALLREDUCE) {
                    allreduces++;
                    assert_true(op->comm_bytes == want);
                    assert_int_equal(f.g.groups[op->group].size, f.plan.tp);
                    assert_true(r >= f.g.groups[op->group].first_rank &&
                                r < f.g.groups[op->group].first_rank + f.plan.tp);
                } else if (op->kind == PS_OP_SEND || op->kind == PS_OP_RECV) {
                    assert_true(op->comm_bytes == want);
                    sends += op->kind == PS_OP_SEND;
                    recvs += op->kind == PS_OP_RECV;
                }
            }
            int64_t mbs = f.step.microbatches, layers = f.plan.stage_layers[ro->stage];
            int64_t want_ar = f.plan.tp == 1 ? 0 : mbs * (2 * layers + (ro->stage == 0));
            assert_int_equal(allreduces, want_ar);
            assert_int_equal(sends, ro->stage < f.plan.pp - 1 ? mbs : 0);
            assert_int_equal(recvs, ro->stage > 0 ? mbs : 0);
        }
        ps_graph_free(&f.g);
    }
}

/* A send on (replica, s, t) has its recv on (replica, s+1, t): same microbatch, peers crossing. */
static void test_pp_matching(void **state)
{
    (void)state;
    fixture f;
    build(&f, "llama3.1-70b", PS_DTYPE_BF16, 2, 4, 2, 10, 64, PS_PHASE_DECODE, 0);
    int matched = 0;
    for (int r = 0; r < f.g.nranks; r++) {
        const ps_rank_ops *ro = &f.g.ranks[r];
        for (size_t i = 0; i < ro->count; i++) {
            const ps_op *op = &ro->ops[i];
            if (op->kind != PS_OP_SEND)
                continue;
            assert_int_equal(op->stream, PS_STREAM_PP_SEND);
            const ps_rank_ops *peer = &f.g.ranks[op->peer];
            assert_int_equal(peer->stage, ro->stage + 1);
            assert_int_equal(peer->replica, ro->replica);
            assert_int_equal(peer->tp_rank, ro->tp_rank);
            char id[PS_OP_ID_BYTES];
            snprintf(id, sizeof id, "decode/mb%d/S%d/pp_recv", op->microbatch, peer->stage);
            const ps_op *recv = ps_graph_find_op(&f.g, op->peer, id);
            assert_non_null(recv);
            assert_int_equal(recv->kind, PS_OP_RECV);
            assert_int_equal(recv->stream, PS_STREAM_PP_RECV);
            assert_int_equal(recv->peer, r);
            assert_true(recv->comm_bytes == op->comm_bytes);
            matched++;
        }
    }
    assert_int_equal(matched, 2 /* replicas */ * 2 /* tp */ * 3 /* boundaries */ * 4 /* microbatches */);
    ps_graph_free(&f.g);
}

static int id_valid(const char *id)
{
    char phase[16], scope[16], name[32];
    int mb, n = 0;
    if (sscanf(id, "%15[a-z]/mb%d/%15[A-Za-z0-9]/%31[a-z_]%n", phase, &mb, scope, name, &n) != 4 || id[n])
        return 0;
    if (strcmp(phase, "prefill") && strcmp(phase, "decode"))
        return 0;
    if (!strcmp(scope, "embed") || !strcmp(scope, "head"))
        return 1;
    if ((scope[0] == 'L' && strlen(scope) >= 4) || scope[0] == 'S')
        return strspn(scope + 1, "0123456789") == strlen(scope + 1) && scope[1];
    return 0;
}

/* Ids follow the grammar, are unique on a rank, found by lookup, and identical on every rank of
 * a TP group (and across replicas); dependencies point backwards; streams are as documented. */
static void test_ids_deps_streams(void **state)
{
    (void)state;
    fixture f;
    build(&f, "llama3.1-8b", PS_DTYPE_BF16, 4, 2, 2, 5, 32, PS_PHASE_PREFILL, 0);
    for (int r = 0; r < f.g.nranks; r++) {
        const ps_rank_ops *ro = &f.g.ranks[r];
        const ps_rank_ops *lead = &f.g.ranks[ps_plan_rank(&f.plan, 0, ro->stage, 0)];
        assert_int_equal(ro->count, lead->count);
        for (size_t i = 0; i < ro->count; i++) {
            const ps_op *op = &ro->ops[i];
            if (!id_valid(op->id))
                fail_msg("rank %d: bad op id '%s'", r, op->id);
            assert_string_equal(op->id, lead->ops[i].id);
            assert_ptr_equal(ps_graph_find_op(&f.g, r, op->id), op);
            for (int d = 0; d < op->ndeps; d++)
                assert_true(op->deps[d] >= 0 && (size_t)op->deps[d] < i);
            ps_stream want = op->kind == PS_OP_SEND ? PS_STREAM_PP_SEND
                           : op->kind == PS_OP_RECV ? PS_STREAM_PP_RECV
                                                    : PS_STREAM_COMPUTE;
            assert_int_equal(op->stream, want);
            if (op->kind != PS_OP_RECV && op->kind != PS_OP_EMBEDDING)
                assert_true(op->ndeps >= 1); /* everything else consumes something */
        }
    }
    assert_non_null(ps_graph_find_op(&f.g, 0, "prefill/mb0/L000/qkv_gemm"));
    assert_non_null(ps_graph_find_op(&f.g, 0, "prefill/mb0/embed/embedding"));
    assert_null(ps_graph_find_op(&f.g, 0, "prefill/mb0/head/lm_head")); /* stage 0 has no head */
    assert_non_null(ps_graph_find_op(&f.g, 4, "prefill/mb1/head/lm_head"));
    assert_non_null(ps_graph_find_op(&f.g, 4, "prefill/mb1/L031/down_gemm"));
    assert_null(ps_graph_find_op(&f.g, 4, "prefill/mb1/L015/down_gemm")); /* on stage 0 */
    assert_null(ps_graph_find_op(&f.g, 0, "decode/mb0/L000/qkv_gemm"));
    assert_null(ps_graph_find_op(&f.g, 16, "prefill/mb0/L000/qkv_gemm"));
    assert_null(ps_graph_find_op(&f.g, -1, "prefill/mb0/L000/qkv_gemm"));
    assert_null(ps_graph_find_op(&f.g, 0, NULL));
    ps_graph_free(&f.g);
}

/* Every layer on a rank has the 13 ops of DESIGN.md section 3, in order (11 without TP). */
static void test_layer_op_order(void **state)
{
    (void)state;
    static const char *const names[] = {"attn_norm", "qkv_gemm", "rope", "attention", "o_gemm",
                                        "attn_allreduce", "attn_residual", "mlp_norm", "gate_up_gemm",
                                        "silu_mul", "down_gemm", "mlp_allreduce", "mlp_residual"};
    fixture f;
    build(&f, "llama3.1-8b", PS_DTYPE_BF16, 2, 1, 1, 2, 16, PS_PHASE_DECODE, 0);
    const ps_rank_ops *ro = &f.g.ranks[1];
    /* embedding, embed_allreduce, then layer 0. */
    for (size_t k = 0; k < 13; k++) {
        const char *slash = strrchr(ro->ops[2 + k].id, '/');
        assert_string_equal(slash + 1, names[k]);
        assert_int_equal(ro->ops[2 + k].layer, 0);
    }
    assert_int_equal(ro->count, 2 + 32 * 13 + 4); /* + final_norm, lm_head, gather, sampling */
    ps_graph_free(&f.g);
    build(&f, "llama3.1-8b", PS_DTYPE_BF16, 1, 1, 1, 2, 16, PS_PHASE_DECODE, 0);
    assert_int_equal(f.g.ranks[0].count, 1 + 32 * 11 + 3);
    ps_graph_free(&f.g);
}

/* The headline decode graph (405B, PP8, 8 microbatches) stays small: per-rank lists only. */
static void test_large_graph(void **state)
{
    (void)state;
    fixture f;
    build(&f, "llama3.1-405b", PS_DTYPE_FP8, 1, 8, 1, 500, 2048, PS_PHASE_DECODE, 15);
    ps_graph_totals t;
    ps_graph_totals_compute(&f.g, &t);
    assert_int_equal(f.step.microbatches, 8);
    assert_true(t.ops < 20000);
    assert_int_equal(t.p2p_count, 7 * 8);
    ps_graph_free(&f.g);
}

static void test_csv(void **state)
{
    (void)state;
    fixture f;
    build(&f, "llama3.1-8b", PS_DTYPE_BF16, 2, 2, 1, 3, 16, PS_PHASE_PREFILL, 0);
    char path[] = "/tmp/parsim-test-ops-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    ps_error err = {0};
    /* A hand-made id with a comma and a quote must come out quoted (RFC 4180). */
    snprintf(f.g.ranks[0].ops[0].id, PS_OP_ID_BYTES, "odd,\"id\"");
    const ps_graph *one[1] = {&f.g};
    assert_int_equal(ps_graph_write_csv(one, 1, path, &err), PS_OK);
    char *text = ps_test_slurp(path);
    size_t lines = 0;
    for (char *c = text; *c; c++)
        lines += *c == '\n';
    size_t ops = 0;
    for (int r = 0; r < f.g.nranks; r++)
        ops += f.g.ranks[r].count;
    assert_int_equal(lines, ops + 1);
    assert_non_null(strstr(text, "phase,step,rank,replica,stage,tp_rank,index,op_id,kind,stream,"));
    assert_non_null(strstr(text, ",\"odd,\"\"id\"\"\",embedding,"));
    assert_non_null(strstr(text, ",prefill/mb0/S0/pp_send,send,pp_send,bf16,"));
    free(text);
    /* A path in a missing directory fails cleanly and leaves nothing behind. */
    assert_int_equal(ps_graph_write_csv(one, 1, "/nonexistent-dir/ops.csv", &err), PS_EINPUT);
    unlink(path);
    close(fd);
    ps_graph_free(&f.g);
}

/* The fields the cost model keys on (phase, GEMM role, attention heads, widths) agree with the id
 * and with the shapes and bytes the builder computed from them: a field set wrong fails here. */
static void check_op_fields(const fixture *f)
{
    const ps_plan *p = &f->plan;
    const ps_model *m = f->m;
    for (int r = 0; r < f->g.nranks; r++)
        for (size_t i = 0; i < f->g.ranks[r].count; i++) {
            const ps_op *op = &f->g.ranks[r].ops[i];
            assert_int_equal(op->phase, f->step.phase);
            assert_int_equal(strncmp(op->id, ps_phase_name(op->phase), strlen(ps_phase_name(op->phase))), 0);
            const char *name = strrchr(op->id, '/') + 1;
            double act = ps_dtype_bytes(f->prec.act), tokens = (double)op->tokens;
            if (op->kind == PS_OP_GEMM) {
                static const char *const ids[] = {"", "qkv_gemm", "o_gemm", "gate_up_gemm", "down_gemm", "lm_head"};
                assert_true(op->gemm_role > PS_GEMM_NONE && op->gemm_role < PS_GEMM_ROLE_COUNT);
                assert_string_equal(name, ids[op->gemm_role]);
                assert_true(op->width == 0);
            } else {
                assert_int_equal(op->gemm_role, PS_GEMM_NONE);
            }
            if (op->kind == PS_OP_ATTENTION) {
                assert_int_equal(op->heads, p->heads_per_rank);
                assert_int_equal(op->kv_heads, p->kv_heads_per_rank);
                assert_int_equal(op->head_dim, m->head_dim);
                assert_int_equal(op->prefix, 0);
                /* the output (heads x head_dim per token) is part of what it writes */
                assert_true(op->bytes_written > tokens * (double)(op->heads * op->head_dim) * act);
            } else {
                assert_true(op->heads == 0 && op->kv_heads == 0 && op->head_dim == 0);
            }
            switch (op->kind) {
            case PS_OP_RMSNORM:
            case PS_OP_RESIDUAL:
            case PS_OP_EMBEDDING:
                assert_int_equal(op->width, m->hidden);
                if (op->kind != PS_OP_EMBEDDING) /* writes one row of `width` per token */
                    assert_close(op->bytes_written, tokens * (double)op->width * act, "row bytes");
                break;
            case PS_OP_ROPE:
                assert_int_equal(op->width, (p->heads_per_rank + p->kv_heads_per_rank) * m->head_dim);
                assert_close(op->bytes_read, tokens * (double)op->width * act, "rope bytes");
                break;
            case PS_OP_SILU_MUL:
                assert_int_equal(op->width, p->intermediate_per_rank);
                assert_close(op->bytes_read, 2 * tokens * (double)op->width * act, "silu_mul bytes");
                break;
            case PS_OP_SAMPLING:
                assert_int_equal(op->width, p->vocab_per_rank * p->tp);
                assert_close(op->bytes_read, tokens * (double)op->width * act, "sampling bytes");
                break;
            default:
                if (op->kind != PS_OP_GEMM)
                    assert_true(op->width == 0);
            }
        }
}

static void test_op_fields(void **state)
{
    (void)state;
    fixture f;
    build(&f, "llama3.1-70b", PS_DTYPE_FP8, 4, 2, 1, 3, 16, PS_PHASE_PREFILL, 0);
    check_op_fields(&f);
    ps_graph_free(&f.g);
    build(&f, "llama3.1-8b", PS_DTYPE_BF16, 16, 1, 1, 2, 16, PS_PHASE_DECODE, 3); /* replicated KV heads */
    check_op_fields(&f);
    ps_graph_free(&f.g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemm_flops_prefill),  cmocka_unit_test(test_gemm_flops_decode),
        cmocka_unit_test(test_gemm_flops_replicated_kv), cmocka_unit_test(test_attention_flops),
        cmocka_unit_test(test_comm_sizes),          cmocka_unit_test(test_pp_matching),
        cmocka_unit_test(test_ids_deps_streams),    cmocka_unit_test(test_layer_op_order),
        cmocka_unit_test(test_large_graph),         cmocka_unit_test(test_csv),
        cmocka_unit_test(test_op_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
