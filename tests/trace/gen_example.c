/* gen_example: writes the synthetic example trace traces/examples/llama3.1-8b-tp2-decode.
 *
 *   build/bin/trace_gen_example OUT_DIR
 *
 * One decode step of Llama-3.1-8B, bf16, TP2 (batch 8, context 1024) on two H100s, as a recorder
 * would write it: every op of the op graph (op ids follow include/parsim/graph.h) as one or more
 * kernels on compute stream 7, the TP all-reduces and the logits all-gather as NCCL kernels plus
 * comms rows, and ops.csv. It is SYNTHETIC (meta "source": "synthetic"): kernel names are real
 * ones (from traces/h200-torch-reference/kineto_decoder.json and NCCL 2.28, notes/recording.md
 * section 3.2), durations are made-up magnitudes of the right order for an H100 decode step,
 * not measurements. A fixed-seed generator jitters them so that the two ranks differ. The ctest
 * trace_example_reproducible regenerates it and compares it byte for byte with the shipped copy.
 * It doubles as the smallest complete example of the trace writer API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsim/trace.h"

#define RANKS 2
#define LAYERS 32
#define STREAM 7
#define TOKENS 8     /* batch 8, one token each */
#define HIDDEN 4096
#define BF16_BYTES 2
#define VOCAB_PER_RANK 64128 /* 128256 / 2 */

/* Real kernel names (see the header comment), including the worst-quoted ones. */
static const char K_NORM[] = "void at::native::reduce_kernel<512, 1, at::native::ReduceOp<float, at::native::MeanOps<float, "
                             "float, float, float>, unsigned int, float, 4, 4> >(at::native::ReduceOp<float, "
                             "at::native::MeanOps<float, float, float, float>, unsigned int, float, 4, 4>)";
static const char K_GEMM_SPLITK[] = "nvjet_sm90_tst_64x32_64x16_2x1_v_bz_splitK_NNT";
static const char K_GEMM_WIDE[] = "nvjet_sm90_tst_128x32_64x10_2x1_v_bz_splitK_NNT";
static const char K_GEMM_O[] = "nvjet_sm90_tst_64x32_64x16_4x1_v_bz_NNT";
static const char K_SPLITK_REDUCE[] =
    "void cublasLt::splitKreduce_kernel<32, 16, int, float, __nv_bfloat16, float, __nv_bfloat16, false, float, "
    "__nv_bfloat16, __nv_bfloat16, true, false, false, false>(cublasLt::cublasSplitKParams<float>, float const*, "
    "__nv_bfloat16 const*, float*, __nv_bfloat16*, float const*, float const*, __nv_bfloat16 const*, float "
    "const*, __nv_bfloat16*, void*, long, float*, int*, float*, float*, float const*, float const*, float const*, "
    "float const*, float const*)";
static const char K_ROPE_NEG[] =
    "void at::native::vectorized_elementwise_kernel<4, at::native::neg_kernel_cuda(at::TensorIteratorBase&)::"
    "{lambda()#2}::operator()() const::{lambda()#9}::operator()() const::{lambda(c10::BFloat16)#1}, "
    "std::array<char*, 2ul> >(int, at::native::neg_kernel_cuda(at::TensorIteratorBase&)::{lambda()#2}::"
    "operator()() const::{lambda()#9}::operator()() const::{lambda(c10::BFloat16)#1}, std::array<char*, 2ul>)";
static const char K_ROPE_CAT[] =
    "void at::native::(anonymous namespace)::CatArrayBatchedCopy<at::native::(anonymous namespace)::"
    "OpaqueType<2u>, unsigned int, 4, 64, 64>(at::native::(anonymous namespace)::OpaqueType<2u>*, "
    "at::native::(anonymous namespace)::CatArrInputTensorMetadata<at::native::(anonymous namespace)::"
    "OpaqueType<2u>, unsigned int, 64, 64>, at::native::(anonymous namespace)::TensorSizeStride<unsigned int, "
    "4u>, int, unsigned int)";
static const char K_ATTN[] = "cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16_knob_7_64x128x128_4x1x1_cga1x1x1_kernel0_0";
static const char K_ALLREDUCE[] = "ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)";
static const char K_ALLGATHER[] = "ncclDevKernel_AllGather_RING_LL(ncclDevKernelArgsStorage<4096ul>)";
static const char K_ADD[] = "void at::native::vectorized_elementwise_kernel<8, at::native::CUDAFunctor_add<c10::BFloat16>, "
                            "std::array<char*, 3ul> >(int, at::native::CUDAFunctor_add<c10::BFloat16>, "
                            "std::array<char*, 3ul>)";
