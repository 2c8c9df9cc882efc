/* sim/import/import_internal.h: what the importers share.
 *
 * Every importer parses its input into an imp_trace (rows in memory, names interned once), then
 * calls imp_trace_write, which does the parts that must be identical for every source: times
 * relative to the earliest row, rows sorted into the order the trace format requires, sequence
 * numbers per (rank, group) in call order (per peer for send/recv), metadata from the options,
 * and the streaming trace writer (which validates every row).
 *
 * Memory: rows are small fixed-size records (names are pool indices), about 100 bytes per kernel,
 * so a 1 GB Kineto file with ~3 million kernels needs ~300 MB. That is the price of sorting; the
 * JSON itself is streamed (json_stream.h).
 */
#ifndef PARSIM_IMPORT_INTERNAL_H
#define PARSIM_IMPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parsim/import.h"
#include "parsim/map.h"
#include "parsim/trace.h"

/* Interned strings: the shared string set (parsim/map.h); id 0 is "", the others dense in the
 * order first seen. Its limit is PS_STRSET_MAX_KEYS (set by imp_trace_init): the rows that name
 * them are already bounded by memory, and an input with many distinct op ids (one per NVTX
 * range) is legitimate. */
typedef ps_strset imp_pool;

int imp_pool_intern(imp_pool *p, const char *s, uint32_t *id); /* PS_EINTERNAL on OOM */
const char *imp_pool_str(const imp_pool *p, uint32_t id);

typedef struct imp_activity {
    int rank, device;
    int64_t stream;
    uint64_t correlation_id;
    ps_trace_activity_kind kind;
    uint32_t name;
    int64_t start_ns, end_ns;
    uint64_t bytes;
    int grid[3], block[3];
    uint32_t op;    /* pool id of the op id ("" unknown), from the user's annotations */
    uint64_t order; /* input order, the last sort key (deterministic output) */
} imp_activity;

typedef struct imp_comm {
    int rank;
    int64_t stream;
    uint64_t correlation_id;
    ps_trace_collective collective;
    uint64_t bytes; /* NCCL's count x element size: for all-gather and reduce-scatter one rank's
                       share, which imp_trace_write multiplies by group_size (the trace's size) */
    const char *dtype; /* a static string from ps_trace's dtype list */
    int peer;          /* -1 when none */
    uint32_t group;    /* pool id */
    int group_size;
    int64_t start_ns, end_ns;
    uint32_t op; /* pool id of the op id: that of the NCCL kernel timing the call */
    uint64_t order;
} imp_comm;

typedef struct imp_trace {
    const char *input_path; /* for messages */
    ps_trace_meta meta;
    imp_pool pool;
    imp_activity *acts;
    size_t n_acts, cap_acts;
    imp_comm *comms;
    size_t n_comms, cap_comms;
    int64_t epoch_ns;    /* absolute time of the input's zero (UTC ns), 0 = unknown: dates meta */
    bool times_are_epoch; /* the input's times are already UTC ns since 1970 */
    int64_t date_ns;      /* when set: the trace's date, UTC ns (wins over the two above) */
} imp_trace;

void imp_trace_init(imp_trace *t, const char *input_path, ps_trace_source source);
void imp_trace_free(imp_trace *t);
int imp_add_activity(imp_trace *t, const imp_activity *a, ps_error *err);
int imp_add_comm(imp_trace *t, const imp_comm *c, ps_error *err);

/* Applies the options (model, plan, rank offset...), normalises and writes; fills stats. */
int imp_trace_write(imp_trace *t, const char *out_dir, const ps_import_options *opts, ps_import_stats *stats,
                    ps_error *err);

/* ---- op ids from the user's annotations (import.c) ----
 *
 * A GPU activity gets the op id of the innermost annotation range (PyTorch record_function =
 * Kineto "user_annotation", NVTX push/pop range) that was open on the CPU thread that launched
 * it, at the time of the launch (the CUDA runtime/driver call with the activity's correlation id).
 * Only names that are op ids count (imp_op_id_name); other ranges (ProfilerStep#3,
 * nccl:all_reduce, ncclAllReduce, aten ops) are transparent, so the user's range around them
 * still wins. docs/import.md says why the CPU side is used rather than Kineto's
 * gpu_user_annotation spans. */

/* An annotation range on a CPU thread. Ranges on one thread nest (push/pop); if some do not,
 * the latest-started range still open at the launch wins. */
typedef struct imp_range {
    int64_t pid, tid;
    int64_t start_ns, end_ns; /* inclusive: a launch at either end is inside */
    uint32_t name;            /* pool id of an op id */
    uint64_t order;           /* tie-break for equal extents: the later one is taken as inner */
} imp_range;

/* A launch call; `op` is filled by imp_assign_launch_ops. */
typedef struct imp_launch {
    int64_t pid, tid, ts_ns, corr;
    uint32_t op;
} imp_launch;

/* Whether an annotation name is taken as an op id: the trace format's op id syntax
 * (ps_trace_op_id_valid: [A-Za-z0-9_.:/#-]{1,127}) and at least one '/', as every id of the op
 * graph has (<phase>/mb<m>/<scope>/<name>, docs/workload.md). The '/' rule keeps out the names
 * profilers and libraries put on their own ranges, which pass the syntax: ProfilerStep#N,
 * nccl:all_reduce, ncclAllReduce, aten::mm. Whether the id exists in the op graph is for
 * `parsim trace check` to say, not the importer. */
bool imp_op_id_name(const char *name);

/* Sets launches[i].op to the name of the innermost range on the launch's (pid, tid) containing
 * ts_ns (0 = none). Sorts both arrays (launches by pid, tid, ts_ns); callers re-sort launches as
 * they need. One sweep per thread with a stack as deep as the ranges nest: O((n+m) log(n+m)). */
int imp_assign_launch_ops(imp_range *ranges, size_t n_ranges, imp_launch *launches, size_t n_launches,
                          ps_error *err);

/* ---- NCCL names (nccl_names.c) ---- */

/* Recognises NCCL kernels by their (demangled) name, as NCCL 2.x names them:
 * ncclDevKernel_<Coll>[_<Op>_<type>]_<ALGO>_<PROTO>, ncclSymkDevKernel_..., ncclKernel_... (<= 2.18)
 * and ncclDevKernel_SendRecv / _Generic. *coll_known is false for SendRecv and Generic kernels
 * (a send, a recv or both) and *dtype NULL when the name carries no type (AllGather, SendRecv). */
bool imp_nccl_kernel(const char *name, ps_trace_collective *coll, bool *coll_known, const char **dtype);
/* PyTorch c10d collective names ("allreduce", "_allgather_base", "reduce_scatter_tensor_coalesced",
 * "send", "barrier"...) and NCCL API names ("ncclAllReduce"...). false: not a NCCL data movement. */
bool imp_collective_from_name(const char *name, ps_trace_collective *coll);
/* Data type names from PyTorch (ScalarType "BFloat16", torch "bfloat16"), NCCL ("ncclBfloat16")
 * or nccl-tests ("bf16") to the trace's dtype; bytes per element in *size. NULL if unknown. */
const char *imp_dtype(const char *name, int *size);
/* Replaces characters an id may not contain by '_', truncates to PS_TRACE_MAX_ID_BYTES. */
void imp_sanitize_id(char *id);

#endif
