/* parsim/coll.h: NCCL collectives as flows on a SimGrid platform (sim/coll/).
 *
 * Every collective call (all_reduce, all_gather, reduce_scatter, alltoall, send/recv, broadcast)
 * is decomposed the way NCCL runs it -- ring steps, NVLS (GPU -> NVSwitch -> GPU), point-to-point,
 * and for all_reduce across nodes chains + double binary trees (Tree) or NVLS + trees (NVLSTree)
 * -- into SimGrid parallel tasks whose flows load the platform's links, so that concurrent
 * traffic (several TP groups, a PP send during an all-reduce) contends for real. Pipelining and
 * protocol costs (LL, LL128, Simple: per-hop latency, bandwidth efficiency) are applied
 * analytically (sleeps and flow sizes), so one call costs a few dozen SimGrid activities whatever
 * its size. The algorithm and protocol are chosen as NCCL's tuner does: the minimum predicted time
 * among the available (algorithm, protocol) pairs. docs/nccl.md has the math and the sources.
 *
 * Use from a simulation (the replay, `parsim nccl`):
 *   ctx   = one per process: the platform plus the calibrated parameters;
 *   group = one per communicator (a TP group, a PP pair): the member GPU ranks, in order;
 *   every member actor calls ps_coll_run(group, member_index, &call, ...) with the same call;
 *   the call returns, in simulated time, when the collective is over for the whole group.
 * Groups must be created before simgrid_run (they own a SimGrid barrier).
 *
 * Invariants: sizes follow nccl-tests (all_gather, reduce_scatter, alltoall: `bytes` is the total
 * buffer, n x per-rank; sendrecv/send: per-rank send size); times are seconds; deterministic.
 */
#ifndef PARSIM_COLL_H
#define PARSIM_COLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "parsim/error.h"
#include "parsim/graph.h"
#include "parsim/platform.h"
#include "parsim/trace.h"

typedef enum ps_coll_op {
    PS_COLL_ALL_REDUCE = 0,
    PS_COLL_ALL_GATHER,
    PS_COLL_REDUCE_SCATTER,
    PS_COLL_ALLTOALL,
    PS_COLL_SENDRECV,  /* nccl-tests sendrecv_perf: every member sends to member+1 (ring) */
    PS_COLL_SEND,      /* one transfer: member 0 -> member 1 of a 2-member group (PP) */
    PS_COLL_BROADCAST,
    PS_COLL_OP_COUNT
} ps_coll_op;

typedef enum ps_coll_algo {
    PS_ALGO_AUTO = -1,
    PS_ALGO_RING = 0,
    PS_ALGO_NVLS,  /* NVLink SHARP: reduction/multicast in the NVSwitch */
    PS_ALGO_P2P,   /* direct transfers (alltoall, send/recv) */
    PS_ALGO_TREE,  /* all_reduce: intra-node chain + inter-node double binary tree (NCCL Tree) */
    PS_ALGO_NVLS_TREE, /* all_reduce, several NVLS nodes: NVLS inside, trees across (NVLSTree) */
    /* NCCL's CollNet (NCCL_COLLNET_ENABLE=1 with a SHARP-capable InfiniBand fabric, the
     * platform's network_sharp): the reduction across nodes is done in the switches. */
    PS_ALGO_COLLNET_DIRECT, /* all_reduce, all_gather, reduce_scatter: NVLink scatter to one head
                               per NIC, in-network reduction, gather back (CollNetDirect) */
    PS_ALGO_COLLNET_CHAIN,  /* all_reduce: per-rail chains in each node, in-network reduction
                               between the chain heads (CollNetChain) */
    /* The serving engines' own all_reduce (sim/coll/allreduce_trtllm.c, allreduce_vllm.c): the
     * engine's selection rule picks one of its kernels over NVLink peer memory (one-shot,
     * two-shot, multicast) or falls back to NCCL's tuner. Never picked by PS_ALGO_AUTO. */
    PS_ALGO_TRTLLM,    /* TensorRT-LLM AllReduce AUTO: ONESHOT / TWOSHOT / NCCL */
    PS_ALGO_VLLM,      /* vLLM: custom all-reduce 1stage / 2stage, torch symm-mem, NCCL */
    PS_ALGO_COUNT
} ps_coll_algo;

