/* parsim/timeline.h: measured and predicted timelines as Chrome trace-event JSON, the format
 * Perfetto UI (ui.perfetto.dev) and chrome://tracing open.
 *
 * ONE writer for both: `parsim trace export` feeds it the rows of a recorded trace, the replay
 * feeds it the rows it predicts (ps_trace_activity and ps_trace_comm of parsim/trace.h), so a
 * measured and a predicted run look alike side by side. SimGrid-free (libc + core): the replay
 * calls it from inside a simulation, the exporter without one. Implementation:
 * sim/export/timeline.c.
 *
 * Layout (imitating PyTorch Kineto, ../shared/notes/recording.md section 4.2, so that people who
 * know Kineto traces read these at once):
 *   - GPUs: one process per rank, pid = rank, named "[LABEL ]rank N (GPU name)", sorted by rank;
 *     one thread per CUDA stream, tid = stream id, named "stream S";
 *     NCCL calls on their own threads per stream: "NCCL stream S" (collectives, tid = 2^32 + S),
 *     "NCCL send stream S" (2 x 2^32 + S), "NCCL recv stream S" (3 x 2^32 + S): a send and a
 *     recv of one group overlap, and Perfetto wants the complete events of one thread to nest.
 *   - Links (ps_timeline_define_link): one process per link class ("nvlink", "pcie", "nic",
 *     any name), pid = PS_TIMELINE_LINK_PID_BASE + class number (classes numbered 0, 1, ... in
 *     order of definition), named "[LABEL ]links: CLASS", sorted after every rank; one thread per
 *     link (tid = link id + 1), named by the link ("gpu0->nvswitch0"). A link carries slices
 *     (ps_timeline_add_link_slice: a transfer that had the link to itself, e.g. a p2p hand-off)
 *     and a counter (ps_timeline_add_link_counter: e.g. the bandwidth in use over time, the right
 *     picture when flows share the link). Slices on one link must nest or follow each other,
 *     like every Perfetto thread's complete events; flows that share a link go in the counter.
 *   - Every slice is a complete event (ph "X"); ts and dur in microseconds with exactly 3
 *     decimals (integer ns, no digit lost), relative to origin_ns, which the top-level
 *     "baseTimeNanoseconds" records. Counters are ph "C" events.
 *   - args: kernels cat "kernel" {device, stream, correlation, op_id, grid, block};
 *     memcpy / memset cat "gpu_memcpy" / "gpu_memset" {device, stream, correlation, op_id, bytes};
 *     NCCL calls cat "collective_comm" {collective, bytes, dtype, peer (p2p) or root (broadcast,
 *     reduce), group, group_size, seq, op_id, correlation, stream}; link slices cat "link"
 *     {class, link, bytes}; then the caller's extra arguments, in the order given.
 *   - a top-level "parsim" object copies the trace metadata when options.meta is set.
 * Comm rows without GPU times (shard emulation) are skipped and counted, not drawn.
 *
 * Extra arguments (the hook for annotations): every add function takes `extra`, NULL or a list
 * of typed key/value pairs appended to that event's args. The replay tags predicted events with
 * where their duration came from and how wrong it may be:
 *     ps_timeline_arg tags[] = {PS_TIMELINE_STR("source", "model"), PS_TIMELINE_NUM("error_pct", 7)};
 *     ps_timeline_args extra = {tags, 2};
 *     ps_timeline_add_activity(tl, &row, &extra, &err);       -> "args": {..., "source": "model", "error_pct": 7}
 * Keys are non-empty strings (JSON-escaped), and may not repeat a built-in key of that event or
 * each other (a duplicate JSON key would make viewers drop one silently): PS_EINPUT names it.
 * Numbers must be finite (JSON has no NaN); they are printed with %.17g, integers exactly.
 *
 * Invariants: rows are validated with the trace format's rules (ps_trace_activity_validate,
 * ps_trace_comm_validate) before anything is written; output is streamed (memory: one entry per
 * (rank, track) seen and per defined link) and written atomically (temporary file, rename at
 * ps_timeline_close; nothing appears on failure); the same calls give byte-identical output.
 * Errors are ps_error codes, never exit().
 *
 * Use:
 *     ps_timeline_options o = {.origin_ns = first_ns, .gpu_name = "NVIDIA H200", .label = "predicted"};
 *     ps_timeline *tl;
 *     ps_timeline_open(&tl, "predicted.json", &o, &err);
 *     ps_timeline_add_activity(tl, &kernel_row, NULL, &err);  ... ps_timeline_add_comm(...)
 *     int nvl0; ps_timeline_define_link(tl, "nvlink", "gpu0->nvswitch", &nvl0, &err);
 *     ps_timeline_add_link_counter(tl, nvl0, t_ns, "GB/s", 412.5, &err);
 *     ps_timeline_close(tl, &err);   (or ps_timeline_abort(tl) to discard)
 */
