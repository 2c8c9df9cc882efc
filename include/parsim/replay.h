/* parsim/replay.h: the replay engine's product: the prediction of one serving case
 * (DESIGN.md sections 2 and 7; docs/predict.md has every field's definition and JSON key).
 *
 * One call = one simgrid_run: a process predicts one (workload, platform, serving) case and the
 * result is a plain struct (no pointers) that can cross a pipe, so a sweep runs each case in its
 * own process. Text and JSON are small writers over ps_prediction (sim/replay/prediction_write.c).
 *
 * The engine itself (sim/replay/replay_internal.h) replays op graphs: one SimGrid actor per
 * (rank, stream), compute ops timed by the cost model, TP collectives and PP hand-offs through
 * the collective model, so that contention on the platform is simulated, not assumed.
 *
 * Invariants: times in ms unless a name says otherwise; rates per second; identical inputs give
 * byte-identical writer output; a plan that does not fit gives fits = false, the shortfall and
 * no times (ps_predict still returns PS_OK).
 */
#ifndef PARSIM_REPLAY_H
#define PARSIM_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include <stdio.h>

#include "parsim/cost.h"
#include "parsim/error.h"
/* The loaded platform, opaque here (parsim/platform.h, which needs SimGrid): the reports that
 * read a prediction include this header and must not pull in SimGrid (tests/layering). C11 allows
 * this typedef to repeat platform.h's. */
typedef struct ps_platform ps_platform;
#include "parsim/workload.h"

typedef enum ps_engine { PS_ENGINE_TRTLLM = 0, PS_ENGINE_VLLM } ps_engine;
typedef enum ps_scheduler { PS_SCHED_INFLIGHT = 0, PS_SCHED_STATIC } ps_scheduler;
typedef enum ps_allreduce_impl { PS_ALLREDUCE_ENGINE = -1, PS_ALLREDUCE_NCCL = 0, PS_ALLREDUCE_TRTLLM,
                                 PS_ALLREDUCE_VLLM } ps_allreduce_impl;

#define PS_PREDICT_MAX_TRACES 16

typedef struct ps_serving {
    ps_engine engine;
    ps_scheduler scheduler;
    int64_t max_batch_size;   /* sequences per microbatch; 0 = engine default */
    int64_t max_num_tokens;   /* tokens per iteration; 0 = engine default */
    int chunked_prefill;      /* -1 engine default, 0 off, 1 on */
    int64_t requests;         /* requests in the run; 0 = default: 1000 for --batch max and --rate,
                                 4 x N (at most 1000, at least N) for --batch N */
    double rate_per_s;        /* 0 = closed loop (--batch N keeps N in flight) */
    uint64_t seed;
    ps_allreduce_impl allreduce;
    ps_launch_mode launch;
} ps_serving;

typedef enum ps_breakdown_part {
    PS_PART_COMPUTE = 0, PS_PART_TP_COMM_EXPOSED, PS_PART_PP_BUBBLE, PS_PART_PP_HANDOFF,
    PS_PART_HOST_GAPS, PS_PART_COUNT
} ps_breakdown_part;
const char *ps_breakdown_part_name(ps_breakdown_part part); /* "compute", "tp_comm_exposed", ... */

/* --explain: the other plans of the same GPU count, each simulated in its own process with the
 * same model, platform, scenario and serving settings (sim/replay/compare.c). */
#define PS_PREDICT_MAX_COMPARE 12
typedef struct ps_plan_outcome {
    int tp, pp;
    bool failed;                  /* the simulation failed (message in why) */
    bool fits;
    double shortfall_bytes, memory_bytes_per_gpu;
    double output_tok_s, output_tok_s_per_user, ttft_ms, tpot_ms;
    double breakdown_ms[2][PS_PART_COUNT]; /* [ps_phase][part], as ps_prediction's */
    int64_t allreduces_per_decode_step;    /* on one GPU */
    char why[160];
} ps_plan_outcome;

