/* One rank on one GPU: buffers, seeded weights and KV cache, the launch loop, CUDA-graph capture.
 *
 * The launch loop walks the rank's launch plan (runtime/host/record_plan.c) in order: every
 * launch goes to its stream (compute, pp_recv, pp_send), after an event wait when it depends on
 * another stream, inside ps_rec_cupti_begin_launch/end_launch so that its kernels carry its op.
 * In graph mode the same loop runs once under stream capture (the pp streams forked from and
 * joined back to the compute stream), and every step replays the instantiated graph with one
 * cudaGraphLaunch, as vLLM and TensorRT-LLM run decode steps. Kernel arguments are fixed at
 * capture, so every replay is the same step (decode step 0: context isl + 1).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "kernels_ref.h"
#include "record_gpu.h"

#define MAX_LAYERS 256

struct ps_rec_rank_state {
    const ps_rec_options *o;
    const ps_rec_plan *p;
    const ps_rec_rank_plan *r;
    int slot;
    ps_rec_comms *comms;
    cudaStream_t streams[PS_STREAM_COUNT];
    cudaEvent_t *events;
    cudaEvent_t fork, join[PS_STREAM_COUNT];
    ps_rec_gemm *gemm;
    void *layer_weights[MAX_LAYERS][PS_W_COUNT];
    void *embed, *lm_head, *final_norm;
    float *scales;               /* device: [PS_W_COUNT] weight scales, then the activation scale */
    void *k_cache[MAX_LAYERS], *v_cache[MAX_LAYERS];
    void *x[PS_PLAN_MAX_MICROBATCHES], *ids[PS_PLAN_MAX_MICROBATCHES], *pos[PS_PLAN_MAX_MICROBATCHES];
    void *scratch[PS_B_COUNT];
    cudaGraphExec_t exec;
    bool captured;
};

int ps_rec_cuda_fail(ps_error *err, int code, const char *what)
{
    return ps_error_set(err, PS_EINPUT, "%s: %s", what, cudaGetErrorString((cudaError_t)code));
}

#define CUDA_TRY(call, what)                                                                                           \
    do {                                                                                                               \
        cudaError_t e_ = (call);                                                                                       \
        if (e_ != cudaSuccess)                                                                                         \
            return ps_rec_cuda_fail(err, (int)e_, what);                                                               \
    } while (0)

static int alloc(void **out, size_t bytes, ps_error *err)
{
    *out = NULL;
    if (bytes == 0)
        return PS_OK;
    CUDA_TRY(cudaMalloc(out, bytes), "cudaMalloc");
    return PS_OK;
}

/* Tensor ids of the seeded generator (kernels_ref.h): weights use their ps_rec_weight kind, the
 * KV cache 16 (k) and 17 (v), token ids 18 + microbatch, initial hidden states 200 + microbatch. */
#define tensor_id ps_ref_tensor_id

static bool is_linear(int w) { return w == PS_W_QKV || w == PS_W_O || w == PS_W_GATE_UP || w == PS_W_DOWN; }

static int64_t linear_k(const ps_rec_plan *p, int w)
{
    return w == PS_W_O ? p->heads * p->head_dim : w == PS_W_DOWN ? p->inter : p->hidden;
}

