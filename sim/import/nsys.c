/* sim/import/nsys.c: `parsim import nsys FILE.sqlite`: Nsight Systems SQLite exports.
 *
 * Schema followed: `nsys export --type sqlite` of Nsight Systems 2024.6.2 (META_DATA_EXPORT
 * EXPORT_SCHEMA_VERSION 3.16.1; https://docs.nvidia.com/nsight-systems/UserGuide/ "SQLite Schema
 * Reference"); columns this file needs have been stable since 2021.5 (docs/import.md lists them):
 *   CUPTI_ACTIVITY_KIND_KERNEL (start, end, deviceId, streamId, correlationId, globalPid,
 *       demangledName/shortName -> StringIds, gridX..Z, blockX..Z)      required
 *   CUPTI_ACTIVITY_KIND_MEMCPY (..., bytes, copyKind, srcKind, dstKind)  optional
 *   CUPTI_ACTIVITY_KIND_MEMSET (..., bytes, memKind)                     optional
 *   CUPTI_ACTIVITY_KIND_RUNTIME (start, globalTid, correlationId)        optional (NCCL, op ids)
 *   NVTX_EVENTS (start, end, eventType, text/textId, globalTid, jsonText/jsonTextId, uint64Value)
 *   TARGET_INFO_GPU (id, name, clockRate) or, before 2021.3, TARGET_INFO_CUDA_GPU (deviceId,
 *   name, coreClockRate); TARGET_INFO_SESSION_START_TIME (utcEpochNs); META_DATA_EXPORT or the
 *   older EXPORT_META_DATA (EXPORT_PRODUCT_VERSION); TARGET_INFO_SYSTEM_ENV (CudaDriverVersion)
 *                                                                        optional (metadata)
 * Times are ns since the session start; one process (globalPid) = one rank, numbered by pid.
 *
 * NCCL: NCCL (>= 2.19) wraps every API call in an NVTX push/pop range of its "NCCL" domain named
 * after the function ("ncclAllReduce", registered string -> textId) whose payload holds
 * "NCCL communicator ID", "Message size [bytes]" and, for p2p and rooted calls, "Peer rank" /
 * "Root" (NCCL src/include/nvtx_payload_schemas.h). A NCCL kernel is matched to the calls made on
 * its launching thread (CUPTI_ACTIVITY_KIND_RUNTIME row with its correlationId) before its launch
 * and not yet matched: one call for an ungrouped launch, all calls of the group for a
 * ncclGroupEnd launch. Sizes are read from the decoded payload (jsonText) when nsys exports it,
 * else from uint64Value; otherwise the call is known by name only (docs/import.md).
 *
 * Op ids: a kernel, memcpy or memset (and the comms row a NCCL kernel times) gets the text of the
 * innermost NVTX push/pop range named like an op id (imp_op_id_name) that was open on the
 * launching thread (globalTid) at the start of its launch call (CUPTI_ACTIVITY_KIND_RUNTIME row
 * with its correlationId). NCCL's own ranges fail the op id check and are passed over.
 */
#include "import/import_internal.h"
#include "parsim/array.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

typedef struct nsys_ctx {
    imp_trace *t;
    sqlite3 *db;
    const char *path;
    ps_error *err;
} nsys_ctx;

static int db_fail(nsys_ctx *c, const char *what)
{
    int code = sqlite3_errcode(c->db);
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
        return ps_error_set(c->err, PS_EINPUT, "%s: not a valid SQLite database (%s)", c->path, sqlite3_errmsg(c->db));
    if (code == SQLITE_NOMEM)
        return ps_error_set(c->err, PS_EINTERNAL, "%s: out of memory in SQLite", c->path);
    return ps_error_set(c->err, PS_EINPUT, "%s: %s: %s", c->path, what, sqlite3_errmsg(c->db));
}

/* A real table (not a view: a view in a hostile file could run arbitrary SQL, e.g. an endless
 * recursive query). */
static int has_table(nsys_ctx *c, const char *table, bool *yes)
{
    sqlite3_stmt *st;
    *yes = false;
    if (sqlite3_prepare_v2(c->db, "SELECT type FROM sqlite_master WHERE name = ?1", -1, &st, NULL) != SQLITE_OK)
        return db_fail(c, "reading the schema");
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *type = sqlite3_column_text(st, 0);
        *yes = type && !strcmp((const char *)type, "table");
    } else if (rc != SQLITE_DONE) {
        sqlite3_finalize(st);
        return db_fail(c, "reading the schema");
    }
    sqlite3_finalize(st);
    return PS_OK;
}

static int has_column(nsys_ctx *c, const char *table, const char *column, bool *yes)
{
    sqlite3_stmt *st;
    *yes = false;
    if (sqlite3_prepare_v2(c->db, "SELECT name FROM pragma_table_info(?1)", -1, &st, NULL) != SQLITE_OK)
        return db_fail(c, "reading the schema");
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *name = sqlite3_column_text(st, 0);
        if (name && !strcasecmp((const char *)name, column)) /* SQLite names are case-insensitive */
            *yes = true;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? PS_OK : db_fail(c, "reading the schema");
}

static int require_columns(nsys_ctx *c, const char *table, const char *const *cols)
{
    for (; *cols; cols++) {
        bool yes;
        int rc = has_column(c, table, *cols, &yes);
        if (rc)
            return rc;
        if (!yes)
            return ps_error_set(c->err, PS_EINPUT, "%s: table %s has no column '%s': not an nsys SQLite export",
                                c->path, table, *cols);
    }
    return PS_OK;
}

/* ---- typed column access ---- */

typedef struct row_ref {
    nsys_ctx *c;
    sqlite3_stmt *st;
    const char *table;
    int64_t rowid; /* column 0 of every query */
} row_ref;

