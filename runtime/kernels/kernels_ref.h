/* runtime/kernels/kernels_ref.h: CPU references of the recorder's GPU kernels (plain C, libc).
 *
 * One reference per kernel, in the .c file beside its .cu: each repeats the kernel's arithmetic
 * (fp32 accumulation, bf16 rounding where the kernel stores) so that GPU results can be compared
 * with a small tolerance, and each is checked against a textbook double-precision version in
 * tests/runtime/test_kernel_refs.c. Tensors are row-major; bf16 values are uint16_t bit patterns,
 * e4m3 values uint8_t.
 *
 * Layouts shared with the GPU code (runtime/kernels/kernels.h):
 *   qkv row of a token: [q: heads x head_dim | k: kv_heads x head_dim | v: kv_heads x head_dim]
 *   KV cache of one layer: k then v, each [seqs][kv_heads][max_context][head_dim]
 *   weights of a linear layer: [n][k] (PyTorch nn.Linear), y[t][n] = sum_k x[t][k] w[n][k]
 *   gathered logits: [tp][seqs][vocab_per_rank] (NCCL all-gather concatenates rank buffers)
 */
#ifndef PARSIM_RUNTIME_KERNELS_REF_H
#define PARSIM_RUNTIME_KERNELS_REF_H

#include <stdbool.h>
#include <stdint.h>

#define PS_RMSNORM_EPS 1e-5f     /* Llama 3.1 config.json rms_norm_eps */
#define PS_ROPE_THETA 500000.0f  /* Llama 3.1 config.json rope_theta */

/* The seeded weight generator: value `index` of tensor `tensor` under `seed`, uniform in [-1, 1)
 * with 24 random bits (splitmix64 of the three), identical on CPU and GPU. */
float ps_ref_uniform(uint64_t seed, uint64_t tensor, uint64_t index);
void ps_ref_init_bf16(uint16_t *out, int64_t n, uint64_t seed, uint64_t tensor, float scale, float offset);
void ps_ref_init_e4m3(uint8_t *out, int64_t n, uint64_t seed, uint64_t tensor);
/* Token ids uniform in [0, vocab) (init_weights.cu ps_k_init_ids). */
void ps_ref_init_ids(int32_t *out, int64_t n, uint64_t seed, uint64_t tensor, int64_t vocab);
/* Tensor ids of the recorder's weights: distinct per (global layer, weight kind, tp rank);
 * layer -1 = outside layers (embedding, LM head, final norm, token ids). */
uint64_t ps_ref_tensor_id(int layer, int kind, int tp_rank);

void ps_ref_rmsnorm(const uint16_t *x, const uint16_t *weight, uint16_t *y, int64_t rows, int64_t hidden);
/* Rotates q and k of every token in place (rotate-half pairing i, i + head_dim/2, as Hugging
 * Face's Llama); positions[t] is the position of token t. */
void ps_ref_rope(uint16_t *qkv, const int32_t *positions, int64_t tokens, int64_t heads, int64_t kv_heads,
                 int64_t head_dim);
void ps_ref_silu_mul(const uint16_t *gate_up, uint16_t *out, int64_t tokens, int64_t inter);
void ps_ref_residual_add(uint16_t *x, const uint16_t *y, int64_t n);
/* Vocab-parallel embedding: rows of ids in [vocab_first, vocab_first + vocab_rows) are looked up,
 * the others are zero (an all-reduce over TP assembles them). */
void ps_ref_embedding(const int32_t *ids, const uint16_t *table, uint16_t *out, int64_t tokens, int64_t hidden,
                      int64_t vocab_first, int64_t vocab_rows);
/* Writes the k and v of `tokens` new tokens (token t belongs to sequence t / tokens_per_seq, at
 * positions[t]) into the cache (kv_fp8: e4m3, unit scale). */
void ps_ref_kv_write(const uint16_t *qkv, void *k_cache, void *v_cache, bool kv_fp8, const int32_t *positions,
                     int64_t tokens, int64_t tokens_per_seq, int64_t heads, int64_t kv_heads, int64_t head_dim,
                     int64_t max_context);
/* Causal attention of every token over the cached keys 0..positions[t] of its sequence
 * (prefill: the prompt so far; decode: the whole context), softmax scale 1/sqrt(head_dim),
 * grouped-query (query head h reads kv head h / (heads / kv_heads)). out: [tokens][heads*head_dim]. */
void ps_ref_attention(const uint16_t *qkv, const void *k_cache, const void *v_cache, bool kv_fp8,
                      const int32_t *positions, uint16_t *out, int64_t tokens, int64_t tokens_per_seq,
                      int64_t heads, int64_t kv_heads, int64_t head_dim, int64_t max_context);
/* Greedy sampling: per sequence the index of the largest logit over every rank's shard (the
 * lowest index on ties), indices >= vocab (TP padding) excluded. */
void ps_ref_argmax(const uint16_t *logits, int32_t *ids, int64_t seqs, int64_t vocab_per_rank, int tp,
                   int64_t vocab);
/* x / scale to e4m3, saturating. */
void ps_ref_quant_e4m3(const uint16_t *x, uint8_t *out, int64_t n, float scale);
/* y[t][n] = bf16(sum_k x[t][k] w[n][k]) with fp32 accumulation; x rows `x_stride` apart. */
void ps_ref_gemm_bf16(const uint16_t *x, int64_t x_stride, const uint16_t *w, uint16_t *y, int64_t tokens,
                      int64_t n, int64_t k);
/* fp8: y = bf16(x_scale * w_scale * sum_k xq[t][k] wq[n][k]). */
void ps_ref_gemm_e4m3(const uint8_t *xq, const uint8_t *wq, float x_scale, float w_scale, uint16_t *y,
                      int64_t tokens, int64_t n, int64_t k);

#endif
