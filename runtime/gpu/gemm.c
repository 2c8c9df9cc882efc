/* cuBLASLt GEMMs (../shared/notes/build.md; cuBLASLt docs, "cublasLtMatmul").
 *
 * Row-major activations x[rows][k] times PyTorch-layout weights w[n][k]: in cuBLAS's column-major
 * terms y^T[n][rows] = (w^T)^T . x^T, i.e. A = w (transposed, "T"), B = x ("N"), m = n, n = rows,
 * k = k - the TN layout Hopper's fp8 GEMMs require. fp8: A and B e4m3 with per-tensor scales
 * (CUBLASLT_MATMUL_DESC_A/B_SCALE_POINTER, device floats), fp32 compute, bf16 output. The
 * heuristic's first algorithm is used, looked up once per shape and cached.
 */
#include <cublasLt.h>
#include <stdlib.h>
#include <string.h>

#include "record_gpu.h"

#define CACHE 64

typedef struct gemm_plan {
    int64_t x_stride, rows, n, k;
    bool fp8;
    const float *w_scale;
    cublasLtMatmulDesc_t desc;
    cublasLtMatrixLayout_t a, b, d;
    cublasLtMatmulAlgo_t algo;
} gemm_plan;

struct ps_rec_gemm {
    cublasLtHandle_t handle;
    void *workspace;
    gemm_plan plans[CACHE];
    int nplans;
};

static int lt_fail(ps_error *err, cublasStatus_t s, const char *what)
{
    return ps_error_set(err, PS_EINPUT, "cuBLASLt %s: status %d", what, (int)s);
}

int ps_rec_gemm_create(ps_rec_gemm **out, cudaStream_t stream, ps_error *err)
{
    (void)stream;
    ps_rec_gemm *g = calloc(1, sizeof *g);
    if (!g)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    cublasStatus_t s = cublasLtCreate(&g->handle);
    if (s != CUBLAS_STATUS_SUCCESS) {
        free(g);
        return lt_fail(err, s, "cublasLtCreate");
    }
    cudaError_t e = cudaMalloc(&g->workspace, PS_REC_GEMM_WORKSPACE_BYTES);
    if (e != cudaSuccess) {
        cublasLtDestroy(g->handle);
        free(g);
        return ps_rec_cuda_fail(err, (int)e, "cudaMalloc (GEMM workspace)");
    }
    *out = g;
    return PS_OK;
}

void ps_rec_gemm_destroy(ps_rec_gemm *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->nplans; i++) {
        cublasLtMatrixLayoutDestroy(g->plans[i].a);
        cublasLtMatrixLayoutDestroy(g->plans[i].b);
        cublasLtMatrixLayoutDestroy(g->plans[i].d);
        cublasLtMatmulDescDestroy(g->plans[i].desc);
    }
    cudaFree(g->workspace);
    cublasLtDestroy(g->handle);
    free(g);
}

static int make_plan(ps_rec_gemm *g, gemm_plan *p, const float *x_scale, const float *w_scale, ps_error *err)
{
    cudaDataType_t in = p->fp8 ? CUDA_R_8F_E4M3 : CUDA_R_16BF;
    cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
    cublasStatus_t s;
    if ((s = cublasLtMatmulDescCreate(&p->desc, CUBLAS_COMPUTE_32F, CUDA_R_32F)) ||
        (s = cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta)) ||
        (s = cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb)))
        return lt_fail(err, s, "matmul descriptor");
    if (p->fp8 && ((s = cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &w_scale,
                                                       sizeof w_scale)) ||
                   (s = cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &x_scale,
                                                       sizeof x_scale))))
        return lt_fail(err, s, "fp8 scale pointers");
    if ((s = cublasLtMatrixLayoutCreate(&p->a, in, (uint64_t)p->k, (uint64_t)p->n, p->k)) ||
        (s = cublasLtMatrixLayoutCreate(&p->b, in, (uint64_t)p->k, (uint64_t)p->rows, p->x_stride)) ||
        (s = cublasLtMatrixLayoutCreate(&p->d, CUDA_R_16BF, (uint64_t)p->n, (uint64_t)p->rows, p->n)))
        return lt_fail(err, s, "matrix layout");
    cublasLtMatmulPreference_t pref;
    uint64_t ws = PS_REC_GEMM_WORKSPACE_BYTES;
    if ((s = cublasLtMatmulPreferenceCreate(&pref)))
        return lt_fail(err, s, "preference");
    cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws);
    cublasLtMatmulHeuristicResult_t result;
    int found = 0;
    s = cublasLtMatmulAlgoGetHeuristic(g->handle, p->desc, p->a, p->b, p->d, p->d, pref, 1, &result, &found);
    cublasLtMatmulPreferenceDestroy(pref);
    if (s || found == 0)
        return ps_error_set(err, PS_EINPUT, "cuBLASLt has no algorithm for %s m=%lld n=%lld k=%lld (status %d)",
                            p->fp8 ? "e4m3" : "bf16", (long long)p->rows, (long long)p->n, (long long)p->k, (int)s);
    p->algo = result.algo;
    return PS_OK;
}

int ps_rec_gemm_run(ps_rec_gemm *g, const void *x, int64_t x_stride, const void *w, void *y, int64_t rows,
                    int64_t n, int64_t k, bool fp8, const float *x_scale, const float *w_scale, cudaStream_t stream,
                    ps_error *err)
{
    gemm_plan *p = NULL;
    for (int i = 0; i < g->nplans && !p; i++) {
        gemm_plan *c = &g->plans[i];
        if (c->x_stride == x_stride && c->rows == rows && c->n == n && c->k == k && c->fp8 == fp8 && c->w_scale == w_scale)
            p = c;
    }
    if (!p) {
        if (g->nplans == CACHE)
            return ps_error_set(err, PS_EINTERNAL, "more than %d GEMM shapes", CACHE);
        p = &g->plans[g->nplans];
        memset(p, 0, sizeof *p);
        *p = (gemm_plan){.x_stride = x_stride, .rows = rows, .n = n, .k = k, .fp8 = fp8, .w_scale = w_scale};
        if (make_plan(g, p, x_scale, w_scale, err))
            return err->code;
        g->nplans++;
    }
    float alpha = 1.0f, beta = 0.0f;
    cublasStatus_t s = cublasLtMatmul(g->handle, p->desc, &alpha, w, p->a, x, p->b, &beta, y, p->d, y, p->d,
                                      &p->algo, g->workspace, PS_REC_GEMM_WORKSPACE_BYTES, stream);
    return s == CUBLAS_STATUS_SUCCESS ? PS_OK : lt_fail(err, s, "cublasLtMatmul");
}
