/* sim/replay/predict.c: ps_predict -- one (workload, platform, serving) case, one simgrid_run.
 *
 * Order: memory first (a plan that does not fit is reported with its shortfall and never
 * simulated), then the platform, the NCCL model with the platform's calibration sidecar, the cost
 * model (plus any traces), the replay engine with the plan's communicators, and the scheduler.
 *
 * Overlap shares (replay_internal.h "Overlap"): a PP hand-off is an NCCL send/recv kernel.
 *   SMs: NCCL runs one thread block per channel, and a send or a recv to one peer uses
 *   p2pnChannelsPerPeer channels (src/graph/paths.cc, ncclTopoComputeP2pChannels: a power of
 *   two, the minimum over local peers of 2 x max(1, path bw / one NVLink's bw)). A real NCCL
 *   log on 8 H100 behind NVSwitch prints "16 p2p channels, 2 p2p channels per peer"
 *   (../shared/notes/nccl-model.md 2.6), so each hand-off kernel holds PP_P2P_CHANNELS = 2 SMs:
 *   2 / 132 = 1.5 % of an H100/H200 for compute-bound work.
 *   HBM: a send reads and a recv writes its payload from/to HBM at the link rate, so it takes
 *   link bandwidth / HBM bandwidth of the memory system (450 GB/s of 4.8 TB/s = 9.4 % on an
 *   H200 behind NVSwitch; 64 GB/s / 4.8 TB/s = 1.3 % on the mesh's one pair link) from
 *   memory-bound work.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "predict_internal.h"
#include "sched_mixed.h"

#define PP_P2P_CHANNELS 2 /* see the header comment */
#define TIMELINE_MAX_EVENTS 2000000

/* Validated errors of the NCCL model on hgx-h200 (docs/validation.md, median |error| of all_reduce
 * n = 2, 4, 8 against the AIConfigurator nccl-tests logs; these are calibration residuals: the
 * sidecar was fitted on the same logs): the largest of the three medians per size class. */
#define COLL_ERROR_PCT_SMALL 10.8 /* below 1 MiB */
#define COLL_ERROR_PCT_LARGE 5.2  /* 1 MiB and above (n = 8; was 6.3 before the NVLS chunked form) */

/* Validated errors of the engines' own all-reduce kernels (--allreduce trtllm|vllm), held out:
 * docs/validation.md "Engine all-reduce kernels" (test_coll_engine validate, whose bounds guard
 * them), median |error| per size class against the published 8 x H100 measurements of
 * docs/data/engine-allreduce.csv, the largest among the held-out rows of the engine's kernels
 * that parsim's graph-launched model compares with (SGLang's eager vLLM 1stage rows carry a host
 * launch and an input copy parsim leaves out, docs/validation.md, and are not counted).
 *   vLLM: below 1 MiB 1stage on vLLM PR #24111 (9.1 %); from 1 MiB SGLang PR #2904's 2stage
 *     (17.0 %; PR #24111's 2stage and symm-mem curves fitted COLL_ENGINE_ORDERED_SYNC_US, so
 *     theirs are fit residuals, 3.5-13.3 %, not counted; 1stage there 6.5 %).
 *   TensorRT-LLM: SGLang PR #2904's port of its kernels under the AUTO rule (9.0 % / 23.3 %).
 * A call the engine hands to NCCL (above its size limits) is charged the engine's figure too:
 * the communication share is not split by kernel. Validated for 8 x H100 SXM on an NVSwitch at these
 * group sizes only: elsewhere in_envelope is false (engine_allreduce_validated). */
typedef struct engine_ar_error {
    ps_allreduce_impl impl;
    double small_pct, large_pct;
    int tp_sizes[4]; /* group sizes of the data, 0-terminated */
} engine_ar_error;

static const engine_ar_error engine_ar_errors[] = {
    {PS_ALLREDUCE_VLLM, 9.1, 17.0, {2, 4, 6, 8}},
    {PS_ALLREDUCE_TRTLLM, 9.0, 23.3, {2, 4, 8, 0}},
};

static const engine_ar_error *engine_ar_error_of(ps_allreduce_impl impl)
{
    for (size_t i = 0; i < sizeof engine_ar_errors / sizeof engine_ar_errors[0]; i++)
        if (engine_ar_errors[i].impl == impl)
            return &engine_ar_errors[i];
    return NULL;
}

