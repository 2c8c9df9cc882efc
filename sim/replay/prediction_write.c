/* sim/replay/prediction_write.c: the text and JSON writers over ps_prediction (docs/predict.md
 * documents every JSON key with its unit). Numbers are printed with %.6g (ms, tok/s) or as
 * integers, so identical predictions give byte-identical output.
 */
#include <stdio.h>
#include <string.h>

#include "parsim/replay.h"
#include "parsim/util.h"

#ifndef PARSIM_VERSION
#define PARSIM_VERSION "0.1.0"
#endif

static void json_num(FILE *f, const char *key, double v, int *first)
{
    fprintf(f, "%s\"%s\":%.6g", *first ? "" : ",", key, v);
    *first = 0;
}

static void json_parts(FILE *f, const double *ms)
{
    fputc('{', f);
    for (int k = 0; k < PS_PART_COUNT; k++)
        fprintf(f, "%s\"%s\":%.6g", k ? "," : "", ps_breakdown_part_name((ps_breakdown_part)k), ms[k]);
    fputc('}', f);
}

int ps_prediction_write_json(FILE *f, const ps_prediction *p, ps_error *err)
{
    int first = 1;
    fputc('{', f);
    fprintf(f, "\"fits\":%s", p->fits ? "true" : "false");
    first = 0;
    json_num(f, "shortfall_bytes", p->shortfall_bytes, &first);
    json_num(f, "memory_bytes_per_gpu", p->memory_bytes_per_gpu, &first);
    fprintf(f, ",\"scheduler\":\"%s\",\"allreduce\":\"%s\"", ps_scheduler_name(p->scheduler),
            ps_allreduce_impl_name(p->allreduce));
    fprintf(f, ",\"tp\":%d,\"pp\":%d,\"dp\":%d,\"gpus\":%d,\"isl\":%lld,\"osl\":%lld", p->tp, p->pp, p->dp,
            p->gpus, (long long)p->isl, (long long)p->osl);
    json_num(f, "batch", p->batch, &first);
    if (p->fits) {
        const struct { const char *key; double v; } nums[] = {
            {"ttft_ms", p->ttft_ms}, {"ttft_ms_p50", p->ttft_ms_p50}, {"ttft_ms_p90", p->ttft_ms_p90},
            {"ttft_ms_p99", p->ttft_ms_p99}, {"tpot_ms", p->tpot_ms}, {"tpot_ms_p50", p->tpot_ms_p50},
            {"tpot_ms_p90", p->tpot_ms_p90}, {"tpot_ms_p99", p->tpot_ms_p99}, {"e2e_ms", p->e2e_ms},
            {"e2e_ms_p50", p->e2e_ms_p50}, {"e2e_ms_p90", p->e2e_ms_p90}, {"e2e_ms_p99", p->e2e_ms_p99},
            {"output_tok_s", p->output_tok_s}, {"output_tok_s_per_gpu", p->output_tok_s_per_gpu},
            {"output_tok_s_per_user", p->output_tok_s_per_user}, {"error_pct", p->error_pct},
        };
        for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
            json_num(f, nums[i].key, nums[i].v, &first);
        fprintf(f, ",\"handoff_transfer_ms\":{\"decode\":%.6g,\"prefill\":%.6g}", p->handoff_transfer_ms[PS_PHASE_DECODE],
                p->handoff_transfer_ms[PS_PHASE_PREFILL]);
        fputs(",\"breakdown\":{\"decode\":", f);
        json_parts(f, p->breakdown_ms[PS_PHASE_DECODE]);
        fputs(",\"prefill\":", f);
        json_parts(f, p->breakdown_ms[PS_PHASE_PREFILL]);
        fputs("},\"cost_sources\":{", f);
        for (int s = 0; s < PS_COST_SOURCE_COUNT; s++)
            fprintf(f, "%s\"%s\":%.6g", s ? "," : "", ps_cost_source_name((ps_cost_source)s), p->cost_sources[s]);
        fprintf(f, "},\"in_envelope\":%s", p->in_envelope ? "true" : "false");
        fprintf(f, ",\"replayed_ops\":%lld,\"activities\":%lld", (long long)p->replayed_ops,
                (long long)p->activities);
        json_num(f, "simulated_ms", p->simulated_ms, &first);
        if (p->scheduler == PS_SCHED_INFLIGHT) {
            fprintf(f, ",\"requests\":%lld,\"iterations\":%.0f,\"distinct_iterations\":%lld", (long long)p->requests,
                    p->iterations, (long long)p->distinct_iterations);
            fprintf(f, ",\"max_batch_size\":%lld,\"max_num_tokens\":%lld,\"chunked_prefill\":%s", (long long)p->max_batch_size,
                    (long long)p->max_num_tokens, p->chunked_prefill ? "true" : "false");
            fprintf(f, ",\"kv_capacity_tokens\":%lld,\"preemptions\":%lld", (long long)p->kv_capacity_tokens,
                    (long long)p->preemptions);
        }
    }
    fprintf(f, ",\"inputs\":{\"parsim_version\":\"%s\",\"platform\":", PARSIM_VERSION);
    ps_json_write_string(f, p->platform);
    fputs(",\"coefficients\":", f);
    ps_json_write_string(f, p->coefficients);
    fputs(",\"calibration\":", f);
    ps_json_write_string(f, p->calibration);
    fputs("}}\n", f);
    if (ferror(f))
        return ps_error_set(err, PS_EINTERNAL, "cannot write the prediction");
    return PS_OK;
}