static const char K_SILU[] =
    "void at::native::vectorized_elementwise_kernel<4, at::native::(anonymous namespace)::silu_kernel("
    "at::TensorIteratorBase&)::{lambda()#1}::operator()() const::{lambda()#4}::operator()() const::"
    "{lambda(c10::BFloat16)#1}, std::array<char*, 2ul> >(int, at::native::(anonymous namespace)::silu_kernel("
    "at::TensorIteratorBase&)::{lambda()#1}::operator()() const::{lambda()#4}::operator()() const::"
    "{lambda(c10::BFloat16)#1}, std::array<char*, 2ul>)";
static const char K_MUL[] = "void at::native::vectorized_elementwise_kernel<8, at::native::BinaryFunctor<c10::BFloat16, "
                            "c10::BFloat16, c10::BFloat16, at::native::binary_internal::MulFunctor<float> >, "
                            "std::array<char*, 3ul> >(int, at::native::BinaryFunctor<c10::BFloat16, c10::BFloat16, "
                            "c10::BFloat16, at::native::binary_internal::MulFunctor<float> >, std::array<char*, 3ul>)";
static const char K_EMBED[] =
    "void at::native::(anonymous namespace)::indexSelectLargeIndex<c10::BFloat16, long, unsigned int, 2, 2, -2, "
    "true>(at::cuda::detail::TensorInfo<c10::BFloat16, unsigned int>, at::cuda::detail::TensorInfo<c10::BFloat16 "
    "const, unsigned int>, at::cuda::detail::TensorInfo<long const, unsigned int>, int, int, unsigned int, "
    "unsigned int, long)";
static const char K_LM_HEAD[] = "void cutlass::Kernel2<cutlass_80_wmma_tensorop_bf16_s161616gemm_bf16_16x16_128x2_tn_align8>"
                                "(cutlass_80_wmma_tensorop_bf16_s161616gemm_bf16_16x16_128x2_tn_align8::Params)";
static const char K_ARGMAX[] = "void at::native::reduce_kernel<512, 1, at::native::ReduceOp<float, "
                               "at::native::ArgMaxOps<float>, unsigned int, long, 4> >(at::native::ReduceOp<float, "
                               "at::native::ArgMaxOps<float>, unsigned int, long, 4>)";

typedef struct gen {
    ps_trace_writer *w;
    int64_t cursor_ns[RANKS]; /* end of the previous kernel on each rank's stream */
    uint64_t corr[RANKS];
    uint64_t seq;             /* tp0 sequence number */
    uint32_t rng;
    int rc;
    ps_error err;
} gen;

/* xorshift32 with a fixed seed: reproducible jitter in [-5 %, +5 %]. */
static int64_t jitter(gen *g, int64_t ns)
{
    g->rng ^= g->rng << 13;
    g->rng ^= g->rng >> 17;
    g->rng ^= g->rng << 5;
    int64_t pct = (int64_t)(g->rng % 101) - 50; /* per mille / 10 */
    return ns + ns * pct / 1000;
}

static void kernel(gen *g, int rank, const char *op_id, const char *name, int64_t dur_ns, int gx, int bx)
{
    if (g->rc)
        return;
    int64_t start = g->cursor_ns[rank] + jitter(g, 800); /* ~0.8 us launch gap */
    int64_t end = start + jitter(g, dur_ns);
    ps_trace_activity a = {.rank = rank, .device = rank, .stream = STREAM, .op_id = op_id,
                           .correlation_id = ++g->corr[rank], .kind = PS_TRACE_KERNEL, .name = name,
                           .start_ns = start, .end_ns = end, .grid = {gx, 1, 1}, .block = {bx, 1, 1}};
    g->rc = ps_trace_write_activity(g->w, &a, &g->err);
    g->cursor_ns[rank] = end;
}

static void memop(gen *g, int rank, const char *op_id, ps_trace_activity_kind kind, const char *name, uint64_t bytes,
                  int64_t dur_ns)
{
    if (g->rc)
        return;
    int64_t start = g->cursor_ns[rank] + 800, end = start + dur_ns;
    ps_trace_activity a = {.rank = rank, .device = rank, .stream = STREAM, .op_id = op_id,
                           .correlation_id = ++g->corr[rank], .kind = kind, .name = name,
                           .start_ns = start, .end_ns = end, .bytes = bytes};
    g->rc = ps_trace_write_activity(g->w, &a, &g->err);
    g->cursor_ns[rank] = end;
}

