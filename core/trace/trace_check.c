/* ps_trace_check: every rule of the trace format over a whole trace directory, in bounded memory.
 *
 * Passes: meta.json; ops.csv (if present: the op ids it defines); activities.csv (row rules,
 * start order, stream overlap, op ids, per-rank summary); comms.csv (row rules, seq order, op
 * ids, and per-(group, rank) and per-(group, sender, receiver) digests). Digests are a sum and
 * a xor of a 64-bit hash of each call (seq, collective, bytes, dtype, root), so matching the
 * calls of every rank of a group needs O(groups x ranks) memory, never O(rows). Only when two
 * digests differ is comms.csv read again, twice in lockstep (one reader per rank), to name the
 * first call that differs with its FILE:LINE.
 *
 * Op ids: when meta.json names a model preset with a plan and a scenario, every op id must be an
 * op of that rank in the op graph (include/parsim/graph.h) of step 0 of its phase (step 0 has
 * the most microbatches; its ids are a superset of every later step's); otherwise, when ops.csv
 * exists, every op id must be defined there; otherwise only the syntax is checked. The summary
 * says which (op_id_check).
 *
 * Group rule: all ranks that have calls in a group must have the same collectives in the same
 * seq order (same kind, bytes, dtype, root); a send (group, src -> dst, seq) must meet a recv
 * (group, dst <- src, seq) of the same bytes when dst has calls in that group. A trace may hold a
 * subset of ranks (a one-rank Kineto trace): ranks absent from a group are not an error.
 */
#include <stdlib.h>
#include <string.h>

#include "parsim/array.h"
#include "parsim/graph.h"
#include "parsim/model.h"
#include "parsim/plan.h"
#include "parsim/trace.h"
#include "parsim/workload.h"
#include "trace_internal.h"

typedef struct rank_acc {
    ps_trace_rank_summary s;
    bool have_time;
    int64_t cur_start, cur_end; /* the busy interval being merged */
} rank_acc;

typedef struct comm_acc {
    long group;
    int kind; /* 0 collective, 1 send side of a channel, 2 recv side of a channel */
    int rank, peer; /* collective: rank, -1; channel: src, dst */
    uint64_t count, sum, xor_;
} comm_acc;

typedef struct group_acc {
    int group_size;
    long first_line;
    long ref;   /* index in comms[] of the first collective digest of this group, -1 */
} group_acc;

typedef struct check_ctx {
    const char *dir;
    ps_trace_meta meta;
    ps_workload workload; /* rebuilt from meta when it is complete */
    int world; /* ranks of the plan, 0 when unknown */
    ps_strset ops;
    bool have_ops;
    /* Op graphs of the meta's model / plan / scenario, built on first use. */
    bool use_graph;
    const ps_model *model;
    ps_plan plan;
    ps_scenario scenario;
    ps_precision prec;
    ps_graph graphs[2]; /* by ps_phase */
    bool graph_built[2];
    ps_u64map rank_index;   /* rank -> index in ranks[] */
    rank_acc *ranks;
    size_t nranks, cap_ranks;
    ps_u64map streams;      /* stream key -> 1 */
    ps_strset groups;
    group_acc *group_info;
    size_t cap_groups;
    ps_u64map comm_index;   /* digest key -> index in comms[] */
    comm_acc *comms;
    size_t ncomms, cap_comms;
    ps_u64map group_rank;   /* (group, rank) -> 1: the rank has calls in the group */
    bool have_time;
    ps_trace_summary *out;
} check_ctx;

static int oom(ps_error *err) { return ps_error_set(err, PS_EINTERNAL, "out of memory"); }

