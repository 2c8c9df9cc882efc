/* CPU reference of rope.cu: rotary position embedding on q and k, rotate-half pairing.
 * inv_freq[i] = theta^(-2i/head_dim), angle = position x inv_freq[i]; (a, b) = (x[i], x[i+d/2])
 * -> (a cos - b sin, b cos + a sin). Llama 3.1 also rescales the low frequencies for contexts past
 * 8192 tokens (rope_scaling "llama3"); the recorder omits it: it changes values, not the cost. */
#include <math.h>

#include "kernels_ref.h"
#include "numeric.h"

static void rotate(uint16_t *v, int64_t head_dim, int32_t position)
{
    int64_t half = head_dim / 2;
    for (int64_t i = 0; i < half; i++) {
        float inv_freq = powf(PS_ROPE_THETA, -2.0f * (float)i / (float)head_dim);
        float angle = (float)position * inv_freq;
        float c = cosf(angle), s = sinf(angle);
        float a = ps_bf16_to_f32(v[i]), b = ps_bf16_to_f32(v[i + half]);
        v[i] = ps_f32_to_bf16(a * c - b * s);
        v[i + half] = ps_f32_to_bf16(b * c + a * s);
    }
}

void ps_ref_rope(uint16_t *qkv, const int32_t *positions, int64_t tokens, int64_t heads, int64_t kv_heads,
                 int64_t head_dim)
{
    int64_t row = (heads + 2 * kv_heads) * head_dim;
    for (int64_t t = 0; t < tokens; t++)
        for (int64_t h = 0; h < heads + kv_heads; h++) /* q heads then k heads */
            rotate(qkv + t * row + h * head_dim, head_dim, positions[t]);
}