/* A collective: each rank's kernel starts when that rank gets there; all end together, `dur_ns`
 * after the last one arrived (the ring waits for every rank). */
static void collective(gen *g, int rank, const char *op_id, ps_trace_collective coll, uint64_t bytes, int64_t end_ns,
                       uint64_t seq)
{
    if (g->rc)
        return;
    int64_t start = g->cursor_ns[rank] + 800;
    const char *name = coll == PS_TRACE_ALLREDUCE ? K_ALLREDUCE : K_ALLGATHER;
    uint64_t corr = ++g->corr[rank];
    ps_trace_activity a = {.rank = rank, .device = rank, .stream = STREAM, .op_id = op_id, .correlation_id = corr,
                           .kind = PS_TRACE_KERNEL, .name = name, .start_ns = start, .end_ns = end_ns,
                           .grid = {2, 1, 1}, .block = {512, 1, 1}};
    ps_trace_comm c = {.rank = rank, .stream = STREAM, .op_id = op_id, .correlation_id = corr, .collective = coll,
                       .bytes = bytes, .dtype = "bf16", .peer = -1, .group_id = "tp0", .group_size = RANKS,
                       .seq = seq, .start_ns = start, .end_ns = end_ns};
    g->rc = ps_trace_write_activity(g->w, &a, &g->err);
    if (!g->rc)
        g->rc = ps_trace_write_comm(g->w, &c, &g->err);
    g->cursor_ns[rank] = end_ns;
}

static void op_id(char *out, size_t n, int layer, const char *name)
{
    if (layer >= 0)
        snprintf(out, n, "decode/mb0/L%03d/%s", layer, name);
    else
        snprintf(out, n, "decode/mb0/%s/%s", name[0] == 'e' ? "embed" : "head", name);
}

typedef enum { STEP_COMPUTE, STEP_COLLECTIVE, STEP_DONE } step_kind;

/* The op sequence: embedding, 32 x (13 layer ops), head. pos -> what to do. */
static step_kind run_compute(gen *g, int rank, int pos, char *coll_id, size_t n, ps_trace_collective *coll,
                             uint64_t *bytes, int64_t *dur)
{
    char id[64];
    if (pos == 0) {
        memop(g, rank, "decode/mb0/embed/embedding", PS_TRACE_MEMCPY, "Memcpy HtoD (Pinned -> Device)", 128, 1500);
        kernel(g, rank, "decode/mb0/embed/embedding", K_EMBED, 3000, 64, 128);
        snprintf(coll_id, n, "decode/mb0/embed/embed_allreduce");
        *coll = PS_TRACE_ALLREDUCE;
        *bytes = (uint64_t)TOKENS * HIDDEN * BF16_BYTES;
        *dur = 9000;
        return STEP_COLLECTIVE;
    }
    int layer = (pos - 1) / 2, half = (pos - 1) % 2;
    if (layer < LAYERS && half == 0) {
        op_id(id, sizeof id, layer, "attn_norm");
        kernel(g, rank, id, K_NORM, 2500, 8, 512);
        op_id(id, sizeof id, layer, "qkv_gemm");
        kernel(g, rank, id, K_GEMM_SPLITK, 10700, 96, 128);
        kernel(g, rank, id, K_SPLITK_REDUCE, 2000, 24, 256);
        op_id(id, sizeof id, layer, "rope");
        kernel(g, rank, id, K_ROPE_NEG, 1800, 16, 128);
        kernel(g, rank, id, K_ROPE_CAT, 2900, 32, 128);
        op_id(id, sizeof id, layer, "attention");
        kernel(g, rank, id, K_ATTN, 12000, 128, 128);
        op_id(id, sizeof id, layer, "o_gemm");
        kernel(g, rank, id, K_GEMM_O, 8000, 64, 128);
        op_id(coll_id, n, layer, "attn_allreduce");
    } else if (layer < LAYERS) {
        op_id(id, sizeof id, layer, "attn_residual");
        kernel(g, rank, id, K_ADD, 1200, 16, 128);
        op_id(id, sizeof id, layer, "mlp_norm");
        kernel(g, rank, id, K_NORM, 2500, 8, 512);
        op_id(id, sizeof id, layer, "gate_up_gemm");
        kernel(g, rank, id, K_GEMM_WIDE, 38000, 224, 128);
        kernel(g, rank, id, K_SPLITK_REDUCE, 2500, 112, 256);
        op_id(id, sizeof id, layer, "silu_mul");
        kernel(g, rank, id, K_SILU, 2000, 112, 128);
        kernel(g, rank, id, K_MUL, 2000, 56, 128);
        op_id(id, sizeof id, layer, "down_gemm");
        kernel(g, rank, id, K_GEMM_SPLITK, 19000, 128, 128);
        kernel(g, rank, id, K_SPLITK_REDUCE, 2000, 32, 256);
        op_id(coll_id, n, layer, "mlp_allreduce");
    } else if (pos == 1 + 2 * LAYERS) {
        op_id(id, sizeof id, LAYERS - 1, "mlp_residual");
        kernel(g, rank, id, K_ADD, 1200, 16, 128);
        kernel(g, rank, "decode/mb0/head/final_norm", K_NORM, 2500, 8, 512);
        kernel(g, rank, "decode/mb0/head/lm_head", K_LM_HEAD, 160000, 502, 128);
        snprintf(coll_id, n, "decode/mb0/head/logits_allgather");
        *coll = PS_TRACE_ALLGATHER;
        /* nccl-tests size of an all-gather: the gathered buffer (tokens x full vocab x bf16). */
        *bytes = (uint64_t)TOKENS * VOCAB_PER_RANK * RANKS * BF16_BYTES;
        *dur = 20000;
        return STEP_COLLECTIVE;
    } else {
        memop(g, rank, "decode/mb0/head/sampling", PS_TRACE_MEMSET, "Memset (Device)", 64, 900);
        kernel(g, rank, "decode/mb0/head/sampling", K_ARGMAX, 9500, 8, 512);
        memop(g, rank, "decode/mb0/head/sampling", PS_TRACE_MEMCPY, "Memcpy DtoH (Device -> Pinned)", 64, 1500);
        return STEP_DONE;
    }
    *coll = PS_TRACE_ALLREDUCE;
    *bytes = (uint64_t)TOKENS * HIDDEN * BF16_BYTES;
    *dur = 9000;
    return STEP_COLLECTIVE;
}

