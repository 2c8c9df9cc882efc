/* The CPU references of the recorder's kernels against textbook double-precision versions.
 *
 * The references model the kernels' arithmetic (fp32 inside, bf16/e4m3 stores); these checks say
 * the references compute the right function. Tolerances: a bf16 store rounds to nearest with a
 * relative error <= 2^-9 (8 significand bits: half an ulp of 2^-8 relative to the binade's lower
 * end); a test allows one bf16 ulp (2^-8 x the magnitude involved) plus what fp32 accumulation
 * over the given length can add (k x 2^-24 x sum |terms|), stated per check. */
#include <stdint.h>

#include "kernels_ref.h"
#include "numeric.h"
#include "rt_test.h"

static uint64_t rng = 12345;
static double uniform(void) /* [-1, 1) */
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

static void fill_bf16(uint16_t *x, int64_t n, double scale)
{
    for (int64_t i = 0; i < n; i++)
        x[i] = ps_f32_to_bf16((float)(uniform() * scale));
}

static double bf(uint16_t h) { return ps_bf16_to_f32(h); }

/* e4m3: every finite value round-trips; every midpoint rounds to the even neighbour; beyond 448
 * saturates; the nearest-value search below is the naive definition. */
static void test_e4m3(void)
{
    double values[256];
    int n = 0;
    for (int v = 0; v < 256; v++) {
        float f = ps_e4m3_to_f32((uint8_t)v);
        if (isnan(f))
            continue;
        CHECK(ps_e4m3_to_f32(ps_f32_to_e4m3(f)) == f);
        values[n++] = f;
    }
    CHECK(n == 254 && ps_e4m3_to_f32(0x7e) == 448.0f && ps_e4m3_to_f32(0x01) == 0.001953125f);
    for (int i = 0; i < 20000; i++) {
        float x = (float)(uniform() * 500.0);
        double best = 0, best_err = INFINITY;
        for (int j = 0; j < n; j++) {
            double e = fabs(values[j] - (double)x);
            if (e < best_err || (e == best_err && ((ps_f32_to_e4m3((float)values[j]) & 1) == 0)))
                best = values[j], best_err = e;
        }
        if (fabs(x) >= 448)
            best = x > 0 ? 448 : -448;
        CHECK(ps_e4m3_to_f32(ps_f32_to_e4m3(x)) == (float)best);
    }
    CHECK(ps_f32_to_bf16(1.00390625f) == 0x3f80 && ps_f32_to_bf16(1.01171875f) == 0x3f82); /* ties to even */
}

static void test_rmsnorm(void)
{
    enum { R = 3, H = 1000 };
    uint16_t x[R * H], w[H], y[R * H];
    fill_bf16(x, R * H, 3.0);
    fill_bf16(w, H, 1.0);
    ps_ref_rmsnorm(x, w, y, R, H);
    for (int r = 0; r < R; r++) {
        double ss = 0;
        for (int i = 0; i < H; i++)
            ss += bf(x[r * H + i]) * bf(x[r * H + i]);
        double inv = 1.0 / sqrt(ss / H + 1e-5);
        for (int i = 0; i < H; i++) {
            double want = bf(x[r * H + i]) * inv * bf(w[i]);
            CHECK_NEAR(bf(y[r * H + i]), want, fabs(want) * 0x1p-8 + 1e-6); /* one bf16 rounding; fp32 sum of 1000 */
        }
    }
}

static void test_rope(void)
{
    enum { T = 4, NH = 2, NKV = 1, D = 64 };
    uint16_t qkv[T * (NH + 2 * NKV) * D], ref[T * (NH + 2 * NKV) * D];
    int32_t pos[T] = {0, 1, 17, 4095};
    fill_bf16(qkv, T * (NH + 2 * NKV) * D, 1.0);
    memcpy(ref, qkv, sizeof qkv);
    ps_ref_rope(ref, pos, T, NH, NKV, D);
    for (int t = 0; t < T; t++)
        for (int h = 0; h < NH + 2 * NKV; h++)
            for (int i = 0; i < D / 2; i++) {
                const uint16_t *in = qkv + (t * (NH + 2 * NKV) + h) * D, *out = ref + (t * (NH + 2 * NKV) + h) * D;
                if (h >= NH + NKV) { /* v is not rotated */
                    CHECK(out[i] == in[i] && out[i + D / 2] == in[i + D / 2]);
                    continue;
                }
                double ang = pos[t] * pow(500000.0, -2.0 * i / D), a = bf(in[i]), b = bf(in[i + D / 2]);
                /* cosf/sinf of an fp32 angle up to 4095 rad: the angle itself is off by up to
                 * 4095 x 2^-24 = 2.4e-4 rad, so allow that on top of one bf16 rounding */
                double tol = 0x1p-8 * (fabs(a) + fabs(b)) + 3e-4 * (fabs(a) + fabs(b));
                CHECK_NEAR(bf(out[i]), a * cos(ang) - b * sin(ang), tol);
                CHECK_NEAR(bf(out[i + D / 2]), b * cos(ang) + a * sin(ang), tol);
            }
}

