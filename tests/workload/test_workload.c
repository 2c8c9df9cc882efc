/* The workload option parser and bundle (parsim/workload.h): every flag, the "given twice" rule,
 * hooks that are missing or plugged, the platform GPU overrides, the trace metadata mapping.
 * Linked against parsim_core_min only: this is what the CUDA recorder gets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "parsim/memory.h"
#include "parsim/workload.h"

static int parse(ps_workload_args *a, const char *name, const char *value, ps_error *err)
{
    memset(err, 0, sizeof *err);
    return ps_workload_parse_option(a, name, value, err);
}

static void test_defaults(void **state)
{
    (void)state;
    ps_workload_args a;
    ps_workload_args_init(&a, NULL);
    assert_string_equal(a.command, "parsim");
    assert_int_equal(a.weights, PS_DTYPE_BF16);
    assert_int_equal(a.tp, 1);
    assert_int_equal(a.pp, 1);
    assert_int_equal(a.dp, 1);
    assert_string_equal(a.gpu_name, "h100-sxm");
    assert_int_equal(a.scenario.batch, PS_BATCH_MAX);
    assert_int_equal(a.scenario.isl, 2048);
    assert_int_equal(a.scenario.osl, 128);
    assert_int_equal(a.scenario.prefill_tokens, PS_DEFAULT_PREFILL_TOKENS);
    assert_true(a.mem_fraction == PS_DEFAULT_MEM_FRACTION);
}

/* Every option of the table parses into its field. */
static void test_every_flag(void **state)
{
    (void)state;
    ps_workload_args a;
    ps_error err;
    ps_workload_args_init(&a, "test");
    static const char *const given[][2] = {
        {"model", "llama3.1-70b"}, {"model-file", "x.json"}, {"dtype", "fp8"},    {"kv-dtype", "fp16"},
        {"tp", "4"},               {"pp", "2"},             {"dp", "3"},         {"microbatches", "5"},
        {"stage-layers", "40,40"}, {"gpu", "h200-sxm"},     {"gpus", "24"},      {"platform", "hgx-h200"},
        {"batch", "7"},            {"isl", "100"},          {"osl", "9"},        {"prefill-tokens", "512"},
        {"mem-fraction", "0.5"},
    };
    int n = (int)(sizeof given / sizeof given[0]);
    assert_int_equal(n, ps_workload_option_count()); /* a new option needs a line here */
    for (int i = 0; i < n; i++) {
        bool takes_value = false;
        assert_true(ps_workload_is_option(given[i][0], &takes_value));
        assert_true(takes_value);
        assert_string_equal(ps_workload_option_name(i), given[i][0]);
        assert_int_equal(parse(&a, given[i][0], given[i][1], &err), PS_OK);
    }
    assert_string_equal(a.model_name, "llama3.1-70b");
    assert_string_equal(a.model_file, "x.json");
    assert_int_equal(a.weights, PS_DTYPE_FP8);
    assert_true(a.kv_set);
    assert_int_equal(a.kv, PS_DTYPE_FP16);
    assert_int_equal(a.tp, 4);
    assert_int_equal(a.pp, 2);
    assert_int_equal(a.dp, 3);
    assert_int_equal(a.microbatches, 5);
    assert_string_equal(a.stage_layers, "40,40");
    assert_true(a.gpu_set);
    assert_string_equal(a.gpu_name, "h200-sxm");
    assert_true(a.gpus_set);
    assert_int_equal(a.gpus, 24);
    assert_string_equal(a.platform, "hgx-h200");
    assert_int_equal(a.scenario.batch, 7);
    assert_int_equal(a.scenario.isl, 100);
    assert_int_equal(a.scenario.osl, 9);
    assert_int_equal(a.scenario.prefill_tokens, 512);
    assert_true(a.mem_fraction == 0.5);
    assert_false(ps_workload_is_option("json", NULL));
    assert_null(ps_workload_option_name(n));
}