typedef enum ps_coll_proto {
    PS_PROTO_AUTO = -1,
    PS_PROTO_LL = 0,
    PS_PROTO_LL128,
    PS_PROTO_SIMPLE,
    PS_PROTO_COUNT
} ps_coll_proto;

const char *ps_coll_op_name(ps_coll_op op);         /* "all_reduce", ... */
/* The collective model's ops from the op graph's kinds and a trace's collectives (graph.h and
 * trace.h spell them "allreduce"; these are nccl-tests' names). send and recv are both
 * PS_COLL_SEND (one transfer, seen from either end). False when the model has no such op (a
 * compute kind, trace "reduce") or, for _to_, the trace has none (sendrecv, the nccl-tests ring
 * pattern). sim/coll/coll_convert.c. */
bool ps_coll_op_from_op_kind(ps_op_kind kind, ps_coll_op *out);
bool ps_coll_op_from_trace_collective(ps_trace_collective coll, ps_coll_op *out);
bool ps_coll_op_to_trace_collective(ps_coll_op op, ps_trace_collective *out);
int ps_coll_op_parse(const char *text, ps_coll_op *out);  /* PS_OK / PS_EINPUT (no message) */
const char *ps_coll_algo_name(ps_coll_algo algo);   /* "ring", "nvls", "p2p", "tree", "nvls_tree",
                                                       "collnet_direct", "collnet_chain",
                                                       "trtllm", "vllm" */
int ps_coll_algo_parse(const char *text, ps_coll_algo *out);  /* case-insensitive */
/* Whether algo is a serving engine's own all_reduce (trtllm, vllm), not one of NCCL's: NCCL's
 * tuner and its calibration never use them. */
bool ps_coll_algo_is_engine(ps_coll_algo algo);
const char *ps_coll_proto_name(ps_coll_proto proto); /* "LL", "LL128", "Simple" */
int ps_coll_proto_parse(const char *text, ps_coll_proto *out); /* case-insensitive */

/* nccl-tests busbw = algbw x factor (doc/PERFORMANCE.md): all_reduce 2(n-1)/n; all_gather,
 * reduce_scatter, alltoall (n-1)/n; broadcast, sendrecv, send 1. */
double ps_coll_busbw_factor(ps_coll_op op, int n);
/* What nccl-tests prints in the redop and root columns ("sum"/"none"; -1 = no root). */
const char *ps_coll_op_redop(ps_coll_op op);
int ps_coll_op_root(ps_coll_op op);
/* Whether nccl-tests has a NAME_perf binary for it (send is parsim's PP transfer: no). */
bool ps_coll_op_has_nccl_test(ps_coll_op op);
/* "all_reduce, all_gather, ..." in enum order (for messages), truncated to size. */
void ps_coll_op_list(char *buf, size_t size, bool nccl_tests_only);

/* ---- Calibrated parameters --------------------------------------------------------------------
 * The few free numbers of the model, per platform. One protocol row = a base latency paid once per
 * call, a latency per synchronous step (hop), a bandwidth efficiency (achieved / link bandwidth)
 * and a pipeline-fill constant (see docs/nccl.md: T = base + steps*max(hop, route latency) + tb +
 * 2*sqrt(steps*fill*tb), tb = bytes on the busiest link / (eff * link bandwidth); for NCCL's NVLS
 * on one node fill is the overhead of each loop iteration after the first, docs/nccl.md). */
typedef struct ps_coll_proto_params {
    double base_us;
    double hop_us;
    double eff;      /* 0 < eff <= 1 */
    double fill_us;
} ps_coll_proto_params;

#define PS_COLL_SCALE_POINTS 3 /* group sizes 2, 4, 8 (log2 interpolation, clamped) */