static void test_elementwise(void)
{
    enum { T = 5, I = 300 };
    uint16_t gu[T * 2 * I], out[T * I], x[T * I], y[T * I], x0[T * I];
    fill_bf16(gu, T * 2 * I, 6.0);
    ps_ref_silu_mul(gu, out, T, I);
    for (int t = 0; t < T; t++)
        for (int i = 0; i < I; i++) {
            double g = bf(gu[t * 2 * I + i]), u = bf(gu[t * 2 * I + I + i]), want = g / (1 + exp(-g)) * u;
            CHECK_NEAR(bf(out[t * I + i]), want, fabs(want) * 0x1p-8 + 1e-6);
        }
    fill_bf16(x, T * I, 4.0);
    fill_bf16(y, T * I, 0.01);
    memcpy(x0, x, sizeof x);
    ps_ref_residual_add(x, y, T * I);
    for (int i = 0; i < T * I; i++) /* the fp32 sum of two bf16 is exact here: one rounding, as in double */
        CHECK(x[i] == ps_f32_to_bf16((float)(bf(x0[i]) + bf(y[i]))));
}

static void test_embedding(void)
{
    enum { T = 6, H = 8, V = 10 };
    uint16_t table[V * H], out[T * H];
    int32_t ids[T] = {0, 9, 10, 15, 19, 3}; /* this rank holds ids 10..19 */
    fill_bf16(table, V * H, 1.0);
    ps_ref_embedding(ids, table, out, T, H, 10, V);
    for (int t = 0; t < T; t++)
        for (int i = 0; i < H; i++) {
            bool mine = ids[t] >= 10 && ids[t] < 20;
            CHECK(out[t * H + i] == (mine ? table[(ids[t] - 10) * H + i] : 0));
        }
}

/* Attention with GQA (4 query heads on 2 kv heads), two sequences, prefill-like causal
 * positions and a decode query; bf16 and e4m3 caches. */
static void test_attention(bool fp8)
{
    enum { S = 2, TPS = 5, NH = 4, NKV = 2, D = 32, CTX = 8, T = S * TPS };
    uint16_t qkv[T * (NH + 2 * NKV) * D], out[T * NH * D];
    static uint16_t kc16[S * NKV * CTX * D], vc16[S * NKV * CTX * D];
    static uint8_t kc8[S * NKV * CTX * D], vc8[S * NKV * CTX * D];
    void *kc = fp8 ? (void *)kc8 : (void *)kc16, *vc = fp8 ? (void *)vc8 : (void *)vc16;
    fill_bf16(qkv, T * (NH + 2 * NKV) * D, 1.0);
    fill_bf16(kc16, S * NKV * CTX * D, 1.0);
    fill_bf16(vc16, S * NKV * CTX * D, 1.0);
    for (int i = 0; i < S * NKV * CTX * D; i++)
        kc8[i] = ps_f32_to_e4m3((float)bf(kc16[i])), vc8[i] = ps_f32_to_e4m3((float)bf(vc16[i]));
    int32_t pos[T];
    for (int t = 0; t < T; t++)
        pos[t] = t % TPS + 2; /* positions 2..6: two earlier cached tokens, then the prompt */
    ps_ref_kv_write(qkv, kc, vc, fp8, pos, T, TPS, NH, NKV, D, CTX);
    ps_ref_attention(qkv, kc, vc, fp8, pos, out, T, TPS, NH, NKV, D, CTX);
    int row = (NH + 2 * NKV) * D;
    for (int t = 0; t < T; t++)
        for (int h = 0; h < NH; h++) {
            int s = t / TPS, kvh = h / 2;
            double scores[CTX], mx = -INFINITY, sum = 0;
            for (int j = 0; j <= pos[t]; j++) {
                double dot = 0;
                for (int d = 0; d < D; d++) {
                    int at = ((s * NKV + kvh) * CTX + j) * D + d;
                    double k = fp8 ? ps_e4m3_to_f32(kc8[at]) : bf(kc16[at]);
                    /* the new tokens' k came from qkv through the cache write */
                    dot += bf(qkv[t * row + h * D + d]) * k;
                }
                scores[j] = dot / sqrt((double)D);
                mx = fmax(mx, scores[j]);
            }
            for (int j = 0; j <= pos[t]; j++)
                sum += exp(scores[j] - mx);
            for (int d = 0; d < D; d++) {
                double want = 0;
                for (int j = 0; j <= pos[t]; j++) {
                    int at = ((s * NKV + kvh) * CTX + j) * D + d;
                    want += exp(scores[j] - mx) / sum * (fp8 ? ps_e4m3_to_f32(vc8[at]) : bf(vc16[at]));
                }
                /* |v| <= 1: one bf16 rounding of the output (2^-8) plus fp32 softmax noise */
                CHECK_NEAR(bf(out[t * NH * D + h * D + d]), want, 0x1p-8 * fmax(fabs(want), 0.25) + 1e-5);
            }
        }
    /* the write put the new tokens' k and v at their positions */
    int at = ((1 * NKV + 1) * CTX + pos[TPS + 3]) * D + 7;
    uint16_t k = qkv[(TPS + 3) * row + (NH + 1) * D + 7];
    CHECK(fp8 ? kc8[at] == ps_f32_to_e4m3((float)bf(k)) : kc16[at] == k);
}

