/* parsim validate TRACE: measured against simulated, for the ops a trace holds (docs/validate.md).
 *
 * The trace's metadata gives the workload (model, plan, scenario); every op it recorded is
 * predicted through the prediction path, never from its own durations: the op graph gives the
 * op's shapes (found by op id), the cost model its time (coefficients only, the trace is not
 * added to it), the collective model each NCCL call's time on the platform. Reported per op kind,
 * per collective and size bucket, and end to end: the busiest rank's busy span (the union of its
 * recorded intervals) against the sum of its ops' simulated times on its streams.
 * --max-error PCT exits 3 when the end-to-end error is larger in magnitude.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "parsim/options.h"
#include "parsim/array.h"
#include "parsim/coll.h"
#include "parsim/cost.h"
#include "parsim/data.h"
#include "parsim/graph.h"
#include "parsim/platform.h"
#include "parsim/trace.h"
#include "parsim/util.h"
#include "parsim/workload.h"

typedef struct validate_args {
    const char *trace, *platform, *phase;
    double max_error_pct;
    bool has_max;
    int json;
    int64_t batch;
} validate_args;

/* One activity with an op id, for instance counting and busy spans. */
typedef struct rec {
    int rank;
    char *op_id;
    int64_t start_ns, end_ns;
    double sim_us;   /* simulated time of its op instance (on the instance's first record), else 0 */
    int source;      /* ps_cost_source or -1 */
    bool unmatched;  /* no op of the op graph has its id: left out of both sides */
} rec;

typedef struct agg {
    char name[64];   /* op name or "collective bucket" */
    char kind[32];
    long count;
    double measured_us, simulated_us;
    int source;
} agg;

typedef struct vctx {
    validate_args args;
    ps_trace_meta meta;
    ps_workload w;
    char platform_path[PS_DATA_PATH_BYTES];
    char calibration[PS_DATA_PATH_BYTES];
    ps_platform *platform;
    ps_cost_model *cost;
    ps_coll_ctx *coll;
    ps_graph graphs[2];
    bool graph_built[2];
    ps_launch_mode launch;
    rec *recs;
    size_t nrecs, cap;
    agg ops[256], colls[128];
    int nops, ncolls;
    long unmatched;
    double source_us[PS_COST_SOURCE_COUNT];
    int nranks;
    double *rank_sim_us;
} vctx;

/* ---- arguments ---- */

static const char *const validate_usage[] = {
    "parsim validate TRACE_DIR [--platform FILE|PRESET] [--phase P] [--batch N] [--max-error PCT] [--json]", NULL};
static const ps_command_help validate_help = {
    .command = "parsim validate",
    .usage = validate_usage,
    .description = "Predicts the trace's own model, plan and scenario (its meta.json) on the platform through\n"
                   "the op graph, the cost model and the collective model (never the trace's durations) and\n"
                   "prints measured against simulated per op kind, per collective size bucket and end to end.\n"
                   "exit: 0 ok, 3 over --max-error, 2 bad input, 1 internal error",
    .help_column = 16,
    .positional = true,
};

static const ps_phase phases[] = {PS_PHASE_PREFILL, PS_PHASE_DECODE};
#define PHASE_COUNT (sizeof phases / sizeof phases[0])

static int parse_phase(const ps_option *opt, const char *value, ps_error *err)
{
    validate_args *a = opt->data;
    for (size_t i = 0; i < PHASE_COUNT; i++)
        if (!strcmp(value, ps_phase_name(phases[i]))) {
            a->phase = ps_phase_name(phases[i]);
            return PS_OK;
        }
    char list[64] = "";
    for (size_t i = 0; i < PHASE_COUNT; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? " " : "", ps_phase_name(phases[i]));
    return ps_error_set(err, PS_EINPUT, "--phase: '%s' is not one of %s", value, list);
}

static int parse_batch(const ps_option *opt, const char *value, ps_error *err)
{
    validate_args *a = opt->data;
    if (ps_parse_i64(value, "--batch", &a->batch, err) || a->batch < 1)
        return ps_error_set(err, PS_EINPUT, "--batch: expected a number >= 1, got '%s'", value);
    return PS_OK;
}

