/* Plans: stage split, refusal rules, rank numbering; scenario checks; steps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "parsim/plan.h"

static const ps_model *preset(const char *name)
{
    const ps_model *m = ps_model_find_preset(name);
    assert_non_null(m);
    return m;
}

static void test_even_split(void **state)
{
    (void)state;
    ps_plan p;
    ps_error err = {0};
    /* 126 on PP8: two stages of 15 (the ones with the embedding and the LM head), six of 16. */
    assert_int_equal(ps_plan_init(&p, preset("llama3.1-405b"), 1, 8, 1, 0, NULL, 0, &err), PS_OK);
    const int want[8] = {15, 16, 16, 16, 16, 16, 16, 15};
    int first = 0;
    for (int s = 0; s < 8; s++) {
        assert_int_equal(p.stage_layers[s], want[s]);
        assert_int_equal(p.stage_first_layer[s], first);
        first += want[s];
    }
    assert_int_equal(p.microbatches, 8); /* default = pp */
    /* 80 on PP3: the one extra layer goes to the middle stage, the next to the first. */
    assert_int_equal(ps_plan_init(&p, preset("llama3.1-70b"), 1, 3, 1, 0, NULL, 0, &err), PS_OK);
    assert_int_equal(p.stage_layers[0], 27);
    assert_int_equal(p.stage_layers[1], 27);
    assert_int_equal(p.stage_layers[2], 26);
    /* 81 layers on PP2: the first stage takes the extra one. */
    ps_model m = *preset("llama3.1-8b");
    m.layers = 81;
    assert_int_equal(ps_plan_init(&p, &m, 1, 2, 1, 0, NULL, 0, &err), PS_OK);
    assert_int_equal(p.stage_layers[0], 41);
    assert_int_equal(p.stage_layers[1], 40);
}

static void test_split_override(void **state)
{
    (void)state;
    ps_plan p;
    ps_error err = {0};
    const int issue_split[8] = {16, 16, 16, 16, 16, 16, 15, 15};
    assert_int_equal(ps_plan_init(&p, preset("llama3.1-405b"), 1, 8, 1, 0, issue_split, 0, &err), PS_OK);
    assert_int_equal(p.stage_first_layer[7], 111);
    const int short_split[8] = {16, 16, 16, 16, 16, 16, 15, 14};
    assert_int_equal(ps_plan_init(&p, preset("llama3.1-405b"), 1, 8, 1, 0, short_split, 0, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "the stages hold 125 layers"));
    const int empty_stage[2] = {126, 0};
    assert_int_equal(ps_plan_init(&p, preset("llama3.1-405b"), 1, 2, 1, 0, empty_stage, 0, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "every stage needs >= 1"));
}

static void expect_refused(const ps_model *m, int tp, int pp, int dp, int gpus, const char *needle)
{
    ps_plan p;
    ps_error err = {0};
    assert_int_equal(ps_plan_init(&p, m, tp, pp, dp, 0, NULL, gpus, &err), PS_EINPUT);
    if (!strstr(err.message, needle))
        fail_msg("tp %d pp %d dp %d: '%s' lacks '%s'", tp, pp, dp, err.message, needle);
}

static void test_refusals(void **state)
{
    (void)state;
    const ps_model *m405 = preset("llama3.1-405b");
    expect_refused(m405, 3, 1, 1, 0, "--tp 3 must divide the 128 attention heads");
    expect_refused(m405, 8, 2, 1, 8, "the plan needs tp*pp*dp = 8*2*1 = 16 GPUs");
    expect_refused(m405, 1, 127, 1, 0, "must not exceed the 126 layers");
    expect_refused(m405, 0, 1, 1, 0, "--tp 0 must be in");
    expect_refused(m405, 1, 1, 0, 0, "--dp 0 must be in");
    /* tp < kv heads must divide them; tp > kv heads must be a multiple of them. */
    ps_model m = *preset("llama3.1-8b");
    m.heads = 48;
    m.kv_heads = 12;
    m.intermediate = 14400; /* divisible by 8 and 16 */
    expect_refused(&m, 8, 1, 1, 0, "must divide the 12 KV heads");
    expect_refused(&m, 16, 1, 1, 0, "must be a multiple of the 12 KV heads");
    m = *preset("llama3.1-8b");
    m.intermediate = 14337;
    expect_refused(&m, 2, 1, 1, 0, "intermediate_size");
}

static void test_kv_replication(void **state)
{
    (void)state;
    ps_plan p;
    ps_error err = {0};
    assert_int_equal(ps_plan_init(&p, preset("llama3.1-405b"), 16, 1, 1, 0, NULL, 0, &err), PS_OK);
    assert_int_equal(p.kv_heads_per_rank, 1); /* 8 KV heads over 16 ranks: each replicated twice */
    assert_int_equal(p.heads_per_rank, 8);
    assert_int_equal(ps_plan_init(&p, preset("llama3.1-405b"), 4, 1, 1, 0, NULL, 0, &err), PS_OK);
    assert_int_equal(p.kv_heads_per_rank, 2);
    /* Llama 2 vocab 32000 on TP 3 would not split evenly: shards are padded up. */
    ps_model m = *preset("llama2-7b");
    m.heads = m.kv_heads = 48;
    m.intermediate = 11010;
    assert_int_equal(ps_plan_init(&p, &m, 3, 1, 1, 0, NULL, 0, &err), PS_OK);
    assert_int_equal(p.vocab_per_rank, 10667);
}

