/* sim/replay/replay_internal.h: the replay engine's inner interface (not a public header).
 *
 * The engine replays op graphs (parsim/graph.h) on a loaded SimGrid platform:
 *   - one actor per (rank, stream) that has ops; ops run in stream order; an op waits for its
 *     deps on other streams of its rank;
 *   - compute ops take the duration the cost callback gives them (one SimGrid exec on the GPU
 *     host, amount = duration x host speed, so a concurrent communication kernel that takes a
 *     share of the GPU slows it: see "overlap" below);
 *   - TP collectives run through ps_coll_run on the TP group; PP hand-offs (send on stage s,
 *     recv on stage s+1, matched in stream order) through ps_coll_run with PS_COLL_SEND on a
 *     two-member group, so they load the platform's links and contend with everything else;
 *   - consecutive compute ops of one stream into which nothing can interleave (no dependency
 *     into or out of another stream between them) are ONE exec ("segment"); a segment's ops keep
 *     their individual durations for the timeline and the breakdown.
 *
 * Passes. A run replays a sequence of iteration graphs ("passes") back to back: every stream
 * runs pass p's ops, then pass p+1's, so iterations overlap exactly as far as stream order and
 * dependencies allow. With pipeline parallelism the engine adds the feedback that serving
 * engines have: microbatch m of pass p+1 enters stage 0 only after it left the last stage in
 * pass p (its next token is needed; TensorRT-LLM's _executor_loop_pp, serving.md 2.7), so a
 * steady state of pp microbatches in flight appears after a pass or two. A pass's period is the
 * distance between the ends of consecutive passes.
 *
 * Overlap. While k PP hand-off kernels (pp_send / pp_recv streams) run on a GPU, its compute
 * progresses at 1 - k x share of its speed: a compute segment that overlapped hand-offs for H
 * hand-off-seconds is stretched by share x H (and again for what the stretch overlapped). The
 * share (replay_graph.overlap_share) is the communication kernel's take of SMs (compute-bound
 * work) or HBM bandwidth (memory-bound work), weighted by the graph's compute-bound time
 * (predict.c says where the numbers come from). (ptask_L07, which the collective model needs,
 * supports no bound on an exec, so the share is applied to the compute side.)
 *
 * Deadlock. SimGrid ends simgrid_run quietly when every actor is blocked (an unmatched send, a
 * collective missing a member). Every actor records the op it waits on; after the run the
 * driver reports the first unfinished one as PS_EINPUT "op ID on rank R stream S never
 * completed".
 *
 * Determinism: actors are created in (rank, stream) order and SimGrid is deterministic.
 */
#ifndef PARSIM_REPLAY_INTERNAL_H
#define PARSIM_REPLAY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "parsim/coll.h"
#include "parsim/cost.h"
#include "parsim/graph.h"
#include "parsim/platform.h"
#include "parsim/replay.h"
#include "parsim/timeline.h"

/* What a compute op costs. */
typedef struct replay_op_cost {
    double time_s;
    ps_cost_source source;
    bool compute_bound;
    double error_pct;       /* the source's held-out error for this op kind */
    bool in_envelope;
    double host_gap_s;      /* of time_s: the GPU idle, waiting for the host to launch the op
                               (eager launches; predict.c says where it comes from) */
} replay_op_cost;

/* Prices one compute op of `graph` on `rank` (only called for compute kinds). */
typedef int (*replay_cost_fn)(void *ctx, const ps_graph *graph, int rank, const ps_op *op,
                              replay_op_cost *out, ps_error *err);

typedef struct replay_segment {
    int first, last;        /* op indices (into the rank's ops) of the stream's run, inclusive */
    int first_pos, end_pos; /* positions in the stream: [first_pos, end_pos) */
    double time_s;          /* compute: sum of the ops' durations */
    double host_gap_s;      /* of time_s: the ops' host gaps */
    bool comm;              /* a single communication op */
    int ndeps;              /* cross-stream deps of the first op: (stream, position) */
    int dep_stream[PS_OP_MAX_DEPS];
    int dep_pos[PS_OP_MAX_DEPS];
    int feedback_mb;        /* stage 0 compute: first op of this microbatch (-1: none) */
    int mb_end;             /* last stage compute: last op of this microbatch ends here (-1) */
} replay_segment;

typedef struct replay_stream_ops {
    int nops;               /* ops of the rank on this stream */
    int *ops;               /* their indices, in order */
    int nsegs;
    replay_segment *segs;
} replay_stream_ops;

