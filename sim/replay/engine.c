/* sim/replay/engine.c: the stream actors (replay_internal.h has the model).
 *
 * Waiting. Every (rank, stream) has a progress counter: the pass it is in and how many of that
 * pass's ops on it are done. A dependency "op at position q of stream S of rank R in pass p" is
 * met once S has passed p, or is in p with more than q ops done. A waiting actor puts its own
 * semaphore on the target stream's waiter list and sleeps on it; the target releases every
 * waiter after each segment (they re-check). No per-op SimGrid object exists, so a segment costs
 * one exec (compute) or one ps_coll_run (communication) and nothing else.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/semaphore.h>

#include "replay_internal.h"
#include "parsim/array.h"

#define MAX_WAITERS 8 /* actors that can wait on one stream: its rank's other streams + feedback */

typedef struct stream_state {
    int pass;               /* the pass the stream is in (npasses: finished) */
    int done_pos;           /* ops of the current pass done on it */
    int nwaiters;
    sg_sem_t waiters[MAX_WAITERS];
} stream_state;

typedef struct stream_actor {
    struct run_state *run;
    int rank, stream;
    sg_sem_t wake;
    bool finished;
    int cur_pass, cur_op;   /* what it is doing or waiting for (deadlock report) */
} stream_actor;

/* Hand-off kernels running on one GPU: `active` of them since `last_s`, and the integral of the
 * active count over time up to `last_s` (hand-off-seconds). */
typedef struct gpu_share {
    int active;
    double last_s, area_s;
} gpu_share;

typedef struct run_state {
    replay_engine *engine;
    const replay_graph *const *passes;
    int npasses;
    replay_result *res;
    stream_state *streams;  /* [rank * PS_STREAM_COUNT + stream] */
    stream_actor *actors;
    int nactors;
    gpu_share *gpus;        /* [rank] */
    sg_sem_t all_done;
    ps_error error;         /* first error of an actor */
    bool failed;
} run_state;

struct replay_engine {
    replay_engine_config cfg;
    int nranks;
    ps_coll_group **tp;     /* [graph group] (NULL when tp == 1) */
    int ntp;
    int *tp_arrived;        /* [graph group] members inside the current collective's check */
    const ps_op **tp_first; /* [graph group] the op of the first member to arrive */
    ps_coll_group **p2p;    /* [sender rank]: {rank, next stage's rank} (NULL on the last stage) */
    run_state *active;      /* the run in progress (deadlock report) */
    int *send_link;         /* [rank] timeline link of its PP send pair (-1: none) */
    int64_t timeline_events;
    bool driver_done;
};

/* ---- engine ---------------------------------------------------------------------------------- */

