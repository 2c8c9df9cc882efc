/* sim/import/kineto.c: `parsim import kineto FILE.json`: PyTorch profiler (Kineto) traces.
 *
 * Schema followed (docs/import.md has the details): libkineto's output_json.cpp as shipped with
 * PyTorch 2.4-2.11 (pytorch/kineto 114171d, ../shared/notes/recording.md section 4.2):
 *   { "schemaVersion": 1, "deviceProperties": [...], "distributedInfo": {"rank": R, ...},
 *     "traceEvents": [ {"ph": "X", "cat": "kernel", "name": ..., "pid": dev, "tid": stream,
 *                       "ts": us, "dur": us, "args": {"device", "stream", "correlation",
 *                       "grid": [x,y,z], "block": [x,y,z], "External id", ...}}, ... ],
 *     "baseTimeNanoseconds": N, ... }
 * `ts`/`dur` are microseconds printed with 3 decimals (ns precision); newer Kineto makes `ts`
 * relative to baseTimeNanoseconds, older writes absolute epoch microseconds. Both become exact
 * integer ns (json_stream.h). Also accepted: a bare array of events (Chrome trace format), gzip
 * input (*.pt.trace.json.gz, detected by its magic bytes and inflated while streaming), and
 * PyTorch 1.8's layout with capitalised categories (category() below).
 *
 * NCCL calls: each GPU kernel whose name is a NCCL kernel becomes one comms row timed by that
 * kernel. Its size, dtype and group come, in order of preference, from
 *   1. the kernel's own args ("Collective name", "In msg nelems", "dtype", "Process Group Name",
 *      ...; PyTorch >= 2.4 copies record_param_comms' fields onto NCCL kernels),
 *   2. the record_param_comms cpu_op with the kernel's "External id",
 *   3. the record_param_comms cpu_op that encloses the kernel's launch (cuda_runtime/cuda_driver
 *      event with the kernel's "correlation") on the same thread,
 *   4. the kernel name alone (collective and dtype; bytes 0).
 * The file is one rank: distributedInfo.rank, or --rank.
 *
 * Op ids: a GPU activity (and the comms row of a NCCL kernel) gets the name of the innermost
 * `user_annotation` (torch.profiler.record_function) named like an op id that encloses its
 * launch (the cuda_runtime/cuda_driver event with its "correlation") on the launching thread.
 * Not the GPU-side `gpu_user_annotation` spans: Kineto draws those only for the innermost user
 * range of each launch, so a NCCL kernel inside record_function("decode/mb0/L000/mlp_allreduce")
 * lands in PyTorch's own inner "nccl:all_reduce" range and the user's range has no span around it
 * (docs/import.md). Events may come in any order: ranges and launches are buffered (only ranges
 * whose name is an op id, imp_op_id_name) and matched after the last event, by one sorted sweep.
 */
#include "import/import_internal.h"
#include "import/json_stream.h"
#include "parsim/array.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* What a record_param_comms op (or a NCCL kernel's own args) says about a call. */
typedef struct kin_call {
    bool valid;
    ps_trace_collective coll;
    uint64_t bytes;
    const char *dtype;
    int peer;        /* global rank of the peer (p2p), -1 unknown */
    uint32_t group;  /* pool id of the group id */
    int group_size;  /* 0 unknown */
} kin_call;

typedef struct kin_op { /* a record_param_comms cpu_op */
    int64_t ext_id;
    int64_t pid, tid, start_ns, end_ns;
    kin_call call;
} kin_op;

typedef struct kin_nccl { /* a NCCL kernel waiting to be matched */
    size_t act;        /* index in t->acts */
    int64_t ext_id;    /* -1 none */
    kin_call own;      /* from the kernel's args */
    ps_trace_collective name_coll;
    bool name_coll_known;
    const char *name_dtype;
} kin_nccl;

typedef struct kin_ctx {
    imp_trace *t;
    ps_json_reader *r;
    ps_error *err;
    uint64_t event_index;
    kin_op *ops;
    size_t n_ops, cap_ops;
    imp_launch *launches; /* cuda_runtime / cuda_driver events with a correlation */
    size_t n_launches, cap_launches;
    imp_range *ranges;    /* user_annotation (record_function) events named like op ids */
    size_t n_ranges, cap_ranges;
    kin_nccl *nccl;
    size_t n_nccl, cap_nccl;
    int64_t base_ns;
    bool have_base;
    int64_t file_rank;
    bool have_rank;
    int first_device;
    char devname[64][PS_TRACE_MAX_TEXT_BYTES + 1]; /* deviceProperties by id (ids < 64) */
} kin_ctx;

