/* sim/coll/allreduce_engine.h: what the serving engines' own all-reduce algorithms share (not a
 * public header).
 *
 * TensorRT-LLM and vLLM send small tensor-parallel all-reduces through their own kernels over
 * NVLink peer memory instead of NCCL, up to a size limit, and NCCL above it. Each engine is one
 * file (allreduce_trtllm.c, allreduce_vllm.c) filling one coll_engine_ar: its kernels -- the
 * traffic of each as a shape (coll_internal.h) on the group's GPUs, so the flows load the
 * platform's links exactly like NCCL's and contend with the rest of the traffic -- and the
 * engine's selection rule, transcribed from the engine's source (each file cites file and
 * commit). allreduce_engine.c holds the table of them and runs the chosen kernel through the
 * same closed form and SimGrid schedule as NCCL's algorithms (model.c, engine_run.c); the runner
 * knows nothing engine-specific.
 *
 * A kernel's shape is PAT_ALLTOALL (every ordered pair of members moves pair_frac x bytes over
 * peer memory) or PAT_NVLS (the NVSwitch's multicast: up and down the GPU's switch port), in
 * `steps` synchronous steps: the flag barriers (or Lamport rounds) of the kernel, each paying
 * one NVLink route latency. Its protocol row is
 *     base = COLL_ENGINE_KERNEL_FIXED_US (the fixed cost of a graph-launched kernel),
 *     hop  = 0 (the route latency of the barrier's flag write is the floor),
 *     eff  = the platform's calibrated p2p efficiency (PAT_ALLTOALL: NVLink peer transfers, the
 *            NCCL sidecar's p2p row) or NVLS efficiency (PAT_NVLS: the switch's multicast),
 *     fill = 0 (one kernel, no chunk pipeline),
 * so T = base + steps x route latency + busiest link bytes / (eff x link bandwidth)
 *         [+ COLL_ENGINE_ORDERED_SYNC_US when the kernel's barriers order memory].
 *
 * The barriers. Every barrier of these kernels is the same handshake (vLLM
 * csrc/custom_all_reduce.cuh barrier_at_start / barrier_at_end; torch symmetric memory's
 * sync_remote_blocks): in every block, threads 0 .. n-1 each write one flag into one peer's
 * signal buffer over NVLink -- the n-1 remote writes go out in parallel, one per thread -- and
 * spin on their own buffer until every peer's flag has arrived, so a barrier costs one one-way
 * NVLink write, the route latency (plus the skew between GPUs, which an idle model has none
 * of). Two kinds differ in what the flag write carries:
 *   - plain (volatile) flags: vLLM's start barrier and its final barrier (final_sync), the only
 *     barriers of 1stage; TensorRT-LLM's Lamport one-shot has none at all;
 *   - ordered flags (st.release.sys / ld.acquire.sys): a barrier between two stages must make
 *     the first stage's stores visible to the peers that read them next, so vLLM's middle
 *     barrier of 2stage (barrier_at_end with final_sync = false) and torch symmetric memory's
 *     barriers around its loads and stores (sync_remote_blocks with memory access before or
 *     after) are release/acquire at system scope.
 * No source gives the cost of the ordered kind, so it is one fitted constant: the published
 * vLLM PR #24111 curves of 2stage, symm_mem_multimem and symm_mem_two_shot (TP 4 and 6, 0.5-4
 * MiB, 36 points) fix it; SGLang PR #2904's 2stage points never entered it (held out,
 * docs/validation.md). Those curves say it is paid once per kernel, not once per ordered
 * barrier: a per-barrier constant fits at 4.0 us and leaves 2stage (one ordered barrier) at 25 %
 * and two-shot (three) at 13 % median |error|, once per kernel leaves 3-13 % for all three.
 * TensorRT-LLM's kernels are left without it: SGLang's measurement of the ported TensorRT-LLM
 * two-shot (TP 4, 2 MiB) is within 8 % without it and would be 50 % above with it.
 */
#ifndef PARSIM_COLL_ALLREDUCE_ENGINE_H
#define PARSIM_COLL_ALLREDUCE_ENGINE_H

#include <stdbool.h>

#include "coll_internal.h"

/* The fixed cost of one graph-launched kernel, from launch to finish with no work: the cost
 * model's default for a small fused kernel (core/cost/family_eltwise.c fixed_us: 2.5 us; H200
 * first-hand silu_mul at 4096 elements, 2.8 us). The engines run their all-reduce kernels inside
 * CUDA graphs in decode, which is what parsim predicts with them. */
