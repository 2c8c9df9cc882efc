/* The launch plan: core's op graph of one step, walked for the ranks this run executes, every op
 * turned into the launches that realise it on a GPU.
 *
 * The op graph (core/workload/graph.c) is the single description of the work; this file decides
 * nothing about what runs, only how: which kernel or library call, on which buffers, with which
 * shapes. Mapping by the op's name (the last part of its id, docs/workload.md):
 *   embedding      embedding kernel            ids[mb] -> x[mb]
 *   *_norm         rmsnorm kernel              x[mb] -> xn
 *   *_gemm         cuBLASLt GEMM (fp8: an e4m3 quantisation kernel first, same op id)
 *   rope           rope kernel, in place on qkv
 *   attention      kv_write kernel + attention_prefill or attention_decode kernel
 *   silu_mul       silu_mul kernel             gate_up -> act
 *   *_residual     residual_add kernel         x[mb] += proj
 *   lm_head        cuBLASLt GEMM on the last token of each sequence (strided rows of xn)
 *   *_allreduce, logits_allgather, pp_send, pp_recv: NCCL calls (sized only under emulation)
 *   sampling       argmax kernel               logits (all ranks) -> ids[mb]
 * Ops of layers outside the layer subset are left out, and a cross-stream dependency on one of
 * them moves to the last launch kept before it on that stream.
 */
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "parsim/array.h"

static const char *const kind_names[PS_RL_KIND_COUNT] = {
    "embedding", "rmsnorm", "quant_fp8", "gemm", "rope", "kv_write", "attention_prefill", "attention_decode",
    "silu_mul", "residual_add", "argmax", "nccl_allreduce", "nccl_allgather", "nccl_send", "nccl_recv"};

const char *ps_rec_launch_kind_name(ps_rec_launch_kind kind)
{
    return (unsigned)kind < PS_RL_KIND_COUNT ? kind_names[kind] : "?";
}

bool ps_rec_launch_is_comm(ps_rec_launch_kind kind) { return kind >= PS_RL_ALLREDUCE; }

static const char *const buffer_names[PS_B_COUNT] = {"x", "ids", "xn", "qkv", "attn", "proj", "gate_up", "act",
                                                     "xq", "logits", "logits_all"};

const char *ps_rec_buffer_name(ps_rec_buffer b) { return (unsigned)b < PS_B_COUNT ? buffer_names[b] : "-"; }

int64_t ps_rec_weight_elems(const ps_rec_plan *p, ps_rec_weight w)
{
    switch (w) {
    case PS_W_EMBED:
    case PS_W_LM_HEAD: return p->vocab_per_rank * p->hidden;
    case PS_W_ATTN_NORM:
    case PS_W_MLP_NORM:
    case PS_W_FINAL_NORM: return p->hidden;
    case PS_W_QKV: return p->qkv_n * p->hidden;
    case PS_W_O: return p->hidden * p->heads * p->head_dim;
    case PS_W_GATE_UP: return 2 * p->inter * p->hidden;
    case PS_W_DOWN: return p->hidden * p->inter;
    case PS_W_NONE:
    case PS_W_COUNT: break;
    }
    return 0;
}

static bool weight_is_linear(ps_rec_weight w) { return w == PS_W_QKV || w == PS_W_O || w == PS_W_GATE_UP || w == PS_W_DOWN; }

int64_t ps_rec_buffer_bytes(const ps_rec_plan *p, const ps_rec_rank_plan *r, ps_rec_buffer b)
{
    int64_t t = r->max_tokens, s = r->max_seqs;
    switch (b) {
    case PS_B_X: return t * p->hidden * 2;
    case PS_B_IDS: return t * 4;
    case PS_B_XN: return t * p->hidden * 2;
    case PS_B_QKV: return t * p->qkv_n * 2;
    case PS_B_ATTN: return t * p->heads * p->head_dim * 2;
    case PS_B_PROJ: return t * p->hidden * 2;
    case PS_B_GATE_UP: return t * 2 * p->inter * 2;
    case PS_B_ACT: return t * p->inter * 2;
    case PS_B_XQ: {
        int64_t k = p->hidden > p->inter ? p->hidden : p->inter;
        k = k > p->heads * p->head_dim ? k : p->heads * p->head_dim;
        return p->weights == PS_DTYPE_FP8 ? t * k : 0;
    }
    case PS_B_LOGITS: return r->has_head ? s * p->vocab_per_rank * 2 : 0;
    case PS_B_LOGITS_ALL: return r->has_head && p->tp > 1 ? s * p->vocab_per_rank * 2 * p->tp : 0;
    case PS_B_NONE:
    case PS_B_COUNT: break;
    }
    return 0;
}