static int push(void **data, size_t *n, size_t *cap, size_t elem, const void *item, ps_error *err)
{
    if (ps_grow(data, cap, *n + 1, elem))
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    memcpy((char *)*data + *n * elem, item, elem);
    (*n)++;
    return PS_OK;
}

static int bad(kin_ctx *k, const char *fmt, const char *detail)
{
    char why[256];
    snprintf(why, sizeof why, fmt, detail);
    return ps_json_fail(k->r, k->err, "traceEvents[%llu]: %s", (unsigned long long)k->event_index, why);
}

static const char *str_of(const ps_jv *v) { return v && v->type == PS_JV_STRING ? v->text : NULL; }

/* An integer arg that may be written as a number or (older Kineto) a numeric string. */
static bool int_of(const ps_jv *v, int64_t *out)
{
    if (!v)
        return false;
    if (v->type == PS_JV_NUMBER)
        return ps_jv_to_i64(v, out);
    if (v->type == PS_JV_STRING && v->text[0]) {
        char *end;
        errno = 0;
        long long x = strtoll(v->text, &end, 10);
        if (errno || *end)
            return false;
        *out = x;
        return true;
    }
    return false;
}

static bool dim3_of(const ps_jv *v, int out[3])
{
    if (!v || v->type != PS_JV_ARRAY)
        return false;
    int i = 0;
    for (const ps_jv *e = v->child; e; e = e->next, i++) {
        int64_t x;
        if (i >= 3 || !ps_jv_to_i64(e, &x) || x < 0 || x > PS_TRACE_MAX_DIM)
            return false;
        out[i] = (int)x;
    }
    return i == 3;
}

/* Global rank of the i-th member of a group, from "Process Group Ranks" ([0, 1] or the string
 * "[0, 1]"), else from "Global rank start" + i x "Global rank stride". PyTorch shortens the ranks
 * of a group larger than 30 to its first 30 and "..." (profiler/util.cpp format_list,
 * kTruncatLength 30): "[r0, ..., r29, ...]"; members past those are unknown, except that a
 * number written after the "..." (as some re-implementations print: "[r0, ..., rLast]") is the
 * last member. -1 when unknown. */
static int group_member(const ps_jv *args, int64_t i, int group_size)
{
    const ps_jv *ranks = ps_jv_get(args, "Process Group Ranks");
    if (i < 0 || i > PS_TRACE_MAX_RANK)
        return -1;
    if (ranks && ranks->type == PS_JV_ARRAY) {
        int64_t k = 0, x;
        for (const ps_jv *e = ranks->child; e; e = e->next, k++)
            if (k == i)
                return ps_jv_to_i64(e, &x) && x >= 0 && x <= PS_TRACE_MAX_RANK ? (int)x : -1;
    } else if (ranks && ranks->type == PS_JV_STRING) {
        const char *p = ranks->text;
        int64_t k = 0;
        long after_cut = -1; /* the last number written after the "..." */
        bool cut = false;
        while (*p) {
            if (*p == '.') {
                cut = true;
                p++;
                continue;
            }
            if (*p < '0' || *p > '9') {
                p++;
                continue;
            }
            char *end;
            errno = 0;
            long x = strtol(p, &end, 10);
            p = end;
            if (errno)
                return -1;
            if (!cut && k++ == i)
                return x >= 0 && x <= PS_TRACE_MAX_RANK ? (int)x : -1;
            if (cut)
                after_cut = x;
        }
        if (cut && group_size > 0 && i == group_size - 1 && after_cut >= 0 && after_cut <= PS_TRACE_MAX_RANK)
            return (int)after_cut;
    }
    /* PyTorch writes these only when the group's ranks are an arithmetic progression
     * (ProcessGroupNCCL's globalRankStart/Stride, -1 otherwise): exact, not a guess. */
    int64_t start, stride;
    if (int_of(ps_jv_get(args, "Global rank start"), &start) && int_of(ps_jv_get(args, "Global rank stride"), &stride) &&
        start >= 0 && stride >= 1 && start <= PS_TRACE_MAX_RANK && stride <= PS_TRACE_MAX_RANK &&
        start + i * stride <= PS_TRACE_MAX_RANK)
        return (int)(start + i * stride);
    return -1;
}

/* Reads record_param_comms fields (from a cpu_op or a NCCL kernel's args). Unknown collectives
 * (gather, scatter, ...) leave call->valid false. */
