/* Cost model behaviour that holds whatever the coefficients: every compute kind answers on every
 * catalogue GPU in both launch modes, the roofline's regimes show, fp8 is refused where the GPU
 * has none, the op graph's ops translate into valid queries, bad coefficient files are refused. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "parsim/cost.h"

static ps_cost_model *model_for(const char *gpu)
{
    ps_cost_model *m = NULL;
    ps_error err = {0};
    int rc = ps_cost_model_create(ps_gpu_find(gpu), NULL, &m, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(rc, 0);
    return m;
}

/* One valid query of each compute kind (Llama-3.1-8B TP1 shapes, 64 tokens). */
static int sample_queries(ps_cost_query *q)
{
    int n = 0;
    memset(q, 0, 8 * sizeof *q);
    q[n++] = (ps_cost_query){.kind = PS_OP_GEMM, .m = 64, .n = 6144, .k = 4096};
    q[n++] = (ps_cost_query){.kind = PS_OP_ATTENTION, .phase = PS_PHASE_PREFILL, .seqs = 1, .tokens = 1024,
                             .context = 1024, .heads = 32, .kv_heads = 8, .head_dim = 128};
    q[n++] = (ps_cost_query){.kind = PS_OP_RMSNORM, .tokens = 64, .width = 4096};
    q[n++] = (ps_cost_query){.kind = PS_OP_ROPE, .tokens = 64, .width = 40 * 128};
    q[n++] = (ps_cost_query){.kind = PS_OP_SILU_MUL, .tokens = 64, .width = 14336};
    q[n++] = (ps_cost_query){.kind = PS_OP_RESIDUAL, .tokens = 64, .width = 4096};
    q[n++] = (ps_cost_query){.kind = PS_OP_EMBEDDING, .tokens = 64, .width = 4096};
    q[n++] = (ps_cost_query){.kind = PS_OP_SAMPLING, .tokens = 64, .width = 128256};
    return n;
}

static void every_kind_every_gpu(void **state)
{
    (void)state;
    ps_cost_query q[8];
    int n = sample_queries(q);
    for (int g = 0; g < ps_gpu_catalog_count(); g++) {
        ps_cost_model *m = model_for(ps_gpu_catalog_at(g)->name);
        for (int i = 0; i < n; i++) {
            ps_cost_answer graph, eager;
            ps_error err = {0};
            q[i].launch = PS_LAUNCH_GRAPH;
            assert_int_equal(ps_cost_estimate(m, &q[i], &graph, &err), 0);
            q[i].launch = PS_LAUNCH_EAGER;
            assert_int_equal(ps_cost_estimate(m, &q[i], &eager, &err), 0);
            assert_true(isfinite(graph.time_us) && graph.time_us > 0);
            assert_true(eager.time_us >= graph.time_us); /* eager never beats a graph replay */
            assert_int_equal(graph.source, PS_COST_MODEL);
            assert_true(graph.bytes > 0);
        }
        ps_cost_model_free(m);
    }
}

static void fp8_refused_without_tensor_cores(void **state)
{
    (void)state;
    ps_cost_query q = {.kind = PS_OP_GEMM, .dtype = PS_DTYPE_FP8, .m = 256, .n = 4096, .k = 4096};
    ps_cost_answer a;
    ps_error err = {0};
    ps_cost_model *m = model_for("a100-sxm");
    assert_int_equal(ps_cost_estimate(m, &q, &a, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "fp8"));
    ps_cost_model_free(m);
    m = model_for("h100-sxm");
    assert_int_equal(ps_cost_estimate(m, &q, &a, &err), 0);
    ps_cost_model_free(m);
}

static void scaled_from_names_the_source_gpu(void **state)
{
    (void)state;
    ps_cost_query q = {.kind = PS_OP_GEMM, .m = 4096, .n = 4096, .k = 4096};
    ps_cost_answer a;
    ps_error err = {0};
    ps_cost_model *m = model_for("b200"); /* no b200 file: Blackwell stands in with h200-sxm */
    assert_int_equal(ps_cost_estimate(m, &q, &a, &err), 0);
    assert_string_equal(a.scaled_from, "h200-sxm");
    assert_false(a.in_envelope);
    ps_cost_model_free(m);
    m = model_for("h200-sxm");
    assert_int_equal(ps_cost_estimate(m, &q, &a, &err), 0);
    assert_string_equal(a.scaled_from, "");
    ps_cost_model_free(m);
}

