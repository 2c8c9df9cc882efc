/* parsim/trace.h: the trace format ("parsim-trace 1"), its streaming writer and strict readers.
 *
 * A trace is what a GPU really did. It is a directory (docs/trace-format.md is the reference):
 *   meta.json        one JSON object, flat keys (ps_trace_meta below), "format": "parsim-trace 1"
 *   activities.csv   one row per kernel / memcpy / memset            (ps_trace_activity)
 *   comms.csv        one row per NCCL call                            (ps_trace_comm)
 *   ops.csv          optional: one row per op id used above           (ps_trace_op)
 * Every CSV starts with a fixed header row (PS_TRACE_*_HEADER) that readers compare exactly.
 * Times are integer nanoseconds in one clock per trace (meta "clock"), absolute or relative.
 *
 * Invariants that writer and readers enforce alike (one set of rules, ps_trace_*_validate):
 *   - strings are UTF-8 without control characters except TAB and LF (kernel names with
 *     commas, quotes, angle brackets and even newlines survive the CSV quoting);
 *   - 0 <= start_ns <= end_ns <= PS_TRACE_MAX_TIME_NS; every number within its documented range;
 *   - op ids are empty (unknown) or [A-Za-z0-9_.:/#-]{1,127};
 *   - activities of one rank appear in non-decreasing start_ns order, and kernels of one
 *     (rank, stream) do not overlap (a stream runs one kernel at a time);
 *   - comms: seq strictly increases per (rank, group_id) for collectives and per
 *     (rank, group_id, peer) for send/recv (checked by the reader; ps_trace_check also matches
 *     groups across ranks).
 *
 * The writer is libc only (parsim_core_min, linked by the CUDA recorder; core/CMakeLists.txt lists
 * which core files need the reader libraries); it writes into a
 * temporary directory beside the target and renames it into place on close, so a reader never
 * sees half a trace. The readers (core/trace/, libcsv + cJSON) stream: memory stays bounded
 * whatever the file size, and every rejection is one line "FILE:LINE: reason" with PS_EINPUT.
 */
#ifndef PARSIM_TRACE_H
#define PARSIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "parsim/error.h"

/* The version the writer writes. Readers accept PS_TRACE_FORMAT_MIN_VERSION ..
 * PS_TRACE_FORMAT_VERSION: version 1 lacks the recording keys of version 2 (kv_dtype,
 * microbatches, launch_mode, warmup_iterations, measured_iterations, emulated_rank, layer_first,
 * layer_count, platform); a version 1 file reads with those at their "unknown" defaults. */
#define PS_TRACE_FORMAT "parsim-trace 2"
#define PS_TRACE_FORMAT_VERSION 2
#define PS_TRACE_FORMAT_MIN_VERSION 1

#define PS_TRACE_META_FILE "meta.json"
#define PS_TRACE_ACTIVITIES_FILE "activities.csv"
#define PS_TRACE_COMMS_FILE "comms.csv"
#define PS_TRACE_OPS_FILE "ops.csv"

#define PS_TRACE_ACTIVITIES_HEADER                                                                 \
    "rank,device,stream,op_id,correlation_id,kind,name,start_ns,end_ns,bytes,"                     \
    "grid_x,grid_y,grid_z,block_x,block_y,block_z"
#define PS_TRACE_COMMS_HEADER                                                                      \
    "rank,stream,op_id,correlation_id,collective,bytes,dtype,peer,group_id,group_size,seq,"        \
    "start_ns,end_ns"
#define PS_TRACE_OPS_HEADER "op_id,layer,op_kind,shape,graph_node"

/* Limits: anything beyond them is rejected as bad input (a corrupt or hostile file), never
 * truncated. Names: the longest demangled kernel names seen (PyTorch lambdas inside
 * vectorized_elementwise_kernel) are ~700 bytes; 8 KiB leaves room without letting one field
 * eat memory. Times: 2^62 ns is 146 years, so absolute CLOCK_REALTIME stamps (~1.7e18) fit. */
