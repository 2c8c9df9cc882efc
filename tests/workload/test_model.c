/* Model presets: published parameter counts, invariants, dtypes and precision defaults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "parsim/model.h"

/* The figures: 405B = 405.9e9, 70B = 70.6e9, 8B = 8.03e9 within 0.5% (model cards round
 * to these); Llama 2 7B and 70B: 6.74e9 and 68.98e9 (Hugging Face model pages, "Model size"). */
static void check_params(const char *name, double expected)
{
    const ps_model *m = ps_model_find_preset(name);
    assert_non_null(m);
    double got = (double)ps_model_params(m);
    double rel = (got - expected) / expected;
    if (rel < 0)
        rel = -rel;
    if (rel > 0.005)
        fail_msg("%s: %.4e params, expected %.4e", name, got, expected);
}

static void test_preset_params(void **state)
{
    (void)state;
    check_params("llama3.1-405b", 405.9e9);
    check_params("llama3.1-70b", 70.6e9);
    check_params("llama3.1-8b", 8.03e9);
    check_params("llama2-7b", 6.74e9);
    check_params("llama2-70b", 68.98e9);
}

/* The decomposition: total = layers x (linear + 2 norms) + embedding + LM head + final norm, and
 * linear = QKV + O + 3 FFN matrices from the published dimensions of Llama 3.1 8B. */
static void test_param_decomposition(void **state)
{
    (void)state;
    const ps_model *m = ps_model_find_preset("llama3.1-8b");
    int64_t q = 4096LL * 4096, kv = 2LL * 4096 * 8 * 128, o = 4096LL * 4096, ffn = 3LL * 4096 * 14336;
    assert_int_equal(ps_model_layer_linear_params(m), q + kv + o + ffn);
    assert_int_equal(ps_model_layer_params(m), q + kv + o + ffn + 2 * 4096);
    assert_int_equal(ps_model_embedding_params(m), 128256LL * 4096);
    assert_int_equal(ps_model_lm_head_params(m), 128256LL * 4096);
    ps_model tied = *m;
    tied.tie_word_embeddings = true;
    assert_int_equal(ps_model_lm_head_params(&tied), 0);
    assert_int_equal(ps_model_params(m) - ps_model_params(&tied), 128256LL * 4096);
}

static void test_presets_valid_and_named(void **state)
{
    (void)state;
    assert_true(ps_model_preset_count() >= 5);
    for (int i = 0; i < ps_model_preset_count(); i++) {
        ps_error err = {0};
        const ps_model *m = ps_model_preset_at(i);
        assert_int_equal(ps_model_validate(m, &err), PS_OK);
        assert_ptr_equal(ps_model_find_preset(m->name), m);
    }
    assert_null(ps_model_preset_at(-1));
    assert_null(ps_model_preset_at(ps_model_preset_count()));
    assert_null(ps_model_find_preset("llama3.1-406b"));
    assert_null(ps_model_find_preset(NULL));
}

static void test_validate_rules(void **state)
{
    (void)state;
    ps_error err = {0};
    ps_model m = *ps_model_find_preset("llama3.1-8b");
    m.kv_heads = 6;
    assert_int_equal(ps_model_validate(&m, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "must divide num_attention_heads"));
    m = *ps_model_find_preset("llama3.1-8b");
    m.layers = 0;
    assert_int_equal(ps_model_validate(&m, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "num_hidden_layers"));
    m = *ps_model_find_preset("llama3.1-8b");
    m.vocab = -5;
    assert_int_equal(ps_model_validate(&m, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "vocab_size"));
    /* Every size in range but the product absurd: refused before any int64 count can overflow. */
    m = *ps_model_find_preset("llama3.1-8b");
    m.hidden = m.intermediate = m.layers = m.vocab = 1000000;
    m.heads = m.kv_heads = 1000;
    m.head_dim = 1000;
    assert_int_equal(ps_model_validate(&m, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "parameters, more than"));
}

static void test_dtypes(void **state)
{
    (void)state;
    ps_dtype d;
    assert_true(ps_dtype_parse("fp8", &d));
    assert_int_equal(d, PS_DTYPE_FP8);
    assert_int_equal(ps_dtype_bytes(PS_DTYPE_FP8), 1);
    assert_int_equal(ps_dtype_bytes(PS_DTYPE_BF16), 2);
    assert_int_equal(ps_dtype_bytes(PS_DTYPE_FP16), 2);
    assert_int_equal(ps_dtype_bytes(PS_DTYPE_FP32), 4);
    assert_false(ps_dtype_parse("int4", &d));
    assert_false(ps_dtype_parse(NULL, &d));
    assert_string_equal(ps_dtype_name(PS_DTYPE_BF16), "bf16");
}

static void test_precision_defaults(void **state)
{
    (void)state;
    ps_error err = {0};
    ps_precision p;
    assert_int_equal(ps_precision_init(&p, PS_DTYPE_FP8, &err), PS_OK);
    assert_int_equal(p.act, PS_DTYPE_BF16);
    assert_int_equal(p.kv, PS_DTYPE_BF16);
    assert_int_equal(ps_precision_embedding_dtype(&p), PS_DTYPE_BF16); /* LM head not quantised */
    assert_int_equal(ps_precision_init(&p, PS_DTYPE_FP16, &err), PS_OK);
    assert_int_equal(p.act, PS_DTYPE_FP16);
    assert_int_equal(p.kv, PS_DTYPE_FP16);
    assert_int_equal(ps_precision_embedding_dtype(&p), PS_DTYPE_FP16);
    assert_int_equal(ps_precision_init(&p, PS_DTYPE_FP32, &err), PS_EINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_preset_params),         cmocka_unit_test(test_param_decomposition),
        cmocka_unit_test(test_presets_valid_and_named), cmocka_unit_test(test_validate_rules),
        cmocka_unit_test(test_dtypes),                cmocka_unit_test(test_precision_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
