/* sim/import/import.c: the importer table and what every importer shares (import_internal.h):
 * string interning, row collection, and the normalise-and-write step. */
#include "import/import_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parsim/array.h"

extern const ps_importer ps_importer_nsys;
extern const ps_importer ps_importer_kineto;

/* Adding an importer: one file in sim/import/ that defines a ps_importer, and one row here. */
const ps_importer *const ps_importers[] = {
    &ps_importer_nsys,
    &ps_importer_kineto,
};
const int ps_importer_count = (int)(sizeof ps_importers / sizeof ps_importers[0]);

const ps_importer *ps_importer_find(const char *name)
{
    for (int i = 0; i < ps_importer_count; i++)
        if (name && !strcmp(ps_importers[i]->name, name))
            return ps_importers[i];
    return NULL;
}

void ps_import_options_init(ps_import_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->rank = -1;
}

/* ---- string pool ---- */

int imp_pool_intern(imp_pool *p, const char *s, uint32_t *id)
{
    if (p->len == 0 && ps_strset_index(p, "", 1) != 0) /* id 0 is the empty string */
        return PS_EINTERNAL;
    long index = ps_strset_index(p, s ? s : "", 1);
    if (index < 0)
        return PS_EINTERNAL;
    *id = (uint32_t)index;
    return PS_OK;
}

const char *imp_pool_str(const imp_pool *p, uint32_t id)
{
    const char *s = ps_strset_at(p, id);
    return s ? s : "";
}

/* ---- rows ---- */

void imp_trace_init(imp_trace *t, const char *input_path, ps_trace_source source)
{
    memset(t, 0, sizeof *t);
    t->input_path = input_path;
    ps_trace_meta_init(&t->meta, source);
    t->pool.max = PS_STRSET_MAX_KEYS;
}

void imp_trace_free(imp_trace *t)
{
    ps_strset_free(&t->pool);
    free(t->acts);
    free(t->comms);
    memset(t, 0, sizeof *t);
}

int imp_add_activity(imp_trace *t, const imp_activity *a, ps_error *err)
{
    if (ps_grow(&t->acts, &t->cap_acts, t->n_acts + 1, sizeof *t->acts))
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    t->acts[t->n_acts] = *a;
    t->acts[t->n_acts].order = t->n_acts;
    t->n_acts++;
    return PS_OK;
}

int imp_add_comm(imp_trace *t, const imp_comm *c, ps_error *err)
{
    if (ps_grow(&t->comms, &t->cap_comms, t->n_comms + 1, sizeof *t->comms))
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    t->comms[t->n_comms] = *c;
    t->comms[t->n_comms].order = t->n_comms;
    t->n_comms++;
    return PS_OK;
}

static int cmp_i64(int64_t a, int64_t b) { return (a > b) - (a < b); }
static int cmp_u64(uint64_t a, uint64_t b) { return (a > b) - (a < b); }

/* ---- op ids from annotation ranges ---- */

bool imp_op_id_name(const char *name)
{
    return name && strchr(name, '/') && ps_trace_op_id_valid(name);
}

/* Per thread, outer before inner: start ascending, end descending, then input order. */
static int range_cmp(const void *x, const void *y)
{
    const imp_range *a = x, *b = y;
    int c;
    if ((c = cmp_i64(a->pid, b->pid)) || (c = cmp_i64(a->tid, b->tid)) || (c = cmp_i64(a->start_ns, b->start_ns)) ||
        (c = cmp_i64(b->end_ns, a->end_ns)))
        return c;
    return cmp_u64(a->order, b->order);
}

static int launch_thread_cmp(const void *x, const void *y)
{
    const imp_launch *a = x, *b = y;
    int c;
    if ((c = cmp_i64(a->pid, b->pid)) || (c = cmp_i64(a->tid, b->tid)) || (c = cmp_i64(a->ts_ns, b->ts_ns)))
        return c;
    return cmp_i64(a->corr, b->corr);
}

static int thread_cmp(const imp_range *r, const imp_launch *l)
{
    int c = cmp_i64(r->pid, l->pid);
    return c ? c : cmp_i64(r->tid, l->tid);
}

