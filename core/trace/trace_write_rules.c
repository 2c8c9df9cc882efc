/* Trace row rules shared by the writer and the readers (libc only, so it lives in
 * parsim_core_min with the writer; core/CMakeLists.txt decides that, not the file name).
 *
 * One set of rules: a row the writer accepts is a row the reader accepts, and the other way
 * round. Messages name the field and the rule; callers prefix FILE:LINE.
 */
#include "parsim/trace.h"
#include "parsim/dtype.h"

#include <string.h>

static const char *const source_names[PS_TRACE_SOURCE_COUNT] = {"parsim-record", "nsys", "kineto",
                                                                 "synthetic"};
static const char *const kind_names[PS_TRACE_ACTIVITY_KIND_COUNT] = {"kernel", "memcpy", "memset"};
static const char *const collective_names[PS_TRACE_COLLECTIVE_COUNT] = {
    "allreduce", "allgather", "reducescatter", "broadcast", "reduce", "alltoall", "send", "recv"};

static bool lookup(const char *const *names, int count, const char *name, int *out)
{
    if (!name)
        return false;
    for (int i = 0; i < count; i++)
        if (strcmp(names[i], name) == 0) {
            *out = i;
            return true;
        }
    return false;
}

const char *ps_trace_source_name(ps_trace_source source)
{
    return (unsigned)source < PS_TRACE_SOURCE_COUNT ? source_names[source] : "?";
}

bool ps_trace_source_parse(const char *name, ps_trace_source *out)
{
    int i;
    if (!lookup(source_names, PS_TRACE_SOURCE_COUNT, name, &i))
        return false;
    *out = (ps_trace_source)i;
    return true;
}

const char *ps_trace_activity_kind_name(ps_trace_activity_kind kind)
{
    return (unsigned)kind < PS_TRACE_ACTIVITY_KIND_COUNT ? kind_names[kind] : "?";
}

bool ps_trace_activity_kind_parse(const char *name, ps_trace_activity_kind *out)
{
    int i;
    if (!lookup(kind_names, PS_TRACE_ACTIVITY_KIND_COUNT, name, &i))
        return false;
    *out = (ps_trace_activity_kind)i;
    return true;
}

const char *ps_trace_collective_name(ps_trace_collective coll)
{
    return (unsigned)coll < PS_TRACE_COLLECTIVE_COUNT ? collective_names[coll] : "?";
}

bool ps_trace_collective_parse(const char *name, ps_trace_collective *out)
{
    int i;
    if (!lookup(collective_names, PS_TRACE_COLLECTIVE_COUNT, name, &i))
        return false;
    *out = (ps_trace_collective)i;
    return true;
}

/* NCCL's ncclDataType_t names, shortened as nccl-tests prints them: the trace names of the one
 * dtype table (parsim/dtype.h). */
bool ps_trace_dtype_known(const char *dtype)
{
    ps_dtype d;
    return ps_dtype_from_trace_name(dtype, &d);
}

bool ps_trace_collective_is_p2p(ps_trace_collective coll)
{
    return coll == PS_TRACE_SEND || coll == PS_TRACE_RECV;
}

void ps_trace_meta_init(ps_trace_meta *meta, ps_trace_source source)
{
    memset(meta, 0, sizeof *meta);
    meta->format_version = PS_TRACE_FORMAT_VERSION;
    meta->source = source;
    meta->emulated_rank = -1;
}

const char *ps_trace_format_name(int version)
{
    static const char *const names[] = {"parsim-trace 1", "parsim-trace 2"};
    if (version < PS_TRACE_FORMAT_MIN_VERSION || version > PS_TRACE_FORMAT_VERSION)
        return NULL;
    return names[version - 1];
}

bool ps_trace_format_parse(const char *text, int *version)
{
    for (int v = PS_TRACE_FORMAT_MIN_VERSION; text && v <= PS_TRACE_FORMAT_VERSION; v++)
        if (strcmp(text, ps_trace_format_name(v)) == 0) {
            *version = v;
            return true;
        }
    return false;
}

static int check_range(const char *what, long long v, long long lo, long long hi, ps_error *err);

static bool one_of(const char *value, const char *const *names, int count)
{
    if (!value[0])
        return true; /* unknown */
    for (int i = 0; i < count; i++)
        if (strcmp(value, names[i]) == 0)
            return true;
    return false;
}

/* The version 2 keys: names from closed sets, a shard emulation that names a rank of the plan,
 * a layer subset that says where it starts only when there is one. */