#define PS_TRACE_MAX_NAME_BYTES 8192
#define PS_TRACE_MAX_ID_BYTES 127 /* op ids, group ids */
#define PS_TRACE_MAX_TEXT_BYTES 255 /* metadata strings, op kind, shape, graph node */
#define PS_TRACE_MAX_TIME_NS (INT64_C(1) << 62)
#define PS_TRACE_MAX_RANK 65535
#define PS_TRACE_MAX_DEVICE 1023
#define PS_TRACE_MAX_STREAM UINT32_MAX
#define PS_TRACE_MAX_BYTES (UINT64_C(1) << 50) /* 1 PiB: no single transfer is larger */
#define PS_TRACE_MAX_DIM INT32_MAX             /* grid / block dimensions (CUDA: 2^31-1) */

/* ---- metadata ------------------------------------------------------------------------------ */

typedef enum ps_trace_source {
    PS_TRACE_SOURCE_PARSIM_RECORD = 0, /* "parsim-record": our CUDA runtime */
    PS_TRACE_SOURCE_NSYS,              /* "nsys": imported from `nsys export --type sqlite` */
    PS_TRACE_SOURCE_KINETO,            /* "kineto": imported from a PyTorch profiler JSON */
    PS_TRACE_SOURCE_SYNTHETIC,         /* "synthetic": generated, not measured */
    PS_TRACE_SOURCE_COUNT
} ps_trace_source;

/* Strings are NUL-terminated; "" means unknown. Integers: 0 means unknown, except emulated_rank
 * (-1 = not a single-rank emulation). Fields marked [v2] are absent from version 1 files. */
typedef struct ps_trace_meta {
    int format_version;  /* version read; the writer always writes PS_TRACE_FORMAT_VERSION */
    ps_trace_source source;
    bool shard_emulation; /* one GPU ran every rank's compute; comms were sized, not executed */
    char gpu_name[PS_TRACE_MAX_TEXT_BYTES + 1];
    int gpu_count;
    int sm_clock_mhz;  /* SM clock during the run (locked clock if locked) */
    int mem_clock_mhz;
    char driver_version[PS_TRACE_MAX_TEXT_BYTES + 1];
    char cuda_version[PS_TRACE_MAX_TEXT_BYTES + 1];
    char nccl_version[PS_TRACE_MAX_TEXT_BYTES + 1];
    char cupti_version[PS_TRACE_MAX_TEXT_BYTES + 1];
    char recorder_version[PS_TRACE_MAX_TEXT_BYTES + 1]; /* parsim version or importer tool */
    char host[PS_TRACE_MAX_TEXT_BYTES + 1];
    char date[PS_TRACE_MAX_TEXT_BYTES + 1]; /* ISO 8601, e.g. 2025-06-01T12:00:00Z */
    char model[PS_TRACE_MAX_TEXT_BYTES + 1]; /* preset name (llama3.1-8b) or free text */
    char dtype[PS_TRACE_MAX_TEXT_BYTES + 1]; /* bf16, fp16, fp8 */
    int tp, pp, dp;                          /* plan */
    int batch, isl, osl;                     /* scenario */
    char phase[PS_TRACE_MAX_TEXT_BYTES + 1]; /* "prefill", "decode", "mixed" or "" */
    char clock[PS_TRACE_MAX_TEXT_BYTES + 1]; /* "realtime", "monotonic", "relative" or "" */
    /* [v2] what a recording must say to be replayed or compared honestly */
    char kv_dtype[PS_TRACE_MAX_TEXT_BYTES + 1];    /* KV cache dtype: bf16, fp16, fp8 or "" */
    int microbatches;                              /* PP microbatches in flight (0 = unknown) */
    char launch_mode[PS_TRACE_MAX_TEXT_BYTES + 1]; /* "graph" (CUDA graph replay), "eager" or "" */
    int warmup_iterations;                         /* run before the recording window, not recorded */
    int measured_iterations;                       /* steps recorded in this trace */
    int emulated_rank;   /* shard emulation of one rank: its global rank; -1 = none (also when
                            shard_emulation ran every rank in turn) */
    int layer_first;     /* layer subset: first global layer run (0 with layer_count 0) */
    int layer_count;     /* layers run from layer_first; 0 = every layer of the rank's stage */
    char platform[PS_TRACE_MAX_TEXT_BYTES + 1];    /* platform preset (hgx-h100) or fabric text */
} ps_trace_meta;

