/* Op-graph builder (see parsim/graph.h for ids, streams and invariants).
 *
 * FLOPs count a multiply-add as 2. Bytes are the HBM traffic of the kernel: inputs read once,
 * outputs written once, weights read once per op (one pass over the weights per microbatch, which
 * is what makes decode memory-bound). Communication ops carry comm_bytes and no HBM bytes.
 * Per-element costs of the element-wise kernels (stated so that the cost model can be fitted
 * against them, they are small next to the GEMMs):
 *   rmsnorm   4 FLOP/element (square, sum, scale, weight)       read x + weight, write y
 *   rope      3 FLOP/element of Q and K (2 mul + 1 add per output) read and write Q, K in place
 *   silu_mul  5 FLOP/output (neg, exp, add, div for SiLU, mul)   read gate|up, write ffn/tp
 *   residual  1 FLOP/element                                    read 2, write 1
 *   sampling  5 FLOP/logit (max, sub, exp, sum, div of softmax) read the logits, write int32 ids
 * Attention (per rank, heads/tp query heads, FlashAttention: scores never reach HBM):
 *   prefill, causal over S = ISL: query i attends to i keys, QK^T and PV each cost 2 x head_dim
 *     FLOP per (query, key, head): 4 x heads/tp x head_dim x S(S+1)/2 per sequence;
 *   decode: 4 x heads/tp x head_dim x context per sequence (context = ISL + step + 1).
 */
#include "parsim/graph.h"

#include "parsim/array.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[PS_OP_KIND_COUNT] = {
    "embedding", "rmsnorm", "gemm", "rope", "attention", "silu_mul",
    "residual", "sampling", "allreduce", "allgather", "send", "recv",
};

const char *ps_op_kind_name(ps_op_kind kind)
{
    return kind >= 0 && kind < PS_OP_KIND_COUNT ? kind_names[kind] : "?";
}

/* op kind <-> trace collective, one row per communication kind */
static const struct {
    ps_op_kind kind;
    ps_trace_collective coll;
} comm_kinds[] = {
    {PS_OP_ALLREDUCE, PS_TRACE_ALLREDUCE},
    {PS_OP_ALLGATHER, PS_TRACE_ALLGATHER},
    {PS_OP_SEND, PS_TRACE_SEND},
    {PS_OP_RECV, PS_TRACE_RECV},
};
#define COMM_KIND_COUNT (sizeof comm_kinds / sizeof comm_kinds[0])

bool ps_op_kind_to_trace_collective(ps_op_kind kind, ps_trace_collective *out)
{
    for (size_t i = 0; i < COMM_KIND_COUNT; i++)
        if (comm_kinds[i].kind == kind) {
            *out = comm_kinds[i].coll;
            return true;
        }
    return false;
}

bool ps_op_kind_from_trace_collective(ps_trace_collective coll, ps_op_kind *out)
{
    for (size_t i = 0; i < COMM_KIND_COUNT; i++)
        if (comm_kinds[i].coll == coll) {
            *out = comm_kinds[i].kind;
            return true;
        }
    return false;
}

bool ps_op_kind_is_comm(ps_op_kind kind)
{
    ps_trace_collective unused;
    return ps_op_kind_to_trace_collective(kind, &unused);
}

const char *ps_stream_name(ps_stream stream)
{
    switch (stream) {
    case PS_STREAM_COMPUTE: return "compute";
    case PS_STREAM_PP_RECV: return "pp_recv";
    case PS_STREAM_PP_SEND: return "pp_send";
    }
    return "?";
}

const char *ps_gemm_role_name(ps_gemm_role role)
{
    static const char *const names[PS_GEMM_ROLE_COUNT] = {"", "qkv", "o", "gate_up", "down", "lm_head"};
    return role >= 0 && role < PS_GEMM_ROLE_COUNT ? names[role] : "?";
}

