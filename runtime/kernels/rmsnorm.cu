/* RMSNorm, one block per token row (CPU reference: rmsnorm_ref.c). 256 threads stride over the
 * row, a warp-shuffle + shared-memory reduction gives the sum of squares. */
#include "kernel_common.cuh"

__global__ void ps_rmsnorm_kernel(const __nv_bfloat16 *x, const __nv_bfloat16 *w, __nv_bfloat16 *y, int64_t hidden,
                                  float eps)
{
    __shared__ float partial[32];
    const __nv_bfloat16 *xr = x + blockIdx.x * hidden;
    float ss = 0.0f;
    for (int64_t i = threadIdx.x; i < hidden; i += blockDim.x) {
        float v = __bfloat162float(xr[i]);
        ss += v * v;
    }
    ss = ps_warp_sum(ss);
    if ((threadIdx.x & 31) == 0)
        partial[threadIdx.x >> 5] = ss;
    __syncthreads();
    if (threadIdx.x < 32) {
        float v = threadIdx.x < (blockDim.x >> 5) ? partial[threadIdx.x] : 0.0f;
        v = ps_warp_sum(v);
        if (threadIdx.x == 0)
            partial[0] = v;
    }
    __syncthreads();
    float inv = 1.0f / sqrtf(partial[0] / (float)hidden + eps);
    for (int64_t i = threadIdx.x; i < hidden; i += blockDim.x)
        y[blockIdx.x * hidden + i] = __float2bfloat16_rn(__bfloat162float(xr[i]) * inv * __bfloat162float(w[i]));
}

extern "C" int ps_k_rmsnorm(const void *x, const void *weight, void *y, int64_t rows, int64_t hidden,
                            cudaStream_t stream)
{
    if (rows <= 0)
        return 0;
    ps_rmsnorm_kernel<<<(unsigned)rows, 256, 0, stream>>>((const __nv_bfloat16 *)x, (const __nv_bfloat16 *)weight,
                                                          (__nv_bfloat16 *)y, hidden, 1e-5f);
    return ps_launch_status();
}