/* Big GEMMs scale with the dtype's peak across GPUs, small-m ones with HBM bandwidth. */
static void cross_gpu_scaling(void **state)
{
    (void)state;
    ps_cost_model *h = model_for("h100-sxm"), *a = model_for("a100-sxm");
    ps_cost_query big = {.kind = PS_OP_GEMM, .m = 8192, .n = 8192, .k = 8192};
    ps_cost_query small = {.kind = PS_OP_GEMM, .m = 1, .n = 28672, .k = 8192};
    ps_cost_answer ah, aa;
    ps_error err = {0};
    assert_int_equal(ps_cost_estimate(h, &big, &ah, &err), 0);
    assert_int_equal(ps_cost_estimate(a, &big, &aa, &err), 0);
    assert_int_equal(ah.bound, PS_BOUND_COMPUTE);
    /* 989.4 / 312 = 3.17 in peak; wave quantisation differs (132 vs 108 SMs): within 15 %. */
    assert_true(fabs(aa.time_us / ah.time_us / (989.4 / 312) - 1) < 0.15);
    assert_int_equal(ps_cost_estimate(h, &small, &ah, &err), 0);
    assert_int_equal(ps_cost_estimate(a, &small, &aa, &err), 0);
    assert_int_equal(ah.bound, PS_BOUND_MEMORY);
    /* 3.35 / 2.039 = 1.64 in HBM bandwidth; the fixed cost dilutes it (down to ~1.3), and on the
     * A100 (108 SMs at 1/3.2 of the H100's tensor rate) the padded-tile compute term comes close
     * to the weight read at m = 1, which lifts the smooth max above the bandwidth ratio (to
     * ~1.8). Vidur's A100 m < 64 GEMMs are predicted within a few % (docs/validation.md). */
    double r = aa.time_us / ah.time_us;
    assert_true(r > 1.3 && r < 1.85);
    ps_cost_model_free(h);
    ps_cost_model_free(a);
}

/* Decode attention streams the KV cache: 4x the context costs close to 4x once it dominates. */
static void decode_attention_reads_the_cache(void **state)
{
    (void)state;
    ps_cost_model *m = model_for("h200-sxm");
    ps_cost_query q = {.kind = PS_OP_ATTENTION, .phase = PS_PHASE_DECODE, .seqs = 64, .tokens = 64,
                       .context = 4096, .heads = 32, .kv_heads = 8, .head_dim = 128};
    ps_cost_answer a1, a4;
    ps_error err = {0};
    assert_int_equal(ps_cost_estimate(m, &q, &a1, &err), 0);
    q.context = 16384;
    assert_int_equal(ps_cost_estimate(m, &q, &a4, &err), 0);
    assert_int_equal(a4.bound, PS_BOUND_MEMORY);
    double kv = 64.0 * 16384 * 2 * 8 * 128 * 2;
    assert_true(a4.bytes >= kv && a4.bytes < kv * 1.01);
    double r = a4.time_us / a1.time_us;
    assert_true(r > 3.0 && r < 4.05);
    ps_cost_model_free(m);
}

static void bad_queries_refused(void **state)
{
    (void)state;
    ps_cost_model *m = model_for("h200-sxm");
    ps_cost_answer a;
    ps_error err = {0};
    ps_cost_query q = {.kind = PS_OP_GEMM, .m = 0, .n = 1, .k = 1};
    assert_int_equal(ps_cost_estimate(m, &q, &a, &err), PS_EINPUT);
    q = (ps_cost_query){.kind = PS_OP_ALLREDUCE};
    assert_int_equal(ps_cost_estimate(m, &q, &a, &err), PS_EINPUT);
    q = (ps_cost_query){.kind = PS_OP_ATTENTION, .phase = PS_PHASE_DECODE, .seqs = 2, .tokens = 3, .context = 9,
                        .heads = 8, .kv_heads = 8, .head_dim = 128};
    assert_int_equal(ps_cost_estimate(m, &q, &a, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "seqs"));
    ps_cost_model_free(m);
}