/* Everything the per-op helpers need; built once per graph. */
typedef struct builder {
    const ps_model *model;
    const ps_plan *plan;
    const ps_step *step;
    ps_graph *graph;
    ps_rank_ops *rank;       /* the rank being filled */
    int microbatch;          /* the microbatch being filled */
    /* bytes per element */
    double act_bytes, weight_bytes, embedding_bytes, kv_cache_bytes;
    ps_dtype act_dtype, weight_dtype, embedding_dtype;
    int64_t tokens;          /* tokens of the microbatch */
    int64_t seqs;            /* sequences of the microbatch */
    int err;                 /* PS_EINTERNAL once an allocation failed */
} builder;

/* Appends an op with its id; returns its index, or -1 when out of memory. */
static int push(builder *b, ps_op_kind kind, ps_stream stream, const char *scope, const char *name, int layer)
{
    ps_rank_ops *r = b->rank;
    if (b->err)
        return -1;
    if (ps_grow(&r->ops, &r->cap, r->count + 1, sizeof *r->ops)) {
        b->err = PS_EINTERNAL;
        return -1;
    }
    ps_op *op = &r->ops[r->count];
    memset(op, 0, sizeof *op);
    snprintf(op->id, sizeof op->id, "%s/mb%d/%s/%s", ps_phase_name(b->step->phase), b->microbatch, scope, name);
    op->kind = kind;
    op->stream = stream;
    op->phase = b->step->phase;
    op->dtype = b->act_dtype;
    op->microbatch = b->microbatch;
    op->layer = layer;
    op->tokens = b->tokens;
    op->group = -1;
    op->peer = -1;
    return (int)r->count++;
}

static ps_op *at(builder *b, int index) { return &b->rank->ops[index]; }

static void dep(builder *b, int index, int on)
{
    if (index < 0 || on < 0)
        return;
    ps_op *op = at(b, index);
    op->deps[op->ndeps++] = on;
}

/* [m x k] activations times [k x n] weights of `weight_bytes` per element. */
static int gemm(builder *b, const char *scope, const char *name, ps_gemm_role role, int layer, int64_t m,
                int64_t n, int64_t k, ps_dtype dtype, double weight_bytes, int after)
{
    int i = push(b, PS_OP_GEMM, PS_STREAM_COMPUTE, scope, name, layer);
    if (i < 0)
        return i;
    ps_op *op = at(b, i);
    op->gemm_role = role;
    op->dtype = dtype;
    op->m = m;
    op->n = n;
    op->k = k;
    op->flops = 2.0 * (double)m * (double)n * (double)k;
    op->bytes_read = (double)k * (double)n * weight_bytes + (double)m * (double)k * b->act_bytes;
    op->bytes_written = (double)m * (double)n * b->act_bytes;
    dep(b, i, after);
    return i;
}

/* An element-wise op on the compute stream with the given costs; width = its row width as
 * parsim/cost.h defines it (silu_mul: the output row, it reads two). */
static int eltwise(builder *b, ps_op_kind kind, const char *scope, const char *name, int layer, int64_t width,
                   double flops, double read_bytes, double write_bytes, int after)
{
    int i = push(b, kind, PS_STREAM_COMPUTE, scope, name, layer);
    if (i < 0)
        return i;
    at(b, i)->width = width;
    at(b, i)->flops = flops;
    at(b, i)->bytes_read = read_bytes;
    at(b, i)->bytes_written = write_bytes;
    dep(b, i, after);
    return i;
}

/* A TP collective over this rank's group; a no-op (returns `after`) when tp == 1. */
static int tp_collective(builder *b, ps_op_kind kind, const char *scope, const char *name, int layer,
                         double bytes, int after)
{
    if (b->plan->tp == 1)
        return after;
    int i = push(b, kind, PS_STREAM_COMPUTE, scope, name, layer);
    if (i < 0)
        return i;
    at(b, i)->comm_bytes = bytes;
    at(b, i)->group = b->rank->replica * b->plan->pp + b->rank->stage;
    dep(b, i, after);
    return i;
}