typedef struct ps_coll_params {
    ps_coll_proto_params ring[PS_PROTO_COUNT]; /* ring all_reduce/all_gather/reduce_scatter/bcast */
    ps_coll_proto_params nvls;                 /* NVLS (Simple only, as in NCCL) */
    ps_coll_proto_params p2p;                  /* alltoall, sendrecv, send */
    /* Tree and NVLS-tree all_reduce. hop_us is the per-step latency inside a node, net_hop_us the
     * per-step latency of a step that crosses nodes (NCCL's hwLat[NET]); the fitted sidecars do
     * not move them (no tree data), they are NCCL's constants unless a sidecar sets them. */
    ps_coll_proto_params tree[PS_PROTO_COUNT];
    double tree_net_hop_us[PS_PROTO_COUNT];
    ps_coll_proto_params nvls_tree;            /* Simple only, as in NCCL */
    double nvls_tree_net_hop_us;
    /* CollNet (Simple only, as in NCCL): hop_us is hwLat[NVLink], net_hop_us hwLat[NET] of the
     * one in-network step; eff the NVLink side's efficiency. sharp_eff_* is the rate of the
     * in-network reduction on the NICs as a fraction of the network's bandwidth efficiency
     * (model.c coll_call_eff; FITTED, params.c). Not in the sidecars: no single-node curve
     * fits them. */
    ps_coll_proto_params collnet_direct;
    ps_coll_proto_params collnet_chain;
    double collnet_direct_net_hop_us;
    double collnet_chain_net_hop_us;
    double nvls_net_hop_us;      /* NVLS across nodes (with CollNet): hwLat[NET][NVLS] */
    double sharp_eff_direct;
    double sharp_eff_chain;
    /* Rings across nodes (NCCL's ring latency, tuning.cc): a step that crosses nodes costs
     * ring_net_hop_us (hwLat[NET][Ring]), every other step at least net_overhead_us (x3 for
     * Simple: "inter-node rings still have to launch nsteps * net overhead"). NCCL's constants;
     * the sidecars do not carry them. */
    double ring_net_hop_us[PS_PROTO_COUNT];
    double net_overhead_us;
    /* Ring bandwidth efficiency relative to an 8-GPU group, for groups of 2, 4, 8 GPUs: NCCL runs
     * fewer/slower channels on small groups. ar = all_reduce, other = the other ring collectives. */
    double ring_scale_ar[PS_COLL_SCALE_POINTS];
    double ring_scale_other[PS_COLL_SCALE_POINTS];
    /* Host launch cost per GPU of one thread (nccl-tests -g G drives G GPUs from one thread: the
     * reported time is at least G x launch_us). Only the nccl-tests driver applies it. */
    double launch_us;
    /* NCCL's NVLS kernel: the rate (GB/s) at which one channel's warps copy the first chunk group
     * into the NVLS buffers and the last one out (model.c coll_nvls_pipeline_s); 0 = no such
     * term, NCCL's own model. */
    double nvls_copy_gbps;
    /* ... and the rate (GB/s) at which one channel's reduce warps on a head multimem.ld_reduce
     * the bytes that head owns (bytes / n); 0 = never the bottleneck (NCCL's model). */
    double nvls_reduce_gbps;
    /* The NCCL release modelled, as NCCL_VERSION_CODE (parsim/platform.h ps_nccl_version_parse):
     * where NCCL's behaviour differs between releases (the NVLS work split over channels, the NVLS
     * channel count on Blackwell; model.c, docs/nccl.md "NCCL versions") the model follows this
     * one. 0 = the platform's (zone property nccl_version), whose default is 2.29.2, the release
     * of NCCL's constants above and of the shipped sidecars' curves. Not a sidecar key: set by
     * `parsim nccl --nccl-version`; ps_coll_ctx_create resolves 0 to the platform's. */
    int nccl_version;
    char source[512]; /* where the numbers come from (file, or "NCCL tuning.cc defaults") */
} ps_coll_params;

/* NCCL's own constants (tuning.cc @ v2.29.2, ../shared/notes/nccl-model.md section 2). */
void ps_coll_params_default(ps_coll_params *params);

