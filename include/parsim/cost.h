/* parsim/cost.h: how long one compute op takes on one GPU (DESIGN.md section 5).
 *
 * Sources, in order: (1) trace: the exact op id measured in a trace given to the model;
 * (2) table: log-log interpolation in measured points of that op kind on that GPU (never
 * extrapolated past the table's range); (3) model: a roofline with fitted, shape-dependent
 * efficiencies. Across GPU models, compute-bound parts scale by peak FLOP/s of the dtype and
 * memory-bound parts by HBM bandwidth (scaled_from names the GPU whose data was scaled).
 *
 * SimGrid-free (core/cost/); the coefficient files are read by the libc-only core.
 * INTERFACE DRAFT: the cost-model owner may refine it; keep the answer fields.
 */
#ifndef PARSIM_COST_H
#define PARSIM_COST_H

#include <stdbool.h>
#include <stdint.h>

#include "parsim/error.h"
#include "parsim/gpu.h"
#include "parsim/graph.h"
#include "parsim/model.h"
#include "parsim/plan.h"

typedef enum ps_launch_mode { PS_LAUNCH_GRAPH = 0, PS_LAUNCH_EAGER = 1 } ps_launch_mode;
const char *ps_launch_mode_name(ps_launch_mode mode); /* "graph", "eager" */
bool ps_launch_mode_parse(const char *text, ps_launch_mode *out);

typedef enum ps_cost_source { PS_COST_TRACE = 0, PS_COST_TABLE, PS_COST_MODEL, PS_COST_SOURCE_COUNT } ps_cost_source;
const char *ps_cost_source_name(ps_cost_source source); /* "trace", "table", "model" */

typedef enum ps_cost_bound { PS_BOUND_COMPUTE = 0, PS_BOUND_MEMORY } ps_cost_bound;

/* One op to price: the op graph's names and meanings (ps_op). Fields an op kind does not use are 0. */
typedef struct ps_cost_query {
    ps_op_kind kind;         /* compute kinds only: gemm, attention, rmsnorm, rope, silu_mul,
                                residual, embedding, sampling */
    ps_dtype dtype;
    ps_launch_mode launch;
    char op_id[PS_OP_ID_BYTES]; /* "" = no id (no trace lookup) */
    int64_t m, n, k;         /* gemm */
    ps_phase phase;          /* attention: prefill or decode */
    int64_t seqs, tokens, context, prefix; /* attention (tokens also for other kinds) */
    int64_t heads, kv_heads, head_dim;     /* attention, per GPU */
    int64_t width;           /* norms, residual, rope, silu_mul, embedding, sampling */
} ps_cost_query;

typedef struct ps_cost_answer {
    double time_us;
    ps_cost_source source;
    char scaled_from[32];    /* GPU whose data was scaled, or "" */
    char fallback[160];      /* why a higher source did not answer, or "" */
    double flops;
    double bytes;            /* HBM read + written */
    ps_cost_bound bound;
    double error_pct;        /* held-out error of this source for this op kind */
    bool in_envelope;        /* shape, dtype and GPU inside what the coefficients were fitted on */
} ps_cost_answer;

typedef struct ps_cost_model ps_cost_model;

/* Coefficients for `gpu` (found through the data lookup, or `coeff_path` when not NULL). */
int ps_cost_model_create(const ps_gpu_spec *gpu, const char *coeff_path, ps_cost_model **out, ps_error *err);
void ps_cost_model_free(ps_cost_model *model);
/* Adds a parsim trace directory: its exact op ids (source trace) and its points (source table). */
int ps_cost_model_add_trace(ps_cost_model *model, const char *trace_dir, ps_error *err);

/* The query of an op of the op graph. */
void ps_cost_query_from_op(const ps_op *op, ps_launch_mode launch, ps_cost_query *query);

/* Prices one op. PS_EINPUT for a dtype the GPU cannot run (fp8 on A100) or a non-compute kind. */
int ps_cost_estimate(const ps_cost_model *model, const ps_cost_query *query, ps_cost_answer *answer,
                     ps_error *err);

#endif
