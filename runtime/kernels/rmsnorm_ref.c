/* CPU reference of rmsnorm.cu: y = x / sqrt(mean(x^2) + eps) * weight, fp32 inside, bf16 out. */
#include <math.h>

#include "kernels_ref.h"
#include "numeric.h"

void ps_ref_rmsnorm(const uint16_t *x, const uint16_t *weight, uint16_t *y, int64_t rows, int64_t hidden)
{
    for (int64_t r = 0; r < rows; r++) {
        const uint16_t *xr = x + r * hidden;
        float ss = 0.0f;
        for (int64_t i = 0; i < hidden; i++) {
            float v = ps_bf16_to_f32(xr[i]);
            ss += v * v;
        }
        float inv = 1.0f / sqrtf(ss / (float)hidden + PS_RMSNORM_EPS);
        for (int64_t i = 0; i < hidden; i++)
            y[r * hidden + i] = ps_f32_to_bf16(ps_bf16_to_f32(xr[i]) * inv * ps_bf16_to_f32(weight[i]));
    }
}