static int col_i64(row_ref *r, int col, const char *name, bool nullable, int64_t *out)
{
    int type = sqlite3_column_type(r->st, col);
    if (type == SQLITE_NULL && nullable) {
        *out = -1;
        return PS_OK;
    }
    if (type != SQLITE_INTEGER)
        return ps_error_set(r->c->err, PS_EINPUT, "%s: %s row %lld: %s is %s, not an integer", r->c->path, r->table,
                            (long long)r->rowid, name, type == SQLITE_NULL ? "NULL" : type == SQLITE_FLOAT ? "a real number" : type == SQLITE_BLOB ? "a blob" : "text");
    *out = sqlite3_column_int64(r->st, col);
    return PS_OK;
}

static int col_range(row_ref *r, int col, const char *name, int64_t lo, int64_t hi, int64_t *out)
{
    int rc = col_i64(r, col, name, false, out);
    if (!rc && (*out < lo || *out > hi))
        rc = ps_error_set(r->c->err, PS_EINPUT, "%s: %s row %lld: %s = %lld is out of range [%lld, %lld]", r->c->path,
                          r->table, (long long)r->rowid, name, (long long)*out, (long long)lo, (long long)hi);
    return rc;
}

static int col_times(row_ref *r, int col, int64_t *start, int64_t *end)
{
    int rc;
    if ((rc = col_range(r, col, "start", -PS_TRACE_MAX_TIME_NS, PS_TRACE_MAX_TIME_NS, start)) ||
        (rc = col_range(r, col + 1, "end", -PS_TRACE_MAX_TIME_NS, PS_TRACE_MAX_TIME_NS, end)))
        return rc;
    if (*end < *start)
        return ps_error_set(r->c->err, PS_EINPUT, "%s: %s row %lld: negative duration (end %lld < start %lld)",
                            r->c->path, r->table, (long long)r->rowid, (long long)*end, (long long)*start);
    return PS_OK;
}

static int64_t pid_of(int64_t global_id) { return global_id < 0 ? 0 : (global_id >> 24) & 0xffffff; }

/* ---- processes -> ranks ---- */

typedef struct pid_list {
    int64_t *pids;
    size_t n, cap;
} pid_list;

static int note_pid(pid_list *l, int64_t pid)
{
    for (size_t i = 0; i < l->n; i++) /* processes are few */
        if (l->pids[i] == pid)
            return PS_OK;
    if (ps_grow(&l->pids, &l->cap, l->n + 1, sizeof *l->pids))
        return PS_EINTERNAL;
    l->pids[l->n++] = pid;
    return PS_OK;
}

