/* Gather family: the embedding lookup and the sampler, memory-bound ops with irregular access.
 *   embedding  read tokens x width rows of the table + int32 ids, write tokens x width
 *              (vocab-parallel under TP: each rank looks up its shard's rows and zeros the rest;
 *              the kernels still write every row, and the masking adds kernels the fit absorbs)
 *   sampling   read tokens x width logits, write one int32 id per token; softmax + top-k/p +
 *              draw are several kernels, which fixed_us absorbs                5 FLOP/logit
 * Model as the element-wise family: time = fixed_us + bytes / (HBM x mem_eff x util),
 * util = bytes / (bytes + bytes_half).
 */
#include "cost_internal.h"

/* Defaults: as the element-wise family (family_eltwise.c); sampling's fixed cost is a guess of
 * four small kernels (4 x 2.5 us) that no data here checks: its answers are never in envelope. */
static const cost_param_def params[COST_STREAM_P_COUNT] = COST_STREAMING_PARAMS(0.6);

static int class_of(const ps_cost_query *q)
{
    return q->kind == PS_OP_EMBEDDING ? 0 : q->kind == PS_OP_SAMPLING ? 1 : -1;
}

static void graph_time(const double *v, const ps_gpu_spec *gpu, const cost_shape *s, cost_eval *out)
{
    const ps_cost_query *q = &s->q;
    double a = cost_dtype_bytes(q->dtype), el = (double)q->tokens * (double)q->width, t = (double)q->tokens;
    if (q->kind == PS_OP_EMBEDDING) {
        out->bytes = 2 * el * a + 4 * t;
        out->flops = 0;
    } else {
        out->bytes = el * a + 4 * t;
        out->flops = 5 * el;
    }
    out->bound = PS_BOUND_MEMORY;
    out->time_us = cost_streaming_us(v, gpu, out->bytes);
}

const cost_family cost_family_gather = {
    .name = "gather",
    .nclasses = 2,
    .class_names = {"embedding", "sampling"},
    .class_of = class_of,
    .nparams = COST_STREAM_P_COUNT,
    .params = params,
    .dim_names = {"tokens", "width", "-"},
    .dims = cost_dims_tokens_width,
    .validate = cost_validate_tokens_width,
    .graph_time = graph_time,
};
