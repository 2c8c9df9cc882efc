/* core/cost/cost_internal.h: what the op families, the coefficient file and the fitter share.
 *
 * An op family (one file each, like the collective models of sim/coll/) is a cost_family: its
 * classes (coefficient sets: gemm bf16/fp8, attention prefill/decode, ...), its parameters with
 * defaults and fit bounds, and graph_time(), the closed form that turns one shape and one class's
 * parameters into a kernel time on a GPU. Everything else (launch modes, sources, envelopes,
 * errors, the file format, the fit) is generic and lives in cost.c / cost_coeffs.c / cost_fit.c.
 * Adding an op family = adding one file and one line in cost_families[] (cost.c).
 */
#ifndef PARSIM_COST_INTERNAL_H
#define PARSIM_COST_INTERNAL_H

#include <stdbool.h>

#include "parsim/cost.h"

#define COST_MAX_PARAMS 16
#define COST_MAX_CLASSES 4
#define COST_DIMS 3
#define COST_FAMILY_COUNT 5
#define COST_GPU_NAME_BYTES 32

/* Parameters 0 and 1 of every class: the eager launch model (cost.h). */
enum { COST_P_EAGER_GAP_US = 0, COST_P_EAGER_FLOOR_US = 1, COST_P_FIRST_FAMILY = 2 };

typedef struct cost_param_def {
    const char *name;   /* key in the coefficient file: <family>.<class>.<name> */
    double value;       /* default (before any fit), cited in the family file */
    double lo, hi;      /* fit bounds */
    double floor;       /* ps_fit_param.floor */
    bool fitted;        /* false: a structural constant the fit leaves alone */
} cost_param_def;

/* A shape to price: the query plus what only measured data has. */
typedef struct cost_shape {
    ps_cost_query q;
    int batch;          /* batched GEMM (XLA grid): independent [m x k] x [k x n] products; 1 otherwise */
    bool kv_aliased;    /* decode measured with K and V the same tensor (H200 first-hand): KV read once */
} cost_shape;

typedef struct cost_eval {
    double time_us;     /* graph-mode kernel time */
    double flops, bytes;
    ps_cost_bound bound;
} cost_eval;

typedef struct cost_family {
    const char *name;                     /* "gemm", "attention", "eltwise", "gather", "sampler" */
    int nclasses;
    const char *class_names[COST_MAX_CLASSES];
    int (*class_of)(const ps_cost_query *q); /* class index, or -1 when the family does not price it */
    int nparams;
    const cost_param_def *params;         /* nparams entries; [0], [1] are the eager pair */
    const char *dim_names[COST_DIMS];     /* envelope dimensions, e.g. m, n, k */
    void (*dims)(const ps_cost_query *q, double out[COST_DIMS]);
    int (*validate)(const ps_cost_query *q, ps_error *err);
    void (*graph_time)(const double *v, const ps_gpu_spec *gpu, const cost_shape *s, cost_eval *out);
} cost_family;

extern const cost_family cost_family_gemm, cost_family_attention, cost_family_eltwise, cost_family_gather,
    cost_family_sampling;
extern const cost_family *const cost_families[COST_FAMILY_COUNT];

/* Finds the family and class that price a query; false when none does. */
bool cost_family_find(const ps_cost_query *q, int *family, int *cls);

/* One class's coefficients as stored in the file. */
typedef struct cost_class_coeffs {
    double v[COST_MAX_PARAMS];
    bool present;                         /* the file has fitted values for this class */
    char gpu[COST_GPU_NAME_BYTES];        /* GPU whose data fitted it ("" = defaults only) */
    bool has_envelope;
    double lo[COST_DIMS], hi[COST_DIMS];  /* envelope of the fit data */
    double error_model_pct;               /* held-out median |error| on the fitted GPU; <0 unknown */
    double error_scaled_pct;              /* held-out median |error| on another GPU; <0 unknown */
} cost_class_coeffs;

typedef struct cost_coeffs {
    char gpu[COST_GPU_NAME_BYTES];        /* the GPU the file is for */
    cost_class_coeffs cls[COST_FAMILY_COUNT][COST_MAX_CLASSES];
    double table_error_pct;               /* leave-one-out interpolation error of tables; <0 unknown */
} cost_coeffs;

/* Defaults of every family (no file). */
void cost_coeffs_default(cost_coeffs *c);
/* Reads a key=value coefficient file ('#' comments; unknown keys are an error naming the line). */
int cost_coeffs_read(const char *path, cost_coeffs *c, ps_error *err);
/* Writes one, atomically; `header` (may be NULL) is written as '#' comment lines first. */
int cost_coeffs_write(const char *path, const cost_coeffs *c, const char *header, ps_error *err);

/* The kernel time of a shape under a class's coefficients, both launch modes. */
void cost_eval_shape(const cost_family *f, const double *v, const ps_gpu_spec *gpu, const cost_shape *s,
                     cost_eval *out);

/* Shared helpers for the families. */
double cost_dtype_bytes(ps_dtype dtype);
double cost_peak_flops(const ps_gpu_spec *gpu, ps_dtype dtype);
/* Smooth maximum (a^p + b^p)^(1/p): a kernel that both computes and streams overlaps the two but
 * not perfectly; p -> infinity is the plain roofline max. */
double cost_smooth_max(double a, double b, double p);
/* Fraction of the machine a partial last wave leaves busy: waves rounded up by `quant` in [0, 1]
 * (1: every wave costs a full wave, as a tile scheduler without stream-K; 0: perfect balance). */
double cost_waves(double work_units, double slots, double quant);

/* The streaming families (element-wise/norms, gather): envelope dimensions tokens and width, the
 * same shape check, and the same time for `bytes` moved (docs/cost.md):
 *     time = fixed_us + bytes / (HBM x mem_eff x util),  util = bytes / (bytes + bytes_half) */
void cost_dims_tokens_width(const ps_cost_query *q, double out[COST_DIMS]);
int cost_validate_tokens_width(const ps_cost_query *q, ps_error *err);
/* Their parameters (same names and order in both, so one coefficient-file layout) and time. */
enum { COST_STREAM_P_FIXED = COST_P_FIRST_FAMILY, COST_STREAM_P_MEM_EFF, COST_STREAM_P_BYTES_HALF,
       COST_STREAM_P_COUNT };
/* Defaults: eager pair and fixed cost as family_eltwise.c cites them; mem_eff per family. */
#define COST_STREAMING_PARAMS(mem_eff_default)                                                           \
    {                                                                                                   \
        {"eager_gap_us", 2.0, 0, 50, 0.5, true}, {"eager_floor_us", 5.0, 0, 100, 0.5, true},            \
            {"fixed_us", 2.5, 0, 50, 0.5, true}, {"mem_eff", (mem_eff_default), 0.05, 1.2, 0, true},    \
            {"bytes_half", 1e6, 0, 1e9, 1e4, true},                                                     \
    }
double cost_streaming_us(const double *v, const ps_gpu_spec *gpu, double bytes);

#endif