/* Every compute op of a real graph becomes a valid query; the derived shapes are the model's. */
static void queries_from_graph_ops(void **state)
{
    (void)state;
    const ps_model *model = ps_model_find_preset("llama3.1-8b");
    ps_plan plan;
    ps_precision prec;
    ps_error err = {0};
    assert_int_equal(ps_plan_init(&plan, model, 2, 1, 1, 0, NULL, 0, &err), 0);
    assert_int_equal(ps_precision_init(&prec, PS_DTYPE_BF16, &err), 0);
    ps_scenario sc = {.batch = 4, .isl = 512, .osl = 4, .prefill_tokens = PS_DEFAULT_PREFILL_TOKENS};
    ps_cost_model *m = model_for("h200-sxm");
    for (int phase = 0; phase < 2; phase++) {
        ps_step step;
        assert_int_equal(phase ? ps_step_decode(&plan, &sc, 0, &step, &err) : ps_step_prefill(&plan, &sc, 0, &step, &err), 0);
        ps_graph g;
        assert_int_equal(ps_graph_build(model, &prec, &plan, &step, &g, &err), 0);
        int priced = 0;
        for (size_t i = 0; i < g.ranks[0].count; i++) {
            const ps_op *op = &g.ranks[0].ops[i];
            if (!ps_cost_kind_supported(op->kind))
                continue;
            ps_cost_query q;
            ps_cost_answer a;
            ps_cost_query_from_op(op, PS_LAUNCH_GRAPH, &q);
            int rc = ps_cost_estimate(m, &q, &a, &err);
            if (rc)
                fprintf(stderr, "%s: %s\n", op->id, err.message);
            assert_int_equal(rc, 0);
            if (op->kind == PS_OP_ATTENTION) {
                assert_int_equal(q.heads, 16); /* 32 heads / tp 2 */
                assert_int_equal(q.kv_heads, 4);
                assert_int_equal(q.phase, phase ? PS_PHASE_DECODE : PS_PHASE_PREFILL);
                /* the model's bytes are the graph's up to the K, V written and the prefix */
                assert_true(fabs(a.flops / op->flops - 1) < 1e-9);
            }
            if (op->kind == PS_OP_RMSNORM || op->kind == PS_OP_RESIDUAL)
                assert_int_equal(q.width, 4096);
            if (op->kind == PS_OP_SILU_MUL)
                assert_int_equal(q.width, 14336 / 2);
            if (op->kind == PS_OP_ROPE)
                assert_int_equal(q.width, (16 + 4) * 128);
            priced++;
        }
        assert_true(priced > 32 * 8);
        ps_graph_free(&g);
    }
    ps_cost_model_free(m);
}

/* An op without the fields its family needs is refused, naming them: nothing is guessed from its
 * FLOP and byte counts (an attention op with FLOPs but no heads, an rmsnorm with bytes but no
 * width). Sampling, which no data set measures, says so in the answer. */