static void test_bad_values(void **state)
{
    (void)state;
    ps_workload_args a;
    ps_error err;
    ps_workload_args_init(&a, "parsim plan");
    assert_int_equal(parse(&a, "dtype", "fp32", &err), PS_EINPUT);
    assert_string_equal(err.message, "--dtype: 'fp32' is not one of fp8|bf16|fp16");
    assert_int_equal(parse(&a, "tp", "0", &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "--tp"));
    assert_int_equal(parse(&a, "batch", "-1", &err), PS_EINPUT);
    assert_string_equal(err.message, "--batch: expected a number >= 1 or 'max', got '-1'");
    assert_int_equal(parse(&a, "isl", NULL, &err), PS_EINPUT);
    assert_string_equal(err.message, "--isl: needs a value (see parsim plan --help)");
    assert_int_equal(parse(&a, "speed", "11", &err), PS_EINPUT);
    assert_string_equal(err.message, "--speed: unknown option (see parsim plan --help)");
    ps_workload_args_init(&a, NULL);
    assert_int_equal(parse(&a, "batch", "max", &err), PS_OK);
    assert_int_equal(a.scenario.batch, PS_BATCH_MAX);
}

/* getopt lets the last of two values win silently: the parser refuses the second, even when
 * both are equal or the second one is invalid. */
static void test_repeated_flag(void **state)
{
    (void)state;
    ps_workload_args a;
    ps_error err;
    ps_workload_args_init(&a, NULL);
    assert_int_equal(parse(&a, "tp", "2", &err), PS_OK);
    assert_int_equal(parse(&a, "tp", "2", &err), PS_EINPUT);
    assert_string_equal(err.message, "--tp given twice (give each option once)");
    assert_int_equal(parse(&a, "mem-fraction", "0.5", &err), PS_OK);
    assert_int_equal(parse(&a, "mem-fraction", "junk", &err), PS_EINPUT);
    assert_string_equal(err.message, "--mem-fraction given twice (give each option once)");
    assert_int_equal(a.tp, 2);
}

static int build(ps_workload_args *a, const ps_workload_hooks *hooks, ps_workload *w, ps_error *err)
{
    memset(err, 0, sizeof *err);
    return ps_workload_build(a, hooks, w, err);
}

static void test_build_preset(void **state)
{
    (void)state;
    ps_workload_args a;
    ps_workload w;
    ps_error err;
    ps_workload_args_init(&a, "parsim plan");
    assert_int_equal(parse(&a, "model", "llama3.1-405b", &err), PS_OK);
    assert_int_equal(parse(&a, "dtype", "fp8", &err), PS_OK);
    assert_int_equal(parse(&a, "tp", "8", &err), PS_OK);
    assert_int_equal(parse(&a, "pp", "2", &err), PS_OK);
    assert_int_equal(parse(&a, "stage-layers", "64,62", &err), PS_OK);
    assert_int_equal(parse(&a, "gpu", "h200-sxm", &err), PS_OK);
    assert_int_equal(build(&a, NULL, &w, &err), PS_OK);
    assert_string_equal(w.model.name, "llama3.1-405b");
    assert_int_equal(w.precision.weights, PS_DTYPE_FP8);
    assert_int_equal(w.precision.kv, PS_DTYPE_BF16);
    assert_int_equal(w.plan.stage_layers[0], 64);
    assert_int_equal(w.plan.stage_layers[1], 62);
    assert_string_equal(w.gpu.spec.name, "h200-sxm");
    assert_int_equal(w.gpu.gpus_available, 0);
    assert_string_equal(w.gpu.platform_path, "");
    /* the rule order of parsim plan: the model comes first */
    ps_workload_args_init(&a, "parsim plan");
    assert_int_equal(build(&a, NULL, &w, &err), PS_EINPUT);
    assert_string_equal(err.message, "--model / --model-file: give exactly one of them");
    assert_int_equal(parse(&a, "model", "gpt-9", &err), PS_OK);
    assert_int_equal(parse(&a, "gpu", "z100", &err), PS_OK);
    assert_int_equal(build(&a, NULL, &w, &err), PS_EINPUT);
    assert_string_equal(err.message, "--model: unknown model 'gpt-9' (see parsim plan --help)");
    ps_workload_args_init(&a, "parsim plan");
    assert_int_equal(parse(&a, "model", "llama3.1-8b", &err), PS_OK);
    assert_int_equal(parse(&a, "gpu", "z100", &err), PS_OK);
    assert_int_equal(build(&a, NULL, &w, &err), PS_EINPUT);
    assert_string_equal(err.message, "--gpu: unknown GPU 'z100' (see parsim plan --help)");
}