static int parse_call(kin_ctx *k, const ps_jv *args, kin_call *call)
{
    memset(call, 0, sizeof *call);
    call->peer = -1;
    const char *cname = str_of(ps_jv_get(args, "Collective name"));
    if (!cname || !imp_collective_from_name(cname, &call->coll))
        return PS_OK;
    int size = 1;
    const char *dt = str_of(ps_jv_get(args, "dtype"));
    call->dtype = imp_dtype(dt, &size);
    if (!call->dtype) {
        call->dtype = "u8"; /* unknown type: count in bytes, see docs/import.md */
        size = 1;
    }
    int64_t in_n = -1, out_n = -1;
    const ps_jv *in_v = ps_jv_get(args, "In msg nelems"), *out_v = ps_jv_get(args, "Out msg nelems");
    if (in_v && !int_of(in_v, &in_n))
        return bad(k, "\"In msg nelems\" is not an integer%s", "");
    if (out_v && !int_of(out_v, &out_n))
        return bad(k, "\"Out msg nelems\" is not an integer%s", "");
    if ((in_v && in_n < 0) || (out_v && out_n < 0))
        return bad(k, "negative message size%s", "");
    int64_t gs;
    if (int_of(ps_jv_get(args, "Group size"), &gs) && gs >= 1 && gs <= PS_TRACE_MAX_RANK + 1)
        call->group_size = (int)gs;
    /* bytes = the count NCCL was given x element size (imp_comm.bytes; imp_trace_write turns
     * all-gather and reduce-scatter into the trace format's gathered / full size). NCCL's count
     * is all-gather's input (PyTorch's "In msg nelems"), reduce-scatter's output ("Out msg
     * nelems"), everybody else's buffer (in = out). */
    bool per_rank = call->coll == PS_TRACE_REDUCESCATTER || call->coll == PS_TRACE_ALLGATHER;
    int64_t count = call->coll == PS_TRACE_REDUCESCATTER ? out_n : in_n;
    if (count < 0 && per_rank) {
        int64_t whole = call->coll == PS_TRACE_REDUCESCATTER ? in_n : out_n;
        if (whole >= 0 && call->group_size > 0 && whole % call->group_size == 0)
            count = whole / call->group_size;
    } else if (count < 0) {
        count = out_n;
    }
    if (count >= 0) {
        if ((uint64_t)count > PS_TRACE_MAX_BYTES / (uint64_t)size)
            return bad(k, "message size beyond 2^50 bytes%s", "");
        call->bytes = (uint64_t)count * (uint64_t)size;
    }
    if (call->coll == PS_TRACE_SEND || call->coll == PS_TRACE_RECV) {
        int64_t peer;
        const char *key = call->coll == PS_TRACE_SEND ? "Dst Rank" : "Src Rank";
        if (int_of(ps_jv_get(args, key), &peer) && peer >= 0 && peer <= PS_TRACE_MAX_RANK)
            call->peer = (int)peer;
        else if (int_of(ps_jv_get(args, "Rank"), &peer)) /* the peer's rank in its group */
            call->peer = group_member(args, peer, call->group_size);
    } else if (call->coll == PS_TRACE_BROADCAST || call->coll == PS_TRACE_REDUCE) {
        /* The root, as a rank of the group: ProcessGroupNCCL::broadcast/reduce pass
         * opts.rootRank as record_param_comms' rank argument, which Kineto prints as "Rank";
         * "Root" where a writer names it so. Mapped to a global rank through the group. */
        int64_t root;
        if (int_of(ps_jv_get(args, "Root"), &root) || int_of(ps_jv_get(args, "Rank"), &root))
            call->peer = group_member(args, root, call->group_size);
    }
    char gid[PS_TRACE_MAX_ID_BYTES + 8];
    const ps_jv *pg = ps_jv_get(args, "Process Group Name");
    if (pg && (pg->type == PS_JV_STRING || pg->type == PS_JV_NUMBER) && pg->text[0])
        snprintf(gid, sizeof gid, "pg%s", pg->text);
    else
        snprintf(gid, sizeof gid, "pg");
    imp_sanitize_id(gid);
    if (imp_pool_intern(&k->t->pool, gid, &call->group))
        return ps_error_set(k->err, PS_EINTERNAL, "out of memory");
    call->valid = true;
    return PS_OK;
}

/* ts and dur of a complete event, as exact integer ns. */
static int times_of(kin_ctx *k, const ps_jv *ev, int64_t *start, int64_t *end, bool need_dur)
{
    const ps_jv *ts = ps_jv_get(ev, "ts"), *dur = ps_jv_get(ev, "dur");
    int64_t d = 0;
    if (!ts)
        return bad(k, "no \"ts\"%s", "");
    if (!ps_jv_us_to_ns(ts, start))
        return bad(k, "\"ts\" is not a number in range%s", "");
    if (!dur) {
        if (need_dur)
            return bad(k, "complete event (\"ph\": \"X\") without \"dur\"%s", "");
    } else if (!ps_jv_us_to_ns(dur, &d)) {
        return bad(k, "\"dur\" is not a number in range%s", "");
    }
    if (d < 0)
        return bad(k, "negative duration (\"dur\": %s)", dur->text);
    if (*start > PS_TRACE_MAX_TIME_NS || *start < -PS_TRACE_MAX_TIME_NS || d > PS_TRACE_MAX_TIME_NS)
        return bad(k, "time beyond 2^62 ns%s", "");
    *end = *start + d;
    return PS_OK;
}

