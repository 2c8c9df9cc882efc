/* CUPTI activity records + launch plan -> trace rows (see record_rows.h). Plain C: only the
 * CUPTI headers' record layouts are used, never the library. */
#include "record_rows.h"

#include <cupti_activity.h>
#include <stdlib.h>
#include <string.h>

#include "parsim/array.h"

/* libstdc++'s demangler, callable from C (recording.md section 1.10: CUPTI names are mangled). */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

/* ---- ext ids in the shared map ---- */

/* The ext ids are uint64 and the map's values int64: their bits are copied as they are. */
static int put_ext(ps_u64map *m, uint64_t key, uint64_t ext)
{
    int64_t *value = ps_u64map_get(m, key, 0, NULL);
    if (!value)
        return PS_EINTERNAL;
    memcpy(value, &ext, sizeof ext);
    return PS_OK;
}

static bool get_ext(const ps_u64map *m, uint64_t key, uint64_t *ext)
{
    const int64_t *value = ps_u64map_find(m, key);
    if (!value)
        return false;
    memcpy(ext, value, sizeof *ext);
    return true;
}

void ps_rec_collector_init(ps_rec_collector *c)
{
    memset(c, 0, sizeof *c);
    c->ext_by_correlation.max = c->ext_by_graph_node.max = PS_MAP_NO_LIMIT;
    for (int i = 0; i < 1024; i++)
        c->device_rank[i] = -1;
    for (int i = 0; i < 64; i++)
        for (int s = 0; s < 3; s++)
            c->stream_ids[i][s] = -1;
}

void ps_rec_collector_free(ps_rec_collector *c)
{
    for (size_t i = 0; i < c->nnames; i++)
        free(c->names[i]);
    free(c->names);
    free(c->records);
    ps_strset_free(&c->mangled_names);
    ps_u64map_free(&c->ext_by_correlation);
    ps_u64map_free(&c->ext_by_graph_node);
    memset(c, 0, sizeof *c);
}

uint64_t ps_rec_ext_id(int rank_slot, int launch) { return ((uint64_t)(rank_slot + 1) << 32) | (uint32_t)launch; }

/* Interns a display name: demangled when it is a mangled C++ name. Kernels are named by their
 * mangled name (its index in mangled_names is its index in names). */
