/* sim/replay/trace_replay.h: `parsim replay TRACE` (trace_replay.c). Not a public header: the
 * CLI is its only user. */
#ifndef PARSIM_TRACE_REPLAY_H
#define PARSIM_TRACE_REPLAY_H

#include "parsim/platform.h"
#include "parsim/trace.h"

#define TRACE_REPLAY_MAX_RANKS 64 /* ranks whose per-stream busy times are reported */

typedef struct ps_trace_replay_result {
    int ranks, tp;
    double recorded_span_ms;   /* first start to last end in the trace */
    double replayed_ms;        /* the same, replayed on the platform */
    double kernel_ms;          /* recorded kernel + memcpy/memset time, all ranks */
    double comm_recorded_ms, comm_replayed_ms; /* NCCL call time, all ranks */
    int64_t ops;
    int64_t stream_id[TRACE_REPLAY_MAX_RANKS][3];  /* CUDA stream ids (-1: unused slot) */
    double busy_ms[TRACE_REPLAY_MAX_RANKS][3];     /* replayed busy time per stream */
    char calibration[1024];
    int nccl_version;          /* the trace's NCCL release, used for the model; 0 = the platform's */
} ps_trace_replay_result;

int ps_trace_replay(const char *dir, ps_platform *platform, const char *timeline_path, ps_trace_replay_result *out,
                    ps_error *err);

#endif