static int meta_validate_v2(const ps_trace_meta *m, ps_error *err)
{
    static const char *const launch_modes[] = {"graph", "eager"};
    ps_dtype kv;
    if (m->kv_dtype[0] && !(ps_dtype_parse(m->kv_dtype, &kv) && ps_dtype_info_of(kv)->kv_cache))
        return ps_error_set(err, PS_EINPUT, "kv_dtype: '%s' is not bf16, fp16, fp8 or empty", m->kv_dtype);
    if (!one_of(m->launch_mode, launch_modes, 2))
        return ps_error_set(err, PS_EINPUT, "launch_mode: '%s' is not graph, eager or empty", m->launch_mode);
    int rc;
    if ((rc = check_range("microbatches", m->microbatches, 0, 1 << 16, err)) ||
        (rc = check_range("warmup_iterations", m->warmup_iterations, 0, 1 << 24, err)) ||
        (rc = check_range("measured_iterations", m->measured_iterations, 0, 1 << 24, err)) ||
        (rc = check_range("emulated_rank", m->emulated_rank, -1, PS_TRACE_MAX_RANK, err)) ||
        (rc = check_range("layer_first", m->layer_first, 0, 1 << 20, err)) ||
        (rc = check_range("layer_count", m->layer_count, 0, 1 << 20, err)))
        return rc;
    if (m->emulated_rank >= 0 && !m->shard_emulation)
        return ps_error_set(err, PS_EINPUT, "emulated_rank: %d is set but shard_emulation is false",
                            m->emulated_rank);
    long long ranks = (long long)m->tp * (m->pp ? m->pp : 1) * (m->dp ? m->dp : 1);
    if (m->emulated_rank >= 0 && m->tp > 0 && m->emulated_rank >= ranks)
        return ps_error_set(err, PS_EINPUT, "emulated_rank: %d is outside the plan (tp %d x pp %d x dp %d = %lld ranks)",
                            m->emulated_rank, m->tp, m->pp, m->dp, ranks);
    if (m->layer_first > 0 && m->layer_count == 0)
        return ps_error_set(err, PS_EINPUT, "layer_first: %d without layer_count (0 = every layer of the stage)",
                            m->layer_first);
    return PS_OK;
}