/* PyTorch 1.8's Kineto names a GPU event's thread "stream 7" (and puts no stream in its args). */
static bool stream_tid(const ps_jv *tid, int64_t *stream)
{
    if (!tid || tid->type != PS_JV_STRING || strncmp(tid->text, "stream ", 7))
        return false;
    ps_jv number = {.type = PS_JV_STRING, .text = tid->text + 7};
    return int_of(&number, stream);
}

static int gpu_event(kin_ctx *k, const ps_jv *ev, ps_trace_activity_kind kind)
{
    const ps_jv *args = ps_jv_get(ev, "args");
    const char *name = str_of(ps_jv_get(ev, "name"));
    if (!name || !name[0])
        return bad(k, "GPU event without a \"name\"%s", "");
    imp_activity a = {.kind = kind};
    int rc = times_of(k, ev, &a.start_ns, &a.end_ns, true);
    if (rc)
        return rc;
    int64_t device, stream, corr = 0;
    /* Kineto puts the device in args and in pid, the stream in args and in tid. */
    if (!int_of(ps_jv_get(args, "device"), &device) && !int_of(ps_jv_get(ev, "pid"), &device))
        return bad(k, "GPU event without a device (args.device or an integer pid)%s", "");
    if (!int_of(ps_jv_get(args, "stream"), &stream) && !int_of(ps_jv_get(ev, "tid"), &stream) &&
        !stream_tid(ps_jv_get(ev, "tid"), &stream))
        return bad(k, "GPU event without a stream (args.stream or an integer tid)%s", "");
    if (device < 0 || device > PS_TRACE_MAX_DEVICE)
        return bad(k, "device out of range [0, 1023]%s", "");
    if (stream < 0 || stream > (int64_t)PS_TRACE_MAX_STREAM)
        return bad(k, "stream out of range [0, 2^32)%s", "");
    const ps_jv *cv = ps_jv_get(args, "correlation");
    if (cv && (!int_of(cv, &corr) || corr < 0))
        return bad(k, "\"correlation\" is not a non-negative integer%s", "");
    a.device = (int)device;
    a.stream = stream;
    a.correlation_id = (uint64_t)corr;
    if (kind == PS_TRACE_KERNEL) {
        const ps_jv *g = ps_jv_get(args, "grid"), *b = ps_jv_get(args, "block");
        if ((g && !dim3_of(g, a.grid)) || (b && !dim3_of(b, a.block)))
            return bad(k, "\"grid\"/\"block\" is not three non-negative integers%s", "");
    } else {
        int64_t bytes;
        if (int_of(ps_jv_get(args, "bytes"), &bytes) && bytes >= 0 && (uint64_t)bytes <= PS_TRACE_MAX_BYTES)
            a.bytes = (uint64_t)bytes;
    }
    if (imp_pool_intern(&k->t->pool, name, &a.name))
        return ps_error_set(k->err, PS_EINTERNAL, "out of memory");
    if (k->first_device < 0)
        k->first_device = a.device;
    if ((rc = imp_add_activity(k->t, &a, k->err)))
        return rc;
    kin_nccl n = {.act = k->t->n_acts - 1, .ext_id = -1};
    if (kind != PS_TRACE_KERNEL || !imp_nccl_kernel(name, &n.name_coll, &n.name_coll_known, &n.name_dtype))
        return PS_OK;
    int64_t ext;
    if (int_of(ps_jv_get(args, "External id"), &ext) || int_of(ps_jv_get(args, "external id"), &ext)) /* 1.8 */
        n.ext_id = ext;
    if ((rc = parse_call(k, args, &n.own)))
        return rc;
    return push((void **)&k->nccl, &k->n_nccl, &k->cap_nccl, sizeof *k->nccl, &n, k->err);
}

static int comm_op_event(kin_ctx *k, const ps_jv *ev)
{
    kin_op op = {.ext_id = -1};
    int rc = times_of(k, ev, &op.start_ns, &op.end_ns, true);
    if (rc)
        return rc;
    const ps_jv *args = ps_jv_get(ev, "args");
    int_of(ps_jv_get(args, "External id"), &op.ext_id);
    if (!int_of(ps_jv_get(ev, "pid"), &op.pid))
        op.pid = -1;
    if (!int_of(ps_jv_get(ev, "tid"), &op.tid))
        op.tid = -1;
    if ((rc = parse_call(k, args, &op.call)))
        return rc;
    if (!op.call.valid)
        return PS_OK;
    return push((void **)&k->ops, &k->n_ops, &k->cap_ops, sizeof *k->ops, &op, k->err);
}

