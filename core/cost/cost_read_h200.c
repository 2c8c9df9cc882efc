/* Readers for the first-hand H200 CSVs (traces/h200-torch-reference/README.md).
 *   gemm_{graph,eager}.csv       model,tp,op,dtype,m_tokens,n,k,time_us,reps,tflops
 *   attention_{graph,eager}.csv  phase,batch,q_heads,kv_heads,head_dim,q_len,kv_len,time_us,reps
 *   memory_ops_{graph,eager}.csv op,elements,bytes_moved,time_us,reps,achieved_gbps
 * The launch mode is the file name's (_eager: back-to-back launches; otherwise a CUDA graph).
 * Attention: scripts/gpu/record_reference.py passes the same tensor as K and V, so decode reads
 * the cache once (kv_aliased). Memory ops: the RMSNorm and SiLU*mul there are ATen compositions
 * (several kernels, not the fused ones the model follows): tagged h200-aten, reported only; the
 * copy is not an op of the graph and is skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost_points.h"

static ps_launch_mode launch_of(const char *path)
{
    const char *base = strrchr(path, '/');
    return strstr(base ? base : path, "eager") ? PS_LAUNCH_EAGER : PS_LAUNCH_GRAPH;
}

static void base_point(cost_point *p, const char *path, const char *source)
{
    memset(p, 0, sizeof *p);
    p->s.batch = 1;
    p->s.q.launch = launch_of(path);
    p->gpu = ps_gpu_find("h200-sxm");
    snprintf(p->source, sizeof p->source, "%s", source);
}

/* Reads the named numeric columns of the current row into out[]. */
static int nums(cost_csv *c, const char *const *names, int n, double *out, ps_error *err)
{
    for (int i = 0; i < n; i++) {
        int col = cost_csv_col(c, names[i]);
        if (col < 0)
            return ps_error_set(err, PS_EINPUT, "%s:1: no column '%s'", c->path, names[i]);
        /* every column but the time is a count: 1.5 is refused, not truncated */
        int rc = strcmp(names[i], "time_us") ? cost_csv_count(c, col, &out[i], err)
                                             : cost_csv_num(c, col, &out[i], err);
        if (rc)
            return rc;
    }
    return PS_OK;
}

static int bad(cost_csv *c, const char *col, const char *text, ps_error *err)
{
    return ps_error_set(err, PS_EINPUT, "%s:%ld: %s: unexpected value '%s'", c->path, c->lineno, col, text);
}

int cost_read_h200_gemm(cost_csv *c, ps_cost_points *pts, ps_error *err)
{
    static const char *const names[] = {"tp", "m_tokens", "n", "k", "time_us"};
    int rc, more, c_dtype = cost_csv_col(c, "dtype"), c_op = cost_csv_col(c, "op");
    if (c_dtype < 0 || c_op < 0)
        return ps_error_set(err, PS_EINPUT, "%s:1: no column '%s'", c->path, c_dtype < 0 ? "dtype" : "op");
    while ((more = cost_csv_next(c, err)) > 0) {
        double v[5];
        if ((rc = nums(c, names, 5, v, err)))
            return rc;
        cost_point p;
        base_point(&p, c->path, "h200");
        const char *dt = c->field[c_dtype];
        if (!ps_dtype_parse(dt, &p.s.q.dtype))
            return bad(c, "dtype", dt, err);
        p.s.q.kind = PS_OP_GEMM;
        p.s.q.m = (int64_t)v[1], p.s.q.n = (int64_t)v[2], p.s.q.k = (int64_t)v[3];
        p.s.q.tokens = p.s.q.m;
        p.time_us = v[4];
        if ((rc = cost_csv_small(c, "tp", v[0], err)))
            return rc;
        p.tp = (int)v[0];
        snprintf(p.model, sizeof p.model, "%s", c->field[0]);
        snprintf(p.op, sizeof p.op, "%s", c->field[c_op]);
        if (p.s.q.m < 1 || p.s.q.n < 1 || p.s.q.k < 1 || !(p.time_us > 0))
            return ps_error_set(err, PS_EINPUT, "%s:%ld: m_tokens, n, k and time_us must be > 0", c->path, c->lineno);
        if ((rc = cost_points_push_row(c, pts, &p, err)))
            return rc;
    }
    return more < 0 ? err->code : PS_OK;
}