/* The recorder on a bare GPU host has neither cJSON nor SimGrid: both options exit 2 saying why. */
static void test_missing_hooks(void **state)
{
    (void)state;
    ps_workload_args a;
    ps_workload w;
    ps_error err;
    const ps_workload_hooks none = {0};
    ps_workload_args_init(&a, "parsim-record");
    assert_int_equal(parse(&a, "model-file", "config.json", &err), PS_OK);
    assert_int_equal(build(&a, &none, &w, &err), PS_EINPUT);
    assert_string_equal(err.message, "--model-file: parsim-record cannot read config.json files (built without "
                                     "cJSON); use --model NAME");
    ps_workload_args_init(&a, "parsim-record");
    assert_int_equal(parse(&a, "model", "llama3.1-8b", &err), PS_OK);
    assert_int_equal(parse(&a, "platform", "hgx-h200", &err), PS_OK);
    assert_int_equal(build(&a, NULL, &w, &err), PS_EINPUT);
    assert_string_equal(err.message, "--platform: parsim-record has no platform support (built without SimGrid); "
                                     "use --gpu and --gpus");
}

static int fake_model_file(const char *path, ps_model *out, ps_error *err)
{
    if (strcmp(path, "tiny.json"))
        return ps_error_set(err, PS_EINPUT, "%s: No such file or directory", path);
    *out = *ps_model_find_preset("llama3.1-8b");
    snprintf(out->name, sizeof out->name, "tiny");
    return PS_OK;
}

/* A platform of 8 GPUs whose file says 96 GB of HBM (a user edit) and nothing about FLOP/s. */
static int fake_platform(const char *path, ps_workload_gpu *gpu, ps_error *err)
{
    if (strcmp(path, "h200-96g"))
        return ps_error_set(err, PS_EINPUT, "%s: No such file or directory", path);
    if (ps_workload_gpu_from_properties("h200-sxm", 96e9, 0, 0, 0, 0, &gpu->spec, err))
        return err->code;
    gpu->gpus_available = 8;
    snprintf(gpu->platform_path, sizeof gpu->platform_path, "/data/h200-96g.xml");
    snprintf(gpu->platform_warning, sizeof gpu->platform_warning, "/data/h200-96g.xml: no <config> block");
    return PS_OK;
}