static int cmp_i64p(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static int rank_of_pid(const pid_list *l, int64_t pid, int base)
{
    const int64_t *p = bsearch(&pid, l->pids, l->n, sizeof *l->pids, cmp_i64p);
    return p ? base + (int)(p - l->pids) : -1;
}

/* ---- activities ---- */

/* Kineto's spelling (libkineto CuptiActivity.cpp memcpyKindString / memoryKindString), so that
 * traces imported from either tool name copies alike. Indices: CUpti_ActivityMemcpyKind and
 * CUpti_ActivityMemoryKind, which nsys' ENUM_CUDA_MEMCPY_OPER / ENUM_CUDA_MEM_KIND reuse. */
static const char *const copy_kinds[] = {"Unknown", "HtoD", "DtoH", "HtoA", "AtoH", "AtoA", "AtoD",
                                         "DtoA",    "DtoD", "HtoH", "PtoP"};
static const char *const mem_kinds[] = {"Pageable", "Pinned",         "Device",         "Array",
                                        "Managed",  "Device Static", "Managed Static", "Unknown"};

static const char *enum_name(const char *const *names, size_t n, int64_t v)
{
    return v >= 0 && (size_t)v < n ? names[v] : "Unknown";
}

/* Collected NCCL kernels (index into t->acts) with the pid for launch lookup. */
typedef struct nsys_nccl {
    size_t act;
    int64_t pid;
    ps_trace_collective coll;
    bool coll_known;
    const char *dtype;
} nsys_nccl;

typedef struct nccl_list {
    nsys_nccl *v;
    size_t n, cap;
} nccl_list;

static int read_activities(nsys_ctx *c, const char *table, ps_trace_activity_kind kind, pid_list *pids,
                           nccl_list *nccl)
{
    char sql[1024];
    if (kind == PS_TRACE_KERNEL) {
        bool demangled;
        int rc = has_column(c, table, "demangledName", &demangled);
        if (rc)
            return rc;
        snprintf(sql, sizeof sql,
                 "SELECT k.rowid, k.start, k.end, k.deviceId, k.streamId, k.correlationId, k.globalPid, "
                 "s.value, k.gridX, k.gridY, k.gridZ, k.blockX, k.blockY, k.blockZ "
                 "FROM %s AS k LEFT JOIN StringIds AS s ON s.id = k.%s ORDER BY k.rowid",
                 table, demangled ? "demangledName" : "shortName");
    } else if (kind == PS_TRACE_MEMCPY) {
        snprintf(sql, sizeof sql,
                 "SELECT rowid, start, end, deviceId, streamId, correlationId, globalPid, bytes, copyKind, "
                 "srcKind, dstKind FROM %s ORDER BY rowid", table);
    } else {
        snprintf(sql, sizeof sql,
                 "SELECT rowid, start, end, deviceId, streamId, correlationId, globalPid, bytes, memKind "
                 "FROM %s ORDER BY rowid", table);
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(c, table);
    int rc = PS_OK, step;
    row_ref r = {c, st, table, 0};
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        imp_activity a = {.kind = kind};
        int64_t dev, stream, corr, gpid, v[6];
        r.rowid = sqlite3_column_int64(st, 0);
        if ((rc = col_times(&r, 1, &a.start_ns, &a.end_ns)) ||
            (rc = col_range(&r, 3, "deviceId", 0, PS_TRACE_MAX_DEVICE, &dev)) ||
            (rc = col_range(&r, 4, "streamId", 0, (int64_t)PS_TRACE_MAX_STREAM, &stream)) ||
            (rc = col_i64(&r, 5, "correlationId", true, &corr)) || (rc = col_i64(&r, 6, "globalPid", true, &gpid)))
            break;
        a.device = (int)dev;
        a.stream = stream;
        a.correlation_id = corr > 0 ? (uint64_t)corr : 0;
        a.rank = (int)pid_of(gpid); /* the pid for now; ranks are assigned once all pids are known */
        char name[128];
        const char *text = name;
        if (kind == PS_TRACE_KERNEL) {
            text = (const char *)sqlite3_column_text(st, 7);
            if (!text || !*text) {
                rc = ps_error_set(c->err, PS_EINPUT, "%s: %s row %lld: kernel name id not found in StringIds", c->path,
                                  table, (long long)r.rowid);
                break;
            }
            static const char *const dims[6] = {"gridX", "gridY", "gridZ", "blockX", "blockY", "blockZ"};
            for (int i = 0; i < 6 && !rc; i++)
                rc = col_range(&r, 8 + i, dims[i], 0, PS_TRACE_MAX_DIM, &v[i]);
            if (rc)
                break;
            for (int i = 0; i < 3; i++) {
                a.grid[i] = (int)v[i];
                a.block[i] = (int)v[3 + i];
            }
        } else {
            int64_t bytes;
            if ((rc = col_range(&r, 7, "bytes", 0, (int64_t)PS_TRACE_MAX_BYTES, &bytes)))
                break;
            a.bytes = (uint64_t)bytes;
            if (kind == PS_TRACE_MEMCPY) {
                int64_t ck, sk, dk;
                if ((rc = col_i64(&r, 8, "copyKind", false, &ck)) || (rc = col_i64(&r, 9, "srcKind", true, &sk)) ||
                    (rc = col_i64(&r, 10, "dstKind", true, &dk)))
                    break;
                if (sk >= 0 && dk >= 0)
                    snprintf(name, sizeof name, "Memcpy %s (%s -> %s)", enum_name(copy_kinds, 11, ck),
                             enum_name(mem_kinds, 8, sk), enum_name(mem_kinds, 8, dk));
                else
                    snprintf(name, sizeof name, "Memcpy %s", enum_name(copy_kinds, 11, ck));
            } else {
                int64_t mk;
                if ((rc = col_i64(&r, 8, "memKind", true, &mk)))
                    break;
                snprintf(name, sizeof name, "Memset (%s)", enum_name(mem_kinds, 8, mk));
            }
        }
        if (imp_pool_intern(&c->t->pool, text, &a.name) || note_pid(pids, a.rank)) {
            rc = ps_error_set(c->err, PS_EINTERNAL, "out of memory");
            break;
        }
        if ((rc = imp_add_activity(c->t, &a, c->err)))
            break;
        nsys_nccl n = {.act = c->t->n_acts - 1, .pid = a.rank};
        if (kind == PS_TRACE_KERNEL && imp_nccl_kernel(text, &n.coll, &n.coll_known, &n.dtype)) {
            if (ps_grow(&nccl->v, &nccl->cap, nccl->n + 1, sizeof *nccl->v)) {
                rc = ps_error_set(c->err, PS_EINTERNAL, "out of memory");
                break;
            }
            nccl->v[nccl->n++] = n;
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = db_fail(c, table);
    sqlite3_finalize(st);
    return rc;
}

/* ---- NCCL calls from NVTX ---- */

typedef struct nvtx_call {
    int64_t tid; /* globalTid: pid and tid */
    int64_t start, end;
    ps_trace_collective coll;
    int64_t bytes;   /* -1 unknown */
    char comm[24];   /* communicator id text, "" unknown */
    int64_t peer;    /* "Peer rank" / "Root" in the communicator, -1 unknown */
} nvtx_call;

typedef struct comm_member { /* from ncclCommInitRank* ranges: (comm, rank in comm) -> pid */
    char comm[24];
    int64_t comm_rank, nranks, pid;
} comm_member;

typedef struct nvtx_data {
    nvtx_call *calls;
    size_t n, cap;
    comm_member *members;
    size_t nm, capm;
} nvtx_data;

static const cJSON *find_key(const cJSON *j, const char *key, int depth)
{
    if (!j || depth > 8)
        return NULL;
    for (const cJSON *e = j->child; e; e = e->next) {
        if (e->string && !strcmp(e->string, key))
            return e;
        const cJSON *f = find_key(e, key, depth + 1);
        if (f)
            return f;
    }
    return NULL;
}

static bool json_int(const cJSON *j, const char *key, int64_t *out)
{
    const cJSON *v = find_key(j, key, 0);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9.2e18)
        return false;
    *out = (int64_t)v->valuedouble;
    return true;
}

static int add_call(nvtx_data *d, const nvtx_call *call)
{
    if (ps_grow(&d->calls, &d->cap, d->n + 1, sizeof *d->calls))
        return PS_EINTERNAL;
    d->calls[d->n++] = *call;
    return PS_OK;
}

static int add_member(nvtx_data *d, const comm_member *m)
{
    if (ps_grow(&d->members, &d->capm, d->nm + 1, sizeof *d->members))
        return PS_EINTERNAL;
    d->members[d->nm++] = *m;
    return PS_OK;
}

static void comm_text(const cJSON *payload, char out[24])
{
    const cJSON *v = find_key(payload, "NCCL communicator ID", 0);
    out[0] = '\0';
    if (cJSON_IsNumber(v))
        snprintf(out, 24, "%.0f", v->valuedouble);
    else if (cJSON_IsString(v) && strlen(v->valuestring) < 20)
        snprintf(out, 24, "%s", v->valuestring);
    imp_sanitize_id(out);
    if (!strcmp(out, "_"))
        out[0] = '\0';
}

static int read_nvtx(nsys_ctx *c, nvtx_data *d)
{
    bool yes, text_id, json_text, json_id, u64v;
    int rc;
    if ((rc = has_table(c, "NVTX_EVENTS", &yes)) || !yes)
        return rc;
    static const char *const need[] = {"start", "end", "eventType", "text", "globalTid", NULL};
    if ((rc = require_columns(c, "NVTX_EVENTS", need)) || (rc = has_column(c, "NVTX_EVENTS", "textId", &text_id)) ||
        (rc = has_column(c, "NVTX_EVENTS", "jsonText", &json_text)) ||
        (rc = has_column(c, "NVTX_EVENTS", "jsonTextId", &json_id)) ||
        (rc = has_column(c, "NVTX_EVENTS", "uint64Value", &u64v)))
        return rc;
    char sql[1024];
    /* eventType 59 NvtxPushPopRange, 60 NvtxStartEndRange (ENUM_NSYS_EVENT_TYPE). */
    snprintf(sql, sizeof sql,
             "SELECT n.rowid, n.start, n.end, n.globalTid, %s, %s, %s FROM NVTX_EVENTS AS n %s %s "
             "WHERE n.eventType IN (59, 60) ORDER BY n.globalTid, n.start, n.rowid",
             text_id ? "COALESCE(n.text, ts.value)" : "n.text",
             json_text && json_id ? "COALESCE(n.jsonText, js.value)" : json_text ? "n.jsonText" : "NULL",
             u64v ? "n.uint64Value" : "NULL", text_id ? "LEFT JOIN StringIds AS ts ON ts.id = n.textId" : "",
             json_id ? "LEFT JOIN StringIds AS js ON js.id = n.jsonTextId" : "");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(c, "NVTX_EVENTS");
    row_ref r = {c, st, "NVTX_EVENTS", 0};
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        r.rowid = sqlite3_column_int64(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 4);
        if (!name || strncmp(name, "nccl", 4))
            continue;
        bool init = !strncmp(name, "ncclCommInitRank", 16) || !strcmp(name, "ncclCommSplit");
        nvtx_call call = {.bytes = -1, .peer = -1};
        if (!init && (!imp_collective_from_name(name, &call.coll) || !strcmp(name, "ncclGroupEnd")))
            continue; /* ncclGroupStart/End, ncclCommDestroy, ...: not data movement */
        int64_t tid;
        if ((rc = col_i64(&r, 3, "globalTid", true, &tid)))
            break;
        if (sqlite3_column_type(st, 2) == SQLITE_NULL)
            continue; /* a range that never ended (capture stopped inside it) */
        if ((rc = col_times(&r, 1, &call.start, &call.end)))
            break;
        call.tid = tid;
        const char *json = (const char *)sqlite3_column_text(st, 5);
        cJSON *payload = json ? cJSON_Parse(json) : NULL;
        int64_t x;
        comm_text(payload, call.comm);
        if (init) {
            comm_member m = {.comm_rank = -1, .nranks = -1, .pid = pid_of(tid)};
            memcpy(m.comm, call.comm, sizeof m.comm);
            if (json_int(payload, "Rank", &x)) m.comm_rank = x;
            if (json_int(payload, "No. of ranks", &x)) m.nranks = x;
            cJSON_Delete(payload);
            if (m.comm[0] && m.comm_rank >= 0 && add_member(d, &m)) {
                rc = ps_error_set(c->err, PS_EINTERNAL, "out of memory");
                break;
            }
            continue;
        }
        if (json_int(payload, "Message size [bytes]", &x))
            call.bytes = x;
        else if (sqlite3_column_type(st, 6) == SQLITE_INTEGER && sqlite3_column_int64(st, 6) >= 0)
            call.bytes = sqlite3_column_int64(st, 6);
        if (json_int(payload, "Peer rank", &x) || json_int(payload, "Root", &x))
            call.peer = x;
        cJSON_Delete(payload);
        if (call.bytes > (int64_t)PS_TRACE_MAX_BYTES) {
            rc = ps_error_set(c->err, PS_EINPUT, "%s: NVTX_EVENTS row %lld: message size %lld beyond 2^50 bytes",
                              c->path, (long long)r.rowid, (long long)call.bytes);
            break;
        }
        if (add_call(d, &call)) {
            rc = ps_error_set(c->err, PS_EINTERNAL, "out of memory");
            break;
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = db_fail(c, "NVTX_EVENTS");
    sqlite3_finalize(st);
    return rc;
}

/* ---- kernel launches (correlationId -> launching thread and time) ---- */

typedef imp_launch launch;

static int launch_cmp(const void *x, const void *y)
{
    const launch *a = x, *b = y;
    if (a->pid != b->pid)
        return a->pid < b->pid ? -1 : 1;
    return (a->corr > b->corr) - (a->corr < b->corr);
}

/* Reads the launch calls, gives each the op id of its innermost op-id range (imp_assign_launch_ops)
 * and sorts them by (pid, correlationId) for lookups. */
static int read_launches(nsys_ctx *c, imp_range *ranges, size_t n_ranges, launch **out, size_t *n)
{
    bool yes;
    int rc;
    *out = NULL;
    *n = 0;
    if ((rc = has_table(c, "CUPTI_ACTIVITY_KIND_RUNTIME", &yes)) || !yes)
        return rc;
    static const char *const need[] = {"start", "globalTid", "correlationId", NULL};
    if ((rc = require_columns(c, "CUPTI_ACTIVITY_KIND_RUNTIME", need)))
        return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT rowid, start, globalTid, correlationId FROM CUPTI_ACTIVITY_KIND_RUNTIME "
                           "WHERE correlationId IS NOT NULL AND correlationId != 0",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(c, "CUPTI_ACTIVITY_KIND_RUNTIME");
    size_t cap = 0;
    int step;
    row_ref r = {c, st, "CUPTI_ACTIVITY_KIND_RUNTIME", 0};
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        launch l = {0};
        r.rowid = sqlite3_column_int64(st, 0);
        if ((rc = col_i64(&r, 1, "start", false, &l.ts_ns)) || (rc = col_i64(&r, 2, "globalTid", false, &l.tid)) ||
            (rc = col_i64(&r, 3, "correlationId", false, &l.corr)))
            break;
        l.pid = pid_of(l.tid);
        if (ps_grow(out, &cap, *n + 1, sizeof **out)) {
            rc = ps_error_set(c->err, PS_EINTERNAL, "out of memory");
            break;
        }
        (*out)[(*n)++] = l;
    }
    if (!rc && step != SQLITE_DONE)
        rc = db_fail(c, "CUPTI_ACTIVITY_KIND_RUNTIME");
    sqlite3_finalize(st);
    if (!rc)
        rc = imp_assign_launch_ops(ranges, n_ranges, *out, *n, c->err);
    if (!rc && *n)
        qsort(*out, *n, sizeof **out, launch_cmp);
    return rc;
}

/* ---- op ids from NVTX push/pop ranges ---- */

/* The user's NVTX push/pop ranges whose text is an op id (imp_op_id_name), on their thread. NCCL's
 * own ranges (ncclAllReduce...) and any other text are skipped here, so they never hide the
 * user's range around them. Start/end ranges (eventType 60) are not used: they need not nest and
 * may end on another thread. */
static int read_op_ranges(nsys_ctx *c, imp_range **out, size_t *n)
{
    bool yes, text_id;
    int rc;
    *out = NULL;
    *n = 0;
    if ((rc = has_table(c, "NVTX_EVENTS", &yes)) || !yes)
        return rc;
    static const char *const need[] = {"start", "end", "eventType", "text", "globalTid", NULL};
    if ((rc = require_columns(c, "NVTX_EVENTS", need)) || (rc = has_column(c, "NVTX_EVENTS", "textId", &text_id)))
        return rc;
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT n.rowid, n.start, n.end, n.globalTid, %s FROM NVTX_EVENTS AS n %s "
             "WHERE n.eventType = 59 AND n.end IS NOT NULL AND n.globalTid IS NOT NULL",
             text_id ? "COALESCE(n.text, ts.value)" : "n.text",
             text_id ? "LEFT JOIN StringIds AS ts ON ts.id = n.textId" : "");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(c, "NVTX_EVENTS");
    row_ref r = {c, st, "NVTX_EVENTS", 0};
    size_t cap = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        r.rowid = sqlite3_column_int64(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 4);
        if (!imp_op_id_name(name))
            continue;
        imp_range g = {.order = (uint64_t)r.rowid};
        if ((rc = col_times(&r, 1, &g.start_ns, &g.end_ns)) || (rc = col_i64(&r, 3, "globalTid", false, &g.tid)))
            break;
        g.pid = pid_of(g.tid);
        if (imp_pool_intern(&c->t->pool, name, &g.name)) {
            rc = ps_error_set(c->err, PS_EINTERNAL, "out of memory");
            break;
        }
        if (ps_grow(out, &cap, *n + 1, sizeof **out)) {
            rc = ps_error_set(c->err, PS_EINTERNAL, "out of memory");
            break;
        }
        (*out)[(*n)++] = g;
    }
    if (!rc && step != SQLITE_DONE)
        rc = db_fail(c, "NVTX_EVENTS");
    sqlite3_finalize(st);
    return rc;
}

