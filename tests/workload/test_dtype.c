/* The one dtype table (parsim/dtype.h): every spelling the five former tables accepted still
 * resolves to the same dtype and size, lookups round-trip, names are unique per column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "parsim/dtype.h"
#include "parsim/gpu.h"

static void test_round_trip(void **state)
{
    (void)state;
    assert_int_equal(ps_dtype_count(), PS_DTYPE_COUNT);
    for (int i = 0; i < ps_dtype_count(); i++) {
        const ps_dtype_info *d = ps_dtype_at(i);
        ps_dtype got;
        assert_int_equal(d->dtype, i);
        assert_true(ps_dtype_parse(d->name, &got) && got == d->dtype);
        assert_true(ps_dtype_from_trace_name(d->trace_name, &got) && got == d->dtype);
        assert_true(ps_dtype_from_nccl_tests_name(d->nccl_tests_name, &got) && got == d->dtype);
        assert_true(ps_dtype_from_alias(d->name, &got) && got == d->dtype);
        for (int k = 0; k < PS_DTYPE_MAX_ALIASES && d->aliases[k]; k++)
            assert_true(ps_dtype_from_alias(d->aliases[k], &got) && got == d->dtype);
        assert_true(d->bytes == 1 || d->bytes == 2 || d->bytes == 4 || d->bytes == 8);
        /* no spelling of this row is another row's spelling */
        for (int j = 0; j < i; j++) {
            const ps_dtype_info *e = ps_dtype_at(j);
            assert_string_not_equal(d->name, e->name);
            assert_string_not_equal(d->trace_name, e->trace_name);
            assert_string_not_equal(d->nccl_tests_name, e->nccl_tests_name);
        }
    }
    assert_null(ps_dtype_at(PS_DTYPE_COUNT));
    assert_string_equal(ps_dtype_name((ps_dtype)99), "?");
    assert_int_equal(ps_dtype_bytes((ps_dtype)99), 0);
}

/* The spellings of the former tables, with their sizes (model.c, trace_write_rules.c,
 * nccl_log.c, import/nccl_names.c, cmd_nccl.c). */
static void test_former_tables(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int bytes;
        const char *trace;
    } aliases[] = {
        {"bf16", 2, "bf16"}, {"BFloat16", 2, "bf16"}, {"ncclBfloat16", 2, "bf16"}, {"__nv_bfloat16", 2, "bf16"},
        {"half", 2, "f16"}, {"float16", 2, "f16"}, {"ncclHalf", 2, "f16"}, {"ncclFloat16", 2, "f16"},
        {"fp16", 2, "f16"}, {"Float", 4, "f32"}, {"float32", 4, "f32"}, {"ncclFloat", 4, "f32"},
        {"double", 8, "f64"}, {"ncclDouble", 8, "f64"}, {"float8_e4m3fn", 1, "f8e4m3"},
        {"__nv_fp8_e4m3", 1, "f8e4m3"}, {"float8_e5m2", 1, "f8e5m2"}, {"char", 1, "i8"}, {"ncclChar", 1, "i8"},
        {"byte", 1, "u8"}, {"bool", 1, "u8"}, {"int", 4, "i32"}, {"ncclInt", 4, "i32"}, {"uint32_t", 4, "u32"},
        {"long", 8, "i64"}, {"ncclUint64", 8, "u64"},
    };
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        ps_dtype d;
        assert_true(ps_dtype_from_alias(aliases[i].name, &d));
        assert_int_equal(ps_dtype_bytes(d), aliases[i].bytes);
        assert_string_equal(ps_dtype_trace_name(d), aliases[i].trace);
    }
    static const struct {
        const char *name;
        int bytes;
    } nccl_tests[] = {{"int8", 1},   {"uint8", 1},  {"int32", 4},    {"uint32", 4},    {"int64", 8},
                      {"uint64", 8}, {"half", 2},   {"float", 4},    {"double", 8},    {"bfloat16", 2},
                      {"f8e4m3", 1}, {"f8e5m2", 1}, {"fp8_e4m3", 1}, {"fp8_e5m2", 1}};
    for (size_t i = 0; i < sizeof nccl_tests / sizeof nccl_tests[0]; i++) {
        ps_dtype d;
        assert_true(ps_dtype_from_nccl_tests_name(nccl_tests[i].name, &d));
        assert_int_equal(ps_dtype_bytes(d), nccl_tests[i].bytes);
    }
    ps_dtype d;
    /* exact lookups stay exact: the CLI does not take "BF16" or "half" as a parsim name */
    assert_false(ps_dtype_parse("BF16", &d));
    assert_false(ps_dtype_parse("half", &d));
    assert_false(ps_dtype_from_trace_name("fp16", &d));
    assert_false(ps_dtype_from_alias("int4", &d));
    assert_false(ps_dtype_from_alias(NULL, &d));
    /* the formats a model may be stored in */
    assert_true(ps_dtype_info_of(PS_DTYPE_FP8)->weights && ps_dtype_info_of(PS_DTYPE_FP8)->kv_cache);
    assert_false(ps_dtype_info_of(PS_DTYPE_FP32)->weights);
}

static void test_peak_flops(void **state)
{
    (void)state;
    const ps_gpu_spec *h100 = ps_gpu_find("h100-sxm");
    assert_true(ps_gpu_peak_flops(h100, PS_DTYPE_BF16) == h100->peak_flops_bf16);
    assert_true(ps_gpu_peak_flops(h100, PS_DTYPE_FP16) == h100->peak_flops_bf16);
    assert_true(ps_gpu_peak_flops(h100, PS_DTYPE_FP8) == h100->peak_flops_fp8);
    assert_true(ps_gpu_peak_flops(h100, PS_DTYPE_FP32) == 0);
    assert_true(ps_gpu_peak_flops(ps_gpu_find("a100-sxm"), PS_DTYPE_FP8) == 0); /* no fp8 tensor cores */
    assert_true(ps_gpu_peak_flops(NULL, PS_DTYPE_BF16) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_former_tables),
        cmocka_unit_test(test_peak_flops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
