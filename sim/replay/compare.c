/* sim/replay/compare.c: --explain's comparison with the other plans of the same GPU count.
 *
 * Issue 11: `--explain` says "why this plan wins or loses against the others of the same GPU
 * count" in numbers. Those numbers are simulated, not estimated: every tp x pp with the same
 * tp x pp product (and the same dp) that the model allows (ps_plan_init: tp divides the heads,
 * pp <= layers) is predicted with the same model, precision, platform, scenario and serving
 * settings, this plan included, so that every row of the comparison comes from the same kind of
 * run. SimGrid runs one engine per process, so each plan is a worker process of the sweep's
 * runner (sim/sweep/jobs.c: fork per case, as many at once as there are CPUs); this runs before
 * the main prediction's simgrid_run, so a worker inherits a loaded platform that has not run.
 * A plan whose simulation fails (e.g. no request fits its KV cache) is reported as such, not as
 * an error of the command. No timeline is written by the workers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "predict_internal.h"
#include "parsim/sweep.h"

typedef struct compare_ctx {
    const ps_predict_request *req;
    int tp[PS_PREDICT_MAX_COMPARE], pp[PS_PREDICT_MAX_COMPARE];
    ps_plan plan[PS_PREDICT_MAX_COMPARE];
} compare_ctx;

static int run_plan(void *arg, size_t i, void *result, ps_error *err)
{
    (void)err;
    compare_ctx *c = arg;
    ps_plan_outcome *o = result;
    memset(o, 0, sizeof *o);
    o->tp = c->tp[i];
    o->pp = c->pp[i];
    static ps_predict_request child; /* large; one per worker process */
    static ps_prediction p;
    child = *c->req;
    child.compare_plans = false;
    child.timeline_path = NULL;
    child.workload.plan = c->plan[i];
    ps_error why = {0, ""};
    if (ps_predict(&child, &p, &why)) {
        o->failed = true;
        snprintf(o->why, sizeof o->why, "%.*s", (int)sizeof o->why - 1, why.message); /* cut to the table cell */
        return PS_OK;
    }
    o->fits = p.fits;
    o->shortfall_bytes = p.shortfall_bytes;
    o->memory_bytes_per_gpu = p.memory_bytes_per_gpu;
    o->output_tok_s = p.output_tok_s;
    o->output_tok_s_per_user = p.output_tok_s_per_user;
    o->ttft_ms = p.ttft_ms;
    o->tpot_ms = p.tpot_ms;
    memcpy(o->breakdown_ms, p.breakdown_ms, sizeof o->breakdown_ms);
    o->allreduces_per_decode_step = p.explain_allreduces;
    return PS_OK;
}

static void describe(void *arg, size_t i, char *buf, size_t size)
{
    const compare_ctx *c = arg;
    snprintf(buf, size, "--explain: TP%d x PP%d", c->tp[i], c->pp[i]);
}

int predict_compare_plans(const ps_predict_request *req, ps_prediction *out, ps_error *err)
{
    static compare_ctx c; /* holds the plans (large) */
    memset(&c, 0, sizeof c);
    c.req = req;
    const ps_workload *wl = &req->workload;
    int gpus = wl->plan.tp * wl->plan.pp, n = 0;
    for (int tp = gpus; tp >= 1 && n < PS_PREDICT_MAX_COMPARE; tp--) {
        if (gpus % tp)
            continue;
        ps_error ignore = {0, ""};
        ps_plan plan;
        /* the even split of layers; pp microbatches (the engines' rule, serving.md 1.6) */
        if (ps_plan_init(&plan, &wl->model, tp, gpus / tp, wl->plan.dp, 0, NULL, wl->gpu.gpus_available, &ignore))
            continue;
        if (tp == wl->plan.tp)
            plan = wl->plan; /* this plan exactly as given (its --stage-layers, --microbatches) */
        c.tp[n] = tp;
        c.pp[n] = gpus / tp;
        c.plan[n++] = plan;
    }
    size_t idx[PS_PREDICT_MAX_COMPARE];
    for (int i = 0; i < n; i++)
        idx[i] = (size_t)i;
    ps_sweep_runner r = {run_plan, describe, NULL, &c, ps_sweep_cpu_count(), sizeof(ps_plan_outcome)};
    int rc = ps_sweep_run(&r, idx, (size_t)n, out->compare, err);
    if (rc)
        return ps_error_prefix(err, "--explain");
    out->ncompare = n;
    return PS_OK;
}