int replay_engine_create(const replay_engine_config *cfg, replay_engine **out, ps_error *err)
{
    const ps_plan *plan = cfg->plan;
    int nranks = ps_plan_gpus(plan);
    if (ps_platform_check_gpu_count(cfg->platform, nranks, false, err))
        return err->code;
    replay_engine *e = calloc(1, sizeof *e);
    if (!e)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    e->cfg = *cfg;
    e->nranks = nranks;
    e->ntp = plan->dp * plan->pp;
    e->tp = calloc((size_t)e->ntp, sizeof *e->tp);
    e->p2p = calloc((size_t)nranks, sizeof *e->p2p);
    e->tp_arrived = calloc((size_t)e->ntp, sizeof *e->tp_arrived);
    e->tp_first = calloc((size_t)e->ntp, sizeof *e->tp_first);
    int rc = (!e->tp || !e->p2p || !e->tp_arrived || !e->tp_first) ? ps_error_set(err, PS_EINTERNAL, "out of memory") : PS_OK;
    int ranks[PS_PLAN_MAX_TP];
    for (int gi = 0; gi < e->ntp && !rc && plan->tp > 1; gi++) {
        int first = ps_plan_rank(plan, gi / plan->pp, gi % plan->pp, 0);
        for (int i = 0; i < plan->tp; i++)
            ranks[i] = first + i; /* rank r on GPU r (DESIGN.md 3) */
        rc = ps_coll_group_create(cfg->coll, plan->tp, ranks, &e->tp[gi], err);
    }
    for (int r = 0; r < nranks && !rc; r++) {
        int replica, stage, tp_rank;
        ps_plan_coords(plan, r, &replica, &stage, &tp_rank);
        if (stage + 1 >= plan->pp)
            continue;
        int pair[2] = {r, ps_plan_rank(plan, replica, stage + 1, tp_rank)};
        rc = ps_coll_group_create(cfg->coll, 2, pair, &e->p2p[r], err);
    }
    if (!rc && cfg->timeline) { /* one link track per PP pair, in the fabric's class */
        e->send_link = malloc(sizeof(int) * (size_t)nranks);
        if (!e->send_link)
            rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
        const char *cls = ps_fabric_name(ps_platform_fabric(cfg->platform)->kind);
        for (int r = 0; r < nranks && !rc; r++) {
            e->send_link[r] = -1;
            int replica, stage, tp_rank;
            ps_plan_coords(plan, r, &replica, &stage, &tp_rank);
            if (stage + 1 >= plan->pp)
                continue;
            char name[64];
            snprintf(name, sizeof name, "gpu%d->gpu%d", r, ps_plan_rank(plan, replica, stage + 1, tp_rank));
            rc = ps_timeline_define_link(cfg->timeline, cls, name, &e->send_link[r], err);
        }
    }
    if (rc) {
        replay_engine_free(e);
        return rc;
    }
    *out = e;
    return PS_OK;
}

static void free_run(run_state *run);

void replay_engine_free(replay_engine *e)
{
    if (!e)
        return;
    if (e->active) /* a run that never returned (deadlock): its result was never handed over */
        replay_result_free(e->active->res);
    free_run(e->active);
    for (int i = 0; e->tp && i < e->ntp; i++)
        ps_coll_group_free(e->tp[i]);
    for (int i = 0; e->p2p && i < e->nranks; i++)
        ps_coll_group_free(e->p2p[i]);
    free(e->tp);
    free(e->p2p);
    free(e->tp_arrived);
    free(e->tp_first);
    free(e->send_link);
    free(e);
}

void replay_result_free(replay_result *res)
{
    if (!res)
        return;
    free(res->pass_end_s);
    free(res->mb_end_s);
    free(res->rank_pass);
    free(res->events);
    memset(res, 0, sizeof *res);
}

/* ---- waiting ---------------------------------------------------------------------------------- */

static stream_state *state_of(run_state *run, int rank, int stream)
{
    return &run->streams[rank * PS_STREAM_COUNT + stream];
}

static bool met(const stream_state *t, int pass, int pos)
{
    return t->pass > pass || (t->pass == pass && t->done_pos > pos);
}

/* Blocks until op `pos` of (rank, stream) in `pass` is done. */
static void wait_for(stream_actor *self, int rank, int stream, int pass, int pos)
{
    stream_state *t = state_of(self->run, rank, stream);
    while (!met(t, pass, pos)) {
        bool listed = false;
        for (int i = 0; i < t->nwaiters; i++)
            listed |= t->waiters[i] == self->wake;
        if (!listed && t->nwaiters < MAX_WAITERS)
            t->waiters[t->nwaiters++] = self->wake;
        sg_sem_acquire(self->wake);
    }
}

/* Releases every waiter. The list is emptied BEFORE the releases: a release is a simcall, so a
 * woken actor may run (and list itself again) before this loop resumes. */
static void notify(stream_state *t)
{
    int n = t->nwaiters;
    sg_sem_t woken[MAX_WAITERS];
    memcpy(woken, t->waiters, sizeof(sg_sem_t) * (size_t)n);
    t->nwaiters = 0;
    for (int i = 0; i < n; i++)
        sg_sem_release(woken[i]);
}

/* ---- one segment ------------------------------------------------------------------------------ */