typedef struct ps_prediction {
    bool fits;
    double shortfall_bytes;
    /* Why it does not fit when the memory plan fits but the engine's KV cache cannot hold one
     * request (prompt + output): the weights leave room, the workspace of its limits does not
     * leave enough for the KV. Empty otherwise. `parsim predict` refuses such a plan (exit 2
     * with this line, as the engines refuse to start); a sweep keeps it as a row that does not
     * fit, so that one such layout does not end the study. */
    char not_fit_reason[320];
    double memory_bytes_per_gpu;
    double ttft_ms, tpot_ms, e2e_ms;
    double ttft_ms_p50, ttft_ms_p90, ttft_ms_p99;
    double tpot_ms_p50, tpot_ms_p90, tpot_ms_p99;
    double e2e_ms_p50, e2e_ms_p90, e2e_ms_p99;
    double batch;                 /* mean sequences in flight */
    double output_tok_s, output_tok_s_per_gpu, output_tok_s_per_user;
    double breakdown_ms[2][PS_PART_COUNT]; /* [ps_phase][part], ms per iteration */
    double handoff_transfer_ms[2]; /* [ps_phase] one PP hand-off's transfer time (0 without PP) */
    double cost_sources[PS_COST_SOURCE_COUNT]; /* share of predicted compute time per source */
    double error_pct;
    bool in_envelope;
    int gpus;
    char platform[PS_WORKLOAD_PATH_BYTES];
    char coefficients[512];
    char calibration[PS_WORKLOAD_PATH_BYTES];
    /* added by the replay owner */
    ps_scheduler scheduler;
    ps_allreduce_impl allreduce;   /* the all-reduce implementation used (never ENGINE) */
    int64_t isl, osl, requests;    /* requests = requests simulated */
    int tp, pp, dp;
    double iterations;             /* engine iterations of the run */
    int64_t replayed_ops;          /* op-graph ops replayed (before merging) */
    int64_t activities;            /* SimGrid work items they cost */
    double simulated_ms;           /* simulated time of all replays */
    /* in-flight scheduler (0 for static) */
    int64_t max_batch_size, max_num_tokens; /* the limits used (engine defaults or flags) */
    bool chunked_prefill;
    int64_t kv_capacity_tokens;    /* KV cache per replica, tokens */
    int64_t preemptions;           /* vLLM: requests preempted (recomputed) when the KV ran out */
    int64_t distinct_iterations;   /* iteration compositions replayed (the rest reused) */
    /* --explain: one decode step of the scenario on the busiest rank (rank 0's stage) */
    int64_t explain_allreduces;        /* TP all-reduces per decode step on one GPU */
    double explain_allreduce_bytes;    /* the size of one */
    double explain_hbm_bytes;          /* HBM bytes read + written per decode step on one GPU */
    double explain_flops;              /* FLOPs per decode step on one GPU */
    double explain_hbm_bytes_per_s, explain_peak_flops; /* the GPU's ratings */
    double explain_compute_bound_share; /* of the decode step's priced compute time */
    int64_t explain_batch;             /* sequences of that decode step */
    int ncompare;                      /* --explain: plans compared (this one included), tp descending */
    ps_plan_outcome compare[PS_PREDICT_MAX_COMPARE];
} ps_prediction;

typedef struct ps_predict_request {
    ps_workload workload;         /* plan, model, scenario; gpu resolved from the platform */
    char platform_path[PS_WORKLOAD_PATH_BYTES];
    ps_serving serving;
    int ntraces;
    char traces[PS_PREDICT_MAX_TRACES][PS_WORKLOAD_PATH_BYTES];
    const char *timeline_path;    /* NULL = none */
    ps_platform *platform;        /* the platform, already loaded (borrowed); NULL: load platform_path */
    bool compare_plans;           /* --explain: also simulate the other tp x pp of the same GPUs */
} ps_predict_request;

void ps_serving_init(ps_serving *serving);
/* Runs the whole prediction (one simgrid_run). Call once per process. */
int ps_predict(const ps_predict_request *request, ps_prediction *out, ps_error *err);

const char *ps_engine_name(ps_engine engine);          /* "trtllm", "vllm" */
const char *ps_scheduler_name(ps_scheduler scheduler); /* "inflight", "static" */
const char *ps_allreduce_impl_name(ps_allreduce_impl impl); /* "engine", "nccl", "trtllm", "vllm" */

/* One JSON object (keys in docs/predict.md), then a newline. PS_EINTERNAL if a write fails. */
int ps_prediction_write_json(FILE *out, const ps_prediction *p, ps_error *err);
/* The human table: latency, throughput, memory, breakdown, sources. */
int ps_prediction_write_text(FILE *out, const ps_prediction *p, ps_error *err);
/* --explain: the same case in words: where a decode step's time goes, what bounds it, why. */
int ps_prediction_write_explain(FILE *out, const ps_prediction *p, ps_error *err);

#endif