int ps_prediction_write_text(FILE *f, const ps_prediction *p, ps_error *err)
{
    fprintf(f, "plan               TP%d x PP%d x DP%d on %d GPUs, %s scheduler, %s all-reduce, ISL %lld, OSL %lld\n",
            p->tp, p->pp, p->dp, p->gpus, ps_scheduler_name(p->scheduler), ps_allreduce_impl_name(p->allreduce),
            (long long)p->isl, (long long)p->osl);
    fprintf(f, "platform           %s\n", p->platform);
    fprintf(f, "memory per GPU     %.2f GB (%s)\n", p->memory_bytes_per_gpu / 1e9,
            p->fits ? "fits" : "does not fit");
    if (!p->fits) {
        fprintf(f, "shortfall          %.2f GB on the busiest GPU: nothing simulated\n", p->shortfall_bytes / 1e9);
        return ferror(f) ? ps_error_set(err, PS_EINTERNAL, "cannot write the prediction") : PS_OK;
    }
    fprintf(f, "batch              %.6g sequences in flight (mean)\n", p->batch);
    fprintf(f, "%-18s %10s %10s %10s %10s\n", "latency (ms)", "mean", "p50", "p90", "p99");
    fprintf(f, "%-18s %10.3f %10.3f %10.3f %10.3f\n", "TTFT", p->ttft_ms, p->ttft_ms_p50, p->ttft_ms_p90,
            p->ttft_ms_p99);
    fprintf(f, "%-18s %10.3f %10.3f %10.3f %10.3f\n", "TPOT", p->tpot_ms, p->tpot_ms_p50, p->tpot_ms_p90,
            p->tpot_ms_p99);
    fprintf(f, "%-18s %10.3f %10.3f %10.3f %10.3f\n", "end-to-end", p->e2e_ms, p->e2e_ms_p50, p->e2e_ms_p90,
            p->e2e_ms_p99);
    fprintf(f, "output tok/s       %.1f total, %.1f per GPU, %.2f per user\n", p->output_tok_s,
            p->output_tok_s_per_gpu, p->output_tok_s_per_user);
    fprintf(f, "%-18s", "ms per iteration");
    for (int k = 0; k < PS_PART_COUNT; k++)
        fprintf(f, " %15s", ps_breakdown_part_name((ps_breakdown_part)k));
    fputc('\n', f);
    for (int ph = PS_PHASE_PREFILL; ph <= PS_PHASE_DECODE; ph++) {
        fprintf(f, "  %-16s", ps_phase_name((ps_phase)ph));
        for (int k = 0; k < PS_PART_COUNT; k++)
            fprintf(f, " %15.3f", p->breakdown_ms[ph][k]);
        fputc('\n', f);
    }
    if (p->scheduler == PS_SCHED_INFLIGHT)
        fprintf(f, "engine limits      max-batch-size %lld, max-num-tokens %lld, chunked prefill %s, KV cache %lld tokens\n"
                   "run                %lld requests, %.0f iterations (%lld distinct replayed), %lld preemptions\n",
                (long long)p->max_batch_size, (long long)p->max_num_tokens, p->chunked_prefill ? "on" : "off",
                (long long)p->kv_capacity_tokens, (long long)p->requests, p->iterations,
                (long long)p->distinct_iterations, (long long)p->preemptions);
    if (p->pp > 1)
        fprintf(f, "PP hand-off        %.3f ms per prefill microbatch, %.3f ms per decode microbatch (transfer)\n",
                p->handoff_transfer_ms[PS_PHASE_PREFILL], p->handoff_transfer_ms[PS_PHASE_DECODE]);
    fprintf(f, "cost sources       trace %.1f %%, table %.1f %%, model %.1f %%\n", 100 * p->cost_sources[PS_COST_TRACE],
            100 * p->cost_sources[PS_COST_TABLE], 100 * p->cost_sources[PS_COST_MODEL]);
    fprintf(f, "error bar          +-%.1f %% (%s the validated envelope)\n", p->error_pct,
            p->in_envelope ? "inside" : "outside");
    fprintf(f, "calibration        %s\n", p->calibration[0] ? p->calibration : "(NCCL defaults, no sidecar)");
    return ferror(f) ? ps_error_set(err, PS_EINTERNAL, "cannot write the prediction") : PS_OK;
}

