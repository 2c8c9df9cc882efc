/* Synthetic sweep rows for the machinery tests: numbers derived from the layout so that every row
 * differs, chosen by hand where a test needs a known Pareto front. Test data only. */
#ifndef SWEEP_FIXTURE_H
#define SWEEP_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "parsim/report.h"

static inline void fixture_prediction(ps_prediction *p, int tp, int pp, int scenario, bool fits)
{
    memset(p, 0, sizeof *p);
    p->fits = fits;
    p->memory_bytes_per_gpu = 1.25e11 / (tp * pp);
    p->shortfall_bytes = fits ? 0 : 3.5e9;
    double step_ms = 10.0 + 40.0 / tp + 3.0 * pp + (scenario ? 0 : 20.0);
    p->tpot_ms = p->tpot_ms_p50 = step_ms;
    p->tpot_ms_p90 = p->tpot_ms_p99 = step_ms * 1.1;
    p->ttft_ms = p->ttft_ms_p50 = 100.0 + 400.0 / tp;
    p->ttft_ms_p90 = p->ttft_ms_p99 = p->ttft_ms * 1.2;
    p->e2e_ms = p->e2e_ms_p50 = p->e2e_ms_p90 = p->e2e_ms_p99 = p->ttft_ms + 127 * step_ms;
    p->batch = scenario ? 1 : 64.0 * pp;
    p->output_tok_s_per_user = 1000.0 / step_ms;
    p->output_tok_s = p->batch * p->output_tok_s_per_user;
    p->output_tok_s_per_gpu = p->output_tok_s / 8;
    p->error_pct = 7.5 + tp;
    p->in_envelope = tp < 8;
    p->gpus = 8;
    for (int ph = 0; ph < 2; ph++)
        for (int part = 0; part < PS_PART_COUNT; part++)
            p->breakdown_ms[ph][part] = (ph + 1) * step_ms * (part + 1) / 15.0;
    if (!fits) { /* what predict leaves empty for a plan that does not fit */
        double *figs[] = {&p->ttft_ms, &p->tpot_ms, &p->e2e_ms, &p->output_tok_s, &p->output_tok_s_per_gpu,
                          &p->output_tok_s_per_user, &p->batch};
        for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++)
            *figs[i] = NAN;
    }
}

static inline void fixture_row(ps_sweep_row *row, const char *platform, int tp, int pp, int dp, int scenario,
                               bool fits)
{
    memset(row, 0, sizeof *row);
    snprintf(row->platform, sizeof row->platform, "%s", platform);
    row->tp = tp;
    row->pp = pp;
    row->dp = dp;
    snprintf(row->scenario, sizeof row->scenario, "%s", scenario ? "min_latency" : "max_throughput");
    fixture_prediction(&row->pred, tp, pp, scenario, fits);
    snprintf(row->fabric, sizeof row->fabric, "%s", strstr(platform, "mesh") ? "mesh" : "nvswitch");
    row->gpus_per_node = 8;
    row->link_port_busy = fits ? 0.05 * tp : NAN;
    row->link_pair_busy = fits ? 0.05 * tp + 0.1 * pp : NAN;
    row->link_nic_busy = fits ? 0 : NAN;
}

#endif