#ifndef PARSIM_TIMELINE_H
#define PARSIM_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "parsim/error.h"
#include "parsim/trace.h"

/* Link processes get pids from here up: above every rank (ranks are < 2^16). */
#define PS_TIMELINE_LINK_PID_BASE 1000000
#define PS_TIMELINE_MAX_LINK_CLASSES 64
#define PS_TIMELINE_MAX_LINKS 65536

typedef struct ps_timeline_options {
    int64_t origin_ns;         /* subtracted from every time (use the run's first start) */
    const char *gpu_name;      /* for process names; NULL or "" = "GPU" */
    const char *label;         /* optional, e.g. "measured" or "predicted": prefixes process names */
    const ps_trace_meta *meta; /* optional: copied into the top-level "parsim" object */
} ps_timeline_options;

typedef enum ps_timeline_arg_type { PS_TIMELINE_ARG_STRING, PS_TIMELINE_ARG_NUMBER, PS_TIMELINE_ARG_INT } ps_timeline_arg_type;

/* One extra argument. Build with the macros below. */
typedef struct ps_timeline_arg {
    const char *key;
    ps_timeline_arg_type type;
    const char *str; /* STRING */
    double num;      /* NUMBER (finite) */
    int64_t i64;     /* INT */
} ps_timeline_arg;

#define PS_TIMELINE_STR(k, v) ((ps_timeline_arg){.key = (k), .type = PS_TIMELINE_ARG_STRING, .str = (v)})
#define PS_TIMELINE_NUM(k, v) ((ps_timeline_arg){.key = (k), .type = PS_TIMELINE_ARG_NUMBER, .num = (v)})
#define PS_TIMELINE_INT(k, v) ((ps_timeline_arg){.key = (k), .type = PS_TIMELINE_ARG_INT, .i64 = (v)})

typedef struct ps_timeline_args {
    const ps_timeline_arg *items;
    size_t count;
} ps_timeline_args;

typedef struct ps_timeline ps_timeline;

int ps_timeline_open(ps_timeline **out, const char *path, const ps_timeline_options *opts, ps_error *err);

/* A kernel, memcpy or memset on its rank's stream track. */
int ps_timeline_add_activity(ps_timeline *tl, const ps_trace_activity *a, const ps_timeline_args *extra, ps_error *err);
/* A NCCL call on its rank's NCCL track for that stream (skipped and counted without GPU times). */
int ps_timeline_add_comm(ps_timeline *tl, const ps_trace_comm *c, const ps_timeline_args *extra, ps_error *err);

/* Defines a link of a class (both names: printable text, at most 127 bytes) and gives its id
 * (0, 1, ... in order of definition). Defining the same (class, name) twice is PS_EINPUT. */
int ps_timeline_define_link(ps_timeline *tl, const char *link_class, const char *link_name, int *link_id,
                            ps_error *err);
/* A slice on a link's track, e.g. "send pp0-1 seq 3"; bytes 0 = not shown. */
int ps_timeline_add_link_slice(ps_timeline *tl, int link_id, const char *name, int64_t start_ns, int64_t end_ns,
                               uint64_t bytes, const ps_timeline_args *extra, ps_error *err);
/* The link's counter takes `value` (finite) from ts_ns on; `series` names it ("GB/s",
 * "utilisation"). A link may carry several series; Perfetto draws one counter track each. */
int ps_timeline_add_link_counter(ps_timeline *tl, int link_id, int64_t ts_ns, const char *series, double value,
                                 ps_error *err);

/* Events written so far, and comm rows skipped for lack of GPU times. */
uint64_t ps_timeline_events(const ps_timeline *tl);
uint64_t ps_timeline_skipped(const ps_timeline *tl);
/* Finishes the JSON, commits the file and frees the writer (also on failure). */
int ps_timeline_close(ps_timeline *tl, ps_error *err);
/* Discards the file and frees the writer. NULL is fine. */
void ps_timeline_abort(ps_timeline *tl);

/* `parsim trace export`: checks a trace directory (ps_trace_check) and writes all of it. */
int ps_timeline_export_trace(const char *dir, const char *path, uint64_t *events, uint64_t *skipped, ps_error *err);

#endif
