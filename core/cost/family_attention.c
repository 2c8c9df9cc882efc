/* Attention family: FlashAttention-style kernels (FlashAttention-2 / cuDNN flash SDPA), whose
 * scores never reach HBM. Three shapes, two classes:
 *
 * prefill (class 0), causal, optionally a chunk after `prefix` cached tokens (chunked prefill):
 *   per sequence q = tokens / seqs queries; query i sees prefix + i + 1 keys, so
 *     pairs = q x prefix + q (q + 1) / 2,  flops = 4 x heads x head_dim x pairs x seqs
 *   (QK^T and PV, 2 FLOP per multiply-add each; the op graph counts the same).
 *   The kernel gives each CTA a block of 128 queries of one head, so a short chunk is padded to
 *   128 rows: the work done is flops x q_pad / q (q_pad = q rounded up to 128). CTAs
 *   (seqs x heads x q_pad / 128) run in waves over the SMs; the inner loop over keys reaches
 *   compute_eff of the tensor peak for long rows, less for short ones:
 *     eff(L) = compute_eff x L / (L + len_half), L = pairs / q, the mean keys per query;
 *     t_compute = padded flops / (peak x eff(L)) x (waves / ideal waves).
 *   Memory: Q, O and the K, V of prefix + q tokens once each: t_memory = bytes / (HBM x mem_eff).
 * decode (class 1): one query per sequence against `context` cached keys. A decode kernel runs a
 *   CTA per (sequence, query head) and may split the keys into chunks of split_len
 *   (FlashDecoding): units = seqs x heads x splits. (LLMServingSim's FlashAttention-2 table says
 *   query heads, not KV heads: at 64-256 sequences Llama-3.1-70B TP4, 16 query heads over 2 KV
 *   heads, takes twice as long as Mixtral TP4, 8 over the same 2; at one sequence they agree.)
 *   One CTA streams its keys at cta_gbps after a start-up of cta_us; units run cta_per_sm to an
 *   SM, in waves: t_parallel = waves x (cta_us + keys_per_split x 2 head_dim dtype / cta_gbps).
 *   The whole cache cannot stream faster than HBM: t_memory = KV bytes / (HBM x mem_eff), where
 *   KV bytes = seqs x context x 2 x kv_heads x head_dim x dtype bytes (+ Q, O).
 *   A large split_len is a kernel without split-KV (FlashAttention-2's varlen decode, which
 *   LLMServingSim's table shows: one sequence of 16k keys takes 430 us on an H100). The shipped
 *   coefficients are fitted on split-KV kernels (the H200 first-hand decode, also for h100-sxm:
 *   docs/cost.md), the kind serving engines run; the varlen rows are reported only.
 * Both: time = fixed_us + smooth_max(parallel or compute term, t_memory; smooth_p).
 */
#include <math.h>

#include "cost_internal.h"

enum { P_FIXED = COST_P_FIRST_FAMILY, P_COMPUTE_EFF, P_LEN_HALF, P_WAVE_QUANT, P_MEM_EFF, P_SPLIT_LEN,
       P_CTA_PER_SM, P_CTA_US, P_CTA_GBPS, P_SMOOTH_P, P_COUNT };

/* Defaults: FlashAttention-2 reaches 50-70 % of the tensor peak in its forward pass (Dao 2023,
 * "FlashAttention-2", figure 5, on A100; FlashAttention-3 reports 75 % on H100); decode streams
 * the cache near the GEMMs' weight-read rate (0.68 of HBM, H200 README). Eager: the H200 README
 * reports 46 us for a small eager prefill (launch-bound) vs 6-8 us from a graph. */
static const cost_param_def params[P_COUNT] = {
    {"eager_gap_us", 4.0, 0, 100, 0.5, true},
    {"eager_floor_us", 40.0, 0, 200, 0.5, true},
    {"fixed_us", 5.0, 0, 50, 0.5, true},
    {"compute_eff", 0.5, 0.01, 1.0, 0, true},
    {"len_half", 128, 0, 8192, 8, true},
    {"wave_quant", 0.5, 0, 1, 0.05, true},
    {"mem_eff", 0.68, 0.1, 1.2, 0, true},
    {"split_len", 512, 32, 1e6, 0, true},
    {"cta_per_sm", 2, 0.25, 32, 0, true},
    {"cta_us", 2, 0, 100, 0.1, true},
    {"cta_gbps", 50, 1, 5000, 0, true},
    {"smooth_p", 4, 1, 20, 0, true},
};

static int class_of(const ps_cost_query *q)
{
    if (q->kind != PS_OP_ATTENTION)
        return -1;
    return q->phase == PS_PHASE_DECODE ? 1 : 0;
}

static void dims(const ps_cost_query *q, double d[COST_DIMS])
{
    d[0] = (double)q->tokens;
    d[1] = (double)q->context;
    d[2] = (double)q->heads;
}

