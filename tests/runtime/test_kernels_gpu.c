/* Each GPU kernel against its CPU reference on small shapes (skips with 77 without a GPU).
 * Tolerance: the kernels and references do the same fp32 math in a different order (parallel
 * reductions, tiled online softmax, fast-math-free expf/powf that may differ by 1-2 fp32 ulps),
 * so a bf16 result may land on the neighbouring bf16 value: at most 2 bf16 ulps (2^-7 relative;
 * relative to 1/4 for values near zero). The generator, embedding, residual add, quantisation
 * and argmax are exact. */
#include "gpu_test.h"
#include "kernels.h"
#include "kernels_ref.h"

static void fill(uint16_t *x, int64_t n, uint64_t tensor, float scale)
{
    ps_ref_init_bf16(x, n, 99, tensor, scale, 0.0f);
}

static void test_init(void)
{
    enum { N = 100003 };
    static uint16_t cpu[N], gpu[N];
    static uint8_t cpu8[N], gpu8[N];
    static int32_t cids[N], gids[N];
    ps_ref_init_bf16(cpu, N, 5, 77, 0.125f, 1.0f);
    ps_ref_init_e4m3(cpu8, N, 5, 78);
    ps_ref_init_ids(cids, N, 5, 79, 128256);
    void *d = to_device(NULL, N * 2), *d8 = to_device(NULL, N), *di = to_device(NULL, N * 4);
    CHECK(ps_k_init_bf16(d, N, 5, 77, 0.125f, 1.0f, 0) == 0);
    CHECK(ps_k_init_e4m3(d8, N, 5, 78, 0) == 0);
    CHECK(ps_k_init_ids(di, N, 5, 79, 128256, 0) == 0);
    to_host(gpu, d, N * 2);
    to_host(gpu8, d8, N);
    to_host(gids, di, N * 4);
    CHECK(!memcmp(cpu, gpu, sizeof cpu) && !memcmp(cpu8, gpu8, sizeof cpu8) && !memcmp(cids, gids, sizeof cids));
}

static void test_rmsnorm_rope_silu(void)
{
    enum { T = 7, H = 4096, NH = 4, NKV = 2, D = 128, I = 1000 };
    static uint16_t x[T * H], w[H], y[T * H], g[T * H];
    fill(x, T * H, 1, 2.0f);
    fill(w, H, 2, 1.0f);
    ps_ref_rmsnorm(x, w, y, T, H);
    void *dx = to_device(x, sizeof x), *dw = to_device(w, sizeof w), *dy = to_device(NULL, sizeof y);
    CHECK(ps_k_rmsnorm(dx, dw, dy, T, H, 0) == 0);
    to_host(g, dy, sizeof g);
    CHECK(max_ulps(g, y, T * H, 0.25) <= 2);

    static uint16_t qkv[T * (NH + 2 * NKV) * D], ref[T * (NH + 2 * NKV) * D], got[T * (NH + 2 * NKV) * D];
    int32_t pos[T] = {0, 1, 2, 100, 1000, 4000, 8191};
    fill(qkv, T * (NH + 2 * NKV) * D, 3, 1.0f);
    memcpy(ref, qkv, sizeof qkv);
    ps_ref_rope(ref, pos, T, NH, NKV, D);
    void *dq = to_device(qkv, sizeof qkv), *dp = to_device(pos, sizeof pos);
    CHECK(ps_k_rope(dq, dp, T, NH, NKV, D, 0) == 0);
    to_host(got, dq, sizeof got);
    CHECK(max_ulps(got, ref, T * (NH + 2 * NKV) * D, 0.25) <= 2);

    static uint16_t gu[T * 2 * I], so[T * I], sg[T * I];
    fill(gu, T * 2 * I, 4, 4.0f);
    ps_ref_silu_mul(gu, so, T, I);
    void *dgu = to_device(gu, sizeof gu), *dso = to_device(NULL, sizeof so);
    CHECK(ps_k_silu_mul(dgu, dso, T, I, 0) == 0);
    to_host(sg, dso, sizeof sg);
    CHECK(max_ulps(sg, so, T * I, 0.25) <= 2);

    static uint16_t a[T * I], b[T * I], ra[T * I];
    fill(a, T * I, 5, 3.0f);
    fill(b, T * I, 6, 0.1f);
    memcpy(ra, a, sizeof a);
    ps_ref_residual_add(ra, b, T * I);
    void *da = to_device(a, sizeof a), *db = to_device(b, sizeof b);
    CHECK(ps_k_residual_add(da, db, T * I, 0) == 0);
    to_host(a, da, sizeof a);
    CHECK(!memcmp(a, ra, sizeof a));

    uint8_t q[T * I], rq[T * I];
    ps_ref_quant_e4m3(ra, rq, T * I, 8.0f / 448.0f);
    void *dqq = to_device(NULL, sizeof q);
    CHECK(ps_k_quant_e4m3(da, dqq, T * I, 8.0f / 448.0f, 0) == 0);
    to_host(q, dqq, sizeof q);
    CHECK(!memcmp(q, rq, sizeof q));
}

