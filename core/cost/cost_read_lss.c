/* Reader for LLMServingSim's layers.csv (../shared/data/llmservingsim/SOURCE.md):
 * layer_name,input,kv_cache,tp_size,latency(ns); Hugging Face layers (unfused: separate q/k/v and
 * gate/up GEMMs), fp16, one GPU (H100), median summed kernel time. The model comes from the path
 * (.../<model>/tp<N>/layers.csv); shapes from its config.json (Hugging Face, cited per model):
 *   meta-llama/Llama-3.1-8B   hidden 4096, 32 heads, 8 KV heads, ffn 14336, vocab 128256
 *   meta-llama/Llama-3.1-70B  hidden 8192, 64 heads, 8 KV heads, ffn 28672, vocab 128256
 *   mistralai/Mixtral-8x7B    hidden 4096, 32 heads, 8 KV heads, expert ffn 14336 (one full
 *                             expert, not divided by TP), vocab 32000
 * GEMM rows become gemm points (source lss); the unfused norm, RoPE, SiLU and embedding rows are
 * kept with source lss-hf (another implementation: reported, never fitted or bounded); attn and
 * the router gate are skipped; any other layer name is refused (exit 2).
 */
#include <stdio.h>
#include <string.h>

#include "cost_points.h"

typedef struct lss_model {
    const char *dir;
    int64_t hidden, heads, kv_heads, ffn, vocab;
    bool moe;
} lss_model;

static const lss_model models[] = {
    {"Llama-3.1-8B", 4096, 32, 8, 14336, 128256, false},
    {"Llama-3.1-70B", 8192, 64, 8, 28672, 128256, false},
    {"Mixtral-8x7B-v0.1", 4096, 32, 8, 14336, 32000, true},
};

/* The op of one layer row; false for a layer name it does not know. */
static bool shape_of(const lss_model *m, const char *layer, int64_t tp, int64_t T, ps_cost_query *q)
{
    int64_t hd = m->hidden / m->heads, H = m->hidden;
    memset(q, 0, sizeof *q);
    q->kind = PS_OP_GEMM;
    q->m = q->tokens = T;
    q->k = H;
    if (!strcmp(layer, "q_proj"))
        q->n = m->heads * hd / tp;
    else if (!strcmp(layer, "k_proj") || !strcmp(layer, "v_proj"))
        q->n = m->kv_heads * hd / tp;
    else if (!strcmp(layer, "o_proj"))
        q->n = H, q->k = m->heads * hd / tp;
    else if (!m->moe && (!strcmp(layer, "gate_proj") || !strcmp(layer, "up_proj")))
        q->n = m->ffn / tp;
    else if (!m->moe && !strcmp(layer, "down_proj"))
        q->n = H, q->k = m->ffn / tp;
    else if (m->moe && (!strcmp(layer, "expert.w1") || !strcmp(layer, "expert.w3")))
        q->n = m->ffn;
    else if (m->moe && !strcmp(layer, "expert.w2"))
        q->n = H, q->k = m->ffn;
    else if (!strcmp(layer, "lm_head"))
        q->n = m->vocab / tp;
    else {
        q->kind = PS_OP_RMSNORM;
        q->m = q->k = 0;
        q->width = H;
        if (!strcmp(layer, "rope"))
            q->kind = PS_OP_ROPE, q->width = (m->heads + m->kv_heads) * hd / tp;
        else if (!strcmp(layer, "act_fn"))
            q->kind = PS_OP_SILU_MUL, q->width = (m->moe ? m->ffn : m->ffn / tp);
        else if (!strcmp(layer, "embedding"))
            q->kind = PS_OP_EMBEDDING;
        else if (strstr(layer, "layernorm") == NULL)
            return false; /* not a layer this reader knows */
    }
    return true;
}

/* Layers that are not ops the model prices: attention (attention.csv times it) and the MoE router. */
static bool skipped_layer(const char *layer) { return !strcmp(layer, "attn") || !strcmp(layer, "gate"); }

int cost_read_lss_layers(cost_csv *c, ps_cost_points *pts, ps_error *err)
{
    const lss_model *m = NULL;
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
        if (strstr(c->path, models[i].dir))
            m = &models[i];
    if (!m)
        return ps_error_set(err, PS_EINPUT, "%s: layers.csv of an unknown model (the path names the model: "
                            "Llama-3.1-8B, Llama-3.1-70B or Mixtral-8x7B-v0.1)", c->path);
    int c_in = cost_csv_col(c, "input"), c_tp = cost_csv_col(c, "tp_size"), c_t = cost_csv_col(c, "latency(ns)");
    if (c_in < 0 || c_tp < 0)
        return ps_error_set(err, PS_EINPUT, "%s:1: expected columns input and tp_size", c->path);
    int more, rc;
    while ((more = cost_csv_next(c, err)) > 0) {
        double T, tp, ns;
        if ((rc = cost_csv_count(c, c_in, &T, err)) || (rc = cost_csv_count(c, c_tp, &tp, err)) ||
            (rc = cost_csv_num(c, c_t, &ns, err)))
            return rc;
        if (T < 1 || tp < 1 || !(ns > 0))
            return ps_error_set(err, PS_EINPUT, "%s:%ld: input, tp_size, latency must be > 0", c->path, c->lineno);
        if ((rc = cost_csv_small(c, "tp_size", tp, err)))
            return rc;
        cost_point p = {.s.batch = 1};
        if (skipped_layer(c->field[0]))
            continue;
        if (!shape_of(m, c->field[0], (int64_t)tp, (int64_t)T, &p.s.q))
            return ps_error_set(err, PS_EINPUT, "%s:%ld: layer_name: unknown layer '%s'", c->path, c->lineno,
                                c->field[0]);
        p.s.q.dtype = PS_DTYPE_FP16;
        p.s.q.launch = PS_LAUNCH_GRAPH;
        p.gpu = ps_gpu_find("h100-sxm");
        snprintf(p.source, sizeof p.source, p.s.q.kind == PS_OP_GEMM ? "lss" : "lss-hf");
        snprintf(p.model, sizeof p.model, "%s", m->dir);
        snprintf(p.op, sizeof p.op, "%.23s", c->field[0]);
        p.tp = (int)tp;
        p.time_us = ns / 1e3;
        if ((rc = cost_points_push_row(c, pts, &p, err)))
            return rc;
    }
    return more < 0 ? err->code : PS_OK;
}
