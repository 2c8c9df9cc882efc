/* sim/replay/sched_static.c: the static scheduler (TensorRT-LLM STATIC_BATCH, AIConfigurator
 * `static`, trtllm-bench `latency` at batch 1; serving.md 7.1): a batch of B requests per replica
 * is prefilled (ps_prefill_step_count steps of up to microbatches x prompts-per-microbatch
 * prompts, pipelined through the stages), then decoded for OSL - 1 steps, all B together, pp
 * microbatches in flight.
 *
 * What is simulated (one chain of passes in one simgrid_run):
 *   prefill  the first min(steps, 4) prefill steps (the last of them is the real last step);
 *            identical middle steps beyond are extrapolated at the period of the steady ones
 *            (end of pass 2 - end of pass 1): every middle step has the same composition;
 *   decode   three sample steps (first, middle, last) of the OSL - 1, each replayed `reps` times
 *            (4 with PP, so that the pipeline reaches its steady state; 1 without, where passes
 *            cannot overlap) and timed by its period; the other steps' times are interpolated
 *            linearly in the step index (the context grows by one token per step, and every cost
 *            is affine in it within a roofline regime). PARSIM_REPLAY_FULL=1 replays every step
 *            instead; tests/replay bounds the difference at 0.5 %.
 * Requests: TTFT = when the request's prefill microbatch leaves the last stage; E2E = end of the
 * decode (all requests of a static batch end together); TPOT = (E2E - TTFT) / (OSL - 1).
 */
#include <stdlib.h>
#include <string.h>

#include "predict_internal.h"

#define MAX_PREFILL_SIM 4
#define DECODE_SAMPLES 3

typedef struct static_run {
    predict_case *pc;
    ps_scenario sc;
    int64_t n_pf, n_dec;         /* prefill steps, decode steps (OSL - 1) */
    int pf_sim;                  /* prefill passes simulated */
    ps_step pf_step[2];
    ps_graph pf_graph[2];
    replay_graph pf[2];
    int npf;                     /* prepared prefill graphs (1 or 2) */
    ps_graph dec_graph;          /* structure of every decode graph */
    replay_graph *dec;           /* prepared decode graphs (one per sample, or per step) */
    int64_t *dec_step;           /* their step indices */
    int ndec, reps;
    bool has_dec_graph;
    const replay_graph **passes;
    int npasses;
    replay_result res;
} static_run;

static void static_free(static_run *st)
{
    for (int i = 0; i < st->npf; i++) {
        replay_graph_free(&st->pf[i]);
        ps_graph_free(&st->pf_graph[i]);
    }
    for (int i = 0; st->dec && i < st->ndec; i++)
        replay_graph_free(&st->dec[i]);
    if (st->has_dec_graph)
        ps_graph_free(&st->dec_graph);
    free(st->dec);
    free(st->dec_step);
    free(st->passes);
    replay_result_free(&st->res);
}

static int prepare_prefill(static_run *st, ps_error *err)
{
    predict_case *pc = st->pc;
    st->n_pf = ps_prefill_step_count(&pc->wl.plan, &st->sc);
    st->pf_sim = (int)(st->n_pf < MAX_PREFILL_SIM ? st->n_pf : MAX_PREFILL_SIM);
    int64_t idx[2] = {0, st->n_pf - 1};
    int want = st->n_pf > 1 ? 2 : 1;
    for (int i = 0; i < want; i++) {
        if (ps_step_prefill(&pc->wl.plan, &st->sc, idx[i], &st->pf_step[i], err) ||
            predict_prepare_step(pc, &st->pf_step[i], &st->pf_graph[i], &st->pf[i], err))
            return err->code;
        st->npf++;
    }
    predict_account_graph(pc, &st->pf[0], want == 2 ? (double)(st->n_pf - 1) : 1.0);
    if (want == 2)
        predict_account_graph(pc, &st->pf[1], 1.0);
    return PS_OK;
}

/* Decode graphs: the sample steps (or every step), each priced from its own graph and then bound
 * to the first one's structure (decode graphs differ only in the context, i.e. in op costs). */