/* Whether the engine all-reduce's validation data covers this plan: every published point is an
 * 8 x H100 SXM NVSwitch node (docs/data/engine-allreduce.md) at the group sizes listed above. */
static bool engine_allreduce_validated(const engine_ar_error *e, const char *gpu_name, int tp,
                                       const ps_platform_fabric_info *fab)
{
    if (!e || !gpu_name || strcmp(gpu_name, "h100-sxm") || fab->kind != PS_FABRIC_NVSWITCH)
        return false;
    for (int i = 0; i < 4 && e->tp_sizes[i]; i++)
        if (e->tp_sizes[i] == tp)
            return true;
    return false;
}

void ps_serving_init(ps_serving *s)
{
    memset(s, 0, sizeof *s);
    s->engine = PS_ENGINE_TRTLLM;
    s->scheduler = PS_SCHED_INFLIGHT;
    s->chunked_prefill = -1;
    s->requests = 0;
    s->allreduce = PS_ALLREDUCE_ENGINE;
    s->launch = PS_LAUNCH_GRAPH;
}

const char *ps_engine_name(ps_engine e) { return e == PS_ENGINE_VLLM ? "vllm" : "trtllm"; }
const char *ps_scheduler_name(ps_scheduler s) { return s == PS_SCHED_STATIC ? "static" : "inflight"; }
const char *ps_allreduce_impl_name(ps_allreduce_impl i)
{
    switch (i) {
    case PS_ALLREDUCE_ENGINE: return "engine";
    case PS_ALLREDUCE_NCCL: return "nccl";
    case PS_ALLREDUCE_TRTLLM: return "trtllm";
    case PS_ALLREDUCE_VLLM: return "vllm";
    }
    return "?";
}

const char *ps_breakdown_part_name(ps_breakdown_part part)
{
    static const char *const names[PS_PART_COUNT] = {"compute", "tp_comm_exposed", "pp_bubble", "pp_handoff",
                                                     "host_gaps"};
    return part >= 0 && part < PS_PART_COUNT ? names[part] : "?";
}

/* ---- pricing ---------------------------------------------------------------------------------- */

/* Host gaps (the breakdown's host_gaps, docs/predict.md). A CUDA graph replays its kernels back
 * to back, so graph-launched ops have none. An eager op's gap is what the host adds to the GPU's
 * time: for an op a trace measured, the gap the trace measured before and between its kernels
 * (trace_gaps.c: the trace's op time is its kernels only); for any other op, the cost model's
 * eager time minus its graph time (cost.h: eager = max(graph + eager_gap_us, eager_floor_us)). */
static int eager_gap(predict_case *pc, const ps_op *op, const ps_cost_query *q, const ps_cost_answer *a,
                     double *gap_s, ps_error *err)
{
    *gap_s = 0;
    if (q->launch != PS_LAUNCH_EAGER)
        return PS_OK;
    if (a->source == PS_COST_TRACE) {
        *gap_s = trace_gaps_of(pc->gaps, op->id);
        return PS_OK;
    }
    ps_cost_query g = *q;
    g.launch = PS_LAUNCH_GRAPH;
    ps_cost_answer ga;
    if (ps_cost_estimate(pc->cost, &g, &ga, err))
        return ps_error_prefix(err, "op %s", op->id);
    double d = (a->time_us - ga.time_us) * 1e-6;
    *gap_s = d > 0 ? d : 0;
    return PS_OK;
}

