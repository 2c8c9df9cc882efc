/* CPU reference of residual_add.cu: x += y (the residual stream keeps bf16, as vLLM's does). */
#include "kernels_ref.h"
#include "numeric.h"

void ps_ref_residual_add(uint16_t *x, const uint16_t *y, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        x[i] = ps_f32_to_bf16(ps_bf16_to_f32(x[i]) + ps_bf16_to_f32(y[i]));
}