/* One replayed op on the timeline: kernels on their stream's track, tagged with their cost
 * source; collectives and hand-offs on the NCCL tracks; a hand-off also as a slice on the
 * sender -> receiver link track. */
static void timeline_write(run_state *run, const replay_graph *rg, int rank, int opi, double start, double end)
{
    replay_engine *e = run->engine;
    ps_timeline *tl = e->cfg.timeline;
    if (!tl || run->failed || (e->cfg.timeline_max_events && e->timeline_events >= e->cfg.timeline_max_events))
        return;
    const ps_op *op = &rg->graph->ranks[rank].ops[opi];
    int64_t t0 = llround(start * 1e9), t1 = llround(end * 1e9);
    if (t1 < t0)
        t1 = t0;
    ps_error err = {0, ""};
    int rc = PS_OK;
    const ps_platform_gpu *gpu = ps_platform_gpu_at(e->cfg.platform, rank);
    if (op->kind == PS_OP_ALLREDUCE || op->kind == PS_OP_ALLGATHER || op->kind == PS_OP_SEND || op->kind == PS_OP_RECV) {
        char group[48];
        bool p2p = op->kind == PS_OP_SEND || op->kind == PS_OP_RECV;
        int src = op->kind == PS_OP_SEND ? rank : op->peer, dst = op->kind == PS_OP_SEND ? op->peer : rank;
        if (p2p)
            snprintf(group, sizeof group, "pp%d-%d", src, dst);
        else
            snprintf(group, sizeof group, "tp%d", op->group);
        ps_trace_comm c = {rank, op->stream, op->id, 0,
                           op->kind == PS_OP_ALLREDUCE ? PS_TRACE_ALLREDUCE : op->kind == PS_OP_ALLGATHER ? PS_TRACE_ALLGATHER
                           : op->kind == PS_OP_SEND ? PS_TRACE_SEND : PS_TRACE_RECV,
                           (uint64_t)op->comm_bytes, op->dtype == PS_DTYPE_FP16 ? "f16" : "bf16",
                           p2p ? op->peer : -1, group, p2p ? 2 : e->cfg.plan->tp, (uint64_t)e->timeline_events, t0, t1};
        rc = ps_timeline_add_comm(tl, &c, NULL, &err);
        if (!rc && op->kind == PS_OP_SEND && e->send_link && e->send_link[rank] >= 0)
            rc = ps_timeline_add_link_slice(tl, e->send_link[rank], op->id, t0, t1, (uint64_t)op->comm_bytes, NULL, &err);
    } else {
        char name[PS_OP_ID_BYTES + 16];
        snprintf(name, sizeof name, "%s", op->id);
        ps_trace_activity a = {rank, gpu ? gpu->local_index : 0, op->stream, op->id, 0, PS_TRACE_KERNEL, name, t0, t1, 0,
                               {0, 0, 0}, {0, 0, 0}};
        ps_timeline_arg tags[2] = {PS_TIMELINE_STR("source", ps_cost_source_name((ps_cost_source)rg->op_source[rank][opi])),
                                   PS_TIMELINE_STR("op_kind", ps_op_kind_name(op->kind))};
        ps_timeline_args extra = {tags, 2};
        rc = ps_timeline_add_activity(tl, &a, &extra, &err);
    }
    e->timeline_events++;
    if (rc) {
        run->failed = true;
        run->error = err;
    }
}

static void record(run_state *run, int pass, int rank, int op, double start, double end)
{
    timeline_write(run, run->passes[pass], rank, op, start, end);
    if (!run->engine->cfg.record_ops)
        return;
    replay_result *res = run->res;
    if (ps_grow(&res->events, &res->cap_events, res->nevents + 1, sizeof *res->events)) {
        run->failed = true;
        ps_error_set(&run->error, PS_EINTERNAL, "out of memory (timeline)");
        return;
    }
    res->events[res->nevents++] = (replay_op_event){pass, rank, op, start, end};
}

static double area_at(const gpu_share *g, double now)
{
    return g->area_s + g->active * (now - g->last_s);
}

