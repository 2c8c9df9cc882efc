/* sim/replay/graph_prepare.c: prices a graph's compute ops once and cuts every stream into
 * segments (replay_internal.h): a segment is either one communication op or a maximal run of
 * compute ops that nothing on another stream can interleave with -- only its first op may wait
 * for another stream (or for the pipeline feedback) and only its last op may be waited for.
 * Replaying a segment as one exec gives the same times as one exec per op (the ops run back to
 * back on the same GPU in either case); tests/replay checks it.
 */
#include <stdlib.h>
#include <string.h>

#include "replay_internal.h"

static bool is_comm(ps_op_kind kind)
{
    return kind == PS_OP_ALLREDUCE || kind == PS_OP_ALLGATHER || kind == PS_OP_SEND || kind == PS_OP_RECV;
}

void replay_graph_free(replay_graph *rg)
{
    if (!rg || !rg->graph)
        return;
    for (int r = 0; r < rg->graph->nranks; r++) {
        if (rg->op_time_s)
            free(rg->op_time_s[r]);
        if (rg->op_gap_s)
            free(rg->op_gap_s[r]);
        if (rg->op_source)
            free(rg->op_source[r]);
        for (int s = 0; rg->streams && s < PS_STREAM_COUNT; s++) {
            free(rg->streams[r][s].ops);
            free(rg->streams[r][s].segs);
        }
    }
    free(rg->op_time_s);
    free(rg->op_gap_s);
    free(rg->op_source);
    free(rg->streams);
    memset(rg, 0, sizeof *rg);
}

/* Prices the compute ops of a rank and adds them to the graph's sums. Ranks of the same stage
 * have the same ops (graph.h: the same logical op has the same shapes on every TP rank and
 * replica), so the first rank of a stage is priced and the others copy it (with its sources). */
static int price_rank(const ps_graph *g, int r, const replay_costing *c, replay_graph *rg, int *stage_rank,
                      unsigned char **meta, float **errs, ps_error *err)
{
    const ps_rank_ops *ro = &g->ranks[r];
    double *t = rg->op_time_s[r], *gap = rg->op_gap_s[r];
    int src = stage_rank[ro->stage];
    bool copy = src >= 0 && g->ranks[src].count == ro->count;
    if (!copy)
        stage_rank[ro->stage] = r;
    for (size_t i = 0; i < ro->count; i++) {
        const ps_op *op = &ro->ops[i];
        if (is_comm(op->kind))
            continue;
        if (copy) {
            t[i] = rg->op_time_s[src][i];
            gap[i] = rg->op_gap_s[src][i];
            meta[r][i] = meta[src][i];
            errs[r][i] = errs[src][i];
        } else {
            replay_op_cost cost = {0};
            int rc = c->fn(c->ctx, g, r, op, &cost, err);
            if (rc)
                return rc;
            if (!(cost.time_s >= 0) || cost.source < 0 || cost.source >= PS_COST_SOURCE_COUNT ||
                !(cost.host_gap_s >= 0) || cost.host_gap_s > cost.time_s)
                return ps_error_set(err, PS_EINTERNAL, "op %s: the cost model gave a bad answer", op->id);
            t[i] = cost.time_s;
            gap[i] = cost.host_gap_s;
            meta[r][i] = (unsigned char)(cost.source | (cost.compute_bound ? 0x80 : 0) |
                                         (cost.in_envelope ? 0 : 0x40));
            errs[r][i] = (float)cost.error_pct;
        }
        rg->compute_s += t[i];
        rg->host_gap_s += gap[i];
        rg->compute_s_by_source[meta[r][i] & 0x3f] += t[i];
        if (errs[r][i] >= 0)
            rg->error_weighted_s += t[i] * errs[r][i];
        else /* the source has no held-out error for this kind */
            rg->unknown_error_s += t[i];
        if (meta[r][i] & 0x40)
            rg->outside_envelope_s += t[i];
        if (meta[r][i] & 0x80)
            rg->compute_bound_s += t[i];
    }
    return PS_OK;
}

typedef struct rank_marks {
    unsigned char *depended;  /* waited for from another stream */
    unsigned char *starts;    /* must start a segment (feedback target) */
    int *pos;                 /* position in its stream */
} rank_marks;

static int cut_stream(const ps_graph *g, int r, int s, const rank_marks *mk, const replay_costing *c,
                      replay_graph *rg, int pp, ps_error *err)
{
    const ps_rank_ops *ro = &g->ranks[r];
    replay_stream_ops *so = &rg->streams[r][s];
    for (size_t i = 0; i < ro->count; i++)
        so->nops += ro->ops[i].stream == (ps_stream)s;
    if (so->nops == 0)
        return PS_OK;
    so->ops = malloc(sizeof(int) * (size_t)so->nops);
    so->segs = malloc(sizeof(replay_segment) * (size_t)so->nops);
    if (!so->ops || !so->segs)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    int n = 0;
    bool open = false;
    for (size_t i = 0; i < ro->count; i++) {
        const ps_op *op = &ro->ops[i];
        if (op->stream != (ps_stream)s)
            continue;
        so->ops[n] = (int)i;
        bool comm = is_comm(op->kind);
        bool cross = false;
        for (int d = 0; d < op->ndeps; d++)
            cross |= ro->ops[op->deps[d]].stream != op->stream;
        if (!open || comm || cross || mk->starts[i] || c->no_merge) {
            replay_segment *sg = &so->segs[so->nsegs++];
            memset(sg, 0, sizeof *sg);
            sg->first = (int)i;
            sg->first_pos = n;
            sg->comm = comm;
            sg->feedback_mb = -1;
            sg->mb_end = -1;
            for (int d = 0; d < op->ndeps; d++) {
                const ps_op *on = &ro->ops[op->deps[d]];
                if (on->stream != op->stream) {
                    sg->dep_stream[sg->ndeps] = on->stream;
                    sg->dep_pos[sg->ndeps++] = mk->pos[op->deps[d]];
                }
            }
            if (mk->starts[i])
                sg->feedback_mb = op->microbatch;
        }
        replay_segment *sg = &so->segs[so->nsegs - 1];
        sg->last = (int)i;
        sg->end_pos = n + 1;
        sg->time_s += rg->op_time_s[r][i];
        sg->host_gap_s += rg->op_gap_s[r][i];
        n++;
        /* the last compute op of a microbatch on the last stage feeds stage 0's next pass */
        bool mb_last = s == PS_STREAM_COMPUTE && ro->stage == pp - 1 && pp > 1 &&
                       (i + 1 == ro->count || ro->ops[i + 1].microbatch != op->microbatch);
        if (mb_last)
            sg->mb_end = op->microbatch;
        open = !comm && !mk->depended[i] && !mb_last;
    }
    rg->segments += so->nsegs;
    return PS_OK;
}