static int launch_event(kin_ctx *k, const ps_jv *ev)
{
    imp_launch l = {0};
    int64_t end;
    const ps_jv *args = ps_jv_get(ev, "args");
    if (!int_of(ps_jv_get(args, "correlation"), &l.corr))
        return PS_OK; /* API calls that launch nothing carry no correlation worth keeping */
    int rc = times_of(k, ev, &l.ts_ns, &end, false);
    if (rc)
        return rc;
    if (!int_of(ps_jv_get(ev, "pid"), &l.pid))
        l.pid = -1;
    if (!int_of(ps_jv_get(ev, "tid"), &l.tid))
        l.tid = -1;
    return push((void **)&k->launches, &k->n_launches, &k->cap_launches, sizeof *k->launches, &l, k->err);
}

/* A record_function range named like an op id. Its "External id" orders ranges of equal extent:
 * PyTorch numbers ops as they are entered, so of two nested ranges the inner has the larger id. */
static int range_event(kin_ctx *k, const ps_jv *ev, const char *name)
{
    imp_range g = {0};
    int rc = times_of(k, ev, &g.start_ns, &g.end_ns, true);
    if (rc)
        return rc;
    if (!int_of(ps_jv_get(ev, "pid"), &g.pid))
        g.pid = -1;
    if (!int_of(ps_jv_get(ev, "tid"), &g.tid))
        g.tid = -1;
    int64_t ext;
    g.order = int_of(ps_jv_get(ps_jv_get(ev, "args"), "External id"), &ext) && ext >= 0 ? (uint64_t)ext : k->event_index;
    if (imp_pool_intern(&k->t->pool, name, &g.name))
        return ps_error_set(k->err, PS_EINTERNAL, "out of memory");
    return push((void **)&k->ranges, &k->n_ranges, &k->cap_ranges, sizeof *k->ranges, &g, k->err);
}

/* Event categories ("cat"). Kineto renamed them once: the JSON of PyTorch 1.8 (libkineto's first
 * output_json.cpp; the layout pytorch/kineto's tb_plugin tests are written in) says "Kernel",
 * "Memcpy", "Memset", "Runtime" and "Operator" (every CPU op, record_function ranges included),
 * later ones ActivityType's names: "kernel", "gpu_memcpy", "gpu_memset", "cuda_runtime",
 * "cuda_driver", "cpu_op", "user_annotation". Both spellings are read. */
typedef enum kin_cat { CAT_OTHER, CAT_KERNEL, CAT_MEMCPY, CAT_MEMSET, CAT_LAUNCH, CAT_CPU_OP, CAT_ANNOTATION, CAT_OLD_OPERATOR } kin_cat;

static kin_cat category(const char *cat)
{
    static const struct {
        const char *name;
        kin_cat cat;
    } table[] = {
        {"kernel", CAT_KERNEL},     {"gpu_memcpy", CAT_MEMCPY},   {"gpu_memset", CAT_MEMSET},
        {"cuda_runtime", CAT_LAUNCH}, {"cuda_driver", CAT_LAUNCH}, {"cpu_op", CAT_CPU_OP},
        {"user_annotation", CAT_ANNOTATION},
        /* before the rename */
        {"Kernel", CAT_KERNEL},     {"Memcpy", CAT_MEMCPY},       {"Memset", CAT_MEMSET},
        {"Runtime", CAT_LAUNCH},    {"Operator", CAT_OLD_OPERATOR},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(cat, table[i].name))
            return table[i].cat;
    return CAT_OTHER;
}

static int one_event(kin_ctx *k, const ps_jv *ev)
{
    if (ev->type != PS_JV_OBJECT)
        return bad(k, "an event must be a JSON object%s", "");
    const ps_jv *ph = ps_jv_get(ev, "ph");
    if (!ph || ph->type != PS_JV_STRING)
        return bad(k, "event without a \"ph\" string%s", "");
    if (strcmp(ph->text, "X"))
        return PS_OK; /* metadata, flows, instants, counters: nothing to import */
    const char *cat = str_of(ps_jv_get(ev, "cat"));
    const char *name = str_of(ps_jv_get(ev, "name"));
    if (!cat)
        return PS_OK;
    bool comm_op = name && !strcmp(name, "record_param_comms");
    switch (category(cat)) {
    case CAT_KERNEL: return gpu_event(k, ev, PS_TRACE_KERNEL);
    case CAT_MEMCPY: return gpu_event(k, ev, PS_TRACE_MEMCPY);
    case CAT_MEMSET: return gpu_event(k, ev, PS_TRACE_MEMSET);
    case CAT_LAUNCH: return launch_event(k, ev);
    case CAT_CPU_OP: return comm_op ? comm_op_event(k, ev) : PS_OK;
    case CAT_ANNOTATION:
    case CAT_OLD_OPERATOR:
        if (comm_op)
            return comm_op_event(k, ev);
        return imp_op_id_name(name) ? range_event(k, ev, name) : PS_OK;
    case CAT_OTHER: break;
    }
    return PS_OK;
}