/* "parsim-trace N" for a version this parsim reads, NULL otherwise. */
const char *ps_trace_format_name(int version);
/* Parses "parsim-trace N"; false for an unknown or unsupported version. */
bool ps_trace_format_parse(const char *text, int *version);

/* Fills defaults: current format version, every string empty, every number 0, emulated_rank -1. */
void ps_trace_meta_init(ps_trace_meta *meta, ps_trace_source source);

/* ---- rows ---------------------------------------------------------------------------------- */

typedef enum ps_trace_activity_kind {
    PS_TRACE_KERNEL = 0, /* "kernel" */
    PS_TRACE_MEMCPY,     /* "memcpy" */
    PS_TRACE_MEMSET,     /* "memset" */
    PS_TRACE_ACTIVITY_KIND_COUNT
} ps_trace_activity_kind;

/* One GPU activity. String pointers are borrowed: the writer copies what it needs, a reader's
 * row is valid until the next call on that reader. op_id NULL or "" = unknown. */
typedef struct ps_trace_activity {
    int rank;                /* 0..PS_TRACE_MAX_RANK */
    int device;              /* CUDA device index on its host, 0..PS_TRACE_MAX_DEVICE */
    int64_t stream;          /* CUDA stream id (CUPTI streamId), 0..UINT32_MAX */
    const char *op_id;
    uint64_t correlation_id; /* CUPTI correlation id, 0 = unknown */
    ps_trace_activity_kind kind;
    const char *name;        /* demangled kernel name, or "Memcpy DtoD", non-empty */
    int64_t start_ns, end_ns;
    uint64_t bytes;          /* memcpy / memset size; 0 for kernels */
    int grid[3], block[3];   /* 0 for memcpy / memset */
} ps_trace_activity;

typedef enum ps_trace_collective {
    PS_TRACE_ALLREDUCE = 0, /* "allreduce" */
    PS_TRACE_ALLGATHER,     /* "allgather" */
    PS_TRACE_REDUCESCATTER, /* "reducescatter" */
    PS_TRACE_BROADCAST,     /* "broadcast" (peer = root) */
    PS_TRACE_REDUCE,        /* "reduce" (peer = root) */
    PS_TRACE_ALLTOALL,      /* "alltoall" */
    PS_TRACE_SEND,          /* "send" (peer = destination rank) */
    PS_TRACE_RECV,          /* "recv" (peer = source rank) */
    PS_TRACE_COLLECTIVE_COUNT
} ps_trace_collective;

/* One NCCL call on one rank. bytes = the size of the operation as nccl-tests reports it (equal on
 * every rank of a collective, and what include/parsim/graph.h calls comm_bytes): all-reduce,
 * broadcast, reduce: the buffer; all-gather: the gathered output (group_size x send count);
 * reduce-scatter: the full input (group_size x recv count); all-to-all: the send buffer;
 * send / recv: the payload. group_id names the communicator (e.g. "tp0", "pp0-1"); seq is its
 * per-communicator sequence number (per peer for send/recv), the cross-rank matching key.
 * start_ns/end_ns: GPU time of its kernels; both -1 when not executed (shard emulation). */
typedef struct ps_trace_comm {
    int rank;
    int64_t stream;
    const char *op_id;
    uint64_t correlation_id;
    ps_trace_collective collective;
    uint64_t bytes;
    const char *dtype; /* "bf16", "f16", "f32", "f64", "f8e4m3", "f8e5m2", "i8", "u8", "i32", "u32", "i64", "u64" */
    int peer;          /* send/recv: the other rank; broadcast/reduce: root; otherwise -1 */
    const char *group_id;
    int group_size;    /* ranks in the communicator, >= 1 */
    uint64_t seq;
    int64_t start_ns, end_ns;
} ps_trace_comm;

/* Optional description of an op id (ops.csv). layer -1 = not in a layer (embedding, LM head). */
typedef struct ps_trace_op {
    const char *op_id;      /* non-empty */
    int layer;
    const char *op_kind;    /* e.g. "qkv_gemm", "allreduce" */
    const char *shape;      /* free text, e.g. "m=8 n=3072 k=4096" */
    const char *graph_node; /* the op-graph node it realises, may be empty */
} ps_trace_op;