/* Each activity takes its launch's op id; a->rank still holds the pid here. */
static void assign_ops(imp_trace *t, const launch *launches, size_t n_launches)
{
    for (size_t i = 0; i < t->n_acts && n_launches; i++) {
        imp_activity *a = &t->acts[i];
        launch key = {.pid = a->rank, .corr = (int64_t)a->correlation_id};
        const launch *l = a->correlation_id && a->correlation_id <= INT64_MAX
                              ? bsearch(&key, launches, n_launches, sizeof key, launch_cmp)
                              : NULL;
        a->op = l ? l->op : 0;
    }
}

/* ---- matching ---- */

typedef struct match_ctx {
    nsys_ctx *c;
    nvtx_data *nv;
    launch *launches;
    size_t n_launches;
    const pid_list *pids;
    int rank_base;
    ps_import_stats *stats;
} match_ctx;

static int global_rank_of(const match_ctx *m, const char *comm, int64_t comm_rank, int64_t *nranks)
{
    for (size_t i = 0; i < m->nv->nm; i++) {
        const comm_member *cm = &m->nv->members[i];
        if (!strcmp(cm->comm, comm) && nranks && cm->nranks > 0)
            *nranks = cm->nranks;
        if (!strcmp(cm->comm, comm) && cm->comm_rank == comm_rank)
            return rank_of_pid(m->pids, cm->pid, m->rank_base);
    }
    return -1;
}

