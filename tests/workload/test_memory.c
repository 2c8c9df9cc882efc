/* Memory per GPU: weights, KV cache per token, workspace, max batch, fit and shortfall. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "parsim/memory.h"

typedef struct setup {
    const ps_model *m;
    ps_precision prec;
    ps_plan plan;
    ps_scenario sc;
    const ps_gpu_spec *gpu;
    ps_memory_report r;
} setup;

static void run(setup *s, const char *model, ps_dtype weights, int tp, int pp, const char *gpu, int64_t batch)
{
    ps_error err = {0};
    s->m = ps_model_find_preset(model);
    assert_non_null(s->m);
    assert_int_equal(ps_precision_init(&s->prec, weights, &err), PS_OK);
    assert_int_equal(ps_plan_init(&s->plan, s->m, tp, pp, 1, 0, NULL, 0, &err), PS_OK);
    s->sc = (ps_scenario){.batch = batch, .isl = 2048, .osl = 128, .prefill_tokens = PS_DEFAULT_PREFILL_TOKENS};
    s->gpu = ps_gpu_find(gpu);
    assert_non_null(s->gpu);
    assert_int_equal(ps_memory_plan(s->m, &s->prec, &s->plan, &s->sc, s->gpu, 0.90, &s->r, &err), PS_OK);
}

static void rerun(setup *s, int64_t batch)
{
    ps_error err = {0};
    s->sc.batch = batch;
    assert_int_equal(ps_memory_plan(s->m, &s->prec, &s->plan, &s->sc, s->gpu, 0.90, &s->r, &err), PS_OK);
}

/* The issue's examples: 405B bf16 on 8 x H100 SXM does not fit (its 811 GB of weights exceed
 * 8 x 72 GB usable); fp8 on 8 x H200 fits with a positive max batch. */
static void test_issue_examples(void **state)
{
    (void)state;
    setup s;
    run(&s, "llama3.1-405b", PS_DTYPE_BF16, 8, 1, "h100-sxm", PS_BATCH_MAX);
    assert_false(s.r.fits);
    assert_int_equal(s.r.max_batch, 0);
    assert_true(s.r.shortfall_bytes > 0);
    assert_true(fabs(s.r.shortfall_bytes - (s.r.stage[0].total_bytes - 0.9 * 80e9)) < 1);
    /* The weights alone: 2 x 405.85e9 / 8 = 101.5 GB (norms replicated, a few MB more). */
    assert_true(s.r.weights_bytes_per_gpu > 101.4e9 && s.r.weights_bytes_per_gpu < 101.6e9);

    run(&s, "llama3.1-405b", PS_DTYPE_FP8, 8, 1, "h200-sxm", PS_BATCH_MAX);
    assert_true(s.r.fits);
    assert_true(s.r.max_batch > 0);
    assert_int_equal(s.r.batch, s.r.max_batch);
    assert_true(s.r.shortfall_bytes == 0);
}

/* max_batch is the boundary: it fits, one more does not. */
static void test_max_batch_is_tight(void **state)
{
    (void)state;
    setup s;
    const int plans[][2] = {{8, 1}, {1, 8}, {4, 2}};
    for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++) {
        run(&s, "llama3.1-405b", PS_DTYPE_FP8, plans[i][0], plans[i][1], "h200-sxm", PS_BATCH_MAX);
        int64_t max = s.r.max_batch;
        assert_true(max > 0);
        rerun(&s, max);
        assert_true(s.r.fits);
        rerun(&s, max + 1);
        assert_false(s.r.fits);
        assert_true(s.r.shortfall_bytes > 0);
    }
}

/* KV bytes per token per GPU = 2 x layers on the stage x KV heads per GPU x head_dim x bytes. */
static void test_kv_per_token(void **state)
{
    (void)state;
    setup s;
    run(&s, "llama3.1-405b", PS_DTYPE_FP8, 8, 1, "h200-sxm", 1);
    assert_true(s.r.kv_bytes_per_token_per_gpu == 2.0 * 126 * 1 * 128 * 2);
    run(&s, "llama3.1-405b", PS_DTYPE_FP8, 16, 1, "h200-sxm", 1); /* replicated: still 1 head */
    assert_true(s.r.kv_bytes_per_token_per_gpu == 2.0 * 126 * 1 * 128 * 2);
    run(&s, "llama3.1-405b", PS_DTYPE_FP8, 1, 8, "h200-sxm", 1);
    assert_true(s.r.stage[1].kv_bytes_per_token == 2.0 * 16 * 8 * 128 * 2);
    assert_true(s.r.stage[0].kv_bytes_per_token == 2.0 * 15 * 8 * 128 * 2);
    run(&s, "llama3.1-405b", PS_DTYPE_FP8, 4, 2, "h200-sxm", 1);
    assert_true(s.r.kv_bytes_per_token_per_gpu == 2.0 * 63 * 2 * 128 * 2);
    /* fp8 KV cache: half the bytes, so (nearly) twice the sequences. */
    run(&s, "llama3.1-405b", PS_DTYPE_FP8, 8, 1, "h200-sxm", PS_BATCH_MAX);
    int64_t bf16_max = s.r.max_batch;
    s.prec.kv = PS_DTYPE_FP8;
    rerun(&s, PS_BATCH_MAX);
    assert_true(s.r.kv_bytes_per_token_per_gpu == 2.0 * 126 * 1 * 128 * 1);
    assert_true(s.r.max_batch > 19 * bf16_max / 10);
}