static void share_change(gpu_share *g, int delta)
{
    double now = simgrid_get_clock();
    g->area_s = area_at(g, now);
    g->last_s = now;
    g->active += delta;
}

static void run_compute(stream_actor *self, const replay_graph *rg, int pass, const replay_segment *sg,
                        replay_rank_pass *rp)
{
    run_state *run = self->run;
    gpu_share *gs = &run->gpus[self->rank];
    double t0 = simgrid_get_clock(), a0 = area_at(gs, t0);
    if (sg->time_s > 0) {
        sg_actor_execute(sg->time_s * sg_host_get_speed(sg_host_self()));
        run->res->activities++;
        /* Overlap: while k hand-off kernels run, the segment progresses at 1 - k x share, so the
         * work lost over [t0, now] is share x (hand-off-seconds in it); it is made up by
         * stretching, during which more may be lost: the series converges to T / (1 - share)
         * for a fully overlapped segment. */
        double share = rg->overlap_share, a = area_at(gs, simgrid_get_clock());
        double lost = share * (a - a0);
        for (int i = 0; i < 64 && lost >= 1e-9; i++) { /* SimGrid's clock resolution */
            sg_actor_sleep_for(lost);
            run->res->activities++;
            double a2 = area_at(gs, simgrid_get_clock());
            lost = share * (a2 - a);
            a = a2;
        }
    }
    double t1 = simgrid_get_clock();
    if (rp) {
        rp->compute_s += t1 - t0;
        rp->compute_ideal_s += sg->time_s;
        rp->host_gap_s += sg->host_gap_s;
    }
    if (run->engine->cfg.record_ops || run->engine->cfg.timeline) {
        /* the ops of a merged segment share its time in proportion to their durations */
        const replay_stream_ops *so = &rg->streams[self->rank][self->stream];
        double done = 0, scale = sg->time_s > 0 ? (t1 - t0) / sg->time_s : 0;
        for (int p = sg->first_pos; p < sg->end_pos; p++) {
            int op = so->ops[p];
            double d = rg->op_time_s[self->rank][op];
            record(run, pass, self->rank, op, t0 + done * scale, t0 + (done + d) * scale);
            done += d;
        }
    }
}