int imp_assign_launch_ops(imp_range *ranges, size_t n_ranges, imp_launch *launches, size_t n_launches,
                          ps_error *err)
{
    for (size_t i = 0; i < n_launches; i++)
        launches[i].op = 0;
    if (!n_ranges || !n_launches)
        return PS_OK;
    qsort(ranges, n_ranges, sizeof *ranges, range_cmp);
    qsort(launches, n_launches, sizeof *launches, launch_thread_cmp);
    /* Stack of open ranges (indices) on the current thread. Finished ranges are popped before
     * each push, so with nesting ranges its depth is the nesting depth. */
    size_t *stack = NULL, depth = 0, cap = 0, j = 0;
    for (size_t i = 0; i < n_launches; i++) {
        const imp_launch *l = &launches[i];
        if (i > 0 && (l->pid != launches[i - 1].pid || l->tid != launches[i - 1].tid))
            depth = 0; /* a new thread */
        while (j < n_ranges && thread_cmp(&ranges[j], l) < 0)
            j++;
        for (; j < n_ranges && !thread_cmp(&ranges[j], l) && ranges[j].start_ns <= l->ts_ns; j++) {
            while (depth && ranges[stack[depth - 1]].end_ns < ranges[j].start_ns)
                depth--;
            if (ps_grow(&stack, &cap, depth + 1, sizeof *stack)) {
                free(stack);
                return ps_error_set(err, PS_EINTERNAL, "out of memory");
            }
            stack[depth++] = j;
        }
        while (depth && ranges[stack[depth - 1]].end_ns < l->ts_ns)
            depth--;
        launches[i].op = depth ? ranges[stack[depth - 1]].name : 0;
    }
    free(stack);
    return PS_OK;
}

/* ---- normalise and write ---- */

static int act_cmp(const void *x, const void *y)
{
    const imp_activity *a = x, *b = y;
    int c;
    if ((c = cmp_i64(a->start_ns, b->start_ns)) || (c = cmp_i64(a->rank, b->rank)) ||
        (c = cmp_i64(a->device, b->device)) || (c = cmp_i64(a->stream, b->stream)) ||
        (c = cmp_i64(a->end_ns, b->end_ns)))
        return c;
    return cmp_u64(a->order, b->order);
}

/* Call order on a rank: by GPU start, then input order (the calls of one grouped launch share
 * a start and keep the order in which the program made them). */
static int comm_cmp(const void *x, const void *y)
{
    const imp_comm *a = x, *b = y;
    int c;
    if ((c = cmp_i64(a->rank, b->rank)) || (c = cmp_i64(a->start_ns, b->start_ns)))
        return c;
    return cmp_u64(a->order, b->order);
}

/* Sequence key of a call: (rank, group) for collectives, plus direction and peer for p2p,
 * as ps_trace_order_comm counts them. */
typedef struct seq_key {
    int rank;
    uint32_t group;
    int dir;  /* 0 collective, 1 send, 2 recv */
    int peer;
    uint64_t next;
} seq_key;

static int seq_key_cmp(const void *x, const void *y)
{
    const seq_key *a = x, *b = y;
    int c;
    if ((c = cmp_i64(a->rank, b->rank)) || (c = cmp_u64(a->group, b->group)) || (c = cmp_i64(a->dir, b->dir)))
        return c;
    return cmp_i64(a->peer, b->peer);
}

static seq_key key_of(const imp_comm *c)
{
    seq_key k = {c->rank, c->group, 0, -1, 0};
    if (c->collective == PS_TRACE_SEND || c->collective == PS_TRACE_RECV) {
        k.dir = c->collective == PS_TRACE_SEND ? 1 : 2;
        k.peer = c->peer;
    }
    return k;
}

static int cmp_u64p(const void *x, const void *y) { return cmp_u64(*(const uint64_t *)x, *(const uint64_t *)y); }