/* In bf16 with tp = 1 everything is 2 bytes and nothing is replicated: the stages together hold
 * exactly 2 bytes x every parameter; a tied LM head on another stage is a second copy. */
static void test_weights_sum_to_params(void **state)
{
    (void)state;
    setup s;
    run(&s, "llama3.1-8b", PS_DTYPE_BF16, 1, 4, "h100-sxm", 1);
    double sum = 0;
    for (int i = 0; i < s.r.stages; i++)
        sum += s.r.stage[i].weights_bytes;
    assert_true(sum == 2.0 * (double)ps_model_params(s.m));
    assert_true(s.r.stage[0].has_embedding && !s.r.stage[0].has_lm_head);
    assert_true(s.r.stage[3].has_lm_head && !s.r.stage[3].has_embedding);

    ps_model tied = *s.m;
    tied.tie_word_embeddings = true;
    ps_error err = {0};
    for (int pp = 1; pp <= 2; pp++) {
        assert_int_equal(ps_plan_init(&s.plan, &tied, 1, pp, 1, 0, NULL, 0, &err), PS_OK);
        assert_int_equal(ps_memory_plan(&tied, &s.prec, &s.plan, &s.sc, s.gpu, 0.9, &s.r, &err), PS_OK);
        sum = 0;
        for (int i = 0; i < s.r.stages; i++)
            sum += s.r.stage[i].weights_bytes;
        double copies = pp == 1 ? 0 : 1; /* the last stage's own copy of the shared matrix */
        assert_true(sum == 2.0 * ((double)ps_model_params(&tied) + copies * (double)ps_model_embedding_params(&tied)));
    }
}

/* fp8 weights: layer linear weights 1 byte, embedding / LM head / norms 2 bytes. */
static void test_fp8_weights(void **state)
{
    (void)state;
    setup s;
    run(&s, "llama3.1-405b", PS_DTYPE_FP8, 8, 1, "h200-sxm", 1);
    double layers = 126.0 * ((double)ps_model_layer_linear_params(s.m) / 8 + 2 * 16384 * 2);
    double vocab = 2.0 * (128256 / 8) * 16384 * 2 + 16384 * 2;
    assert_true(fabs(s.r.weights_bytes_per_gpu - (layers + vocab)) < 1);
}

static void test_workspace_and_fraction(void **state)
{
    (void)state;
    setup s;
    run(&s, "llama3.1-405b", PS_DTYPE_FP8, 8, 1, "h200-sxm", PS_BATCH_MAX);
    /* Workspace grows with the batch and stays small next to the KV cache at max batch. */
    double w1 = ps_memory_workspace_bytes(s.m, &s.prec, &s.plan, &s.sc, 0, 1);
    double wmax = ps_memory_workspace_bytes(s.m, &s.prec, &s.plan, &s.sc, 0, s.r.max_batch);
    assert_true(w1 > 0 && wmax >= w1);
    assert_true(wmax < 0.05 * s.r.stage[0].kv_bytes);
    /* need = weights + kv + workspace on every stage. */
    const ps_stage_memory *st = &s.r.stage[0];
    assert_true(st->total_bytes == st->weights_bytes + st->kv_bytes + st->workspace_bytes);
    assert_true(st->kv_bytes == (double)s.r.batch * 2176 * st->kv_bytes_per_token);
    /* A larger usable fraction admits more sequences; bad fractions are refused. */
    ps_memory_report r95;
    ps_error err = {0};
    assert_int_equal(ps_memory_plan(s.m, &s.prec, &s.plan, &s.sc, s.gpu, 0.95, &r95, &err), PS_OK);
    assert_true(r95.max_batch > s.r.max_batch);
    assert_int_equal(ps_memory_plan(s.m, &s.prec, &s.plan, &s.sc, s.gpu, 0.0, &r95, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "--mem-fraction"));
    assert_int_equal(ps_memory_plan(s.m, &s.prec, &s.plan, &s.sc, s.gpu, 1.5, &r95, &err), PS_EINPUT);
}

/* A toy model whose KV cache is 64 bytes per sequence would admit billions of sequences: the
 * search stops at the documented cap instead of overflowing. */
static void test_max_batch_cap(void **state)
{
    (void)state;
    ps_model toy = {.name = "toy", .hidden = 64, .intermediate = 64, .layers = 1, .heads = 1, .kv_heads = 1,
                    .head_dim = 8, .vocab = 10};
    ps_error err = {0};
    ps_precision prec;
    ps_plan plan;
    ps_memory_report r;
    assert_int_equal(ps_model_validate(&toy, &err), PS_OK);
    assert_int_equal(ps_precision_init(&prec, PS_DTYPE_BF16, &err), PS_OK);
    assert_int_equal(ps_plan_init(&plan, &toy, 1, 1, 1, 0, NULL, 0, &err), PS_OK);
    ps_scenario sc = {.batch = PS_BATCH_MAX, .isl = 1, .osl = 1, .prefill_tokens = 8192};
    assert_int_equal(ps_memory_plan(&toy, &prec, &plan, &sc, ps_gpu_find("b200"), 0.9, &r, &err), PS_OK);
    assert_int_equal(r.max_batch, PS_MEMORY_MAX_BATCH);
    assert_true(r.fits);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issue_examples),     cmocka_unit_test(test_max_batch_is_tight),
        cmocka_unit_test(test_kv_per_token),       cmocka_unit_test(test_weights_sum_to_params),
        cmocka_unit_test(test_fp8_weights),        cmocka_unit_test(test_workspace_and_fraction),
        cmocka_unit_test(test_max_batch_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