static int run_comm(stream_actor *self, const replay_graph *rg, int pass, const replay_segment *sg,
                    replay_rank_pass *rp, ps_error *err)
{
    run_state *run = self->run;
    replay_engine *e = run->engine;
    const ps_rank_ops *ro = &rg->graph->ranks[self->rank];
    const ps_op *op = &ro->ops[sg->first];
    ps_coll_call call = {PS_COLL_ALL_REDUCE, op->comm_bytes, 0, PS_ALGO_AUTO, PS_PROTO_AUTO, 0, 0};
    ps_coll_group *group = NULL;
    int member = 0;
    bool handoff = false;
    switch (op->kind) {
    case PS_OP_ALLREDUCE:
        call.algo = e->cfg.allreduce_algo;
        call.row_bytes = e->cfg.allreduce_row_bytes;
        call.type_bytes = e->cfg.allreduce_type_bytes;
        /* fall through */
    case PS_OP_ALLGATHER:
        if (op->kind == PS_OP_ALLGATHER)
            call.op = PS_COLL_ALL_GATHER;
        group = op->group >= 0 && op->group < e->ntp ? e->tp[op->group] : NULL;
        member = ro->tp_rank;
        break;
    case PS_OP_SEND:
    case PS_OP_RECV:
        call.op = PS_COLL_SEND;
        handoff = true;
        if (op->peer < 0 || op->peer >= e->nranks)
            return ps_error_set(err, PS_EINPUT, "op %s on rank %d: peer %d is not a rank", op->id,
                                self->rank, op->peer);
        group = op->kind == PS_OP_SEND ? e->p2p[self->rank] : e->p2p[op->peer];
        member = op->kind == PS_OP_SEND ? 0 : 1;
        break;
    default:
        return ps_error_set(err, PS_EINTERNAL, "op %s: not a communication op", op->id);
    }
    if (!group)
        return ps_error_set(err, PS_EINPUT, "op %s on rank %d: no communicator for it", op->id, self->rank);
    if (!handoff) {
        /* Collectives match by id (graph.h): the members of a group must call the same op in the
         * same order; a barrier alone would pair different ops silently. Actors are cooperative,
         * so the first arrival's op is compared with every later one's. */
        int gi = op->group;
        if (e->tp_arrived[gi] == 0)
            e->tp_first[gi] = op;
        else if (strcmp(e->tp_first[gi]->id, op->id))
            return ps_error_set(err, PS_EINPUT, "collective mismatch in TP group %d: op %s on rank %d stream %s "
                                "meets op %s of another member", gi, op->id, self->rank,
                                ps_stream_name(op->stream), e->tp_first[gi]->id);
        if (++e->tp_arrived[gi] == ps_coll_group_size(group))
            e->tp_arrived[gi] = 0;
    }
    /* The hand-off kernels hold a share of both GPUs while the transfer runs (see run_compute).
     * The receiver posts its recv early and waits (its stream has nothing else to do), so the
     * transfer starts when the sender calls: the sender marks both GPUs, for the call's time. */
    bool sender = op->kind == PS_OP_SEND;
    double t0 = simgrid_get_clock();
    if (sender) {
        share_change(&run->gpus[self->rank], +1);
        share_change(&run->gpus[op->peer], +1);
    }
    ps_coll_result cres;
    int rc = ps_coll_run(group, member, &call, &cres, err);
    double t1 = simgrid_get_clock();
    if (sender) {
        share_change(&run->gpus[self->rank], -1);
        share_change(&run->gpus[op->peer], -1);
    }
    if (rc)
        return ps_error_prefix(err, "op %s on rank %d", op->id, self->rank);
    if (member == 0)
        run->res->activities += cres.activities;
    if (rp && !handoff)
        rp->tp_comm_s += t1 - t0;
    if (op->kind == PS_OP_RECV) /* the transfer itself (the call's time after both arrived) */
    {
        replay_rank_pass *rr = &run->res->rank_pass[pass * run->res->nranks + self->rank];
        rr->recv_xfer_s += cres.time_s;
        rr->recv_count++;
    }
    if (e->cfg.record_ops || e->cfg.timeline)
        record(run, pass, self->rank, sg->first, t0, t1);
    return PS_OK;
}

/* Waits for the segment's inputs: deps on other streams, and the pipeline feedback. */
static void wait_inputs(stream_actor *self, const replay_graph *const *passes, int pass, const replay_segment *sg,
                        replay_rank_pass *rp)
{
    run_state *run = self->run;
    const ps_plan *plan = run->engine->cfg.plan;
    double t0 = simgrid_get_clock();
    bool recv = false;
    for (int d = 0; d < sg->ndeps; d++) {
        wait_for(self, self->rank, sg->dep_stream[d], pass, sg->dep_pos[d]);
        recv |= sg->dep_stream[d] == PS_STREAM_PP_RECV;
    }
    double t1 = simgrid_get_clock();
    if (sg->feedback_mb >= 0 && pass > 0 && passes[pass]->feedback) {
        const replay_graph *prev = passes[pass - 1];
        const ps_rank_ops *ro = &passes[pass]->graph->ranks[self->rank];
        int last = ps_plan_rank(plan, ro->replica, plan->pp - 1, ro->tp_rank);
        const replay_stream_ops *so = &prev->streams[last][PS_STREAM_COMPUTE];
        for (int s = 0; s < so->nsegs; s++)
            if (so->segs[s].mb_end == sg->feedback_mb)
                wait_for(self, last, PS_STREAM_COMPUTE, pass - 1, so->segs[s].end_pos - 1);
    }
    double t2 = simgrid_get_clock();
    if (rp) {
        if (recv)
            rp->wait_recv_s += t1 - t0;
        else
            rp->wait_other_s += t1 - t0;
        rp->wait_other_s += t2 - t1;
    }
}

