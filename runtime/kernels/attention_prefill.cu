/* Causal prefill attention, tiled, with an online softmax (CPU reference: attention_ref.c).
 *
 * Grid: (query tiles of PS_PF_QUERIES, heads, sequences); block: one warp per query. The block
 * walks the sequence's cached keys in tiles of PS_PF_KEYS: the tile's k and v are staged in
 * shared memory (fp32) once for the block's queries, and each warp folds the keys its query may
 * see (j <= position) into a running (max, sum, accumulator) (Milakov & Gimelshein, "Online
 * normalizer calculation for softmax", 2018; the FlashAttention recurrence). Each lane holds
 * head_dim / 32 output dimensions. This is a plain tiled kernel, not FlashAttention-2/3 (no
 * tensor cores): its recorded times are its own, which is what a trace of this runtime says.
 */
#include "kernel_common.cuh"

#define PS_PF_QUERIES 4
#define PS_PF_KEYS 32
#define PS_PF_DIMS_PER_LANE (PS_KERNEL_MAX_HEAD_DIM / 32)

__global__ void ps_attention_prefill_kernel(const __nv_bfloat16 *qkv, const void *k_cache, const void *v_cache,
                                            bool kv_fp8, const int32_t *positions, __nv_bfloat16 *out,
                                            int64_t tokens_per_seq, int64_t heads, int64_t kv_heads,
                                            int64_t head_dim, int64_t max_context)
{
    __shared__ float k_tile[PS_PF_KEYS][PS_KERNEL_MAX_HEAD_DIM];
    __shared__ float v_tile[PS_PF_KEYS][PS_KERNEL_MAX_HEAD_DIM];
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int64_t seq = blockIdx.z, h = blockIdx.y, kvh = h / (heads / kv_heads);
    int64_t qi = (int64_t)blockIdx.x * PS_PF_QUERIES + warp;
    int64_t last_q = min((int64_t)(blockIdx.x + 1) * PS_PF_QUERIES, tokens_per_seq) - 1;
    bool active = qi < tokens_per_seq;
    int64_t t = seq * tokens_per_seq + (active ? qi : last_q);
    int64_t my_keys = active ? positions[t] + 1 : 0;
    int64_t block_keys = positions[seq * tokens_per_seq + last_q] + 1;
    int64_t row = (heads + 2 * kv_heads) * head_dim, dpl = head_dim / 32;
    float scale = rsqrtf((float)head_dim);
    float q[PS_PF_DIMS_PER_LANE], acc[PS_PF_DIMS_PER_LANE];
    for (int i = 0; i < PS_PF_DIMS_PER_LANE; i++) {
        q[i] = i < dpl ? __bfloat162float(qkv[t * row + h * head_dim + lane * dpl + i]) : 0.0f;
        acc[i] = 0.0f;
    }
    float running_max = -INFINITY, running_sum = 0.0f;
    int64_t base = (seq * kv_heads + kvh) * max_context * head_dim;
    for (int64_t tile = 0; tile < block_keys; tile += PS_PF_KEYS) {
        int64_t n = min((int64_t)PS_PF_KEYS, block_keys - tile);
        for (int64_t e = threadIdx.x; e < n * head_dim; e += blockDim.x) {
            int64_t j = e / head_dim, d = e % head_dim;
            k_tile[j][d] = ps_cache_load(k_cache, kv_fp8, base + (tile + j) * head_dim + d);
            v_tile[j][d] = ps_cache_load(v_cache, kv_fp8, base + (tile + j) * head_dim + d);
        }
        __syncthreads();
        for (int64_t j = 0; j < n && tile + j < my_keys; j++) {
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
    if (active)
        for (int i = 0; i < dpl; i++)
            out[t * heads * head_dim + h * head_dim + lane * dpl + i] = __float2bfloat16_rn(acc[i] / running_sum);
}

extern "C" int ps_k_attention_prefill(const void *qkv, const void *k_cache, const void *v_cache, bool kv_fp8,
                                      const int32_t *positions, void *out, int64_t tokens, int64_t tokens_per_seq,
                                      int64_t heads, int64_t kv_heads, int64_t head_dim, int64_t max_context,
                                      cudaStream_t stream)
{
    if (head_dim % 32 || head_dim > PS_KERNEL_MAX_HEAD_DIM || tokens % tokens_per_seq)
        return (int)cudaErrorInvalidValue;
    dim3 grid((unsigned)((tokens_per_seq + PS_PF_QUERIES - 1) / PS_PF_QUERIES), (unsigned)heads,
              (unsigned)(tokens / tokens_per_seq));
    ps_attention_prefill_kernel<<<grid, 32 * PS_PF_QUERIES, 0, stream>>>(
        (const __nv_bfloat16 *)qkv, k_cache, v_cache, kv_fp8, positions, (__nv_bfloat16 *)out, tokens_per_seq,
        heads, kv_heads, head_dim, max_context);
    return ps_launch_status();
}