/* Name <-> enum. The *_parse functions return false for an unknown name. */
const char *ps_trace_source_name(ps_trace_source source);
bool ps_trace_source_parse(const char *name, ps_trace_source *out);
const char *ps_trace_activity_kind_name(ps_trace_activity_kind kind);
bool ps_trace_activity_kind_parse(const char *name, ps_trace_activity_kind *out);
const char *ps_trace_collective_name(ps_trace_collective coll);
bool ps_trace_collective_parse(const char *name, ps_trace_collective *out);
bool ps_trace_dtype_known(const char *dtype);
bool ps_trace_collective_is_p2p(ps_trace_collective coll); /* send or recv */

/* Row rules shared by writer and readers. On failure: PS_EINPUT with a reason (no file/line;
 * the caller prefixes it). */
int ps_trace_meta_validate(const ps_trace_meta *meta, ps_error *err);
int ps_trace_activity_validate(const ps_trace_activity *row, ps_error *err);
int ps_trace_comm_validate(const ps_trace_comm *row, ps_error *err);
int ps_trace_op_validate(const ps_trace_op *row, ps_error *err);
/* Op id syntax only: NULL / "" (unknown) or [A-Za-z0-9_.:/#-]{1,127}. */
bool ps_trace_op_id_valid(const char *op_id);
/* UTF-8 without control characters except TAB / LF (LF only when allow_newline). */
bool ps_trace_text_valid(const char *text, size_t max_bytes, bool allow_newline);

/* ---- writer (libc only) -------------------------------------------------------------------- */

typedef struct ps_trace_writer ps_trace_writer;

enum ps_trace_writer_flags {
    PS_TRACE_WRITE_OVERWRITE = 1, /* replace an existing trace directory at `dir` */
    PS_TRACE_WRITE_OPS = 2,       /* create ops.csv (otherwise ps_trace_write_op fails) */
};

/* Starts a trace that will appear at `dir` on close. Fails with PS_EINPUT if `dir` exists and
 * PS_TRACE_WRITE_OVERWRITE is not set (or it exists and is not a parsim trace), or if meta is
 * invalid. Rows are written as they are appended (streaming: memory stays bounded apart from
 * O(ranks x streams) ordering state). */
int ps_trace_writer_open(ps_trace_writer **out, const char *dir, const ps_trace_meta *meta,
                         unsigned flags, ps_error *err);
/* Replaces the metadata written at close (importers learn GPU counts only after reading rows). */
int ps_trace_writer_set_meta(ps_trace_writer *w, const ps_trace_meta *meta, ps_error *err);
/* Appends one row after validating it (ps_trace_*_validate plus per-rank start order and
 * per-stream overlap for activities). A rejected row leaves the writer usable. */
int ps_trace_write_activity(ps_trace_writer *w, const ps_trace_activity *row, ps_error *err);
int ps_trace_write_comm(ps_trace_writer *w, const ps_trace_comm *row, ps_error *err);
int ps_trace_write_op(ps_trace_writer *w, const ps_trace_op *row, ps_error *err);
/* Writes meta.json, flushes and fsyncs everything, renames the temporary directory to `dir` and
 * frees the writer (also on failure; then nothing appears at `dir`). */
int ps_trace_writer_close(ps_trace_writer *w, ps_error *err);
/* Discards everything written and frees the writer. NULL is fine. */
void ps_trace_writer_abort(ps_trace_writer *w);

/* Writes one CSV field, quoted when it contains a comma, quote, CR, LF or edge whitespace
 * (RFC 4180: quotes doubled). Exposed for the round-trip tests and other CSV writers. */
void ps_trace_csv_write_field(FILE *fp, const char *text);

/* ---- readers (libcsv + cJSON) -------------------------------------------------------------- */