static void test_argmax(void)
{
    enum { S = 3, V = 5, TP = 2 };
    float vals[TP][S][V] = {{{0, 1, 2, 3, 4}, {9, 1, 9, 0, 0}, {0, 0, 0, 0, 1}},
                            {{4, 1, 0, 0, 7}, {0, 9, 0, 0, 0}, {0, 0, 0, 0, 8}}};
    uint16_t logits[TP * S * V];
    for (int r = 0; r < TP; r++)
        for (int s = 0; s < S; s++)
            for (int v = 0; v < V; v++)
                logits[(r * S + s) * V + v] = ps_f32_to_bf16(vals[r][s][v]);
    int32_t ids[S];
    ps_ref_argmax(logits, ids, S, V, TP, 9); /* vocab 9: id 9 (rank 1, v 4) is padding */
    CHECK(ids[0] == 4);                      /* 7 at id 9 is padding: 4 at ids 4 and 5 -> the lower */
    CHECK(ids[1] == 0);                      /* 9 at ids 0, 2, 6: the lowest */
    CHECK(ids[2] == 4);                      /* 8 at id 9 is padding */
}

static void test_gemm(void)
{
    enum { T = 3, N = 7, K = 256 };
    uint16_t x[T * K], w[N * K], y[T * N];
    uint8_t xq[T * K], wq[N * K];
    fill_bf16(x, T * K, 1.0);
    fill_bf16(w, N * K, 1.0);
    ps_ref_gemm_bf16(x, K, w, y, T, N, K);
    float xs = 8.0f / 448.0f, ws = 1.0f / 240.0f;
    ps_ref_quant_e4m3(x, xq, T * K, xs);
    for (int i = 0; i < N * K; i++)
        wq[i] = ps_f32_to_e4m3((float)(bf(w[i]) / ws));
    uint16_t y8[T * N];
    ps_ref_gemm_e4m3(xq, wq, xs, ws, y8, T, N, K);
    for (int t = 0; t < T; t++)
        for (int n = 0; n < N; n++) {
            double want = 0, mag = 0, want8 = 0;
            for (int k = 0; k < K; k++) {
                want += bf(x[t * K + k]) * bf(w[n * K + k]);
                mag += fabs(bf(x[t * K + k]) * bf(w[n * K + k]));
                want8 += ps_e4m3_to_f32(xq[t * K + k]) * xs * ps_e4m3_to_f32(wq[n * K + k]) * ws;
            }
            CHECK_NEAR(bf(y[t * N + n]), want, fabs(want) * 0x1p-8 + K * 0x1p-24 * mag);
            CHECK_NEAR(bf(y8[t * N + n]), want8, fabs(want8) * 0x1p-8 + K * 0x1p-24 * mag);
            /* e4m3 keeps 3 significand bits: each product is off by up to 2 x 2^-4 relative; over
             * 256 random-sign terms the sum stays within 2^-3 x sum |terms| */
            CHECK_NEAR(want8, want, 0.125 * mag);
        }
}

static void test_init(void)
{
    double sum = 0, lo = 1, hi = -1;
    for (int i = 0; i < 100000; i++) {
        float u = ps_ref_uniform(1, 7, (uint64_t)i);
        sum += u;
        lo = fmin(lo, u);
        hi = fmax(hi, u);
    }
    /* mean of 1e5 uniforms on [-1,1): standard error 0.577 / sqrt(1e5) = 0.0018; 5 sigma */
    CHECK(fabs(sum / 100000) < 0.0092 && lo >= -1.0 && hi < 1.0 && lo < -0.999 && hi > 0.999);
    CHECK(ps_ref_uniform(1, 7, 3) == ps_ref_uniform(1, 7, 3) && ps_ref_uniform(1, 7, 3) != ps_ref_uniform(2, 7, 3));
    uint16_t w[4];
    ps_ref_init_bf16(w, 4, 1, 7, 0.5f, 1.0f);
    CHECK(w[2] == ps_f32_to_bf16(ps_ref_uniform(1, 7, 2) * 0.5f + 1.0f));
    int32_t ids[1000];
    ps_ref_init_ids(ids, 1000, 1, 9, 17);
    int seen[17] = {0};
    for (int i = 0; i < 1000; i++) {
        CHECK(ids[i] >= 0 && ids[i] < 17);
        seen[ids[i] >= 0 && ids[i] < 17 ? ids[i] : 0] = 1;
    }
    int all = 1;
    for (int v = 0; v < 17; v++)
        all &= seen[v];
    CHECK(all);
    CHECK(ps_ref_tensor_id(-1, 0, 0) != ps_ref_tensor_id(0, 0, 0) && ps_ref_tensor_id(3, 2, 1) != ps_ref_tensor_id(3, 2, 0));
}

int main(void)
{
    test_e4m3();
    test_rmsnorm();
    test_rope();
    test_elementwise();
    test_embedding();
    test_attention(false);
    test_attention(true);
    test_argmax();
    test_gemm();
    test_init();
    return rt_result("test_kernel_refs");
}
