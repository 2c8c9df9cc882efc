/* Vocab-parallel embedding lookup (CPU reference: embedding_ref.c). */
#include "kernel_common.cuh"

__global__ void ps_embedding_kernel(const int32_t *ids, const __nv_bfloat16 *table, __nv_bfloat16 *out,
                                    int64_t tokens, int64_t hidden, int64_t vocab_first, int64_t vocab_rows)
{
    int64_t n = tokens * hidden;
    for (int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; idx < n;
         idx += (int64_t)gridDim.x * blockDim.x) {
        int64_t t = idx / hidden, i = idx % hidden, row = (int64_t)ids[t] - vocab_first;
        out[idx] = row >= 0 && row < vocab_rows ? table[row * hidden + i] : __float2bfloat16_rn(0.0f);
    }
}

extern "C" int ps_k_embedding(const int32_t *ids, const void *table, void *out, int64_t tokens, int64_t hidden,
                              int64_t vocab_first, int64_t vocab_rows, cudaStream_t stream)
{
    ps_embedding_kernel<<<ps_grid_for(tokens * hidden, 256), 256, 0, stream>>>(
        ids, (const __nv_bfloat16 *)table, (__nv_bfloat16 *)out, tokens, hidden, vocab_first, vocab_rows);
    return ps_launch_status();
}