static int op_cost(void *ctx, const ps_graph *g, int rank, const ps_op *op, replay_op_cost *out, ps_error *err)
{
    (void)g;
    (void)rank;
    predict_case *pc = ctx;
    if (pc->mixed && op->kind == PS_OP_ATTENTION) {
        const mixed_mb *mb = &pc->mixed->mb[op->microbatch];
        int rc = mixed_attention_cost(pc->cost, &pc->wl, mb, pc->launch, out, err);
        if (rc || pc->launch != PS_LAUNCH_EAGER)
            return rc;
        replay_op_cost graph;
        if ((rc = mixed_attention_cost(pc->cost, &pc->wl, mb, PS_LAUNCH_GRAPH, &graph, err)))
            return rc;
        out->host_gap_s = out->time_s > graph.time_s ? out->time_s - graph.time_s : 0;
        return PS_OK;
    }
    ps_cost_query q;
    ps_cost_query_from_op(op, pc->launch, &q);
    if (op->kind == PS_OP_ATTENTION && q.phase == PS_PHASE_DECODE)
        q.dtype = pc->wl.precision.kv; /* the cache's dtype: mixed_attention_cost, graph_mixed.c */
    ps_cost_answer a;
    if (ps_cost_estimate(pc->cost, &q, &a, err))
        return ps_error_prefix(err, "op %s", op->id);
    double gap_s;
    if (eager_gap(pc, op, &q, &a, &gap_s, err))
        return err->code;
    out->time_s = a.time_us * 1e-6;
    if (a.source == PS_COST_TRACE)
        out->time_s += gap_s; /* the trace's kernels, then the host's gap it measured */
    out->host_gap_s = gap_s;
    out->source = a.source;
    out->compute_bound = a.bound == PS_BOUND_COMPUTE;
    out->error_pct = a.error_pct;
    out->in_envelope = a.in_envelope;
    return PS_OK;
}

int predict_prepare_step(predict_case *pc, const ps_step *step, ps_graph *graph, replay_graph *rg, ps_error *err)
{
    const ps_workload *wl = &pc->wl;
    if (ps_graph_build(&wl->model, &wl->precision, &wl->plan, step, graph, err))
        return err->code;
    pc->launch = step->phase == PS_PHASE_DECODE ? pc->req->serving.launch : PS_LAUNCH_EAGER;
    int rc = replay_graph_prepare(graph, &pc->costing, rg, err);
    if (rc) {
        ps_graph_free(graph);
        return rc;
    }
    rg->feedback = step->phase == PS_PHASE_DECODE;
    return PS_OK;
}

void predict_account_graph(predict_case *pc, const replay_graph *rg, double weight)
{
    for (int s = 0; s < PS_COST_SOURCE_COUNT; s++)
        pc->source_s[s] += weight * rg->compute_s_by_source[s];
    pc->priced_s += weight * rg->compute_s;
    pc->error_weighted_s += weight * rg->error_weighted_s;
    pc->outside_envelope_s += weight * rg->outside_envelope_s;
    pc->unknown_error_s += weight * rg->unknown_error_s;
}

/* ---- result helpers --------------------------------------------------------------------------- */

void predict_breakdown(const replay_result *res, int pass, double period_s, double *ms)
{
    int best = 0;
    double best_busy = -1;
    for (int r = 0; r < res->nranks; r++) {
        const replay_rank_pass *rp = &res->rank_pass[pass * res->nranks + r];
        double busy = rp->compute_s + rp->tp_comm_s;
        if (busy > best_busy + 1e-15) {
            best_busy = busy;
            best = r;
        }
    }
    const replay_rank_pass *rp = &res->rank_pass[pass * res->nranks + best];
    ms[PS_PART_HOST_GAPS] = rp->host_gap_s * 1e3; /* eager launches (op_cost) */
    ms[PS_PART_COMPUTE] = (rp->compute_s - rp->host_gap_s) * 1e3;
    ms[PS_PART_TP_COMM_EXPOSED] = rp->tp_comm_s * 1e3;
    /* waiting on a recv is the hand-off only while the transfer runs; before, the upstream
     * stage was still computing: that is the pipeline's bubble */
    double handoff = rp->wait_recv_s < rp->recv_xfer_s ? rp->wait_recv_s : rp->recv_xfer_s;
    ms[PS_PART_PP_HANDOFF] = handoff * 1e3;
    double rest = period_s * 1e3 - ms[PS_PART_COMPUTE] - ms[PS_PART_TP_COMM_EXPOSED] - ms[PS_PART_PP_HANDOFF] -
                  ms[PS_PART_HOST_GAPS];
    ms[PS_PART_PP_BUBBLE] = rest > 0 ? rest : 0;
}

