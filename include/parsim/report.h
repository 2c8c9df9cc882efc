/* parsim/report.h: the rows of a sweep and the writers over them (CSV, JSON, HTML with SVG).
 *
 * A sweep row is one (platform, layout, scenario) case and the ps_prediction that `parsim predict`
 * would print for it, plus the marks a study needs: per platform the best layout for throughput
 * (output tok/s per GPU), the best for per-user speed (tok/s per user) and the Pareto front of the
 * two. The writers are SimGrid-free (sim/report/), one file each.
 *
 * Invariants:
 *   - One column table (ps_report_columns) decides the CSV columns, the JSON keys and their order:
 *     platform, tp, pp, dp, scenario, predict's scalar keys in docs/predict.md order, the breakdown
 *     flattened as breakdown_<phase>_<part>_ms, then best_throughput, best_latency, pareto.
 *   - A row that does not fit keeps fits=false, shortfall_bytes and memory_bytes_per_gpu; its other
 *     figures are empty in CSV and null in JSON (NAN in memory), never zero.
 *   - Canonical values: every output is written from rows that went through their CSV text once
 *     (ps_report_canonicalize), so a sweep written directly and one merged from shard CSVs give the
 *     same bytes, marks included (ties are broken by row order, which is the sort order).
 *   - Numbers are printed with %.6g (six significant digits: far below any model's error bar).
 */
#ifndef PARSIM_REPORT_H
#define PARSIM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "parsim/error.h"
#include "parsim/replay.h"

#define PS_REPORT_NAME_BYTES 128
#define PS_REPORT_SCENARIO_BYTES 32
#define PS_REPORT_LINE_BYTES 8192 /* longest CSV line a reader accepts */

typedef struct ps_sweep_row {
    char platform[PS_REPORT_NAME_BYTES]; /* as given on the command line (preset name or path) */
    int tp, pp, dp;
    char scenario[PS_REPORT_SCENARIO_BYTES]; /* "max_throughput", "min_latency" or "batch_<N>" */
    ps_prediction pred;
    bool best_throughput, best_latency, pareto;
    /* The platform's fabric and the link load of a decode iteration (ps_report_link_load). */
    char fabric[16];             /* "nvswitch", "mesh" or "pcie" */
    int gpus_per_node;
    double link_port_busy;       /* busiest GPU's scale-up port (NVLink or PCIe): share of the iteration */
    double link_pair_busy;       /* busiest single GPU-to-GPU link (a mesh's pair link; = port on a switch) */
    double link_nic_busy;        /* busiest NIC (0 when no traffic leaves a node) */
} ps_sweep_row;

/* The platform facts the link load needs (probed by the CLI from the platform file). */
typedef struct ps_link_platform {
    char fabric[16];             /* "nvswitch", "mesh" or "pcie" */
    int gpus_per_node, node_count, gpu_count;
    double port_bytes_per_s;     /* one GPU's scale-up bandwidth per direction */
    double pair_bytes_per_s;     /* bottleneck of the route GPU 0 -> GPU 1 (a mesh: one link) */
    double nic_bytes_per_s;      /* per GPU NIC per direction; 0 on one node */
} ps_link_platform;

/* Fills the row's fabric and link_*_busy from the bytes a decode iteration moves (graph.h's
 * closed forms: each TP all-reduce carries tokens x hidden x activation bytes, 2 per layer; each
 * PP hand-off tokens x hidden x activation bytes), the predicted TPOT as the iteration time and
 * the platform's bandwidths. An estimate of mean load over the iteration, not a SimGrid link
 * measurement: docs/sweep.md gives the formulas. Rows that do not fit get NAN. */
struct ps_model;
struct ps_precision;
void ps_report_link_load(ps_sweep_row *row, const ps_link_platform *platform, const struct ps_model *model,
                         const struct ps_precision *precision);

/* What the JSON and HTML say about the sweep as a whole (both strings are written as given). */
typedef struct ps_report_info {
    const char *args;   /* the sweep's canonical arguments, e.g. "--model llama3.1-405b --dtype fp8 ..." */
    const char *digest; /* 16 hex digits of the arguments and platform files */
} ps_report_info;

typedef enum ps_report_column_kind { PS_COL_TEXT, PS_COL_INT, PS_COL_BOOL, PS_COL_NUMBER } ps_report_column_kind;

typedef struct ps_report_column {
    const char *name;
    ps_report_column_kind kind;
    size_t offset;  /* into ps_sweep_row */
    bool figure;    /* emptied (NAN) when the row does not fit */
} ps_report_column;

/* The column table, in output order. */
const ps_report_column *ps_report_columns(size_t *count);

/* Scenario order inside a layout: "max_throughput" first, then the other one. */
int ps_report_scenario_rank(const char *scenario);
/* Sort order of rows: platform (strcmp), tp, pp, dp, scenario rank. <0, 0, >0 like strcmp. */
int ps_report_row_compare(const ps_sweep_row *a, const ps_sweep_row *b);

/* Sets best_throughput, best_latency and pareto over the rows of each platform (rows that fit;
 * ties go to the first row in order; equal points are both on the front). */
void ps_report_mark(ps_sweep_row *rows, size_t count);

/* CSV. The header line, one row, and the parse of both (file:line in `where` for errors). */
void ps_report_csv_header(FILE *out);
void ps_report_csv_row(FILE *out, const ps_sweep_row *row);
int ps_report_csv_check_header(const char *line, const char *where, ps_error *err);
int ps_report_csv_parse_row(const char *line, const char *where, ps_sweep_row *row, ps_error *err);
/* Replaces the row's values by what its CSV text reads back as (see invariants). */
int ps_report_canonicalize(ps_sweep_row *row, ps_error *err);

/* Whole documents (marks must be set). Return PS_EINTERNAL when a write fails. */
int ps_report_write_csv(FILE *out, const ps_sweep_row *rows, size_t count, ps_error *err);
int ps_report_write_json(FILE *out, const ps_report_info *info, const ps_sweep_row *rows, size_t count,
                         ps_error *err);
int ps_report_write_html(FILE *out, const ps_report_info *info, const ps_sweep_row *rows, size_t count,
                         ps_error *err);

#endif