static int parse_max_error(const ps_option *opt, const char *value, ps_error *err)
{
    validate_args *a = opt->data;
    if (ps_parse_double(value, "--max-error", &a->max_error_pct, err))
        return err->code;
    if (a->max_error_pct < 0)
        return ps_error_set(err, PS_EINPUT, "--max-error: %s is negative (a percentage >= 0)", value);
    a->has_max = true;
    return PS_OK;
}

/* Returns PS_OK to go on, PS_OPTIONS_HELP after --help, else the error code. */
static int parse_args(int argc, char **argv, validate_args *a, char **positional, ps_error *err)
{
    *a = (validate_args){0};
    char phase_help[128] = "compare only the ops of one phase:";
    for (size_t i = 0; i < PHASE_COUNT; i++)
        snprintf(phase_help + strlen(phase_help), sizeof phase_help - strlen(phase_help), "%s %s",
                 i == 0 ? "" : i + 1 == PHASE_COUNT ? " or" : ",", ps_phase_name(phases[i]));
    const ps_option opts[] = {
        PS_OPT_STRING(0, "platform", &a->platform, "P", "platform file or preset (required when meta.json names none)"),
        PS_OPT_CALLBACK(0, "phase", "P", phase_help, parse_phase, a, 0),
        PS_OPT_CALLBACK(0, "batch", "N", "sequences per step, when the trace's steps do not all run meta.json's\n"
                        "batch (e.g. a prefill of 1 prompt recorded beside decodes of 32)", parse_batch, a, 0),
        PS_OPT_CALLBACK(0, "max-error", "PCT", "exit 3 when |end-to-end error| > PCT percent (for CI)",
                        parse_max_error, a, 0),
        PS_OPT_FLAG(0, "json", &a->json, "one JSON object (keys in docs/validate.md)"),
        PS_OPT_END(),
    };
    int npositional = 0;
    int rc = ps_options_parse(&validate_help, opts, argc, argv, positional, &npositional, err);
    if (rc)
        return rc;
    if (npositional == 0)
        return ps_error_set(err, PS_EINPUT, "give a trace directory (see parsim validate --help)");
    if (npositional > 1)
        return ps_error_set(err, PS_EINPUT, "'%s': unexpected argument (one trace at a time)", positional[1]);
    a->trace = positional[0];
    return PS_OK;
}

/* ---- setup: workload, platform, models ---- */

/* The workload the trace recorded (its meta.json), with --batch when given. */
static int setup_workload(vctx *c, ps_error *err)
{
    if (ps_trace_read_meta(c->args.trace, &c->meta, err))
        return err->code;
    if (c->meta.model[0] && !ps_model_find_preset(c->meta.model)) { /* was "it does not say the model preset" */
        char names[256] = "";
        for (int i = 0; i < ps_model_preset_count(); i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? " " : "",
                     ps_model_preset_at(i)->name);
        return ps_error_set(err, PS_EINPUT, "%s/meta.json: model '%.64s' is not a preset validate knows (%s)",
                            c->args.trace, c->meta.model, names);
    }
    if (!ps_workload_trace_meta_complete(&c->meta))
        return ps_error_set(err, PS_EINPUT, "%s/meta.json: it does not say the model preset, the plan (tp) and the "
                            "scenario (batch, isl, osl) this trace ran: validate predicts exactly that (parsim import "
                            "takes --model --tp --batch --isl --osl)", c->args.trace);
    if (ps_workload_from_trace_meta(&c->meta, &c->w, err))
        return ps_error_prefix(err, "%s/meta.json:1", c->args.trace);
    /* every check of `parsim trace check` first: the readers below take rows one at a time, so a
     * rank outside the plan or collectives that do not match across ranks were compared */
    ps_trace_summary summary;
    if (ps_trace_check(c->args.trace, &summary, err))
        return err->code;
    ps_trace_summary_free(&summary);
    if (!c->args.batch)
        return PS_OK;
    /* the same bounds as the workload's --batch (every FLOP count stays finite and exact) */
    c->w.scenario.batch = c->args.batch;
    return ps_scenario_validate(&c->w.scenario, &c->w.model, err);
}

