/* The launch plan: every op of the graph a run executes has its launches, with the graph's
 * shapes; memory adds up to the model's parameters; cross-stream waits follow the graph's
 * dependencies; shard emulation and layer subsets keep exactly the ops they should. */
#include "record.h"
#include "rt_test.h"

static int build(const char *line, ps_rec_options *o, ps_rec_plan *p)
{
    char *argv[64];
    int argc = rt_argv(line, " --dry-run", argv);
    ps_error err = {0};
    if (ps_rec_parse_args(argc, argv, o, &err) || ps_rec_plan_build(o, p, &err)) {
        fprintf(stderr, "%s: %s\n", line, err.message);
        return 1;
    }
    return 0;
}

static size_t count_kind(const ps_rec_rank_plan *r, ps_rec_launch_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nlaunches; i++)
        n += r->launches[i].kind == k;
    return n;
}

/* TP1, the whole 8B model: every op launched, GEMMs with the graph's shapes, weights = params. */
static void test_full_model(void)
{
    ps_rec_options o;
    ps_rec_plan p;
    if (build("--model llama3.1-8b --batch 4 --isl 128", &o, &p)) {
        CHECK(0);
        return;
    }
    CHECK(p.nranks == 1 && !p.emulated);
    const ps_rec_rank_plan *r = &p.ranks[0];
    size_t ops = r->ops->count, attention = 0;
    for (size_t i = 0; i < ops; i++)
        attention += r->ops->ops[i].kind == PS_OP_ATTENTION;
    CHECK(attention == 32);
    CHECK(r->nlaunches == ops + attention); /* attention = kv_write + attention kernel */
    for (size_t i = 0; i < r->nlaunches; i++) {
        const ps_rec_launch *l = &r->launches[i];
        const ps_op *op = &r->ops->ops[l->op];
        if (l->kind == PS_RL_GEMM)
            CHECK(l->m == op->m && l->n == op->n && l->k == op->k && !l->fp8);
        CHECK(l->wait_for == -1); /* one stream */
    }
    CHECK(count_kind(r, PS_RL_ATTN_DECODE) == 32 && count_kind(r, PS_RL_ATTN_PREFILL) == 0);
    CHECK(count_kind(r, PS_RL_ALLREDUCE) == 0);
    /* bf16: 2 bytes per parameter, exactly the model's count (embedding and LM head untied) */
    CHECK(r->weight_bytes == 2.0 * (double)ps_model_params(&o.workload.model));
    /* KV: 2 (k, v) x 32 layers x 4 seqs x 8 kv heads x (128 + 1) positions x 128 x 2 bytes */
    CHECK(r->kv_bytes == 2.0 * 32 * 4 * 8 * 129 * 128 * 2);
    ps_rec_plan_free(&p);
}

/* TP2: two ranks, one all-reduce after attention and after the MLP of each layer plus the
 * embedding's; the logits all-gather counts the send buffer (seqs x vocab shard). */
static void test_tp2(void)
{
    ps_rec_options o;
    ps_rec_plan p;
    if (build("--model llama3.1-8b --tp 2 --batch 8 --isl 512", &o, &p)) {
        CHECK(0);
        return;
    }
    CHECK(p.nranks == 2);
    for (int s = 0; s < 2; s++) {
        const ps_rec_rank_plan *r = &p.ranks[s];
        CHECK(r->rank == s && r->device == s && r->tp_rank == s);
        CHECK(count_kind(r, PS_RL_ALLREDUCE) == 2 * 32 + 1);
        CHECK(count_kind(r, PS_RL_ALLGATHER) == 1);
        for (size_t i = 0; i < r->nlaunches; i++) {
            const ps_rec_launch *l = &r->launches[i];
            if (l->kind == PS_RL_ALLREDUCE)
                CHECK(l->count == 8 * 4096 && !strcmp(l->group, "tp0") && l->group_size == 2 && l->executed);
            if (l->kind == PS_RL_ALLGATHER)
                CHECK(l->count == 8 * 64128);
        }
    }
    ps_rec_plan_free(&p);
}

/* PP2 with 2 microbatches: sends and receives on their own streams, waiting for the compute they
 * depend on (and the first layer waiting for the receive). */
