/* Memory per GPU and max batch (see parsim/memory.h for the accounting).
 *
 * Activation workspace: the bytes of tensors alive at the peak of one forward pass of T tokens
 * on one GPU, with weights read in place and FlashAttention-style attention (no ISL x ISL score
 * matrix is ever materialised, so nothing grows with the square of the context):
 *   per token, attention block: residual x (hidden) + normed x (hidden) + QKV output
 *     ((heads + 2 kv_heads) / tp x head_dim) + attention output (heads / tp x head_dim) + O output
 *     (hidden);  MLP block: x + normed x + O/down output (3 hidden) + gate|up output (2 ffn / tp) +
 *     SiLU*mul output (ffn / tp). The larger of the two, in activation bytes, times T;
 *   last stage: the logits of the sampled tokens, all-gathered to the full (padded) vocab, in the
 *     activation dtype plus the fp32 copy that softmax/sampling make;
 *   pp > 1: a receive and a send buffer of T x hidden activations for the stage hand-off;
 *   plus the cuBLAS(Lt) workspace, 32 MiB: cuBLAS documentation, cublasSetWorkspace, recommended
 *     size on Hopper (sm90) and later.
 * T is the largest pass: a prefill microbatch (min(batch, prompts per microbatch) x ISL tokens)
 * or a decode microbatch (ceil(batch / min(microbatches, batch)) tokens). Bounding prefill by
 * prompts per microbatch is what keeps the workspace small next to the KV cache, as in vLLM where
 * max_num_batched_tokens bounds the activation profile run.
 * CUDA context, NCCL buffers and allocator fragmentation are not modelled: mem_fraction (0.90 by
 * default, vLLM's gpu_memory_utilization) leaves room for them.
 */
#include "parsim/memory.h"

#include <math.h>
#include <string.h>

#define CUBLAS_WORKSPACE_BYTES (32.0 * 1024 * 1024)

static double max2(double a, double b) { return a > b ? a : b; }

static int64_t decode_tokens_per_pass(const ps_plan *plan, int64_t batch)
{
    int64_t k = batch < plan->microbatches ? batch : plan->microbatches;
    return (batch + k - 1) / k;
}

double ps_memory_workspace_bytes(const ps_model *m, const ps_precision *prec, const ps_plan *plan,
                                 const ps_scenario *sc, int stage, int64_t batch)
{
    double act = ps_dtype_bytes(prec->act);
    int64_t prompts = ps_scenario_prompts_per_microbatch(sc);
    if (prompts > batch)
        prompts = batch;
    int64_t prefill_tokens = prompts * sc->isl;
    int64_t decode_tokens = decode_tokens_per_pass(plan, batch);
    double tokens = (double)(prefill_tokens > decode_tokens ? prefill_tokens : decode_tokens);

    double h = (double)m->hidden, hd = (double)m->head_dim;
    double attn = 3 * h + (2.0 * plan->heads_per_rank + 2.0 * plan->kv_heads_per_rank) * hd;
    double mlp = 3 * h + 3.0 * plan->intermediate_per_rank;
    double bytes = tokens * max2(attn, mlp) * act + CUBLAS_WORKSPACE_BYTES;
    if (stage == plan->pp - 1) {
        double sampled = (double)(prompts > decode_tokens ? prompts : decode_tokens);
        bytes += sampled * (double)(plan->vocab_per_rank * plan->tp) * (act + 4);
    }
    if (plan->pp > 1)
        bytes += 2 * tokens * h * act;
    return bytes;
}

static void stage_static(const ps_model *m, const ps_precision *prec, const ps_plan *plan, int s,
                         ps_stage_memory *out)
{
    double w = ps_dtype_bytes(prec->weights), act = ps_dtype_bytes(prec->act);
    double emb = ps_dtype_bytes(ps_precision_embedding_dtype(prec));
    double vocab_rows = (double)plan->vocab_per_rank * (double)m->hidden; /* one TP shard */
    memset(out, 0, sizeof *out);
    out->layers = plan->stage_layers[s];
    out->has_embedding = s == 0;
    out->has_lm_head = s == plan->pp - 1;
    double layer = (double)ps_model_layer_linear_params(m) / plan->tp * w + 2.0 * (double)m->hidden * act;
    out->weights_bytes = out->layers * layer;
    if (out->has_embedding)
        out->weights_bytes += vocab_rows * emb;
    if (out->has_lm_head) {
        bool shared = m->tie_word_embeddings && out->has_embedding;
        out->weights_bytes += (shared ? 0 : vocab_rows * emb) + (double)m->hidden * act;
    }
    out->kv_bytes_per_token = 2.0 * out->layers * (double)plan->kv_heads_per_rank * (double)m->head_dim *
                              ps_dtype_bytes(prec->kv);
}

