/* Seeded on-GPU initialisation of weights, KV cache contents and token ids (CPU reference:
 * init_weights_ref.c). __fmul_rn / __fadd_rn keep the GPU from fusing into an FMA, so the values
 * are bit-identical with the CPU's. */
#include "kernel_common.cuh"

__global__ void ps_init_bf16_kernel(__nv_bfloat16 *out, int64_t n, uint64_t seed, uint64_t tensor, float scale,
                                    float offset)
{
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        out[i] = __float2bfloat16_rn(__fadd_rn(__fmul_rn(ps_uniform(seed, tensor, (uint64_t)i), scale), offset));
}

__global__ void ps_init_e4m3_kernel(uint8_t *out, int64_t n, uint64_t seed, uint64_t tensor)
{
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        out[i] = ps_to_e4m3(__fmul_rn(ps_uniform(seed, tensor, (uint64_t)i), 240.0f));
}

__global__ void ps_init_ids_kernel(int32_t *out, int64_t n, uint64_t seed, uint64_t tensor, int64_t vocab)
{
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
        out[i] = (int32_t)(ps_mix64(ps_mix64(seed ^ ps_mix64(tensor)) ^ (uint64_t)i) % (uint64_t)vocab);
}

extern "C" int ps_k_init_bf16(void *out, int64_t n, uint64_t seed, uint64_t tensor, float scale, float offset,
                              cudaStream_t stream)
{
    ps_init_bf16_kernel<<<ps_grid_for(n, 256), 256, 0, stream>>>((__nv_bfloat16 *)out, n, seed, tensor, scale,
                                                                   offset);
    return ps_launch_status();
}

extern "C" int ps_k_init_e4m3(void *out, int64_t n, uint64_t seed, uint64_t tensor, cudaStream_t stream)
{
    ps_init_e4m3_kernel<<<ps_grid_for(n, 256), 256, 0, stream>>>((uint8_t *)out, n, seed, tensor);
    return ps_launch_status();
}

extern "C" int ps_k_init_ids(int32_t *out, int64_t n, uint64_t seed, uint64_t tensor, int64_t vocab,
                             cudaStream_t stream)
{
    ps_init_ids_kernel<<<ps_grid_for(n, 256), 256, 0, stream>>>(out, n, seed, tensor, vocab);
    return ps_launch_status();
}
