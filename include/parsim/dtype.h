/* parsim/dtype.h: numeric formats, in one table (core/workload/dtype.c) that every spelling of a
 * dtype goes through: parsim's own names (CLI flags, model precision, meta.json), the comms.csv
 * names of a trace (NCCL's, shortened as nccl-tests' kernel names write them), the type column of
 * an nccl-tests log, and the aliases importers meet (NCCL enum names, PyTorch ScalarType and torch
 * names, CUDA C types). Adding a dtype is adding one row.
 *
 * Lookups are exact except ps_dtype_from_alias (case-insensitive, every name and alias). libc only.
 */
#ifndef PARSIM_DTYPE_H
#define PARSIM_DTYPE_H

#include <stdbool.h>

/* fp8 is e4m3 (what Hopper/Blackwell GEMMs and fp8 KV caches use). The first five keep the values
 * they always had. */
typedef enum ps_dtype {
    PS_DTYPE_BF16 = 0,
    PS_DTYPE_FP16,
    PS_DTYPE_FP8,
    PS_DTYPE_FP32,
    PS_DTYPE_INT32,
    PS_DTYPE_FP64,
    PS_DTYPE_FP8_E5M2,
    PS_DTYPE_INT8,
    PS_DTYPE_UINT8,
    PS_DTYPE_UINT32,
    PS_DTYPE_INT64,
    PS_DTYPE_UINT64,
    PS_DTYPE_COUNT
} ps_dtype;

#define PS_DTYPE_MAX_ALIASES 8

typedef struct ps_dtype_info {
    ps_dtype dtype;
    const char *name;            /* parsim's name: "bf16", "fp16", "fp8", "fp32", "int32", ... */
    int bytes;
    const char *trace_name;      /* comms.csv: "bf16", "f16", "f8e4m3", "f32", "i32", ... */
    const char *nccl_tests_name; /* nccl-tests' type column: "bfloat16", "half", "float", ... */
    const char *nccl_tests_alt;  /* another spelling some nccl-tests versions print, or NULL */
    bool weights;                /* a layer-weight format (--dtype) */
    bool kv_cache;               /* a KV cache format (--kv-dtype, meta.json kv_dtype) */
    const char *aliases[PS_DTYPE_MAX_ALIASES]; /* other spellings, NULL-terminated */
} ps_dtype_info;

int ps_dtype_count(void);
const ps_dtype_info *ps_dtype_at(int index);       /* table order; NULL out of range */
const ps_dtype_info *ps_dtype_info_of(ps_dtype dtype); /* NULL for a value outside the enum */

int ps_dtype_bytes(ps_dtype dtype);                /* bf16 2, fp16 2, fp8 1, fp32 4, int32 4, ...; 0 unknown */
const char *ps_dtype_name(ps_dtype dtype);         /* "bf16", ...; "?" unknown */
const char *ps_dtype_trace_name(ps_dtype dtype);   /* "f16", ...; "?" unknown */
const char *ps_dtype_nccl_tests_name(ps_dtype dtype); /* "half", ...; "?" unknown */

/* Exact lookups; false when unknown (or name NULL). */
bool ps_dtype_parse(const char *name, ps_dtype *out);               /* parsim's names */
bool ps_dtype_from_trace_name(const char *name, ps_dtype *out);     /* comms.csv names */
bool ps_dtype_from_nccl_tests_name(const char *name, ps_dtype *out); /* nccl-tests type column */
/* Any name of the table, case-insensitively (parsim's, trace, nccl-tests, aliases). */
bool ps_dtype_from_alias(const char *name, ps_dtype *out);

#endif
