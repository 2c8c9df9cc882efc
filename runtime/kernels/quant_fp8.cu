/* Static per-tensor quantisation of bf16 activations to e4m3 (CPU reference: quant_fp8_ref.c). */
#include "kernel_common.cuh"

__global__ void ps_quant_e4m3_kernel(const __nv_bfloat16 *x, uint8_t *out, int64_t n, float scale)
{
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        out[i] = ps_to_e4m3(__fdiv_rn(__bfloat162float(x[i]), scale));
}

extern "C" int ps_k_quant_e4m3(const void *x, void *out, int64_t n, float scale, cudaStream_t stream)
{
    ps_quant_e4m3_kernel<<<ps_grid_for(n, 256), 256, 0, stream>>>((const __nv_bfloat16 *)x, (uint8_t *)out, n, scale);
    return ps_launch_status();
}