static int prepare_decode(static_run *st, ps_error *err)
{
    predict_case *pc = st->pc;
    st->n_dec = st->sc.osl - 1;
    if (st->n_dec <= 0)
        return PS_OK;
    bool every = pc->full_replay || st->n_dec <= DECODE_SAMPLES;
    st->ndec = every ? (int)st->n_dec : DECODE_SAMPLES;
    st->reps = every || pc->wl.plan.pp == 1 ? 1 : 4;
    st->dec = calloc((size_t)st->ndec, sizeof *st->dec);
    st->dec_step = calloc((size_t)st->ndec, sizeof *st->dec_step);
    if (!st->dec || !st->dec_step)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    for (int i = 0; i < st->ndec; i++) {
        int64_t d = every ? i : (i == 0 ? 0 : i == 1 ? (st->n_dec - 1) / 2 : st->n_dec - 1);
        st->dec_step[i] = d;
        ps_step step;
        ps_graph g;
        replay_graph rg;
        if (ps_step_decode(&pc->wl.plan, &st->sc, d, &step, err) || predict_prepare_step(pc, &step, &g, &rg, err)) {
            st->ndec = i;
            return err->code;
        }
        if (!st->has_dec_graph) {
            st->dec_graph = g;
            st->has_dec_graph = true;
        } else {
            ps_graph_free(&g);
        }
        rg.graph = &st->dec_graph;
        st->dec[i] = rg;
        predict_account_graph(pc, &st->dec[i], (double)st->n_dec / st->ndec);
    }
    return PS_OK;
}

static int build_passes(static_run *st, ps_error *err)
{
    st->npasses = st->pf_sim + st->ndec * st->reps;
    st->passes = calloc((size_t)st->npasses, sizeof *st->passes);
    if (!st->passes)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    int p = 0;
    for (int i = 0; i < st->pf_sim; i++)
        st->passes[p++] = i == st->pf_sim - 1 ? &st->pf[st->npf - 1] : &st->pf[0];
    for (int i = 0; i < st->ndec; i++)
        for (int k = 0; k < st->reps; k++)
            st->passes[p++] = &st->dec[i];
    return PS_OK;
}

static int static_driver(replay_engine *engine, void *arg, ps_error *err)
{
    static_run *st = arg;
    return replay_run_passes(engine, st->passes, st->npasses, &st->res, err);
}

/* Period of decode graph i: its last rep's distance to the previous pass end (two reps averaged
 * with PP, where consecutive passes alternate around the steady state). */
static double decode_period(const static_run *st, int i)
{
    const replay_result *r = &st->res;
    int last = st->pf_sim + (i + 1) * st->reps - 1;
    if (st->reps >= 3)
        return (r->pass_end_s[last] - r->pass_end_s[last - 2]) / 2;
    double before = last > 0 ? r->pass_end_s[last - 1] : r->start_s;
    return r->pass_end_s[last] - before;
}

/* Sum over all decode steps of the interpolated step time. */
static double decode_total(const static_run *st, double *periods)
{
    double total = 0;
    for (int i = 0; i < st->ndec; i++) {
        periods[i] = decode_period(st, i);
    }
    if (st->ndec == st->n_dec) {
        for (int i = 0; i < st->ndec; i++)
            total += periods[i];
        return total;
    }
    for (int64_t d = 0; d < st->n_dec; d++) {
        int k = d <= st->dec_step[1] ? 0 : 1; /* the segment of samples d lies in */
        double x0 = (double)st->dec_step[k], x1 = (double)st->dec_step[k + 1];
        double t = x1 > x0 ? ((double)d - x0) / (x1 - x0) : 0;
        total += periods[k] + t * (periods[k + 1] - periods[k]);
    }
    return total;
}

