/* The one dtype table (see parsim/dtype.h).
 *
 * Sources of the spellings: NCCL nccl.h (ncclDataType_t: ncclInt8/ncclChar ... ncclFloat8e5m2,
 * NCCL 2.24+), nccl-tests src/common.cu (test_typenames: "int8", "uint8", "int32", "uint32",
 * "int64", "uint64", "half", "float", "double", "bfloat16", "f8e4m3", "f8e5m2"; some builds print
 * "fp8_e4m3"/"fp8_e5m2"), PyTorch c10/core/ScalarType.h ("BFloat16", "Half", "Float", ...) as
 * record_param_comms prints them, torch dtype names ("bfloat16", "float32", "float8_e4m3fn"), CUDA
 * types (__nv_bfloat16, __nv_fp8_e4m3). Byte sizes are the formats' definitions.
 */
#include "parsim/dtype.h"

#include <stddef.h>
#include <strings.h>
#include <string.h>

static const ps_dtype_info dtype_table[PS_DTYPE_COUNT] = {
    [PS_DTYPE_BF16] = {PS_DTYPE_BF16, "bf16", 2, "bf16", "bfloat16", NULL, true, true,
                       {"ncclBfloat16", "__nv_bfloat16", NULL}},
    [PS_DTYPE_FP16] = {PS_DTYPE_FP16, "fp16", 2, "f16", "half", NULL, true, true,
                       {"float16", "ncclFloat16", "ncclHalf", NULL}},
    [PS_DTYPE_FP8] = {PS_DTYPE_FP8, "fp8", 1, "f8e4m3", "f8e4m3", "fp8_e4m3", true, true,
                      {"float8_e4m3fn", "ncclFloat8e4m3", "__nv_fp8_e4m3", NULL}},
    [PS_DTYPE_FP32] = {PS_DTYPE_FP32, "fp32", 4, "f32", "float", NULL, false, false,
                       {"float32", "ncclFloat32", "ncclFloat", NULL}},
    [PS_DTYPE_INT32] = {PS_DTYPE_INT32, "int32", 4, "i32", "int32", NULL, false, false,
                        {"int", "int32_t", "ncclInt32", "ncclInt", NULL}},
    [PS_DTYPE_FP64] = {PS_DTYPE_FP64, "fp64", 8, "f64", "double", NULL, false, false,
                       {"float64", "ncclFloat64", "ncclDouble", NULL}},
    [PS_DTYPE_FP8_E5M2] = {PS_DTYPE_FP8_E5M2, "fp8e5m2", 1, "f8e5m2", "f8e5m2", "fp8_e5m2", false, false,
                           {"float8_e5m2", "ncclFloat8e5m2", "__nv_fp8_e5m2", NULL}},
    [PS_DTYPE_INT8] = {PS_DTYPE_INT8, "int8", 1, "i8", "int8", NULL, false, false,
                       {"char", "int8_t", "ncclInt8", "ncclChar", NULL}},
    [PS_DTYPE_UINT8] = {PS_DTYPE_UINT8, "uint8", 1, "u8", "uint8", NULL, false, false,
                        {"byte", "uint8_t", "ncclUint8", "bool", NULL}},
    [PS_DTYPE_UINT32] = {PS_DTYPE_UINT32, "uint32", 4, "u32", "uint32", NULL, false, false,
                         {"uint32_t", "ncclUint32", NULL}},
    [PS_DTYPE_INT64] = {PS_DTYPE_INT64, "int64", 8, "i64", "int64", NULL, false, false,
                        {"long", "int64_t", "ncclInt64", NULL}},
    [PS_DTYPE_UINT64] = {PS_DTYPE_UINT64, "uint64", 8, "u64", "uint64", NULL, false, false,
                         {"uint64_t", "ncclUint64", NULL}},
};

int ps_dtype_count(void) { return PS_DTYPE_COUNT; }

const ps_dtype_info *ps_dtype_at(int index)
{
    return index >= 0 && index < PS_DTYPE_COUNT ? &dtype_table[index] : NULL;
}

const ps_dtype_info *ps_dtype_info_of(ps_dtype dtype)
{
    return ps_dtype_at((int)dtype);
}

int ps_dtype_bytes(ps_dtype dtype)
{
    const ps_dtype_info *d = ps_dtype_info_of(dtype);
    return d ? d->bytes : 0;
}

const char *ps_dtype_name(ps_dtype dtype)
{
    const ps_dtype_info *d = ps_dtype_info_of(dtype);
    return d ? d->name : "?";
}

const char *ps_dtype_trace_name(ps_dtype dtype)
{
    const ps_dtype_info *d = ps_dtype_info_of(dtype);
    return d ? d->trace_name : "?";
}

const char *ps_dtype_nccl_tests_name(ps_dtype dtype)
{
    const ps_dtype_info *d = ps_dtype_info_of(dtype);
    return d ? d->nccl_tests_name : "?";
}

/* The field of a row that a lookup compares: offsetof into ps_dtype_info. */
static bool find_exact(const char *name, size_t field, ps_dtype *out)
{
    for (int i = 0; name && i < PS_DTYPE_COUNT; i++) {
        const char *value = *(const char *const *)((const char *)&dtype_table[i] + field);
        if (value && !strcmp(value, name)) {
            *out = dtype_table[i].dtype;
            return true;
        }
    }
    return false;
}

bool ps_dtype_parse(const char *name, ps_dtype *out)
{
    return find_exact(name, offsetof(ps_dtype_info, name), out);
}

bool ps_dtype_from_trace_name(const char *name, ps_dtype *out)
{
    return find_exact(name, offsetof(ps_dtype_info, trace_name), out);
}

bool ps_dtype_from_nccl_tests_name(const char *name, ps_dtype *out)
{
    return find_exact(name, offsetof(ps_dtype_info, nccl_tests_name), out) ||
           find_exact(name, offsetof(ps_dtype_info, nccl_tests_alt), out);
}

static bool row_has_alias(const ps_dtype_info *d, const char *name)
{
    const char *names[] = {d->name, d->trace_name, d->nccl_tests_name, d->nccl_tests_alt};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (names[k] && !strcasecmp(names[k], name))
            return true;
    for (int k = 0; k < PS_DTYPE_MAX_ALIASES && d->aliases[k]; k++)
        if (!strcasecmp(d->aliases[k], name))
            return true;
    return false;
}

bool ps_dtype_from_alias(const char *name, ps_dtype *out)
{
    for (int i = 0; name && i < PS_DTYPE_COUNT; i++)
        if (row_has_alias(&dtype_table[i], name)) {
            *out = dtype_table[i].dtype;
            return true;
        }
    return false;
}