/* Distinct ranks that use each group: the group size when neither input nor options say it. */
static int fill_group_sizes(imp_trace *t, const ps_import_options *opts, ps_error *err)
{
    size_t n = t->n_comms;
    if (!n)
        return PS_OK;
    uint64_t *pairs = malloc(n * sizeof *pairs); /* group << 20 | rank, sorted, then deduplicated */
    if (!pairs)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    for (size_t i = 0; i < n; i++)
        pairs[i] = ((uint64_t)t->comms[i].group << 20) | (uint64_t)t->comms[i].rank;
    qsort(pairs, n, sizeof *pairs, cmp_u64p);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || pairs[i] != pairs[m - 1])
            pairs[m++] = pairs[i];
    for (size_t i = 0; i < n; i++) {
        imp_comm *c = &t->comms[i];
        if (c->group_size > 0)
            continue;
        if (opts->group_size > 0) {
            c->group_size = opts->group_size;
            continue;
        }
        /* first pair of this group by binary search, then count its ranks */
        uint64_t lo_key = (uint64_t)c->group << 20;
        size_t lo = 0, hi = m;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (pairs[mid] < lo_key) lo = mid + 1; else hi = mid;
        }
        int ranks = 0;
        for (size_t k = lo; k < m && (pairs[k] >> 20) == c->group; k++)
            ranks++;
        /* A p2p or rooted call involves its peer too, even when only one rank was imported. */
        if (c->peer >= 0 && ranks < 2)
            ranks = 2;
        c->group_size = ranks;
    }
    free(pairs);
    return PS_OK;
}

/* The trace format's size of an all-gather is the gathered output and that of a reduce-scatter
 * the full input (nccl-tests' "size", docs/trace-format.md); the importers record NCCL's count,
 * which is one rank's share of either (imp_comm.bytes): multiply by the group size. */
static int scale_per_rank_bytes(imp_trace *t, ps_error *err)
{
    for (size_t i = 0; i < t->n_comms; i++) {
        imp_comm *c = &t->comms[i];
        if (c->collective != PS_TRACE_ALLGATHER && c->collective != PS_TRACE_REDUCESCATTER)
            continue;
        if (c->group_size > 0 && c->bytes > PS_TRACE_MAX_BYTES / (uint64_t)c->group_size)
            return ps_error_set(err, PS_EINPUT, "%s: %s of %llu bytes per rank on %d ranks is beyond 2^50 bytes",
                                t->input_path, c->collective == PS_TRACE_ALLGATHER ? "all-gather" : "reduce-scatter",
                                (unsigned long long)c->bytes, c->group_size);
        c->bytes *= (uint64_t)c->group_size;
    }
    return PS_OK;
}

static int assign_seq(imp_trace *t, ps_error *err)
{
    size_t n = t->n_comms;
    if (!n)
        return PS_OK;
    qsort(t->comms, n, sizeof *t->comms, comm_cmp);
    seq_key *keys = malloc(n * sizeof *keys);
    if (!keys)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    size_t nk = 0;
    for (size_t i = 0; i < n; i++) {
        seq_key k = key_of(&t->comms[i]);
        seq_key *found = nk ? bsearch(&k, keys, nk, sizeof *keys, seq_key_cmp) : NULL;
        if (!found) {
            keys[nk++] = k;
            qsort(keys, nk, sizeof *keys, seq_key_cmp); /* keys are few (ranks x groups x peers) */
            found = bsearch(&k, keys, nk, sizeof *keys, seq_key_cmp);
        }
        t->comms[i].order = found->next++; /* reuse `order` as the seq from here on */
    }
    free(keys);
    return PS_OK;
}

