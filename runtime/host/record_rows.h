/* runtime/host/record_rows.h: from CUPTI activity records and the launch plan to trace rows.
 *
 * Plain C, testable without a GPU (tests/runtime/test_record_rows.c feeds it synthetic
 * CUpti_ActivityKernel10 / Memcpy6 / Memset4 / ExternalCorrelation records built from the CUPTI
 * headers). The GPU side (runtime/gpu/cupti.c) only walks CUPTI's buffers and hands every record
 * to ps_rec_collect_cupti.
 *
 * How a GPU activity finds its op (../shared/notes/recording.md sections 1.8, 1.9):
 *   eager launches: the launch is made between cuptiActivityPushExternalCorrelationId(CUSTOM0, ext)
 *     and Pop, so CUPTI emits an external-correlation record {ext, correlationId} and the
 *     kernel's correlationId joins it;
 *   CUDA-graph replay: kernels carry the correlation id of the graph launch, useless for this;
 *     their graphNodeId names the instantiated node, which the GPU side maps to ext at capture
 *     (node created while ext was current) and instantiation (node cloned from it):
 *     ps_rec_collect_graph_node.
 * ext = ((rank slot + 1) << 32) | launch index in that rank's plan.
 * Timestamps: CUPTI's (CLOCK_REALTIME ns on Linux). Records that start before the recording
 * window (weight init, warm-up) are dropped and counted; a record with start 0 or end < start
 * (CUPTI lost its timestamp) makes the recording fail, as do dropped records.
 */
#ifndef PARSIM_RUNTIME_RECORD_ROWS_H
#define PARSIM_RUNTIME_RECORD_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parsim/map.h"
#include "record.h"

typedef struct ps_rec_gpu_record {
    ps_trace_activity_kind kind;
    int device;
    uint32_t stream;
    uint32_t correlation;
    uint64_t graph_node;
    uint32_t name;          /* index into the collector's names */
    uint64_t start_ns, end_ns;
    uint64_t bytes;
    int grid[3], block[3];
} ps_rec_gpu_record;

typedef struct ps_rec_collector {
    ps_rec_gpu_record *records;
    size_t count, cap;
    char **names;              /* display (demangled) names, by index */
    size_t nnames, names_cap;
    ps_strset mangled_names;   /* CUPTI's (mangled) name -> its index in names */
    /* CUPTI id -> ext id (the uint64's bits in the map's int64 value). No key limit: the keys
     * are the recorder's own launches, not a user's input. */
    ps_u64map ext_by_correlation;
    ps_u64map ext_by_graph_node;
    uint64_t dropped;          /* CUPTI's dropped-record count, summed */
    uint64_t other_records;    /* kinds not recorded (API records and the like) */
    int device_rank[1024];     /* device -> rank slot, -1 = not ours */
    int64_t stream_ids[64][3]; /* rank slot x logical stream -> CUPTI stream id, -1 unknown */
} ps_rec_collector;

void ps_rec_collector_init(ps_rec_collector *c);
void ps_rec_collector_free(ps_rec_collector *c);
uint64_t ps_rec_ext_id(int rank_slot, int launch);

/* One CUPTI activity record (a CUpti_Activity *; the kinds recorded: CONCURRENT_KERNEL,
 * MEMCPY, MEMSET, EXTERNAL_CORRELATION; others are counted and ignored). */
int ps_rec_collect_cupti(ps_rec_collector *c, const void *cupti_record, ps_error *err);
int ps_rec_collect_graph_node(ps_rec_collector *c, uint64_t node_id, uint64_t ext, ps_error *err);
/* node_id was cloned from original_id (graph instantiation): it inherits its ext id. */
int ps_rec_collect_graph_clone(ps_rec_collector *c, uint64_t node_id, uint64_t original_id, ps_error *err);

/* Summary of a conversion, for the recorder's one-line report. */
typedef struct ps_rec_write_stats {
    uint64_t activities, comms, warmup_dropped, unattributed, overlaps_clamped;
} ps_rec_write_stats;

/* Writes the trace: activity rows (sorted by start per rank, op ids from the plan), comm rows
 * (one per NCCL launch per measured iteration, times from its kernel record; sized-only rows for
 * shard emulation), ops.csv. window_start_ns: records starting earlier are warm-up. */
int ps_rec_write_trace(const ps_rec_collector *c, const ps_rec_plan *plan, const ps_trace_meta *meta, int iters,
                       uint64_t window_start_ns, const char *dir, bool overwrite, ps_rec_write_stats *stats,
                       ps_error *err);

#endif