static double step_ms(const double *parts)
{
    double t = 0;
    for (int k = 0; k < PS_PART_COUNT; k++)
        t += parts[k];
    return t;
}

static void plan_name(char *buf, size_t size, int tp, int pp)
{
    if (pp == 1)
        snprintf(buf, size, "TP%d", tp);
    else if (tp == 1)
        snprintf(buf, size, "PP%d", pp);
    else
        snprintf(buf, size, "TP%d x PP%d", tp, pp);
}

/* One plan's step in numbers: "decode step 82.2 ms = kernels 64.2 + all-reduces 18.0 (253) + ..."
 * (only the parts that are there; the count is the all-reduces per step on one GPU). */
static void step_words(FILE *f, const char *what, const double *parts, int64_t allreduces)
{
    fprintf(f, "%s %.1f ms = kernels %.1f", what, step_ms(parts), parts[PS_PART_COMPUTE]);
    if (parts[PS_PART_TP_COMM_EXPOSED] > 0.005) {
        fprintf(f, " + all-reduces %.1f", parts[PS_PART_TP_COMM_EXPOSED]);
        if (allreduces > 0)
            fprintf(f, " (%lld)", (long long)allreduces);
    }
    if (parts[PS_PART_PP_BUBBLE] > 0.005)
        fprintf(f, " + bubble %.1f", parts[PS_PART_PP_BUBBLE]);
    if (parts[PS_PART_PP_HANDOFF] > 0.005)
        fprintf(f, " + hand-off %.1f", parts[PS_PART_PP_HANDOFF]);
    if (parts[PS_PART_HOST_GAPS] > 0.005)
        fprintf(f, " + host gaps %.1f", parts[PS_PART_HOST_GAPS]);
}

/* The share of a step that is not kernels. */
static double overhead(const double *parts)
{
    double t = step_ms(parts);
    return t > 0 ? (t - parts[PS_PART_COMPUTE]) / t : 0;
}

