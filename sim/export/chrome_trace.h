/* sim/export/chrome_trace.h: timelines as Chrome trace-event JSON (what Perfetto UI and
 * chrome://tracing open), from trace rows.
 *
 * One writer for measured and predicted timelines: `parsim trace export` feeds it the rows of a
 * recorded trace, the simulator will feed it the rows it predicts (ps_trace_activity and
 * ps_trace_comm from parsim/trace.h), so both look alike side by side.
 *
 * Layout (imitating PyTorch Kineto, ../shared/notes/recording.md section 4.2):
 *   - one process per rank, pid = rank, named "rank N (GPU name)", sorted by rank;
 *   - one thread per CUDA stream, tid = stream id, named "stream S";
 *   - NCCL calls on their own tracks per stream: "NCCL stream S" (collectives), "NCCL send stream S"
 *     and "NCCL recv stream S" (send and recv of one group overlap; Perfetto requires the
 *     complete events of one track to nest, so they may not share one);
 *   - every row a complete event (ph "X"), ts and dur in microseconds with 3 decimals (exact ns),
 *     relative to origin_ns, which the top-level "baseTimeNanoseconds" records;
 *   - kernels: cat "kernel", args device, stream, correlation, op_id, grid, block;
 *     memcpy / memset: cat "gpu_memcpy" / "gpu_memset", args add bytes;
 *     NCCL calls: cat "collective_comm", args collective, bytes, dtype, peer or root, group,
 *     group_size, seq, op_id, correlation.
 * Comm rows without GPU times (shard emulation) are skipped and counted.
 *
 * Output is streamed (memory: one entry per (rank, track) seen) and written atomically; the same
 * rows give byte-identical output.
 */
#ifndef PARSIM_EXPORT_CHROME_TRACE_H
#define PARSIM_EXPORT_CHROME_TRACE_H

#include <stdint.h>

#include "parsim/error.h"
#include "parsim/trace.h"

typedef struct ps_chrome_options {
    int64_t origin_ns;      /* subtracted from every time (use the trace's first start) */
    const char *gpu_name;   /* for process names; NULL or "" = "GPU" */
    const char *label;      /* optional, e.g. "measured" or "predicted": prefixes process names */
    const ps_trace_meta *meta; /* optional: copied into the top-level "parsim" object */
} ps_chrome_options;

typedef struct ps_chrome_writer ps_chrome_writer;

int ps_chrome_open(ps_chrome_writer **out, const char *path, const ps_chrome_options *opts, ps_error *err);
int ps_chrome_add_activity(ps_chrome_writer *w, const ps_trace_activity *a, ps_error *err);
int ps_chrome_add_comm(ps_chrome_writer *w, const ps_trace_comm *c, ps_error *err);
/* Events written so far, and comm rows skipped for lack of GPU times. */
uint64_t ps_chrome_events(const ps_chrome_writer *w);
uint64_t ps_chrome_skipped(const ps_chrome_writer *w);
/* Finishes the JSON, commits the file and frees the writer (also on failure). */
int ps_chrome_close(ps_chrome_writer *w, ps_error *err);
void ps_chrome_abort(ps_chrome_writer *w);

/* Convenience: checks a trace directory (ps_trace_check) and exports all of it. */
int ps_chrome_export_trace(const char *dir, const char *path, uint64_t *events, uint64_t *skipped,
                           ps_error *err);

#endif
