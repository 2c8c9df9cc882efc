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

enum { P_FIXED = COST_P_FIRST_FAMILY, P_MEM_EFF, P_BYTES_HALF, P_COUNT };

/* Defaults: as the element-wise family (family_eltwise.c); sampling's fixed cost is a guess of
 * four small kernels (4 x 2.5 us) that no data here checks: its answers are never in envelope. */
static const cost_param_def params[P_COUNT] = {
    {"eager_gap_us", 2.0, 0, 50, 0.5, true},
    {"eager_floor_us", 5.0, 0, 100, 0.5, true},
    {"fixed_us", 2.5, 0, 50, 0.5, true},
    {"mem_eff", 0.6, 0.05, 1.2, 0, true},
    {"bytes_half", 1e6, 0, 1e9, 1e4, true},
};

static int class_of(const ps_cost_query *q)
{
    return q->kind == PS_OP_EMBEDDING ? 0 : q->kind == PS_OP_SAMPLING ? 1 : -1;
}

static void dims(const ps_cost_query *q, double d[COST_DIMS])
{
    d[0] = (double)q->tokens;
    d[1] = (double)q->width;
    d[2] = 0;
}

static int validate(const ps_cost_query *q, ps_error *err)
{
    if (q->tokens < 1 || q->width < 1)
        return ps_error_set(err, PS_EINPUT, "%s needs tokens, width >= 1 (got %lld, %lld)", ps_op_kind_name(q->kind),
                            (long long)q->tokens, (long long)q->width);
    return PS_OK;
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
    double util = out->bytes / (out->bytes + v[P_BYTES_HALF]);
    out->bound = PS_BOUND_MEMORY;
    out->time_us = v[P_FIXED] + out->bytes / (gpu->hbm_bandwidth_bytes_per_s * v[P_MEM_EFF] * util) * 1e6;
}

const cost_family cost_family_gather = {
    .name = "gather",
    .nclasses = 2,
    .class_names = {"embedding", "sampling"},
    .class_of = class_of,
    .nparams = P_COUNT,
    .params = params,
    .dim_names = {"tokens", "width", "-"},
    .dims = dims,
    .validate = validate,
    .graph_time = graph_time,
};