#define COLL_ENGINE_KERNEL_FIXED_US 2.5

/* The extra cost of a kernel whose barriers are release/acquire at system scope (header),
 * paid once per kernel: FITTED, least squares of the relative error on vLLM PR #24111's
 * 2stage / symm_mem_multimem / symm_mem_two_shot curves (8 x H100, docs/data/engine-allreduce.csv,
 * 36 points; fit residual medians 3-13 %). SGLang PR #2904's rows are held out. */
#define COLL_ENGINE_ORDERED_SYNC_US 9.1

#define COLL_ENGINE_MAX_KERNELS 4

/* One kernel: its traffic and its synchronous steps for n members. */
typedef struct coll_engine_kernel {
    const char *name;   /* as the engine names it: "oneshot", "1stage", ... (the tag) */
    coll_pattern pattern; /* PAT_ALLTOALL (peer memory) or PAT_NVLS (multicast) */
    int steps;          /* flag barriers / Lamport rounds: each pays one route latency */
    bool ordered_sync;  /* its barriers are release/acquire (header): + COLL_ENGINE_ORDERED_SYNC_US */
    /* PAT_ALLTOALL: bytes each ordered pair moves over the whole kernel, as a fraction of the
     * call's bytes: pair_frac + pair_frac_per_n / n (one-shot 1 + 0/n, two-shot 0 + 2/n). */
    double pair_frac, pair_frac_per_n;
    /* PAT_NVLS: bytes up to and down from the switch per GPU, fractions of the call's bytes. */
    double up_frac, down_frac;
} coll_engine_kernel;

/* What an engine's selection looks at: the call as the engine sees it and the group. */
typedef struct coll_engine_query {
    int n;               /* members */
    double bytes;
    double tokens;       /* bytes / row bytes: the [tokens, hidden] tensor's first dimension */
    double hidden;       /* elements per row */
    int type_bytes;
    bool one_node;       /* every member on one node */
    bool nvlink_all;     /* every pair of members NVLink-connected (NVSwitch or full mesh) */
    bool nvls;           /* the group has an NVLS (multicast) capable switch */
    int sm;              /* compute capability x 10: 80 (Ampere), 90 (Hopper), 100 (Blackwell) */
} coll_engine_query;

/* The engine's choice: a kernel index, or -1 for NCCL with *why set (a static phrase). */
typedef int (*coll_engine_select_fn)(const coll_engine_query *q, const char **why);

typedef struct coll_engine_ar {
    ps_coll_algo algo;  /* PS_ALGO_TRTLLM, ... */
    const char *name;   /* "trtllm": the --algo / --allreduce spelling */
    const char *engine; /* "TensorRT-LLM" */
    const coll_engine_kernel *kernels;
    int kernel_count;
    coll_engine_select_fn select;
} coll_engine_ar;

extern const coll_engine_ar coll_engine_ar_trtllm;
extern const coll_engine_ar coll_engine_ar_vllm;

/* The engine algorithm of `algo`, NULL for NCCL's algorithms. */
const coll_engine_ar *coll_engine_ar_of(ps_coll_algo algo);

/* Idle-platform prediction of an engine algorithm's call: the kernel's closed form, or NCCL's
 * tuner (call->algo = AUTO) when the engine falls back. PS_EINPUT for an op other than
 * all_reduce. */
int coll_engine_predict(const ps_coll_group *group, const ps_coll_call *call, ps_coll_result *res,
                        ps_error *err);

/* Kernel `k` of engine `e` for a call of `bytes`, whatever the engine's rule would pick (the
 * measurements of one kernel, validation); coll_engine_kernel_index finds a kernel by name (-1). */
int coll_engine_kernel_index(const coll_engine_ar *e, const char *name);
int coll_engine_predict_kernel(const ps_coll_group *group, const coll_engine_ar *e, int k, double bytes,
                               ps_coll_result *res, ps_error *err);

/* What the SimGrid schedule of an engine kernel needs (the kernel of res, which
 * coll_engine_predict chose): its geometry, protocol row and efficiency. */
int coll_engine_plan(const ps_coll_group *group, const ps_coll_call *call, const ps_coll_result *res,
                     coll_geom *geom, ps_coll_proto_params *row, double *eff, ps_error *err);

#endif