/* The winner of a metric among the simulated plans (-1: none). */
static int best_of(const ps_prediction *p, bool per_user)
{
    int best = -1;
    for (int i = 0; i < p->ncompare; i++) {
        const ps_plan_outcome *o = &p->compare[i];
        if (o->failed || !o->fits)
            continue;
        double v = per_user ? o->output_tok_s_per_user : o->output_tok_s;
        double b = best < 0 ? -1 : per_user ? p->compare[best].output_tok_s_per_user : p->compare[best].output_tok_s;
        if (v > b)
            best = i;
    }
    return best;
}

/* "why this plan wins or loses" for one metric, in the steps' numbers. */
static void verdict(FILE *f, const ps_prediction *p, int self, bool per_user)
{
    int best = best_of(p, per_user);
    if (best < 0 || self < 0)
        return;
    const ps_plan_outcome *me = &p->compare[self], *w = &p->compare[best];
    const char *metric = per_user ? "tokens/s per user (1 / TPOT)" : "throughput (output tokens/s)";
    char mine[32], theirs[32];
    plan_name(mine, sizeof mine, me->tp, me->pp);
    plan_name(theirs, sizeof theirs, w->tp, w->pp);
    double a = per_user ? me->output_tok_s_per_user : me->output_tok_s;
    double b = per_user ? w->output_tok_s_per_user : w->output_tok_s;
    int rank = 1, ranked = 0;
    for (int i = 0; i < p->ncompare; i++) {
        const ps_plan_outcome *o = &p->compare[i];
        if (o->failed || !o->fits)
            continue;
        ranked++;
        rank += (per_user ? o->output_tok_s_per_user : o->output_tok_s) > a;
    }
    if (best == self) {
        fprintf(f, "  For %s %s wins (%d of %d plans).", metric, mine, rank, ranked);
        int second = -1;
        for (int i = 0; i < p->ncompare; i++) {
            const ps_plan_outcome *o = &p->compare[i];
            if (i == self || o->failed || !o->fits)
                continue;
            double v = per_user ? o->output_tok_s_per_user : o->output_tok_s;
            if (second < 0 || v > (per_user ? p->compare[second].output_tok_s_per_user : p->compare[second].output_tok_s))
                second = i;
        }
        if (second < 0) {
            fputc('\n', f);
            return;
        }
        w = &p->compare[second];
        plan_name(theirs, sizeof theirs, w->tp, w->pp);
        b = per_user ? w->output_tok_s_per_user : w->output_tok_s;
        fprintf(f, " The runner-up, %s, gets %.*f (%.2fx less).\n", theirs, b < 20 ? 2 : 1, b, b > 0 ? a / b : 0);
    } else {
        fprintf(f, "  For %s %s ranks %d of %d: %s gets %.*f against %.*f (%.2fx).\n", metric, mine, rank, ranked,
                theirs, b < 20 ? 2 : 1, b, a < 20 ? 2 : 1, a, a > 0 ? b / a : 0);
    }
    /* the numbers behind it: the steps (decode for 1/TPOT; at max load the prefill steps too,
     * where a prompt-heavy load spends its time) and the share of each step that is not kernels */
    const ps_plan_outcome *two[2] = {me, w};
    const char *names[2] = {mine, theirs};
    for (int j = 0; j < 2; j++) {
        const ps_plan_outcome *o = two[j];
        fprintf(f, "    %s: ", names[j]);
        step_words(f, "decode step", o->breakdown_ms[PS_PHASE_DECODE], o->allreduces_per_decode_step);
        if (!per_user && step_ms(o->breakdown_ms[PS_PHASE_PREFILL]) > 0) {
            fprintf(f, "\n    %*s  ", (int)strlen(names[j]), "");
            step_words(f, "prefill step", o->breakdown_ms[PS_PHASE_PREFILL], 0);
        }
        fputc('\n', f);
    }
    fprintf(f, "    Outside kernels (all-reduces, bubble, hand-offs, host gaps), share of a decode step%s:\n",
            per_user ? "" : " and of a prefill step");
    for (int j = 0; j < 2; j++) {
        fprintf(f, "%s%s %.0f %%", j ? "; " : "    ", names[j], 100 * overhead(two[j]->breakdown_ms[PS_PHASE_DECODE]));
        if (!per_user)
            fprintf(f, " and %.0f %%", 100 * overhead(two[j]->breakdown_ms[PS_PHASE_PREFILL]));
    }
    fprintf(f, ". TPOT %.2f ms against %.2f ms.\n", me->tpot_ms, w->tpot_ms);
}