/* The platform (--platform, else meta.json's) and its GPU, which the plan must fit. */
static int setup_platform(vctx *c, ps_error *err)
{
    const char *platform = c->args.platform ? c->args.platform : c->meta.platform;
    if (!platform[0])
        return ps_error_set(err, PS_EINPUT, "--platform: %s/meta.json names no platform: give one (a file or a preset)",
                            c->args.trace);
    if (ps_data_find(PS_DATA_PLATFORM, platform, c->platform_path, sizeof c->platform_path, err))
        return ps_error_prefix(err, "--platform");
    if (ps_platform_load(c->platform_path, &c->platform, err))
        return ps_error_prefix(err, "--platform");
    const ps_platform_gpu *g0 = ps_platform_gpu_at(c->platform, 0);
    if (!g0)
        return ps_error_set(err, PS_EINPUT, "%s: the platform has no GPU", c->platform_path);
    if (ps_workload_gpu_from_properties(g0->gpu_model, g0->hbm_bytes, g0->hbm_bandwidth_bytes_per_s,
                                        g0->peak_flops_bf16, g0->peak_flops_fp8, g0->sm_count, &c->w.gpu.spec, err))
        return ps_error_prefix(err, "%s", c->platform_path);
    /* Validation compares a measured run with its prediction on the same GPU: an H100 trace
     * "validated" on an H200 platform would report the GPUs' difference as the model's error.
     * A trace whose GPU the catalogue does not know (or that names none) is compared as given. */
    const ps_gpu_spec *traced = ps_gpu_find_device(c->meta.gpu_name);
    if (traced && strcmp(traced->name, g0->gpu_model))
        return ps_error_set(err, PS_EINPUT, "--platform: %s/meta.json was traced on %s ('%.64s'), the platform's "
                            "GPUs are %s: give a platform of %s (validate compares a run with its "
                            "prediction on the same GPU)", c->args.trace, traced->name, c->meta.gpu_name,
                            g0->gpu_model, traced->name);
    return ps_platform_check_gpu_count(c->platform, ps_plan_gpus(&c->w.plan), false, err);
}

/* The cost model (coefficients only) and the collective model of the platform. */
static int setup_models(vctx *c, ps_error *err)
{
    if (ps_cost_model_create(&c->w.gpu.spec, NULL, &c->cost, err))
        return err->code;
    ps_coll_params params;
    if (ps_coll_params_for_platform(c->platform_path, NULL, &params, c->calibration, sizeof c->calibration, err) ||
        ps_coll_ctx_create(c->platform, &params, &c->coll, err))
        return err->code;
    /* Kernels of a trace whose launch mode is not recorded ran eagerly (PyTorch's default). */
    c->launch = !strcmp(c->meta.launch_mode, "graph") ? PS_LAUNCH_GRAPH : PS_LAUNCH_EAGER;
    return PS_OK;
}

static int setup(vctx *c, ps_error *err)
{
    if (setup_workload(c, err) || setup_platform(c, err) || setup_models(c, err))
        return err->code;
    return PS_OK;
}

static const ps_graph *graph_of(vctx *c, ps_phase phase, ps_error *err)
{
    if (!c->graph_built[phase]) {
        ps_step step;
        ps_scenario sc = c->w.scenario;
        if (sc.batch == PS_BATCH_MAX)
            sc.batch = 1;
        int rc = phase == PS_PHASE_PREFILL ? ps_step_prefill(&c->w.plan, &sc, 0, &step, err)
                                           : ps_step_decode(&c->w.plan, &sc, 0, &step, err);
        if (rc || ps_graph_build(&c->w.model, &c->w.precision, &c->w.plan, &step, &c->graphs[phase], err))
            return NULL;
        c->graph_built[phase] = true;
    }
    return &c->graphs[phase];
}