static int rmsnorm(builder *b, const char *scope, const char *name, int layer, int64_t tokens, int after)
{
    int64_t hidden = b->model->hidden;
    double elements = (double)tokens * (double)hidden;
    int i = eltwise(b, PS_OP_RMSNORM, scope, name, layer, hidden, 4 * elements,
                    (elements + (double)hidden) * b->act_bytes, elements * b->act_bytes, after);
    if (i >= 0)
        at(b, i)->tokens = tokens;
    return i;
}

static double attention_flops(const builder *b)
{
    double per_key = 4.0 * (double)b->model->head_dim * (double)b->plan->heads_per_rank * (double)b->seqs;
    double prompt_tokens = (double)b->step->tokens_per_seq;
    if (b->step->phase == PS_PHASE_PREFILL) /* causal: query i attends to i keys */
        return per_key * prompt_tokens * (prompt_tokens + 1) / 2;
    return per_key * (double)b->step->context;
}

static int attention(builder *b, const char *scope, int layer, int after)
{
    int i = push(b, PS_OP_ATTENTION, PS_STREAM_COMPUTE, scope, "attention", layer);
    if (i < 0)
        return i;
    ps_op *op = at(b, i);
    const ps_plan *p = b->plan;
    double tokens = (double)b->tokens, head_dim = (double)b->model->head_dim;
    double query_elements = tokens * (double)p->heads_per_rank * head_dim; /* = output elements */
    double new_kv_elements = tokens * 2.0 * (double)p->kv_heads_per_rank * head_dim;
    op->seqs = b->seqs;
    op->context = b->step->context;
    op->heads = p->heads_per_rank;
    op->kv_heads = p->kv_heads_per_rank;
    op->head_dim = b->model->head_dim;
    op->prefix = 0; /* no chunked prefill or prefix cache yet: a prefill starts from an empty cache */
    op->flops = attention_flops(b);
    /* Reads Q, K, V of the new tokens; writes the output and the new K, V into the cache. */
    op->bytes_read = (query_elements + new_kv_elements) * b->act_bytes;
    op->bytes_written = query_elements * b->act_bytes + new_kv_elements * b->kv_cache_bytes;
    if (b->step->phase == PS_PHASE_DECODE) /* reads the cached context of every sequence */
        op->bytes_read += (double)b->seqs * (double)(b->step->context - 1) * 2.0 * (double)p->kv_heads_per_rank *
                          head_dim * b->kv_cache_bytes;
    dep(b, i, after);
    return i;
}

static int residual(builder *b, const char *scope, const char *name, int layer, int after, int skip)
{
    int64_t hidden = b->model->hidden;
    double elements = (double)b->tokens * (double)hidden;
    int i = eltwise(b, PS_OP_RESIDUAL, scope, name, layer, hidden, elements, 2 * elements * b->act_bytes,
                    elements * b->act_bytes, after);
    dep(b, i, skip);
    return i;
}