/* A graph made ready to replay (costs and segments computed once, reused by every pass). */
typedef struct replay_graph {
    const ps_graph *graph;
    double **op_time_s;             /* [rank][op] compute duration (0 for communication) */
    double **op_gap_s;              /* [rank][op] of which host gap (replay_op_cost.host_gap_s) */
    unsigned char **op_source;      /* [rank][op] ps_cost_source of a compute op */
    replay_stream_ops (*streams)[PS_STREAM_COUNT]; /* [rank][stream] */
    double overlap_share;           /* GPU share a concurrent hand-off kernel takes (0..1) */
    double compute_s_by_source[PS_COST_SOURCE_COUNT]; /* summed over ranks */
    double compute_bound_s, compute_s;                 /* summed over ranks */
    double host_gap_s;                                 /* of compute_s: host gaps, summed over ranks */
    double error_weighted_s;        /* sum of time x error_pct (ops with a known error) */
    double unknown_error_s;         /* time of ops whose source has no validated error */
    double outside_envelope_s;      /* time of ops outside the cost model's envelope */
    bool feedback;                  /* PP: microbatch m waits for its previous pass (decode) */
    int64_t ops;                    /* ops of the graph (before merging) */
    int64_t segments;               /* SimGrid-level work items after merging */
} replay_graph;

typedef struct replay_costing {
    replay_cost_fn fn;
    void *ctx;
    double sm_share, hbm_share;     /* overlap shares for compute-bound and memory-bound work */
    bool no_merge;                  /* one exec per op (for the merge test) */
} replay_costing;

int replay_graph_prepare(const ps_graph *graph, const replay_costing *costing, replay_graph *out,
                         ps_error *err);
void replay_graph_free(replay_graph *rg);

/* The communicators of a plan's graphs: TP groups (graph group index) and PP pairs. Created
 * before simgrid_run. */
typedef struct replay_engine replay_engine;

typedef struct replay_engine_config {
    ps_platform *platform;
    ps_coll_ctx *coll;
    const ps_plan *plan;
    ps_coll_algo allreduce_algo;  /* PS_ALGO_AUTO: NCCL's tuner; PS_ALGO_TRTLLM / PS_ALGO_VLLM: the
                                     engine's own all-reduce (sim/coll/allreduce_*.c) */
    bool record_ops;              /* keep every op's start/end in replay_result.events */
    ps_timeline *timeline;        /* NULL, or every replayed op is written to it (--timeline) */
    int64_t timeline_max_events;  /* stop writing after this many (0: no limit) */
    /* What the engine algorithms select by (ps_coll_call): the all-reduced tensor's row (hidden x
     * activation bytes) and element size; 0: the algorithm's defaults. */
    double allreduce_row_bytes;
    int allreduce_type_bytes;
} replay_engine_config;

int replay_engine_create(const replay_engine_config *config, replay_engine **out, ps_error *err);
void replay_engine_free(replay_engine *engine);

/* Per rank, per pass: where the compute stream's time went. */
typedef struct replay_rank_pass {
    double start_s, end_s;  /* first op start, last op end (compute stream) */
    double compute_s;       /* execs (slowed by overlap included) */
    double compute_ideal_s; /* the ops' own durations */
    double host_gap_s;      /* of compute_s: the GPU idle between eager launches (not slowed by overlap) */
    double tp_comm_s;       /* collectives on the compute stream */
    double wait_recv_s;     /* blocked on a pp_recv (the upstream stage, then the transfer) */
    double recv_xfer_s;     /* transfer time of this rank's pp_recvs in the pass (recv stream) */
    int recv_count;         /* pp_recvs in the pass */
    double wait_other_s;    /* blocked on anything else (feedback: the pipeline) */
} replay_rank_pass;

/* One recorded op execution (record_ops). */
typedef struct replay_op_event {
    int pass, rank, op;
    double start_s, end_s;
} replay_op_event;

typedef struct replay_result {
    int npasses, nranks;
    double start_s;              /* clock when the run started */
    double *pass_end_s;          /* [pass]: last op of the pass, all ranks */
    double *mb_end_s;            /* [pass * PS_PLAN_MAX_MICROBATCHES + mb]: left the last stage */
    replay_rank_pass *rank_pass; /* [pass * nranks + rank] */
    int64_t ops, activities;     /* replayed ops (counted before merging), SimGrid work items */
    replay_op_event *events;     /* record_ops */
    size_t nevents, cap_events;
} replay_result;

void replay_result_free(replay_result *res);

/* Replays passes[0..npasses-1] back to back. Must be called from inside a SimGrid actor (the
 * driver, see replay_simulate): spawns the stream actors and returns when they are done.
 * A deadlock does not return (the driver blocks too); replay_simulate reports it. */
int replay_run_passes(replay_engine *engine, const replay_graph *const *passes, int npasses,
                      replay_result *out, ps_error *err);

/* Runs driver(arg) as a SimGrid actor on GPU 0 in one simgrid_run; the driver returns a
 * ps_error code (and fills *err). Reports a deadlock as PS_EINPUT naming the op. */
typedef int (*replay_driver_fn)(replay_engine *engine, void *arg, ps_error *err);
int replay_simulate(replay_engine *engine, replay_driver_fn driver, void *arg, ps_error *err);

#endif