static int mark_rank(const ps_graph *g, int r, int pp, rank_marks *mk, ps_error *err)
{
    const ps_rank_ops *ro = &g->ranks[r];
    size_t n = ro->count ? ro->count : 1;
    mk->depended = calloc(n, 1);
    mk->starts = calloc(n, 1);
    mk->pos = calloc(n, sizeof(int));
    if (!mk->depended || !mk->starts || !mk->pos)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    int counts[PS_STREAM_COUNT] = {0};
    int prev_mb = -1;
    for (size_t i = 0; i < ro->count; i++) {
        const ps_op *op = &ro->ops[i];
        mk->pos[i] = counts[op->stream]++;
        for (int d = 0; d < op->ndeps; d++) {
            if (op->deps[d] < 0 || (size_t)op->deps[d] >= i)
                return ps_error_set(err, PS_EINPUT, "op %s on rank %d depends on a later op", op->id, r);
            if (ro->ops[op->deps[d]].stream != op->stream)
                mk->depended[op->deps[d]] = 1;
        }
        if (pp > 1 && ro->stage == 0 && op->stream == PS_STREAM_COMPUTE && op->microbatch != prev_mb) {
            mk->starts[i] = 1; /* first op of a microbatch on stage 0: waits for the feedback */
            prev_mb = op->microbatch;
        }
    }
    return PS_OK;
}

static void free_marks(rank_marks *mk)
{
    free(mk->depended);
    free(mk->starts);
    free(mk->pos);
}

/* The pp of a graph: its ranks' largest stage + 1. */
static int graph_pp(const ps_graph *g)
{
    int pp = 1;
    for (int r = 0; r < g->nranks; r++)
        if (g->ranks[r].stage + 1 > pp)
            pp = g->ranks[r].stage + 1;
    return pp;
}

int replay_graph_prepare(const ps_graph *g, const replay_costing *c, replay_graph *rg, ps_error *err)
{
    memset(rg, 0, sizeof *rg);
    rg->graph = g;
    size_t n = (size_t)(g->nranks > 0 ? g->nranks : 1);
    rg->op_time_s = calloc(n, sizeof *rg->op_time_s);
    rg->op_gap_s = calloc(n, sizeof *rg->op_gap_s);
    rg->streams = calloc(n, sizeof *rg->streams);
    if (!rg->op_time_s || !rg->op_gap_s || !rg->streams) {
        replay_graph_free(rg);
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    int pp = graph_pp(g), rc = PS_OK;
    /* per op: cost source | 0x80 compute-bound | 0x40 outside the envelope; its error */
    unsigned char **meta = calloc(n, sizeof *meta);
    float **errs = calloc(n, sizeof *errs);
    if (!meta || !errs)
        rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
    int stage_rank[PS_PLAN_MAX_PP];
    for (int s = 0; s < PS_PLAN_MAX_PP; s++)
        stage_rank[s] = -1;
    for (int r = 0; r < g->nranks && !rc; r++) {
        size_t count = g->ranks[r].count ? g->ranks[r].count : 1;
        rg->op_time_s[r] = calloc(count, sizeof(double));
        rg->op_gap_s[r] = calloc(count, sizeof(double));
        meta[r] = calloc(count, 1);
        errs[r] = calloc(count, sizeof(float));
        if (!rg->op_time_s[r] || !rg->op_gap_s[r] || !meta[r] || !errs[r])
            rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
        if (!rc)
            rc = price_rank(g, r, c, rg, stage_rank, meta, errs, err);
        rank_marks mk = {0};
        if (!rc)
            rc = mark_rank(g, r, pp, &mk, err);
        for (int s = 0; s < PS_STREAM_COUNT && !rc; s++)
            rc = cut_stream(g, r, s, &mk, c, rg, pp, err);
        free_marks(&mk);
        rg->ops += (int64_t)g->ranks[r].count;
    }
    for (int r = 0; errs && r < g->nranks; r++)
        free(errs[r]);
    for (int r = 0; meta && r < g->nranks; r++) /* keep the sources (timeline tags) */
        for (size_t i = 0; meta[r] && i < g->ranks[r].count; i++)
            meta[r][i] &= 0x3f;
    rg->op_source = meta;
    free(errs);
    if (rc) {
        replay_graph_free(rg);
        return rc;
    }
    double bound_frac = rg->compute_s > 0 ? rg->compute_bound_s / rg->compute_s : 0;
    rg->overlap_share = bound_frac * c->sm_share + (1 - bound_frac) * c->hbm_share;
    return PS_OK;
}