/* --explain: the other plans of the same GPUs, simulated (compare.c). */
static void write_comparison(FILE *f, const ps_prediction *p)
{
    if (p->ncompare <= 1)
        return;
    fprintf(f, "\nagainst the other plans of these %d GPUs (each simulated with the same model, platform, load and\n"
               "engine settings; decode / prefill step in ms):\n", p->tp * p->pp);
    fprintf(f, "  %-12s %10s %11s %11s %9s %13s %13s\n", "plan", "tok/s", "tok/s/user", "TTFT ms", "TPOT ms",
            "decode step", "prefill step");
    int self = -1;
    for (int i = 0; i < p->ncompare; i++) {
        const ps_plan_outcome *o = &p->compare[i];
        char name[48];
        plan_name(name, sizeof name, o->tp, o->pp);
        bool me = o->tp == p->tp && o->pp == p->pp;
        if (me) {
            self = i;
            strcat(name, " *");
        }
        if (o->failed)
            fprintf(f, "  %-12s failed: %s\n", name, o->why);
        else if (!o->fits)
            fprintf(f, "  %-12s does not fit (%.2f GB short per GPU)\n", name, o->shortfall_bytes / 1e9);
        else
            fprintf(f, "  %-12s %10.1f %11.2f %11.1f %9.2f %13.2f %13.2f\n", name, o->output_tok_s,
                    o->output_tok_s_per_user, o->ttft_ms, o->tpot_ms, step_ms(o->breakdown_ms[PS_PHASE_DECODE]),
                    step_ms(o->breakdown_ms[PS_PHASE_PREFILL]));
    }
    fprintf(f, "  (* this plan; its row comes from the same kind of run as the others)\n");
    verdict(f, p, self, false);
    verdict(f, p, self, true);
}

