/* Appends the k and v of new tokens to the KV cache (CPU reference: attention_ref.c). */
#include "kernel_common.cuh"

__global__ void ps_kv_write_kernel(const __nv_bfloat16 *qkv, void *k_cache, void *v_cache, bool kv_fp8,
                                   const int32_t *positions, int64_t tokens, int64_t tokens_per_seq, int64_t heads,
                                   int64_t kv_heads, int64_t head_dim, int64_t max_context)
{
    int64_t row = (heads + 2 * kv_heads) * head_dim, n = tokens * kv_heads * head_dim;
    for (int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; idx < n;
         idx += (int64_t)gridDim.x * blockDim.x) {
        int64_t d = idx % head_dim, h = (idx / head_dim) % kv_heads, t = idx / (head_dim * kv_heads);
        int64_t at = (((t / tokens_per_seq) * kv_heads + h) * max_context + positions[t]) * head_dim + d;
        __nv_bfloat16 k = qkv[t * row + (heads + h) * head_dim + d];
        __nv_bfloat16 v = qkv[t * row + (heads + kv_heads + h) * head_dim + d];
        if (kv_fp8) {
            ((uint8_t *)k_cache)[at] = ps_to_e4m3(__bfloat162float(k));
            ((uint8_t *)v_cache)[at] = ps_to_e4m3(__bfloat162float(v));
        } else {
            ((__nv_bfloat16 *)k_cache)[at] = k;
            ((__nv_bfloat16 *)v_cache)[at] = v;
        }
    }
}

extern "C" int ps_k_kv_write(const void *qkv, void *k_cache, void *v_cache, bool kv_fp8, const int32_t *positions,
                             int64_t tokens, int64_t tokens_per_seq, int64_t heads, int64_t kv_heads,
                             int64_t head_dim, int64_t max_context, cudaStream_t stream)
{
    ps_kv_write_kernel<<<ps_grid_for(tokens * kv_heads * head_dim, 256), 256, 0, stream>>>(
        (const __nv_bfloat16 *)qkv, k_cache, v_cache, kv_fp8, positions, tokens, tokens_per_seq, heads, kv_heads,
        head_dim, max_context);
    return ps_launch_status();
}
