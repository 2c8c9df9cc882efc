/* Residual add x += y (CPU reference: residual_add_ref.c). */
#include "kernel_common.cuh"

__global__ void ps_residual_add_kernel(__nv_bfloat16 *x, const __nv_bfloat16 *y, int64_t n)
{
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        x[i] = __float2bfloat16_rn(__bfloat162float(x[i]) + __bfloat162float(y[i]));
}

extern "C" int ps_k_residual_add(void *x, const void *y, int64_t n, cudaStream_t stream)
{
    ps_residual_add_kernel<<<ps_grid_for(n, 256), 256, 0, stream>>>((__nv_bfloat16 *)x, (const __nv_bfloat16 *)y, n);
    return ps_launch_status();
}
