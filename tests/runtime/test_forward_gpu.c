/* The whole forward pass of a small Llama-shaped model on the GPU (executor, cuBLASLt GEMMs, own
 * kernels; eager, TP1) against a CPU forward pass built from the kernels' references with the
 * same seeded weights. Skips (77) without a GPU.
 *
 * Model: hidden 512, 8 heads of 64 (GQA on 2 kv heads), FFN 1024, 2 layers, vocab 2000; batch 2,
 * prompt 16; decode step 0 (context 17) and the prefill step.
 * Tolerance (bf16): the path from embedding to logits stores bf16 about 12 times (norm, qkv,
 * rope, attention, o, residual, norm, gate_up, silu, down, residual per layer...), each store
 * rounding within 2^-9; the GPU and CPU accumulate GEMMs and reductions in different orders, so a
 * store may land one bf16 ulp (2^-8) apart and the difference propagates. Worst case ~12 ulps =
 * 4.7 % of a value's magnitude: logits must agree within 5 % of the largest |logit|, and the
 * sampled token must agree wherever the top two logits are more than that apart.
 */
#include "gpu_test.h"
#include "kernels_ref.h"
#include "record_gpu.h"

#define SEED 3

typedef struct tiny {
    ps_rec_options o;
    ps_rec_plan p;
} tiny;

static int setup(tiny *t, ps_phase phase)
{
    ps_error err = {0};
    memset(t, 0, sizeof *t);
    ps_model *m = &t->o.workload.model;
    *m = (ps_model){.name = "tiny", .hidden = 512, .intermediate = 1024, .layers = 2, .heads = 8, .kv_heads = 2,
                    .head_dim = 64, .vocab = 2000, .max_position = 4096};
    t->o.workload.scenario = (ps_scenario){.batch = 2, .isl = 16, .osl = 4, .prefill_tokens = 8192};
    t->o.phase = phase;
    t->o.launch = PS_REC_EAGER;
    t->o.emulate_rank = -1;
    t->o.seed = SEED;
    t->o.iters = 1;
    if (ps_precision_init(&t->o.workload.precision, PS_DTYPE_BF16, &err) ||
        ps_plan_init(&t->o.workload.plan, m, 1, 1, 1, 0, NULL, 0, &err) || ps_rec_plan_build(&t->o, &t->p, &err)) {
        fprintf(stderr, "setup: %s\n", err.message);
        return 1;
    }
    return 0;
}

static uint16_t *gen(int64_t n, int layer, int kind, float scale, float offset)
{
    uint16_t *w = malloc((size_t)n * 2);
    ps_ref_init_bf16(w, n, SEED, ps_ref_tensor_id(layer, kind, 0), scale, offset);
    return w;
}

static void linear(const uint16_t *x, int64_t stride, int64_t rows, int layer, int kind, int64_t n, int64_t k,
                   uint16_t *y)
{
    uint16_t *w = gen(n * k, layer, kind, 1.0f / sqrtf((float)k), 0.0f);
    ps_ref_gemm_bf16(x, stride, w, y, rows, n, k);
    free(w);
}

