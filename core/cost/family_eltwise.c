/* Element-wise and normalisation family: the fused kernels serving engines run (vLLM/TensorRT-LLM
 * fused RMSNorm, fused RoPE on Q and K, SiLU-and-mul, residual add). They stream their operands
 * once; the op graph's byte counts (core/workload/graph.c) are used, with width as cost.h says:
 *   rmsnorm   read tokens x width + width (weight), write tokens x width        4 FLOP/element
 *   rope      read and write tokens x width (Q and K in place)                  3 FLOP/element
 *   silu_mul  read 2 x tokens x width (gate|up), write tokens x width           5 FLOP/output
 *   residual  read 2 x tokens x width, write tokens x width                     1 FLOP/element
 * Model: time = fixed_us + bytes / (HBM x mem_eff x util),  util = bytes / (bytes + bytes_half):
 * a small kernel cannot keep enough loads in flight to reach the streaming bandwidth (Little's
 * law: bytes in flight = bandwidth x latency, ~4.8 TB/s x ~1 us = MBs on Hopper).
 */
#include "cost_internal.h"

/* Defaults: the H200 README's bf16 copy reaches 4.24 of 4.8 TB/s (0.88) for large sizes; the
 * fixed cost is a kernel's launch-to-finish minimum inside a graph (~2-3 us, H200 silu_mul at
 * 4096 elements: 2.8 us). */
static const cost_param_def params[COST_STREAM_P_COUNT] = COST_STREAMING_PARAMS(0.85);

static int class_of(const ps_cost_query *q)
{
    switch (q->kind) {
    case PS_OP_RMSNORM: return 0;
    case PS_OP_ROPE: return 1;
    case PS_OP_SILU_MUL: return 2;
    case PS_OP_RESIDUAL: return 3;
    default: return -1;
    }
}

static void graph_time(const double *v, const ps_gpu_spec *gpu, const cost_shape *s, cost_eval *out)
{
    const ps_cost_query *q = &s->q;
    double a = cost_dtype_bytes(q->dtype), el = (double)q->tokens * (double)q->width;
    static const double read_el[] = {1, 1, 2, 2}, flop_el[] = {4, 3, 5, 1};
    int c = class_of(q);
    if (c < 0)
        c = 0; /* not reached: the dispatcher only passes its own kinds */
    out->bytes = (read_el[c] * el + el + (c == 0 ? (double)q->width : 0)) * a;
    out->flops = flop_el[c] * el;
    out->bound = PS_BOUND_MEMORY;
    out->time_us = cost_streaming_us(v, gpu, out->bytes);
}

const cost_family cost_family_eltwise = {
    .name = "eltwise",
    .nclasses = 4,
    .class_names = {"rmsnorm", "rope", "silu_mul", "residual"},
    .class_of = class_of,
    .nparams = COST_STREAM_P_COUNT,
    .params = params,
    .dim_names = {"tokens", "width", "-"},
    .dims = cost_dims_tokens_width,
    .validate = cost_validate_tokens_width,
    .graph_time = graph_time,
};