static bool compatible(const nsys_nccl *k, ps_trace_collective call)
{
    if (k->coll_known)
        return k->coll == call;
    return true; /* SendRecv / Generic kernels serve p2p and anything NCCL groups into them */
}

static int emit(match_ctx *m, const nsys_nccl *k, const nvtx_call *call)
{
    imp_trace *t = m->c->t;
    const imp_activity *a = &t->acts[k->act];
    imp_comm cm = {.rank = a->rank, .stream = a->stream, .correlation_id = a->correlation_id, .peer = -1,
                   .start_ns = a->start_ns, .end_ns = a->end_ns, .op = a->op};
    char gid[48];
    cm.collective = call ? call->coll : k->coll;
    cm.dtype = k->dtype ? k->dtype : "u8";
    if (call && call->bytes >= 0) {
        cm.bytes = (uint64_t)call->bytes;
        /* bytes must be a whole number of elements of the kernel's type; if not, count bytes */
        int size = 1;
        imp_dtype(cm.dtype, &size);
        if (cm.bytes % (uint64_t)size)
            cm.dtype = "u8";
    }
    if (call && call->comm[0]) {
        int64_t nranks = -1;
        snprintf(gid, sizeof gid, "comm%s", call->comm);
        if (call->peer >= 0)
            cm.peer = global_rank_of(m, call->comm, call->peer, &nranks);
        else
            global_rank_of(m, call->comm, -2, &nranks);
        if (nranks > 0 && nranks <= PS_TRACE_MAX_RANK + 1)
            cm.group_size = (int)nranks;
    } else {
        snprintf(gid, sizeof gid, "stream%lld", (long long)a->stream);
    }
    bool needs_peer = cm.collective == PS_TRACE_SEND || cm.collective == PS_TRACE_RECV ||
                      cm.collective == PS_TRACE_BROADCAST || cm.collective == PS_TRACE_REDUCE;
    if (needs_peer && (cm.peer < 0 || cm.peer == cm.rank)) {
        m->stats->comms_skipped++;
        return PS_OK;
    }
    if (!needs_peer)
        cm.peer = -1;
    if (imp_pool_intern(&t->pool, gid, &cm.group))
        return ps_error_set(m->c->err, PS_EINTERNAL, "out of memory");
    if (call && call->bytes >= 0)
        m->stats->comms_described++;
    else
        m->stats->comms_from_names++;
    return imp_add_comm(t, &cm, m->c->err);
}