static void test_embedding_argmax(void)
{
    enum { T = 9, H = 64, V = 50, S = 4, TP = 2 };
    static uint16_t table[V * H], out[T * H], ref[T * H];
    int32_t ids[T] = {0, 49, 50, 51, 99, 100, 75, 60, 3};
    fill(table, V * H, 7, 1.0f);
    ps_ref_embedding(ids, table, ref, T, H, 50, V);
    void *dt = to_device(table, sizeof table), *di = to_device(ids, sizeof ids), *dout = to_device(NULL, sizeof out);
    CHECK(ps_k_embedding(di, dt, dout, T, H, 50, V, 0) == 0);
    to_host(out, dout, sizeof out);
    CHECK(!memcmp(out, ref, sizeof out));

    static uint16_t logits[TP * S * 3000];
    fill(logits, TP * S * 3000, 8, 1.0f);
    logits[(1 * S + 2) * 3000 + 5] = ps_f32_to_bf16(50.0f); /* id 3005 wins for sequence 2 */
    logits[(0 * S + 2) * 3000 + 9] = ps_f32_to_bf16(50.0f); /* tie with id 9: the lower */
    int32_t rid[S], gid[S];
    ps_ref_argmax(logits, rid, S, 3000, TP, 5990);
    void *dl = to_device(logits, sizeof logits), *dg = to_device(NULL, sizeof gid);
    CHECK(ps_k_argmax(dl, dg, S, 3000, TP, 5990, 0) == 0);
    to_host(gid, dg, sizeof gid);
    CHECK(!memcmp(rid, gid, sizeof rid) && rid[2] == 9);
}

static void test_attention(bool fp8, bool decode)
{
    enum { S = 3, NH = 8, NKV = 2, D = 128, CTX = 300 };
    int64_t tps = decode ? 1 : 77, T = S * tps;
    size_t row = (NH + 2 * NKV) * D, cache = (size_t)S * NKV * CTX * D;
    uint16_t *qkv = malloc(T * row * 2), *out = malloc(T * NH * D * 2), *ref = malloc(T * NH * D * 2);
    uint16_t *kc = malloc(cache * 2), *vc = malloc(cache * 2);
    int32_t *pos = malloc(T * 4);
    fill(qkv, (int64_t)(T * row), 9, 1.0f);
    fill(kc, (int64_t)cache, 10, 1.0f);
    fill(vc, (int64_t)cache, 11, 1.0f);
    uint8_t *kc8 = malloc(cache), *vc8 = malloc(cache);
    for (size_t i = 0; i < cache; i++)
        kc8[i] = ps_f32_to_e4m3(ps_bf16_to_f32(kc[i])), vc8[i] = ps_f32_to_e4m3(ps_bf16_to_f32(vc[i]));
    for (int64_t t = 0; t < T; t++)
        pos[t] = decode ? CTX - 1 - (int32_t)t * 50 : (int32_t)(t % tps) + 100; /* after 100 cached tokens */
    void *dk = to_device(fp8 ? (void *)kc8 : (void *)kc, fp8 ? cache : cache * 2);
    void *dv = to_device(fp8 ? (void *)vc8 : (void *)vc, fp8 ? cache : cache * 2);
    void *dq = to_device(qkv, T * row * 2), *dp = to_device(pos, T * 4), *dout = to_device(NULL, T * NH * D * 2);
    ps_ref_kv_write(qkv, fp8 ? (void *)kc8 : (void *)kc, fp8 ? (void *)vc8 : (void *)vc, fp8, pos, T, tps, NH, NKV,
                    D, CTX);
    ps_ref_attention(qkv, fp8 ? (void *)kc8 : (void *)kc, fp8 ? (void *)vc8 : (void *)vc, fp8, pos, ref, T, tps, NH,
                     NKV, D, CTX);
    CHECK(ps_k_kv_write(dq, dk, dv, fp8, dp, T, tps, NH, NKV, D, CTX, 0) == 0);
    if (decode)
        CHECK(ps_k_attention_decode(dq, dk, dv, fp8, dp, dout, S, NH, NKV, D, CTX, 0) == 0);
    else
        CHECK(ps_k_attention_prefill(dq, dk, dv, fp8, dp, dout, T, tps, NH, NKV, D, CTX, 0) == 0);
    to_host(out, dout, T * NH * D * 2);
    double ulps = max_ulps(out, ref, T * NH * D, 0.25);
    printf("attention %s %s: %.2f bf16 ulps\n", decode ? "decode" : "prefill", fp8 ? "e4m3" : "bf16", ulps);
    CHECK(ulps <= 2);
    free(qkv), free(out), free(ref), free(kc), free(vc), free(kc8), free(vc8), free(pos);
}

int main(void)
{
    skip_without_gpu("test_kernels_gpu");
    test_init();
    test_rmsnorm_rope_silu();
    test_embedding_argmax();
    test_attention(false, false);
    test_attention(true, false);
    test_attention(false, true);
    test_attention(true, true);
    return rt_result("test_kernels_gpu");
}
