/* Causal prefill attention, tiled, with an online softmax (CPU reference: attention_ref.c).
 *
 * Grid: (query tiles of PS_PF_QUERIES, heads, sequences); block: one warp per query. The block
 * walks the sequence's cached keys in tiles of PS_ATTN_TILE_KEYS: the tile's k and v are staged in
 * shared memory (fp32) once for the block's queries, and each warp folds the keys its query may
 * see (j <= position) into a running (max, sum, accumulator) (attention_tile.cuh: Milakov &
 * Gimelshein, "Online normalizer calculation for softmax", 2018; the FlashAttention recurrence).
 * Each lane holds head_dim / 32 output dimensions. This is a plain tiled kernel, not
 * FlashAttention-2/3 (no tensor cores): its recorded times are its own, which is what a trace of
 * this runtime says.
 */
#include "attention_tile.cuh"

#define PS_PF_QUERIES 4

__global__ void ps_attention_prefill_kernel(const __nv_bfloat16 *qkv, const void *k_cache, const void *v_cache,
                                            bool kv_fp8, const int32_t *positions, __nv_bfloat16 *out,
                                            int64_t tokens_per_seq, int64_t heads, int64_t kv_heads,
                                            int64_t head_dim, int64_t max_context)
{
    __shared__ ps_attn_tile k_tile, v_tile;
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int64_t seq = blockIdx.z, h = blockIdx.y, kvh = h / (heads / kv_heads);
    int64_t qi = (int64_t)blockIdx.x * PS_PF_QUERIES + warp;
    int64_t last_q = min((int64_t)(blockIdx.x + 1) * PS_PF_QUERIES, tokens_per_seq) - 1;
    bool active = qi < tokens_per_seq;
    int64_t t = seq * tokens_per_seq + (active ? qi : last_q);
    int64_t my_keys = active ? positions[t] + 1 : 0;
    int64_t block_keys = positions[seq * tokens_per_seq + last_q] + 1;
    int64_t row = (heads + 2 * kv_heads) * head_dim, dpl = head_dim / 32;
    float scale = rsqrtf((float)head_dim);
    float q[PS_ATTN_DIMS_PER_LANE], acc[PS_ATTN_DIMS_PER_LANE];
    ps_attn_softmax sm;
    ps_attn_begin(q, acc, &sm, qkv + t * row + h * head_dim, lane, dpl);
    int64_t base = (seq * kv_heads + kvh) * max_context * head_dim;
    ps_attn_walk_tiles(k_tile, v_tile, k_cache, v_cache, kv_fp8, base, block_keys, head_dim,
                       [&](int64_t first, int64_t n) {
                           for (int64_t j = 0; j < n && first + j < my_keys; j++)
                               ps_attn_fold(q, acc, &sm, k_tile[j], v_tile[j], lane, dpl, scale);
                       });
    if (active)
        for (int i = 0; i < dpl; i++)
            out[t * heads * head_dim + h * head_dim + lane * dpl + i] = __float2bfloat16_rn(acc[i] / sm.running_sum);
}

extern "C" int ps_k_attention_prefill(const void *qkv, const void *k_cache, const void *v_cache, bool kv_fp8,
                                      const int32_t *positions, void *out, int64_t tokens, int64_t tokens_per_seq,
                                      int64_t heads, int64_t kv_heads, int64_t head_dim, int64_t max_context,
                                      cudaStream_t stream)
{
    if (head_dim % 32 || head_dim > PS_KERNEL_MAX_HEAD_DIM || tokens % tokens_per_seq)
        return (int)cudaErrorInvalidValue;
    dim3 grid((unsigned)((tokens_per_seq + PS_PF_QUERIES - 1) / PS_PF_QUERIES), (unsigned)heads,
              (unsigned)(tokens / tokens_per_seq));
    ps_attention_prefill_kernel<<<grid, 32 * PS_PF_QUERIES, 0, stream>>>(
        (const __nv_bfloat16 *)qkv, k_cache, v_cache, kv_fp8, positions, (__nv_bfloat16 *)out, tokens_per_seq,
        heads, kv_heads, head_dim, max_context);
    return ps_launch_status();
}