static int init_weight(ps_rec_rank_state *s, void **out, int layer, int w, ps_error *err)
{
    const ps_rec_plan *p = s->p;
    int64_t n = ps_rec_weight_elems(p, (ps_rec_weight)w);
    bool fp8 = is_linear(w) && p->weights == PS_DTYPE_FP8;
    if (alloc(out, (size_t)n * (fp8 ? 1 : 2), err))
        return err->code;
    uint64_t id = tensor_id(layer, w, s->r->tp_rank);
    cudaStream_t st = s->streams[0];
    int rc;
    if (fp8)
        rc = ps_k_init_e4m3(*out, n, s->o->seed, id, st);
    else if (w == PS_W_ATTN_NORM || w == PS_W_MLP_NORM || w == PS_W_FINAL_NORM)
        rc = ps_k_init_bf16(*out, n, s->o->seed, id, 0.1f, 1.0f, st);
    else if (w == PS_W_EMBED)
        rc = ps_k_init_bf16(*out, n, s->o->seed, id, 1.0f, 0.0f, st);
    else /* linear layers and the LM head: u / sqrt(k) keeps activations of unit scale */
        rc = ps_k_init_bf16(*out, n, s->o->seed, id, 1.0f / sqrtf((float)(is_linear(w) ? linear_k(p, w) : p->hidden)),
                            0.0f, st);
    return rc ? ps_rec_cuda_fail(err, rc, "weight init kernel") : PS_OK;
}

static int setup_scales(ps_rec_rank_state *s, ps_error *err)
{
    float host[PS_W_COUNT + 1];
    for (int w = 0; w < PS_W_COUNT; w++)
        host[w] = is_linear(w) ? 1.0f / (240.0f * sqrtf((float)linear_k(s->p, w))) : 1.0f;
    host[PS_W_COUNT] = PS_REC_FP8_ACT_SCALE;
    if (alloc((void **)&s->scales, sizeof host, err))
        return err->code;
    CUDA_TRY(cudaMemcpy(s->scales, host, sizeof host, cudaMemcpyHostToDevice), "cudaMemcpy (fp8 scales)");
    return PS_OK;
}

static int setup_weights(ps_rec_rank_state *s, ps_error *err)
{
    const ps_rec_rank_plan *r = s->r;
    if (r->layer_count > MAX_LAYERS)
        return ps_error_set(err, PS_EINPUT, "--layers: at most %d layers per GPU", MAX_LAYERS);
    for (int l = 0; l < r->layer_count; l++)
        for (int w = PS_W_ATTN_NORM; w <= PS_W_DOWN; w++)
            if (init_weight(s, &s->layer_weights[l][w], r->layer_first + l, w, err))
                return err->code;
    if (r->has_embed && init_weight(s, &s->embed, -1, PS_W_EMBED, err))
        return err->code;
    if (r->has_head && (init_weight(s, &s->lm_head, -1, PS_W_LM_HEAD, err) ||
                        init_weight(s, &s->final_norm, -1, PS_W_FINAL_NORM, err)))
        return err->code;
    return setup_scales(s, err);
}

/* KV cache: the prompt's entries of a decode step come from the generator (the step reads them),
 * the new token's are written by the step itself. fp8 caches start at zero. */
static int setup_kv(ps_rec_rank_state *s, ps_error *err)
{
    size_t bytes = (size_t)ps_rec_kv_layer_bytes(s->p, s->r);
    int64_t n = (int64_t)(bytes / (size_t)ps_dtype_bytes(s->p->kv));
    for (int l = 0; l < s->r->layer_count; l++) {
        if (alloc(&s->k_cache[l], bytes, err) || alloc(&s->v_cache[l], bytes, err))
            return err->code;
        int layer = s->r->layer_first + l;
        if (s->p->kv == PS_DTYPE_FP8) {
            CUDA_TRY(cudaMemsetAsync(s->k_cache[l], 0, bytes, s->streams[0]), "cudaMemset (KV cache)");
            CUDA_TRY(cudaMemsetAsync(s->v_cache[l], 0, bytes, s->streams[0]), "cudaMemset (KV cache)");
            continue;
        }
        int rc = ps_k_init_bf16(s->k_cache[l], n, s->o->seed, tensor_id(layer, 16, s->r->tp_rank), 1.0f, 0.0f,
                                s->streams[0]);
        if (!rc)
            rc = ps_k_init_bf16(s->v_cache[l], n, s->o->seed, tensor_id(layer, 17, s->r->tp_rank), 1.0f, 0.0f,
                                s->streams[0]);
        if (rc)
            return ps_rec_cuda_fail(err, rc, "KV cache init kernel");
    }
    return PS_OK;
}