int64_t ps_rec_kv_layer_bytes(const ps_rec_plan *p, const ps_rec_rank_plan *r)
{
    return r->seqs * p->kv_heads * p->max_context * p->head_dim * ps_dtype_bytes(p->kv);
}

double ps_rec_rank_total_bytes(const ps_rec_rank_plan *r)
{
    return r->weight_bytes + r->kv_bytes + r->activation_bytes + r->workspace_bytes;
}

/* ---- building ---- */

typedef struct plan_builder {
    ps_rec_plan *p;
    ps_rec_rank_plan *r;
    const ps_rec_options *o;
    size_t cap;
    int *first_launch;   /* per op: index of its first launch, -1 when left out */
    int *last_launch;    /* per op: its last launch */
} plan_builder;

static ps_rec_launch *add_launch(plan_builder *b, ps_rec_launch_kind kind, int op, ps_error *err)
{
    ps_rec_rank_plan *r = b->r;
    if (ps_grow(&r->launches, &b->cap, r->nlaunches + 1, sizeof *r->launches)) {
        ps_error_set(err, PS_EINTERNAL, "out of memory");
        return NULL;
    }
    const ps_op *o = &r->ops->ops[op];
    ps_rec_launch *l = &r->launches[r->nlaunches];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->op = op;
    l->mb = o->microbatch;
    l->layer_slot = o->layer >= 0 ? o->layer - r->layer_first : -1;
    l->weight = PS_W_NONE;
    l->in = l->out = PS_B_NONE;
    l->stream = o->stream;
    l->rows = r->mb_tokens[o->microbatch];
    l->peer = -1;
    l->executed = true;
    l->wait_for = -1;
    if (b->first_launch[op] < 0)
        b->first_launch[op] = (int)r->nlaunches;
    b->last_launch[op] = (int)r->nlaunches;
    r->nlaunches++;
    return l;
}

