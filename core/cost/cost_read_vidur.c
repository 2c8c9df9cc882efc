/* Readers for the Vidur layouts (../shared/data/vidur/SOURCE.md), also used by LLMServingSim's
 * attention tables (same format, ../shared/data/llmservingsim/SOURCE.md).
 *
 * mlp.csv: one row per (model, num_tokens, TP); every non-attention op of a block, median CUDA
 * kernel time in ms (time_stats.<op>.median), fp16, no CUDA graphs but kernel time only (no host
 * gaps): read as graph-mode times. Shapes (per-rank shards, SOURCE.md):
 *   attn_pre_proj   m = tokens, n = (n_head + 2 n_kv_head) x head_dim / TP, k = n_embd
 *   attn_post_proj  n = n_embd, k = n_embd / TP
 *   mlp_up_proj     n = 2 ffn / TP (gated) or ffn / TP, k = n_embd
 *   mlp_down_proj   n = n_embd, k = ffn / TP
 *   input_layernorm, post_attention_layernorm -> rmsnorm (width n_embd; not phi-2's LayerNorm)
 *   attn_rope -> rope (width (n_head + n_kv_head) x head_dim / TP), mlp_act -> silu_mul (width
 *   ffn / TP; gated models only), add -> residual (width n_embd), emb -> embedding (width n_embd)
 * The GPU is the path's: .../compute/a100/... is a100-sxm (A100 DGX), otherwise h100-sxm.
 *
 * attention.csv: time_stats.attn_{prefill,decode}.median (ms) of one flash_attn call, fp16;
 * heads = n_q_head / TP, kv_heads = n_kv_head / TP, head_dim = n_embd / n_q_head.
 *   prefill: one sequence of prefill_chunk_size queries over kv_cache_size keys (the chunk's own
 *            included): prefix = kv_cache_size - chunk
 *   decode:  batch_size sequences, kv_cache_size keys in all, split evenly
 */
#include <stdio.h>
#include <string.h>

#include "cost_points.h"

static int col_value(cost_csv *c, const char *name, bool count, double *out, ps_error *err)
{
    int col = cost_csv_col(c, name);
    if (col < 0)
        return ps_error_set(err, PS_EINPUT, "%s:1: no column '%s'", c->path, name);
    return count ? cost_csv_count(c, col, out, err) : cost_csv_num(c, col, out, err);
}

/* A time in ms (any number >= 0) and a shape column (a whole number). */
static int col_num(cost_csv *c, const char *name, double *out, ps_error *err)
{
    return col_value(c, name, false, out, err);
}

static int col_count(cost_csv *c, const char *name, double *out, ps_error *err)
{
    return col_value(c, name, true, out, err);
}

/* The directory name above the file: .../meta-llama/Llama-2-7b-hf/mlp.csv -> Llama-2-7b-hf. */
static void model_of(const char *path, char *out, size_t size)
{
    const char *end = strrchr(path, '/');
    const char *start = end;
    while (start && start > path && start[-1] != '/')
        start--;
    if (!end || !start || end == start) {
        snprintf(out, size, "?");
        return;
    }
    snprintf(out, size, "%.*s", (int)(end - start), start);
}

typedef struct vidur_shape {
    double heads, kv_heads, hidden, ffn, tokens, tp;
    bool gated;
} vidur_shape;

static int push_op(cost_csv *c, ps_cost_points *pts, const cost_point *base, const char *op, ps_cost_query q,
                   ps_error *err)
{
    char name[80];
    snprintf(name, sizeof name, "time_stats.%s.median", op);
    double ms;
    int rc = col_num(c, name, &ms, err);
    if (rc)
        return rc;
    cost_point p = *base;
    q.dtype = PS_DTYPE_FP16;
    q.launch = PS_LAUNCH_GRAPH;
    p.s.q = q;
    p.time_us = ms * 1e3;
    snprintf(p.op, sizeof p.op, "%s", op);
    if (!(p.time_us > 0))
        return ps_error_set(err, PS_EINPUT, "%s:%ld: %s: time must be > 0", c->path, c->lineno, name);
    return cost_points_push_row(c, pts, &p, err);
}