int cost_read_h200_attention(cost_csv *c, ps_cost_points *pts, ps_error *err)
{
    static const char *const names[] = {"batch", "q_heads", "kv_heads", "head_dim", "q_len", "kv_len", "time_us"};
    int rc, more;
    while ((more = cost_csv_next(c, err)) > 0) {
        double v[7];
        if ((rc = nums(c, names, 7, v, err)))
            return rc;
        cost_point p;
        base_point(&p, c->path, "h200");
        ps_cost_query *q = &p.s.q;
        q->kind = PS_OP_ATTENTION;
        q->dtype = PS_DTYPE_BF16;
        const char *phase = c->field[0];
        if (!strcmp(phase, "prefill"))
            q->phase = PS_PHASE_PREFILL;
        else if (!strcmp(phase, "decode"))
            q->phase = PS_PHASE_DECODE;
        else
            return bad(c, "phase", phase, err);
        q->seqs = (int64_t)v[0], q->heads = (int64_t)v[1], q->kv_heads = (int64_t)v[2], q->head_dim = (int64_t)v[3];
        q->tokens = q->seqs * (int64_t)v[4];
        q->context = (int64_t)v[5];
        q->prefix = q->phase == PS_PHASE_PREFILL ? (int64_t)(v[5] - v[4]) : 0;
        p.s.kv_aliased = true;
        /* The shard each head count is (record_reference.py's list): Llama-3.1-8B (32/8) at TP
         * 1/2/4/8 = 32/8, 16/4, 8/2, 4/1; Llama-3.1-70B (64/8) at TP 8 = 8/1. For @model/@tp. */
        static const struct { int h, kv, tp; const char *model; } shard[] = {
            {32, 8, 1, "llama3.1-8b"}, {16, 4, 2, "llama3.1-8b"}, {8, 2, 4, "llama3.1-8b"},
            {4, 1, 8, "llama3.1-8b"}, {8, 1, 8, "llama3.1-70b"}};
        for (size_t i = 0; i < sizeof shard / sizeof shard[0]; i++)
            if (shard[i].h == q->heads && shard[i].kv == q->kv_heads) {
                p.tp = shard[i].tp;
                snprintf(p.model, sizeof p.model, "%s", shard[i].model);
            }
        p.time_us = v[6];
        snprintf(p.op, sizeof p.op, "sdpa_%s", phase);
        if ((rc = ps_cost_query_validate(q, err)))
            return ps_error_prefix(err, "%s:%ld", c->path, c->lineno);
        if ((rc = cost_points_push_row(c, pts, &p, err)))
            return rc;
    }
    return more < 0 ? err->code : PS_OK;
}

int cost_read_h200_memory(cost_csv *c, ps_cost_points *pts, ps_error *err)
{
    static const char *const names[] = {"elements", "time_us"};
    int rc, more;
    while ((more = cost_csv_next(c, err)) > 0) {
        double v[2];
        if ((rc = nums(c, names, 2, v, err)))
            return rc;
        const char *op = c->field[0], *h = strrchr(op, 'h');
        cost_point p;
        base_point(&p, c->path, "h200-aten");
        if (!strncmp(op, "rmsnorm_torch_h", 15))
            p.s.q.kind = PS_OP_RMSNORM;
        else if (!strncmp(op, "silu_mul_h", 10))
            p.s.q.kind = PS_OP_SILU_MUL;
        else if (!strncmp(op, "copy_", 5))
            continue; /* copy_bf16: not an op of the graph */
        else
            return bad(c, "op", op, err);
        char *end = NULL;
        long width = h ? strtol(h + 1, &end, 10) : 0;
        if (width < 1 || *end != '\0' || (int64_t)v[0] % width)
            return bad(c, "op", op, err); /* the label's h<WIDTH> must divide the elements */
        p.s.q.dtype = PS_DTYPE_BF16;
        p.s.q.width = width;
        p.s.q.tokens = (int64_t)v[0] / width;
        p.time_us = v[1];
        snprintf(p.op, sizeof p.op, "%.23s", op);
        if ((rc = cost_points_push_row(c, pts, &p, err)))
            return rc;
    }
    return more < 0 ? err->code : PS_OK;
}
