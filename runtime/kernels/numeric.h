/* runtime/kernels/numeric.h: bf16 and fp8 (e4m3) on the CPU, bit-exact with the GPU conversions.
 *
 * The CPU references (kernels/ *_ref.c) model each kernel's arithmetic: fp32 accumulation and a
 * rounding to bf16 (or e4m3) at the same points as the kernel, so that a GPU kernel and its
 * reference agree to the last bf16 ulp or two, and the references themselves are checked against
 * textbook double-precision implementations (tests/runtime/test_kernel_refs.c).
 *
 * bf16: the top 16 bits of an IEEE float; float -> bf16 rounds to nearest even, as
 * __float2bfloat16_rn does (cuda_bf16.hpp). NaN stays NaN.
 * e4m3 (OCP FP8 E4M3, what Hopper's fp8 GEMMs take): 1 sign, 4 exponent (bias 7), 3 mantissa
 * bits, no infinities, max finite 448, min normal 2^-6, subnormals down to 2^-9. Conversion
 * rounds to nearest even and saturates to +-448 (__nv_cvt_float_to_fp8(x, __NV_SATFINITE,
 * __NV_E4M3) in cuda_fp8.hpp).
 */
#ifndef PARSIM_RUNTIME_NUMERIC_H
#define PARSIM_RUNTIME_NUMERIC_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float ps_bf16_to_f32(uint16_t h)
{
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline uint16_t ps_f32_to_bf16(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)((u >> 16) | 0x40); /* quiet NaN */
    u += 0x7fffu + ((u >> 16) & 1u);         /* round to nearest even */
    return (uint16_t)(u >> 16);
}

/* Rounds a float to the nearest bf16 value (the value a bf16 store then load gives). */
static inline float ps_round_bf16(float f) { return ps_bf16_to_f32(ps_f32_to_bf16(f)); }

#define PS_E4M3_MAX 448.0f

static inline float ps_e4m3_to_f32(uint8_t v)
{
    int sign = v >> 7, exp = (v >> 3) & 0xf, man = v & 7;
    float mag;
    if (exp == 0xf && man == 7)
        mag = NAN;
    else if (exp == 0)
        mag = ldexpf((float)man, -9); /* subnormal: man x 2^-3 x 2^-6 */
    else
        mag = ldexpf(1.0f + (float)man / 8.0f, exp - 7);
    return sign ? -mag : mag;
}

/* Saturating round-to-nearest-even. Exhaustively checked against ps_e4m3_to_f32 in the tests. */
static inline uint8_t ps_f32_to_e4m3(float f)
{
    if (isnan(f))
        return 0x7f;
    uint8_t sign = signbit(f) ? 0x80 : 0;
    float a = fabsf(f);
    if (a >= PS_E4M3_MAX)
        return sign | 0x7e; /* 448 */
    /* Scale to units of the spacing of a's binade, round to nearest even there. */
    int e;
    frexpf(a, &e);         /* a = m x 2^e, m in [0.5, 1) */
    int exp = e - 1;       /* a in [2^exp, 2^(exp+1)) */
    if (exp < -6)
        exp = -6;          /* subnormal range shares the spacing of the lowest binade */
    float ulp = ldexpf(1.0f, exp - 3);
    float q = rintf(a / ulp); /* rintf: round half to even in the default rounding mode */
    float r = q * ulp;
    if (r == 0.0f)
        return sign;
    frexpf(r, &e);
    exp = e - 1;
    if (exp < -6) /* subnormal: mantissa = r / 2^-9 */
        return sign | (uint8_t)(r / ldexpf(1.0f, -9));
    uint8_t man = (uint8_t)(r / ldexpf(1.0f, exp - 3)) - 8;
    return sign | (uint8_t)((exp + 7) << 3) | man;
}

#endif
