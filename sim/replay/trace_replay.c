/* sim/replay/trace_replay.c: `parsim replay TRACE`: replays exactly what a trace recorded on a
 * platform -- kernel (and memcpy/memset) durations and the host gaps between them as measured,
 * NCCL calls re-timed by the collective model on the given platform -- so the same trace on
 * another fabric is a what-if.
 *
 * Every rank's activities and NCCL calls become ops of one graph, in start order (NCCL kernels
 * are dropped when the trace has the NCCL calls: both describe the same work). On each stream,
 * the time between one event's end and the next one's start (and before a stream's first event,
 * from the rank's first start) is a host-gap op of that duration, so a stream that waited for its
 * host waits again. No dependency between streams is recorded in a trace, so none is replayed:
 * only stream order and the collectives' matching across ranks. Limits (refused with exit 2):
 * at most 3 streams per rank, collectives on groups of consecutive ranks of one size (the TP
 * groups of a plan), send/recv only between rank r and r +- that size (PP neighbours). The trace
 * must first pass every check of `parsim trace check` (ps_trace_check).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "replay_internal.h"
#include "trace_replay.h"
#include "parsim/array.h"

typedef struct ev {
    int rank;
    int64_t stream, start_ns, end_ns;
    bool comm;
    ps_trace_collective coll;
    double bytes;
    int peer;
    int group_size;
    bool nccl_kernel;       /* an NCCL kernel: its time is the NCCL call's (comms.csv) */
    char id[PS_OP_ID_BYTES];
} ev;

typedef struct evs {
    ev *v;
    size_t n, cap;
} evs;

static int push_ev(evs *e, const ev *x, ps_error *err)
{
    if (ps_grow(&e->v, &e->cap, e->n + 1, sizeof *e->v))
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    e->v[e->n++] = *x;
    return PS_OK;
}

static int read_events(const char *dir, evs *e, ps_error *err)
{
    ps_trace_reader *r;
    if (ps_trace_reader_open(&r, dir, PS_TRACE_TABLE_ACTIVITIES, err))
        return err->code;
    bool done = false;
    int rc = PS_OK;
    while (!rc) {
        ps_trace_activity a;
        if ((rc = ps_trace_next_activity(r, &a, &done, err)) || done)
            break;
        ev x = {a.rank, a.stream, a.start_ns, a.end_ns, false, 0, 0, -1, 0, !strncasecmp(a.name, "nccl", 4), ""};
        snprintf(x.id, sizeof x.id, "%s", a.op_id && a.op_id[0] ? a.op_id : a.name);
        rc = push_ev(e, &x, err);
    }
    ps_trace_reader_close(r);
    if (rc || ps_trace_reader_open(&r, dir, PS_TRACE_TABLE_COMMS, err))
        return rc ? rc : err->code;
    while (!rc) {
        ps_trace_comm c;
        if ((rc = ps_trace_next_comm(r, &c, &done, err)) || done)
            break;
        if (c.start_ns < 0 || c.end_ns < c.start_ns)
            continue; /* no GPU times (shard emulation): nothing to place */
        ev x = {c.rank, c.stream, c.start_ns, c.end_ns, true, c.collective, (double)c.bytes, c.peer, c.group_size,
                false, ""};
        snprintf(x.id, sizeof x.id, "%s", c.op_id && c.op_id[0] ? c.op_id : ps_trace_collective_name(c.collective));
        rc = push_ev(e, &x, err);
    }
    ps_trace_reader_close(r);
    /* NCCL kernels and NCCL calls describe the same work: with calls to re-time, the kernels go */
    size_t ncomm = 0, k = 0;
    for (size_t i = 0; i < e->n; i++)
        ncomm += e->v[i].comm;
    for (size_t i = 0; i < e->n && ncomm; i++)
        if (!e->v[i].nccl_kernel)
            e->v[k++] = e->v[i];
    if (ncomm)
        e->n = k;
    return rc;
}

static int cmp_ev(const void *a, const void *b)
{
    const ev *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    if (x->start_ns != y->start_ns)
        return (x->start_ns > y->start_ns) - (x->start_ns < y->start_ns);
    return (x->end_ns > y->end_ns) - (x->end_ns < y->end_ns);
}

typedef struct tr_ctx {
    double **dur_s; /* [rank][op] recorded duration of compute ops and gaps */
} tr_ctx;

