/* CPU reference of the cuBLASLt GEMMs (runtime/gemm.c): fp32 accumulation, bf16 output. */
#include "kernels_ref.h"
#include "numeric.h"

void ps_ref_gemm_bf16(const uint16_t *x, int64_t x_stride, const uint16_t *w, uint16_t *y, int64_t tokens,
                      int64_t n, int64_t k)
{
    for (int64_t t = 0; t < tokens; t++)
        for (int64_t j = 0; j < n; j++) {
            float acc = 0.0f;
            for (int64_t i = 0; i < k; i++)
                acc += ps_bf16_to_f32(x[t * x_stride + i]) * ps_bf16_to_f32(w[j * k + i]);
            y[t * n + j] = ps_f32_to_bf16(acc);
        }
}

void ps_ref_gemm_e4m3(const uint8_t *xq, const uint8_t *wq, float x_scale, float w_scale, uint16_t *y,
                      int64_t tokens, int64_t n, int64_t k)
{
    for (int64_t t = 0; t < tokens; t++)
        for (int64_t j = 0; j < n; j++) {
            float acc = 0.0f;
            for (int64_t i = 0; i < k; i++)
                acc += ps_e4m3_to_f32(xq[t * k + i]) * ps_e4m3_to_f32(wq[j * k + i]);
            y[t * n + j] = ps_f32_to_bf16(acc * x_scale * w_scale);
        }
}