static void test_hooks(void **state)
{
    (void)state;
    const ps_workload_hooks hooks = {.model_file = fake_model_file, .platform = fake_platform};
    ps_workload_args a;
    ps_workload w;
    ps_error err;
    ps_workload_args_init(&a, NULL);
    assert_int_equal(parse(&a, "model-file", "tiny.json", &err), PS_OK);
    assert_int_equal(parse(&a, "platform", "h200-96g", &err), PS_OK);
    assert_int_equal(parse(&a, "tp", "8", &err), PS_OK);
    assert_int_equal(build(&a, &hooks, &w, &err), PS_OK);
    assert_string_equal(w.model.name, "tiny");
    assert_string_equal(w.gpu.spec.name, "h200-sxm");
    assert_true(w.gpu.spec.hbm_bytes == 96e9);
    assert_true(w.gpu.spec.hbm_bandwidth_bytes_per_s == ps_gpu_find("h200-sxm")->hbm_bandwidth_bytes_per_s);
    assert_int_equal(w.gpu.gpus_available, 8);
    assert_string_equal(w.gpu.platform_warning, "/data/h200-96g.xml: no <config> block");
    /* a hook's error is prefixed with the flag */
    ps_workload_args_init(&a, NULL);
    assert_int_equal(parse(&a, "model-file", "nope.json", &err), PS_OK);
    assert_int_equal(build(&a, &hooks, &w, &err), PS_EINPUT);
    assert_string_equal(err.message, "--model-file: nope.json: No such file or directory");
    /* --gpu, --gpus may only repeat what the platform says; the plan must fit on it */
    ps_workload_args_init(&a, NULL);
    assert_int_equal(parse(&a, "model", "llama3.1-8b", &err), PS_OK);
    assert_int_equal(parse(&a, "platform", "h200-96g", &err), PS_OK);
    assert_int_equal(parse(&a, "gpu", "h100-sxm", &err), PS_OK);
    assert_int_equal(build(&a, &hooks, &w, &err), PS_EINPUT);
    assert_string_equal(err.message, "--gpu h100-sxm contradicts --platform /data/h200-96g.xml, whose GPUs are h200-sxm");
    assert_string_equal(w.gpu.platform_warning, ""); /* a refused platform warns of nothing */
    ps_workload_args_init(&a, NULL);
    assert_int_equal(parse(&a, "model", "llama3.1-8b", &err), PS_OK);
    assert_int_equal(parse(&a, "platform", "h200-96g", &err), PS_OK);
    assert_int_equal(parse(&a, "gpus", "16", &err), PS_OK);
    assert_int_equal(build(&a, &hooks, &w, &err), PS_EINPUT);
    assert_string_equal(err.message, "--gpus 16 contradicts --platform /data/h200-96g.xml, which has 8 GPUs");
    ps_workload_args_init(&a, NULL);
    assert_int_equal(parse(&a, "model", "llama3.1-8b", &err), PS_OK);
    assert_int_equal(parse(&a, "platform", "h200-96g", &err), PS_OK);
    assert_int_equal(parse(&a, "tp", "8", &err), PS_OK);
    assert_int_equal(parse(&a, "dp", "2", &err), PS_OK);
    assert_int_equal(build(&a, &hooks, &w, &err), PS_EINPUT);
    assert_string_equal(err.message, "/data/h200-96g.xml: the plan needs 16 GPUs, the platform has 8");
    ps_workload_args_init(&a, NULL);
    assert_int_equal(parse(&a, "model", "llama3.1-8b", &err), PS_OK);
    assert_int_equal(parse(&a, "platform", "missing", &err), PS_OK);
    assert_int_equal(build(&a, &hooks, &w, &err), PS_EINPUT);
    assert_string_equal(err.message, "--platform: missing: No such file or directory");
}

static void test_gpu_from_properties(void **state)
{
    (void)state;
    ps_gpu_spec spec;
    ps_error err = {0};
    const ps_gpu_spec *h100 = ps_gpu_find("h100-sxm");
    assert_int_equal(ps_workload_gpu_from_properties("h100-sxm", 0, 0, 0, 0, 0, &spec, &err), PS_OK);
    assert_memory_equal(&spec, h100, sizeof spec); /* nothing given: the catalogue entry */
    assert_int_equal(ps_workload_gpu_from_properties("h100-sxm", 1, 2, 3, 4, 5, &spec, &err), PS_OK);
    assert_true(spec.hbm_bytes == 1 && spec.hbm_bandwidth_bytes_per_s == 2 && spec.peak_flops_bf16 == 3 &&
                spec.peak_flops_fp8 == 4 && spec.sm_count == 5);
    assert_true(spec.nvlink_bytes_per_s == h100->nvlink_bytes_per_s);
    assert_int_equal(ps_workload_gpu_from_properties("z100", 0, 0, 0, 0, 0, &spec, &err), PS_EINPUT);
    assert_string_equal(err.message, "GPU model 'z100' is not in the catalogue");
}