/* ---- aggregation ---- */

static agg *agg_find(agg *table, int *n, int cap, const char *name, const char *kind)
{
    for (int i = 0; i < *n; i++)
        if (!strcmp(table[i].name, name))
            return &table[i];
    if (*n == cap)
        return NULL;
    agg *a = &table[(*n)++];
    memset(a, 0, sizeof *a);
    snprintf(a->name, sizeof a->name, "%s", name);
    snprintf(a->kind, sizeof a->kind, "%s", kind);
    a->source = -1;
    return a;
}

/* "decode/mb0/L001/qkv_gemm" -> phase and the op's name ("qkv_gemm"). */
static bool split_op_id(const char *id, ps_phase *phase, const char **name)
{
    if (!strncmp(id, "prefill/", 8))
        *phase = PS_PHASE_PREFILL;
    else if (!strncmp(id, "decode/", 7))
        *phase = PS_PHASE_DECODE;
    else
        return false;
    const char *slash = strrchr(id, '/');
    *name = slash ? slash + 1 : id;
    return true;
}

static bool phase_wanted(const vctx *c, ps_phase phase)
{
    return !c->args.phase || !strcmp(c->args.phase, ps_phase_name(phase));
}

/* Appends one record (ps_grow: doubling, overflow checked); NULL when out of memory. */
static rec *push_rec(vctx *c)
{
    if (ps_grow(&c->recs, &c->cap, c->nrecs + 1, sizeof *c->recs))
        return NULL;
    return &c->recs[c->nrecs++];
}

static int read_activities(vctx *c, ps_error *err)
{
    ps_trace_reader *r;
    if (ps_trace_reader_open(&r, c->args.trace, PS_TRACE_TABLE_ACTIVITIES, err))
        return err->code;
    ps_trace_activity a;
    bool done = false;
    int rc;
    while (!(rc = ps_trace_next_activity(r, &a, &done, err)) && !done) {
        ps_phase phase;
        const char *name;
        if (!a.op_id || !a.op_id[0] || !split_op_id(a.op_id, &phase, &name) || !phase_wanted(c, phase))
            continue;
        rec *e = push_rec(c);
        if (!e) {
            rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
            break;
        }
        *e = (rec){a.rank, strdup(a.op_id), a.start_ns, a.end_ns, 0, -1, false};
        if (!e->op_id) {
            c->nrecs--;
            rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
            break;
        }
        if (a.rank + 1 > c->nranks)
            c->nranks = a.rank + 1;
    }
    ps_trace_reader_close(r);
    return rc;
}

static int by_rank_start(const void *pa, const void *pb)
{
    const rec *a = pa, *b = pb;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (a->start_ns != b->start_ns)
        return a->start_ns < b->start_ns ? -1 : 1;
    if (!a->op_id || !b->op_id)
        return !a->op_id - !b->op_id;
    return strcmp(a->op_id, b->op_id);
}

/* A new instance of an op starts where a rank's activity has another op id than the one before;
 * consecutive kernels of one op (a GEMM and its epilogue) are one instance. Prices each instance. */