/* Kernels are matched in order of their launch; each thread's calls are consumed in order. */
typedef struct keyed {
    const nsys_nccl *k;
    const launch *l; /* NULL: no launch record */
} keyed;

static int keyed_cmp(const void *x, const void *y)
{
    const keyed *a = x, *b = y;
    int64_t ta = a->l ? a->l->ts_ns : INT64_MAX, tb = b->l ? b->l->ts_ns : INT64_MAX;
    if (ta != tb)
        return ta < tb ? -1 : 1;
    return (a->k->act > b->k->act) - (a->k->act < b->k->act);
}

/* Per launching thread: its calls are calls[lo, hi) (sorted by start); next = first unused. */
typedef struct tid_span {
    int64_t tid;
    size_t next, hi;
} tid_span;

static int match_nccl(match_ctx *m, const nccl_list *nccl)
{
    if (!nccl->n)
        return PS_OK;
    keyed *ks = malloc(nccl->n * sizeof *ks);
    tid_span *spans = malloc((m->nv->n + 1) * sizeof *spans);
    if (!ks || !spans) {
        free(ks);
        free(spans);
        return ps_error_set(m->c->err, PS_EINTERNAL, "out of memory");
    }
    size_t ns = 0; /* calls come ordered by (globalTid, start) from the query */
    for (size_t j = 0; j < m->nv->n; j++) {
        if (!ns || spans[ns - 1].tid != m->nv->calls[j].tid)
            spans[ns++] = (tid_span){m->nv->calls[j].tid, j, j};
        spans[ns - 1].hi = j + 1;
    }
    for (size_t i = 0; i < nccl->n; i++) {
        const nsys_nccl *k = &nccl->v[i];
        const imp_activity *a = &m->c->t->acts[k->act];
        launch key = {.pid = k->pid, .corr = (int64_t)a->correlation_id};
        ks[i].k = k;
        ks[i].l = a->correlation_id && m->n_launches
                      ? bsearch(&key, m->launches, m->n_launches, sizeof *m->launches, launch_cmp)
                      : NULL;
    }
    qsort(ks, nccl->n, sizeof *ks, keyed_cmp);
    int rc = PS_OK;
    for (size_t i = 0; i < nccl->n && !rc; i++) {
        m->stats->nccl_kernels++;
        size_t matched = 0;
        tid_span *sp = NULL;
        if (ks[i].l) {
            size_t lo = 0, hi = ns;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (spans[mid].tid < ks[i].l->tid) lo = mid + 1; else hi = mid;
            }
            if (lo < ns && spans[lo].tid == ks[i].l->tid)
                sp = &spans[lo];
        }
        /* The calls this thread made before the launch and no earlier kernel took: one call for
         * an ungrouped launch, the whole group for a ncclGroupEnd launch. A call of another
         * collective than the kernel's never got a kernel of its own (graph capture, a launch
         * outside the capture window): it is dropped. */
        while (sp && !rc && sp->next < sp->hi && m->nv->calls[sp->next].start <= ks[i].l->ts_ns) {
            const nvtx_call *call = &m->nv->calls[sp->next++];
            if (!compatible(ks[i].k, call->coll))
                continue;
            rc = emit(m, ks[i].k, call);
            matched++;
        }
        if (!rc && !matched) {
            if (ks[i].k->coll_known)
                rc = emit(m, ks[i].k, NULL);
            else
                m->stats->comms_skipped++;
        }
    }
    free(ks);
    free(spans);
    return rc;
}

/* ---- metadata ---- */

static void read_text(nsys_ctx *c, const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        return;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        if (v && ps_trace_text_valid(v, cap - 1, false))
            snprintf(out, cap, "%s", v);
    }
    sqlite3_finalize(st);
}

/* GPU name and clock of device `device`, from the first of the tables that has them. Nsight
 * Systems renamed the table in 2021 (public analysis scripts switch on it: "EARLY_2021" exports
 * join TARGET_INFO_CUDA_GPU USING(deviceId), later ones TARGET_INFO_GPU on id):
 *   TARGET_INFO_GPU      (id, name, clockRate in Hz, ...)                     2021.3 on
 *   TARGET_INFO_CUDA_GPU (deviceId or id, name, coreClockRate in kHz, ...)    2020.x - 2021.2
 * coreClockRate is CUPTI's CUpti_ActivityDevice field, which CUPTI documents in kHz. */