static int mlp_row(cost_csv *c, ps_cost_points *pts, const cost_point *base, const vidur_shape *v, ps_error *err)
{
    int64_t T = (int64_t)v->tokens, tp = (int64_t)v->tp, hd = (int64_t)(v->hidden / v->heads);
    int64_t H = (int64_t)v->hidden, F = (int64_t)v->ffn, nh = (int64_t)v->heads, nkv = (int64_t)v->kv_heads;
    int rc = 0;
    ps_cost_query g = {.kind = PS_OP_GEMM, .m = T, .tokens = T};
    g.n = (nh + 2 * nkv) * hd / tp, g.k = H;
    rc = rc ? rc : push_op(c, pts, base, "attn_pre_proj", g, err);
    g.n = H, g.k = H / tp;
    rc = rc ? rc : push_op(c, pts, base, "attn_post_proj", g, err);
    g.n = (v->gated ? 2 : 1) * F / tp, g.k = H;
    rc = rc ? rc : push_op(c, pts, base, "mlp_up_proj", g, err);
    g.n = H, g.k = F / tp;
    rc = rc ? rc : push_op(c, pts, base, "mlp_down_proj", g, err);
    ps_cost_query e = {.tokens = T};
    if (v->gated) { /* phi-2: LayerNorm and GELU, not the ops the model prices */
        e.kind = PS_OP_RMSNORM, e.width = H;
        rc = rc ? rc : push_op(c, pts, base, "input_layernorm", e, err);
        rc = rc ? rc : push_op(c, pts, base, "post_attention_layernorm", e, err);
        e.kind = PS_OP_SILU_MUL, e.width = F / tp;
        rc = rc ? rc : push_op(c, pts, base, "mlp_act", e, err);
    }
    e.kind = PS_OP_ROPE, e.width = (nh + nkv) * hd / tp;
    rc = rc ? rc : push_op(c, pts, base, "attn_rope", e, err);
    e.kind = PS_OP_RESIDUAL, e.width = H;
    rc = rc ? rc : push_op(c, pts, base, "add", e, err);
    e.kind = PS_OP_EMBEDDING, e.width = H;
    rc = rc ? rc : push_op(c, pts, base, "emb", e, err);
    return rc;
}

int cost_read_vidur_mlp(cost_csv *c, ps_cost_points *pts, ps_error *err)
{
    cost_point base = {.s.batch = 1};
    base.gpu = ps_gpu_find(strstr(c->path, "/a100/") ? "a100-sxm" : "h100-sxm");
    snprintf(base.source, sizeof base.source, "vidur");
    model_of(c->path, base.model, sizeof base.model);
    int gated_col = cost_csv_col(c, "use_gated_mlp");
    if (gated_col < 0)
        return ps_error_set(err, PS_EINPUT, "%s:1: no column 'use_gated_mlp'", c->path);
    int more, rc;
    while ((more = cost_csv_next(c, err)) > 0) {
        vidur_shape v;
        if ((rc = col_count(c, "n_head", &v.heads, err)) || (rc = col_count(c, "n_kv_head", &v.kv_heads, err)) ||
            (rc = col_count(c, "n_embd", &v.hidden, err)) || (rc = col_count(c, "n_expanded_embd", &v.ffn, err)) ||
            (rc = col_count(c, "num_tokens", &v.tokens, err)) ||
            (rc = col_count(c, "num_tensor_parallel_workers", &v.tp, err)))
            return rc;
        if (v.heads < 1 || v.kv_heads < 1 || v.hidden < 1 || v.ffn < 1 || v.tokens < 1 || v.tp < 1)
            return ps_error_set(err, PS_EINPUT, "%s:%ld: model shape columns must be >= 1", c->path, c->lineno);
        v.gated = !strcmp(c->field[gated_col], "True");
        if ((rc = cost_csv_small(c, "num_tensor_parallel_workers", v.tp, err)))
            return rc;
        base.tp = (int)v.tp;
        if ((rc = mlp_row(c, pts, &base, &v, err)))
            return rc;
    }
    return more < 0 ? err->code : PS_OK;
}

