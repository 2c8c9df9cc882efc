/* CPU reference of silu_mul.cu: out = silu(gate) x up, gate and up the two halves of each row. */
#include <math.h>

#include "kernels_ref.h"
#include "numeric.h"

void ps_ref_silu_mul(const uint16_t *gate_up, uint16_t *out, int64_t tokens, int64_t inter)
{
    for (int64_t t = 0; t < tokens; t++)
        for (int64_t i = 0; i < inter; i++) {
            float g = ps_bf16_to_f32(gate_up[t * 2 * inter + i]);
            float u = ps_bf16_to_f32(gate_up[t * 2 * inter + inter + i]);
            out[t * inter + i] = ps_f32_to_bf16(g / (1.0f + expf(-g)) * u);
        }
}