/* Reads/writes a calibration sidecar (JSON, docs/nccl.md). Reading: unknown keys are refused,
 * missing keys keep their defaults. `meta` (may be NULL) is a JSON object text merged in as
 * "fitted_on" documentation. Writes are atomic. */
int ps_coll_params_load(const char *path, ps_coll_params *params, ps_error *err);
int ps_coll_params_write(const char *path, const ps_coll_params *params, const char *command,
                         const char *const *data_files, int data_file_count, double rms_log_error,
                         ps_error *err);

/* The sidecar convention: for platforms/NAME.xml, platforms/NAME.nccl.json if it exists.
 * Fills `params` (defaults when there is no sidecar) and returns PS_OK; `override_path` (may be
 * NULL) wins. Writes the path used (or "") to used_path. */
int ps_coll_params_for_platform(const char *platform_path, const char *override_path,
                                ps_coll_params *params, char *used_path, size_t used_path_size,
                                ps_error *err);

/* ---- Engine -------------------------------------------------------------------------------- */
typedef struct ps_coll_ctx ps_coll_ctx;
typedef struct ps_coll_group ps_coll_group;

int ps_coll_ctx_create(const ps_platform *platform, const ps_coll_params *params,
                       ps_coll_ctx **out, ps_error *err);
void ps_coll_ctx_free(ps_coll_ctx *ctx);
const ps_coll_params *ps_coll_ctx_params(const ps_coll_ctx *ctx);
/* Replaces the parameters, except the NCCL version, which stays the ctx's from its creation
 * (the groups cache geometry that depends on it). */
void ps_coll_ctx_set_params(ps_coll_ctx *ctx, const ps_coll_params *params);

/* A communicator over platform GPU ranks ranks[0..n-1] (distinct). n >= 1. */
int ps_coll_group_create(ps_coll_ctx *ctx, int n, const int *ranks, ps_coll_group **out,
                         ps_error *err);
void ps_coll_group_free(ps_coll_group *group);
int ps_coll_group_size(const ps_coll_group *group);
/* Number of rings the group's ring algorithms use (1 on NVSwitch and PCIe inside a node; several
 * edge-disjoint rings on a mesh; one per GPU of a node across nodes). */
int ps_coll_group_ring_count(const ps_coll_group *group);

typedef struct ps_coll_call {
    ps_coll_op op;
    double bytes;        /* nccl-tests size semantics (see top) */
    int root;            /* broadcast: member index of the root */
    ps_coll_algo algo;   /* PS_ALGO_AUTO: tuner */
    ps_coll_proto proto; /* PS_PROTO_AUTO: tuner */
    /* What the engine algorithms (PS_ALGO_TRTLLM, PS_ALGO_VLLM) select by, as the engines see an
     * all-reduce: a [tokens, hidden] tensor. row_bytes = hidden x type_bytes (0: the algorithm's
     * default hidden size, allreduce_engine.c); type_bytes 0 = 2 (bf16). NCCL's algorithms
     * ignore both. */
    double row_bytes;
    int type_bytes;
} ps_coll_call;

typedef struct ps_coll_result {
    double time_s;       /* predicted (ps_coll_predict) or simulated (ps_coll_run) */
    ps_coll_algo algo;   /* what ran: an engine algorithm, or NCCL's (also on a fallback) */
    ps_coll_proto proto; /* NCCL's protocol (PS_PROTO_AUTO when an engine kernel ran) */
    int activities;      /* SimGrid activities the call posted (ptasks + sleeps) */
    /* Engine algorithms (static strings, NULL otherwise): the engine algorithm asked for
     * ("trtllm"), the kernel of it that ran ("oneshot"; NULL when the engine handed the call to
     * NCCL) and, for such a fallback, why ("above the 8 MB workspace"). */
    const char *engine;
    const char *kernel;
    const char *fallback_why;
} ps_coll_result;

/* The nccl-tests tag of a result: "ring/LL", "trtllm/oneshot", or for a fallback
 * "nvls/Simple (trtllm -> NCCL: above the 8 MB workspace)". */
