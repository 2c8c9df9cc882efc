/* Gather family: the embedding lookup, a memory-bound op with irregular access.
 *   embedding  read tokens x width rows of the table + int32 ids, write tokens x width
 *              (vocab-parallel under TP: each rank looks up its shard's rows and zeros the rest;
 *              the kernels still write every row, and the masking adds kernels the fit absorbs)
 * Model as the element-wise family: time = fixed_us + bytes / (HBM x mem_eff x util),
 * util = bytes / (bytes + bytes_half). (The sampler, which was here, has its own family with
 * its own kernels: family_sampling.c.)
 */
#include "cost_internal.h"

/* Defaults: as the element-wise family (family_eltwise.c); the shipped files fit them on Vidur's
 * H100 embedding kernels (scripts/cost-calibrate.sh). */
static const cost_param_def params[COST_STREAM_P_COUNT] = COST_STREAMING_PARAMS(0.6);

static int class_of(const ps_cost_query *q) { return q->kind == PS_OP_EMBEDDING ? 0 : -1; }

static void graph_time(const double *v, const ps_gpu_spec *gpu, const cost_shape *s, cost_eval *out)
{
    const ps_cost_query *q = &s->q;
    double a = cost_dtype_bytes(q->dtype), el = (double)q->tokens * (double)q->width, t = (double)q->tokens;
    out->bytes = 2 * el * a + 4 * t;
    out->flops = 0;
    out->bound = PS_BOUND_MEMORY;
    out->time_us = cost_streaming_us(v, gpu, out->bytes);
}

const cost_family cost_family_gather = {
    .name = "gather",
    .nclasses = 1,
    .class_names = {"embedding"},
    .class_of = class_of,
    .nparams = COST_STREAM_P_COUNT,
    .params = params,
    .dim_names = {"tokens", "width", "-"},
    .dims = cost_dims_tokens_width,
    .validate = cost_validate_tokens_width,
    .graph_time = graph_time,
};