static int setup_activations(ps_rec_rank_state *s, ps_error *err)
{
    const ps_rec_plan *p = s->p;
    const ps_rec_rank_plan *r = s->r;
    for (int b = PS_B_XN; b < PS_B_COUNT; b++)
        if (alloc(&s->scratch[b], (size_t)ps_rec_buffer_bytes(p, r, (ps_rec_buffer)b), err))
            return err->code;
    int32_t *host = malloc((size_t)r->max_tokens * sizeof *host);
    if (!host)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    int rc = PS_OK;
    for (int mb = 0; mb < p->step.microbatches && !rc; mb++) {
        int64_t t = r->mb_tokens[mb];
        if ((rc = alloc(&s->x[mb], (size_t)(t * p->hidden * 2), err)) || (rc = alloc(&s->ids[mb], (size_t)t * 4, err)) ||
            (rc = alloc(&s->pos[mb], (size_t)t * 4, err)))
            break;
        for (int64_t i = 0; i < t; i++) /* prefill: position in the prompt; decode: the new token's */
            host[i] = (int32_t)(p->step.phase == PS_PHASE_PREFILL ? i % p->step.tokens_per_seq : p->step.context - 1);
        cudaError_t e = cudaMemcpy(s->pos[mb], host, (size_t)t * 4, cudaMemcpyHostToDevice);
        if (e != cudaSuccess)
            rc = ps_rec_cuda_fail(err, (int)e, "cudaMemcpy (positions)");
        else if ((e = (cudaError_t)ps_k_init_ids(s->ids[mb], t, s->o->seed, tensor_id(-1, 18 + mb, 0), p->vocab,
                                                 s->streams[0])))
            rc = ps_rec_cuda_fail(err, (int)e, "token id init kernel");
        else if ((e = (cudaError_t)ps_k_init_bf16(s->x[mb], t * p->hidden, s->o->seed, tensor_id(-1, 200 + mb, 0),
                                                  1.0f, 0.0f, s->streams[0])))
            rc = ps_rec_cuda_fail(err, (int)e, "hidden state init kernel"); /* what a pp_recv would bring */
    }
    free(host);
    return rc;
}

static int check_memory(const ps_rec_rank_state *s, ps_error *err)
{
    size_t free_bytes = 0, total = 0;
    CUDA_TRY(cudaMemGetInfo(&free_bytes, &total), "cudaMemGetInfo");
    double need = ps_rec_rank_total_bytes(s->r);
    if (need > (double)free_bytes)
        return ps_error_set(err, PS_EINPUT, "rank %d needs %.2f GiB on GPU %d, which has %.2f GiB free: run fewer "
                            "--layers, a smaller --batch, or one rank of a larger plan (--emulate-rank)",
                            s->r->rank, need / 1073741824.0, s->r->device, (double)free_bytes / 1073741824.0);
    return PS_OK;
}

int ps_rec_rank_setup(ps_rec_rank_state **out, const ps_rec_options *o, const ps_rec_plan *p, int slot,
                      ps_rec_comms *comms, ps_error *err)
{
    ps_rec_rank_state *s = calloc(1, sizeof *s);
    if (!s)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    *out = s;
    s->o = o;
    s->p = p;
    s->slot = slot;
    s->r = &p->ranks[slot];
    s->comms = comms;
    CUDA_TRY(cudaSetDevice(s->r->device), "cudaSetDevice");
    if (check_memory(s, err))
        return err->code;
    for (int i = 0; i < PS_STREAM_COUNT; i++) {
        CUDA_TRY(cudaStreamCreateWithFlags(&s->streams[i], cudaStreamNonBlocking), "cudaStreamCreate");
        CUDA_TRY(cudaEventCreateWithFlags(&s->join[i], cudaEventDisableTiming), "cudaEventCreate");
    }
    CUDA_TRY(cudaEventCreateWithFlags(&s->fork, cudaEventDisableTiming), "cudaEventCreate");
    s->events = calloc(s->r->nlaunches ? s->r->nlaunches : 1, sizeof *s->events);
    if (!s->events)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    for (size_t i = 0; i < s->r->nlaunches; i++)
        if (s->r->launches[i].signal)
            CUDA_TRY(cudaEventCreateWithFlags(&s->events[i], cudaEventDisableTiming), "cudaEventCreate");
    if (ps_rec_gemm_create(&s->gemm, s->streams[0], err) || setup_weights(s, err) || setup_kv(s, err) ||
        setup_activations(s, err))
        return err->code;
    CUDA_TRY(cudaDeviceSynchronize(), "weight initialisation");
    return PS_OK;
}

