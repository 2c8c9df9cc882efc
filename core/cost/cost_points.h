/* core/cost/cost_points.h: measured op times for calibration and validation, one reader per data
 * layout (cost_read_*.c), and the fit (cost_fit.c). */
#ifndef PARSIM_COST_POINTS_H
#define PARSIM_COST_POINTS_H

#include <stddef.h>

#include "cost_internal.h"

typedef struct cost_point {
    cost_shape s;                 /* s.q.launch: graph for kernel-time data, eager for eager loops */
    const ps_gpu_spec *gpu;
    double time_us;
    char source[16];              /* data set tag: h200, h200-aten, vidur, lss, lss-hf, xla, flashinfer */
    char model[40];               /* model whose shard shape this is ("" for grids) */
    int tp;                       /* 0 when not a TP shard */
    char op[24];                  /* the data set's own op name (qkv_gemm, attn_pre_proj, q_proj, ...) */
} cost_point;

struct ps_cost_points {
    cost_point *v;
    size_t n, cap;
};

/* Appends (copies) one point. */
int cost_points_push(ps_cost_points *pts, const cost_point *p, ps_error *err);

/* A data file with a header line, split on commas (none of these layouts quotes fields). */
typedef struct cost_csv {
    const char *path;
    char *line;                   /* current line, fields NUL-separated in place */
    size_t cap;
    long lineno;
    int nfields;
    char *field[128];
    char *header_line;            /* the header's own copy */
    int nheader;
    char *header[128];
    void *fp;
} cost_csv;

int cost_csv_open(cost_csv *c, const char *path, ps_error *err);
/* Next row: 1 with fields set, 0 at the end, -1 on error (err filled, naming FILE:LINE). */
int cost_csv_next(cost_csv *c, ps_error *err);
void cost_csv_close(cost_csv *c);
int cost_csv_col(const cost_csv *c, const char *name); /* -1 when absent */
/* A numeric field by column index; error names FILE:LINE and the column. */
int cost_csv_num(const cost_csv *c, int col, double *out, ps_error *err);

/* A count (a shape, tokens, heads, elements): cost_csv_num's range and a whole number, so that 1.5
 * is refused rather than truncated to 1 by the int64 conversion. */
int cost_csv_count(const cost_csv *c, int col, double *out, ps_error *err);

/* A TP degree or batch count: an integer in [1, 1e6] (it becomes an int). */
int cost_csv_small(const cost_csv *c, const char *name, double v, ps_error *err);
/* Checks the point's shape (ps_cost_query_validate) and time (> 0, finite), then appends it;
 * errors name the row (FILE:LINE). */
int cost_points_push_row(const cost_csv *c, ps_cost_points *pts, const cost_point *p, ps_error *err);

/* The readers; each returns PS_EINPUT naming FILE:LINE: column on a bad row. */
int cost_read_h200_gemm(cost_csv *c, ps_cost_points *pts, ps_error *err);
int cost_read_h200_attention(cost_csv *c, ps_cost_points *pts, ps_error *err);
int cost_read_h200_memory(cost_csv *c, ps_cost_points *pts, ps_error *err);
int cost_read_vidur_mlp(cost_csv *c, ps_cost_points *pts, ps_error *err);
int cost_read_attention_csv(cost_csv *c, ps_cost_points *pts, ps_error *err);
int cost_read_lss_layers(cost_csv *c, ps_cost_points *pts, ps_error *err);
int cost_read_xla_matmul(cost_csv *c, ps_cost_points *pts, ps_error *err);
int cost_read_sampling_kernels(cost_csv *c, ps_cost_points *pts, ps_error *err);

#endif
