/* Sweep rows: the column table, the sort order and the marks (best layouts, Pareto front). */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "parsim/report.h"

#define ROW(field) offsetof(ps_sweep_row, field)
#define PRED(field) offsetof(ps_sweep_row, pred.field)
#define FIG(name, field) {name, PS_COL_NUMBER, PRED(field), true}
#define BREAKDOWN(phase, part, name) \
    {"breakdown_" #phase "_" name "_ms", PS_COL_NUMBER, PRED(breakdown_ms[phase##_INDEX][part]), true}
#define prefill_INDEX PS_PHASE_PREFILL
#define decode_INDEX PS_PHASE_DECODE

/* predict's scalar keys in the order docs/predict.md lists them, then the breakdown. */
static const ps_report_column columns[] = {
    {"platform", PS_COL_TEXT, ROW(platform), false},
    {"tp", PS_COL_INT, ROW(tp), false},
    {"pp", PS_COL_INT, ROW(pp), false},
    {"dp", PS_COL_INT, ROW(dp), false},
    {"scenario", PS_COL_TEXT, ROW(scenario), false},
    FIG("ttft_ms", ttft_ms),
    FIG("tpot_ms", tpot_ms),
    FIG("e2e_ms", e2e_ms),
    FIG("ttft_ms_p50", ttft_ms_p50),
    FIG("ttft_ms_p90", ttft_ms_p90),
    FIG("ttft_ms_p99", ttft_ms_p99),
    FIG("tpot_ms_p50", tpot_ms_p50),
    FIG("tpot_ms_p90", tpot_ms_p90),
    FIG("tpot_ms_p99", tpot_ms_p99),
    FIG("e2e_ms_p50", e2e_ms_p50),
    FIG("e2e_ms_p90", e2e_ms_p90),
    FIG("e2e_ms_p99", e2e_ms_p99),
    FIG("batch", batch),
    FIG("output_tok_s", output_tok_s),
    FIG("output_tok_s_per_gpu", output_tok_s_per_gpu),
    FIG("output_tok_s_per_user", output_tok_s_per_user),
    {"fits", PS_COL_BOOL, PRED(fits), false},
    {"memory_bytes_per_gpu", PS_COL_NUMBER, PRED(memory_bytes_per_gpu), false},
    {"shortfall_bytes", PS_COL_NUMBER, PRED(shortfall_bytes), false},
    FIG("error_pct", error_pct),
    {"in_envelope", PS_COL_BOOL, PRED(in_envelope), false},
    BREAKDOWN(decode, PS_PART_COMPUTE, "compute"),
    BREAKDOWN(decode, PS_PART_TP_COMM_EXPOSED, "tp_comm_exposed"),
    BREAKDOWN(decode, PS_PART_PP_BUBBLE, "pp_bubble"),
    BREAKDOWN(decode, PS_PART_PP_HANDOFF, "pp_handoff"),
    BREAKDOWN(decode, PS_PART_HOST_GAPS, "host_gaps"),
    BREAKDOWN(prefill, PS_PART_COMPUTE, "compute"),
    BREAKDOWN(prefill, PS_PART_TP_COMM_EXPOSED, "tp_comm_exposed"),
    BREAKDOWN(prefill, PS_PART_PP_BUBBLE, "pp_bubble"),
    BREAKDOWN(prefill, PS_PART_PP_HANDOFF, "pp_handoff"),
    BREAKDOWN(prefill, PS_PART_HOST_GAPS, "host_gaps"),
    {"best_throughput", PS_COL_BOOL, ROW(best_throughput), false},
    {"best_latency", PS_COL_BOOL, ROW(best_latency), false},
    {"pareto", PS_COL_BOOL, ROW(pareto), false},
    {"fabric", PS_COL_TEXT, ROW(fabric), false},
    {"gpus_per_node", PS_COL_INT, ROW(gpus_per_node), false},
    {"link_port_busy", PS_COL_NUMBER, ROW(link_port_busy), true},
    {"link_pair_busy", PS_COL_NUMBER, ROW(link_pair_busy), true},
    {"link_nic_busy", PS_COL_NUMBER, ROW(link_nic_busy), true},
};

const ps_report_column *ps_report_columns(size_t *count)
{
    *count = sizeof columns / sizeof columns[0];
    return columns;
}

int ps_report_scenario_rank(const char *scenario) { return strcmp(scenario, "max_throughput") ? 1 : 0; }

static int compare_int(int a, int b) { return (a > b) - (a < b); }

int ps_report_row_compare(const ps_sweep_row *a, const ps_sweep_row *b)
{
    int c = strcmp(a->platform, b->platform);
    if (!c)
        c = compare_int(a->tp, b->tp);
    if (!c)
        c = compare_int(a->pp, b->pp);
    if (!c)
        c = compare_int(a->dp, b->dp);
    if (!c)
        c = compare_int(ps_report_scenario_rank(a->scenario), ps_report_scenario_rank(b->scenario));
    if (!c)
        c = strcmp(a->scenario, b->scenario);
    return c;
}

static bool usable(const ps_sweep_row *row)
{
    return row->pred.fits && isfinite(row->pred.output_tok_s_per_gpu) && isfinite(row->pred.output_tok_s_per_user);
}

/* b dominates a: at least as good on both axes and better on one. */
static bool dominates(const ps_sweep_row *b, const ps_sweep_row *a)
{
    double bg = b->pred.output_tok_s_per_gpu, bu = b->pred.output_tok_s_per_user;
    double ag = a->pred.output_tok_s_per_gpu, au = a->pred.output_tok_s_per_user;
    return bg >= ag && bu >= au && (bg > ag || bu > au);
}

/* Marks the platform whose rows are [first, end). O(n^2) per platform: a platform has at most a
 * few hundred rows (layouts of N GPUs times two scenarios). */
static void mark_platform(ps_sweep_row *rows, size_t first, size_t end)
{
    size_t best_gpu = end, best_user = end;
    for (size_t i = first; i < end; i++) {
        ps_sweep_row *r = &rows[i];
        r->best_throughput = r->best_latency = r->pareto = false;
        if (!usable(r))
            continue;
        if (best_gpu == end || r->pred.output_tok_s_per_gpu > rows[best_gpu].pred.output_tok_s_per_gpu)
            best_gpu = i;
        if (best_user == end || r->pred.output_tok_s_per_user > rows[best_user].pred.output_tok_s_per_user)
            best_user = i;
        bool dominated = false;
        for (size_t j = first; j < end && !dominated; j++)
            dominated = j != i && usable(&rows[j]) && dominates(&rows[j], r);
        r->pareto = !dominated;
    }
    if (best_gpu != end)
        rows[best_gpu].best_throughput = true;
    if (best_user != end)
        rows[best_user].best_latency = true;
}

void ps_report_mark(ps_sweep_row *rows, size_t count)
{
    size_t first = 0;
    for (size_t i = 1; i <= count; i++) {
        if (i == count || strcmp(rows[i].platform, rows[first].platform)) {
            mark_platform(rows, first, i);
            first = i;
        }
    }
}