static int price_compute(vctx *c, ps_error *err)
{
    if (c->nrecs > 1) /* no activity of the --phase: recs is NULL, which qsort must not get */
        qsort(c->recs, c->nrecs, sizeof *c->recs, by_rank_start);
    for (size_t i = 0; i < c->nrecs; i++) {
        rec *e = &c->recs[i];
        ps_phase phase;
        const char *name;
        split_op_id(e->op_id, &phase, &name);
        bool first = i == 0 || c->recs[i - 1].rank != e->rank || strcmp(c->recs[i - 1].op_id, e->op_id);
        const ps_graph *g = graph_of(c, phase, err);
        if (!g)
            return err->code;
        const ps_op *op = ps_graph_find_op(g, e->rank, e->op_id);
        if (!op) {
            c->unmatched++;
            e->unmatched = true;
            continue;
        }
        if (ps_op_kind_is_comm(op->kind))
            continue; /* NCCL kernels: compared through comms.csv */
        agg *a = agg_find(c->ops, &c->nops, 256, name, ps_op_kind_name(op->kind));
        if (!a)
            return ps_error_set(err, PS_EINPUT, "%s: more than 256 op kinds", c->args.trace);
        a->measured_us += (double)(e->end_ns - e->start_ns) / 1e3;
        if (!first)
            continue;
        ps_cost_query q;
        ps_cost_answer ans;
        ps_cost_query_from_op(op, c->launch, &q);
        if (ps_cost_estimate(c->cost, &q, &ans, err))
            return ps_error_prefix(err, "%s: op %s on rank %d", c->args.trace, e->op_id, e->rank);
        a->count++;
        a->simulated_us += ans.time_us;
        a->source = (int)ans.source;
        e->sim_us = ans.time_us;
        e->source = (int)ans.source;
        c->source_us[ans.source] += ans.time_us;
    }
    return PS_OK;
}

static ps_coll_op coll_op_of(ps_trace_collective t)
{
    switch (t) {
    case PS_TRACE_ALLREDUCE: return PS_COLL_ALL_REDUCE;
    case PS_TRACE_ALLGATHER: return PS_COLL_ALL_GATHER;
    case PS_TRACE_REDUCESCATTER: return PS_COLL_REDUCE_SCATTER;
    case PS_TRACE_ALLTOALL: return PS_COLL_ALLTOALL;
    case PS_TRACE_BROADCAST: return PS_COLL_BROADCAST;
    default: return PS_COLL_SEND;
    }
}

/* Size buckets of a factor of 4: "16K-64K" holds 16 KiB < bytes <= 64 KiB. */
static void bucket_name(uint64_t bytes, char *buf, size_t size)
{
    static const char *const units[] = {"", "K", "M", "G", "T"};
    uint64_t hi = 1024;
    while (hi < bytes && hi < (UINT64_C(1) << 50))
        hi *= 4;
    uint64_t lo = hi / 4;
    int ul = 0, uh = 0;
    while (lo >= 1024 && lo % 1024 == 0 && ul < 4)
        lo /= 1024, ul++;
    while (hi >= 1024 && hi % 1024 == 0 && uh < 4)
        hi /= 1024, uh++;
    if (bytes <= 1024)
        snprintf(buf, size, "<=1K");
    else
        snprintf(buf, size, "%llu%s-%llu%s", (unsigned long long)lo, units[ul], (unsigned long long)hi, units[uh]);
}

/* The ranks of an NCCL call's communicator in a platform of `gpus` GPUs: a send/recv pair (the
 * sender first) or the group of group_size consecutive ranks holding the caller. */
static int call_ranks(const ps_trace_comm *m, int gpus, int *ranks, int *n, const char *where, const char *platform,
                      ps_error *err)
{
    bool p2p = m->collective == PS_TRACE_SEND || m->collective == PS_TRACE_RECV;
    *n = p2p ? 2 : m->group_size;
    int first = p2p ? m->rank : m->rank - m->rank % *n;
    if (*n > gpus || first + (p2p ? 0 : *n - 1) >= gpus || (p2p && (m->peer < 0 || m->peer >= gpus)))
        return ps_error_set(err, PS_EINPUT, "%s: a group of %d ranks from rank %d does not fit the %d GPUs of %s", where,
                            *n, first, gpus, platform);
    bool send = m->collective == PS_TRACE_SEND;
    for (int i = 0; i < *n; i++)
        ranks[i] = p2p ? (i == 0 ? (send ? m->rank : m->peer) : (send ? m->peer : m->rank)) : first + i;
    return PS_OK;
}

