/* sim/coll/allreduce_trtllm.c: TensorRT-LLM's own all-reduce (AllReduceStrategy AUTO, the
 * default of its PyTorch backend), as `--algo trtllm` / `--allreduce trtllm`.
 *
 * Sources (read, not copied; NVIDIA/TensorRT-LLM):
 *   cpp/tensorrt_llm/thop/allreduceOp.cpp @01e2c361, AllreduceOp::selectImplementation and
 *     ifFallbackToNCCL: AUTO goes to NCCL when the message is larger than the workspace or the
 *     group lacks P2P or NVLink between its GPUs; otherwise it looks the strategy up in a table;
 *   cpp/tensorrt_llm/common/customAllReduceUtils.h @005b299b: getMaxRequiredWorkspaceSize (16 MB
 *     = 16e6 B for 2 ranks, 8 MB = 8e6 B above) and selectStrategyLookUpTable, the table
 *     (SM, TP, fusion op, hidden size, tokens) -> NCCL / ONESHOT / TWOSHOT: SM below 100 uses the
 *     SM90 table, 100 and above the SM100 one; TP index = (int)(log2(tp) - 1) (TP 3 reads the TP2
 *     rows, 5-7 the TP4 rows, 16 and more fall out of the table); hidden index = log2(hidden) - 7
 *     (128 .. 8192), token index = (int)log2(tokens) (1 .. 16384); an entry out of the table is
 *     NCCL_SYMMETRIC (NCCL for parsim). The table below is its fusion=NONE part re-encoded
 *     (o = ONESHOT, t = TWOSHOT, n = NCCL); the all-reduce+RMSNorm fused rows differ in a few
 *     entries and are not used (parsim's op graph keeps the norm as its own op);
 *   cpp/tensorrt_llm/kernels/communicationKernels/allReduceFusionKernels.cu: ONESHOT is
 *     allreduce_fusion_kernel_oneshot_lamport -- every rank writes its whole input into every
 *     peer's workspace with Lamport flags (a negative-zero sentinel, no separate barrier) and
 *     reduces the n copies it receives: each ordered pair moves S, one round; TWOSHOT is
 *     allreduce_fusion_kernel_twoshot_sync -- every rank sends slice j of its input to rank j
 *     (reduce-scatter), a barrier, every rank sends its reduced slice to every peer
 *     (all-gather), a barrier: each pair moves 2 S / n, two steps.
 * A table entry 0 and the workspace/topology fallback are plain NCCL (parsim's NCCL model). An
 * entry out of the table (Llama-3.1-405B's hidden 16384, TP 16, more than 16384 tokens) is
 * NCCL_SYMMETRIC: NCCL (>= 2.27) on window-registered buffers, which runs NCCL's symmetric kernels
 * (NVIDIA/nccl src/device/symmetric/all_reduce.cuh: AllReduce_RSxLDMC_AGxSTMC -- reduce-scatter by
 * multimem loads through the NVSwitch, all-gather by multimem stores -- on NVLS systems,
 * AllReduce_RSxLD_AGxST with peer loads and stores elsewhere; the LL variants NCCL's symmetric
 * tuner prefers for the smallest messages are not modelled). parsim runs them as two-step kernels:
 * the NVLS shape (S up, S down per GPU) or the two-shot shape (2 S / n per pair), with the same
 * row as the engines' kernels. No measurement of them validates it; vLLM's own note beside its
 * thresholds (all_reduce_utils.py @00d618aa) says NCCL symmetric memory beats its custom
 * all-reduce below 16 KiB and above 128 KiB on 8 H100s, which this model reproduces in kind.
 * Not modelled: MNNVL (multicast two-shot, chosen by the Python layer only
 * when a TP group spans nodes of one NVLink domain on aarch64, GB200 NVL72 trays), LOWPRECISION
 * (PCIe only, opt-in), UB (opt-in), MIN_LATENCY.
 */
#include <math.h>

#include "allreduce_engine.h"

enum { ONESHOT, TWOSHOT, NCCL_SYMM_MC, NCCL_SYMM };

