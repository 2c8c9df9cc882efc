/* runtime/kernels/attention_tile.cuh: the tile machinery both attention kernels share
 * (attention_prefill.cu, attention_decode.cu; CPU reference of both: attention_ref.c).
 *
 * One query of one head is held by one warp: lane l owns output dimensions
 * l x dpl .. l x dpl + dpl - 1, dpl = head_dim / 32. The block stages the sequence's cached keys
 * and values in shared memory as fp32, PS_ATTN_TILE_KEYS at a time, and every warp folds the
 * keys it may see into its online-softmax state (running max m, running sum s, accumulator a):
 * for a key of score x,  m' = max(m, x),  s' = s e^(m - m') + e^(x - m'),
 *                        a' = a e^(m - m') + e^(x - m') v
 * (Milakov & Gimelshein, "Online normalizer calculation for softmax", 2018; the FlashAttention
 * recurrence); the output is a / s. The kernels differ in which keys a warp folds (prefill: the
 * causal prefix of its query; decode: every PS_DEC_WARPS-th key, the warps merged at the end) and
 * are one file each.
 */
#ifndef PARSIM_RUNTIME_ATTENTION_TILE_CUH
#define PARSIM_RUNTIME_ATTENTION_TILE_CUH

#include "kernel_common.cuh"

#define PS_ATTN_TILE_KEYS 32
#define PS_ATTN_DIMS_PER_LANE (PS_KERNEL_MAX_HEAD_DIM / 32)

typedef float ps_attn_tile[PS_ATTN_TILE_KEYS][PS_KERNEL_MAX_HEAD_DIM];

/* A warp's running max and sum. The query and the accumulator (per lane: its dpl dimensions,
 * float[PS_ATTN_DIMS_PER_LANE] each) are the kernel's own arrays, passed beside it: indexed by the
 * run-time dpl they live in local memory, and a struct holding them would take the two scalars
 * there too (ptxas: 40 bytes of stack instead of 32). */
typedef struct ps_attn_softmax {
    float running_max, running_sum;
} ps_attn_softmax;

/* Loads this lane's dimensions of the query (q_row: the query's head_dim values) and clears the
 * accumulator and the softmax state. */
__device__ __forceinline__ void ps_attn_begin(float *q, float *acc, ps_attn_softmax *sm, const __nv_bfloat16 *q_row,
                                              int lane, int64_t dpl)
{
    for (int i = 0; i < PS_ATTN_DIMS_PER_LANE; i++) {
        q[i] = i < dpl ? __bfloat162float(q_row[lane * dpl + i]) : 0.0f;
        acc[i] = 0.0f;
    }
    sm->running_max = -INFINITY;
    sm->running_sum = 0.0f;
}

/* The whole block stages keys first .. first + n - 1 of the cache at `base` (the sequence and kv
 * head's first element) into k_tile and v_tile, as fp32. The caller syncs before reading them. */
__device__ __forceinline__ void ps_attn_stage(ps_attn_tile k_tile, ps_attn_tile v_tile, const void *k_cache,
                                              const void *v_cache, bool kv_fp8, int64_t base, int64_t first,
                                              int64_t n, int64_t head_dim)
{
    for (int64_t e = threadIdx.x; e < n * head_dim; e += blockDim.x) {
        int64_t j = e / head_dim, d = e % head_dim;
        k_tile[j][d] = ps_cache_load(k_cache, kv_fp8, base + (first + j) * head_dim + d);
        v_tile[j][d] = ps_cache_load(v_cache, kv_fp8, base + (first + j) * head_dim + d);
    }
}

/* Walks keys 0 .. keys - 1 of the cache at `base` tile by tile: the block stages a tile, then
 * calls fold_tile(first, n) (keys first .. first + n - 1, staged in k_tile[0 .. n - 1] and
 * v_tile), with a barrier on either side so no warp restages a tile another is reading. */
template <typename FoldTile>
__device__ __forceinline__ void ps_attn_walk_tiles(ps_attn_tile k_tile, ps_attn_tile v_tile, const void *k_cache,
                                                   const void *v_cache, bool kv_fp8, int64_t base, int64_t keys,
                                                   int64_t head_dim, FoldTile fold_tile)
{
    for (int64_t first = 0; first < keys; first += PS_ATTN_TILE_KEYS) {
        int64_t n = min((int64_t)PS_ATTN_TILE_KEYS, keys - first);
        ps_attn_stage(k_tile, v_tile, k_cache, v_cache, kv_fp8, base, first, n, head_dim);
        __syncthreads();
        fold_tile(first, n);
        __syncthreads();
    }
}

/* Folds one staged key (k, v: its head_dim values) into the warp's state; every lane of the warp
 * calls it with the same key (the score is a warp sum). */
__device__ __forceinline__ void ps_attn_fold(const float *q, float *acc, ps_attn_softmax *sm, const float *k,
                                             const float *v, int lane, int64_t dpl, float scale)
{
    float s = 0.0f;
    for (int i = 0; i < dpl; i++)
        s += q[i] * k[lane * dpl + i];
    s = ps_warp_sum(s) * scale;
    float new_max = fmaxf(sm->running_max, s);
    float correction = expf(sm->running_max - new_max), p = expf(s - new_max);
    sm->running_sum = sm->running_sum * correction + p;
    for (int i = 0; i < dpl; i++)
        acc[i] = acc[i] * correction + p * v[lane * dpl + i];
    sm->running_max = new_max;
}

#endif