/* ---- top-level members ---- */

static void version_text(const ps_jv *v, char *out)
{
    /* CUDA versions as integers: 12080 -> "12.8" (CUDA_VERSION = 1000*major + 10*minor). */
    int64_t x;
    if (ps_jv_to_i64(v, &x) && x > 1000 && x < 1000000)
        snprintf(out, PS_TRACE_MAX_TEXT_BYTES + 1, "%lld.%lld", (long long)(x / 1000), (long long)(x % 1000 / 10));
    else if (v && (v->type == PS_JV_STRING || v->type == PS_JV_NUMBER) && ps_trace_text_valid(v->text, PS_TRACE_MAX_TEXT_BYTES, false))
        snprintf(out, PS_TRACE_MAX_TEXT_BYTES + 1, "%s", v->text);
}

static int member(kin_ctx *k, const char *key, const ps_jv *v)
{
    ps_trace_meta *m = &k->t->meta;
    if (!strcmp(key, "baseTimeNanoseconds")) {
        if (!ps_jv_to_i64(v, &k->base_ns) || k->base_ns < 0)
            return ps_json_fail(k->r, k->err, "\"baseTimeNanoseconds\" is not a non-negative integer");
        k->have_base = true;
    } else if (!strcmp(key, "distributedInfo")) {
        const ps_jv *rank = ps_jv_get(v, "rank");
        if (rank) {
            if (!int_of(rank, &k->file_rank) || k->file_rank < 0 || k->file_rank > PS_TRACE_MAX_RANK)
                return ps_json_fail(k->r, k->err, "\"distributedInfo\": \"rank\" is not an integer in [0, %d]",
                                    PS_TRACE_MAX_RANK);
            k->have_rank = true;
        }
        const char *backend = str_of(ps_jv_get(v, "backend"));
        (void)backend;
        const ps_jv *nv = ps_jv_get(v, "nccl_version");
        if (nv)
            version_text(nv, m->nccl_version);
    } else if (!strcmp(key, "deviceProperties") && v->type == PS_JV_ARRAY) {
        for (const ps_jv *d = v->child; d; d = d->next) {
            int64_t id;
            const char *name = str_of(ps_jv_get(d, "name"));
            if (int_of(ps_jv_get(d, "id"), &id) && id >= 0 && id < 64 && name &&
                ps_trace_text_valid(name, PS_TRACE_MAX_TEXT_BYTES, false))
                snprintf(k->devname[id], sizeof k->devname[id], "%s", name);
        }
    } else if (!strcmp(key, "cuda_driver_version")) {
        version_text(v, m->driver_version);
    } else if (!strcmp(key, "cuda_runtime_version")) {
        version_text(v, m->cuda_version);
    } else if (!strcmp(key, "cupti_version")) {
        if (v->type == PS_JV_NUMBER || v->type == PS_JV_STRING)
            snprintf(m->cupti_version, sizeof m->cupti_version, "%s", v->text);
    }
    return PS_OK;
}

static int events_array(kin_ctx *k, ps_arena *arena)
{
    int rc = ps_json_expect(k->r, '[', "'[' (traceEvents must be an array)", k->err);
    if (rc)
        return rc;
    int c;
    ps_json_peek(k->r, k->err, &c);
    if (c == ']')
        return ps_json_expect(k->r, ']', "']'", k->err);
    for (bool more = true; more;) {
        ps_jv *ev;
        ps_arena_reset(arena);
        if ((rc = ps_json_value(k->r, arena, &ev, k->err)) || (rc = one_event(k, ev)))
            return rc;
        k->event_index++;
        if ((rc = ps_json_next(k->r, ']', &more, k->err)))
            return rc;
    }
    return PS_OK;
}