void ps_coll_result_tag(const ps_coll_result *res, char *buf, size_t size);

/* Idle-platform prediction and the tuner's choice, without simulating (callable anywhere).
 * PS_EINPUT when a forced algo/proto is not available for this op/group/platform. */
int ps_coll_predict(const ps_coll_group *group, const ps_coll_call *call, ps_coll_result *res,
                    ps_error *err);

/* Called by every member actor (member = index in the group) with the same call, from inside
 * simgrid_run. Returns when the collective completes; res (may be NULL) is the same for all. */
int ps_coll_run(ps_coll_group *group, int member, const ps_coll_call *call, ps_coll_result *res,
                ps_error *err);

/* ---- nccl-tests: sweeps, logs, calibration ------------------------------------------------- */

/* One row of an nccl-tests table (out-of-place half). */
typedef struct ps_nccl_row {
    double size_bytes;   /* as printed: rounded down to whole elements (per rank x n for the
                            per-rank-count ops), like nccl-tests */
    long long count;     /* elements, as nccl-tests prints them */
    double time_us;
    double algbw_gbps;
    double busbw_gbps;
    ps_coll_algo algo;
    ps_coll_proto proto;
    int activities;
    const char *engine;          /* engine algorithms: as ps_coll_result */
    const char *kernel;
    const char *fallback_why;
} ps_nccl_row;

typedef struct ps_nccl_sweep {
    ps_coll_op op;
    int gpus;                /* the group is platform ranks 0..gpus-1 */
    const double *sizes;     /* requested sizes (bytes), `count` of them */
    int count;
    int type_bytes;          /* 2 for bf16/fp16, 4 for fp32 */
    ps_coll_algo algo;
    ps_coll_proto proto;
    int gpus_per_thread;     /* nccl-tests -g: time >= g x launch_us; 1 = one GPU per thread */
} ps_nccl_sweep;

/* The row's algo/proto tag, as ps_coll_result_tag. */
void ps_nccl_row_tag(const ps_nccl_row *row, char *buf, size_t size);

/* nccl-tests size rounding for one requested size: printed size and element count. */
void ps_nccl_round_size(ps_coll_op op, int n, int type_bytes, double size, double *out_size,
                        long long *out_count);

/* Simulates the sweep in ONE simgrid_run (call once per process, after ps_platform_load): one
 * actor per GPU, the sizes one after another, each timed by the clock between the group's entry
 * and exit barriers. rows must hold sweep->count entries. */
int ps_nccl_simulate(ps_coll_ctx *ctx, const ps_nccl_sweep *sweep, ps_nccl_row *rows,
                     ps_error *err);

/* Several sweeps in ONE simgrid_run, one after another, never overlapping (the tests of one
 * nccl-tests log); rows[k] holds sweeps[k].count entries. One sweep: as ps_nccl_simulate. */
int ps_nccl_simulate_many(ps_coll_ctx *ctx, const ps_nccl_sweep *sweeps, int n_sweeps,
                          ps_nccl_row *const *rows, ps_error *err);

/* Same rows from the closed-form idle-platform model (no SimGrid run). */
int ps_nccl_predict_rows(ps_coll_ctx *ctx, const ps_nccl_sweep *sweep, ps_nccl_row *rows,
                         ps_error *err);

/* The largest nccl-tests size parsim accepts, from a flag (-b, -e, --peak) or a log row: 1 TiB.
 * No GPU holds a larger buffer (H200: 141 GB HBM3e, NVIDIA H200 datasheet; B200: 192 GB, NVIDIA
 * DGX B200 datasheet), nccl-tests allocates it on every GPU, and the size rounding works in
 * 64-bit element counts. */
#define PS_NCCL_MAX_SIZE_BYTES (1ull << 40)

/* A measured curve: one test (section) of an nccl-tests stdout log, or a CSV with the header
 * size_bytes,time_us,algbw_GBps,busbw_GBps (../shared/data/nccl). What the file does not say
 * (op, GPU count, -g) comes from the caller (has_* false = unknown). */
