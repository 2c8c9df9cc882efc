/* parsim/sweep.h: the machinery of `parsim sweep`: the layout space, deterministic shards of the
 * case list, shard files and their merge, and worker processes (SimGrid-free: sim/sweep/).
 *
 * A sweep is a list of cases (platform, layout, scenario) in the sort order of report.h. Case i
 * belongs to shard K of N when i % N == K - 1 (round robin, so that the slow wide-TP cases spread
 * over all shards). A shard file is the sweep CSV of its cases, marks empty, after one comment line
 *     #parsim-sweep shard=K/N cases=T digest=<16 hex> args=<canonical arguments>
 * so that --merge can refuse shards of different sweeps (digest), a missing or duplicate shard, and
 * rebuild the rows of the unsharded run in order (shard (i % N) + 1 holds case i at i / N).
 *
 * One SimGrid engine per process (DESIGN.md section 2): ps_sweep_run forks one worker process per
 * case, at most `jobs` at a time; each worker calls the case function once and sends back the
 * plain ps_prediction through a pipe. Results are stored by case index, so output order and bytes
 * do not depend on `jobs`.
 */
#ifndef PARSIM_SWEEP_H
#define PARSIM_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parsim/error.h"
#include "parsim/model.h"
#include "parsim/replay.h"
#include "parsim/report.h"

typedef struct ps_layout {
    int tp, pp, dp;
} ps_layout;

/* Every tp x pp x dp = gpus that ps_plan_init accepts for the model (tp divides the heads and the
 * FFN width, KV-head rule, pp <= layers) and, unless allow_cross_node_tp, whose TP groups stay in a
 * node (tp divides gpus_per_node). Sorted by tp, pp, dp. *out is malloc'ed (NULL when count is 0;
 * an empty space is not an error here: the caller says why). */
int ps_sweep_layouts(const ps_model *model, int gpus, int gpus_per_node, bool allow_cross_node_tp,
                     ps_layout **out, size_t *count, ps_error *err);

/* 64-bit FNV-1a, continued from `hash` (start with PS_SWEEP_DIGEST_SEED). */
#define PS_SWEEP_DIGEST_SEED 14695981039346656037ULL
uint64_t ps_sweep_digest_bytes(uint64_t hash, const void *data, size_t size);
/* Adds a file's bytes (PS_EINPUT naming it when it cannot be read). */
int ps_sweep_digest_file(uint64_t *hash, const char *path, ps_error *err);

/* ---- shards ---- */
typedef struct ps_shard {
    int index; /* 1..count */
    int count; /* 0 = not sharded */
} ps_shard;

#define PS_SWEEP_MAX_SHARDS 100000
#define PS_SWEEP_ARGS_BYTES 4096
#define PS_SWEEP_MAX_CASES 1000000

/* "K/N", 1 <= K <= N <= PS_SWEEP_MAX_SHARDS; `flag` names the option in errors. */
int ps_shard_parse(const char *text, const char *flag, ps_shard *out, ps_error *err);
bool ps_shard_holds(const ps_shard *shard, size_t case_index);
size_t ps_shard_size(const ps_shard *shard, size_t total_cases);

/* Writes a shard file's comment line, header and rows (marks are written false). */
int ps_shard_write(FILE *out, const ps_shard *shard, size_t total_cases, const char *digest, const char *args,
                   const ps_sweep_row *rows, size_t count, ps_error *err);

typedef struct ps_shard_file {
    ps_shard shard;
    size_t total_cases;
    char digest[17];
    char args[PS_SWEEP_ARGS_BYTES];
    ps_sweep_row *rows;
    size_t count;
} ps_shard_file;

/* Reads a shard file strictly (PS_EINPUT with "FILE:LINE: reason"). */
int ps_shard_read(const char *path, ps_shard_file *out, ps_error *err);
void ps_shard_file_free(ps_shard_file *file);
/* Joins shards (any order) into the rows of the unsharded sweep, in case order; refuses
 * different digests or shard counts, a missing or duplicate shard, wrong row counts and rows out of
 * sort order. *rows is malloc'ed; args/digest point into files[0]. */
int ps_shard_merge(const ps_shard_file *files, size_t nfiles, const char *const *paths, ps_sweep_row **rows,
                   size_t *count, ps_error *err);

/* ---- worker processes ---- */
/* Runs case `case_index` in a worker process (called once per process, so it may run a SimGrid
 * engine). Returns PS_OK or an error code with err set (the message names the case). */
typedef int (*ps_sweep_case_fn)(void *ctx, size_t case_index, void *result, ps_error *err);
/* A short name of the case for messages about a worker that died ("hgx-h200 TP4xPP2 min_latency"). */
typedef void (*ps_sweep_describe_fn)(void *ctx, size_t case_index, char *buf, size_t size);
/* Called in the parent after each finished case. */
typedef void (*ps_sweep_progress_fn)(void *ctx, size_t done, size_t total, double elapsed_s);

typedef struct ps_sweep_runner {
    ps_sweep_case_fn run;
    ps_sweep_describe_fn describe;
    ps_sweep_progress_fn progress; /* may be NULL */
    void *ctx;
    int jobs;                      /* >= 1 */
    size_t result_bytes;           /* size of one result (a plain struct: ps_prediction), <= 64 KiB */
} ps_sweep_runner;

/* Runs cases[0..ncases) and stores case cases[i]'s result at out + i * result_bytes. The first failure seen
 * (a case's error, or a worker that died) gives the error; the other workers are killed and reaped. */
int ps_sweep_run(const ps_sweep_runner *runner, const size_t *cases, size_t ncases, void *out, ps_error *err);

/* CPUs this process may use (sched_getaffinity), at least 1. */
int ps_sweep_cpu_count(void);

#endif
