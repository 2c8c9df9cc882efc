/* parsim/import.h: bring traces from other tools into the parsim trace format (parsim/trace.h).
 *
 * An importer reads one file written by a third-party tool and writes one parsim trace directory
 * (source "nsys" or "kineto", clock "relative"): every kernel, memcpy and memset it finds becomes
 * an activity row, every NCCL call a comms row whose GPU time is that of its kernel. Times are
 * integer nanoseconds relative to the earliest imported row, converted without going through
 * floating point (Kineto's microsecond timestamps keep their nanosecond digits). Op ids come
 * from the user's annotations (record_function / NVTX ranges named like op ids around the launch).
 *
 * Importers are table-driven, like NVIDIA/nccl-tests' collectives: each one is a file in
 * sim/import/ that fills one `ps_importer`, and the table in sim/import/import.c lists them, so
 * adding an importer is adding one file and one row. docs/import.md says which tool versions'
 * schemas each importer follows and how NCCL calls are recognised.
 *
 * Invariants: an importer either writes a complete, valid trace (the trace writer validates every
 * row) or nothing at all (the writer renames a temporary directory into place on success only).
 * Bad input is PS_EINPUT with one line "FILE:WHERE: reason"; nothing is printed.
 */
#ifndef PARSIM_IMPORT_H
#define PARSIM_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "parsim/error.h"
#include "parsim/trace.h"

/* What the user tells us that the input does not say. Zero / "" = unknown / not given. */
typedef struct ps_import_options {
    int rank;            /* rank of the first (kineto: the only) process; -1 = from the file or 0 */
    int group_size;      /* communicator size when the input does not say it; 0 = guess (see docs) */
    bool overwrite;      /* replace an existing trace directory at out_dir */
    char model[PS_TRACE_MAX_TEXT_BYTES + 1];
    char dtype[PS_TRACE_MAX_TEXT_BYTES + 1];
    char phase[PS_TRACE_MAX_TEXT_BYTES + 1];
    int tp, pp, dp;
    int batch, isl, osl;
} ps_import_options;

void ps_import_options_init(ps_import_options *opts);

/* What an import found; the CLI prints it. */
typedef struct ps_import_stats {
    int ranks;
    uint64_t kernels, memcpys, memsets;
    uint64_t comms;             /* comms rows written */
    uint64_t nccl_kernels;      /* kernels recognised as NCCL by name */
    uint64_t comms_described;   /* comms whose size came from the input's NCCL call records */
    uint64_t comms_from_names;  /* comms known only from the kernel name (bytes 0, see docs) */
    uint64_t comms_skipped;     /* NCCL kernels left without a comms row (p2p or rooted with no
                                   known peer/root); the kernel stays an activity */
    uint64_t overlaps_clipped;  /* activities that started before the previous one on their stream
                                   ended (Hopper programmatic dependent launch, e.g. cuBLASLt
                                   splitK reduce): start moved to that end, see docs/import.md */
    uint64_t acts_with_op_id;   /* activities given an op id from the user's annotations */
    uint64_t comms_with_op_id;  /* comms rows given one (that of their NCCL kernel) */
    int64_t span_ns;            /* last end - first start */
} ps_import_stats;

typedef struct ps_importer {
    const char *name;    /* the word after `parsim import` */
    const char *input;   /* what it reads, for --help */
    int (*import)(const char *input_path, const char *out_dir, const ps_import_options *opts,
                  ps_import_stats *stats, ps_error *err);
} ps_importer;

/* The table of importers (sim/import/import.c), and a lookup by name (NULL if unknown). */
extern const ps_importer *const ps_importers[];
extern const int ps_importer_count;
const ps_importer *ps_importer_find(const char *name);

#endif