static void *buffer(ps_rec_rank_state *s, ps_rec_buffer b, int mb)
{
    return b == PS_B_X ? s->x[mb] : b == PS_B_IDS ? s->ids[mb] : b >= 0 ? s->scratch[b] : NULL;
}

static void *weight(ps_rec_rank_state *s, const ps_rec_launch *l)
{
    switch (l->weight) {
    case PS_W_EMBED: return s->embed;
    case PS_W_LM_HEAD: return s->lm_head;
    case PS_W_FINAL_NORM: return s->final_norm;
    case PS_W_NONE:
    case PS_W_COUNT: return NULL;
    default: return l->layer_slot >= 0 ? s->layer_weights[l->layer_slot][l->weight] : NULL;
    }
}

static size_t kv_offset(const ps_rec_rank_state *s, int mb)
{
    const ps_rec_plan *p = s->p;
    return (size_t)(s->r->mb_seq_first[mb] * p->kv_heads * p->max_context * p->head_dim * ps_dtype_bytes(p->kv));
}

static int launch_kernel(ps_rec_rank_state *s, const ps_rec_launch *l, cudaStream_t st, ps_error *err)
{
    const ps_rec_plan *p = s->p;
    const ps_rec_rank_plan *r = s->r;
    int mb = l->mb, rc = 0;
    void *in = buffer(s, l->in, mb), *out = buffer(s, l->out, mb), *x = s->x[mb];
    bool kv8 = p->kv == PS_DTYPE_FP8;
    char *kc = l->layer_slot >= 0 ? (char *)s->k_cache[l->layer_slot] + kv_offset(s, mb) : NULL;
    char *vc = l->layer_slot >= 0 ? (char *)s->v_cache[l->layer_slot] + kv_offset(s, mb) : NULL;
    int64_t tps = p->step.tokens_per_seq;
    switch (l->kind) {
    case PS_RL_EMBEDDING: {
        int64_t first = (int64_t)r->tp_rank * p->vocab_per_rank, rows = p->vocab - first;
        rc = ps_k_embedding(s->ids[mb], s->embed, x, l->rows, p->hidden, first,
                            rows < p->vocab_per_rank ? rows : p->vocab_per_rank, st);
        break;
    }
    case PS_RL_RMSNORM: rc = ps_k_rmsnorm(in, weight(s, l), out, l->rows, p->hidden, st); break;
    case PS_RL_QUANT_FP8: rc = ps_k_quant_e4m3(in, out, l->rows * l->k, PS_REC_FP8_ACT_SCALE, st); break;
    case PS_RL_GEMM:
        return ps_rec_gemm_run(s->gemm, (const char *)in + l->in_offset * (l->fp8 ? 1 : 2), l->in_stride, weight(s, l),
                               out, l->m, l->n, l->k, l->fp8, s->scales + PS_W_COUNT, s->scales + l->weight, st, err);
    case PS_RL_ROPE: rc = ps_k_rope(in, s->pos[mb], l->rows, p->heads, p->kv_heads, p->head_dim, st); break;
    case PS_RL_KV_WRITE:
        rc = ps_k_kv_write(in, kc, vc, kv8, s->pos[mb], l->rows, tps, p->heads, p->kv_heads, p->head_dim,
                           p->max_context, st);
        break;
    case PS_RL_ATTN_PREFILL:
        rc = ps_k_attention_prefill(in, kc, vc, kv8, s->pos[mb], out, l->rows, tps, p->heads, p->kv_heads,
                                    p->head_dim, p->max_context, st);
        break;
    case PS_RL_ATTN_DECODE:
        rc = ps_k_attention_decode(in, kc, vc, kv8, s->pos[mb], out, l->rows, p->heads, p->kv_heads, p->head_dim,
                                   p->max_context, st);
        break;
    case PS_RL_SILU_MUL: rc = ps_k_silu_mul(in, out, l->rows, p->inter, st); break;
    case PS_RL_RESIDUAL: rc = ps_k_residual_add(out, in, l->rows * p->hidden, st); break;
    case PS_RL_ARGMAX: rc = ps_k_argmax(in, out, l->rows, p->vocab_per_rank, p->tp, p->vocab, st); break;
    default: return ps_rec_comm_run(s->comms, s->slot, l, in, out ? out : in, st, err);
    }
    return rc ? ps_rec_cuda_fail(err, rc, ps_rec_launch_kind_name(l->kind)) : PS_OK;
}