static int intern_name(ps_rec_collector *c, const char *mangled, uint32_t *out, ps_error *err)
{
    if (!mangled || !*mangled)
        mangled = "(unnamed kernel)";
    long index = ps_strset_index(&c->mangled_names, mangled, 0);
    if (index >= 0) {
        *out = (uint32_t)index;
        return PS_OK;
    }
    int status = -1;
    char *demangled = mangled[0] == '_' && mangled[1] == 'Z' ? __cxa_demangle(mangled, NULL, NULL, &status) : NULL;
    char *name = status == 0 && demangled ? demangled : strdup(mangled);
    if (name != demangled)
        free(demangled);
    if (!name || ps_grow(&c->names, &c->names_cap, c->nnames + 1, sizeof *c->names)) {
        free(name);
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    index = ps_strset_index(&c->mangled_names, mangled, 1);
    if (index < 0) {
        free(name);
        if (index == PS_STRSET_FULL)
            return ps_error_set(err, PS_EINTERNAL, "more than %u distinct kernel names", PS_MAP_DEFAULT_MAX_KEYS);
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    c->names[index] = name; /* index == nnames: both grow by one per new name */
    c->nnames++;
    *out = (uint32_t)index;
    return PS_OK;
}

static ps_rec_gpu_record *new_record(ps_rec_collector *c, ps_error *err)
{
    if (ps_grow(&c->records, &c->cap, c->count + 1, sizeof *c->records)) {
        ps_error_set(err, PS_EINTERNAL, "out of memory");
        return NULL;
    }
    ps_rec_gpu_record *r = &c->records[c->count++];
    memset(r, 0, sizeof *r);
    return r;
}

/* ---- CUPTI records ---- */

static const char *copy_kind_name(uint8_t kind)
{
    switch (kind) {
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOD: return "HtoD";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOH: return "DtoH";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOD: return "DtoD";
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOH: return "HtoH";
    case CUPTI_ACTIVITY_MEMCPY_KIND_PTOP: return "PtoP";
    default: return "Other";
    }
}

static const char *memory_kind_name(unsigned kind)
{
    switch (kind) {
    case CUPTI_ACTIVITY_MEMORY_KIND_PAGEABLE: return "Pageable";
    case CUPTI_ACTIVITY_MEMORY_KIND_PINNED: return "Pinned";
    case CUPTI_ACTIVITY_MEMORY_KIND_DEVICE: return "Device";
    case CUPTI_ACTIVITY_MEMORY_KIND_MANAGED: return "Managed";
    default: return "Unknown";
    }
}

static int collect_kernel(ps_rec_collector *c, const CUpti_ActivityKernel10 *k, ps_error *err)
{
    ps_rec_gpu_record *r = new_record(c, err);
    if (!r)
        return err->code;
    r->kind = PS_TRACE_KERNEL;
    r->device = (int)k->deviceId;
    r->stream = k->streamId;
    r->correlation = k->correlationId;
    r->graph_node = k->graphNodeId;
    r->start_ns = k->start;
    r->end_ns = k->end;
    r->grid[0] = k->gridX, r->grid[1] = k->gridY, r->grid[2] = k->gridZ;
    r->block[0] = k->blockX, r->block[1] = k->blockY, r->block[2] = k->blockZ;
    return intern_name(c, k->name, &r->name, err);
}

static int collect_memop(ps_rec_collector *c, ps_trace_activity_kind kind, const char *name, uint32_t device,
                         uint32_t stream, uint32_t correlation, uint64_t graph_node, uint64_t bytes, uint64_t start,
                         uint64_t end, ps_error *err)
{
    ps_rec_gpu_record *r = new_record(c, err);
    if (!r)
        return err->code;
    r->kind = kind;
    r->device = (int)device;
    r->stream = stream;
    r->correlation = correlation;
    r->graph_node = graph_node;
    r->bytes = bytes;
    r->start_ns = start;
    r->end_ns = end;
    return intern_name(c, name, &r->name, err);
}

int ps_rec_collect_cupti(ps_rec_collector *c, const void *record, ps_error *err)
{
    const CUpti_Activity *a = record;
    char name[96];
    switch (a->kind) {
    case CUPTI_ACTIVITY_KIND_KERNEL:
    case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL: return collect_kernel(c, record, err);
    case CUPTI_ACTIVITY_KIND_MEMCPY: {
        const CUpti_ActivityMemcpy6 *m = record;
        snprintf(name, sizeof name, "Memcpy %s (%s -> %s)", copy_kind_name(m->copyKind), memory_kind_name(m->srcKind),
                 memory_kind_name(m->dstKind));
        return collect_memop(c, PS_TRACE_MEMCPY, name, m->deviceId, m->streamId, m->correlationId, m->graphNodeId,
                             m->bytes, m->start, m->end, err);
    }
    case CUPTI_ACTIVITY_KIND_MEMCPY2: {
        const CUpti_ActivityMemcpyPtoP4 *m = record;
        snprintf(name, sizeof name, "Memcpy PtoP (%s -> %s)", memory_kind_name(m->srcKind),
                 memory_kind_name(m->dstKind));
        return collect_memop(c, PS_TRACE_MEMCPY, name, m->deviceId, m->streamId, m->correlationId, m->graphNodeId,
                             m->bytes, m->start, m->end, err);
    }
    case CUPTI_ACTIVITY_KIND_MEMSET: {
        const CUpti_ActivityMemset4 *m = record;
        snprintf(name, sizeof name, "Memset (%s)", memory_kind_name(m->memoryKind));
        return collect_memop(c, PS_TRACE_MEMSET, name, m->deviceId, m->streamId, m->correlationId, m->graphNodeId,
                             m->bytes, m->start, m->end, err);
    }
    case CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION: {
        const CUpti_ActivityExternalCorrelation *e = record;
        if (e->externalKind != CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM0)
            return PS_OK;
        if (put_ext(&c->ext_by_correlation, e->correlationId, e->externalId))
            return ps_error_set(err, PS_EINTERNAL, "out of memory");
        return PS_OK;
    }
    default: c->other_records++; return PS_OK;
    }
}

int ps_rec_collect_graph_node(ps_rec_collector *c, uint64_t node_id, uint64_t ext, ps_error *err)
{
    if (put_ext(&c->ext_by_graph_node, node_id, ext))
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    return PS_OK;
}

int ps_rec_collect_graph_clone(ps_rec_collector *c, uint64_t node_id, uint64_t original_id, ps_error *err)
{
    uint64_t ext;
    if (!get_ext(&c->ext_by_graph_node, original_id, &ext))
        return PS_OK; /* a node no op of ours created (NCCL-internal, cuBLASLt-internal) */
    return ps_rec_collect_graph_node(c, node_id, ext, err);
}

/* ---- writing ---- */

/* The launch a record belongs to; false when it carries no ext id of ours. */
static bool record_launch(const ps_rec_collector *c, const ps_rec_plan *p, const ps_rec_gpu_record *r, int *slot,
                          int *launch)
{
    uint64_t ext;
    bool found = r->graph_node ? get_ext(&c->ext_by_graph_node, r->graph_node, &ext) : false;
    if (!found)
        found = get_ext(&c->ext_by_correlation, r->correlation, &ext);
    if (!found)
        return false;
    *slot = (int)(ext >> 32) - 1;
    *launch = (int)(uint32_t)ext;
    return *slot >= 0 && *slot < p->nranks && (size_t)*launch < p->ranks[*slot].nlaunches;
}

typedef struct row_ref {
    const ps_rec_gpu_record *r;
    int slot, launch;  /* launch -1: not attributed */
} row_ref;

static int cmp_rows(const void *x, const void *y)
{
    const row_ref *a = x, *b = y;
    if (a->slot != b->slot)
        return a->slot < b->slot ? -1 : 1;
    if (a->r->start_ns != b->r->start_ns)
        return a->r->start_ns < b->r->start_ns ? -1 : 1;
    if (a->r->end_ns != b->r->end_ns)
        return a->r->end_ns < b->r->end_ns ? -1 : 1;
    return a->r < b->r ? -1 : a->r > b->r;
}

static int gather_rows(const ps_rec_collector *c, const ps_rec_plan *p, uint64_t window_start, row_ref **out,
                       size_t *n, ps_rec_write_stats *st, ps_error *err)
{
    row_ref *rows = malloc((c->count ? c->count : 1) * sizeof *rows);
    if (!rows)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    size_t k = 0;
    uint64_t invalid = 0;
    for (size_t i = 0; i < c->count; i++) {
        const ps_rec_gpu_record *r = &c->records[i];
        if (r->start_ns == 0 || r->end_ns < r->start_ns) {
            invalid++;
            continue;
        }
        if (r->start_ns < window_start) {
            st->warmup_dropped++;
            continue;
        }
        row_ref ref = {.r = r, .slot = -1, .launch = -1};
        if (!record_launch(c, p, r, &ref.slot, &ref.launch)) {
            ref.launch = -1;
            ref.slot = r->device >= 0 && r->device < 1024 ? c->device_rank[r->device] : -1;
            if (ref.slot < 0)
                continue; /* another device's work: not this run's */
            st->unattributed++;
        }
        rows[k++] = ref;
    }
    if (invalid) {
        free(rows);
        return ps_error_set(err, PS_EINPUT, "CUPTI lost the timestamps of %llu records (start 0 or end before start): "
                            "the recording is incomplete; record fewer --iters", (unsigned long long)invalid);
    }
    qsort(rows, k, sizeof *rows, cmp_rows);
    *out = rows;
    *n = k;
    return PS_OK;
}

/* The stream rule of the format (no overlap on one stream) holds for real hardware, but CUPTI's
 * GPU-to-CPU timestamp interpolation can put a kernel's start a few ns before its predecessor's
 * end. Up to 1 us is clamped (and counted); more is a broken recording. */
#define PS_REC_CLAMP_NS 1000

typedef struct stream_end { int slot; uint32_t stream; int64_t end; } stream_end;
#define PS_REC_MAX_STREAMS 4096 /* ours are 3 per GPU; NCCL and cuBLASLt run on them */

static int write_activity(ps_trace_writer *w, const ps_rec_collector *c, const ps_rec_plan *p, const row_ref *ref,
                          stream_end *ends, size_t *nends, ps_rec_write_stats *st, ps_error *err)
{
    const ps_rec_gpu_record *r = ref->r;
    const ps_rec_rank_plan *rp = &p->ranks[ref->slot];
    ps_trace_activity a = {.rank = rp->rank, .device = r->device, .stream = r->stream, .correlation_id = r->correlation,
                           .kind = r->kind, .name = c->names[r->name], .start_ns = (int64_t)r->start_ns,
                           .end_ns = (int64_t)r->end_ns, .bytes = r->bytes};
    a.op_id = ref->launch >= 0 ? rp->ops->ops[rp->launches[ref->launch].op].id : "";
    memcpy(a.grid, r->grid, sizeof a.grid);
    memcpy(a.block, r->block, sizeof a.block);
    size_t e = 0;
    while (e < *nends && (ends[e].slot != ref->slot || ends[e].stream != r->stream))
        e++;
    if (e == *nends) {
        if (*nends == PS_REC_MAX_STREAMS)
            return ps_error_set(err, PS_EINPUT, "more than %d CUDA streams in one recording", PS_REC_MAX_STREAMS);
        ends[(*nends)++] = (stream_end){ref->slot, r->stream, 0};
    } else if (a.start_ns < ends[e].end) {
        if (ends[e].end - a.start_ns > PS_REC_CLAMP_NS)
            return ps_error_set(err, PS_EINPUT, "rank %d stream %u: '%.60s' starts %lld ns before the previous "
                                "activity ends (CUPTI timestamps broken?)", a.rank, r->stream, a.name,
                                (long long)(ends[e].end - a.start_ns));
        a.start_ns = ends[e].end;
        a.end_ns = a.end_ns < a.start_ns ? a.start_ns : a.end_ns;
        st->overlaps_clamped++;
    }
    ends[e].end = a.end_ns;
    st->activities++;
    return ps_trace_write_activity(w, &a, err);
}

static ps_trace_collective collective_of(ps_rec_launch_kind k)
{
    return k == PS_RL_ALLREDUCE ? PS_TRACE_ALLREDUCE
           : k == PS_RL_ALLGATHER ? PS_TRACE_ALLGATHER
           : k == PS_RL_SEND ? PS_TRACE_SEND : PS_TRACE_RECV;
}

/* seq per (group, direction, peer): the i-th call of that key on this rank. */
typedef struct seq_key { char group[24]; int direction, peer; uint64_t next; } seq_key;

static uint64_t next_seq(seq_key *keys, size_t *n, const ps_rec_launch *l)
{
    int dir = l->kind == PS_RL_SEND ? 1 : l->kind == PS_RL_RECV ? 2 : 0;
    for (size_t i = 0; i < *n; i++)
        if (keys[i].direction == dir && keys[i].peer == l->peer && !strcmp(keys[i].group, l->group))
            return keys[i].next++;
    seq_key *k = &keys[(*n)++];
    snprintf(k->group, sizeof k->group, "%s", l->group);
    k->direction = dir;
    k->peer = l->peer;
    k->next = 1;
    return 0;
}

/* The k-th kernel record (start order) of launch `launch` of rank slot `slot`, or NULL. */
static const ps_rec_gpu_record *nth_record(const row_ref *rows, size_t n, int slot, int launch, int k)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].slot == slot && rows[i].launch == launch && rows[i].r->kind == PS_TRACE_KERNEL && k-- == 0)
            return rows[i].r;
    return NULL;
}