static int parse_document(kin_ctx *k)
{
    ps_arena arena = {0}, meta_arena = {0};
    int c, rc = ps_json_peek(k->r, k->err, &c);
    if (rc)
        return rc;
    if (c == '[') {
        rc = events_array(k, &arena);
    } else if (c == '{') {
        ps_json_expect(k->r, '{', "'{'", k->err);
        bool seen_events = false, more = true;
        ps_json_peek(k->r, k->err, &c);
        if (c == '}') {
            ps_json_expect(k->r, '}', "'}'", k->err);
            more = false;
        }
        rc = PS_OK;
        while (more && !rc) {
            const char *key;
            ps_arena_reset(&meta_arena);
            if ((rc = ps_json_read_key(k->r, &meta_arena, &key, k->err)))
                break;
            if (!strcmp(key, "traceEvents")) {
                if (seen_events) {
                    rc = ps_json_fail(k->r, k->err, "\"traceEvents\" appears twice");
                    break;
                }
                seen_events = true;
                rc = events_array(k, &arena);
            } else {
                ps_jv *v;
                if (!(rc = ps_json_value(k->r, &meta_arena, &v, k->err)))
                    rc = member(k, key, v);
            }
            if (!rc)
                rc = ps_json_next(k->r, '}', &more, k->err);
        }
        if (!rc && !seen_events)
            rc = ps_error_set(k->err, PS_EINPUT, "%s: no \"traceEvents\" array: not a Chrome/Kineto trace",
                              k->r->file);
    } else if (c == 0) {
        rc = ps_error_set(k->err, PS_EINPUT, "%s: empty file", k->r->file);
    } else {
        rc = ps_json_fail(k->r, k->err, "not a trace: expected a JSON object or array");
    }
    if (!rc)
        rc = ps_json_finish(k->r, k->err);
    ps_arena_free(&arena);
    ps_arena_free(&meta_arena);
    return rc;
}

/* ---- matching NCCL kernels to calls ---- */

static int op_ext_cmp(const void *x, const void *y)
{
    const kin_op *a = x, *b = y;
    if (a->ext_id != b->ext_id)
        return a->ext_id < b->ext_id ? -1 : 1;
    return a->start_ns < b->start_ns ? -1 : a->start_ns > b->start_ns;
}

static int launch_cmp(const void *x, const void *y)
{
    const imp_launch *a = x, *b = y;
    return (a->corr > b->corr) - (a->corr < b->corr);
}

static const imp_launch *launch_of(const kin_ctx *k, uint64_t corr)
{
    if (!k->n_launches || !corr || corr > INT64_MAX)
        return NULL;
    imp_launch key = {.corr = (int64_t)corr};
    return bsearch(&key, k->launches, k->n_launches, sizeof key, launch_cmp);
}

/* Op ids: each launch gets its innermost op-id range (import_internal.h), each GPU activity that
 * of its launch. Leaves k->launches sorted by correlation for make_comms. */
static int assign_ops(kin_ctx *k)
{
    int rc = imp_assign_launch_ops(k->ranges, k->n_ranges, k->launches, k->n_launches, k->err);
    if (rc)
        return rc;
    if (k->n_launches)
        qsort(k->launches, k->n_launches, sizeof *k->launches, launch_cmp);
    for (size_t i = 0; i < k->t->n_acts; i++) {
        const imp_launch *l = launch_of(k, k->t->acts[i].correlation_id);
        k->t->acts[i].op = l ? l->op : 0;
    }
    return PS_OK;
}

static const kin_op *op_by_ext(const kin_ctx *k, int64_t ext)
{
    size_t lo = 0, hi = k->n_ops;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k->ops[mid].ext_id < ext) lo = mid + 1; else hi = mid;
    }
    return lo < k->n_ops && k->ops[lo].ext_id == ext ? &k->ops[lo] : NULL;
}

/* The innermost record_param_comms on the launching thread around the launch. Ops are few
 * (one per NCCL call), so a linear scan per NCCL kernel is cheap enough. */
static const kin_op *op_around_launch(const kin_ctx *k, int64_t corr)
{
    const imp_launch *l = launch_of(k, (uint64_t)corr);
    if (!l)
        return NULL;
    const kin_op *best = NULL;
    for (size_t i = 0; i < k->n_ops; i++) {
        const kin_op *o = &k->ops[i];
        if (o->pid == l->pid && o->tid == l->tid && o->start_ns <= l->ts_ns && l->ts_ns <= o->end_ns &&
            (!best || o->start_ns > best->start_ns))
            best = o;
    }
    return best;
}