/* Strict UTF-8 (no overlongs, no surrogates, <= U+10FFFF): binary garbage fails here. */
bool ps_trace_text_valid(const char *text, size_t max_bytes, bool allow_newline)
{
    if (!text)
        return true;
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (s[i]) {
        if (i >= max_bytes)
            return false;
        unsigned char c = s[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && !(allow_newline && c == '\n')) || c == 0x7f)
                return false;
            i++;
            continue;
        }
        int extra;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) {
            extra = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            extra = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        for (int k = 1; k <= extra; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false; /* also stops at the NUL terminator */
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((extra == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
        i += (size_t)extra + 1;
    }
    return i <= max_bytes;
}

bool ps_trace_op_id_valid(const char *op_id)
{
    if (!op_id || !*op_id)
        return true;
    size_t n = 0;
    for (const char *p = op_id; *p; p++, n++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == ':' || c == '/' || c == '#' || c == '-';
        if (!ok || n >= PS_TRACE_MAX_ID_BYTES)
            return false;
    }
    return true;
}

static int check_text(const char *what, const char *text, size_t max, bool required, ps_error *err)
{
    if (required && (!text || !*text))
        return ps_error_set(err, PS_EINPUT, "%s: must not be empty", what);
    if (text && strnlen(text, max + 1) > max)
        return ps_error_set(err, PS_EINPUT, "%s: longer than %zu bytes", what, max);
    if (!ps_trace_text_valid(text, max, false))
        return ps_error_set(err, PS_EINPUT, "%s: not UTF-8 text (control character or binary data)", what);
    return PS_OK;
}

static int check_range(const char *what, long long v, long long lo, long long hi, ps_error *err)
{
    if (v < lo || v > hi)
        return ps_error_set(err, PS_EINPUT, "%s: %lld is out of range [%lld, %lld]", what, v, lo, hi);
    return PS_OK;
}

static int check_times(int64_t start_ns, int64_t end_ns, bool allow_unknown, ps_error *err)
{
    if (allow_unknown && start_ns == -1 && end_ns == -1)
        return PS_OK;
    if (start_ns < 0 || end_ns < 0)
        return ps_error_set(err, PS_EINPUT, "negative time: start_ns=%lld end_ns=%lld", (long long)start_ns,
                            (long long)end_ns);
    if (start_ns > PS_TRACE_MAX_TIME_NS || end_ns > PS_TRACE_MAX_TIME_NS)
        return ps_error_set(err, PS_EINPUT, "time beyond 2^62 ns: start_ns=%lld end_ns=%lld",
                            (long long)start_ns, (long long)end_ns);
    if (end_ns < start_ns)
        return ps_error_set(err, PS_EINPUT, "end_ns %lld is before start_ns %lld", (long long)end_ns,
                            (long long)start_ns);
    return PS_OK;
}

static int check_op_id(const char *op_id, ps_error *err)
{
    if (!ps_trace_op_id_valid(op_id))
        return ps_error_set(err, PS_EINPUT, "op_id: '%.64s' is not [A-Za-z0-9_.:/#-]{1,%d}", op_id,
                            PS_TRACE_MAX_ID_BYTES);
    return PS_OK;
}

int ps_trace_meta_validate(const ps_trace_meta *m, ps_error *err)
{
    if (!ps_trace_format_name(m->format_version))
        return ps_error_set(err, PS_EINPUT, "format: version %d is not supported (this parsim reads %d to %d)",
                            m->format_version, PS_TRACE_FORMAT_MIN_VERSION, PS_TRACE_FORMAT_VERSION);
    if ((unsigned)m->source >= PS_TRACE_SOURCE_COUNT)
        return ps_error_set(err, PS_EINPUT, "source: unknown source %d", (int)m->source);
    const struct {
        const char *name;
        const char *value;
    } texts[] = {{"gpu_name", m->gpu_name},       {"driver_version", m->driver_version},
                 {"cuda_version", m->cuda_version}, {"nccl_version", m->nccl_version},
                 {"cupti_version", m->cupti_version}, {"recorder_version", m->recorder_version},
                 {"host", m->host},               {"date", m->date},
                 {"model", m->model},             {"dtype", m->dtype},
                 {"phase", m->phase},             {"clock", m->clock},
                 {"kv_dtype", m->kv_dtype},       {"launch_mode", m->launch_mode},
                 {"platform", m->platform}};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        /* The arrays are PS_TRACE_MAX_TEXT_BYTES + 1 long: a caller that filled one without a
         * terminator must be caught, not read past. */
        if (memchr(texts[i].value, '\0', PS_TRACE_MAX_TEXT_BYTES + 1) == NULL)
            return ps_error_set(err, PS_EINPUT, "%s: not NUL-terminated", texts[i].name);
        int rc = check_text(texts[i].name, texts[i].value, PS_TRACE_MAX_TEXT_BYTES, false, err);
        if (rc)
            return rc;
    }
    const struct {
        const char *name;
        int value, max;
    } nums[] = {{"gpu_count", m->gpu_count, PS_TRACE_MAX_RANK + 1},
                {"sm_clock_mhz", m->sm_clock_mhz, 100000},
                {"mem_clock_mhz", m->mem_clock_mhz, 100000},
                {"tp", m->tp, PS_TRACE_MAX_RANK + 1},
                {"pp", m->pp, PS_TRACE_MAX_RANK + 1},
                {"dp", m->dp, PS_TRACE_MAX_RANK + 1},
                {"batch", m->batch, 1 << 24},
                {"isl", m->isl, 1 << 24},
                {"osl", m->osl, 1 << 24}};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        int rc = check_range(nums[i].name, nums[i].value, 0, nums[i].max, err);
        if (rc)
            return rc;
    }
    if (m->phase[0] && strcmp(m->phase, "prefill") && strcmp(m->phase, "decode") && strcmp(m->phase, "mixed"))
        return ps_error_set(err, PS_EINPUT, "phase: '%s' is not prefill, decode, mixed or empty", m->phase);
    if (m->clock[0] && strcmp(m->clock, "realtime") && strcmp(m->clock, "monotonic") &&
        strcmp(m->clock, "relative"))
        return ps_error_set(err, PS_EINPUT, "clock: '%s' is not realtime, monotonic, relative or empty",
                            m->clock);
    return meta_validate_v2(m, err);
}