double predict_handoff_ms(const replay_result *res, int pass)
{
    double best = 0;
    for (int r = 0; r < res->nranks; r++) {
        const replay_rank_pass *rp = &res->rank_pass[pass * res->nranks + r];
        if (rp->recv_count > 0 && rp->recv_xfer_s / rp->recv_count > best)
            best = rp->recv_xfer_s / rp->recv_count;
    }
    return best * 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* trtllm-bench's percentile: the sorted array at floor(N x p) (serving.md 2.8, [B8]). */
static double percentile(const double *sorted, int64_t n, double p)
{
    int64_t i = (int64_t)floor((double)n * p);
    if (i >= n)
        i = n - 1;
    return n > 0 ? sorted[i] : 0;
}

static double mean(const double *v, int64_t n)
{
    double s = 0;
    for (int64_t i = 0; i < n; i++)
        s += v[i];
    return n > 0 ? s / (double)n : 0;
}

void predict_request_stats(double *ttft, double *tpot, double *e2e, int64_t n, ps_prediction *out)
{
    out->ttft_ms = mean(ttft, n);
    out->tpot_ms = mean(tpot, n);
    out->e2e_ms = mean(e2e, n);
    qsort(ttft, (size_t)n, sizeof *ttft, cmp_double);
    qsort(tpot, (size_t)n, sizeof *tpot, cmp_double);
    qsort(e2e, (size_t)n, sizeof *e2e, cmp_double);
    out->ttft_ms_p50 = percentile(ttft, n, 0.50);
    out->ttft_ms_p90 = percentile(ttft, n, 0.90);
    out->ttft_ms_p99 = percentile(ttft, n, 0.99);
    out->tpot_ms_p50 = percentile(tpot, n, 0.50);
    out->tpot_ms_p90 = percentile(tpot, n, 0.90);
    out->tpot_ms_p99 = percentile(tpot, n, 0.99);
    out->e2e_ms_p50 = percentile(e2e, n, 0.50);
    out->e2e_ms_p90 = percentile(e2e, n, 0.90);
    out->e2e_ms_p99 = percentile(e2e, n, 0.99);
    out->output_tok_s_per_user = out->tpot_ms > 0 ? 1000.0 / out->tpot_ms : 0;
}

/* ---- setup ------------------------------------------------------------------------------------ */

static int setup_memory(predict_case *pc, ps_prediction *out, ps_error *err)
{
    ps_workload *wl = &pc->wl;
    if (ps_memory_plan(&wl->model, &wl->precision, &wl->plan, &wl->scenario, &wl->gpu.spec, wl->mem_fraction,
                       &pc->mem, err))
        return err->code;
    out->memory_bytes_per_gpu = pc->mem.stage[pc->mem.worst_stage].total_bytes;
    out->fits = pc->mem.fits && pc->mem.max_batch >= 1;
    out->shortfall_bytes = pc->mem.shortfall_bytes;
    wl->scenario.batch = pc->mem.batch;
    out->batch = (double)pc->mem.batch;
    return PS_OK;
}

static int setup_sim(predict_case *pc, ps_prediction *out, ps_error *err)
{
    const ps_predict_request *req = pc->req;
    const char *path = req->platform_path[0] ? req->platform_path : pc->wl.gpu.platform_path;
    if (!path[0])
        return ps_error_set(err, PS_EINPUT, "--platform: a platform is needed to predict (a file or a preset)");
    snprintf(out->platform, sizeof out->platform, "%s", path);
    if (req->platform)
        pc->platform = req->platform;
    else if (ps_platform_load(path, &pc->platform, err))
        return ps_error_prefix(err, "--platform");
    else
        pc->owns_platform = true;
    ps_coll_params params;
    if (ps_coll_params_for_platform(path, NULL, &params, out->calibration, sizeof out->calibration, err))
        return err->code;
    if (ps_coll_ctx_create(pc->platform, &params, &pc->coll, err))
        return err->code;
    if (ps_cost_model_create(&pc->wl.gpu.spec, NULL, &pc->cost, err))
        return err->code;
    const char *coeff = ps_cost_model_coeff_path(pc->cost);
    snprintf(out->coefficients, sizeof out->coefficients, "%s", coeff ? coeff : "");
    const char *dirs[PS_PREDICT_MAX_TRACES];
    for (int i = 0; i < req->ntraces; i++) {
        /* only a trace that passes `parsim trace check` prices ops (a rank outside the plan, or
         * collectives that disagree across ranks, were taken as measurements) */
        ps_trace_summary summary;
        if (ps_trace_check(req->traces[i], &summary, err))
            return ps_error_prefix(err, "--trace %s", req->traces[i]);
        ps_trace_summary_free(&summary);
        if (ps_cost_model_add_trace(pc->cost, req->traces[i], err))
            return ps_error_prefix(err, "--trace %s", req->traces[i]);
        dirs[i] = req->traces[i];
    }
    if (req->ntraces > 0 && trace_gaps_read(dirs, req->ntraces, &pc->gaps, err))
        return err->code;
    const ps_platform_gpu *g0 = ps_platform_gpu_at(pc->platform, 0);
    const ps_platform_fabric_info *fab = ps_platform_fabric(pc->platform);
    double link = fab->gpu_link_bytes_per_s;
    if (fab->kind == PS_FABRIC_MESH && fab->gpus_per_node > 1)
        link /= fab->gpus_per_node - 1; /* one pair link of the mesh carries a hand-off */
    pc->costing = (replay_costing){op_cost, pc, g0->sm_count > 0 ? (double)PP_P2P_CHANNELS / g0->sm_count : 0,
                                   g0->hbm_bandwidth_bytes_per_s > 0 ? link / g0->hbm_bandwidth_bytes_per_s : 0,
                                   false};
    ps_coll_algo algo = PS_ALGO_AUTO;
    ps_allreduce_impl impl = req->serving.allreduce;
    if (impl == PS_ALLREDUCE_ENGINE)
        impl = req->serving.engine == PS_ENGINE_VLLM ? PS_ALLREDUCE_VLLM : PS_ALLREDUCE_TRTLLM;
    out->allreduce = impl;
    /* The engines' own all-reduce: collective algorithms of sim/coll (allreduce_trtllm.c,
     * allreduce_vllm.c), which see the TP all-reduce as the [tokens, hidden] activation tensor. */
    if (impl != PS_ALLREDUCE_NCCL)
        algo = impl == PS_ALLREDUCE_VLLM ? PS_ALGO_VLLM : PS_ALGO_TRTLLM;
    double act_bytes = ps_dtype_bytes(pc->wl.precision.act);
    int type_bytes = act_bytes >= 1 ? (int)act_bytes : 1;
    if (req->timeline_path) {
        ps_timeline_options o = {.origin_ns = 0, .gpu_name = pc->wl.gpu.spec.marketing_name, .label = "predicted"};
        if (ps_timeline_open(&pc->timeline, req->timeline_path, &o, err))
            return ps_error_prefix(err, "--timeline");
    }
    /* a timeline of a long in-flight run would be huge: the first TIMELINE_MAX_EVENTS ops */
    replay_engine_config cfg = {pc->platform, pc->coll, &pc->wl.plan, algo, false, pc->timeline, TIMELINE_MAX_EVENTS,
                                (double)pc->wl.model.hidden * type_bytes, type_bytes};
    return replay_engine_create(&cfg, &pc->engine, err);
}

/* The --explain figures: a decode step at the run's mean batch, middle of the output. */
static int explain_figures(predict_case *pc, ps_prediction *out, ps_error *err)
{
    ps_scenario sc = pc->wl.scenario;
    int64_t b = (int64_t)(out->batch + 0.5);
    sc.batch = b < 1 ? 1 : b;
    ps_step step;
    ps_graph g;
    replay_graph rg;
    if (ps_step_decode(&pc->wl.plan, &sc, sc.osl / 2, &step, err) || predict_prepare_step(pc, &step, &g, &rg, err))
        return err->code;
    const ps_rank_ops *ro = &g.ranks[0];
    for (size_t i = 0; i < ro->count; i++) {
        const ps_op *op = &ro->ops[i];
        if (op->kind == PS_OP_ALLREDUCE) {
            out->explain_allreduces++;
            out->explain_allreduce_bytes = op->comm_bytes;
        }
        out->explain_hbm_bytes += op->bytes_read + op->bytes_written;
        out->explain_flops += op->flops;
    }
    out->explain_batch = sc.batch;
    out->explain_hbm_bytes_per_s = pc->wl.gpu.spec.hbm_bandwidth_bytes_per_s;
    out->explain_peak_flops = pc->wl.precision.weights == PS_DTYPE_FP8 ? pc->wl.gpu.spec.peak_flops_fp8
                                                                       : pc->wl.gpu.spec.peak_flops_bf16;
    out->explain_compute_bound_share = rg.compute_s > 0 ? rg.compute_bound_s / rg.compute_s : 0;
    replay_graph_free(&rg);
    ps_graph_free(&g);
    return PS_OK;
}

static void finish(predict_case *pc, ps_prediction *out)
{
    double total = 0;
    for (int s = 0; s < PS_COST_SOURCE_COUNT; s++)
        total += pc->source_s[s];
    for (int s = 0; s < PS_COST_SOURCE_COUNT; s++)
        out->cost_sources[s] = total > 0 ? pc->source_s[s] / total : 0;
    /* Error bar: the cost model's time-weighted held-out error on the compute share of the
     * time plus the collective model's validated error on the exposed communication share
     * (added, not in quadrature: both can err the same way). */
    double known_s = pc->priced_s - pc->unknown_error_s;
    double cost_err = known_s > 0 ? pc->error_weighted_s / known_s : 0;
    const engine_ar_error *engine_err = engine_ar_error_of(out->allreduce);
    double small_pct = engine_err ? engine_err->small_pct : COLL_ERROR_PCT_SMALL;
    double large_pct = engine_err ? engine_err->large_pct : COLL_ERROR_PCT_LARGE;
    double comm_err = pc->comm_s > 0 ? (pc->comm_small_s * small_pct + (pc->comm_s - pc->comm_small_s) * large_pct) /
                                           pc->comm_s
                                     : 0;
    double comm_frac = pc->sim_seconds > 0 ? pc->comm_s / pc->sim_seconds : 0;
    if (comm_frac > 1)
        comm_frac = 1;
    out->error_pct = (1 - comm_frac) * cost_err + comm_frac * comm_err;
    const ps_platform_fabric_info *fab = ps_platform_fabric(pc->platform);
    bool calibrated = out->calibration[0] != '\0';
    /* the engines' all-reduce kernels: validated on 8 x H100 NVSwitch at the data's group sizes
     * only (engine_ar_errors) */
    bool allreduce_validated = out->allreduce == PS_ALLREDUCE_NCCL ||
                               engine_allreduce_validated(engine_err, pc->wl.gpu.spec.name, out->tp, fab);
    out->in_envelope = pc->outside_envelope_s <= 0 && pc->unknown_error_s <= 0 && fab->node_count == 1 && calibrated &&
                       allreduce_validated;
    out->replayed_ops = pc->replayed_ops;
    out->activities = pc->activities;
    out->simulated_ms = pc->sim_seconds * 1e3;
}

int ps_predict(const ps_predict_request *req, ps_prediction *out, ps_error *err)
{
    memset(out, 0, sizeof *out);
    predict_case pc = {.req = req, .wl = req->workload};
    pc.full_replay = getenv("PARSIM_REPLAY_FULL") && !strcmp(getenv("PARSIM_REPLAY_FULL"), "1");
    out->gpus = ps_plan_gpus(&pc.wl.plan);
    out->scheduler = req->serving.scheduler;
    out->isl = pc.wl.scenario.isl;
    out->osl = pc.wl.scenario.osl;
    out->tp = pc.wl.plan.tp;
    out->pp = pc.wl.plan.pp;
    out->dp = pc.wl.plan.dp;
    const char *path = req->platform_path[0] ? req->platform_path : pc.wl.gpu.platform_path;
    snprintf(out->platform, sizeof out->platform, "%s", path);
    int rc = setup_memory(&pc, out, err);
    if (!rc && req->compare_plans)
        rc = predict_compare_plans(req, out, err); /* before this process's simgrid_run */
    if (!rc && out->fits)
        rc = setup_sim(&pc, out, err);
    if (!rc && out->fits) {
        if (req->serving.scheduler == PS_SCHED_STATIC)
            rc = sched_static_run(&pc, out, err);
        else
            rc = sched_inflight_run(&pc, out, err);
    }
    if (!rc && out->fits)
        finish(&pc, out);
    if (!rc && out->fits)
        rc = explain_figures(&pc, out, err);
    replay_engine_free(pc.engine);
    if (pc.timeline) {
        if (!rc && out->fits)
            rc = ps_timeline_close(pc.timeline, err);
        else
            ps_timeline_abort(pc.timeline);
    }
    ps_cost_model_free(pc.cost);
    trace_gaps_free(pc.gaps);
    ps_coll_ctx_free(pc.coll);
    if (pc.owns_platform)
        ps_platform_free(pc.platform);
    return rc;
}