static void test_usage_from_tables(void **state)
{
    (void)state;
    char *text = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&text, &size);
    assert_non_null(fp);
    ps_workload_usage(fp);
    fclose(fp);
    /* every option is shown, and the value lists are the tables */
    for (int i = 0; i < ps_workload_option_count(); i++) {
        char flag[64];
        snprintf(flag, sizeof flag, "--%s ", ps_workload_option_name(i));
        assert_non_null(strstr(text, flag));
    }
    for (int i = 0; i < ps_model_preset_count(); i++)
        assert_non_null(strstr(text, ps_model_preset_at(i)->name));
    for (int i = 0; i < ps_gpu_catalog_count(); i++)
        assert_non_null(strstr(text, ps_gpu_catalog_at(i)->name));
    free(text);
}

static void meta_8b(ps_trace_meta *m)
{
    ps_trace_meta_init(m, PS_TRACE_SOURCE_SYNTHETIC);
    snprintf(m->model, sizeof m->model, "llama3.1-8b");
    snprintf(m->dtype, sizeof m->dtype, "fp8");
    snprintf(m->gpu_name, sizeof m->gpu_name, "h200-sxm");
    m->tp = 2;
    m->pp = 2;
    m->dp = 1;
    m->batch = 4;
    m->isl = 128;
    m->osl = 8;
}

static void test_trace_meta(void **state)
{
    (void)state;
    ps_trace_meta m, back;
    ps_workload w;
    ps_error err = {0};
    meta_8b(&m);
    assert_true(ps_workload_trace_meta_complete(&m));
    assert_int_equal(ps_workload_from_trace_meta(&m, &w, &err), PS_OK);
    assert_int_equal(w.precision.weights, PS_DTYPE_FP8);
    assert_int_equal(w.plan.tp, 2);
    assert_int_equal(w.plan.pp, 2);
    assert_int_equal(w.scenario.batch, 4);
    assert_string_equal(w.gpu.spec.name, "h200-sxm");
    ps_trace_meta_init(&back, PS_TRACE_SOURCE_SYNTHETIC);
    assert_int_equal(ps_workload_to_trace_meta(&w, &back, &err), PS_OK);
    assert_string_equal(back.model, m.model);
    assert_string_equal(back.dtype, m.dtype);
    assert_true(back.tp == m.tp && back.pp == m.pp && back.dp == m.dp && back.batch == m.batch &&
                back.isl == m.isl && back.osl == m.osl);
    /* the old private mapping fell back to bf16: a replay must not run in a guessed precision */
    snprintf(m.dtype, sizeof m.dtype, "bfloat17");
    assert_int_equal(ps_workload_from_trace_meta(&m, &w, &err), PS_EINPUT);
    assert_string_equal(err.message, "dtype 'bfloat17' is not one of bf16 fp16 fp8");
    snprintf(m.dtype, sizeof m.dtype, "%s", "");
    assert_int_equal(ps_workload_from_trace_meta(&m, &w, &err), PS_OK);
    assert_int_equal(w.precision.weights, PS_DTYPE_BF16);
    m.tp = 3;
    assert_int_equal(ps_workload_from_trace_meta(&m, &w, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "plan tp 3 pp 2 dp 1 does not fit model llama3.1-8b: "));
    meta_8b(&m);
    snprintf(m.model, sizeof m.model, "my-own-model");
    assert_false(ps_workload_trace_meta_complete(&m));
    assert_int_equal(ps_workload_from_trace_meta(&m, &w, &err), PS_EINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),        cmocka_unit_test(test_every_flag),
        cmocka_unit_test(test_bad_values),      cmocka_unit_test(test_repeated_flag),
        cmocka_unit_test(test_build_preset),    cmocka_unit_test(test_missing_hooks),
        cmocka_unit_test(test_hooks),           cmocka_unit_test(test_gpu_from_properties),
        cmocka_unit_test(test_usage_from_tables), cmocka_unit_test(test_trace_meta),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
