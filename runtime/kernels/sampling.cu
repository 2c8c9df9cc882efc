/* Greedy sampling: argmax over the gathered logits of every rank (CPU reference: sampling_ref.c).
 * One block per sequence; ties go to the lowest token id, as in the reference. */
#include "kernel_common.cuh"

__global__ void ps_argmax_kernel(const __nv_bfloat16 *logits, int32_t *ids, int64_t seqs, int64_t vocab_per_rank,
                                 int tp, int64_t vocab)
{
    __shared__ float best_value[256];
    __shared__ int64_t best_id[256];
    int64_t s = blockIdx.x;
    float best = -INFINITY;
    int64_t id = -1;
    for (int64_t g = threadIdx.x; g < (int64_t)tp * vocab_per_rank; g += blockDim.x) {
        if (g >= vocab)
            break;
        int64_t r = g / vocab_per_rank, v = g % vocab_per_rank;
        float x = __bfloat162float(logits[(r * seqs + s) * vocab_per_rank + v]);
        if (id < 0 || x > best)
            best = x, id = g;
    }
    best_value[threadIdx.x] = best;
    best_id[threadIdx.x] = id;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
        if (threadIdx.x < stride) {
            float ov = best_value[threadIdx.x + stride];
            int64_t oi = best_id[threadIdx.x + stride];
            int64_t mi = best_id[threadIdx.x];
            if (oi >= 0 && (mi < 0 || ov > best_value[threadIdx.x] || (ov == best_value[threadIdx.x] && oi < mi))) {
                best_value[threadIdx.x] = ov;
                best_id[threadIdx.x] = oi;
            }
        }
        __syncthreads();
    }
    if (threadIdx.x == 0)
        ids[s] = (int32_t)best_id[0];
}

extern "C" int ps_k_argmax(const void *logits, int32_t *ids, int64_t seqs, int64_t vocab_per_rank, int tp,
                           int64_t vocab, cudaStream_t stream)
{
    ps_argmax_kernel<<<(unsigned)seqs, 256, 0, stream>>>((const __nv_bfloat16 *)logits, ids, seqs, vocab_per_rank, tp,
                                                         vocab);
    return ps_launch_status();
}