static int trace_cost(void *ctx, const ps_graph *g, int rank, const ps_op *op, replay_op_cost *out, ps_error *err)
{
    (void)err;
    tr_ctx *t = ctx;
    out->time_s = t->dur_s[rank][op - g->ranks[rank].ops];
    out->source = PS_COST_TRACE;
    out->compute_bound = false;
    out->error_pct = 0;
    out->in_envelope = true;
    return PS_OK;
}

static ps_op *add_op(ps_rank_ops *ro, double **dur, int rank, ps_error *err)
{
    if (ro->count == ro->cap) {
        /* ops and durations grow by the same rule from the same capacity, so they stay equal */
        size_t dur_cap = ro->cap;
        if (ps_grow(&dur[rank], &dur_cap, ro->count + 1, sizeof *dur[rank]) ||
            ps_grow(&ro->ops, &ro->cap, ro->count + 1, sizeof *ro->ops)) {
            ps_error_set(err, PS_EINTERNAL, "out of memory");
            return NULL;
        }
    }
    ps_op *op = &ro->ops[ro->count++];
    memset(op, 0, sizeof *op);
    op->group = op->peer = -1;
    op->layer = -1;
    dur[rank][ro->count - 1] = 0;
    return op;
}

/* Builds the graph (and the durations) from the sorted events; the plan's tp = the groups' size. */
static int build_graph(const evs *e, int nranks, int tp, ps_graph *g, tr_ctx *t, int64_t streams[][PS_STREAM_COUNT],
                       ps_error *err)
{
    memset(g, 0, sizeof *g);
    g->nranks = nranks;
    g->ranks = calloc((size_t)nranks, sizeof *g->ranks);
    t->dur_s = calloc((size_t)nranks, sizeof *t->dur_s);
    if (!g->ranks || !t->dur_s)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    int64_t first_ns = -1;
    for (size_t i = 0; i < e->n; i++)
        if (first_ns < 0 || e->v[i].start_ns < first_ns)
            first_ns = e->v[i].start_ns;
    for (int r = 0; r < nranks; r++) {
        ps_rank_ops *ro = &g->ranks[r];
        ro->rank = r;
        ro->stage = r / tp;
        ro->tp_rank = r % tp;
        for (int s = 0; s < PS_STREAM_COUNT; s++)
            streams[r][s] = -1;
    }
    int64_t last_end[PS_TRACE_MAX_RANK + 1][PS_STREAM_COUNT];
    for (size_t i = 0; i < e->n; i++) {
        const ev *x = &e->v[i];
        ps_rank_ops *ro = &g->ranks[x->rank];
        int s = 0;
        while (s < PS_STREAM_COUNT && streams[x->rank][s] != x->stream && streams[x->rank][s] >= 0)
            s++;
        if (s == PS_STREAM_COUNT)
            return ps_error_set(err, PS_EINPUT, "rank %d uses more than %d CUDA streams: not supported by the replay yet",
                                x->rank, PS_STREAM_COUNT);
        if (streams[x->rank][s] < 0) {
            streams[x->rank][s] = x->stream;
            last_end[x->rank][s] = first_ns;
        }
        int64_t gap = x->start_ns - last_end[x->rank][s];
        if (gap > 0) {
            ps_op *op = add_op(ro, t->dur_s, x->rank, err);
            if (!op)
                return err->code;
            snprintf(op->id, sizeof op->id, "host_gap");
            op->kind = PS_OP_RESIDUAL;
            op->stream = (ps_stream)s;
            t->dur_s[x->rank][ro->count - 1] = (double)gap * 1e-9;
        }
        if (x->end_ns > last_end[x->rank][s])
            last_end[x->rank][s] = x->end_ns;
        ps_op *op = add_op(ro, t->dur_s, x->rank, err);
        if (!op)
            return err->code;
        snprintf(op->id, sizeof op->id, "%s", x->id);
        op->stream = (ps_stream)s;
        if (!x->comm) {
            op->kind = PS_OP_GEMM; /* any compute kind: its time is the recorded one */
            t->dur_s[x->rank][ro->count - 1] = (double)(x->end_ns - x->start_ns) * 1e-9;
            continue;
        }
        op->comm_bytes = x->bytes;
        switch (x->coll) {
        case PS_TRACE_ALLREDUCE: op->kind = PS_OP_ALLREDUCE; break;
        case PS_TRACE_ALLGATHER: op->kind = PS_OP_ALLGATHER; break;
        case PS_TRACE_SEND:
        case PS_TRACE_RECV:
            op->kind = x->coll == PS_TRACE_SEND ? PS_OP_SEND : PS_OP_RECV;
            op->peer = x->peer;
            if ((x->coll == PS_TRACE_SEND && x->peer != x->rank + tp) || (x->coll == PS_TRACE_RECV && x->peer != x->rank - tp))
                return ps_error_set(err, PS_EINPUT, "rank %d: %s with peer %d: the replay supports pipeline neighbours "
                                    "only (rank +- %d)", x->rank, ps_trace_collective_name(x->coll), x->peer, tp);
            continue;
        default:
            return ps_error_set(err, PS_EINPUT, "rank %d: %s is not replayed yet (all-reduce, all-gather, send, recv)",
                                x->rank, ps_trace_collective_name(x->coll));
        }
        if (x->group_size != tp)
            return ps_error_set(err, PS_EINPUT, "rank %d: %s on a group of %d ranks, other collectives use %d", x->rank,
                                op->id, x->group_size, tp);
        op->group = x->rank / tp;
    }
    return PS_OK;
}

