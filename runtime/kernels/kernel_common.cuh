/* runtime/kernels/kernel_common.cuh: what the kernels share (grid sizing, the seeded hash, warp
 * reductions, cache element access). */
#ifndef PARSIM_RUNTIME_KERNEL_COMMON_CUH
#define PARSIM_RUNTIME_KERNEL_COMMON_CUH

#include <cuda_bf16.h>
#include <cuda_fp8.h>
#include <stdint.h>

#include "kernels.h"

/* Grid for a grid-stride loop over n elements: enough blocks to fill an H100/H200 (132 SMs x a
 * few blocks), never more than the elements need. */
static inline unsigned ps_grid_for(int64_t n, int threads)
{
    int64_t blocks = (n + threads - 1) / threads;
    if (blocks > 132 * 16)
        blocks = 132 * 16;
    return (unsigned)(blocks < 1 ? 1 : blocks);
}

static inline int ps_launch_status(void) { return (int)cudaGetLastError(); }

__device__ __forceinline__ uint64_t ps_mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The same value as ps_ref_uniform (init_weights_ref.c). */
__device__ __forceinline__ float ps_uniform(uint64_t seed, uint64_t tensor, uint64_t index)
{
    uint64_t h = ps_mix64(ps_mix64(seed ^ ps_mix64(tensor)) ^ index);
    return __fmul_rn((float)(h >> 40), 1.0f / 8388608.0f) - 1.0f;
}

__device__ __forceinline__ float ps_warp_sum(float v)
{
    for (int off = 16; off > 0; off >>= 1)
        v += __shfl_xor_sync(0xffffffffu, v, off);
    return v;
}

__device__ __forceinline__ float ps_load(const __nv_bfloat16 *p, int64_t i) { return __bfloat162float(p[i]); }

__device__ __forceinline__ float ps_cache_load(const void *cache, bool fp8, int64_t i)
{
    if (fp8) {
        __nv_fp8_e4m3 v;
        v.__x = ((const __nv_fp8_storage_t *)cache)[i];
        return (float)v;
    }
    return __bfloat162float(((const __nv_bfloat16 *)cache)[i]);
}

__device__ __forceinline__ uint8_t ps_to_e4m3(float x)
{
    return (uint8_t)__nv_cvt_float_to_fp8(x, __NV_SATFINITE, __NV_E4M3);
}

#endif