static void missing_fields_refused_not_guessed(void **state)
{
    (void)state;
    ps_cost_model *m = model_for("h200-sxm");
    ps_error err = {0};
    ps_op op;
    memset(&op, 0, sizeof op);
    snprintf(op.id, sizeof op.id, "decode/mb0/L000/attention");
    op.kind = PS_OP_ATTENTION, op.dtype = PS_DTYPE_BF16, op.phase = PS_PHASE_DECODE;
    op.tokens = op.seqs = 4, op.context = 1024, op.flops = 4.0 * 32 * 128 * 1024 * 4;
    op.bytes_read = 1e7, op.bytes_written = 1e5;
    ps_cost_query q;
    ps_cost_answer a;
    ps_cost_query_from_op(&op, PS_LAUNCH_GRAPH, &q);
    assert_int_equal(q.heads, 0);
    assert_int_equal(ps_cost_estimate(m, &q, &a, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "heads"));
    memset(&op, 0, sizeof op);
    op.kind = PS_OP_RMSNORM, op.dtype = PS_DTYPE_BF16, op.tokens = 4, op.bytes_read = op.bytes_written = 4 * 4096 * 2;
    ps_cost_query_from_op(&op, PS_LAUNCH_GRAPH, &q);
    assert_int_equal(ps_cost_estimate(m, &q, &a, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "width"));
    q = (ps_cost_query){.kind = PS_OP_SAMPLING, .dtype = PS_DTYPE_BF16, .tokens = 32, .width = 128256};
    assert_int_equal(ps_cost_estimate(m, &q, &a, &err), 0);
    assert_int_equal(a.source, PS_COST_MODEL);
    assert_false(a.in_envelope);
    assert_true(a.error_pct < 0);
    assert_non_null(strstr(a.fallback, "no measured greedy sampling kernels"));
    ps_cost_model_free(m);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void bad_coefficient_files(void **state)
{
    (void)state;
    char path[] = "/tmp/parsim-cost-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char *const bad[][2] = {
        {"gpu=h200-sxm\ngemm.bf16.nonsense=1\n", ":2:"},
        {"gpu=h200-sxm\ngemm.bf16.fixed_us=1\ngemm.bf16.fixed_us=2\n", "twice"},
        {"gpu=h900\n", "h900"},
        {"gemm.bf16.fixed_us=1\n", "gpu="},
        {"gpu=h200-sxm\ngemm.bf16.compute_eff=7\n", "outside"},
        {"gpu=h200-sxm\ngemm.bf16.fixed_us=abc\n", ":2:"},
        {"gpu=h200-sxm\ngemm.bf16.envelope.m=1\n", "LO..HI"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(path, bad[i][0]);
        ps_cost_model *m = NULL;
        ps_error err = {0};
        assert_int_equal(ps_cost_model_create(ps_gpu_find("h200-sxm"), path, &m, &err), PS_EINPUT);
        assert_null(m);
        if (!strstr(err.message, bad[i][1]))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.message, bad[i][1]);
    }
    unlink(path);
    ps_cost_model *m = NULL;
    ps_error err = {0};
    assert_int_equal(ps_cost_model_create(ps_gpu_find("h200-sxm"), "/nonexistent/x.cost", &m, &err), PS_EINPUT);
}

/* Decode attention on H100 vs H200 (the defect of the FlashAttention-2-varlen fit, which priced
 * it at 5-7x the H200 time). The two are the same GH100 die (132 SMs, same clocks and 50 MB L2,
 * catalogue) with HBM of 3.35 vs 4.8 TB/s, so a decode kernel takes between 1x (bound by its
 * SMs/L2: per-CTA streaming, launch) and 4.8 / 3.35 = 1.433x (bound by HBM) the H200 time.
 * (a) 128 sequences x 16384 keys, 8 query heads over 8 KV heads (no GQA re-reads from L2): 4.3 GB
 *     of KV cache, HBM-bound on both; the fixed cost (~4 us of ~2 ms) and the smooth max bring the
 *     ratio within 5 % of 1.433.
 * (b) the shape of the defect report (64 x 2048, 8/1 heads, fp16): anywhere in [1, 1.433] + 5 %
 *     slack. The old fit gave 7.1x and 4.7x. */

/* The stochastic sampler class (core/cost/family_sampling.c) against the public FlashInfer B200
 * kernel times (docs/data/sampling-kernels.csv, in the repository, so this never skips): fitted
 * on flashinfer PR #2945's top-k rows (batch 1); held out: its top-p rows (batch 128, another
 * method) and issue #2837's top-k row (batch 128, another vocabulary and input distribution).
 * Bound: median <= 30 %. Why that loose: at one shape the rows span 58-172 us because the
 * rejection rounds depend on k, p and the logits' distribution, which no query carries; one
 * method-agnostic rate predicts their geometric mean, so no model of this form gets below that
 * spread (the fit's own residual is 29.5 %). Measured today: 25.2 %; the +-1 point band makes any
 * change of the model, fitter or data fail here so that docs/cost.md and docs/validation.md
 * follow. */