/* Reads and validates `dir`/meta.json (exact keys, known format version, value ranges). */
int ps_trace_read_meta(const char *dir, ps_trace_meta *meta, ps_error *err);
/* The same on text in memory (len bytes, need not be NUL-terminated); `name` for messages. */
int ps_trace_parse_meta(const char *name, const char *text, size_t len, ps_trace_meta *meta, ps_error *err);

/* A pull reader over one CSV of a trace. It streams (bounded memory), checks the header, every
 * field and the per-file ordering rules, and reports errors as "PATH:LINE: reason". */
typedef struct ps_trace_reader ps_trace_reader;

typedef enum ps_trace_table {
    PS_TRACE_TABLE_ACTIVITIES = 0,
    PS_TRACE_TABLE_COMMS,
    PS_TRACE_TABLE_OPS,
} ps_trace_table;

/* PS_EINPUT when `out` is one of the files of the trace directory `dir` (meta.json or a table):
 * an output written there (a --timeline, an export) would replace the trace it was made from.
 * The line names the flag: "FLAG OUT is the trace's own DIR/FILE; write elsewhere". */
int ps_trace_refuse_own_file(const char *dir, const char *out, const char *flag, ps_error *err);

/* Opens `dir`/<table file>. For PS_TRACE_TABLE_OPS a missing file is not an error: *out is set
 * to NULL and PS_OK returned. */
int ps_trace_reader_open(ps_trace_reader **out, const char *dir, ps_trace_table table, ps_error *err);
/* Opens a CSV file by path. */
int ps_trace_reader_open_file(ps_trace_reader **out, const char *path, ps_trace_table table,
                              ps_error *err);
/* Reads an open stream (e.g. fmemopen for the fuzzers); takes ownership of fp, also on error.
 * `name` stands for the path in messages. */
int ps_trace_reader_open_stream(ps_trace_reader **out, FILE *fp, const char *name, ps_trace_table table,
                                ps_error *err);
/* Next row: returns PS_OK with *done false and the row filled, PS_OK with *done true at the end
 * of the file, or an error. Only the function matching the reader's table may be called. */
int ps_trace_next_activity(ps_trace_reader *r, ps_trace_activity *row, bool *done, ps_error *err);
int ps_trace_next_comm(ps_trace_reader *r, ps_trace_comm *row, bool *done, ps_error *err);
int ps_trace_next_op(ps_trace_reader *r, ps_trace_op *row, bool *done, ps_error *err);
/* Line (1-based) where the last returned row starts, and the file path; for messages. */
long ps_trace_reader_line(const ps_trace_reader *r);
const char *ps_trace_reader_path(const ps_trace_reader *r);
void ps_trace_reader_close(ps_trace_reader *r);

/* ---- whole-trace check (parsim trace check) ------------------------------------------------ */

typedef struct ps_trace_rank_summary {
    int rank;
    int streams;
    uint64_t kernels, memcpys, memsets, comms;
    int64_t first_ns, last_ns; /* span of its activities */
    int64_t busy_ns;           /* union of its activities' intervals */
} ps_trace_rank_summary;

typedef struct ps_trace_summary {
    ps_trace_meta meta;
    int ranks;                        /* distinct ranks with activities or comms */
    int streams;                      /* distinct (rank, stream) pairs */
    uint64_t activities, kernels, memcpys, memsets;
    uint64_t comms, collectives;      /* comm rows; distinct (group, seq) collectives incl. p2p pairs */
    uint64_t ops;                     /* ops.csv rows */
    char op_id_check[16];             /* how op ids were checked: "graph" (the op graph of the
                                         meta's model preset, plan and scenario), "ops.csv",
                                         "graph+ops.csv" or "syntax" (neither is available) */
    int64_t first_ns, last_ns;        /* over all activities and comms; 0 when none */
    ps_trace_rank_summary *per_rank;  /* `ranks` entries, by rank */
} ps_trace_summary;

/* Runs every check on a trace directory (meta, each CSV, op ids against the op graph or ops.csv,
 * stream overlap, cross-rank group matching) and fills the summary. Memory is bounded by the
 * number of ranks, streams, groups and op ids, never by the number of rows. */
int ps_trace_check(const char *dir, ps_trace_summary *summary, ps_error *err);
void ps_trace_summary_free(ps_trace_summary *summary);

#endif