/* Requests: per prefill step j and microbatch m, TTFT; all end at `end_s`. */
static int request_stats(static_run *st, double pf_period, double end_s, ps_prediction *out, ps_error *err)
{
    int64_t n = st->sc.batch, k = 0;
    double *ttft = malloc(sizeof(double) * (size_t)n), *tpot = malloc(sizeof(double) * (size_t)n);
    double *e2e = malloc(sizeof(double) * (size_t)n);
    if (!ttft || !tpot || !e2e) {
        free(ttft);
        free(tpot);
        free(e2e);
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    const replay_result *r = &st->res;
    int64_t extra = st->n_pf - st->pf_sim;
    for (int64_t j = 0; j < st->n_pf; j++) {
        const ps_step *step = &st->pf_step[j == st->n_pf - 1 && st->npf == 2 ? 1 : 0];
        int pass = j < st->pf_sim - 1 ? (int)j : (j == st->n_pf - 1 ? st->pf_sim - 1 : st->pf_sim - 2);
        double shift = j == st->n_pf - 1 ? (double)extra * pf_period
                       : j >= st->pf_sim - 1 ? (double)(j - pass) * pf_period : 0;
        for (int m = 0; m < step->microbatches; m++) {
            double t = r->mb_end_s[pass * PS_PLAN_MAX_MICROBATCHES + m];
            if (t <= 0) /* pp == 1: no hand-back, the pass end is when every token is out */
                t = r->pass_end_s[pass];
            t = t - r->start_s + shift;
            for (int64_t s = 0; s < step->seqs[m] && k < n; s++, k++) {
                ttft[k] = t * 1e3;
                e2e[k] = st->n_dec > 0 ? end_s * 1e3 : ttft[k];
                tpot[k] = st->n_dec > 0 ? (e2e[k] - ttft[k]) / (double)st->n_dec : 0;
            }
        }
    }
    for (; k < n; k++) { /* cannot happen (the steps hold the batch); keep the arrays defined */
        ttft[k] = e2e[k] = end_s * 1e3;
        tpot[k] = 0;
    }
    predict_request_stats(ttft, tpot, e2e, n, out);
    free(ttft);
    free(tpot);
    free(e2e);
    return PS_OK;
}

static double first_allreduce_bytes(const ps_graph *g)
{
    const ps_rank_ops *ro = &g->ranks[0];
    for (size_t i = 0; i < ro->count; i++)
        if (ro->ops[i].kind == PS_OP_ALLREDUCE)
            return ro->ops[i].comm_bytes;
    return 0;
}

static int fill_result(static_run *st, ps_prediction *out, ps_error *err)
{
    predict_case *pc = st->pc;
    const replay_result *r = &st->res;
    double pf_period = st->pf_sim >= 3 ? r->pass_end_s[st->pf_sim - 2] - r->pass_end_s[st->pf_sim - 3] : 0;
    double pf_end = r->pass_end_s[st->pf_sim - 1] - r->start_s + (double)(st->n_pf - st->pf_sim) * pf_period;
    double *per = calloc((size_t)(st->ndec > 0 ? st->ndec : 1), sizeof *per);
    if (!per)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    double end_s = pf_end + decode_total(st, per);
    if (request_stats(st, pf_period, end_s, out, err)) {
        free(per);
        return err->code;
    }
    int dp = pc->wl.plan.dp;
    out->batch = (double)st->sc.batch;
    out->output_tok_s = end_s > 0 ? (double)dp * (double)st->sc.batch * (double)st->sc.osl / end_s : 0;
    out->output_tok_s_per_gpu = out->output_tok_s / out->gpus;
    /* breakdowns: prefill from its first pass, decode from the middle sample's last rep */
    double pf_first = r->pass_end_s[0] - r->start_s;
    predict_breakdown(r, 0, pf_first, out->breakdown_ms[PS_PHASE_PREFILL]);
    out->handoff_transfer_ms[PS_PHASE_PREFILL] = predict_handoff_ms(r, 0);
    double tp_pf = out->breakdown_ms[PS_PHASE_PREFILL][PS_PART_TP_COMM_EXPOSED] * 1e-3 * (double)st->n_pf;
    double tp_dec = 0;
    if (st->ndec > 0) {
        int mid = st->ndec / 2;
        int pass = st->pf_sim + (mid + 1) * st->reps - 1;
        predict_breakdown(r, pass, per[mid], out->breakdown_ms[PS_PHASE_DECODE]);
        out->handoff_transfer_ms[PS_PHASE_DECODE] = predict_handoff_ms(r, pass);
        tp_dec = out->breakdown_ms[PS_PHASE_DECODE][PS_PART_TP_COMM_EXPOSED] * 1e-3 * (double)st->n_dec;
    }
    pc->comm_s += tp_pf + tp_dec;
    if (st->has_dec_graph && first_allreduce_bytes(&st->dec_graph) < (1 << 20))
        pc->comm_small_s += tp_dec;
    if (first_allreduce_bytes(&st->pf_graph[0]) < (1 << 20))
        pc->comm_small_s += tp_pf;
    pc->sim_seconds += end_s;
    pc->replayed_ops += r->ops;
    pc->activities += r->activities;
    free(per);
    return PS_OK;
}

int sched_static_run(predict_case *pc, ps_prediction *out, ps_error *err)
{
    static_run st = {.pc = pc, .sc = pc->wl.scenario};
    int rc = prepare_prefill(&st, err);
    if (!rc)
        rc = prepare_decode(&st, err);
    if (!rc)
        rc = build_passes(&st, err);
    if (!rc)
        rc = replay_simulate(pc->engine, static_driver, &st, err);
    if (!rc)
        rc = fill_result(&st, out, err);
    static_free(&st);
    return rc;
}