static void format_date(int64_t epoch_ns, char *out, size_t cap)
{
    time_t s = (time_t)(epoch_ns / 1000000000);
    struct tm tm;
    if (epoch_ns <= 0 || !gmtime_r(&s, &tm)) {
        out[0] = '\0';
        return;
    }
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void copy_text(char *dst, const char *src)
{
    snprintf(dst, PS_TRACE_MAX_TEXT_BYTES + 1, "%s", src);
}

static void apply_options(imp_trace *t, const ps_import_options *opts, int ranks)
{
    ps_trace_meta *m = &t->meta;
    if (opts->model[0])
        copy_text(m->model, opts->model);
    if (opts->dtype[0])
        copy_text(m->dtype, opts->dtype);
    if (opts->phase[0])
        copy_text(m->phase, opts->phase);
    if (opts->tp) m->tp = opts->tp;
    if (opts->pp) m->pp = opts->pp;
    if (opts->dp) m->dp = opts->dp;
    if (opts->batch) m->batch = opts->batch;
    if (opts->isl) m->isl = opts->isl;
    if (opts->osl) m->osl = opts->osl;
    if (!m->gpu_count)
        m->gpu_count = ranks;
    copy_text(m->clock, "relative");
}

typedef struct stream_end {
    int rank, device;
    int64_t stream, end_ns;
} stream_end;

static int stream_end_cmp(const void *x, const void *y)
{
    const stream_end *a = x, *b = y;
    int c;
    if ((c = cmp_i64(a->rank, b->rank)) || (c = cmp_i64(a->device, b->device)))
        return c;
    return cmp_i64(a->stream, b->stream);
}

/* The trace format says a stream runs one activity at a time, but on Hopper a kernel launched
 * with programmatic dependent launch (cuBLASLt's splitKreduce after an nvjet splitK GEMM, seen
 * in traces/h200-torch-reference) really starts a few hundred ns before its predecessor ends.
 * Such a start is moved to the predecessor's end (the end stays: it is what the next kernel
 * waits for), and counted. Activities are sorted by start on entry and re-sorted on exit. */
static int clip_stream_overlaps(imp_trace *t, uint64_t *clipped, ps_error *err)
{
    size_t n = t->n_acts, ns = 0;
    stream_end *ends = malloc(n * sizeof *ends);
    if (!ends)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    for (size_t i = 0; i < n; i++)
        ends[ns++] = (stream_end){t->acts[i].rank, t->acts[i].device, t->acts[i].stream, INT64_MIN};
    qsort(ends, ns, sizeof *ends, stream_end_cmp);
    size_t m = 0;
    for (size_t i = 0; i < ns; i++)
        if (m == 0 || stream_end_cmp(&ends[i], &ends[m - 1]))
            ends[m++] = ends[i];
    *clipped = 0;
    for (size_t i = 0; i < n; i++) {
        imp_activity *a = &t->acts[i];
        stream_end key = {a->rank, a->device, a->stream, 0};
        stream_end *e = bsearch(&key, ends, m, sizeof *ends, stream_end_cmp);
        if (a->start_ns < e->end_ns) {
            a->start_ns = e->end_ns;
            if (a->end_ns < a->start_ns)
                a->end_ns = a->start_ns;
            (*clipped)++;
        }
        e->end_ns = a->end_ns;
    }
    free(ends);
    if (*clipped)
        qsort(t->acts, t->n_acts, sizeof *t->acts, act_cmp);
    return PS_OK;
}

static int write_rows(imp_trace *t, ps_trace_writer *w, ps_error *err)
{
    for (size_t i = 0; i < t->n_acts; i++) {
        const imp_activity *a = &t->acts[i];
        ps_trace_activity row = {
            .rank = a->rank, .device = a->device, .stream = a->stream, .op_id = imp_pool_str(&t->pool, a->op),
            .correlation_id = a->correlation_id, .kind = a->kind, .name = imp_pool_str(&t->pool, a->name),
            .start_ns = a->start_ns, .end_ns = a->end_ns, .bytes = a->bytes,
            .grid = {a->grid[0], a->grid[1], a->grid[2]}, .block = {a->block[0], a->block[1], a->block[2]},
        };
        int rc = ps_trace_write_activity(w, &row, err);
        if (rc)
            return ps_error_prefix(err, "%s", t->input_path);
    }
    for (size_t i = 0; i < t->n_comms; i++) {
        const imp_comm *c = &t->comms[i];
        ps_trace_comm row = {
            .rank = c->rank, .stream = c->stream, .op_id = imp_pool_str(&t->pool, c->op), .correlation_id = c->correlation_id,
            .collective = c->collective, .bytes = c->bytes, .dtype = c->dtype, .peer = c->peer,
            .group_id = imp_pool_str(&t->pool, c->group), .group_size = c->group_size, .seq = c->order,
            .start_ns = c->start_ns, .end_ns = c->end_ns,
        };
        int rc = ps_trace_write_comm(w, &row, err);
        if (rc)
            return ps_error_prefix(err, "%s", t->input_path);
    }
    return PS_OK;
}

int imp_trace_write(imp_trace *t, const char *out_dir, const ps_import_options *opts, ps_import_stats *stats,
                    ps_error *err)
{
    if (t->n_acts == 0)
        return ps_error_set(err, PS_EINPUT, "%s: no GPU activity (kernel, memcpy or memset) to import",
                            t->input_path);
    int64_t t0 = INT64_MAX, t1 = INT64_MIN;
    for (size_t i = 0; i < t->n_acts; i++) {
        if (t->acts[i].start_ns < t0) t0 = t->acts[i].start_ns;
        if (t->acts[i].end_ns > t1) t1 = t->acts[i].end_ns;
    }
    for (size_t i = 0; i < t->n_comms; i++) {
        if (t->comms[i].start_ns < t0) t0 = t->comms[i].start_ns;
        if (t->comms[i].end_ns > t1) t1 = t->comms[i].end_ns;
    }
    /* Differences of int64 stamps that each fit PS_TRACE_MAX_TIME_NS cannot overflow; a span
     * beyond the format's limit is a corrupt input (the writer would say so less clearly). */
    if (t1 - t0 > PS_TRACE_MAX_TIME_NS || t0 < -PS_TRACE_MAX_TIME_NS || t1 > PS_TRACE_MAX_TIME_NS)
        return ps_error_set(err, PS_EINPUT, "%s: timestamps span more than 2^62 ns: corrupt input", t->input_path);
    for (size_t i = 0; i < t->n_acts; i++) {
        t->acts[i].start_ns -= t0;
        t->acts[i].end_ns -= t0;
    }
    for (size_t i = 0; i < t->n_comms; i++) {
        t->comms[i].start_ns -= t0;
        t->comms[i].end_ns -= t0;
    }
    if (t->date_ns > 0)
        format_date(t->date_ns, t->meta.date, sizeof t->meta.date);
    else if (t->times_are_epoch && t0 > INT64_C(1000000000000000000)) /* after 2001: really epoch ns */
        format_date(t0, t->meta.date, sizeof t->meta.date);
    else if (t->epoch_ns > 0 && t0 >= 0 && t->epoch_ns <= INT64_MAX - t0)
        format_date(t->epoch_ns + t0, t->meta.date, sizeof t->meta.date);
    else if (t->epoch_ns > 0)
        format_date(t->epoch_ns, t->meta.date, sizeof t->meta.date);
    qsort(t->acts, t->n_acts, sizeof *t->acts, act_cmp);
    int rc;
    uint64_t clipped = 0;
    if ((rc = clip_stream_overlaps(t, &clipped, err)) || (rc = fill_group_sizes(t, opts, err)) ||
        (rc = scale_per_rank_bytes(t, err)) || (rc = assign_seq(t, err)))
        return rc;

    int ranks = 0;
    {
        int max_rank = 0;
        for (size_t i = 0; i < t->n_acts; i++)
            if (t->acts[i].rank > max_rank) max_rank = t->acts[i].rank;
        unsigned char *seen = calloc((size_t)max_rank + 1, 1);
        if (!seen)
            return ps_error_set(err, PS_EINTERNAL, "out of memory");
        for (size_t i = 0; i < t->n_acts; i++)
            if (!seen[t->acts[i].rank]) {
                seen[t->acts[i].rank] = 1;
                ranks++;
            }
        free(seen);
    }
    apply_options(t, opts, ranks);

    ps_trace_writer *w = NULL;
    if ((rc = ps_trace_writer_open(&w, out_dir, &t->meta, opts->overwrite ? PS_TRACE_WRITE_OVERWRITE : 0, err)))
        return rc;
    if ((rc = write_rows(t, w, err))) {
        ps_trace_writer_abort(w);
        return rc;
    }
    if ((rc = ps_trace_writer_close(w, err)))
        return rc;

    stats->ranks = ranks;
    for (size_t i = 0; i < t->n_acts; i++) {
        if (t->acts[i].kind == PS_TRACE_KERNEL) stats->kernels++;
        else if (t->acts[i].kind == PS_TRACE_MEMCPY) stats->memcpys++;
        else stats->memsets++;
        stats->acts_with_op_id += t->acts[i].op != 0;
    }
    for (size_t i = 0; i < t->n_comms; i++)
        stats->comms_with_op_id += t->comms[i].op != 0;
    stats->comms = t->n_comms;
    stats->overlaps_clipped = clipped;
    stats->span_ns = t1 - t0;
    return PS_OK;
}