static int write_comms(ps_trace_writer *w, const ps_rec_collector *c, const ps_rec_plan *p, const row_ref *rows,
                       size_t n, int iters, ps_rec_write_stats *st, ps_error *err)
{
    for (int slot = 0; slot < p->nranks; slot++) {
        const ps_rec_rank_plan *rp = &p->ranks[slot];
        seq_key keys[64];
        size_t nkeys = 0;
        for (int it = 0; it < iters; it++)
            for (size_t li = 0; li < rp->nlaunches; li++) {
                const ps_rec_launch *l = &rp->launches[li];
                if (!ps_rec_launch_is_comm(l->kind))
                    continue;
                if (nkeys == 64)
                    return ps_error_set(err, PS_EINTERNAL, "more than 64 communicators on one rank");
                ps_trace_comm cm = {.rank = rp->rank, .op_id = rp->ops->ops[l->op].id,
                                    .collective = collective_of(l->kind), .dtype = "bf16", .group_id = l->group,
                                    .group_size = l->group_size, .start_ns = -1, .end_ns = -1, .peer = l->peer};
                cm.bytes = (uint64_t)(rp->ops->ops[l->op].comm_bytes);
                cm.seq = next_seq(keys, &nkeys, l);
                int64_t sid = c->stream_ids[slot][l->stream];
                cm.stream = sid >= 0 ? sid : l->stream;
                if (l->executed) {
                    const ps_rec_gpu_record *r = nth_record(rows, n, slot, (int)li, it);
                    if (!r)
                        return ps_error_set(err, PS_EINPUT, "rank %d: NCCL call %s of iteration %d has no kernel "
                                            "record (CUPTI missed it)", rp->rank, cm.op_id, it + 1);
                    cm.stream = r->stream;
                    cm.correlation_id = r->correlation;
                    cm.start_ns = (int64_t)r->start_ns;
                    cm.end_ns = (int64_t)r->end_ns;
                }
                st->comms++;
                if (ps_trace_write_comm(w, &cm, err))
                    return ps_error_prefix(err, "rank %d %s", rp->rank, cm.op_id);
            }
    }
    return PS_OK;
}