static int read_gpu(nsys_ctx *c, int device)
{
    static const struct {
        const char *table, *clock;
        long long clock_per_mhz;
    } sources[] = {{"TARGET_INFO_GPU", "clockRate", 1000000}, {"TARGET_INFO_CUDA_GPU", "coreClockRate", 1000}};
    ps_trace_meta *m = &c->t->meta;
    for (size_t i = 0; i < sizeof sources / sizeof sources[0] && !m->gpu_name[0]; i++) {
        bool yes, by_id, by_device, has_name, has_clock;
        int rc;
        if ((rc = has_table(c, sources[i].table, &yes)))
            return rc;
        if (!yes)
            continue;
        if ((rc = has_column(c, sources[i].table, "id", &by_id)) ||
            (rc = has_column(c, sources[i].table, "deviceId", &by_device)) ||
            (rc = has_column(c, sources[i].table, "name", &has_name)) ||
            (rc = has_column(c, sources[i].table, sources[i].clock, &has_clock)))
            return rc;
        if (!has_name || (!by_id && !by_device))
            continue;
        const char *key = by_id ? "id" : "deviceId";
        char sql[200];
        snprintf(sql, sizeof sql, "SELECT name FROM %s WHERE %s = %d LIMIT 1", sources[i].table, key, device);
        read_text(c, sql, m->gpu_name, sizeof m->gpu_name);
        if (!m->gpu_name[0] || !has_clock)
            continue;
        char clock[32] = "";
        snprintf(sql, sizeof sql, "SELECT %s FROM %s WHERE %s = %d LIMIT 1", sources[i].clock, sources[i].table, key,
                 device);
        read_text(c, sql, clock, sizeof clock);
        char *end;
        errno = 0;
        long long x = strtoll(clock, &end, 10);
        if (!errno && clock[0] && !*end && x > 0 && x / sources[i].clock_per_mhz <= 100000)
            m->sm_clock_mhz = (int)(x / sources[i].clock_per_mhz);
    }
    return PS_OK;
}

/* One value of a name/value table: META_DATA_EXPORT (name, value), its pre-2022 name
 * EXPORT_META_DATA, TARGET_INFO_SYSTEM_ENV (name, value; 2024 adds globalVid, devStateName,
 * nameEnum) or, as some exports have it, TARGET_INFO_SYSTEM_ENV (nameId, valueId) -> StringIds. */
static int read_named(nsys_ctx *c, const char *table, const char *name, char *out, size_t cap)
{
    bool yes, has_name, has_value, has_ids, has_vids;
    int rc;
    if ((rc = has_table(c, table, &yes)) || !yes)
        return rc;
    if ((rc = has_column(c, table, "name", &has_name)) || (rc = has_column(c, table, "value", &has_value)) ||
        (rc = has_column(c, table, "nameId", &has_ids)) || (rc = has_column(c, table, "valueId", &has_vids)))
        return rc;
    char sql[320];
    if (has_name && has_value)
        snprintf(sql, sizeof sql, "SELECT value FROM %s WHERE name = '%s' LIMIT 1", table, name);
    else if (has_ids && has_vids)
        snprintf(sql, sizeof sql,
                 "SELECT v.value FROM %s AS e JOIN StringIds AS n ON n.id = e.nameId JOIN StringIds AS v "
                 "ON v.id = e.valueId WHERE n.value = '%s' LIMIT 1", table, name);
    else
        return PS_OK;
    read_text(c, sql, out, cap);
    return PS_OK;
}

static int read_meta(nsys_ctx *c, int first_device)
{
    ps_trace_meta *m = &c->t->meta;
    bool yes;
    int rc;
    if ((rc = read_gpu(c, first_device)))
        return rc;
    char v[PS_TRACE_MAX_TEXT_BYTES - 32] = "";
    if ((rc = read_named(c, "META_DATA_EXPORT", "EXPORT_PRODUCT_VERSION", v, sizeof v)))
        return rc;
    if (!v[0] && (rc = read_named(c, "EXPORT_META_DATA", "EXPORT_PRODUCT_VERSION", v, sizeof v)))
        return rc;
    if (v[0])
        snprintf(m->recorder_version, sizeof m->recorder_version, "Nsight Systems %s", v);
    else
        snprintf(m->recorder_version, sizeof m->recorder_version, "Nsight Systems");
    /* cuDriverGetVersion's number (13000 = the driver supports CUDA 13.0), written as Kineto's
     * cuda_driver_version is: "13.0". */
    char drv[32] = "";
    if ((rc = read_named(c, "TARGET_INFO_SYSTEM_ENV", "CudaDriverVersion", drv, sizeof drv)))
        return rc;
    char *end;
    errno = 0;
    long long cuda = strtoll(drv, &end, 10);
    if (drv[0] && !*end && !errno && cuda > 1000 && cuda < 1000000)
        snprintf(m->driver_version, sizeof m->driver_version, "%lld.%lld", cuda / 1000, cuda % 1000 / 10);
    if ((rc = has_table(c, "TARGET_INFO_SESSION_START_TIME", &yes)))
        return rc;
    if (yes) {
        char start[32] = "";
        read_text(c, "SELECT utcEpochNs FROM TARGET_INFO_SESSION_START_TIME LIMIT 1", start, sizeof start);
        long long epoch = atoll(start);
        if (epoch > 0)
            c->t->epoch_ns = epoch;
    }
    return PS_OK;
}