/* The simulated time of one NCCL call on its communicator. */
static int simulate_call(vctx *c, const ps_trace_comm *m, const int *ranks, int n, double *time_s, ps_error *err)
{
    *time_s = 0;
    if (n < 2) /* a single-rank communicator (the H200 reference's all_reduce): a copy at most */
        return PS_OK;
    ps_coll_group *group;
    ps_coll_result res;
    ps_coll_call call = {coll_op_of(m->collective), (double)m->bytes, 0, PS_ALGO_AUTO, PS_PROTO_AUTO, 0, 0};
    if (ps_coll_group_create(c->coll, n, ranks, &group, err))
        return err->code;
    int rc = ps_coll_predict(group, &call, &res, err);
    ps_coll_group_free(group);
    *time_s = res.time_s;
    return rc;
}

/* Adds one call to its "collective size-bucket" row and keeps its interval for the busy span
 * (its simulated time carried on the record). */
static int add_call(vctx *c, const ps_trace_comm *m, double time_s, ps_error *err)
{
    char key[64], bucket[32];
    bucket_name(m->bytes, bucket, sizeof bucket);
    snprintf(key, sizeof key, "%s %s", ps_trace_collective_name(m->collective), bucket);
    agg *a = agg_find(c->colls, &c->ncolls, 128, key, ps_trace_collective_name(m->collective));
    if (!a)
        return ps_error_set(err, PS_EINPUT, "%s: more than 128 collective buckets", c->args.trace);
    a->count++;
    a->measured_us += (double)(m->end_ns - m->start_ns) / 1e3;
    a->simulated_us += time_s * 1e6;
    if (m->rank >= c->nranks)
        c->nranks = m->rank + 1;
    rec *e = push_rec(c);
    if (!e)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    *e = (rec){m->rank, NULL, m->start_ns, m->end_ns, time_s * 1e6, -1, false};
    return PS_OK;
}

/* Adds measured and simulated times of every executed NCCL call; the calls' intervals join the
 * rank's busy span and their simulated times its simulated busy time. */
static int price_comms(vctx *c, ps_error *err)
{
    ps_trace_reader *r;
    if (ps_trace_reader_open(&r, c->args.trace, PS_TRACE_TABLE_COMMS, err))
        return err->code;
    ps_trace_comm m;
    bool done = false;
    int rc;
    int gpus = ps_platform_gpu_count(c->platform);
    while (!(rc = ps_trace_next_comm(r, &m, &done, err)) && !done) {
        ps_phase phase;
        const char *name;
        if (m.start_ns < 0 || !m.op_id || !split_op_id(m.op_id, &phase, &name) || !phase_wanted(c, phase))
            continue;
        char where[PS_WORKLOAD_PATH_BYTES + 32];
        snprintf(where, sizeof where, "%s:%ld", ps_trace_reader_path(r), ps_trace_reader_line(r));
        int ranks[PS_PLATFORM_MAX_GPUS], n;
        double time_s;
        if ((rc = call_ranks(&m, gpus, ranks, &n, where, c->platform_path, err)) ||
            (rc = simulate_call(c, &m, ranks, n, &time_s, err)) || (rc = add_call(c, &m, time_s, err)))
            break;
    }
    ps_trace_reader_close(r);
    return rc;
}

/* The busiest rank: the union of its recorded intervals, and the sum of its simulated times. */
static void end_to_end(vctx *c, int *rank, double *measured_us, double *simulated_us)
{
    if (c->nrecs > 1)
        qsort(c->recs, c->nrecs, sizeof *c->recs, by_rank_start);
    *rank = -1;
    *measured_us = *simulated_us = 0;
    size_t i = 0;
    while (i < c->nrecs) {
        int r = c->recs[i].rank;
        double busy = 0, sim = 0;
        int64_t cur_start = c->recs[i].start_ns, cur_end = c->recs[i].start_ns;
        for (; i < c->nrecs && c->recs[i].rank == r; i++) {
            const rec *e = &c->recs[i];
            if (e->unmatched)
                continue;
            sim += e->sim_us;
            if (e->start_ns > cur_end) {
                busy += (double)(cur_end - cur_start);
                cur_start = e->start_ns;
            }
            if (e->end_ns > cur_end)
                cur_end = e->end_ns;
        }
        busy += (double)(cur_end - cur_start);
        if (busy / 1e3 > *measured_us) {
            *rank = r;
            *measured_us = busy / 1e3;
            *simulated_us = sim;
        }
    }
}