/* Fills the batch-dependent part of every stage; returns the worst stage's need - usable. */
static double evaluate(const ps_model *m, const ps_precision *prec, const ps_plan *plan, const ps_scenario *sc,
                       int64_t batch, ps_memory_report *r)
{
    double worst = -INFINITY;
    for (int s = 0; s < plan->pp; s++) {
        ps_stage_memory *st = &r->stage[s];
        st->kv_bytes = (double)batch * (double)r->context_tokens * st->kv_bytes_per_token;
        st->workspace_bytes = ps_memory_workspace_bytes(m, prec, plan, sc, s, batch);
        st->total_bytes = st->weights_bytes + st->kv_bytes + st->workspace_bytes;
        if (st->total_bytes - r->usable_bytes > worst) {
            worst = st->total_bytes - r->usable_bytes;
            r->worst_stage = s;
        }
    }
    return worst;
}

/* Largest batch that fits, by bisection: need(batch) grows with batch on every stage. */
static int64_t find_max_batch(const ps_model *m, const ps_precision *prec, const ps_plan *plan,
                              const ps_scenario *sc, ps_memory_report *r)
{
    if (evaluate(m, prec, plan, sc, 1, r) > 0)
        return 0;
    double min_kv_per_seq = INFINITY;
    for (int s = 0; s < plan->pp; s++)
        if (r->stage[s].kv_bytes_per_token > 0)
            min_kv_per_seq = fmin(min_kv_per_seq, r->stage[s].kv_bytes_per_token * (double)r->context_tokens);
    /* The KV cache alone bounds the batch: usable / (KV per sequence) + 1 does not fit. */
    double bound = floor(r->usable_bytes / min_kv_per_seq) + 1;
    int64_t lo = 1, hi = bound > PS_MEMORY_MAX_BATCH + 1 ? PS_MEMORY_MAX_BATCH + 1 : (int64_t)bound;
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (evaluate(m, prec, plan, sc, mid, r) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

int ps_memory_plan(const ps_model *m, const ps_precision *prec, const ps_plan *plan, const ps_scenario *sc,
                   const ps_gpu_spec *gpu, double mem_fraction, ps_memory_report *r, ps_error *err)
{
    if (!(mem_fraction > 0 && mem_fraction <= 1))
        return ps_error_set(err, PS_EINPUT, "--mem-fraction %.10g must be in (0, 1]", mem_fraction);
    if (!gpu || !(gpu->hbm_bytes > 0))
        return ps_error_set(err, PS_EINPUT, "--gpu: the GPU has no memory size");
    memset(r, 0, sizeof *r);
    r->gpu_bytes = gpu->hbm_bytes;
    r->mem_fraction = mem_fraction;
    r->usable_bytes = mem_fraction * gpu->hbm_bytes;
    r->context_tokens = sc->isl + sc->osl;
    r->stages = plan->pp;
    for (int s = 0; s < plan->pp; s++) {
        stage_static(m, prec, plan, s, &r->stage[s]);
        r->weights_bytes_per_gpu = max2(r->weights_bytes_per_gpu, r->stage[s].weights_bytes);
        r->kv_bytes_per_token_per_gpu = max2(r->kv_bytes_per_token_per_gpu, r->stage[s].kv_bytes_per_token);
    }
    r->max_batch = find_max_batch(m, prec, plan, sc, r);
    if (sc->batch == PS_BATCH_MAX)
        r->batch = r->max_batch > 0 ? r->max_batch : 1;
    else
        r->batch = sc->batch;
    double over = evaluate(m, prec, plan, sc, r->batch, r);
    r->fits = over <= 0;
    r->shortfall_bytes = r->fits ? 0 : over;
    return PS_OK;
}
