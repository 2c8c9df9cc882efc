/* parsim/cost.h: how long one compute op takes on one GPU (DESIGN.md section 5).
 *
 * Sources, in order: (1) trace: the exact op id measured in a trace given to the model;
 * (2) table: log-log interpolation in measured points of that op kind on that GPU (never
 * extrapolated past the table's range); (3) model: a roofline with fitted, shape-dependent
 * efficiencies. Across GPU models, compute-bound parts scale by peak FLOP/s of the dtype and
 * memory-bound parts by HBM bandwidth (scaled_from names the GPU whose data was scaled).
 *
 * The model (docs/cost.md has the formulas): one file per op family in core/cost/ (family_gemm.c,
 * family_attention.c, family_eltwise.c for norms/rope/silu_mul/residual, family_gather.c for
 * embedding, family_sampling.c for the sampler). Every family writes its time as
 *     graph time = fixed_us + roofline part (compute and memory terms with fitted efficiencies)
 *     eager time = max(graph time + eager_gap_us, eager_floor_us)
 * (a CUDA graph replays kernels back to back; eager launches add the host's gap and, for small
 * kernels, cannot go faster than the host issues them). Efficiencies are fractions of the GPU's
 * catalogue peak (FLOP/s of the dtype, HBM bytes/s), which is what makes scaling across GPUs a
 * matter of swapping the catalogue entry: scaled_from names the GPU the coefficients came from.
 *
 * Coefficients: a key=value text file per GPU (data/cost/<gpu>.cost), libc-only reader, found by
 * the data lookup (parsim/data.h: $PARSIM_DATA_DIR/cost/, the source tree, the install prefix). A GPU without its own file uses the
 * nearest one (same architecture, else h200-sxm) and says so in scaled_from.
 *
 * Invariants: answers are deterministic (same query, same bits); ps_cost_estimate allocates
 * nothing and takes well under a microsecond from the model; a model is read-only after
 * creation (safe to share between threads), except ps_cost_model_add_trace.
 * SimGrid-free (core/cost/, libc only except the trace reader in cost_trace.c).
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

/* How a sampling op picks its tokens. The op graph (ps_op) has no sampling method, so every query
 * it makes (and every CLI or --queries query) is greedy, the benchmarks' default (docs/cost.md);
 * only measured data rows carry another method (docs/data/sampling-kernels.csv). */
typedef enum ps_sampler_method {
    PS_SAMPLER_GREEDY = 0,     /* argmax over the logits */
    PS_SAMPLER_TOP_K_TOP_P,    /* stochastic top-k / top-p: FlashInfer-style rejection sampling */
} ps_sampler_method;
const char *ps_cost_bound_name(ps_cost_bound bound); /* "compute", "memory" */

/* One op to price: the op graph's names and meanings (ps_op). Fields an op kind does not use are 0.
 * Per kind (docs/cost.md):
 *   gemm       m, n, k ([m x k] x [k x n]); dtype = weight dtype (fp8: fp8 inputs, bf16 output)
 *   attention  phase, seqs, tokens (query tokens in all), context (keys per query: prompt length
 *              for causal prefill, KV length for decode; for a chunk: prefix + chunk), prefix
 *              (cached tokens before a prefill chunk), heads, kv_heads, head_dim (per GPU)
 *   rmsnorm, residual  tokens, width = hidden size
 *   rope       tokens, width = (heads + kv_heads) x head_dim of the shard (Q and K rotated)
 *   silu_mul   tokens, width = FFN shard (output width; reads 2 x width)
 *   embedding  tokens, width = hidden size
 *   sampling   tokens = sampled tokens, width = logits read per token (the vocabulary);
 *              sampler = greedy unless a measured data row says otherwise */
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
    ps_sampler_method sampler; /* sampling: greedy (0) for every query; measured rows only set others */
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

/* The query of an op of the op graph (its phase, heads, widths, prefix; an op without them, e.g.
 * from an older CSV, gets them from its FLOPs and bytes with head_dim 128). */
void ps_cost_query_from_op(const ps_op *op, ps_launch_mode launch, ps_cost_query *query);

/* True for the kinds this model prices (not the collectives and hand-offs). */
bool ps_cost_kind_supported(ps_op_kind kind);
/* Parses an op kind name ("gemm", ...); false when unknown. */
bool ps_cost_kind_parse(const char *name, ps_op_kind *out);
/* Checks that the fields the kind needs are present and sane; names the field in the message. */
int ps_cost_query_validate(const ps_cost_query *query, ps_error *err);

/* The GPU answers are for, and the file the coefficients came from. */
const ps_gpu_spec *ps_cost_model_gpu(const ps_cost_model *model);
const char *ps_cost_model_coeff_path(const ps_cost_model *model);

/* Prices one op. PS_EINPUT for a dtype the GPU cannot run (fp8 on A100) or a non-compute kind. */
int ps_cost_estimate(const ps_cost_model *model, const ps_cost_query *query, ps_cost_answer *answer,
                     ps_error *err);

/* ---- calibration and validation (parsim calibrate --ops, tests/cost) ------------------------ */

/* Measured op times read from data files. A spec is FILE[@KEY=V1,V2...]... where KEY is tp,
 * model, op (the data set's op name), kind (gemm, attention, ...) or dtype, and a '!=' keeps the
 * rows that do not match: e.g. mlp.csv@tp=1, gemm_graph.csv@model!=llama3.1-405b. The layout is
 * recognised from the header: first-hand H200 gemm/attention/memory_ops CSVs, Vidur mlp.csv,
 * Vidur/LLMServingSim attention.csv, LLMServingSim layers.csv, the XLA sm_90 matmul grid, the
 * public sampler kernel table docs/data/sampling-kernels.csv
 * (docs/cost.md lists how each is mapped). */
typedef struct ps_cost_points ps_cost_points;
ps_cost_points *ps_cost_points_new(void);
void ps_cost_points_free(ps_cost_points *points);
int ps_cost_points_read(ps_cost_points *points, const char *spec, ps_error *err);
size_t ps_cost_points_count(const ps_cost_points *points);

/* One point, for tests and error tables. */
typedef struct ps_cost_point_view {
    ps_cost_query query;
    const char *gpu;        /* catalogue name of the GPU it was measured on */
    double measured_us;
    const char *source;     /* h200, h200-aten, vidur, lss, lss-hf (unfused HF layers), xla */
    const char *model;      /* "" for the XLA grid */
    int tp;
    const char *op;         /* the data set's op name */
} ps_cost_point_view;
void ps_cost_points_at(const ps_cost_points *points, size_t index, ps_cost_point_view *view);

/* The model's time for point `index` (on the point's own GPU when `model` is for another: the
 * prediction scaled from the model's coefficients). */
int ps_cost_predict_point(const ps_cost_model *model, const ps_cost_points *points, size_t index,
                          double *time_us, ps_error *err);

/* Fits coefficients for `gpu` on `fit` (graph-mode points fit the kernel model, eager points then
 * fit the eager pair), measures the held-out errors on `holdout` (same GPU: error.model; other
 * GPUs: error.scaled) and writes the file atomically with `header` as comment lines. Prints
 * nothing; `summary` (may be NULL) gets one line per class. */
int ps_cost_fit_write(const ps_gpu_spec *gpu, const ps_cost_points *fit, const ps_cost_points *holdout,
                      const char *header, const char *out_path, char *summary, size_t summary_size,
                      ps_error *err);

#endif