static void op_shape(const ps_op *op, char *buf, size_t size)
{
    if (op->kind == PS_OP_GEMM)
        snprintf(buf, size, "m=%lld n=%lld k=%lld", (long long)op->m, (long long)op->n, (long long)op->k);
    else if (op->kind == PS_OP_ATTENTION)
        snprintf(buf, size, "seqs=%lld tokens=%lld context=%lld", (long long)op->seqs, (long long)op->tokens,
                 (long long)op->context);
    else if (op->comm_bytes > 0)
        snprintf(buf, size, "bytes=%.0f", op->comm_bytes);
    else
        snprintf(buf, size, "tokens=%lld", (long long)op->tokens);
}

static int write_ops(ps_trace_writer *w, const ps_rec_plan *p, ps_error *err)
{
    for (int slot = 0; slot < p->nranks; slot++) {
        const ps_rec_rank_plan *rp = &p->ranks[slot];
        int last = -1;
        for (size_t li = 0; li < rp->nlaunches; li++) {
            int opi = rp->launches[li].op;
            if (opi == last)
                continue;
            last = opi;
            const ps_op *op = &rp->ops->ops[opi];
            bool seen = false; /* the same op id on an earlier rank of its TP group */
            for (int s = 0; s < slot && !seen; s++)
                seen = ps_graph_find_op(&p->graph, p->ranks[s].rank, op->id) != NULL;
            if (seen)
                continue;
            char shape[96];
            op_shape(op, shape, sizeof shape);
            ps_trace_op row = {.op_id = op->id, .layer = op->layer, .op_kind = ps_op_kind_name(op->kind),
                               .shape = shape, .graph_node = op->id};
            if (ps_trace_write_op(w, &row, err))
                return err->code;
        }
    }
    return PS_OK;
}