static void test_pp2_streams(void)
{
    ps_rec_options o;
    ps_rec_plan p;
    if (build("--model llama3.1-8b --pp 2 --batch 8 --isl 256", &o, &p)) {
        CHECK(0);
        return;
    }
    CHECK(p.step.microbatches == 2);
    const ps_rec_rank_plan *s0 = &p.ranks[0], *s1 = &p.ranks[1];
    CHECK(count_kind(s0, PS_RL_SEND) == 2 && count_kind(s0, PS_RL_RECV) == 0);
    CHECK(count_kind(s1, PS_RL_RECV) == 2 && count_kind(s1, PS_RL_SEND) == 0);
    for (size_t i = 0; i < s0->nlaunches; i++) {
        const ps_rec_launch *l = &s0->launches[i];
        if (l->kind != PS_RL_SEND)
            continue;
        CHECK(l->stream == PS_STREAM_PP_SEND && l->peer == 1 && !strcmp(l->group, "pp0-1"));
        CHECK(l->wait_for >= 0 && s0->launches[l->wait_for].signal);
        const ps_op *dep = &s0->ops->ops[s0->launches[l->wait_for].op];
        char want[64];
        snprintf(want, sizeof want, "decode/mb%d/L015/mlp_residual", l->mb);
        CHECK_STR(dep->id, want);
    }
    int waits = 0;
    for (size_t i = 0; i < s1->nlaunches; i++) {
        const ps_rec_launch *l = &s1->launches[i];
        if (l->wait_for >= 0) {
            waits++;
            CHECK(s1->launches[l->wait_for].kind == PS_RL_RECV);
            CHECK(strstr(s1->ops->ops[l->op].id, "/L016/attn_norm") != NULL);
        }
    }
    CHECK(waits == 2); /* attn_residual also depends on the receive: already waited for */
    ps_rec_plan_free(&p);
}

/* 405B TP8 PP8, rank 11 (stage 1, tp_rank 3) alone with 2 layers: only its ops of those layers,
 * communication sized but not executed, memory of 2 layers. fp8: a quantisation before each layer
 * GEMM, none before the (bf16) LM head. */
static void test_emulated_rank(void)
{
    ps_rec_options o;
    ps_rec_plan p;
    if (build("--model llama3.1-405b --tp 8 --pp 8 --batch 8 --isl 1024 --dtype fp8 --emulate-rank 11 --layers 2", &o,
              &p)) {
        CHECK(0);
        return;
    }
    CHECK(p.nranks == 1 && p.emulated);
    const ps_rec_rank_plan *r = &p.ranks[0];
    CHECK(r->rank == 11 && r->stage == 1 && r->tp_rank == 3 && r->device == 0);
    CHECK(r->layer_first == 15 && r->layer_count == 2); /* 126 layers on PP8: 15,16,16,... */
    CHECK(!r->has_embed && !r->has_head);
    for (size_t i = 0; i < r->nlaunches; i++) {
        const ps_rec_launch *l = &r->launches[i];
        int layer = r->ops->ops[l->op].layer;
        CHECK(layer == -1 || (layer >= 15 && layer <= 16));
        if (ps_rec_launch_is_comm(l->kind))
            CHECK(!l->executed && l->wait_for == -1);
        if (l->kind == PS_RL_GEMM)
            CHECK(l->fp8 && i > 0 && r->launches[i - 1].kind == PS_RL_QUANT_FP8);
    }
    CHECK(count_kind(r, PS_RL_GEMM) == 4 * 2 * 8 && count_kind(r, PS_RL_QUANT_FP8) == 4 * 2 * 8); /* x 8 mbs */
    CHECK(count_kind(r, PS_RL_RECV) == 8 && count_kind(r, PS_RL_SEND) == 8); /* one per microbatch (8) */
    /* fp8 layer weights: 1 byte per linear parameter of a TP8 shard, norms in bf16 */
    const ps_model *m = &o.workload.model;
    double linear = (double)ps_model_layer_linear_params(m) / 8, norms = 2.0 * (double)m->hidden * 2;
    CHECK(r->weight_bytes == 2 * (linear + norms));
    ps_trace_meta meta;
    ps_error err = {0};
    CHECK(ps_rec_trace_meta(&o, &p, &meta, &err) == PS_OK);
    CHECK(meta.shard_emulation && meta.emulated_rank == 11 && meta.layer_first == 15 && meta.layer_count == 2);
    CHECK_STR(meta.kv_dtype, "bf16");
    CHECK_STR(meta.launch_mode, "graph");
    CHECK_STR(meta.model, "llama3.1-405b");
    CHECK(meta.tp == 8 && meta.pp == 8 && meta.microbatches == 8 && meta.gpu_count == 1);
    ps_rec_plan_free(&p);
}

/* Prefill: the LM head reads the last token of each prompt (strided rows of xn). */
static void test_prefill_lm_head(void)
{
    ps_rec_options o;
    ps_rec_plan p;
    if (build("--model llama3.1-8b --batch 2 --isl 512 --phase prefill --layers 1", &o, &p)) {
        CHECK(0);
        return;
    }
    const ps_rec_rank_plan *r = &p.ranks[0];
    CHECK(count_kind(r, PS_RL_ATTN_PREFILL) == 1);
    const ps_rec_launch *head = NULL;
    for (size_t i = 0; i < r->nlaunches; i++)
        if (r->launches[i].weight == PS_W_LM_HEAD)
            head = &r->launches[i];
    CHECK(head && head->m == 2 && head->in_stride == 512 * 4096 && head->in_offset == 511 * 4096);
    ps_rec_plan_free(&p);
}

int main(void)
{
    test_full_model();
    test_tp2();
    test_pp2_streams();
    test_emulated_rank();
    test_prefill_lm_head();
    return rt_result("test_record_plan");
}
