/* Rotary position embedding on q and k in place (CPU reference: rope_ref.c). One thread per
 * (token, head, pair). */
#include "kernel_common.cuh"

__global__ void ps_rope_kernel(__nv_bfloat16 *qkv, const int32_t *positions, int64_t tokens, int64_t heads,
                               int64_t kv_heads, int64_t head_dim)
{
    int64_t half = head_dim / 2, rot_heads = heads + kv_heads, row = (heads + 2 * kv_heads) * head_dim;
    int64_t n = tokens * rot_heads * half;
    for (int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; idx < n;
         idx += (int64_t)gridDim.x * blockDim.x) {
        int64_t i = idx % half, h = (idx / half) % rot_heads, t = idx / (half * rot_heads);
        __nv_bfloat16 *v = qkv + t * row + h * head_dim;
        float inv_freq = powf(500000.0f, -2.0f * (float)i / (float)head_dim);
        float angle = (float)positions[t] * inv_freq;
        float c = cosf(angle), s = sinf(angle);
        float a = __bfloat162float(v[i]), b = __bfloat162float(v[i + half]);
        v[i] = __float2bfloat16_rn(a * c - b * s);
        v[i + half] = __float2bfloat16_rn(b * c + a * s);
    }
}

extern "C" int ps_k_rope(void *qkv, const int32_t *positions, int64_t tokens, int64_t heads, int64_t kv_heads,
                         int64_t head_dim, cudaStream_t stream)
{
    int64_t n = tokens * (heads + kv_heads) * (head_dim / 2);
    ps_rope_kernel<<<ps_grid_for(n, 256), 256, 0, stream>>>((__nv_bfloat16 *)qkv, positions, tokens, heads,
                                                             kv_heads, head_dim);
    return ps_launch_status();
}