static int nsys_run(nsys_ctx *c, const char *out_dir, const ps_import_options *opts, ps_import_stats *stats)
{
    bool yes;
    int rc;
    static const char *const kcols[] = {"start", "end", "deviceId", "streamId", "correlationId", "globalPid",
                                        "shortName", "gridX", "gridY", "gridZ", "blockX", "blockY", "blockZ", NULL};
    static const char *const mcols[] = {"start", "end", "deviceId", "streamId", "correlationId", "globalPid",
                                        "bytes", "copyKind", "srcKind", "dstKind", NULL};
    static const char *const scols[] = {"start", "end", "deviceId", "streamId", "correlationId", "globalPid",
                                        "bytes", "memKind", NULL};
    if ((rc = has_table(c, "CUPTI_ACTIVITY_KIND_KERNEL", &yes)))
        return rc;
    if (!yes)
        return ps_error_set(c->err, PS_EINPUT,
                            "%s: no CUPTI_ACTIVITY_KIND_KERNEL table: not an nsys export with CUDA kernels "
                            "(record with nsys profile --trace=cuda, export with nsys export --type sqlite)",
                            c->path);
    if ((rc = has_table(c, "StringIds", &yes)))
        return rc;
    if (!yes)
        return ps_error_set(c->err, PS_EINPUT, "%s: no StringIds table: not an nsys SQLite export", c->path);
    if ((rc = require_columns(c, "CUPTI_ACTIVITY_KIND_KERNEL", kcols)))
        return rc;
    pid_list pids = {0};
    nccl_list nccl = {0};
    nvtx_data nv = {0};
    launch *launches = NULL;
    imp_range *ranges = NULL;
    size_t n_launches = 0, n_ranges = 0;
    rc = read_activities(c, "CUPTI_ACTIVITY_KIND_KERNEL", PS_TRACE_KERNEL, &pids, &nccl);
    if (!rc && !(rc = has_table(c, "CUPTI_ACTIVITY_KIND_MEMCPY", &yes)) && yes &&
        !(rc = require_columns(c, "CUPTI_ACTIVITY_KIND_MEMCPY", mcols)))
        rc = read_activities(c, "CUPTI_ACTIVITY_KIND_MEMCPY", PS_TRACE_MEMCPY, &pids, &nccl);
    if (!rc && !(rc = has_table(c, "CUPTI_ACTIVITY_KIND_MEMSET", &yes)) && yes &&
        !(rc = require_columns(c, "CUPTI_ACTIVITY_KIND_MEMSET", scols)))
        rc = read_activities(c, "CUPTI_ACTIVITY_KIND_MEMSET", PS_TRACE_MEMSET, &pids, &nccl);
    if (!rc && nccl.n)
        rc = read_nvtx(c, &nv);
    if (!rc)
        rc = read_op_ranges(c, &ranges, &n_ranges);
    if (!rc && (nccl.n || n_ranges))
        rc = read_launches(c, ranges, n_ranges, &launches, &n_launches);
    if (!rc)
        assign_ops(c->t, launches, n_launches);
    if (!rc) {
        int base = opts->rank >= 0 ? opts->rank : 0;
        if (pids.n > 1)
            qsort(pids.pids, pids.n, sizeof *pids.pids, cmp_i64p);
        if (base + (int64_t)pids.n - 1 > PS_TRACE_MAX_RANK)
            rc = ps_error_set(c->err, PS_EINPUT, "%s: %zu processes from rank %d: beyond rank %d", c->path, pids.n,
                              base, PS_TRACE_MAX_RANK);
        for (size_t i = 0; !rc && i < c->t->n_acts; i++)
            c->t->acts[i].rank = rank_of_pid(&pids, c->t->acts[i].rank, base);
        match_ctx m = {c, &nv, launches, n_launches, &pids, base, stats};
        if (!rc)
            rc = match_nccl(&m, &nccl);
    }
    if (!rc && c->t->n_acts)
        rc = read_meta(c, c->t->acts[0].device);
    if (!rc)
        rc = imp_trace_write(c->t, out_dir, opts, stats, c->err);
    free(pids.pids);
    free(nccl.v);
    free(nv.calls);
    free(nv.members);
    free(launches);
    free(ranges);
    return rc;
}

static int nsys_import(const char *input_path, const char *out_dir, const ps_import_options *opts,
                       ps_import_stats *stats, ps_error *err)
{
    memset(stats, 0, sizeof *stats);
    struct stat sb;
    /* SQLite would create a missing file or open a directory lazily; say what is wrong first. */
    if (stat(input_path, &sb) != 0)
        return ps_error_set(err, PS_EINPUT, "%s: cannot open: %s", input_path, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return ps_error_set(err, PS_EINPUT, "%s: not a regular file", input_path);
    if (sb.st_size == 0) /* SQLite would open it as a new, empty database */
        return ps_error_set(err, PS_EINPUT, "%s: empty file, not an nsys SQLite export", input_path);
    imp_trace t;
    imp_trace_init(&t, input_path, PS_TRACE_SOURCE_NSYS);
    nsys_ctx c = {.t = &t, .path = input_path, .err = err};
    int rc;
    if (sqlite3_open_v2(input_path, &c.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = ps_error_set(err, PS_EINPUT, "%s: cannot open as SQLite: %s", input_path,
                          c.db ? sqlite3_errmsg(c.db) : "out of memory");
    } else {
        /* Hostile files: never run SQL functions stored in the schema, cap memory per query. */
        sqlite3_exec(c.db, "PRAGMA trusted_schema = OFF; PRAGMA query_only = ON;", NULL, NULL, NULL);
        rc = nsys_run(&c, out_dir, opts, stats);
    }
    sqlite3_close(c.db);
    imp_trace_free(&t);
    return rc;
}

const ps_importer ps_importer_nsys = {
    .name = "nsys",
    .input = "Nsight Systems SQLite export (nsys export --type sqlite report.nsys-rep)",
    .import = nsys_import,
};