static void stream_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    stream_actor *self = sg_actor_self_get_data();
    run_state *run = self->run;
    replay_result *res = run->res;
    stream_state *me = state_of(run, self->rank, self->stream);
    for (int p = 0; p < run->npasses && !run->failed; p++) {
        const replay_graph *rg = run->passes[p];
        const replay_stream_ops *so = &rg->streams[self->rank][self->stream];
        replay_rank_pass *rp = self->stream == PS_STREAM_COMPUTE ? &res->rank_pass[p * res->nranks + self->rank] : NULL;
        for (int s = 0; s < so->nsegs && !run->failed; s++) {
            const replay_segment *sg = &so->segs[s];
            self->cur_pass = p;
            self->cur_op = sg->first;
            wait_inputs(self, run->passes, p, sg, rp);
            if (rp && s == 0)
                rp->start_s = simgrid_get_clock();
            if (sg->comm) {
                ps_error err = {0, ""};
                if (run_comm(self, rg, p, sg, rp, &err)) {
                    if (!run->failed)
                        run->error = err;
                    run->failed = true;
                    break;
                }
            } else {
                run_compute(self, rg, p, sg, rp);
            }
            double now = simgrid_get_clock();
            me->done_pos = sg->end_pos;
            notify(me);
            res->ops += sg->end_pos - sg->first_pos;
            if (sg->mb_end >= 0) {
                double *mb = &res->mb_end_s[p * PS_PLAN_MAX_MICROBATCHES + sg->mb_end];
                if (now > *mb)
                    *mb = now;
            }
            if (now > res->pass_end_s[p])
                res->pass_end_s[p] = now;
            if (rp)
                rp->end_s = now;
        }
        me->pass = p + 1;
        me->done_pos = 0;
        notify(me);
    }
    self->finished = true;
    sg_sem_release(run->all_done);
}

static void free_run(run_state *run)
{
    if (!run)
        return;
    for (int i = 0; i < run->nactors; i++)
        sg_sem_destroy(run->actors[i].wake);
    if (run->all_done)
        sg_sem_destroy(run->all_done);
    free(run->streams);
    free(run->actors);
    free(run->gpus);
    free(run);
}

/* ---- a run ------------------------------------------------------------------------------------ */

static int alloc_result(replay_result *res, int npasses, int nranks)
{
    memset(res, 0, sizeof *res);
    res->npasses = npasses;
    res->nranks = nranks;
    res->pass_end_s = calloc((size_t)npasses, sizeof(double));
    res->mb_end_s = calloc((size_t)npasses * PS_PLAN_MAX_MICROBATCHES, sizeof(double));
    res->rank_pass = calloc((size_t)npasses * (size_t)nranks, sizeof(replay_rank_pass));
    return res->pass_end_s && res->mb_end_s && res->rank_pass ? PS_OK : PS_EINTERNAL;
}

