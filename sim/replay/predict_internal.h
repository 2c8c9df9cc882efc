/* sim/replay/predict_internal.h: what the prediction's parts share (not a public header).
 *
 * predict.c sets the case up (memory, platform, collectives, cost model, engine) and hands it
 * to a scheduler file (sched_static.c, sched_inflight.c), which builds and prices iteration
 * graphs, replays them inside the one simgrid_run and fills the latency / throughput fields of
 * ps_prediction. predict.c then adds what every scheduler shares (error bar, sources, inputs).
 */
#ifndef PARSIM_PREDICT_INTERNAL_H
#define PARSIM_PREDICT_INTERNAL_H

#include "parsim/memory.h"
#include "replay_internal.h"

/* Host gaps a trace measured, per op id (trace_gaps.c). */
typedef struct trace_gaps trace_gaps;
int trace_gaps_read(const char *const *dirs, int ndirs, trace_gaps **out, ps_error *err);
/* The median host gap (s) of the op's occurrences in the traces; 0 when none was measured. */
double trace_gaps_of(const trace_gaps *gaps, const char *op_id);
size_t trace_gaps_count(const trace_gaps *gaps);
void trace_gaps_free(trace_gaps *gaps);

typedef struct predict_case {
    const ps_predict_request *req;
    ps_workload wl;            /* scenario.batch resolved to a number */
    ps_memory_report mem;
    ps_platform *platform;
    bool owns_platform;
    ps_coll_ctx *coll;
    ps_cost_model *cost;
    trace_gaps *gaps;          /* --trace: the host gaps they measured */
    replay_engine *engine;
    ps_timeline *timeline;     /* --timeline */
    ps_launch_mode launch;     /* of the graph being priced (decode: --launch; prefill: eager) */
    replay_costing costing;
    const struct mixed_step *mixed; /* the mixed iteration being priced (attention per part) */
    bool full_replay;          /* every decode step simulated (PARSIM_REPLAY_FULL=1; tests) */
    /* filled by the scheduler: graph-weighted sums for the error bar and the sources */
    double source_s[PS_COST_SOURCE_COUNT];
    double error_weighted_s, priced_s, outside_envelope_s, unknown_error_s;
    double comm_s, comm_small_s;      /* exposed TP communication (s), of which < 1 MiB calls */
    int64_t replayed_ops, activities;
    double sim_seconds;               /* simulated time of all replays */
} predict_case;

/* Builds, prices and segments the graph of `step`. The caller frees both. */
int predict_prepare_step(predict_case *pc, const ps_step *step, ps_graph *graph, replay_graph *rg, ps_error *err);
/* Adds a prepared graph's priced time, weighted by how many iterations it stands for. */
void predict_account_graph(predict_case *pc, const replay_graph *rg, double weight);

/* Critical-rank breakdown of one pass (ms): compute, exposed TP comm, PP hand-off wait, host
 * gaps, and the rest of `period_s` as the pipeline bubble. */
void predict_breakdown(const replay_result *res, int pass, double period_s, double *ms_out);
/* Mean transfer time (ms) of one PP hand-off in a pass (largest over ranks; 0 without PP). */
double predict_handoff_ms(const replay_result *res, int pass);

/* Fills the per-request statistics from arrays of n requests (ms); sorts them in place. */
void predict_request_stats(double *ttft_ms, double *tpot_ms, double *e2e_ms, int64_t n, ps_prediction *out);

/* --explain: simulates every tp x pp of the same GPUs into out->compare (compare.c). Call before
 * this process's simgrid_run. */
int predict_compare_plans(const ps_predict_request *req, ps_prediction *out, ps_error *err);

int sched_static_run(predict_case *pc, ps_prediction *out, ps_error *err);
int sched_inflight_run(predict_case *pc, ps_prediction *out, ps_error *err);

#endif