/* One decoder layer on this rank; returns the index of its output (mlp_residual). */
static int layer_ops(builder *b, int layer, int input)
{
    char scope[16];
    snprintf(scope, sizeof scope, "L%03d", layer);
    const ps_model *m = b->model;
    const ps_plan *p = b->plan;
    int64_t tokens = b->tokens, head_dim = m->head_dim;
    int64_t qkv_width = (p->heads_per_rank + 2 * p->kv_heads_per_rank) * head_dim;
    int64_t rope_width = (p->heads_per_rank + p->kv_heads_per_rank) * head_dim; /* Q and K */
    int64_t gate_up_width = 2 * p->intermediate_per_rank;
    double rope_elements = (double)tokens * (double)rope_width;
    double ffn_elements = (double)tokens * (double)p->intermediate_per_rank;
    double hidden_state_bytes = (double)tokens * (double)m->hidden * b->act_bytes;
    ps_dtype wt = b->weight_dtype;
    double wb = b->weight_bytes;

    int i = rmsnorm(b, scope, "attn_norm", layer, tokens, input);
    i = gemm(b, scope, "qkv_gemm", PS_GEMM_QKV, layer, tokens, qkv_width, m->hidden, wt, wb, i);
    i = eltwise(b, PS_OP_ROPE, scope, "rope", layer, rope_width, 3 * rope_elements, rope_elements * b->act_bytes,
                rope_elements * b->act_bytes, i);
    i = attention(b, scope, layer, i);
    i = gemm(b, scope, "o_gemm", PS_GEMM_O, layer, tokens, m->hidden, p->heads_per_rank * head_dim, wt, wb, i);
    i = tp_collective(b, PS_OP_ALLREDUCE, scope, "attn_allreduce", layer, hidden_state_bytes, i);
    int mid = residual(b, scope, "attn_residual", layer, i, input);
    i = rmsnorm(b, scope, "mlp_norm", layer, tokens, mid);
    i = gemm(b, scope, "gate_up_gemm", PS_GEMM_GATE_UP, layer, tokens, gate_up_width, m->hidden, wt, wb, i);
    i = eltwise(b, PS_OP_SILU_MUL, scope, "silu_mul", layer, p->intermediate_per_rank, 5 * ffn_elements,
                2 * ffn_elements * b->act_bytes, ffn_elements * b->act_bytes, i);
    i = gemm(b, scope, "down_gemm", PS_GEMM_DOWN, layer, tokens, m->hidden, p->intermediate_per_rank, wt, wb, i);
    i = tp_collective(b, PS_OP_ALLREDUCE, scope, "mlp_allreduce", layer, hidden_state_bytes, i);
    return residual(b, scope, "mlp_residual", layer, i, mid);
}

/* Embedding with the vocab split over TP (vLLM's VocabParallelEmbedding): each rank looks up the
 * rows of its shard and zeros the others, an all-reduce assembles the hidden states. */
static int embed_ops(builder *b)
{
    double tokens = (double)b->tokens, hidden = (double)b->model->hidden;
    double read = tokens * 4 /* int32 ids */ + tokens * hidden * b->embedding_bytes / b->plan->tp;
    int i = eltwise(b, PS_OP_EMBEDDING, "embed", "embedding", -1, b->model->hidden, 0, read,
                    tokens * hidden * b->act_bytes, -1);
    if (i >= 0)
        at(b, i)->dtype = b->embedding_dtype;
    return tp_collective(b, PS_OP_ALLREDUCE, "embed", "embed_allreduce", -1, tokens * hidden * b->act_bytes, i);
}

/* Final norm over every token, LM head on the sampled tokens (one per sequence: the last prompt
 * token in prefill, the new token in decode) with the vocab split over TP, an all-gather of the
 * logits, and sampling on every rank (so that all TP ranks hold the next tokens). */
static int head_ops(builder *b, int input)
{
    const ps_model *m = b->model;
    int64_t sampled = b->seqs, vocab_padded = b->plan->vocab_per_rank * b->plan->tp;
    double logit_elements = (double)sampled * (double)vocab_padded;
    int i = rmsnorm(b, "head", "final_norm", -1, b->tokens, input);
    i = gemm(b, "head", "lm_head", PS_GEMM_LM_HEAD, -1, sampled, b->plan->vocab_per_rank, m->hidden,
             b->embedding_dtype, b->embedding_bytes, i);
    if (i >= 0)
        at(b, i)->tokens = sampled;
    i = tp_collective(b, PS_OP_ALLGATHER, "head", "logits_allgather", -1, logit_elements * b->act_bytes, i);
    if (i >= 0)
        at(b, i)->tokens = sampled;
    i = eltwise(b, PS_OP_SAMPLING, "head", "sampling", -1, vocab_padded, 5 * logit_elements,
                logit_elements * b->act_bytes, (double)sampled * 4, i);
    if (i >= 0)
        at(b, i)->tokens = sampled;
    return i;
}