static const coll_engine_kernel kernels[] = {
    [ONESHOT] = {.name = "oneshot", .pattern = PAT_ALLTOALL, .steps = 1, .pair_frac = 1.0},
    [TWOSHOT] = {.name = "twoshot", .pattern = PAT_ALLTOALL, .steps = 2, .pair_frac_per_n = 2.0},
    [NCCL_SYMM_MC] = {.name = "nccl_symmetric_mc", .pattern = PAT_NVLS, .steps = 2, .up_frac = 1.0,
                      .down_frac = 1.0},
    [NCCL_SYMM] = {.name = "nccl_symmetric", .pattern = PAT_ALLTOALL, .steps = 2,
                   .pair_frac_per_n = 2.0},
};

#define HIDDEN_ROWS 7 /* hidden 128 .. 8192 */
#define TOKEN_COLS 15 /* tokens 1 .. 16384 */

/* [sm table][tp index][hidden index]: one letter per token count (customAllReduceUtils.h
 * @005b299b AllReduceBestStrategyTableSM90 / SM100, Fusion=NONE). */
static const char *const table[2][3][HIDDEN_ROWS] = {
    {/* SM90 */
     {"oooootttttoonnn", "ooooootoooooonn", "ootootttotooonn", "oooototooooonnn", "ooooottttootnnn",
      "ototooooooonnnn", "oottoooooonnnnn"},
     {"ooootoototoonnn", "oooootttttonnnn", "oooototttootnnn", "ooooottotottnnn", "oooooootottnnnn",
      "ooottttottnnnnn", "oooootottnnnnnn"},
     {"ooooooooooonnnn", "oooooooooottnnn", "ooooooooottttnn", "oooooooootttnnn", "ooooooottttnnnn",
      "oooooottttnnnnn", "ooooottttnnnnnn"}},
    {/* SM100 */
     {"ooooooootooonnn", "ooootooooooonnn", "oootoooooooooon", "oootooooooooonn", "oooooooooooonnn",
      "ooooooooooonnnn", "ootooooooonnnnn"},
     {"oooooooooooonnn", "oooooooooooonnn", "oooooooooooonnn", "oooooooooooonnn", "ooooooooootnnnn",
      "oooooooootnnnnn", "ooooooootnnnnnn"},
     {"oooooooooooonnn", "oooooooooooonnn", "ooooooooooonnnn", "oooooooooottnnn", "ooooooooottnnnn",
      "oooooooottnnnnn", "ooooooottnnnnnn"}},
};

/* floor(log2(v)) for v >= 1 (the engine's static_cast<size_t>(std::log2(v))), -1 below 1. */
static int log2_floor(double v)
{
    if (!(v >= 1))
        return -1;
    int r = 0;
    while (v >= 2) {
        v /= 2;
        r++;
    }
    return r;
}

static int select_kernel(const coll_engine_query *q, const char **why)
{
    if (q->n < 2) {
        *why = "one GPU";
        return -1;
    }
    /* the custom kernels are instantiated for half, bfloat16 and float (allReduceFusionKernels.cu
     * dispatch on the AllreduceOp's nvinfer1::DataType) */
    if (q->type_bytes != 2 && q->type_bytes != 4) {
        *why = "its kernels take fp16, bf16 or fp32 only";
        return -1;
    }
    if (!q->one_node || !q->nvlink_all) {
        *why = q->one_node ? "no NVLink between all GPUs" : "the group spans nodes";
        return -1;
    }
    double workspace = q->n <= 2 ? 16e6 : 8e6;
    if (q->bytes > workspace) {
        *why = q->n <= 2 ? "above the 16 MB workspace" : "above the 8 MB workspace";
        return -1;
    }
    int tp = (int)(log2((double)q->n) - 1), h = log2_floor(q->hidden) - 7, t = log2_floor(q->tokens);
    /* out of the table: NCCL_SYMMETRIC, NCCL's symmetric-memory kernels (header) */
    if (h < 0 || h >= HIDDEN_ROWS || tp < 0 || tp > 2 || t < 0 || t >= TOKEN_COLS)
        return q->nvls ? NCCL_SYMM_MC : NCCL_SYMM;
    char c = table[q->sm >= 100][tp][h][t];
    if (c == 'n') {
        *why = "the strategy table picks NCCL";
        return -1;
    }
    return c == 'o' ? ONESHOT : TWOSHOT;
}

const coll_engine_ar coll_engine_ar_trtllm = {
    .algo = PS_ALGO_TRTLLM,
    .name = "trtllm",
    .engine = "TensorRT-LLM",
    .kernels = kernels,
    .kernel_count = 4,
    .select = select_kernel,
};