typedef struct ps_nccl_curve {
    char path[512];
    ps_coll_op op;
    bool has_op;            /* the log names a collective parsim models */
    int gpus;               /* highest "#  Rank" number + 1 (or the caller's count); 0 = unknown */
    int gpus_per_thread;    /* from the log's "nGpus" header; 1 when absent */
    ps_coll_algo algo;      /* PS_ALGO_AUTO unless the caller forces one (e.g. NCCL_ALGO=Ring) */
    int type_bytes;         /* from the type column (0 = unknown, CSV) */
    int n_rows;             /* rows of more than 0 bytes, in file order */
    double *size_bytes;
    double *time_us;        /* out-of-place time */
    /* nccl-tests logs only (0 / "" for a CSV): */
    int section;            /* 1-based, in file order */
    int line;               /* first line of the section */
    char op_name[32];       /* the collective as the log names it ("all_reduce", "reduce", ...);
                               "" when the log does not say */
    int zero_rows;          /* 0-byte rows skipped: NCCL launches nothing for them */
} ps_nccl_curve;

/* An nccl-tests stdout log: one curve per test, as `all_reduce_perf`, `all_gather_perf`, ...
 * print them one after another (docs/nccl.md lists the layouts read and what is refused). */
typedef struct ps_nccl_log {
    char path[512];
    int n_curves;
    ps_nccl_curve *curves;
} ps_nccl_log;

/* Reads an nccl-tests log (or a calibration CSV: one curve). gpus > 0 is the caller's GPU count
 * (--gpus): it replaces the Rank lines' and lets a section whose rank numbers have gaps (a pasted
 * excerpt) be read. Bad input: PS_EINPUT "FILE:LINE: reason". */
int ps_nccl_log_read(const char *path, int gpus, ps_nccl_log *log, ps_error *err);
/* The same from an open stream; `name` is used in messages (fuzzing, tests). */
int ps_nccl_log_read_stream(FILE *f, const char *name, int gpus, ps_nccl_log *log, ps_error *err);
void ps_nccl_log_free(ps_nccl_log *log);

/* Picks one curve: op_name (NULL: any) and/or section (1-based; 0: any). With neither, a log of
 * one curve gives it. A log whose only section does not name its collective matches any op_name
 * (the caller then names it). PS_EINPUT naming what is there when nothing or several match. */
int ps_nccl_log_select(const ps_nccl_log *log, const char *op_name, int section, int *index,
                       ps_error *err);
/* Why parsim cannot compare curve c ("" when it can): an nccl-tests collective parsim does not
 * model, or one the log does not name. */
const char *ps_nccl_curve_unsupported(const ps_nccl_curve *c);
/* Whether `name` is an nccl-tests collective (NAME_perf) parsim does not model (reduce, ...). */
bool ps_nccl_tests_unmodelled(const char *name);
/* Moves curve `index` out of the log into *out (the log keeps an empty curve there). */
void ps_nccl_log_take(ps_nccl_log *log, int index, ps_nccl_curve *out);

/* A CSV, or a log holding exactly one test; several: PS_EINPUT (pick one: ps_nccl_log_select). */
int ps_nccl_curve_read(const char *path, ps_nccl_curve *curve, ps_error *err);
void ps_nccl_curve_free(ps_nccl_curve *curve);

/* A published peak: busbw at one size, used as an extra calibration point (e.g. 480 GB/s all_reduce
 * at 8 GiB on 8 H100s, ../shared/notes/nccl-model.md finding 1). */
typedef struct ps_nccl_anchor {
    ps_coll_op op;
    int gpus;
    ps_coll_algo algo;
    double size_bytes;
    double busbw_gbps;
} ps_nccl_anchor;

/* Fits params (in place: the start point) to the curves and anchors by least squares on log time
 * (deterministic coordinate search). Writes the root-mean-square log error to *rms. */
int ps_nccl_calibrate(ps_coll_ctx *ctx, const ps_nccl_curve *curves, int n_curves,
                      const ps_nccl_anchor *anchors, int n_anchors, ps_coll_params *params,
                      double *rms, ps_error *err);

#endif
