/* sim/coll/allreduce_vllm.c: vLLM's TP all-reduce dispatch on NVIDIA GPUs, as `--algo vllm` /
 * `--allreduce vllm`.
 *
 * Sources (read, not copied; vllm-project/vllm):
 *   vllm/distributed/device_communicators/cuda_communicator.py, CudaCommunicator.all_reduce: the
 *     first backend that accepts the tensor runs it, in order custom all-reduce, torch symmetric
 *     memory, PyNCCL (the opt-in ones -- NCCL symmetric memory, FlashInfer, quick reduce (ROCm),
 *     aiter (ROCm) -- are off by default and not modelled);
 *   vllm/distributed/device_communicators/custom_all_reduce.py @00d618aa: custom all-reduce only
 *     inside one node, for world sizes 2, 4, 6, 8, on more than two GPUs only when they are fully
 *     NVLink-connected; should_custom_ar: bytes a multiple of 16 and bytes < max_size, max_size =
 *     8 MiB (8192 x 1024), lowered with symmetric memory on (VLLM_ALLREDUCE_USE_SYMM_MEM, default
 *     on since vLLM PR #24111) to CUSTOM_ALL_REDUCE_MAX_SIZES of all_reduce_utils.py @00d618aa:
 *     SM 9.0: 64 / 32 MiB / 512 / 256 KiB for 2 / 4 / 6 / 8 GPUs (so 8 MiB caps 2 and 4);
 *     SM 10.0: 2 / 2 / 1 / 1 MiB;
 *   csrc/custom_all_reduce.cuh, CustomAllreduce::allreduce (the rule unchanged from @036bb685 to
 *     today's main): 2 GPUs always cross_device_reduce_1stage; fully connected: 1stage when
 *     (world <= 4 and bytes < 512 KiB) or (world <= 8 and bytes < 256 KiB), else 2stage.
 *     1stage: a start barrier (one flag write to every peer), every rank reads the whole buffer of
 *     every peer and reduces locally (each pair moves S), an end barrier: 2 steps. 2stage: start
 *     barrier, reduce-scatter (rank r reads slice r of every peer into its staging buffer), a
 *     barrier, all-gather (reads every peer's reduced slice), end barrier: each pair moves 2 S / n,
 *     3 steps; its middle barrier is release/acquire (barrier_at_end, final_sync false), the
 *     others volatile, so 2stage pays COLL_ENGINE_ORDERED_SYNC_US (allreduce_engine.h), 1stage not;
 *   SYMM_MEM_ALL_REDUCE_MAX_SIZES (all_reduce_utils.py @00d618aa): torch symmetric memory below
 *     64 / 32 / 64 / 64 MiB on SM 9.0 (2 / 4 / 6 / 8 GPUs), 8 / 32 / 128 / 128 MiB on SM 10.0,
 *     with torch's multimem all-reduce (NVSwitch multicast: multimem.ld_reduce of the rank's
 *     slice, multimem.st of the result; modelled as NVLS traffic, S up and S down per GPU,
 *     start and end barriers) where symm_mem.py's _WORLD_SIZES_MULTIMEM lists the world size
 *     (SM 9.0: 4, 6, 8; SM 10.0: 6, 8) and its two-shot (2 S / n per pair, 3 barriers) otherwise;
 *     torch's barriers around loads and stores (sync_remote_blocks) are release/acquire, so both
 *     pay COLL_ENGINE_ORDERED_SYNC_US.
 *     SymmMemCommunicator (symm_mem.py) needs SM 9.0 or 10.x, bf16 inputs (a 2-byte type is read
 *     as bf16) and a multicast address (no NVSwitch: disabled); elsewhere (A100, a mesh without a
 *     switch, fp32) the call goes on to NCCL.
 * Not modelled: the input copy of eager mode (outside a CUDA graph custom all-reduce first copies
 * the input into its registered buffer, custom_all_reduce.py): parsim predicts graph-launched
 * decode; the 16-byte alignment is checked.
 */
#include <math.h>

#include "allreduce_engine.h"

enum { ONE_STAGE, TWO_STAGE, SYMM_MULTIMEM, SYMM_TWO_SHOT };