static void sampler_top_k_top_p_held_out(void **state)
{
    (void)state;
    const char *src = getenv("PARSIM_SOURCE_DIR");
    assert_non_null(src);
    char coeffs[1200], data[2][1200];
    snprintf(coeffs, sizeof coeffs, "%s/data/cost/h200-sxm.cost", src);
    snprintf(data[0], sizeof data[0], "%s/docs/data/sampling-kernels.csv@op=top_p", src);
    snprintf(data[1], sizeof data[1], "%s/docs/data/sampling-kernels.csv@model=flashinfer-issue2837", src);
    ps_cost_model *m = NULL;
    ps_error err = {0};
    assert_int_equal(ps_cost_model_create(ps_gpu_find("b200"), coeffs, &m, &err), 0);
    ps_cost_points *pts = ps_cost_points_new();
    for (int i = 0; i < 2; i++)
        assert_int_equal(ps_cost_points_read(pts, data[i], &err), 0);
    size_t n = ps_cost_points_count(pts);
    assert_int_equal(n, 8);
    double e[8];
    for (size_t i = 0; i < n; i++) {
        ps_cost_point_view v;
        ps_cost_points_at(pts, i, &v);
        assert_int_equal(v.query.sampler, PS_SAMPLER_TOP_K_TOP_P);
        double t;
        assert_int_equal(ps_cost_predict_point(m, pts, i, &t, &err), 0);
        e[i] = fabs(t / v.measured_us - 1) * 100;
    }
    for (size_t i = 1; i < n; i++) /* insertion sort: 8 values */
        for (size_t j = i; j > 0 && e[j] < e[j - 1]; j--) {
            double x = e[j];
            e[j] = e[j - 1], e[j - 1] = x;
        }
    double median = (e[n / 2 - 1] + e[n / 2]) / 2; /* as the fit computes error.model */
    printf("sampler top_k_top_p, B200 batch-128 rows held out: median %.1f %%\n", median);
    assert_true(median <= 30);
    assert_true(fabs(median - 25.2) <= 1.0);
    ps_cost_points_free(pts);
    ps_cost_model_free(m);
}

static void sampler_table_bad_rows(void **state)
{
    (void)state;
    const char *head = "source,url,gpu,library,kernel,method,distribution,param,deterministic,batch,vocab,"
                       "input_dtype,time_us,timing\n";
    const char *rows[][2] = {
        {"x,u,b200,flashinfer,k,beam,d,p,true,1,128512,fp32,10,t\n", "method"},
        {"x,u,b9000,flashinfer,k,top_k,d,p,true,1,128512,fp32,10,t\n", "gpu"},
        {"x,u,b200,flashinfer,k,top_k,d,p,true,0,128512,fp32,10,t\n", "batch"},
        {"x,u,b200,flashinfer,k,top_k,d,p,true,1,128512,fp32,-3,t\n", "time_us"},
    };
    char path[] = "/tmp/parsim-sampler-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char text[600];
        snprintf(text, sizeof text, "%s%s", head, rows[i][0]);
        write_file(path, text);
        ps_cost_points *pts = ps_cost_points_new();
        ps_error err = {0};
        assert_int_equal(ps_cost_points_read(pts, path, &err), PS_EINPUT);
        assert_non_null(strstr(err.message, ":2"));
        assert_non_null(strstr(err.message, rows[i][1]));
        ps_cost_points_free(pts);
    }
    unlink(path);
}