int replay_run_passes(replay_engine *e, const replay_graph *const *passes, int npasses, replay_result *res,
                      ps_error *err)
{
    int nranks = e->nranks;
    if (npasses < 1)
        return ps_error_set(err, PS_EINTERNAL, "replay: no pass to run");
    for (int p = 0; p < npasses; p++)
        if (passes[p]->graph->nranks != nranks)
            return ps_error_set(err, PS_EINPUT, "replay: pass %d has %d ranks, the plan %d", p,
                                passes[p]->graph->nranks, nranks);
    /* on the heap and owned by the engine: after a deadlock SimGrid ends the blocked actors (this
     * one included) and report_deadlock still reads it */
    free_run(e->active);
    e->active = calloc(1, sizeof *e->active);
    if (!e->active)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    run_state *runp = e->active;
    *runp = (run_state){.engine = e, .passes = passes, .npasses = npasses, .res = res};
#define run (*runp)
    run.streams = calloc((size_t)nranks * PS_STREAM_COUNT, sizeof *run.streams);
    run.actors = calloc((size_t)nranks * PS_STREAM_COUNT, sizeof *run.actors);
    run.gpus = calloc((size_t)nranks, sizeof *run.gpus);
    if (!run.streams || !run.actors || !run.gpus || alloc_result(res, npasses, nranks)) {
        replay_result_free(res);
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    res->start_s = simgrid_get_clock();
    run.all_done = sg_sem_init(0);
    for (int r = 0; r < nranks; r++)
        for (int s = 0; s < PS_STREAM_COUNT; s++) {
            bool has = false;
            for (int p = 0; p < npasses; p++)
                has |= passes[p]->streams[r][s].nsegs > 0;
            if (!has)
                continue;
            stream_actor *a = &run.actors[run.nactors++];
            *a = (stream_actor){&run, r, s, sg_sem_init(0), false, 0, 0};
            char name[48];
            snprintf(name, sizeof name, "rank%d/%s", r, ps_stream_name((ps_stream)s));
            sg_actor_t actor = sg_actor_init(name, ps_platform_gpu_at(e->cfg.platform, r)->host);
            sg_actor_set_data(actor, a);
            sg_actor_start(actor, stream_main, 0, NULL);
        }
    for (int i = 0; i < run.nactors; i++)
        sg_sem_acquire(run.all_done); /* a deadlock blocks here: replay_simulate reports it */
    int rc = PS_OK;
    if (run.failed)
        rc = ps_error_set(err, run.error.code ? run.error.code : PS_EINTERNAL, "%s", run.error.message);
#undef run
    free_run(runp);
    e->active = NULL;
    if (rc)
        replay_result_free(res);
    return rc;
}

/* ---- the driver ------------------------------------------------------------------------------- */

typedef struct driver_arg {
    replay_engine *engine;
    replay_driver_fn fn;
    void *arg;
    int rc;
    ps_error err;
} driver_arg;

static void driver_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    driver_arg *d = sg_actor_self_get_data();
    d->rc = d->fn(d->engine, d->arg, &d->err);
    d->engine->driver_done = true;
}

/* The first stuck actor in (rank, stream) order, named by its op. */
static int report_deadlock(replay_engine *e, ps_error *err)
{
    run_state *run = e->active;
    if (!run)
        return ps_error_set(err, PS_EINTERNAL, "replay: the simulation ended before its driver");
    if (run->failed) /* an actor failed and left its peers waiting for it */
        return ps_error_set(err, run->error.code ? run->error.code : PS_EINTERNAL, "%s", run->error.message);
    for (int i = 0; i < run->nactors; i++) {
        stream_actor *a = &run->actors[i];
        if (a->finished)
            continue;
        const ps_op *op = &run->passes[a->cur_pass]->graph->ranks[a->rank].ops[a->cur_op];
        return ps_error_set(err, PS_EINPUT, "replay deadlock: op %s on rank %d stream %s never completed "
                            "(%s; pass %d)", op->id, a->rank, ps_stream_name((ps_stream)a->stream),
                            op->kind == PS_OP_SEND || op->kind == PS_OP_RECV ? "unmatched send/recv"
                            : op->group >= 0 ? "a collective missing a member" : "waits on an op that never ran",
                            a->cur_pass);
    }
    return ps_error_set(err, PS_EINTERNAL, "replay: the driver never finished");
}

int replay_simulate(replay_engine *e, replay_driver_fn fn, void *arg, ps_error *err)
{
    driver_arg d = {e, fn, arg, PS_OK, {0, ""}};
    e->driver_done = false;
    sg_actor_t actor = sg_actor_init("replay-driver", ps_platform_gpu_at(e->cfg.platform, 0)->host);
    sg_actor_set_data(actor, &d);
    sg_actor_start(actor, driver_main, 0, NULL);
    simgrid_run();
    if (!e->driver_done)
        return report_deadlock(e, err);
    if (d.rc)
        return ps_error_set(err, d.rc, "%s", d.err.message);
    return PS_OK;
}
