/* Sampler family: picking the next token of every sampled sequence from its logits (the op
 * graph's `sampling`: tokens = sampled sequences, width = the padded vocabulary; TP engines
 * all-gather the logits first, so every rank samples the whole vocabulary: docs/workload.md).
 *
 * Two kernels, two classes (docs/cost.md, docs/data/sampling-kernels.md):
 *
 *   greedy       argmax over the logits: one streaming pass (TensorRT-LLM's default when no
 *                sampling parameter is set; the temperature-0 runs of benchmark harnesses;
 *                parsim's own recorder, runtime/kernels/sampling.cu). Modelled as the streaming
 *                families: time = fixed_us + bytes / (HBM x mem_eff x util), bytes = the logits
 *                once in the activation dtype + one int32 id per token, 1 FLOP (a compare) per
 *                logit. No public timing of a greedy argmax kernel on a catalogue GPU was found
 *                (docs/data/sampling-kernels.md lists the searches), so this class keeps the
 *                defaults below: its answers say error unknown and are never in envelope.
 *                vLLM V1 converts the logits to fp32 before its argmax (two kernels, 10 bytes a
 *                bf16 logit instead of 2): for it these answers are a lower bound (docs/cost.md).
 *                Every query is greedy: the op graph has no sampling method (ps_op).
 *
 *   top_k_top_p  stochastic top-k / top-p sampling as FlashInfer runs it (vLLM's and SGLang's
 *                sampler for requests with top-k/top-p): sorting-free rejection sampling over the
 *                fp32 probabilities, ONE thread block of 1024 threads per row (flashinfer
 *                include/flashinfer/sampling.cuh: BLOCK_THREADS = 1024 from sm_80 on), each
 *                round a pass over the row, rounds until a draw is accepted. A row is therefore
 *                bound by one SM's latency-limited streaming, not by HBM: the B200 data have a
 *                batch of 128 rows taking the time of a batch of 1 (flashinfer PR #2945). Model:
 *                    slots  = SMs x ctas_per_sm   (2: 2048 resident threads per SM / 1024)
 *                    waves  = ceil(rows / slots)
 *                    time   = fixed_us + max(waves x width x 4 / row_gbps,
 *                                            rows x width x 4 / (HBM x mem_eff))
 *                row_gbps is the effective per-row rate over all rounds (the round count depends
 *                on k, p and the logits' distribution, which no query carries: one method-agnostic
 *                rate, fitted on the top-k rows and checked on the held-out top-p rows). Only
 *                measured data rows reach this class (ps_cost_query.sampler).
 *
 * Across GPUs: the per-row rate is one SM's latency-bound streaming, which the catalogue has no
 * entry to scale by; it is kept as fitted (B200), and only the SM count (waves) and HBM (floor)
 * change. Scaled answers are never in envelope.
 */
#include <math.h>

#include "cost_internal.h"

enum { P_ROW_GBPS = COST_STREAM_P_COUNT, P_CTAS_PER_SM, P_COUNT };

/* Defaults. Greedy: the streaming families' eager pair and fixed cost (family_eltwise.c), and
 * mem_eff 0.6, the gather family's guess for irregular kernels (kept from the previous model so
 * that greedy answers did not move without data). fixed_us, mem_eff and bytes_half are not
 * fitted: no greedy data, and the top-k/top-p data (one vocabulary, HBM never binding) cannot
 * separate a fixed cost from the per-row rate. row_gbps: 50 GB/s, the Little's-law rate of one
 * 1024-thread block with one 16-byte load in flight per thread at ~0.3 us latency (an estimate,
 * replaced by the fit); ctas_per_sm: structural (2048 threads per SM on sm_80..sm_100). */
static const cost_param_def params[P_COUNT] = {
    {"eager_gap_us", 2.0, 0, 50, 0.5, true},
    {"eager_floor_us", 5.0, 0, 100, 0.5, true},
    {"fixed_us", 2.5, 0, 50, 0.5, false},
    {"mem_eff", 0.6, 0.05, 1.2, 0, false},
    {"bytes_half", 1e6, 0, 1e9, 1e4, false},
    {"row_gbps", 50, 0.5, 500, 0, true},
    {"ctas_per_sm", 2, 1, 32, 0, false},
};

static int class_of(const ps_cost_query *q)
{
    if (q->kind != PS_OP_SAMPLING)
        return -1;
    return q->sampler == PS_SAMPLER_TOP_K_TOP_P ? 1 : 0;
}

static void graph_time(const double *v, const ps_gpu_spec *gpu, const cost_shape *s, cost_eval *out)
{
    const ps_cost_query *q = &s->q;
    double rows = (double)q->tokens, el = rows * (double)q->width;
    out->bound = PS_BOUND_MEMORY;
    if (q->sampler != PS_SAMPLER_TOP_K_TOP_P) {
        out->bytes = el * cost_dtype_bytes(q->dtype) + 4 * rows;
        out->flops = el;
        out->time_us = cost_streaming_us(v, gpu, out->bytes);
        return;
    }
    double row_bytes = 4.0 * (double)q->width; /* fp32 probabilities */
    double waves = cost_waves(rows, (double)gpu->sm_count * v[P_CTAS_PER_SM], 1.0);
    double t_rows = waves * row_bytes / (v[P_ROW_GBPS] * 1e9) * 1e6;
    double t_hbm = rows * row_bytes / (gpu->hbm_bandwidth_bytes_per_s * v[COST_STREAM_P_MEM_EFF]) * 1e6;
    out->bytes = rows * row_bytes + 4 * rows;
    out->flops = 5 * el; /* per pass: compare, subtract, accumulate, scan, test; a floor, rounds add more */
    out->time_us = v[COST_STREAM_P_FIXED] + (t_rows > t_hbm ? t_rows : t_hbm);
}

const cost_family cost_family_sampling = {
    .name = "sampler",
    .nclasses = 2,
    .class_names = {"greedy", "top_k_top_p"},
    .class_of = class_of,
    .nparams = P_COUNT,
    .params = params,
    .dim_names = {"tokens", "width", "-"},
    .dims = cost_dims_tokens_width,
    .validate = cost_validate_tokens_width,
    .graph_time = graph_time,
};