static int p2p(builder *b, ps_op_kind kind, int stage, int peer_stage, int after)
{
    char scope[16];
    snprintf(scope, sizeof scope, "S%d", stage);
    int send = kind == PS_OP_SEND;
    int i = push(b, kind, send ? PS_STREAM_PP_SEND : PS_STREAM_PP_RECV, scope, send ? "pp_send" : "pp_recv", -1);
    if (i < 0)
        return i;
    at(b, i)->comm_bytes = (double)b->tokens * (double)b->model->hidden * b->act_bytes;
    at(b, i)->peer = ps_plan_rank(b->plan, b->rank->replica, peer_stage, b->rank->tp_rank);
    dep(b, i, after);
    return i;
}

static void rank_ops(builder *b)
{
    const ps_plan *p = b->plan;
    int stage = b->rank->stage;
    for (b->microbatch = 0; b->microbatch < b->step->microbatches && !b->err; b->microbatch++) {
        b->seqs = b->step->seqs[b->microbatch];
        b->tokens = b->seqs * b->step->tokens_per_seq;
        int x = stage == 0 ? embed_ops(b) : p2p(b, PS_OP_RECV, stage, stage - 1, -1);
        for (int l = 0; l < p->stage_layers[stage]; l++)
            x = layer_ops(b, p->stage_first_layer[stage] + l, x);
        if (stage == p->pp - 1)
            head_ops(b, x);
        else
            p2p(b, PS_OP_SEND, stage, stage + 1, x);
    }
}

/* qsort comparator on op pointers by id. */
static int cmp_op_id(const void *x, const void *y)
{
    const ps_op *const *a = x, *const *c = y;
    return strcmp((*a)->id, (*c)->id);
}

static int index_rank(ps_rank_ops *r)
{
    if (r->count == 0)
        return PS_OK;
    const ps_op **sorted = malloc(r->count * sizeof *sorted);
    r->by_id = malloc(r->count * sizeof *r->by_id);
    if (!sorted || !r->by_id) {
        free(sorted);
        return PS_EINTERNAL;
    }
    for (size_t i = 0; i < r->count; i++)
        sorted[i] = &r->ops[i];
    qsort(sorted, r->count, sizeof *sorted, cmp_op_id);
    for (size_t i = 0; i < r->count; i++)
        r->by_id[i] = (size_t)(sorted[i] - r->ops);
    free(sorted);
    return PS_OK;
}

static int init_graph(ps_graph *g, const ps_plan *plan, const ps_step *step)
{
    memset(g, 0, sizeof *g);
    g->step = *step;
    g->nranks = ps_plan_gpus(plan);
    g->ngroups = plan->dp * plan->pp;
    g->ranks = calloc((size_t)g->nranks, sizeof *g->ranks);
    g->groups = calloc((size_t)g->ngroups, sizeof *g->groups);
    if (!g->ranks || !g->groups)
        return PS_EINTERNAL;
    for (int gi = 0; gi < g->ngroups; gi++) {
        g->groups[gi].size = plan->tp;
        g->groups[gi].first_rank = ps_plan_rank(plan, gi / plan->pp, gi % plan->pp, 0);
    }
    return PS_OK;
}

