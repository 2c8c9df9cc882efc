/* CPU reference of kv_write.cu, attention_prefill.cu and attention_decode.cu.
 *
 * Both attention kernels compute, for a query q of head h at position p of sequence s,
 *   out = sum_{j<=p} softmax_j(q.k_j / sqrt(d)) v_j   over the cached k_j, v_j of kv head h/group,
 * in fp32 with an online softmax over key tiles. This reference takes the two-pass form (max,
 * then exp-sum) in fp32: the same value up to fp32 rounding order. */
#include <math.h>

#include "kernels_ref.h"
#include "numeric.h"

static int64_t cache_index(int64_t seq, int64_t kvh, int64_t pos, int64_t kv_heads, int64_t max_context,
                           int64_t head_dim)
{
    return ((seq * kv_heads + kvh) * max_context + pos) * head_dim;
}

static float cache_get(const void *cache, bool fp8, int64_t i)
{
    return fp8 ? ps_e4m3_to_f32(((const uint8_t *)cache)[i]) : ps_bf16_to_f32(((const uint16_t *)cache)[i]);
}

void ps_ref_kv_write(const uint16_t *qkv, void *k_cache, void *v_cache, bool kv_fp8, const int32_t *positions,
                     int64_t tokens, int64_t tokens_per_seq, int64_t heads, int64_t kv_heads, int64_t head_dim,
                     int64_t max_context)
{
    int64_t row = (heads + 2 * kv_heads) * head_dim;
    for (int64_t t = 0; t < tokens; t++)
        for (int64_t h = 0; h < kv_heads; h++)
            for (int64_t d = 0; d < head_dim; d++) {
                int64_t at = cache_index(t / tokens_per_seq, h, positions[t], kv_heads, max_context, head_dim) + d;
                uint16_t k = qkv[t * row + (heads + h) * head_dim + d];
                uint16_t v = qkv[t * row + (heads + kv_heads + h) * head_dim + d];
                if (kv_fp8) {
                    ((uint8_t *)k_cache)[at] = ps_f32_to_e4m3(ps_bf16_to_f32(k));
                    ((uint8_t *)v_cache)[at] = ps_f32_to_e4m3(ps_bf16_to_f32(v));
                } else {
                    ((uint16_t *)k_cache)[at] = k;
                    ((uint16_t *)v_cache)[at] = v;
                }
            }
}

void ps_ref_attention(const uint16_t *qkv, const void *k_cache, const void *v_cache, bool kv_fp8,
                      const int32_t *positions, uint16_t *out, int64_t tokens, int64_t tokens_per_seq,
                      int64_t heads, int64_t kv_heads, int64_t head_dim, int64_t max_context)
{
    int64_t row = (heads + 2 * kv_heads) * head_dim, group = heads / kv_heads;
    float scale = 1.0f / sqrtf((float)head_dim);
    for (int64_t t = 0; t < tokens; t++) {
        int64_t seq = t / tokens_per_seq, keys = positions[t] + 1;
        for (int64_t h = 0; h < heads; h++) {
            const uint16_t *q = qkv + t * row + h * head_dim;
            int64_t base = cache_index(seq, h / group, 0, kv_heads, max_context, head_dim);
            float max_score = -INFINITY, sum = 0.0f;
            for (int64_t j = 0; j < keys; j++) {
                float s = 0.0f;
                for (int64_t d = 0; d < head_dim; d++)
                    s += ps_bf16_to_f32(q[d]) * cache_get(k_cache, kv_fp8, base + j * head_dim + d);
                s *= scale;
                max_score = s > max_score ? s : max_score;
            }
            float acc[512] = {0}; /* head_dim <= 512 (checked by the plan) */
            for (int64_t j = 0; j < keys; j++) {
                float s = 0.0f;
                for (int64_t d = 0; d < head_dim; d++)
                    s += ps_bf16_to_f32(q[d]) * cache_get(k_cache, kv_fp8, base + j * head_dim + d);
                float p = expf(s * scale - max_score);
                sum += p;
                for (int64_t d = 0; d < head_dim; d++)
                    acc[d] += p * cache_get(v_cache, kv_fp8, base + j * head_dim + d);
            }
            for (int64_t d = 0; d < head_dim; d++)
                out[t * heads * head_dim + h * head_dim + d] = ps_f32_to_bf16(acc[d] / sum);
        }
    }
}