int ps_prediction_write_explain(FILE *f, const ps_prediction *p, ps_error *err)
{
    if (!p->fits) {
        fprintf(f, "\nThe plan does not fit: the busiest GPU needs %.2f GB more than it may use, so nothing ran.\n",
                p->shortfall_bytes / 1e9);
        return ferror(f) ? ps_error_set(err, PS_EINTERNAL, "cannot write the explanation") : PS_OK;
    }
    if (p->osl <= 1) { /* no decode step ran: the figures below would describe a step of 0 ms */
        const double *pf = p->breakdown_ms[PS_PHASE_PREFILL];
        double step = 0;
        for (int k = 0; k < PS_PART_COUNT; k++)
            step += pf[k];
        fprintf(f, "\nwhy: with OSL 1 no decode step runs (the one output token is sampled at the end of prefill).\n"
                   "  A prefill iteration takes %.3f ms: %.3f ms of kernels, %.3f ms of TP all-reduces, %.3f ms waiting\n"
                   "  for the PP hand-off, %.3f ms idle in the pipeline, %.3f ms of host gaps; TTFT %.3f ms.\n",
                step, pf[PS_PART_COMPUTE], pf[PS_PART_TP_COMM_EXPOSED], pf[PS_PART_PP_HANDOFF], pf[PS_PART_PP_BUBBLE],
                pf[PS_PART_HOST_GAPS], p->ttft_ms);
        return ferror(f) ? ps_error_set(err, PS_EINTERNAL, "cannot write the explanation") : PS_OK;
    }
    const double *d = p->breakdown_ms[PS_PHASE_DECODE];
    double step = 0;
    for (int k = 0; k < PS_PART_COUNT; k++)
        step += d[k];
    double hbm_ms = p->explain_hbm_bytes_per_s > 0 ? p->explain_hbm_bytes / p->explain_hbm_bytes_per_s * 1e3 : 0;
    double flop_ms = p->explain_peak_flops > 0 ? p->explain_flops / p->explain_peak_flops * 1e3 : 0;
    fprintf(f, "\nwhy (one decode step, the busiest GPU):\n");
    fprintf(f, "  A decode step takes %.3f ms: %.3f ms of kernels, %.3f ms of TP all-reduces, %.3f ms waiting for\n"
               "  the PP hand-off, %.3f ms idle in the pipeline, %.3f ms of host gaps.\n",
            step, d[PS_PART_COMPUTE], d[PS_PART_TP_COMM_EXPOSED], d[PS_PART_PP_HANDOFF], d[PS_PART_PP_BUBBLE],
            d[PS_PART_HOST_GAPS]);
    fprintf(f, "  Its kernels move %.2f GB through HBM (%.3f ms at the rated %.1f TB/s) and do %.2f TFLOP (%.3f ms at\n"
               "  the rated %.0f TFLOP/s) for %lld sequence(s): %s-bound (%.0f %% of the kernel time is in compute-bound\n"
               "  kernels). Batching more sequences per step %s.\n",
            p->explain_hbm_bytes / 1e9, hbm_ms, p->explain_hbm_bytes_per_s / 1e12, p->explain_flops / 1e12, flop_ms,
            p->explain_peak_flops / 1e12, (long long)p->explain_batch, hbm_ms >= flop_ms ? "HBM" : "tensor-core",
            100 * p->explain_compute_bound_share,
            hbm_ms >= flop_ms ? "costs little more time (the weights are read once per step either way)"
                              : "costs time in proportion");
    if (p->explain_allreduces > 0)
        fprintf(f, "  TP%d pays %lld all-reduces of %.1f KB per decode step: %.3f ms of the step's %.3f ms (%.0f %%), on\n"
                   "  the critical path (they run on the compute stream); each is mostly latency at this size.\n",
                p->tp, (long long)p->explain_allreduces, p->explain_allreduce_bytes / 1e3, d[PS_PART_TP_COMM_EXPOSED],
                step, step > 0 ? 100 * d[PS_PART_TP_COMM_EXPOSED] / step : 0);
    if (p->pp > 1)
        fprintf(f, "  PP%d: a token crosses all %d stages one after another, so one request gets a token per full\n"
                   "  traversal (TPOT %.3f ms); up to %d microbatches in flight keep the stages busy, %s\n"
                   "  One hand-off of a decode microbatch takes %.3f ms, of a prefill microbatch %.3f ms.\n",
                p->pp, p->pp, p->tpot_ms, p->pp,
                p->explain_batch < p->pp ? "but with fewer sequences than stages they wait (the idle time above)."
                                         : "which is where PP's throughput comes from.",
                p->handoff_transfer_ms[PS_PHASE_DECODE], p->handoff_transfer_ms[PS_PHASE_PREFILL]);
    write_comparison(f, p);
    fprintf(f, "  Sources: %.0f %% of the kernel time from traces, %.0f %% interpolated from trace tables, %.0f %% from\n"
               "  the calibrated model; error bar +-%.1f %%.\n",
            100 * p->cost_sources[PS_COST_TRACE], 100 * p->cost_sources[PS_COST_TABLE],
            100 * p->cost_sources[PS_COST_MODEL], p->error_pct);
    return ferror(f) ? ps_error_set(err, PS_EINTERNAL, "cannot write the explanation") : PS_OK;
}
