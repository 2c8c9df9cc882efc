/* Decode attention: one new query token per sequence against its whole cached context (CPU
 * reference: attention_ref.c).
 *
 * Grid: (heads, sequences); block: PS_DEC_WARPS warps. Keys are staged in shared memory in tiles
 * of PS_ATTN_TILE_KEYS (attention_tile.cuh); within a tile warp w takes keys w, w + PS_DEC_WARPS,
 * ... and keeps its own online-softmax state; the warps' states are merged at the end (max of
 * maxes, rescaled sums and accumulators), the split-K idea of FlashDecoding inside one block.
 */
#include "attention_tile.cuh"

#define PS_DEC_WARPS 4

__global__ void ps_attention_decode_kernel(const __nv_bfloat16 *qkv, const void *k_cache, const void *v_cache,
                                           bool kv_fp8, const int32_t *positions, __nv_bfloat16 *out,
                                           int64_t heads, int64_t kv_heads, int64_t head_dim, int64_t max_context)
{
    __shared__ ps_attn_tile k_tile, v_tile;
    __shared__ float warp_max[PS_DEC_WARPS], warp_sum[PS_DEC_WARPS];
    __shared__ float warp_acc[PS_DEC_WARPS][PS_KERNEL_MAX_HEAD_DIM];
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int64_t seq = blockIdx.y, h = blockIdx.x, kvh = h / (heads / kv_heads);
    int64_t row = (heads + 2 * kv_heads) * head_dim, dpl = head_dim / 32, keys = positions[seq] + 1;
    float scale = rsqrtf((float)head_dim);
    float q[PS_ATTN_DIMS_PER_LANE], acc[PS_ATTN_DIMS_PER_LANE];
    ps_attn_softmax sm;
    ps_attn_begin(q, acc, &sm, qkv + seq * row + h * head_dim, lane, dpl);
    int64_t base = (seq * kv_heads + kvh) * max_context * head_dim;
    ps_attn_walk_tiles(k_tile, v_tile, k_cache, v_cache, kv_fp8, base, keys, head_dim, [&](int64_t, int64_t n) {
        for (int64_t j = warp; j < n; j += PS_DEC_WARPS)
            ps_attn_fold(q, acc, &sm, k_tile[j], v_tile[j], lane, dpl, scale);
    });
    if (lane == 0) {
        warp_max[warp] = sm.running_max;
        warp_sum[warp] = sm.running_sum;
    }
    for (int i = 0; i < dpl; i++)
        warp_acc[warp][lane * dpl + i] = acc[i];
    __syncthreads();
    if (warp == 0) {
        float m = -INFINITY;
        for (int w = 0; w < PS_DEC_WARPS; w++)
            m = fmaxf(m, warp_max[w]);
        float total = 0.0f;
        for (int w = 0; w < PS_DEC_WARPS; w++)
            total += warp_sum[w] > 0.0f ? warp_sum[w] * expf(warp_max[w] - m) : 0.0f;
        for (int i = 0; i < dpl; i++) {
            float v = 0.0f;
            for (int w = 0; w < PS_DEC_WARPS; w++)
                v += warp_sum[w] > 0.0f ? warp_acc[w][lane * dpl + i] * expf(warp_max[w] - m) : 0.0f;
            out[seq * heads * head_dim + h * head_dim + lane * dpl + i] = __float2bfloat16_rn(v / total);
        }
    }
}

extern "C" int ps_k_attention_decode(const void *qkv, const void *k_cache, const void *v_cache, bool kv_fp8,
                                     const int32_t *positions, void *out, int64_t seqs, int64_t heads,
                                     int64_t kv_heads, int64_t head_dim, int64_t max_context, cudaStream_t stream)
{
    if (head_dim % 32 || head_dim > PS_KERNEL_MAX_HEAD_DIM)
        return (int)cudaErrorInvalidValue;
    dim3 grid((unsigned)heads, (unsigned)seqs);
    ps_attention_decode_kernel<<<grid, 32 * PS_DEC_WARPS, 0, stream>>>((const __nv_bfloat16 *)qkv, k_cache, v_cache,
                                                                       kv_fp8, positions, (__nv_bfloat16 *)out, heads,
                                                                       kv_heads, head_dim, max_context);
    return ps_launch_status();
}