static int row_error(const ps_trace_reader *r, ps_error *err, const char *fmt, const char *a, long long b)
{
    char reason[PS_ERROR_MESSAGE_BYTES];
    snprintf(reason, sizeof reason, fmt, a, b);
    for (char *p = reason; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
            *p = '?';
    return ps_error_set(err, PS_EINPUT, "%s:%ld: %s", ps_trace_reader_path(r), ps_trace_reader_line(r), reason);
}

static rank_acc *rank_of(check_ctx *c, int rank, ps_error *err)
{
    int full;
    int64_t *idx = ps_u64map_get(&c->rank_index, (uint64_t)rank, -1, &full);
    if (!idx) {
        oom(err);
        return NULL;
    }
    if (*idx < 0) {
        if (ps_grow(&c->ranks, &c->cap_ranks, c->nranks + 1, sizeof *c->ranks)) {
            oom(err);
            return NULL;
        }
        *idx = (int64_t)c->nranks++;
        c->ranks[*idx].s.rank = rank;
    }
    return &c->ranks[*idx];
}

/* Decides how op ids can be checked: against the op graph when the meta describes a run the
 * workload module can rebuild. A plan the model cannot have is bad metadata. */
static int setup_graph(check_ctx *c, ps_error *err)
{
    const ps_trace_meta *m = &c->meta;
    if (!ps_workload_trace_meta_complete(m))
        return PS_OK;
    /* Op ids do not depend on the dtype: an id check accepts a dtype parsim does not know (a
     * replay, which does depend on it, is refused by ps_workload_from_trace_meta). */
    ps_trace_meta known = *m;
    ps_dtype dt;
    if (!ps_dtype_parse(known.dtype, &dt) || !ps_dtype_info_of(dt)->weights)
        known.dtype[0] = '\0';
    ps_error why = {0};
    if (ps_workload_from_trace_meta(&known, &c->workload, &why))
        return ps_error_set(err, PS_EINPUT, "%s/%s:1: %s", c->dir, PS_TRACE_META_FILE, why.message);
    c->model = &c->workload.model;
    c->prec = c->workload.precision;
    c->scenario = c->workload.scenario;
    /* Replicas run the same ops under the same ids (graph.h), so one replica's graph serves all
     * ranks: rank r is looked up as r mod (tp x pp). */
    c->plan = c->workload.plan;
    c->plan.dp = 1;
    /* Memory guard against a hostile meta.json: the graph holds about ranks x microbatches x
     * (layers per stage + 2) x 13 ops of ~200 bytes. Past 2^20 ops (~200 MB; Llama-3.1-405B at
     * tp 8 pp 8 needs ~1.1e5) the op ids are checked without the graph. */
    double mb = c->plan.microbatches < m->batch ? c->plan.microbatches : m->batch;
    double ops = (double)c->plan.tp * c->plan.pp * mb * ((double)c->model->layers / c->plan.pp + 2) * 13;
    c->use_graph = ops <= (double)(1 << 20);
    return PS_OK;
}

static const ps_graph *graph_of(check_ctx *c, ps_phase phase, ps_error *err)
{
    if (c->graph_built[phase])
        return &c->graphs[phase];
    ps_step step;
    ps_error why = {0};
    int rc = phase == PS_PHASE_PREFILL ? ps_step_prefill(&c->plan, &c->scenario, 0, &step, &why)
                                       : ps_step_decode(&c->plan, &c->scenario, 0, &step, &why);
    if (!rc)
        rc = ps_graph_build(c->model, &c->prec, &c->plan, &step, &c->graphs[phase], &why);
    if (rc) {
        ps_error_set(err, rc, "%s/%s:1: cannot build the op graph of its model and plan: %s", c->dir,
                     PS_TRACE_META_FILE, why.message);
        return NULL;
    }
    c->graph_built[phase] = true;
    return &c->graphs[phase];
}

static int check_op_id_graph(check_ctx *c, const ps_trace_reader *r, int rank, const char *op_id, ps_error *err)
{
    ps_phase phase;
    if (!strncmp(op_id, "prefill/", 8))
        phase = PS_PHASE_PREFILL;
    else if (!strncmp(op_id, "decode/", 7))
        phase = PS_PHASE_DECODE;
    else
        return row_error(r, err, "op id '%.64s' is not an op graph id (prefill/... or decode/...)%.0lld", op_id, 0);
    const ps_graph *g = graph_of(c, phase, err);
    if (!g)
        return err->code;
    if (!ps_graph_find_op(g, rank % (c->plan.tp * c->plan.pp), op_id)) {
        char fmt[300];
        snprintf(fmt, sizeof fmt, "op id '%%.64s' is not an op of rank %%lld in the %s graph of %.64s tp %d pp %d",
                 ps_phase_name(phase), c->meta.model, c->plan.tp, c->plan.pp);
        return row_error(r, err, fmt, op_id, rank);
    }
    return PS_OK;
}

/* parsim-trace 2 layer subset (layer_count > 0): an op of a layer outside
 * [layer_first, layer_first + layer_count) was not run, so no row may name it. Op ids carry the
 * global layer as ".../L<digits>/..." (parsim/graph.h). */
static int check_layer_subset(check_ctx *c, const ps_trace_reader *r, const char *op_id, ps_error *err)
{
    const char *l = strstr(op_id, "/L");
    if (c->meta.layer_count <= 0 || !l || l[2] < '0' || l[2] > '9')
        return PS_OK;
    long layer = strtol(l + 2, NULL, 10);
    long first = c->meta.layer_first, last = first + c->meta.layer_count - 1;
    if (layer >= first && layer <= last)
        return PS_OK;
    char fmt[160];
    snprintf(fmt, sizeof fmt, "op id '%%.64s' is outside the layers %ld..%ld that meta.json says were run%%.0lld",
             first, last);
    return row_error(r, err, fmt, op_id, 0);
}

static int check_op_id(check_ctx *c, const ps_trace_reader *r, int rank, const char *op_id, ps_error *err)
{
    if (!op_id || !*op_id)
        return PS_OK;
    int rc;
    if ((rc = check_layer_subset(c, r, op_id, err)))
        return rc;
    if (c->use_graph && (rc = check_op_id_graph(c, r, rank, op_id, err)))
        return rc;
    if (!c->have_ops)
        return PS_OK;
    if (ps_strset_index(&c->ops, op_id, 0) < 0)
        return row_error(r, err, "op id '%.64s' is not defined in ops.csv%.0lld", op_id, 0);
    return PS_OK;
}

/* A collective of the op graph runs in its TP group: a comm row whose group_size is not that
 * group's size was recorded under another plan than meta.json says (a TP2 trace labelled tp 4
 * passed every check and `parsim validate` compared a TP4 prediction with TP2 measurements). */
static int check_comm_group_size(check_ctx *c, const ps_trace_reader *r, const ps_trace_comm *m, ps_error *err)
{
    if (!c->use_graph || !m->op_id || !*m->op_id || m->peer >= 0)
        return PS_OK;
    ps_phase phase = !strncmp(m->op_id, "prefill/", 8) ? PS_PHASE_PREFILL : PS_PHASE_DECODE;
    const ps_graph *g = graph_of(c, phase, err); /* built by check_op_id already */
    if (!g)
        return err->code;
    const ps_op *op = ps_graph_find_op(g, m->rank % (c->plan.tp * c->plan.pp), m->op_id);
    if (!op || op->group < 0 || g->groups[op->group].size == m->group_size)
        return PS_OK;
    char fmt[300];
    snprintf(fmt, sizeof fmt, "op %%.64s: group_size %%lld, but its group in the plan of meta.json (tp %d pp %d) has "
             "%d ranks", c->plan.tp, c->plan.pp, g->groups[op->group].size);
    return row_error(r, err, fmt, m->op_id, m->group_size);
}

static int check_rank(check_ctx *c, const ps_trace_reader *r, const char *what, int rank, ps_error *err)
{
    /* parsim-trace 2: a shard emulation of one rank holds that rank's rows only (peers differ) */
    if (c->meta.emulated_rank >= 0 && !strcmp(what, "rank") && rank != c->meta.emulated_rank) {
        char fmt[160];
        snprintf(fmt, sizeof fmt, "%%s %%lld is not the emulated rank %d of meta.json", c->meta.emulated_rank);
        return row_error(r, err, fmt, what, rank);
    }
    if (c->world > 0 && rank >= c->world) {
        char fmt[160];
        snprintf(fmt, sizeof fmt, "%%s %%lld is outside the plan of meta.json (tp %d x pp %d x dp %d = %d ranks)",
                 c->meta.tp, c->meta.pp ? c->meta.pp : 1, c->meta.dp ? c->meta.dp : 1, c->world);
        return row_error(r, err, fmt, what, rank);
    }
    return PS_OK;
}

static void note_time(check_ctx *c, int64_t start_ns, int64_t end_ns)
{
    ps_trace_summary *s = c->out;
    if (start_ns < 0) /* a comm that was not executed (shard emulation) */
        return;
    if (!c->have_time) {
        c->have_time = true;
        s->first_ns = start_ns;
        s->last_ns = end_ns;
        return;
    }
    if (start_ns < s->first_ns)
        s->first_ns = start_ns;
    if (end_ns > s->last_ns)
        s->last_ns = end_ns;
}

/* ---- ops.csv -------------------------------------------------------------------------------- */

static int pass_ops(check_ctx *c, ps_error *err)
{
    ps_trace_reader *r = NULL;
    int rc = ps_trace_reader_open(&r, c->dir, PS_TRACE_TABLE_OPS, err);
    if (rc || !r)
        return rc;
    c->have_ops = true;
    c->ops.max = PS_TRACE_MAX_KEYS;
    for (;;) {
        ps_trace_op op;
        bool done;
        if ((rc = ps_trace_next_op(r, &op, &done, err)) || done)
            break;
        size_t before = c->ops.len;
        long idx = ps_strset_index(&c->ops, op.op_id, 1);
        if (idx == -2) {
            rc = oom(err);
            break;
        }
        if (idx == -3) {
            rc = row_error(r, err, "more than %s%lld op ids", "", (long long)PS_TRACE_MAX_KEYS);
            break;
        }
        if (c->ops.len == before) {
            rc = row_error(r, err, "op id '%.64s' is defined twice%.0lld", op.op_id, 0);
            break;
        }
        c->out->ops++;
    }
    ps_trace_reader_close(r);
    return rc;
}

/* ---- activities.csv ------------------------------------------------------------------------- */

static int add_activity(check_ctx *c, const ps_trace_reader *r, const ps_trace_activity *a, ps_error *err)
{
    int rc;
    if ((rc = check_rank(c, r, "rank", a->rank, err)) || (rc = check_op_id(c, r, a->rank, a->op_id, err)))
        return rc;
    rank_acc *ra = rank_of(c, a->rank, err);
    if (!ra)
        return PS_EINTERNAL;
    int full;
    int64_t *seen = ps_u64map_get(&c->streams, ps_trace_stream_key(a->rank, a->device, a->stream), 0, &full);
    if (!seen)
        return oom(err); /* the reader already capped the number of streams */
    if (!*seen) {
        *seen = 1;
        ra->s.streams++;
        c->out->streams++;
    }
    ps_trace_summary *s = c->out;
    s->activities++;
    switch (a->kind) {
    case PS_TRACE_KERNEL: s->kernels++; ra->s.kernels++; break;
    case PS_TRACE_MEMCPY: s->memcpys++; ra->s.memcpys++; break;
    case PS_TRACE_MEMSET: s->memsets++; ra->s.memsets++; break;
    default: break;
    }
    /* Rows of a rank come in start order (the reader checked), so merging the current busy
     * interval with the next row gives the exact union of all its streams. */
    if (!ra->have_time) {
        ra->have_time = true;
        ra->s.first_ns = a->start_ns;
        ra->s.last_ns = a->end_ns;
        ra->cur_start = a->start_ns;
        ra->cur_end = a->end_ns;
    } else {
        if (a->end_ns > ra->s.last_ns)
            ra->s.last_ns = a->end_ns;
        if (a->start_ns > ra->cur_end) {
            ra->s.busy_ns += ra->cur_end - ra->cur_start;
            ra->cur_start = a->start_ns;
            ra->cur_end = a->end_ns;
        } else if (a->end_ns > ra->cur_end) {
            ra->cur_end = a->end_ns;
        }
    }
    note_time(c, a->start_ns, a->end_ns);
    return PS_OK;
}

static int pass_activities(check_ctx *c, ps_error *err)
{
    ps_trace_reader *r = NULL;
    int rc = ps_trace_reader_open(&r, c->dir, PS_TRACE_TABLE_ACTIVITIES, err);
    if (rc)
        return rc;
    for (;;) {
        ps_trace_activity a;
        bool done;
        if ((rc = ps_trace_next_activity(r, &a, &done, err)) || done)
            break;
        if ((rc = add_activity(c, r, &a, err)))
            break;
    }
    ps_trace_reader_close(r);
    for (size_t i = 0; i < c->nranks; i++)
        if (c->ranks[i].have_time)
            c->ranks[i].s.busy_ns += c->ranks[i].cur_end - c->ranks[i].cur_start;
    return rc;
}

/* ---- comms.csv ------------------------------------------------------------------------------ */

static uint64_t call_hash(const ps_trace_comm *m)
{
    /* A send and its recv must hash alike: both count as "send" here. */
    uint64_t kind = ps_trace_collective_is_p2p(m->collective) ? PS_TRACE_SEND : m->collective;
    uint64_t h = ps_trace_hash_u64(m->seq ^ UINT64_C(0x9e3779b97f4a7c15));
    h = ps_trace_hash_u64(h ^ (kind << 56) ^ m->bytes);
    h ^= ps_trace_hash_bytes(m->dtype, strlen(m->dtype));
    if (!ps_trace_collective_is_p2p(m->collective)) /* the root; a p2p peer is in the digest key */
        h = ps_trace_hash_u64(h ^ (uint64_t)(m->peer + 1));
    return h;
}

static uint64_t digest_key(long group, int kind, int a, int b)
{
    /* group (20 bits) | kind (2) | a (17) | b + 1 (17): the same layout as trace_write_order.c */
    return ((uint64_t)group << 36) | ((uint64_t)kind << 34) | ((uint64_t)a << 17) | (uint64_t)(b + 1);
}

static int add_digest(check_ctx *c, long g, int kind, int a, int b, uint64_t h, ps_error *err)
{
    int full;
    int64_t *idx = ps_u64map_get(&c->comm_index, digest_key(g, kind, a, b), -1, &full);
    if (!idx)
        return full ? ps_error_set(err, PS_EINPUT, "%s/comms.csv: too many communicator channels", c->dir)
                    : oom(err);
    if (*idx < 0) {
        if (ps_grow(&c->comms, &c->cap_comms, c->ncomms + 1, sizeof *c->comms))
            return oom(err);
        *idx = (int64_t)c->ncomms;
        comm_acc *n = &c->comms[c->ncomms++];
        n->group = g;
        n->kind = kind;
        n->rank = a;
        n->peer = b;
        if (kind == 0 && c->group_info[g].ref < 0)
            c->group_info[g].ref = *idx;
    }
    comm_acc *acc = &c->comms[*idx];
    acc->count++;
    acc->sum += h;
    acc->xor_ ^= ps_trace_hash_u64(h);
    return PS_OK;
}

static int add_comm(check_ctx *c, const ps_trace_reader *r, const ps_trace_comm *m, ps_error *err)
{
    int rc;
    if ((rc = check_rank(c, r, "rank", m->rank, err)) || (rc = check_op_id(c, r, m->rank, m->op_id, err)))
        return rc;
    if (m->peer >= 0 && (rc = check_rank(c, r, "peer", m->peer, err)))
        return rc;
    if (c->world > 0 && m->group_size > c->world)
        return row_error(r, err, "group_size %s%lld is larger than the plan of meta.json", "", m->group_size);
    long g = ps_strset_index(&c->groups, m->group_id, 1);
    if (g == -3)
        return row_error(r, err, "more than %s%lld group ids", "", (long long)PS_TRACE_MAX_GROUPS);
    if (g < 0 || ps_grow(&c->group_info, &c->cap_groups, (size_t)g + 1, sizeof *c->group_info))
        return oom(err);
    group_acc *gi = &c->group_info[g];
    if (gi->first_line == 0) {
        gi->first_line = ps_trace_reader_line(r);
        gi->group_size = m->group_size;
        gi->ref = -1;
    } else if (gi->group_size != m->group_size) {
        char fmt[200];
        snprintf(fmt, sizeof fmt, "group %%.64s: group_size %%lld, but line %ld gave %d", gi->first_line,
                 gi->group_size);
        return row_error(r, err, fmt, m->group_id, m->group_size);
    }
    if ((rc = check_comm_group_size(c, r, m, err)))
        return rc;
    int full;
    int64_t *member = ps_u64map_get(&c->group_rank, ((uint64_t)g << 17) | (uint64_t)m->rank, 0, &full);
    if (!member)
        return oom(err);
    *member = 1;
    uint64_t h = call_hash(m);
    if (m->collective == PS_TRACE_SEND)
        rc = add_digest(c, g, 1, m->rank, m->peer, h, err);
    else if (m->collective == PS_TRACE_RECV)
        rc = add_digest(c, g, 2, m->peer, m->rank, h, err);
    else
        rc = add_digest(c, g, 0, m->rank, -1, h, err);
    if (rc)
        return rc;
    rank_acc *ra = rank_of(c, m->rank, err);
    if (!ra)
        return PS_EINTERNAL;
    ra->s.comms++;
    c->out->comms++;
    note_time(c, m->start_ns, m->end_ns);
    return PS_OK;
}

/* Which rows one side of a comparison takes. */
typedef struct comm_filter {
    const char *group;
    int kind, rank, peer; /* as in comm_acc */
} comm_filter;

static bool filter_takes(const comm_filter *f, const ps_trace_comm *m)
{
    if (strcmp(m->group_id, f->group) != 0)
        return false;
    switch (f->kind) {
    case 0: return m->rank == f->rank && !ps_trace_collective_is_p2p(m->collective);
    case 1: return m->collective == PS_TRACE_SEND && m->rank == f->rank && m->peer == f->peer;
    default: return m->collective == PS_TRACE_RECV && m->rank == f->peer && m->peer == f->rank;
    }
}

static int next_taken(ps_trace_reader *r, const comm_filter *f, ps_trace_comm *m, bool *done, ps_error *err)
{
    for (;;) {
        int rc = ps_trace_next_comm(r, m, done, err);
        if (rc || *done || filter_takes(f, m))
            return rc;
    }
}

static int report_missing(ps_trace_reader *has, const ps_trace_comm *m, int other_rank, ps_error *err)
{
    char fmt[200];
    snprintf(fmt, sizeof fmt, "group %%.64s seq %%lld: rank %d's %s has no matching call on rank %d", m->rank,
             ps_trace_collective_name(m->collective), other_rank);
    return row_error(has, err, fmt, m->group_id, (long long)m->seq);
}

/* Reads comms.csv twice in lockstep and reports the first call where the two sides differ. */
static int explain_mismatch(check_ctx *c, const comm_filter *fa, const comm_filter *fb, ps_error *err)
{
    ps_trace_reader *ra = NULL, *rb = NULL;
    int rc = ps_trace_reader_open(&ra, c->dir, PS_TRACE_TABLE_COMMS, err);
    if (!rc)
        rc = ps_trace_reader_open(&rb, c->dir, PS_TRACE_TABLE_COMMS, err);
    ps_trace_comm a, b;
    bool done_a = false, done_b = false;
    if (!rc)
        rc = next_taken(ra, fa, &a, &done_a, err);
    if (!rc)
        rc = next_taken(rb, fb, &b, &done_b, err);
    /* The rank whose rows each side reads: recv rows of channel src -> dst live on dst. */
    int rank_a = fa->kind == 2 ? fa->peer : fa->rank;
    int rank_b = fb->kind == 2 ? fb->peer : fb->rank;
    while (!rc) {
        if (done_a && done_b) {
            rc = ps_error_set(err, PS_EINPUT, "%s/comms.csv:%ld: group %s: the calls of rank %d and rank %d differ",
                              c->dir, c->group_info[ps_strset_index(&c->groups, fa->group, 0)].first_line,
                              fa->group, rank_a, rank_b);
            break;
        }
        if (done_b || (!done_a && a.seq < b.seq)) {
            rc = report_missing(ra, &a, rank_b, err);
            break;
        }
        if (done_a || b.seq < a.seq) {
            rc = report_missing(rb, &b, rank_a, err);
            break;
        }
        bool same = a.bytes == b.bytes && strcmp(a.dtype, b.dtype) == 0 &&
                    (fa->kind != 0 || (a.collective == b.collective && a.peer == b.peer));
        if (!same) {
            char fmt[400];
            snprintf(fmt, sizeof fmt,
                     "group %%.64s seq %%lld: rank %d has %s %llu bytes %s%s, rank %d has %s %llu bytes %s%s "
                     "(%s:%ld)",
                     b.rank, ps_trace_collective_name(b.collective), (unsigned long long)b.bytes, b.dtype,
                     b.peer >= 0 && fb->kind == 0 ? " with root" : "", a.rank,
                     ps_trace_collective_name(a.collective), (unsigned long long)a.bytes, a.dtype,
                     a.peer >= 0 && fa->kind == 0 ? " with root" : "", PS_TRACE_COMMS_FILE,
                     ps_trace_reader_line(ra));
            rc = row_error(rb, err, fmt, b.group_id, (long long)b.seq);
            break;
        }
        rc = next_taken(ra, fa, &a, &done_a, err);
        if (!rc)
            rc = next_taken(rb, fb, &b, &done_b, err);
    }
    ps_trace_reader_close(ra);
    ps_trace_reader_close(rb);
    return rc ? rc : PS_EINPUT;
}

static bool same_digest(const comm_acc *x, const comm_acc *y)
{
    return x->count == y->count && x->sum == y->sum && x->xor_ == y->xor_;
}

static int match_groups(check_ctx *c, ps_error *err)
{
    for (size_t i = 0; i < c->ncomms; i++) {
        const comm_acc *x = &c->comms[i];
        const char *gname = c->groups.strings[x->group];
        if (x->kind == 0) {
            const comm_acc *ref = &c->comms[c->group_info[x->group].ref];
            if (ref != x && !same_digest(ref, x)) {
                comm_filter fa = {gname, 0, ref->rank, -1}, fb = {gname, 0, x->rank, -1};
                return explain_mismatch(c, &fa, &fb, err);
            }
            if (ref == x)
                c->out->collectives += x->count;
            continue;
        }
        /* A channel src -> dst: compare its send side with its recv side, if the other end has
         * calls in this group at all (a one-rank trace has only one end). */
        int src = x->rank, dst = x->peer;
        int other = x->kind == 1 ? dst : src;
        int64_t *present = ps_u64map_find(&c->group_rank, ((uint64_t)x->group << 17) | (uint64_t)other);
        int64_t *pair = ps_u64map_find(&c->comm_index, digest_key(x->group, x->kind == 1 ? 2 : 1, src, dst));
        const comm_acc *y = pair ? &c->comms[*pair] : NULL;
        if (x->kind == 1)
            c->out->collectives += x->count;
        else if (!y || !present)
            c->out->collectives += x->count; /* a recv whose sender is not in the trace */
        if (!present)
            continue;
        if (!y || !same_digest(x, y)) {
            comm_filter fs = {gname, 1, src, dst}, fr = {gname, 2, src, dst};
            return x->kind == 1 ? explain_mismatch(c, &fs, &fr, err) : explain_mismatch(c, &fr, &fs, err);
        }
    }
    return PS_OK;
}

static int pass_comms(check_ctx *c, ps_error *err)
{
    ps_trace_reader *r = NULL;
    int rc = ps_trace_reader_open(&r, c->dir, PS_TRACE_TABLE_COMMS, err);
    if (rc)
        return rc;
    c->groups.max = PS_TRACE_MAX_GROUPS;
    for (;;) {
        ps_trace_comm m;
        bool done;
        if ((rc = ps_trace_next_comm(r, &m, &done, err)) || done)
            break;
        if ((rc = add_comm(c, r, &m, err)))
            break;
    }
    ps_trace_reader_close(r);
    return rc ? rc : match_groups(c, err);
}

/* ---- driver --------------------------------------------------------------------------------- */

static int by_rank(const void *a, const void *b)
{
    const ps_trace_rank_summary *x = a, *y = b;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

static void ctx_free(check_ctx *c)
{
    ps_strset_free(&c->ops);
    ps_u64map_free(&c->rank_index);
    free(c->ranks);
    ps_u64map_free(&c->streams);
    ps_strset_free(&c->groups);
    free(c->group_info);
    ps_u64map_free(&c->comm_index);
    free(c->comms);
    ps_u64map_free(&c->group_rank);
    for (int p = 0; p < 2; p++)
        if (c->graph_built[p])
            ps_graph_free(&c->graphs[p]);
}

int ps_trace_check(const char *dir, ps_trace_summary *summary, ps_error *err)
{
    memset(summary, 0, sizeof *summary);
    check_ctx c;
    memset(&c, 0, sizeof c);
    c.dir = dir;
    c.out = summary;
    int rc = ps_trace_read_meta(dir, &c.meta, err);
    if (!rc && c.meta.tp > 0)
        c.world = c.meta.tp * (c.meta.pp ? c.meta.pp : 1) * (c.meta.dp ? c.meta.dp : 1);
    if (!rc)
        rc = setup_graph(&c, err);
    if (!rc)
        rc = pass_ops(&c, err);
    if (!rc)
        rc = pass_activities(&c, err);
    if (!rc)
        rc = pass_comms(&c, err);
    if (!rc) {
        summary->meta = c.meta;
        summary->ranks = (int)c.nranks;
        snprintf(summary->op_id_check, sizeof summary->op_id_check, "%s",
                 c.use_graph && c.have_ops ? "graph+ops.csv" : c.use_graph ? "graph" : c.have_ops ? "ops.csv" : "syntax");
        if (c.nranks) {
            summary->per_rank = calloc(c.nranks, sizeof *summary->per_rank);
            if (!summary->per_rank)
                rc = oom(err);
        }
        for (size_t i = 0; !rc && i < c.nranks; i++)
            summary->per_rank[i] = c.ranks[i].s;
        if (!rc && c.nranks)
            qsort(summary->per_rank, c.nranks, sizeof *summary->per_rank, by_rank);
    }
    ctx_free(&c);
    if (rc) {
        free(summary->per_rank);
        memset(summary, 0, sizeof *summary);
    }
    return rc;
}

void ps_trace_summary_free(ps_trace_summary *summary)
{
    free(summary->per_rank);
    summary->per_rank = NULL;
}
