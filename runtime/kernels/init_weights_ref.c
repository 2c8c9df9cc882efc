/* CPU reference of init_weights.cu: the seeded generator every weight, KV entry and token id of a
 * recording comes from (no downloads; a recording's timing does not depend on weight values, only
 * on shapes and dtypes, and the forward-pass test needs values the CPU can reproduce exactly). */
#include "kernels_ref.h"
#include "numeric.h"

/* splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", 2014). */
static uint64_t mix64(uint64_t z)
{
    z += UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

float ps_ref_uniform(uint64_t seed, uint64_t tensor, uint64_t index)
{
    uint64_t h = mix64(mix64(seed ^ mix64(tensor)) ^ index);
    /* 24 bits -> exactly representable: [0, 2^24) x 2^-23 - 1 = [-1, 1) */
    return (float)(h >> 40) * (1.0f / 8388608.0f) - 1.0f;
}

void ps_ref_init_bf16(uint16_t *out, int64_t n, uint64_t seed, uint64_t tensor, float scale, float offset)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = ps_f32_to_bf16(ps_ref_uniform(seed, tensor, (uint64_t)i) * scale + offset);
}

/* fp8 weights use the e4m3 range down to ~1/60 of its maximum: u x 240 (the per-tensor scale
 * then brings them to the model's magnitude, as a real fp8 checkpoint's weight_scale does). */
void ps_ref_init_e4m3(uint8_t *out, int64_t n, uint64_t seed, uint64_t tensor)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = ps_f32_to_e4m3(ps_ref_uniform(seed, tensor, (uint64_t)i) * 240.0f);
}

void ps_ref_init_ids(int32_t *out, int64_t n, uint64_t seed, uint64_t tensor, int64_t vocab)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = (int32_t)(mix64(mix64(seed ^ mix64(tensor)) ^ (uint64_t)i) % (uint64_t)vocab);
}

uint64_t ps_ref_tensor_id(int layer, int kind, int tp_rank)
{
    return ((uint64_t)(layer + 2) << 24) | ((uint64_t)kind << 16) | (uint64_t)tp_rank;
}