static int attention_row(cost_csv *c, cost_point *p, bool prefill, ps_error *err)
{
    double hidden, nq, nkv, tp, batch, chunk, kv, ms;
    int rc;
    if ((rc = col_count(c, "n_embd", &hidden, err)) || (rc = col_count(c, "n_q_head", &nq, err)) ||
        (rc = col_count(c, "n_kv_head", &nkv, err)) || (rc = col_count(c, "num_tensor_parallel_workers", &tp, err)) ||
        (rc = col_count(c, "batch_size", &batch, err)) || (rc = col_count(c, "prefill_chunk_size", &chunk, err)) ||
        (rc = col_count(c, "kv_cache_size", &kv, err)) ||
        (rc = col_num(c, prefill ? "time_stats.attn_prefill.median" : "time_stats.attn_decode.median", &ms, err)))
        return rc;
    if ((rc = cost_csv_small(c, "num_tensor_parallel_workers", tp, err)) || (rc = cost_csv_small(c, "batch_size", batch > 0 ? batch : 1, err)))
        return rc;
    ps_cost_query *q = &p->s.q;
    q->kind = PS_OP_ATTENTION;
    q->dtype = PS_DTYPE_FP16;
    q->heads = (int64_t)(nq / tp), q->kv_heads = (int64_t)(nkv / tp), q->head_dim = (int64_t)(hidden / nq);
    if (prefill) {
        q->phase = PS_PHASE_PREFILL;
        q->seqs = 1, q->tokens = (int64_t)chunk, q->context = (int64_t)kv, q->prefix = (int64_t)(kv - chunk);
    } else {
        q->phase = PS_PHASE_DECODE;
        q->seqs = q->tokens = (int64_t)batch;
        q->context = batch > 0 ? (int64_t)(kv / batch) : 0;
    }
    p->tp = (int)tp;
    p->time_us = ms * 1e3;
    snprintf(p->op, sizeof p->op, prefill ? "attn_prefill" : "attn_decode");
    if (ps_cost_query_validate(q, err))
        return ps_error_prefix(err, "%s:%ld", c->path, c->lineno);
    return PS_OK;
}

int cost_read_attention_csv(cost_csv *c, ps_cost_points *pts, ps_error *err)
{
    cost_point base = {.s.batch = 1};
    base.gpu = ps_gpu_find("h100-sxm");
    snprintf(base.source, sizeof base.source, strstr(c->path, "perf_models") ? "lss" : "vidur");
    model_of(c->path, base.model, sizeof base.model);
    if (!strncmp(base.model, "tp", 2)) { /* LLMServingSim: .../<model>/tp4/attention.csv */
        char up[1024];
        snprintf(up, sizeof up, "%s", c->path);
        char *slash = strrchr(up, '/');
        if (slash)
            *slash = '\0';
        model_of(up, base.model, sizeof base.model);
    }
    int pre = cost_csv_col(c, "is_prefill");
    if (pre < 0)
        return ps_error_set(err, PS_EINPUT, "%s:1: no column 'is_prefill'", c->path);
    int more, rc;
    while ((more = cost_csv_next(c, err)) > 0) {
        bool prefill = !strcmp(c->field[pre], "True");
        if (!prefill && strcmp(c->field[pre], "False"))
            return ps_error_set(err, PS_EINPUT, "%s:%ld: is_prefill: expected True or False", c->path, c->lineno);
        cost_point p = base;
        double batch, chunk, kv;
        if ((rc = col_count(c, "batch_size", &batch, err)) || (rc = col_count(c, "prefill_chunk_size", &chunk, err)) ||
            (rc = col_count(c, "kv_cache_size", &kv, err)))
            return rc;
        if (prefill ? kv < chunk : kv < batch)
            continue; /* fewer keys than queries (prefill) or than sequences (decode): no such call */
        if ((rc = attention_row(c, &p, prefill, err)) || (rc = cost_points_push_row(c, pts, &p, err)))
            return rc;
    }
    return more < 0 ? err->code : PS_OK;
}