int ps_trace_activity_validate(const ps_trace_activity *a, ps_error *err)
{
    int rc;
    if ((rc = check_range("rank", a->rank, 0, PS_TRACE_MAX_RANK, err)) ||
        (rc = check_range("device", a->device, 0, PS_TRACE_MAX_DEVICE, err)) ||
        (rc = check_range("stream", a->stream, 0, (long long)PS_TRACE_MAX_STREAM, err)) ||
        (rc = check_op_id(a->op_id, err)))
        return rc;
    if ((unsigned)a->kind >= PS_TRACE_ACTIVITY_KIND_COUNT)
        return ps_error_set(err, PS_EINPUT, "kind: unknown activity kind %d", (int)a->kind);
    if (!a->name || !*a->name)
        return ps_error_set(err, PS_EINPUT, "name: must not be empty");
    if (strnlen(a->name, PS_TRACE_MAX_NAME_BYTES + 1) > PS_TRACE_MAX_NAME_BYTES)
        return ps_error_set(err, PS_EINPUT, "name: longer than %d bytes", PS_TRACE_MAX_NAME_BYTES);
    if (!ps_trace_text_valid(a->name, PS_TRACE_MAX_NAME_BYTES, true))
        return ps_error_set(err, PS_EINPUT, "name: not UTF-8 text (control character or binary data)");
    if ((rc = check_times(a->start_ns, a->end_ns, false, err)))
        return rc;
    if (a->bytes > PS_TRACE_MAX_BYTES)
        return ps_error_set(err, PS_EINPUT, "bytes: %llu is beyond 2^50", (unsigned long long)a->bytes);
    static const char *const dim_names[6] = {"grid_x", "grid_y", "grid_z", "block_x", "block_y", "block_z"};
    for (int i = 0; i < 6; i++) {
        int v = i < 3 ? a->grid[i] : a->block[i - 3];
        if ((rc = check_range(dim_names[i], v, 0, PS_TRACE_MAX_DIM, err)))
            return rc;
    }
    return PS_OK;
}

int ps_trace_comm_validate(const ps_trace_comm *c, ps_error *err)
{
    int rc;
    if ((rc = check_range("rank", c->rank, 0, PS_TRACE_MAX_RANK, err)) ||
        (rc = check_range("stream", c->stream, 0, (long long)PS_TRACE_MAX_STREAM, err)) ||
        (rc = check_op_id(c->op_id, err)))
        return rc;
    if ((unsigned)c->collective >= PS_TRACE_COLLECTIVE_COUNT)
        return ps_error_set(err, PS_EINPUT, "collective: unknown collective %d", (int)c->collective);
    if (c->bytes > PS_TRACE_MAX_BYTES)
        return ps_error_set(err, PS_EINPUT, "bytes: %llu is beyond 2^50", (unsigned long long)c->bytes);
    if (!ps_trace_dtype_known(c->dtype))
        return ps_error_set(err, PS_EINPUT, "dtype: '%.32s' is not a NCCL data type (bf16, f16, f32, ...)",
                            c->dtype ? c->dtype : "");
    if ((rc = check_range("group_size", c->group_size, 1, PS_TRACE_MAX_RANK + 1, err)))
        return rc;
    bool rooted = c->collective == PS_TRACE_BROADCAST || c->collective == PS_TRACE_REDUCE;
    if (ps_trace_collective_is_p2p(c->collective) || rooted) {
        if ((rc = check_range("peer", c->peer, 0, PS_TRACE_MAX_RANK, err)))
            return rc;
        if (ps_trace_collective_is_p2p(c->collective) && c->peer == c->rank)
            return ps_error_set(err, PS_EINPUT, "peer: rank %d sends to or receives from itself", c->rank);
    } else if (c->peer != -1) {
        return ps_error_set(err, PS_EINPUT, "peer: %s has no peer or root (leave the field empty)",
                            ps_trace_collective_name(c->collective));
    }
    if (!c->group_id || !*c->group_id || !ps_trace_op_id_valid(c->group_id))
        return ps_error_set(err, PS_EINPUT, "group_id: '%.64s' is not [A-Za-z0-9_.:/#-]{1,%d}",
                            c->group_id ? c->group_id : "", PS_TRACE_MAX_ID_BYTES);
    if (c->seq > (uint64_t)INT64_MAX)
        return ps_error_set(err, PS_EINPUT, "seq: %llu is beyond 2^63", (unsigned long long)c->seq);
    return check_times(c->start_ns, c->end_ns, true, err);
}

int ps_trace_op_validate(const ps_trace_op *o, ps_error *err)
{
    int rc;
    if (!o->op_id || !*o->op_id)
        return ps_error_set(err, PS_EINPUT, "op_id: must not be empty in ops.csv");
    if ((rc = check_op_id(o->op_id, err)) || (rc = check_range("layer", o->layer, -1, 1 << 20, err)) ||
        (rc = check_text("op_kind", o->op_kind, PS_TRACE_MAX_TEXT_BYTES, true, err)) ||
        (rc = check_text("shape", o->shape, PS_TRACE_MAX_TEXT_BYTES, false, err)) ||
        (rc = check_text("graph_node", o->graph_node, PS_TRACE_MAX_TEXT_BYTES, false, err)))
        return rc;
    return PS_OK;
}
