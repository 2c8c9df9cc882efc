/* runtime/kernels/kernels.h: launchers of the recorder's own CUDA kernels, callable from C.
 *
 * One .cu file per kernel, its CPU reference beside it (kernels_ref.h has the layouts and the
 * exact math). Every launcher enqueues on `stream` and returns the cudaError_t of the launch as
 * an int (0 = cudaSuccess); none synchronises, so all of them can be captured in a CUDA graph.
 * Pointers are device pointers; bf16 tensors are void * (__nv_bfloat16 inside), e4m3 void *.
 * Limits (checked by the launch plan before anything runs): head_dim a multiple of 32, <= 128.
 */
#ifndef PARSIM_RUNTIME_KERNELS_H
#define PARSIM_RUNTIME_KERNELS_H

#include <stdbool.h>
#include <stdint.h>

#include <cuda_runtime_api.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PS_KERNEL_MAX_HEAD_DIM 128

int ps_k_init_bf16(void *out, int64_t n, uint64_t seed, uint64_t tensor, float scale, float offset,
                   cudaStream_t stream);
int ps_k_init_e4m3(void *out, int64_t n, uint64_t seed, uint64_t tensor, cudaStream_t stream);
/* Token ids uniform in [0, vocab). */
int ps_k_init_ids(int32_t *out, int64_t n, uint64_t seed, uint64_t tensor, int64_t vocab, cudaStream_t stream);
int ps_k_rmsnorm(const void *x, const void *weight, void *y, int64_t rows, int64_t hidden, cudaStream_t stream);
int ps_k_rope(void *qkv, const int32_t *positions, int64_t tokens, int64_t heads, int64_t kv_heads,
              int64_t head_dim, cudaStream_t stream);
int ps_k_silu_mul(const void *gate_up, void *out, int64_t tokens, int64_t inter, cudaStream_t stream);
int ps_k_residual_add(void *x, const void *y, int64_t n, cudaStream_t stream);
int ps_k_embedding(const int32_t *ids, const void *table, void *out, int64_t tokens, int64_t hidden,
                   int64_t vocab_first, int64_t vocab_rows, cudaStream_t stream);
int ps_k_kv_write(const void *qkv, void *k_cache, void *v_cache, bool kv_fp8, const int32_t *positions,
                  int64_t tokens, int64_t tokens_per_seq, int64_t heads, int64_t kv_heads, int64_t head_dim,
                  int64_t max_context, cudaStream_t stream);
/* Prefill: tokens_per_seq query tokens per sequence, causal over the cache. */
int ps_k_attention_prefill(const void *qkv, const void *k_cache, const void *v_cache, bool kv_fp8,
                           const int32_t *positions, void *out, int64_t tokens, int64_t tokens_per_seq,
                           int64_t heads, int64_t kv_heads, int64_t head_dim, int64_t max_context,
                           cudaStream_t stream);
/* Decode: one query token per sequence (tokens = sequences) over its whole cached context. */
int ps_k_attention_decode(const void *qkv, const void *k_cache, const void *v_cache, bool kv_fp8,
                          const int32_t *positions, void *out, int64_t seqs, int64_t heads, int64_t kv_heads,
                          int64_t head_dim, int64_t max_context, cudaStream_t stream);
int ps_k_argmax(const void *logits, int32_t *ids, int64_t seqs, int64_t vocab_per_rank, int tp, int64_t vocab,
                cudaStream_t stream);
int ps_k_quant_e4m3(const void *x, void *out, int64_t n, float scale, cudaStream_t stream);

#ifdef __cplusplus
}
#endif

#endif