int ps_graph_build(const ps_model *m, const ps_precision *prec, const ps_plan *plan, const ps_step *step,
                   ps_graph *g, ps_error *err)
{
    if (step->microbatches < 1 || step->microbatches > PS_PLAN_MAX_MICROBATCHES)
        return ps_error_set(err, PS_EINPUT, "step has %d microbatches, expected 1..%d", step->microbatches,
                            PS_PLAN_MAX_MICROBATCHES);
    for (int i = 0; i < step->microbatches; i++)
        if (step->seqs[i] < 1)
            return ps_error_set(err, PS_EINPUT, "step microbatch %d has no sequence", i);
    ps_dtype embedding_dtype = ps_precision_embedding_dtype(prec);
    builder b = {
        .model = m, .plan = plan, .step = step, .graph = g,
        .act_bytes = ps_dtype_bytes(prec->act), .weight_bytes = ps_dtype_bytes(prec->weights),
        .embedding_bytes = ps_dtype_bytes(embedding_dtype), .kv_cache_bytes = ps_dtype_bytes(prec->kv),
        .act_dtype = prec->act, .weight_dtype = prec->weights, .embedding_dtype = embedding_dtype,
    };
    int rc = init_graph(g, plan, step);
    for (int rank = 0; rank < g->nranks && !rc; rank++) {
        ps_rank_ops *r = &g->ranks[rank];
        r->rank = rank;
        ps_plan_coords(plan, rank, &r->replica, &r->stage, &r->tp_rank);
        b.rank = r;
        rank_ops(&b);
        rc = b.err ? b.err : index_rank(r);
    }
    if (rc) {
        ps_graph_free(g);
        return ps_error_set(err, PS_EINTERNAL, "op graph: out of memory");
    }
    return PS_OK;
}

void ps_graph_free(ps_graph *g)
{
    if (!g)
        return;
    for (int i = 0; g->ranks && i < g->nranks; i++) {
        free(g->ranks[i].ops);
        free(g->ranks[i].by_id);
    }
    free(g->ranks);
    free(g->groups);
    memset(g, 0, sizeof *g);
}

const ps_op *ps_graph_find_op(const ps_graph *g, int rank, const char *op_id)
{
    if (!g || !op_id || rank < 0 || rank >= g->nranks)
        return NULL;
    const ps_rank_ops *r = &g->ranks[rank];
    size_t lo = 0, hi = r->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const ps_op *op = &r->ops[r->by_id[mid]];
        int c = strcmp(op->id, op_id);
        if (c == 0)
            return op;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void ps_graph_totals_compute(const ps_graph *g, ps_graph_totals *t)
{
    memset(t, 0, sizeof *t);
    for (int rank = 0; rank < g->nranks; rank++) {
        const ps_rank_ops *r = &g->ranks[rank];
        double rank_flops = 0, rank_comm = 0;
        for (size_t i = 0; i < r->count; i++) {
            const ps_op *op = &r->ops[i];
            t->ops++;
            rank_flops += op->flops;
            rank_comm += op->comm_bytes;
            t->bytes_read += op->bytes_read;
            t->bytes_written += op->bytes_written;
            if (op->kind == PS_OP_GEMM && op->layer >= 0)
                t->gemm_flops += op->flops;
            else if (op->kind == PS_OP_GEMM)
                t->lm_head_flops += op->flops;
            if (op->kind == PS_OP_ATTENTION)
                t->attention_flops += op->flops;
            if (op->kind == PS_OP_ALLREDUCE) {
                t->allreduce_count += r->tp_rank == 0; /* once per group */
                t->allreduce_bytes += r->tp_rank == 0 ? op->comm_bytes : 0;
            } else if (op->kind == PS_OP_ALLGATHER) {
                t->allgather_count += r->tp_rank == 0;
                t->allgather_bytes += r->tp_rank == 0 ? op->comm_bytes : 0;
            } else if (op->kind == PS_OP_SEND) {
                t->p2p_count++;
                t->p2p_bytes += op->comm_bytes;
            }
        }
        t->flops += rank_flops;
        if (rank_flops > t->max_rank_flops)
            t->max_rank_flops = rank_flops;
        if (rank_comm > t->max_rank_comm_bytes)
            t->max_rank_comm_bytes = rank_comm;
    }
}