static void test_rank_numbering(void **state)
{
    (void)state;
    ps_plan p;
    ps_error err = {0};
    assert_int_equal(ps_plan_init(&p, preset("llama3.1-70b"), 4, 2, 3, 0, NULL, 24, &err), PS_OK);
    assert_int_equal(ps_plan_gpus(&p), 24);
    for (int rank = 0; rank < 24; rank++) {
        int replica, stage, tp_rank;
        ps_plan_coords(&p, rank, &replica, &stage, &tp_rank);
        assert_int_equal(rank, replica * 4 * 2 + stage * 4 + tp_rank);
        assert_int_equal(ps_plan_rank(&p, replica, stage, tp_rank), rank);
    }
}

static void test_scenario(void **state)
{
    (void)state;
    ps_error err = {0};
    ps_scenario sc = {.batch = PS_BATCH_MAX, .isl = 2048, .osl = 128, .prefill_tokens = 8192};
    assert_int_equal(ps_scenario_validate(&sc, preset("llama3.1-405b"), &err), PS_OK);
    assert_int_equal(ps_scenario_prompts_per_microbatch(&sc), 4);
    sc.isl = 4000; /* Llama 2 has 4096 positions */
    assert_int_equal(ps_scenario_validate(&sc, preset("llama2-7b"), &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "exceeds the 4096 positions"));
    sc.isl = 20000; /* a prompt longer than the budget still forms a microbatch of one */
    assert_int_equal(ps_scenario_prompts_per_microbatch(&sc), 1);
    sc.batch = 0;
    assert_int_equal(ps_scenario_validate(&sc, preset("llama3.1-8b"), &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "--batch"));
    sc.batch = 1;
    sc.osl = 0;
    assert_int_equal(ps_scenario_validate(&sc, preset("llama3.1-8b"), &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "--osl"));
}

static void test_steps(void **state)
{
    (void)state;
    ps_plan p;
    ps_step st;
    ps_error err = {0};
    assert_int_equal(ps_plan_init(&p, preset("llama3.1-70b"), 1, 4, 1, 0, NULL, 0, &err), PS_OK);
    ps_scenario sc = {.batch = 10, .isl = 2048, .osl = 128, .prefill_tokens = 8192};
    /* Decode: 10 sequences over 4 microbatches = 3,3,2,2; step d attends to ISL + d + 1 keys. */
    assert_int_equal(ps_step_decode(&p, &sc, 5, &st, &err), PS_OK);
    assert_int_equal(st.microbatches, 4);
    assert_int_equal(st.seqs[0], 3);
    assert_int_equal(st.seqs[3], 2);
    assert_int_equal(ps_step_sequences(&st), 10);
    assert_int_equal(st.context, 2048 + 5 + 1);
    assert_int_equal(st.tokens_per_seq, 1);
    assert_int_equal(ps_step_decode(&p, &sc, 128, &st, &err), PS_EINPUT);
    /* Prefill: 4 prompts per microbatch, 4 microbatches = 16 per step: one step of 10 prompts, in
     * 4 microbatches (3,3,2,2) so that every stage works. */
    assert_int_equal(ps_prefill_step_count(&p, &sc), 1);
    assert_int_equal(ps_step_prefill(&p, &sc, 0, &st, &err), PS_OK);
    assert_int_equal(st.microbatches, 4);
    assert_int_equal(ps_step_sequences(&st), 10);
    assert_int_equal(st.context, 2048);
    /* 37 prompts: steps of 16, 16, 5; the last in 4 microbatches. */
    sc.batch = 37;
    assert_int_equal(ps_prefill_step_count(&p, &sc), 3);
    assert_int_equal(ps_step_prefill(&p, &sc, 1, &st, &err), PS_OK);
    assert_int_equal(ps_step_sequences(&st), 16);
    for (int i = 0; i < st.microbatches; i++)
        assert_true(st.seqs[i] <= 4);
    assert_int_equal(ps_step_prefill(&p, &sc, 2, &st, &err), PS_OK);
    assert_int_equal(ps_step_sequences(&st), 5);
    assert_int_equal(st.microbatches, 4);
    /* Fewer sequences than microbatches: one sequence per microbatch. */
    sc.batch = 2;
    assert_int_equal(ps_step_decode(&p, &sc, 0, &st, &err), PS_OK);
    assert_int_equal(st.microbatches, 2);
    sc.batch = PS_BATCH_MAX;
    assert_int_equal(ps_step_decode(&p, &sc, 0, &st, &err), PS_EINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_even_split),      cmocka_unit_test(test_split_override),
        cmocka_unit_test(test_refusals),        cmocka_unit_test(test_kv_replication),
        cmocka_unit_test(test_rank_numbering),  cmocka_unit_test(test_scenario),
        cmocka_unit_test(test_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
