/* CPU reference of quant_fp8.cu: per-tensor static-scale quantisation of activations to e4m3
 * before an fp8 GEMM (vLLM's static_scaled_fp8_quant; the scale is a recording constant). */
#include "kernels_ref.h"
#include "numeric.h"

void ps_ref_quant_e4m3(const uint16_t *x, uint8_t *out, int64_t n, float scale)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = ps_f32_to_e4m3(ps_bf16_to_f32(x[i]) / scale);
}