static void sampler_waves(void **state)
{
    (void)state;
    const char *src = getenv("PARSIM_SOURCE_DIR");
    assert_non_null(src);
    char coeffs[1200], text[2400];
    snprintf(coeffs, sizeof coeffs, "%s/data/cost/h200-sxm.cost", src);
    char path[] = "/tmp/parsim-sampler-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    snprintf(text, sizeof text,
             "source,url,gpu,library,kernel,method,distribution,param,deterministic,batch,vocab,input_dtype,time_us,timing\n"
             "x,u,b200,flashinfer,k,top_p,d,p,true,1,128512,fp32,100,t\n"
             "x,u,b200,flashinfer,k,top_p,d,p,true,296,128512,fp32,100,t\n"
             "x,u,b200,flashinfer,k,top_p,d,p,true,297,128512,fp32,100,t\n"
             "x,u,h200-sxm,flashinfer,k,top_p,d,p,true,297,128512,fp32,100,t\n");
    write_file(path, text);
    ps_cost_model *m = NULL;
    ps_error err = {0};
    assert_int_equal(ps_cost_model_create(ps_gpu_find("b200"), coeffs, &m, &err), 0);
    ps_cost_points *pts = ps_cost_points_new();
    assert_int_equal(ps_cost_points_read(pts, path, &err), 0);
    double t[4];
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(ps_cost_predict_point(m, pts, i, &t[i], &err), 0);
    /* 296 rows = 2 x 148 slots: one wave, the time of one row (the HBM floor, 296 x 514 KB at
     * 0.6 x 8 TB/s = 32 us, stays below the ~116 us row time); 297 rows: a second wave, and the
     * fixed cost is paid once (within 1e-9 relative: the same closed form). */
    assert_true(fabs(t[1] / t[0] - 1) < 1e-9);
    double fixed = 2.5, row = t[0] - fixed;
    assert_true(fabs((t[2] - fixed) / (2 * row) - 1) < 1e-9);
    /* H200 (132 SMs, 264 slots): 297 rows are two waves too, same per-row rate (not scaled). */
    assert_true(fabs(t[3] / t[2] - 1) < 1e-9);
    ps_cost_points_free(pts);
    ps_cost_model_free(m);
    unlink(path);
}

static void decode_attention_h100_vs_h200(void **state)
{
    (void)state;
    const double hbm_ratio = 4.8 / 3.35; /* catalogue HBM bandwidths, h200-sxm / h100-sxm */
    ps_cost_model *h100 = model_for("h100-sxm"), *h200 = model_for("h200-sxm");
    ps_cost_query mem = {.kind = PS_OP_ATTENTION, .phase = PS_PHASE_DECODE, .dtype = PS_DTYPE_BF16, .seqs = 128,
                         .tokens = 128, .context = 16384, .heads = 8, .kv_heads = 8, .head_dim = 128};
    ps_cost_query bug = {.kind = PS_OP_ATTENTION, .phase = PS_PHASE_DECODE, .dtype = PS_DTYPE_FP16, .seqs = 64,
                         .tokens = 64, .context = 2048, .heads = 8, .kv_heads = 1, .head_dim = 128};
    ps_cost_answer a, b;
    ps_error err = {0};
    assert_int_equal(ps_cost_estimate(h100, &mem, &a, &err), 0);
    assert_int_equal(ps_cost_estimate(h200, &mem, &b, &err), 0);
    double r = a.time_us / b.time_us;
    printf("decode 128 x 16384, 8/8 heads: h100 %.1f us, h200 %.1f us, ratio %.3f\n", a.time_us, b.time_us, r);
    assert_true(r > hbm_ratio * 0.95 && r < hbm_ratio * 1.05);
    assert_int_equal(ps_cost_estimate(h100, &bug, &a, &err), 0);
    assert_int_equal(ps_cost_estimate(h200, &bug, &b, &err), 0);
    r = a.time_us / b.time_us;
    printf("decode 64 x 2048, 8/1 heads: h100 %.1f us, h200 %.1f us, ratio %.3f\n", a.time_us, b.time_us, r);
    assert_true(r >= 1.0 - 1e-9 && r < hbm_ratio * 1.05);
    ps_cost_model_free(h100);
    ps_cost_model_free(h200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_kind_every_gpu),
        cmocka_unit_test(fp8_refused_without_tensor_cores),
        cmocka_unit_test(scaled_from_names_the_source_gpu),
        cmocka_unit_test(cross_gpu_scaling),
        cmocka_unit_test(decode_attention_reads_the_cache),
        cmocka_unit_test(bad_queries_refused),
        cmocka_unit_test(queries_from_graph_ops),
        cmocka_unit_test(missing_fields_refused_not_guessed),
        cmocka_unit_test(bad_coefficient_files),
        cmocka_unit_test(decode_attention_h100_vs_h200),
        cmocka_unit_test(sampler_top_k_top_p_held_out),
        cmocka_unit_test(sampler_table_bad_rows),
        cmocka_unit_test(sampler_waves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
