/* core/cost/cost_model.h: the ps_cost_model struct and its trace/table lookups (cost_lookup.c;
 * the trace reader that fills them is cost_trace.c). */
#ifndef PARSIM_COST_MODEL_H
#define PARSIM_COST_MODEL_H

#include <stddef.h>

#include "cost_internal.h"

/* One op id measured in a trace: the median over its occurrences (decode steps repeat ids) of
 * the summed kernel time of the op; spread_pct = median |occurrence - median| / median. */
typedef struct cost_trace_entry {
    char op_id[PS_OP_ID_BYTES];
    double time_us;
    double spread_pct;
    /* the op's kind, dtype and shape (cost_table_key) when the trace's op graph has it: a query
     * naming this op id with another kind or shape is not answered by its time */
    bool has_shape;
    ps_op_kind kind;
    ps_dtype dtype;
    int64_t key[5];
    double x;
} cost_trace_entry;

/* A measured point for table interpolation: kind, dtype and the shape key that must match
 * (gemm: n, k; attention: phase, heads, kv_heads, head_dim, seqs; others: width); `x` is the
 * interpolated coordinate (gemm m, attention context, others tokens). */
typedef struct cost_table_point {
    ps_op_kind kind;
    ps_dtype dtype;
    int64_t key[5];
    double x;
    double time_us;
} cost_table_point;

struct ps_cost_model {
    const ps_gpu_spec *gpu;          /* answers are for this GPU */
    const ps_gpu_spec *coeff_gpu;    /* the coefficient file's GPU */
    char coeff_path[1024];
    cost_coeffs coeffs;
    int n_traces;                    /* trace directories added */
    char trace_gpu[COST_GPU_NAME_BYTES]; /* catalogue GPU of the traces ("" = not known) */
    cost_trace_entry *entries;       /* sorted by op id */
    size_t n_entries, cap_entries;
    cost_table_point *points;        /* sorted by (kind, dtype, key, x) */
    size_t n_points, cap_points;
};

/* Fills `a` from a trace or a table and returns true; otherwise writes why into a->fallback (when
 * traces were given) and returns false. */
bool cost_trace_answer(const ps_cost_model *m, int family, int cls, const ps_cost_query *q, ps_cost_answer *a);
/* The table key and coordinate of a query. */
void cost_table_key(const ps_cost_query *q, int64_t key[5], double *x);
/* Sorts entries and points after they were appended. */
void cost_traces_sort(ps_cost_model *m);
void cost_traces_free(ps_cost_model *m);

#endif