typedef struct tr_run {
    const replay_graph *rg;
    replay_result res;
} tr_run;

static int tr_driver(replay_engine *e, void *arg, ps_error *err)
{
    tr_run *r = arg;
    const replay_graph *passes[1] = {r->rg};
    return replay_run_passes(e, passes, 1, &r->res, err);
}

/* The NCCL release a trace recorded (meta.json nccl_version, e.g. "2.21.5" or "2.21.5+cuda12.4":
 * the MAJOR.MINOR.PATCH before any suffix) as NCCL_VERSION_CODE; 0 when absent or not a release
 * the model knows (parsim/platform.h ps_nccl_version_parse), and the platform's is used. */
static int recorded_nccl_version(const char *text)
{
    char head[16];
    size_t n = 0;
    while (text && n + 1 < sizeof head && ((text[n] >= '0' && text[n] <= '9') || text[n] == '.')) {
        head[n] = text[n];
        n++;
    }
    head[n] = '\0';
    int code = 0;
    return n > 0 && !ps_nccl_version_parse(head, &code) ? code : 0;
}

int ps_trace_replay(const char *dir, ps_platform *pf, const char *timeline_path, ps_trace_replay_result *out,
                    ps_error *err)
{
    memset(out, 0, sizeof *out);
    /* Only a trace that passes `parsim trace check` is replayed (as `trace export` does): the
     * reader below checks rows one at a time, so a rank outside meta.json's plan, a missing or
     * binary meta.json or unmatched collectives used to replay with exit 0. */
    ps_trace_summary summary;
    if (ps_trace_check(dir, &summary, err))
        return err->code;
    int recorded_nccl = recorded_nccl_version(summary.meta.nccl_version);
    ps_trace_summary_free(&summary);
    evs e = {0};
    int rc = read_events(dir, &e, err);
    int nranks = 0, tp = 0;
    for (size_t i = 0; !rc && i < e.n; i++) {
        if (e.v[i].rank + 1 > nranks)
            nranks = e.v[i].rank + 1;
        if (e.v[i].comm && e.v[i].coll != PS_TRACE_SEND && e.v[i].coll != PS_TRACE_RECV && !tp)
            tp = e.v[i].group_size;
    }
    if (!rc && e.n == 0)
        rc = ps_error_set(err, PS_EINPUT, "%s: the trace has no activity to replay", dir);
    if (tp < 1)
        tp = 1;
    if (!rc && (nranks % tp || nranks > ps_platform_gpu_count(pf) || nranks > PS_TRACE_MAX_RANK + 1))
        rc = ps_error_set(err, PS_EINPUT, "%s: %d ranks (groups of %d) do not fit the platform's %d GPUs", dir, nranks,
                          tp, ps_platform_gpu_count(pf));
    ps_graph g = {0};
    tr_ctx t = {0};
    int64_t (*streams)[PS_STREAM_COUNT] = rc ? NULL : calloc((size_t)nranks, sizeof *streams);
    if (!rc && !streams)
        rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
    if (!rc) {
        qsort(e.v, e.n, sizeof *e.v, cmp_ev);
        int64_t lo = -1, hi = 0;
        for (size_t i = 0; i < e.n; i++) {
            if (lo < 0 || e.v[i].start_ns < lo)
                lo = e.v[i].start_ns;
            if (e.v[i].end_ns > hi)
                hi = e.v[i].end_ns;
            if (e.v[i].comm)
                out->comm_recorded_ms += (double)(e.v[i].end_ns - e.v[i].start_ns) * 1e-6;
            else
                out->kernel_ms += (double)(e.v[i].end_ns - e.v[i].start_ns) * 1e-6;
        }
        out->recorded_span_ms = (double)(hi - lo) * 1e-6;
        rc = build_graph(&e, nranks, tp, &g, &t, streams, err);
    }
    ps_plan plan = {0};
    plan.tp = tp;
    plan.pp = nranks / tp;
    plan.dp = 1;
    plan.microbatches = 1;
    ps_coll_params params;
    char used[PS_WORKLOAD_PATH_BYTES];
    ps_coll_ctx *coll = NULL;
    replay_engine *engine = NULL;
    ps_timeline *tl = NULL;
    replay_graph rg = {0};
    tr_run run = {&rg, {0}};
    if (!rc)
        rc = ps_coll_params_for_platform(ps_platform_path(pf), NULL, &params, used, sizeof used, err);
    /* The NCCL the trace ran models the collectives (the NVLS work split differs by release,
     * docs/nccl.md "NCCL versions"), unless the platform file names one: a what-if platform's
     * explicit choice wins. */
    bool use_recorded = recorded_nccl > 0 && !ps_platform_fabric(pf)->nccl_version_named;
    if (use_recorded)
        params.nccl_version = recorded_nccl;
    if (!rc)
        rc = ps_coll_ctx_create(pf, &params, &coll, err);
    if (!rc && timeline_path) {
        ps_timeline_options o = {.origin_ns = 0, .gpu_name = ps_platform_gpu_at(pf, 0)->gpu_model, .label = "replayed"};
        if (ps_timeline_open(&tl, timeline_path, &o, err))
            rc = ps_error_prefix(err, "--timeline");
    }
    if (!rc) {
        replay_engine_config cfg = {pf, coll, &plan, PS_ALGO_AUTO, true, tl, 0, 0, 0};
        rc = replay_engine_create(&cfg, &engine, err);
    }
    replay_costing costing = {trace_cost, &t, 0, 0, false};
    if (!rc)
        rc = replay_graph_prepare(&g, &costing, &rg, err);
    if (!rc)
        rc = replay_simulate(engine, tr_driver, &run, err);
    if (!rc) {
        out->ranks = nranks;
        out->tp = tp;
        out->replayed_ms = (run.res.pass_end_s[0] - run.res.start_s) * 1e3;
        out->ops = run.res.ops;
        for (size_t i = 0; i < run.res.nevents; i++) {
            const replay_op_event *ev_ = &run.res.events[i];
            const ps_op *op = &g.ranks[ev_->rank].ops[ev_->op];
            double ms = (ev_->end_s - ev_->start_s) * 1e3;
            int s = op->stream;
            if (ev_->rank < TRACE_REPLAY_MAX_RANKS && strcmp(op->id, "host_gap")) {
                out->stream_id[ev_->rank][s] = streams[ev_->rank][s];
                out->busy_ms[ev_->rank][s] += ms;
            }
            if (op->kind == PS_OP_ALLREDUCE || op->kind == PS_OP_ALLGATHER || op->kind == PS_OP_SEND || op->kind == PS_OP_RECV)
                out->comm_replayed_ms += ms;
        }
        for (int r = 0; r < nranks && r < TRACE_REPLAY_MAX_RANKS; r++)
            for (int s = 0; s < PS_STREAM_COUNT; s++)
                if (streams[r][s] < 0)
                    out->stream_id[r][s] = -1;
        snprintf(out->calibration, sizeof out->calibration, "%s", used);
        out->nccl_version = use_recorded ? recorded_nccl : 0;
    }
    if (tl) {
        if (!rc)
            rc = ps_timeline_close(tl, err);
        else
            ps_timeline_abort(tl);
    }
    replay_result_free(&run.res);
    replay_graph_free(&rg);
    replay_engine_free(engine);
    ps_coll_ctx_free(coll);
    for (int r = 0; t.dur_s && r < nranks; r++)
        free(t.dur_s[r]);
    free(t.dur_s);
    ps_graph_free(&g);
    free(streams);
    free(e.v);
    return rc;
}