static const char *op_name(const ps_op *op)
{
    const char *slash = strrchr(op->id, '/');
    return slash ? slash + 1 : op->id;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static int gemm_launches(plan_builder *b, int op_index, ps_rec_weight w, ps_rec_buffer in, ps_rec_buffer out,
                         ps_error *err)
{
    const ps_op *op = &b->r->ops->ops[op_index];
    bool fp8 = weight_is_linear(w) && b->p->weights == PS_DTYPE_FP8;
    if (fp8) {
        ps_rec_launch *q = add_launch(b, PS_RL_QUANT_FP8, op_index, err);
        if (!q)
            return err->code;
        q->in = in;
        q->out = PS_B_XQ;
        q->k = op->k;
    }
    ps_rec_launch *l = add_launch(b, PS_RL_GEMM, op_index, err);
    if (!l)
        return err->code;
    l->weight = w;
    l->in = fp8 ? PS_B_XQ : in;
    l->out = out;
    l->fp8 = fp8;
    l->m = op->m;
    l->n = op->n;
    l->k = op->k;
    l->rows = op->m;
    l->in_stride = op->k;
    if (w == PS_W_LM_HEAD) { /* the last token of every sequence of the microbatch */
        int64_t per_seq = b->p->step.tokens_per_seq;
        l->in_stride = per_seq * op->k;
        l->in_offset = (per_seq - 1) * op->k;
    }
    return PS_OK;
}

static int comm_launch(plan_builder *b, int op_index, ps_rec_launch_kind kind, ps_rec_buffer in, ps_rec_buffer out,
                       ps_error *err)
{
    const ps_op *op = &b->r->ops->ops[op_index];
    ps_rec_launch *l = add_launch(b, kind, op_index, err);
    if (!l)
        return err->code;
    l->in = in;
    l->out = out;
    l->executed = !b->p->emulated;
    l->count = (int64_t)(op->comm_bytes / 2);
    const ps_plan *plan = &b->o->workload.plan;
    if (kind == PS_RL_SEND || kind == PS_RL_RECV) {
        int replica, peer_stage, tp_rank;
        ps_plan_coords(plan, op->peer, &replica, &peer_stage, &tp_rank);
        int lo = peer_stage < b->r->stage ? peer_stage : b->r->stage;
        if (plan->dp > 1)
            snprintf(l->group, sizeof l->group, "r%dpp%d-%d", replica, lo, lo + 1);
        else
            snprintf(l->group, sizeof l->group, "pp%d-%d", lo, lo + 1);
        l->group_size = 2;
        l->peer = op->peer;
    } else {
        snprintf(l->group, sizeof l->group, "tp%d", op->group);
        l->group_size = plan->tp;
        if (kind == PS_RL_ALLGATHER)
            l->count = (int64_t)(op->comm_bytes / 2) / plan->tp; /* NCCL counts the send buffer */
    }
    return PS_OK;
}

static int attention_launches(plan_builder *b, int op_index, ps_error *err)
{
    ps_rec_launch *w = add_launch(b, PS_RL_KV_WRITE, op_index, err);
    if (!w)
        return err->code;
    w->in = PS_B_QKV;
    ps_rec_launch *a = add_launch(b, b->p->step.phase == PS_PHASE_PREFILL ? PS_RL_ATTN_PREFILL : PS_RL_ATTN_DECODE,
                                  op_index, err);
    if (!a)
        return err->code;
    a->in = PS_B_QKV;
    a->out = PS_B_ATTN;
    return PS_OK;
}

static int simple_launch(plan_builder *b, int op_index, ps_rec_launch_kind kind, ps_rec_weight w, ps_rec_buffer in,
                         ps_rec_buffer out, ps_error *err)
{
    ps_rec_launch *l = add_launch(b, kind, op_index, err);
    if (!l)
        return err->code;
    l->weight = w;
    l->in = in;
    l->out = out;
    if (kind == PS_RL_ARGMAX)
        l->rows = b->r->mb_seqs[l->mb];
    return PS_OK;
}

static int op_launches(plan_builder *b, int i, ps_error *err)
{
    const ps_op *op = &b->r->ops->ops[i];
    const char *name = op_name(op);
    bool tp = b->o->workload.plan.tp > 1;
    switch (op->kind) {
    case PS_OP_EMBEDDING: return simple_launch(b, i, PS_RL_EMBEDDING, PS_W_EMBED, PS_B_IDS, PS_B_X, err);
    case PS_OP_RMSNORM: {
        ps_rec_weight w = !strcmp(name, "attn_norm") ? PS_W_ATTN_NORM
                          : !strcmp(name, "mlp_norm") ? PS_W_MLP_NORM : PS_W_FINAL_NORM;
        return simple_launch(b, i, PS_RL_RMSNORM, w, PS_B_X, PS_B_XN, err);
    }
    case PS_OP_GEMM:
        if (!strcmp(name, "qkv_gemm"))
            return gemm_launches(b, i, PS_W_QKV, PS_B_XN, PS_B_QKV, err);
        if (!strcmp(name, "o_gemm"))
            return gemm_launches(b, i, PS_W_O, PS_B_ATTN, PS_B_PROJ, err);
        if (!strcmp(name, "gate_up_gemm"))
            return gemm_launches(b, i, PS_W_GATE_UP, PS_B_XN, PS_B_GATE_UP, err);
        if (!strcmp(name, "down_gemm"))
            return gemm_launches(b, i, PS_W_DOWN, PS_B_ACT, PS_B_PROJ, err);
        if (!strcmp(name, "lm_head"))
            return gemm_launches(b, i, PS_W_LM_HEAD, PS_B_XN, PS_B_LOGITS, err);
        break;
    case PS_OP_ROPE: return simple_launch(b, i, PS_RL_ROPE, PS_W_NONE, PS_B_QKV, PS_B_QKV, err);
    case PS_OP_ATTENTION: return attention_launches(b, i, err);
    case PS_OP_SILU_MUL: return simple_launch(b, i, PS_RL_SILU_MUL, PS_W_NONE, PS_B_GATE_UP, PS_B_ACT, err);
    case PS_OP_RESIDUAL: return simple_launch(b, i, PS_RL_RESIDUAL, PS_W_NONE, PS_B_PROJ, PS_B_X, err);
    case PS_OP_SAMPLING:
        return simple_launch(b, i, PS_RL_ARGMAX, PS_W_NONE, tp ? PS_B_LOGITS_ALL : PS_B_LOGITS, PS_B_IDS, err);
    case PS_OP_ALLREDUCE:
        return comm_launch(b, i, PS_RL_ALLREDUCE, ends_with(name, "embed_allreduce") ? PS_B_X : PS_B_PROJ,
                           ends_with(name, "embed_allreduce") ? PS_B_X : PS_B_PROJ, err);
    case PS_OP_ALLGATHER: return comm_launch(b, i, PS_RL_ALLGATHER, PS_B_LOGITS, PS_B_LOGITS_ALL, err);
    case PS_OP_SEND: return comm_launch(b, i, PS_RL_SEND, PS_B_X, PS_B_NONE, err);
    case PS_OP_RECV: return comm_launch(b, i, PS_RL_RECV, PS_B_NONE, PS_B_X, err);
    case PS_OP_KIND_COUNT: break;
    }
    return ps_error_set(err, PS_EINPUT, "op %s (%s): the recorder has no launch for it", op->id,
                        ps_op_kind_name(op->kind));
}

/* Cross-stream waits: a dependency on another stream becomes an event wait on the last launch
 * kept, at or before that op, on that stream (ops of left-out layers have no launches). */
static void link_streams(plan_builder *b)
{
    ps_rec_rank_plan *r = b->r;
    int waited[PS_STREAM_COUNT][PS_STREAM_COUNT]; /* latest launch each stream already waited for */
    for (int x = 0; x < PS_STREAM_COUNT; x++)
        for (int y = 0; y < PS_STREAM_COUNT; y++)
            waited[x][y] = -1;
    for (size_t i = 0; i < r->ops->count; i++) {
        const ps_op *op = &r->ops->ops[i];
        if (b->first_launch[i] < 0)
            continue;
        for (int d = 0; d < op->ndeps; d++) {
            int dep = op->deps[d];
            ps_stream s = r->ops->ops[dep].stream;
            if (s == op->stream)
                continue;
            int target = -1;
            for (int j = dep; j >= 0 && target < 0; j--)
                if (b->last_launch[j] >= 0 && r->ops->ops[j].stream == s)
                    target = b->last_launch[j];
            ps_rec_launch *first = &r->launches[b->first_launch[i]];
            if (target >= 0 && r->launches[target].executed && first->executed && target > waited[op->stream][s] &&
                first->wait_for < 0) {
                first->wait_for = target;
                waited[op->stream][s] = target;
                r->launches[target].signal = true;
            }
        }
    }
}

static void rank_memory(ps_rec_plan *p, ps_rec_rank_plan *r)
{
    double w = 0;
    int wb = ps_dtype_bytes(p->weights), eb = 2;
    for (int k = PS_W_ATTN_NORM; k <= PS_W_DOWN; k++)
        w += (double)ps_rec_weight_elems(p, (ps_rec_weight)k) * (weight_is_linear((ps_rec_weight)k) ? wb : 2);
    w *= r->layer_count;
    if (r->has_embed)
        w += (double)ps_rec_weight_elems(p, PS_W_EMBED) * eb;
    if (r->has_head)
        w += (double)(ps_rec_weight_elems(p, PS_W_LM_HEAD) + p->hidden) * eb;
    r->weight_bytes = w;
    r->kv_bytes = 2.0 * r->layer_count * (double)ps_rec_kv_layer_bytes(p, r);
    double a = 0;
    for (int k = PS_B_XN; k < PS_B_COUNT; k++)
        a += (double)ps_rec_buffer_bytes(p, r, (ps_rec_buffer)k);
    for (int mb = 0; mb < p->step.microbatches; mb++)
        a += (double)r->mb_tokens[mb] * (p->hidden * 2 + 4 + 4); /* x, ids, positions */
    r->activation_bytes = a;
    r->workspace_bytes = PS_REC_GEMM_WORKSPACE_BYTES;
}

static int build_rank(ps_rec_plan *p, const ps_rec_options *o, int rank, int device, ps_rec_rank_plan *r,
                      ps_error *err)
{
    const ps_plan *plan = &o->workload.plan;
    r->rank = rank;
    r->device = device;
    r->ops = &p->graph.ranks[rank];
    ps_plan_coords(plan, rank, &r->replica, &r->stage, &r->tp_rank);
    r->layer_first = plan->stage_first_layer[r->stage];
    r->layer_count = o->layers ? o->layers : plan->stage_layers[r->stage];
    r->has_embed = r->stage == 0;
    r->has_head = r->stage == plan->pp - 1;
    int64_t first = 0;
    for (int mb = 0; mb < p->step.microbatches; mb++) {
        r->mb_seqs[mb] = p->step.seqs[mb];
        r->mb_seq_first[mb] = first;
        r->mb_tokens[mb] = p->step.seqs[mb] * p->step.tokens_per_seq;
        first += p->step.seqs[mb];
        r->max_tokens = r->mb_tokens[mb] > r->max_tokens ? r->mb_tokens[mb] : r->max_tokens;
        r->max_seqs = r->mb_seqs[mb] > r->max_seqs ? r->mb_seqs[mb] : r->max_seqs;
    }
    r->seqs = first;
    plan_builder b = {.p = p, .r = r, .o = o};
    b.first_launch = malloc(r->ops->count * sizeof *b.first_launch);
    b.last_launch = malloc(r->ops->count * sizeof *b.last_launch);
    int rc = b.first_launch && b.last_launch ? PS_OK : ps_error_set(err, PS_EINTERNAL, "out of memory");
    for (size_t i = 0; i < r->ops->count && !rc; i++)
        b.first_launch[i] = b.last_launch[i] = -1;
    for (size_t i = 0; i < r->ops->count && !rc; i++) {
        const ps_op *op = &r->ops->ops[i];
        if (op->layer >= 0 && op->layer >= r->layer_first + r->layer_count)
            continue; /* outside the layer subset */
        rc = op_launches(&b, (int)i, err);
    }
    if (!rc)
        link_streams(&b);
    free(b.first_launch);
    free(b.last_launch);
    rank_memory(p, r);
    return rc;
}

int ps_rec_plan_build(const ps_rec_options *o, ps_rec_plan *p, ps_error *err)
{
    memset(p, 0, sizeof *p);
    const ps_workload *w = &o->workload;
    int rc = o->phase == PS_PHASE_PREFILL ? ps_step_prefill(&w->plan, &w->scenario, 0, &p->step, err)
                                          : ps_step_decode(&w->plan, &w->scenario, 0, &p->step, err);
    if (rc || (rc = ps_graph_build(&w->model, &w->precision, &w->plan, &p->step, &p->graph, err)))
        return rc;
    p->tp = w->plan.tp;
    p->hidden = w->model.hidden;
    p->heads = w->plan.heads_per_rank;
    p->kv_heads = w->plan.kv_heads_per_rank;
    p->head_dim = w->model.head_dim;
    p->inter = w->plan.intermediate_per_rank;
    p->vocab = w->model.vocab;
    p->vocab_per_rank = w->plan.vocab_per_rank;
    p->qkv_n = (p->heads + 2 * p->kv_heads) * p->head_dim;
    p->max_context = p->step.context;
    p->weights = w->precision.weights;
    p->kv = w->precision.kv;
    p->emulated = o->emulate_rank >= 0;
    p->nranks = p->emulated ? 1 : ps_plan_gpus(&w->plan);
    p->ranks = calloc((size_t)p->nranks, sizeof *p->ranks);
    if (!p->ranks) {
        ps_graph_free(&p->graph);
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    for (int i = 0; i < p->nranks && !rc; i++)
        rc = build_rank(p, o, p->emulated ? o->emulate_rank : i, o->device + i, &p->ranks[i], err);
    if (rc)
        ps_rec_plan_free(p);
    return rc;
}

void ps_rec_plan_free(ps_rec_plan *p)
{
    for (int i = 0; p->ranks && i < p->nranks; i++)
        free(p->ranks[i].launches);
    free(p->ranks);
    ps_graph_free(&p->graph);
    memset(p, 0, sizeof *p);
}
