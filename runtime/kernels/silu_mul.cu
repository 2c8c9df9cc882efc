/* SiLU(gate) x up of the fused gate_up GEMM output (CPU reference: silu_mul_ref.c). */
#include "kernel_common.cuh"

__global__ void ps_silu_mul_kernel(const __nv_bfloat16 *gate_up, __nv_bfloat16 *out, int64_t tokens, int64_t inter)
{
    int64_t n = tokens * inter;
    for (int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; idx < n;
         idx += (int64_t)gridDim.x * blockDim.x) {
        int64_t t = idx / inter, i = idx % inter;
        float g = __bfloat162float(gate_up[t * 2 * inter + i]);
        float u = __bfloat162float(gate_up[t * 2 * inter + inter + i]);
        out[idx] = __float2bfloat16_rn(g / (1.0f + expf(-g)) * u);
    }
}

extern "C" int ps_k_silu_mul(const void *gate_up, void *out, int64_t tokens, int64_t inter, cudaStream_t stream)
{
    ps_silu_mul_kernel<<<ps_grid_for(tokens * inter, 256), 256, 0, stream>>>((const __nv_bfloat16 *)gate_up,
                                                                             (__nv_bfloat16 *)out, tokens, inter);
    return ps_launch_status();
}