int ps_rec_write_trace(const ps_rec_collector *c, const ps_rec_plan *p, const ps_trace_meta *meta, int iters,
                       uint64_t window_start_ns, const char *dir, bool overwrite, ps_rec_write_stats *st,
                       ps_error *err)
{
    memset(st, 0, sizeof *st);
    if (c->dropped)
        return ps_error_set(err, PS_EINPUT, "CUPTI dropped %llu activity records (buffers full): the trace would be "
                            "incomplete; record fewer --iters", (unsigned long long)c->dropped);
    row_ref *rows = NULL;
    size_t n = 0;
    int rc = gather_rows(c, p, window_start_ns, &rows, &n, st, err);
    if (rc)
        return rc;
    ps_trace_writer *w = NULL;
    rc = ps_trace_writer_open(&w, dir, meta, PS_TRACE_WRITE_OPS | (overwrite ? PS_TRACE_WRITE_OVERWRITE : 0), err);
    stream_end *ends = rc ? NULL : calloc(PS_REC_MAX_STREAMS, sizeof *ends);
    size_t nends = 0;
    if (!rc && !ends)
        rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
    for (size_t i = 0; i < n && !rc; i++)
        rc = write_activity(w, c, p, &rows[i], ends, &nends, st, err);
    if (!rc)
        rc = write_comms(w, c, p, rows, n, iters, st, err);
    if (!rc)
        rc = write_ops(w, p, err);
    free(ends);
    free(rows);
    if (rc) {
        ps_trace_writer_abort(w);
        return rc;
    }
    return ps_trace_writer_close(w, err);
}