/* ---- output ---- */

static double error_pct(double simulated, double measured)
{
    return measured > 0 ? 100.0 * (simulated / measured - 1.0) : NAN;
}

static int by_name(const void *pa, const void *pb) { return strcmp(((const agg *)pa)->name, ((const agg *)pb)->name); }

static void write_text(const vctx *c, int rank, double meas, double sim)
{
    printf("trace        %s (%s, %s, TP%d PP%d, batch %lld, ISL %lld, OSL %lld%s%s)\n", c->args.trace,
           c->meta.model, ps_dtype_name(c->w.precision.weights), c->w.plan.tp, c->w.plan.pp,
           (long long)c->w.scenario.batch, (long long)c->w.scenario.isl, (long long)c->w.scenario.osl,
           c->args.phase ? ", phase " : "", c->args.phase ? c->args.phase : "");
    printf("platform     %s (GPU %s)\n", c->platform_path, c->w.gpu.spec.name);
    printf("costs        cost model, launch %s (the trace's durations are not used)\n", ps_launch_mode_name(c->launch));
    printf("collectives  %s\n\n", c->calibration[0] ? c->calibration : "NCCL model defaults (no calibration sidecar)");
    printf("%-22s %-10s %6s %12s %12s %8s  %s\n", "op", "kind", "count", "measured_us", "simulated_us", "error%",
           "source");
    for (int i = 0; i < c->nops; i++) {
        const agg *a = &c->ops[i];
        printf("%-22s %-10s %6ld %12.2f %12.2f %+8.1f  %s\n", a->name, a->kind, a->count, a->measured_us,
               a->simulated_us, error_pct(a->simulated_us, a->measured_us),
               a->source >= 0 ? ps_cost_source_name((ps_cost_source)a->source) : "-");
    }
    if (c->ncolls) {
        printf("\n%-30s %6s %12s %12s %8s\n", "collective bytes", "count", "measured_us", "simulated_us", "error%");
        for (int i = 0; i < c->ncolls; i++) {
            const agg *a = &c->colls[i];
            printf("%-30s %6ld %12.2f %12.2f %+8.1f\n", a->name, a->count, a->measured_us, a->simulated_us,
                   error_pct(a->simulated_us, a->measured_us));
        }
    }
    printf("\nend to end   rank %d: busy %.2f us measured, %.2f us simulated: error %+.1f%%\n", rank, meas, sim,
           error_pct(sim, meas));
    if (c->unmatched)
        printf("unmatched    %ld activities whose op id the op graph does not have (left out)\n", c->unmatched);
}

static void json_aggs(const agg *table, int n, bool with_source)
{
    for (int i = 0; i < n; i++) {
        const agg *a = &table[i];
        double e = error_pct(a->simulated_us, a->measured_us);
        printf("%s\n  {\"name\": ", i ? "," : "");
        ps_json_write_string(stdout, a->name);
        printf(", \"kind\": ");
        ps_json_write_string(stdout, a->kind);
        printf(", \"count\": %ld, \"measured_us\": %.6g, \"simulated_us\": %.6g, \"error_pct\": ", a->count,
               a->measured_us, a->simulated_us);
        if (isfinite(e))
            printf("%.4g", e);
        else
            printf("null");
        if (with_source)
            printf(", \"source\": \"%s\"", a->source >= 0 ? ps_cost_source_name((ps_cost_source)a->source) : "");
        printf("}");
    }
}