static int run_launches(ps_rec_rank_state *s, ps_error *err)
{
    for (size_t i = 0; i < s->r->nlaunches; i++) {
        const ps_rec_launch *l = &s->r->launches[i];
        if (!l->executed)
            continue; /* shard emulation: the comm is sized in the plan, recorded without times */
        cudaStream_t st = s->streams[l->stream];
        if (l->wait_for >= 0)
            CUDA_TRY(cudaStreamWaitEvent(st, s->events[l->wait_for], 0), "cudaStreamWaitEvent");
        ps_rec_cupti_begin_launch(ps_rec_ext_id(s->slot, (int)i));
        int rc = launch_kernel(s, l, st, err);
        ps_rec_cupti_end_launch();
        if (rc)
            return ps_error_prefix(err, "rank %d %s", s->r->rank, s->r->ops->ops[l->op].id);
        if (l->signal)
            CUDA_TRY(cudaEventRecord(s->events[i], st), "cudaEventRecord");
    }
    return PS_OK;
}

static int capture(ps_rec_rank_state *s, ps_error *err)
{
    cudaStream_t main = s->streams[0];
    CUDA_TRY(cudaStreamBeginCapture(main, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
    CUDA_TRY(cudaEventRecord(s->fork, main), "cudaEventRecord (fork)");
    for (int i = 1; i < PS_STREAM_COUNT; i++)
        CUDA_TRY(cudaStreamWaitEvent(s->streams[i], s->fork, 0), "cudaStreamWaitEvent (fork)");
    int rc = run_launches(s, err);
    for (int i = 1; i < PS_STREAM_COUNT && !rc; i++) {
        CUDA_TRY(cudaEventRecord(s->join[i], s->streams[i]), "cudaEventRecord (join)");
        CUDA_TRY(cudaStreamWaitEvent(main, s->join[i], 0), "cudaStreamWaitEvent (join)");
    }
    cudaGraph_t graph = NULL;
    cudaError_t e = cudaStreamEndCapture(main, &graph);
    if (rc)
        return rc;
    if (e != cudaSuccess)
        return ps_rec_cuda_fail(err, (int)e, "cudaStreamEndCapture");
    e = cudaGraphInstantiate(&s->exec, graph, 0);
    cudaGraphDestroy(graph);
    if (e != cudaSuccess)
        return ps_rec_cuda_fail(err, (int)e, "cudaGraphInstantiate");
    s->captured = true;
    return PS_OK;
}

int ps_rec_rank_step(ps_rec_rank_state *s, ps_error *err)
{
    CUDA_TRY(cudaSetDevice(s->r->device), "cudaSetDevice");
    if (s->o->launch == PS_REC_EAGER)
        return run_launches(s, err);
    /* The first step runs eagerly: cuBLASLt's heuristics and lazy initialisation, module loading
     * and NCCL's connection setup must not happen inside a stream capture. Then the step is
     * captured; this and every later step replay the graph. */
    if (!s->captured) {
        if (run_launches(s, err))
            return err->code;
        CUDA_TRY(cudaStreamSynchronize(s->streams[0]), "eager warm-up step");
        for (int i = 1; i < PS_STREAM_COUNT; i++)
            CUDA_TRY(cudaStreamSynchronize(s->streams[i]), "eager warm-up step");
        if (capture(s, err))
            return err->code;
    }
    CUDA_TRY(cudaGraphLaunch(s->exec, s->streams[0]), "cudaGraphLaunch");
    return PS_OK;
}

int ps_rec_rank_sync(ps_rec_rank_state *s, ps_error *err)
{
    CUDA_TRY(cudaSetDevice(s->r->device), "cudaSetDevice");
    CUDA_TRY(cudaDeviceSynchronize(), "step");
    return PS_OK;
}

void ps_rec_rank_stream_ids(ps_rec_rank_state *s, int64_t ids[3])
{
    cudaSetDevice(s->r->device);
    for (int i = 0; i < PS_STREAM_COUNT; i++)
        if (ps_rec_cupti_stream_id(s->streams[i], &ids[i]))
            ids[i] = -1;
}

int ps_rec_rank_read_ids(ps_rec_rank_state *s, int mb, int32_t *ids, int64_t n, ps_error *err)
{
    return ps_rec_rank_read_buffer(s, PS_B_IDS, mb, ids, (size_t)n * sizeof *ids, err);
}

int ps_rec_rank_read_buffer(ps_rec_rank_state *s, ps_rec_buffer b, int mb, void *out, size_t bytes, ps_error *err)
{
    CUDA_TRY(cudaSetDevice(s->r->device), "cudaSetDevice");
    CUDA_TRY(cudaMemcpy(out, buffer(s, b, mb), bytes, cudaMemcpyDeviceToHost), "cudaMemcpy (read back)");
    return PS_OK;
}

void ps_rec_rank_teardown(ps_rec_rank_state *s)
{
    if (!s)
        return;
    cudaSetDevice(s->r->device);
    cudaDeviceSynchronize();
    if (s->exec)
        cudaGraphExecDestroy(s->exec);
    for (int l = 0; l < MAX_LAYERS; l++) {
        for (int w = 0; w < PS_W_COUNT; w++)
            cudaFree(s->layer_weights[l][w]);
        cudaFree(s->k_cache[l]);
        cudaFree(s->v_cache[l]);
    }
    cudaFree(s->embed);
    cudaFree(s->lm_head);
    cudaFree(s->final_norm);
    cudaFree(s->scales);
    for (int mb = 0; mb < PS_PLAN_MAX_MICROBATCHES; mb++) {
        cudaFree(s->x[mb]);
        cudaFree(s->ids[mb]);
        cudaFree(s->pos[mb]);
    }
    for (int b = 0; b < PS_B_COUNT; b++)
        cudaFree(s->scratch[b]);
    for (size_t i = 0; s->events && i < s->r->nlaunches; i++)
        if (s->events[i])
            cudaEventDestroy(s->events[i]);
    free(s->events);
    ps_rec_gemm_destroy(s->gemm);
    for (int i = 0; i < PS_STREAM_COUNT; i++) {
        if (s->streams[i])
            cudaStreamDestroy(s->streams[i]);
        if (s->join[i])
            cudaEventDestroy(s->join[i]);
    }
    if (s->fork)
        cudaEventDestroy(s->fork);
    free(s);
}
