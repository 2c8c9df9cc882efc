/* Hugging Face config.json reader: real configs (fixtures copied from the published files) give
 * the presets' numbers; malformed ones are refused with the file, line or field named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "parsim/model.h"

static void fixture(const char *name, char *path, size_t size)
{
    const char *src = getenv("PARSIM_SOURCE_DIR");
    snprintf(path, size, "%s/tests/workload/fixtures/%s", src ? src : ".", name);
}

static int load(const char *name, ps_model *m, ps_error *err)
{
    char path[1024];
    fixture(name, path, sizeof path);
    return ps_model_load_hf_config(path, m, err);
}

static void test_llama31_8b_matches_preset(void **state)
{
    (void)state;
    ps_model m;
    ps_error err = {0};
    assert_int_equal(load("llama-3.1-8b-config.json", &m, &err), PS_OK);
    const ps_model *p = ps_model_find_preset("llama3.1-8b");
    assert_string_equal(m.name, "llama-3.1-8b-config");
    assert_int_equal(m.hidden, p->hidden);
    assert_int_equal(m.intermediate, p->intermediate);
    assert_int_equal(m.layers, p->layers);
    assert_int_equal(m.heads, p->heads);
    assert_int_equal(m.kv_heads, p->kv_heads);
    assert_int_equal(m.head_dim, p->head_dim);
    assert_int_equal(m.vocab, p->vocab);
    assert_int_equal(m.max_position, p->max_position);
    assert_false(m.tie_word_embeddings);
    assert_int_equal(ps_model_params(&m), ps_model_params(p));
}

/* Llama 3.2 1B: an explicit head_dim (64) and
 * tied embeddings; its model card says 1.23B parameters (1.24B on the HF page). */
static void test_llama32_1b_tied(void **state)
{
    (void)state;
    ps_model m;
    ps_error err = {0};
    assert_int_equal(load("llama-3.2-1b-config.json", &m, &err), PS_OK);
    assert_true(m.tie_word_embeddings);
    assert_int_equal(m.head_dim, 64);
    assert_int_equal(ps_model_lm_head_params(&m), 0);
    double params = (double)ps_model_params(&m);
    assert_true(params > 1.23e9 && params < 1.24e9);
}

static void test_defaults_for_absent_fields(void **state)
{
    (void)state;
    ps_model m;
    ps_error err = {0};
    assert_int_equal(load("llama-2-7b-no-kv-heads-config.json", &m, &err), PS_OK);
    assert_int_equal(m.kv_heads, 32);  /* = num_attention_heads */
    assert_int_equal(m.head_dim, 128); /* = 4096 / 32 */
    assert_int_equal(ps_model_params(&m), ps_model_params(ps_model_find_preset("llama2-7b")));
}

static void test_explicit_head_dim_wins(void **state)
{
    (void)state;
    ps_model m;
    ps_error err = {0};
    const char *text = "{\"hidden_size\": 4096, \"intermediate_size\": 14336, \"num_hidden_layers\": 2,"
                       " \"num_attention_heads\": 32, \"num_key_value_heads\": 8, \"head_dim\": 96,"
                       " \"vocab_size\": 1000}";
    assert_int_equal(ps_model_parse_hf_config(text, "inline.json", &m, &err), PS_OK);
    assert_int_equal(m.head_dim, 96);
    assert_int_equal(ps_model_layer_linear_params(&m), 4096LL * 96 * (32 + 2 * 8 + 32) + 3LL * 4096 * 14336);
}

static void expect_refused(const char *name, const char *needle)
{
    ps_model m;
    ps_error err = {0};
    assert_int_equal(load(name, &m, &err), PS_EINPUT);
    if (!strstr(err.message, needle) || !strstr(err.message, name))
        fail_msg("%s: message '%s' lacks '%s' or the file name", name, err.message, needle);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_refused("bad-syntax-config.json", ":6: invalid JSON"); /* the line with the missing comma's effect */
    expect_refused("missing-layers-config.json", "num_hidden_layers: missing");
    expect_refused("string-hidden-config.json", "hidden_size: expected a non-negative integer");
    expect_refused("fractional-ffn-config.json", "intermediate_size: expected a non-negative integer");
    expect_refused("kv-heads-not-dividing-config.json", "must divide num_attention_heads");
    expect_refused("zero-layers-config.json", "num_hidden_layers = 0 must be in [1,");
    expect_refused("tie-not-bool-config.json", "tie_word_embeddings: expected true or false");
    expect_refused("not-object-config.json", "expected a JSON object");
    expect_refused("empty-config.json", "invalid JSON");
    expect_refused("no-such-config.json", "cannot open");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_llama31_8b_matches_preset), cmocka_unit_test(test_llama32_1b_tied),
        cmocka_unit_test(test_defaults_for_absent_fields), cmocka_unit_test(test_explicit_head_dim_wins),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