static void write_json(const vctx *c, int rank, double meas, double sim, bool over)
{
    printf("{\"trace\": ");
    ps_json_write_string(stdout, c->args.trace);
    printf(", \"platform\": ");
    ps_json_write_string(stdout, c->platform_path);
    printf(", \"calibration\": ");
    ps_json_write_string(stdout, c->calibration);
    printf(", \"launch\": \"%s\", \"phase\": ", ps_launch_mode_name(c->launch));
    ps_json_write_string(stdout, c->args.phase ? c->args.phase : "");
    printf(",\n \"ops\": [");
    json_aggs(c->ops, c->nops, true);
    printf("],\n \"collectives\": [");
    json_aggs(c->colls, c->ncolls, false);
    double e = error_pct(sim, meas);
    printf("],\n \"end_to_end\": {\"rank\": %d, \"measured_busy_us\": %.6g, \"simulated_busy_us\": %.6g, "
           "\"error_pct\": ", rank, meas, sim);
    if (isfinite(e))
        printf("%.4g", e);
    else
        printf("null");
    double total = 0;
    for (int s = 0; s < PS_COST_SOURCE_COUNT; s++)
        total += c->source_us[s];
    printf("},\n \"cost_sources\": {");
    for (int s = 0; s < PS_COST_SOURCE_COUNT; s++)
        printf("%s\"%s\": %.4g", s ? ", " : "", ps_cost_source_name((ps_cost_source)s),
               total > 0 ? c->source_us[s] / total : 0.0);
    printf("}, \"unmatched_activities\": %ld, \"max_error_pct\": ", c->unmatched);
    if (c->args.has_max)
        printf("%.6g", c->args.max_error_pct);
    else
        printf("null");
    printf(", \"over_max_error\": %s}\n", over ? "true" : "false");
}

/* Reads and prices the trace: every op against the cost model, every NCCL call against the
 * collective model. */
static int compare(vctx *c, ps_error *err)
{
    if (setup(c, err) || read_activities(c, err) || price_compute(c, err) || price_comms(c, err))
        return err->code;
    if (c->nops == 0 && c->ncolls == 0)
        return ps_error_set(err, PS_EINPUT, "%s: no activity or NCCL call with an op id of the op graph%s%s: nothing to "
                            "compare", c->args.trace, c->args.phase ? " in phase " : "", c->args.phase ? c->args.phase : "");
    qsort(c->ops, (size_t)c->nops, sizeof c->ops[0], by_name);
    qsort(c->colls, (size_t)c->ncolls, sizeof c->colls[0], by_name);
    return PS_OK;
}

static int run(vctx *c, ps_error *err)
{
    if (compare(c, err))
        return err->code;
    int rank;
    double meas, sim;
    end_to_end(c, &rank, &meas, &sim);
    double e = error_pct(sim, meas);
    bool over = c->args.has_max && (!isfinite(e) || fabs(e) > c->args.max_error_pct);
    if (c->args.json)
        write_json(c, rank, meas, sim, over);
    else
        write_text(c, rank, meas, sim);
    if (fflush(stdout))
        return ps_error_set(err, PS_EINPUT, "cannot write to stdout");
    if (over)
        return ps_error_set(err, PS_EXIT_CHECK_FAILED, "end-to-end error %+.1f%% is over --max-error %g%%", e,
                            c->args.max_error_pct);
    return PS_OK;
}

static void cleanup(vctx *c)
{
    for (size_t i = 0; i < c->nrecs; i++)
        free(c->recs[i].op_id);
    free(c->recs);
    for (int p = 0; p < 2; p++)
        if (c->graph_built[p])
            ps_graph_free(&c->graphs[p]);
    ps_cost_model_free(c->cost);
    ps_coll_ctx_free(c->coll);
    ps_platform_free(c->platform);
}

int cmd_validate(int argc, char **argv, ps_error *err)
{
    static vctx c;
    memset(&c, 0, sizeof c);
    char **positional = calloc((size_t)argc, sizeof *positional);
    int rc = positional ? parse_args(argc, argv, &c.args, positional, err)
                        : ps_error_set(err, PS_EINTERNAL, "out of memory");
    if (rc == PS_OPTIONS_HELP)
        rc = PS_OK;
    else if (!rc)
        rc = run(&c, err);
    cleanup(&c);
    free(positional);
    return rc;
}