static const coll_engine_kernel kernels[] = {
    [ONE_STAGE] = {.name = "1stage", .pattern = PAT_ALLTOALL, .steps = 2, .pair_frac = 1.0},
    [TWO_STAGE] = {.name = "2stage", .pattern = PAT_ALLTOALL, .steps = 3, .pair_frac_per_n = 2.0,
                   .ordered_sync = true},
    [SYMM_MULTIMEM] = {.name = "symm_mem_multimem", .pattern = PAT_NVLS, .steps = 2, .up_frac = 1.0,
                       .down_frac = 1.0, .ordered_sync = true},
    [SYMM_TWO_SHOT] = {.name = "symm_mem_two_shot", .pattern = PAT_ALLTOALL, .steps = 3,
                       .pair_frac_per_n = 2.0, .ordered_sync = true},
};

#define MiB (1024.0 * 1024.0)

/* Index of a world size in {2, 4, 6, 8}, -1 for the others. */
static int world_index(int n) { return (n == 2 || n == 4 || n == 6 || n == 8) ? n / 2 - 1 : -1; }

/* The custom all-reduce's max_size (bytes, strict upper bound). */
static double custom_max_bytes(const coll_engine_query *q)
{
    static const double sm90[4] = {64 * MiB, 32 * MiB, 0.5 * MiB, 0.25 * MiB};
    static const double sm100[4] = {2 * MiB, 2 * MiB, 1 * MiB, 1 * MiB};
    double max = 8 * MiB;
    int w = world_index(q->n);
    if (w >= 0 && q->sm == 90)
        max = fmin(max, sm90[w]);
    else if (w >= 0 && q->sm >= 100)
        max = fmin(max, sm100[w]);
    return max;
}

static int symm_mem_kernel(const coll_engine_query *q, const char **why)
{
    static const double sm90[4] = {64 * MiB, 32 * MiB, 64 * MiB, 64 * MiB};
    static const double sm100[4] = {8 * MiB, 32 * MiB, 128 * MiB, 128 * MiB};
    int w = world_index(q->n);
    if (q->sm < 90 || w < 0) {
        *why = "above the custom all-reduce's limit, no symmetric memory on this GPU";
        return -1;
    }
    if (!q->nvls) {
        *why = "symmetric memory needs NVSwitch multicast";
        return -1;
    }
    if (q->type_bytes != 2) {
        *why = "symmetric memory takes bf16 only";
        return -1;
    }
    double max = q->sm >= 100 ? sm100[w] : sm90[w];
    if (!(q->bytes < max)) {
        *why = "above the symmetric-memory limit";
        return -1;
    }
    bool multimem = q->n >= 6 || (q->n == 4 && q->sm < 100);
    return multimem ? SYMM_MULTIMEM : SYMM_TWO_SHOT;
}

static int select_kernel(const coll_engine_query *q, const char **why)
{
    if (q->n < 2) {
        *why = "one GPU";
        return -1;
    }
    if (!q->one_node) {
        *why = "the group spans nodes";
        return -1;
    }
    /* custom_all_reduce.cu dispatches float, half and bfloat16 only */
    if (q->type_bytes != 2 && q->type_bytes != 4) {
        *why = "its kernels take fp16, bf16 or fp32 only";
        return -1;
    }
    bool custom = world_index(q->n) >= 0 && (q->n == 2 || q->nvlink_all);
    if (!custom) {
        *why = world_index(q->n) < 0 ? "custom all-reduce supports 2, 4, 6, 8 GPUs"
                                     : "no NVLink between all GPUs";
        return -1;
    }
    if (fmod(q->bytes, 16.0) != 0) {
        *why = "not a multiple of 16 bytes";
        return -1;
    }
    if (q->bytes < custom_max_bytes(q)) {
        bool one = q->n == 2 || (q->n <= 4 && q->bytes < 512 * 1024.0) ||
                   (q->n <= 8 && q->bytes < 256 * 1024.0);
        return one ? ONE_STAGE : TWO_STAGE;
    }
    return symm_mem_kernel(q, why);
}

const coll_engine_ar coll_engine_ar_vllm = {
    .algo = PS_ALGO_VLLM,
    .name = "vllm",
    .engine = "vLLM",
    .kernels = kernels,
    .kernel_count = 4,
    .select = select_kernel,
};