static int make_comms(kin_ctx *k, int rank, ps_import_stats *stats)
{
    imp_trace *t = k->t;
    if (k->n_ops)
        qsort(k->ops, k->n_ops, sizeof *k->ops, op_ext_cmp);
    for (size_t i = 0; i < k->n_nccl; i++) {
        const kin_nccl *n = &k->nccl[i];
        const imp_activity *a = &t->acts[n->act];
        stats->nccl_kernels++;
        const kin_call *call = n->own.valid ? &n->own : NULL;
        const kin_op *op = NULL;
        if (!call && n->ext_id >= 0 && (op = op_by_ext(k, n->ext_id)))
            call = &op->call;
        if (!call && a->correlation_id && (op = op_around_launch(k, (int64_t)a->correlation_id)))
            call = &op->call;
        imp_comm c = {.rank = rank, .stream = a->stream, .correlation_id = a->correlation_id, .peer = -1,
                      .start_ns = a->start_ns, .end_ns = a->end_ns, .op = a->op};
        if (call) {
            c.collective = call->coll;
            c.bytes = call->bytes;
            c.dtype = call->dtype;
            c.peer = call->peer;
            c.group = call->group;
            c.group_size = call->group_size;
        } else if (n->name_coll_known) {
            char gid[32];
            c.collective = n->name_coll;
            c.dtype = n->name_dtype ? n->name_dtype : "u8";
            snprintf(gid, sizeof gid, "stream%lld", (long long)a->stream);
            if (imp_pool_intern(&t->pool, gid, &c.group))
                return ps_error_set(k->err, PS_EINTERNAL, "out of memory");
        } else {
            stats->comms_skipped++;
            continue;
        }
        bool needs_peer = c.collective == PS_TRACE_SEND || c.collective == PS_TRACE_RECV ||
                          c.collective == PS_TRACE_BROADCAST || c.collective == PS_TRACE_REDUCE;
        /* a broadcast's or reduce's root may be this rank; only a send or recv to itself is impossible */
        bool p2p = c.collective == PS_TRACE_SEND || c.collective == PS_TRACE_RECV;
        if (needs_peer && (c.peer < 0 || (p2p && c.peer == rank))) {
            stats->comms_skipped++;
            continue;
        }
        if (!needs_peer)
            c.peer = -1;
        if (call)
            stats->comms_described++;
        else
            stats->comms_from_names++;
        int rc = imp_add_comm(t, &c, k->err);
        if (rc)
            return rc;
    }
    return PS_OK;
}

static int kineto_import(const char *input_path, const char *out_dir, const ps_import_options *opts,
                         ps_import_stats *stats, ps_error *err)
{
    memset(stats, 0, sizeof *stats);
    FILE *fp = fopen(input_path, "rb");
    if (!fp)
        return ps_error_set(err, PS_EINPUT, "%s: cannot open: %s", input_path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(fp);
        return ps_error_set(err, PS_EINPUT, "%s: is a directory, not a Kineto JSON file", input_path);
    }
    imp_trace t;
    imp_trace_init(&t, input_path, PS_TRACE_SOURCE_KINETO);
    ps_json_reader *r = calloc(1, sizeof *r);
    kin_ctx *k = calloc(1, sizeof *k);
    bool gz = false;
    int rc;
    if (!r || !k) {
        rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
        goto out;
    }
    if ((rc = ps_json_open_auto(r, fp, input_path, &gz, err)))
        goto out;
    k->t = &t;
    k->r = r;
    k->err = err;
    k->first_device = -1;
    if ((rc = parse_document(k))) {
        if (rc == PS_EINPUT)
            ps_json_blame_gzip(r, err);
        goto out;
    }
    int rank = opts->rank >= 0 ? opts->rank : k->have_rank ? (int)k->file_rank : 0;
    for (size_t i = 0; i < t.n_acts; i++)
        t.acts[i].rank = rank;
    if ((rc = assign_ops(k)) || (rc = make_comms(k, rank, stats)))
        goto out;
    /* Kineto's ts are not offsets from baseTimeNanoseconds (they are in the profiler's own
     * clock); the base is the recording's wall-clock time, good enough for the date. */
    if (k->have_base)
        t.date_ns = k->base_ns;
    else
        t.times_are_epoch = true; /* Kineto before baseTimeNanoseconds wrote epoch microseconds */
    if (k->first_device >= 0 && k->first_device < 64)
        snprintf(t.meta.gpu_name, sizeof t.meta.gpu_name, "%s", k->devname[k->first_device]);
    snprintf(t.meta.recorder_version, sizeof t.meta.recorder_version, "PyTorch profiler (Kineto JSON%s)", gz ? ", gzip" : "");
    rc = imp_trace_write(&t, out_dir, opts, stats, err);
out:
    if (r)
        ps_json_close(r);
    fclose(fp);
    if (k) {
        free(k->ops);
        free(k->launches);
        free(k->ranges);
        free(k->nccl);
    }
    free(k);
    free(r);
    imp_trace_free(&t);
    return rc;
}

const ps_importer ps_importer_kineto = {
    .name = "kineto",
    .input = "PyTorch profiler / Kineto JSON trace (torch.profiler export_chrome_trace, vLLM, SGLang)",
    .import = kineto_import,
};