/* Rows of one rank must be appended in start order, and a collective needs both ranks' arrival
 * times: so every step runs the compute of rank 0 and rank 1, then the collective of both. The
 * writer streams rows as they come, interleaving the ranks; that is allowed (order is per rank). */
static void generate(gen *g)
{
    for (int pos = 0; !g->rc; pos++) {
        char coll_id[RANKS][64];
        ps_trace_collective coll[RANKS];
        uint64_t bytes[RANKS];
        int64_t dur[RANKS];
        step_kind k = STEP_DONE;
        for (int r = 0; r < RANKS; r++)
            k = run_compute(g, r, pos, coll_id[r], sizeof coll_id[r], &coll[r], &bytes[r], &dur[r]);
        if (k == STEP_DONE || g->rc)
            return;
        int64_t arrive = 0;
        for (int r = 0; r < RANKS; r++)
            if (g->cursor_ns[r] + 800 > arrive)
                arrive = g->cursor_ns[r] + 800;
        int64_t end = arrive + jitter(g, dur[0]);
        for (int r = 0; r < RANKS; r++)
            collective(g, r, coll_id[r], coll[r], bytes[r], end, g->seq);
        g->seq++;
    }
}

static void write_ops(gen *g)
{
    char id[64], shape[64];
    struct {
        const char *name, *kind;
        int m, n, k;
    } layer_ops[] = {{"attn_norm", "rmsnorm", 0, 0, 0},       {"qkv_gemm", "gemm", TOKENS, 3072, HIDDEN},
                     {"rope", "rope", 0, 0, 0},                {"attention", "attention", 0, 0, 0},
                     {"o_gemm", "gemm", TOKENS, HIDDEN, 2048}, {"attn_allreduce", "allreduce", 0, 0, 0},
                     {"attn_residual", "residual", 0, 0, 0},   {"mlp_norm", "rmsnorm", 0, 0, 0},
                     {"gate_up_gemm", "gemm", TOKENS, 14336, HIDDEN}, {"silu_mul", "silu_mul", 0, 0, 0},
                     {"down_gemm", "gemm", TOKENS, HIDDEN, 7168}, {"mlp_allreduce", "allreduce", 0, 0, 0},
                     {"mlp_residual", "residual", 0, 0, 0}};
    struct {
        const char *id, *kind, *shape;
    } other[] = {{"decode/mb0/embed/embedding", "embedding", "tokens=8"},
                 {"decode/mb0/embed/embed_allreduce", "allreduce", "bytes=65536"},
                 {"decode/mb0/head/final_norm", "rmsnorm", "tokens=8"},
                 {"decode/mb0/head/lm_head", "gemm", "m=8 n=64128 k=4096"},
                 {"decode/mb0/head/logits_allgather", "allgather", "bytes=2052096"},
                 {"decode/mb0/head/sampling", "sampling", "tokens=8"}};
    for (size_t i = 0; i < 2 && !g->rc; i++) {
        ps_trace_op o = {.op_id = other[i].id, .layer = -1, .op_kind = other[i].kind, .shape = other[i].shape,
                         .graph_node = other[i].id};
        g->rc = ps_trace_write_op(g->w, &o, &g->err);
    }
    for (int l = 0; l < LAYERS && !g->rc; l++)
        for (size_t i = 0; i < sizeof layer_ops / sizeof layer_ops[0] && !g->rc; i++) {
            op_id(id, sizeof id, l, layer_ops[i].name);
            if (layer_ops[i].m)
                snprintf(shape, sizeof shape, "m=%d n=%d k=%d", layer_ops[i].m, layer_ops[i].n, layer_ops[i].k);
            else if (!strcmp(layer_ops[i].kind, "allreduce"))
                snprintf(shape, sizeof shape, "bytes=%d", TOKENS * HIDDEN * BF16_BYTES);
            else
                snprintf(shape, sizeof shape, "tokens=%d", TOKENS);
            ps_trace_op o = {.op_id = id, .layer = l, .op_kind = layer_ops[i].kind, .shape = shape, .graph_node = id};
            g->rc = ps_trace_write_op(g->w, &o, &g->err);
        }
    for (size_t i = 2; i < sizeof other / sizeof other[0] && !g->rc; i++) {
        ps_trace_op o = {.op_id = other[i].id, .layer = -1, .op_kind = other[i].kind, .shape = other[i].shape,
                         .graph_node = other[i].id};
        g->rc = ps_trace_write_op(g->w, &o, &g->err);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
        return 2;
    }
    ps_trace_meta meta;
    ps_trace_meta_init(&meta, PS_TRACE_SOURCE_SYNTHETIC);
    snprintf(meta.gpu_name, sizeof meta.gpu_name, "NVIDIA H100 80GB HBM3");
    meta.gpu_count = RANKS;
    meta.sm_clock_mhz = 1980;  /* H100 SXM max boost clock (NVIDIA H100 datasheet) */
    meta.mem_clock_mhz = 2619; /* H100 SXM HBM3 memory clock as nvidia-smi reports it */
    snprintf(meta.recorder_version, sizeof meta.recorder_version, "tests/trace/gen_example.c");
    snprintf(meta.host, sizeof meta.host, "synthetic");
    snprintf(meta.model, sizeof meta.model, "llama3.1-8b");
    snprintf(meta.dtype, sizeof meta.dtype, "bf16");
    meta.tp = RANKS;
    meta.pp = 1;
    meta.dp = 1;
    meta.batch = TOKENS;
    meta.isl = 1024;
    meta.osl = 128;
    snprintf(meta.phase, sizeof meta.phase, "decode");
    snprintf(meta.clock, sizeof meta.clock, "relative");
    /* parsim-trace 2 keys: one decode step of one microbatch, no warm-up (nothing was run) */
    snprintf(meta.kv_dtype, sizeof meta.kv_dtype, "bf16");
    meta.microbatches = 1;
    meta.measured_iterations = 1;

    gen g = {.cursor_ns = {1000000, 1000000}, .corr = {1000, 1000}, .rng = 2463534242u};
    g.rc = ps_trace_writer_open(&g.w, argv[1], &meta, PS_TRACE_WRITE_OVERWRITE | PS_TRACE_WRITE_OPS, &g.err);
    if (g.rc) {
        fprintf(stderr, "%s\n", g.err.message);
        return g.rc;
    }
    write_ops(&g);
    generate(&g);
    if (g.rc) {
        ps_trace_writer_abort(g.w);
        fprintf(stderr, "%s\n", g.err.message);
        return g.rc;
    }
    if (ps_trace_writer_close(g.w, &g.err)) {
        fprintf(stderr, "%s\n", g.err.message);
        return g.err.code;
    }
    return 0;
}
