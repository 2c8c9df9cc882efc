/* Decode attention: one new query token per sequence against its whole cached context (CPU
 * reference: attention_ref.c).
 *
 * Grid: (heads, sequences); block: PS_DEC_WARPS warps. Keys are staged in shared memory in tiles
 * of 32; within a tile warp w takes keys w, w + PS_DEC_WARPS, ... and keeps its own online-softmax
 * state; the warps' states are merged at the end (max of maxes, rescaled sums and accumulators),
 * the split-K idea of FlashDecoding inside one block.
 */
#include "kernel_common.cuh"

#define PS_DEC_WARPS 4
#define PS_DEC_KEYS 32
#define PS_DEC_DIMS_PER_LANE (PS_KERNEL_MAX_HEAD_DIM / 32)

__global__ void ps_attention_decode_kernel(const __nv_bfloat16 *qkv, const void *k_cache, const void *v_cache,
                                           bool kv_fp8, const int32_t *positions, __nv_bfloat16 *out,
                                           int64_t heads, int64_t kv_heads, int64_t head_dim, int64_t max_context)
{
    __shared__ float k_tile[PS_DEC_KEYS][PS_KERNEL_MAX_HEAD_DIM];
    __shared__ float v_tile[PS_DEC_KEYS][PS_KERNEL_MAX_HEAD_DIM];
    __shared__ float warp_max[PS_DEC_WARPS], warp_sum[PS_DEC_WARPS];
    __shared__ float warp_acc[PS_DEC_WARPS][PS_KERNEL_MAX_HEAD_DIM];
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int64_t seq = blockIdx.y, h = blockIdx.x, kvh = h / (heads / kv_heads);
    int64_t row = (heads + 2 * kv_heads) * head_dim, dpl = head_dim / 32, keys = positions[seq] + 1;
    float scale = rsqrtf((float)head_dim);
    float q[PS_DEC_DIMS_PER_LANE], acc[PS_DEC_DIMS_PER_LANE];
    for (int i = 0; i < PS_DEC_DIMS_PER_LANE; i++) {
        q[i] = i < dpl ? __bfloat162float(qkv[seq * row + h * head_dim + lane * dpl + i]) : 0.0f;
        acc[i] = 0.0f;
    }
    float running_max = -INFINITY, running_sum = 0.0f;
    int64_t base = (seq * kv_heads + kvh) * max_context * head_dim;
    for (int64_t tile = 0; tile < keys; tile += PS_DEC_KEYS) {
        int64_t n = min((int64_t)PS_DEC_KEYS, keys - tile);
        for (int64_t e = threadIdx.x; e < n * head_dim; e += blockDim.x) {
            int64_t j = e / head_dim, d = e % head_dim;
            k_tile[j][d] = ps_cache_load(k_cache, kv_fp8, base + (tile + j) * head_dim + d);
            v_tile[j][d] = ps_cache_load(v_cache, kv_fp8, base + (tile + j) * head_dim + d);
        }
        __syncthreads();
        for (int64_t j = warp; j < n; j += PS_DEC_WARPS) {
            float s = 0.0f;
            for (int i = 0; i < dpl; i++)
                s += q[i] * k_tile[j][lane * dpl + i];
            s = ps_warp_sum(s) * scale;
            float new_max = fmaxf(running_max, s);
            float correction = expf(running_max - new_max), p = expf(s - new_max);
            running_sum = running_sum * correction + p;
            for (int i = 0; i < dpl; i++)
                acc[i] = acc[i] * correction + p * v_tile[j][lane * dpl + i];
            running_max = new_max;
        }
        __syncthreads();
    }
    if (lane == 0) {
        warp_max[warp] = running_max;
        warp_sum[warp] = running_sum;
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