static int validate(const ps_cost_query *q, ps_error *err)
{
    if (q->seqs < 1 || q->tokens < 1 || q->context < 1)
        return ps_error_set(err, PS_EINPUT, "attention needs seqs, tokens, context >= 1 (got %lld, %lld, %lld)",
                            (long long)q->seqs, (long long)q->tokens, (long long)q->context);
    if (q->heads < 1 || q->kv_heads < 1 || q->head_dim < 1 || q->heads % q->kv_heads)
        return ps_error_set(err, PS_EINPUT, "attention needs heads, kv_heads, head_dim >= 1 and kv_heads "
                            "dividing heads (got %lld, %lld, %lld)", (long long)q->heads,
                            (long long)q->kv_heads, (long long)q->head_dim);
    if (q->prefix < 0)
        return ps_error_set(err, PS_EINPUT, "attention prefix %lld < 0", (long long)q->prefix);
    if (q->phase == PS_PHASE_DECODE && q->tokens != q->seqs)
        return ps_error_set(err, PS_EINPUT, "decode attention: tokens (%lld) must equal seqs (%lld): one "
                            "query per sequence", (long long)q->tokens, (long long)q->seqs);
    if (q->phase == PS_PHASE_PREFILL && q->tokens % q->seqs)
        return ps_error_set(err, PS_EINPUT, "prefill attention: tokens (%lld) must be a multiple of seqs "
                            "(%lld)", (long long)q->tokens, (long long)q->seqs);
    if (q->phase == PS_PHASE_PREFILL && q->context != q->prefix + q->tokens / q->seqs)
        return ps_error_set(err, PS_EINPUT, "prefill attention: context (%lld) must be prefix + tokens / "
                            "seqs (%lld)", (long long)q->context, (long long)(q->prefix + q->tokens / q->seqs));
    return PS_OK;
}

static void prefill(const double *v, const ps_gpu_spec *gpu, const cost_shape *s, cost_eval *out)
{
    const ps_cost_query *q = &s->q;
    double a = cost_dtype_bytes(q->dtype), seqs = (double)q->seqs, ql = (double)q->tokens / seqs;
    double pre = (double)q->prefix, heads = (double)q->heads, hd = (double)q->head_dim;
    double pairs = ql * pre + ql * (ql + 1) / 2;
    out->flops = 4.0 * heads * hd * pairs * seqs;
    out->bytes = (2.0 * ql * heads * hd + 2.0 * (pre + ql) * (double)q->kv_heads * hd) * seqs * a;
    double len = pairs / ql, eff = v[P_COMPUTE_EFF] * len / (len + v[P_LEN_HALF]);
    double q_pad = ceil(ql / 128) * 128;
    double units = seqs * heads * q_pad / 128, sms = gpu->sm_count;
    double quant = cost_waves(units, sms, v[P_WAVE_QUANT]) / (units / sms);
    double t_c = out->flops * (q_pad / ql) / (cost_peak_flops(gpu, q->dtype) * eff) * quant * 1e6;
    double t_m = out->bytes / (gpu->hbm_bandwidth_bytes_per_s * v[P_MEM_EFF]) * 1e6;
    out->bound = t_c >= t_m ? PS_BOUND_COMPUTE : PS_BOUND_MEMORY;
    out->time_us = v[P_FIXED] + cost_smooth_max(t_c, t_m, v[P_SMOOTH_P]);
}

static void decode(const double *v, const ps_gpu_spec *gpu, const cost_shape *s, cost_eval *out)
{
    const ps_cost_query *q = &s->q;
    double a = cost_dtype_bytes(q->dtype), seqs = (double)q->seqs, ctx = (double)q->context;
    double heads = (double)q->heads, kvh = (double)q->kv_heads, hd = (double)q->head_dim;
    double kv = seqs * ctx * 2.0 * kvh * hd * a;
    out->flops = 4.0 * heads * hd * ctx * seqs;
    out->bytes = kv + 2.0 * seqs * heads * hd * a;
    double alias = s->kv_aliased ? 0.5 : 1.0;
    double read = kv * alias + 2.0 * seqs * heads * hd * a;
    double splits = ceil(ctx / v[P_SPLIT_LEN]), keys = ceil(ctx / splits);
    double units = seqs * heads * splits;
    double t_cta = v[P_CTA_US] + keys * 2.0 * hd * a * alias / (v[P_CTA_GBPS] * 1e9) * 1e6;
    double t_par = cost_waves(units, gpu->sm_count * v[P_CTA_PER_SM], v[P_WAVE_QUANT]) * t_cta;
    double t_m = read / (gpu->hbm_bandwidth_bytes_per_s * v[P_MEM_EFF]) * 1e6;
    /* Both terms are streaming rates (the per-CTA one mostly from L2, each query head re-reading
     * its KV head): decode attention is memory-bound either way. */
    out->bound = PS_BOUND_MEMORY;
    out->time_us = v[P_FIXED] + cost_smooth_max(t_par, t_m, v[P_SMOOTH_P]);
}

static void graph_time(const double *v, const ps_gpu_spec *gpu, const cost_shape *s, cost_eval *out)
{
    if (s->q.phase == PS_PHASE_DECODE)
        decode(v, gpu, s, out);
    else
        prefill(v, gpu, s, out);
}

const cost_family cost_family_attention = {
    .name = "attention",
    .nclasses = 2,
    .class_names = {"prefill", "decode"},
    .class_of = class_of,
    .nparams = P_COUNT,
    .params = params,
    .dim_names = {"tokens", "context", "heads"},
    .dims = dims,
    .validate = validate,
    .graph_time = graph_time,
};