/* The CPU forward pass; returns the logits [seqs][vocab]. */
static uint16_t *cpu_forward(const tiny *t)
{
    const ps_rec_plan *p = &t->p;
    int64_t H = p->hidden, NH = p->heads, NKV = p->kv_heads, D = p->head_dim, I = p->inter, V = p->vocab;
    int64_t S = p->step.seqs[0], tps = p->step.tokens_per_seq, T = S * tps, CTX = p->max_context;
    int32_t *ids = malloc(T * 4), *pos = malloc(T * 4);
    ps_ref_init_ids(ids, T, SEED, ps_ref_tensor_id(-1, 18, 0), V);
    for (int64_t i = 0; i < T; i++)
        pos[i] = (int32_t)(p->step.phase == PS_PHASE_PREFILL ? i % tps : p->step.context - 1);
    uint16_t *table = gen(V * H, -1, PS_W_EMBED, 1.0f, 0.0f);
    uint16_t *x = malloc(T * H * 2), *xn = malloc(T * H * 2), *qkv = malloc(T * p->qkv_n * 2);
    uint16_t *attn = malloc(T * NH * D * 2), *proj = malloc(T * H * 2), *gu = malloc(T * 2 * I * 2),
             *act = malloc(T * I * 2);
    ps_ref_embedding(ids, table, x, T, H, 0, V);
    for (int l = 0; l < 2; l++) {
        int64_t cache = S * NKV * CTX * D;
        uint16_t *kc = gen(cache, l, 16, 1.0f, 0.0f), *vc = gen(cache, l, 17, 1.0f, 0.0f);
        uint16_t *w = gen(H, l, PS_W_ATTN_NORM, 0.1f, 1.0f);
        ps_ref_rmsnorm(x, w, xn, T, H);
        free(w);
        linear(xn, H, T, l, PS_W_QKV, p->qkv_n, H, qkv);
        ps_ref_rope(qkv, pos, T, NH, NKV, D);
        ps_ref_kv_write(qkv, kc, vc, false, pos, T, tps, NH, NKV, D, CTX);
        ps_ref_attention(qkv, kc, vc, false, pos, attn, T, tps, NH, NKV, D, CTX);
        linear(attn, NH * D, T, l, PS_W_O, H, NH * D, proj);
        ps_ref_residual_add(x, proj, T * H);
        w = gen(H, l, PS_W_MLP_NORM, 0.1f, 1.0f);
        ps_ref_rmsnorm(x, w, xn, T, H);
        free(w);
        linear(xn, H, T, l, PS_W_GATE_UP, 2 * I, H, gu);
        ps_ref_silu_mul(gu, act, T, I);
        linear(act, I, T, l, PS_W_DOWN, H, I, proj);
        ps_ref_residual_add(x, proj, T * H);
        free(kc), free(vc);
    }
    uint16_t *w = gen(H, -1, PS_W_FINAL_NORM, 0.1f, 1.0f);
    ps_ref_rmsnorm(x, w, xn, T, H);
    free(w);
    uint16_t *logits = malloc(S * V * 2);
    uint16_t *head = gen(V * H, -1, PS_W_LM_HEAD, 1.0f / sqrtf((float)H), 0.0f);
    ps_ref_gemm_bf16(xn + (tps - 1) * H, tps * H, head, logits, S, V, H);
    free(head), free(table), free(ids), free(pos), free(x), free(xn), free(qkv), free(attn), free(proj), free(gu),
        free(act);
    return logits;
}

static void check_phase(ps_phase phase)
{
    tiny t;
    if (setup(&t, phase)) {
        CHECK(0);
        return;
    }
    ps_rec_rank_state *s = NULL;
    ps_error err = {0};
    int rc = ps_rec_rank_setup(&s, &t.o, &t.p, 0, NULL, &err);
    if (!rc)
        rc = ps_rec_rank_step(s, &err);
    if (!rc)
        rc = ps_rec_rank_sync(s, &err);
    if (rc)
        fprintf(stderr, "gpu: %s\n", err.message);
    CHECK(rc == PS_OK);
    int64_t S = t.p.step.seqs[0], V = t.p.vocab;
    uint16_t *gpu = malloc(S * V * 2);
    int32_t ids[2] = {-1, -1};
    if (!rc) {
        CHECK(ps_rec_rank_read_buffer(s, PS_B_LOGITS, 0, gpu, (size_t)(S * V * 2), &err) == PS_OK);
        CHECK(ps_rec_rank_read_ids(s, 0, ids, S, &err) == PS_OK);
    }
    ps_rec_rank_teardown(s);
    uint16_t *cpu = cpu_forward(&t);
    double max_logit = 0, worst = 0;
    for (int64_t i = 0; i < S * V; i++) {
        max_logit = fmax(max_logit, fabs(ps_bf16_to_f32(cpu[i])));
        worst = fmax(worst, fabs(ps_bf16_to_f32(cpu[i]) - ps_bf16_to_f32(gpu[i])));
    }
    printf("%s: max |logit| %.4f, max |gpu - cpu| %.5f (%.2f %%)\n", ps_phase_name(phase), max_logit, worst,
           100 * worst / max_logit);
    CHECK(worst <= 0.05 * max_logit);
    int32_t want[2];
    ps_ref_argmax(cpu, want, S, V, 1, V);
    for (int64_t q = 0; q < S; q++) {
        double top = -INFINITY, second = -INFINITY;
        for (int64_t v = 0; v < V; v++) {
            double x = ps_bf16_to_f32(cpu[q * V + v]);
            if (x > top)
                second = top, top = x;
            else if (x > second)
                second = x;
        }
        if (top - second > 0.1 * max_logit)
            CHECK(ids[q] == want[q]);
    }
    free(cpu);
    free(gpu);
    ps_rec_plan_free(&t.p);
}

int main(void)
{
    skip_without_gpu("test_forward_gpu");
    check_phase(PS_PHASE_DECODE);
    check_phase(PS_PHASE_PREFILL);
    return rt_result("test_forward_gpu");
}
