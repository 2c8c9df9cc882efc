/* Strict streaming readers of the trace CSVs (libcsv, CSV_STRICT).
 *
 * The file is read in 64 KiB blocks and fed to libcsv one physical line at a time, so that
 * every record knows the line it starts on and at most one record completes per feed. Memory is
 * bounded: one block, one record (<= PS_TRACE_RECORD_BYTES) and the ordering state of
 * trace_write_order.c. Everything a hostile or broken file can do ends in one PS_EINPUT line
 * "PATH:LINE: reason": NUL bytes, CR line endings, an unterminated quote, a last line without
 * newline, a missing or wrong header, too few or too many fields, numbers that are not plain
 * decimal digits or exceed their limits, invalid UTF-8, and the row and ordering rules.
 */
#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "parsim/trace.h"
#include "parsim/util.h"
#include "trace_internal.h"

#define PS_TRACE_BLOCK_BYTES 65536
/* The longest legal record: a maximal name plus generous room for the other fields. */
#define PS_TRACE_RECORD_BYTES (PS_TRACE_MAX_NAME_BYTES * 2 + 4096)
#define PS_TRACE_MAX_FIELDS 16

struct ps_trace_reader {
    char *path;
    ps_trace_table table;
    FILE *fp;
    struct csv_parser csv;
    unsigned char block[PS_TRACE_BLOCK_BYTES];
    size_t block_len, block_pos;
    bool at_eof, failed, header_done, in_record, record_ready, last_byte_newline;
    long line;        /* physical line being fed, 1-based */
    long record_line; /* line on which the current record started */
    long row_line;    /* line of the last row returned */
    size_t record_bytes;
    /* The current record: fields packed in arena, NUL-terminated. */
    char arena[PS_TRACE_RECORD_BYTES + PS_TRACE_MAX_FIELDS];
    size_t arena_len;
    int nfields;
    char *fields[PS_TRACE_MAX_FIELDS];
    bool too_many_fields;
    ps_trace_order order;
};

static const char *const table_files[] = {PS_TRACE_ACTIVITIES_FILE, PS_TRACE_COMMS_FILE, PS_TRACE_OPS_FILE};
static const char *const table_headers[] = {PS_TRACE_ACTIVITIES_HEADER, PS_TRACE_COMMS_HEADER,
                                            PS_TRACE_OPS_HEADER};
static const int table_columns[] = {16, 13, 5};

/* Error messages are one line of printable ASCII whatever the input held. */
static void sanitize(ps_error *err)
{
    if (!err)
        return;
    for (char *p = err->message; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
            *p = '?';
}

static int fail(ps_trace_reader *r, long line, ps_error *err, const char *reason)
{
    r->failed = true;
    ps_error_set(err, PS_EINPUT, "%s:%ld: %s", r->path, line, reason);
    sanitize(err);
    return PS_EINPUT;
}

/* Prefixes an existing message (from the row rules) with PATH:LINE. */
static int fail_prefixed(ps_trace_reader *r, long line, ps_error *err)
{
    r->failed = true;
    if (err && err->code == PS_EINTERNAL)
        return PS_EINTERNAL;
    ps_error_prefix(err, "%s:%ld", r->path, line);
    if (err)
        err->code = PS_EINPUT;
    sanitize(err);
    return PS_EINPUT;
}

static int never_space(unsigned char c)
{
    (void)c;
    return 0; /* fields are taken byte for byte: " 12" is not a number, "a " keeps its space */
}

static int is_lf(unsigned char c) { return c == '\n'; }

static void on_field(void *data, size_t len, void *ctx)
{
    ps_trace_reader *r = ctx;
    if (r->nfields >= PS_TRACE_MAX_FIELDS) {
        r->too_many_fields = true;
        return;
    }
    /* len <= bytes fed for this record <= PS_TRACE_RECORD_BYTES (checked before feeding), and
     * each field adds one terminator: the arena has room for all of them. */
    if (r->arena_len + len + 1 > sizeof r->arena) {
        r->too_many_fields = true;
        return;
    }
    char *dst = r->arena + r->arena_len;
    if (len)
        memcpy(dst, data, len);
    dst[len] = '\0';
    r->fields[r->nfields++] = dst;
    r->arena_len += len + 1;
}

static void on_record(int c, void *ctx)
{
    (void)c;
    ps_trace_reader *r = ctx;
    r->record_ready = true;
    r->in_record = false;
}

static int reader_open(ps_trace_reader **out, const char *path, ps_trace_table table, FILE *fp, ps_error *err)
{
    ps_trace_reader *r = calloc(1, sizeof *r);
    if (!r) {
        fclose(fp);
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    r->path = strdup(path);
    r->fp = fp;
    r->table = table;
    r->line = 1;
    ps_trace_order_init(&r->order);
    if (!r->path || csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        if (r->path)
            csv_free(&r->csv);
        ps_trace_reader_close(r);
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    csv_set_space_func(&r->csv, never_space);
    csv_set_term_func(&r->csv, is_lf);
    *out = r;
    return PS_OK;
}

/* A FIFO or a device would block or never end: only regular files are traces. */
static FILE *open_regular(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return NULL;
    if (!S_ISREG(st.st_mode)) {
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        return NULL;
    }
    return fopen(path, "rb");
}

int ps_trace_reader_open_file(ps_trace_reader **out, const char *path, ps_trace_table table, ps_error *err)
{
    *out = NULL;
    FILE *fp = open_regular(path);
    if (!fp) {
        ps_error_set(err, PS_EINPUT, "%s: cannot open: %s", path, errno == EINVAL ? "not a regular file" : strerror(errno));
        sanitize(err);
        return PS_EINPUT;
    }
    return reader_open(out, path, table, fp, err);
}

int ps_trace_reader_open_stream(ps_trace_reader **out, FILE *fp, const char *name, ps_trace_table table,
                                ps_error *err)
{
    *out = NULL;
    return reader_open(out, name, table, fp, err);
}

int ps_trace_reader_open(ps_trace_reader **out, const char *dir, ps_trace_table table, ps_error *err)
{
    *out = NULL;
    size_t n = strlen(dir) + strlen(table_files[table]) + 2;
    char *path = malloc(n);
    if (!path)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    snprintf(path, n, "%s/%s", dir, table_files[table]);
    FILE *fp = open_regular(path);
    if (!fp && table == PS_TRACE_TABLE_OPS && errno == ENOENT) {
        free(path);
        return PS_OK;
    }
    int rc;
    if (!fp) {
        ps_error_set(err, PS_EINPUT, "%s: cannot open: %s", path, errno == EINVAL ? "not a regular file" : strerror(errno));
        sanitize(err);
        rc = PS_EINPUT;
    } else {
        rc = reader_open(out, path, table, fp, err);
    }
    free(path);
    return rc;
}

int ps_trace_refuse_own_file(const char *dir, const char *out, const char *flag, ps_error *err)
{
    static const char *const own[] = {PS_TRACE_META_FILE, PS_TRACE_ACTIVITIES_FILE, PS_TRACE_COMMS_FILE,
                                      PS_TRACE_OPS_FILE};
    for (size_t i = 0; out && i < sizeof own / sizeof own[0]; i++) {
        char in[4096];
        snprintf(in, sizeof in, "%s/%s", dir, own[i]);
        if (ps_same_file(out, in))
            return ps_error_set(err, PS_EINPUT, "%s %s is the trace's own %s; write elsewhere", flag, out, in);
    }
    return PS_OK;
}

void ps_trace_reader_close(ps_trace_reader *r)
{
    if (!r)
        return;
    if (r->path)
        csv_free(&r->csv);
    if (r->fp)
        fclose(r->fp);
    ps_trace_order_free(&r->order);
    free(r->path);
    free(r);
}

long ps_trace_reader_line(const ps_trace_reader *r) { return r->row_line; }
const char *ps_trace_reader_path(const ps_trace_reader *r) { return r->path; }

/* Feeds bytes up to and including the next LF (or the end of the block) to libcsv. */
static int feed_piece(ps_trace_reader *r, ps_error *err)
{
    const unsigned char *start = r->block + r->block_pos;
    size_t avail = r->block_len - r->block_pos;
    const unsigned char *lf = memchr(start, '\n', avail);
    size_t n = lf ? (size_t)(lf - start) + 1 : avail;
    if (memchr(start, '\0', n))
        return fail(r, r->line, err, "NUL byte: this is binary data, not a CSV text file");
    if (memchr(start, '\r', n))
        return fail(r, r->line, err, "carriage return: trace CSVs use LF line endings only (or this is not a text file)");
    if (!r->in_record) {
        if (n == 1 && start[0] == '\n')
            return fail(r, r->line, err, "empty line");
        r->in_record = true;
        r->record_line = r->line;
        r->record_bytes = 0;
        r->arena_len = 0;
        r->nfields = 0;
        r->too_many_fields = false;
    }
    r->record_bytes += n;
    if (r->record_bytes > PS_TRACE_RECORD_BYTES) {
        char reason[160];
        snprintf(reason, sizeof reason,
                 "record longer than %d bytes (an unterminated quote, or not a trace file)",
                 PS_TRACE_RECORD_BYTES);
        return fail(r, r->record_line, err, reason);
    }
    if (csv_parse(&r->csv, start, n, on_field, on_record, r) != n)
        return fail(r, r->line, err,
                    "malformed CSV: a quote inside an unquoted field, or text after a closing quote");
    r->block_pos += n;
    r->last_byte_newline = start[n - 1] == '\n';
    if (lf)
        r->line++;
    return PS_OK;
}

/* Reads the next record into fields[]; *done at a clean end of file. */
static int next_record(ps_trace_reader *r, bool *done, ps_error *err)
{
    *done = false;
    r->record_ready = false;
    while (!r->record_ready) {
        if (r->block_pos == r->block_len) {
            if (r->at_eof) {
                if (r->line == 1 && !r->in_record && !r->header_done) {
                    char reason[PS_ERROR_MESSAGE_BYTES];
                    snprintf(reason, sizeof reason, "empty file (expected the header '%.300s')",
                             table_headers[r->table]);
                    return fail(r, 1, err, reason);
                }
                if (r->in_record) {
                    if (r->csv.quoted && r->last_byte_newline)
                        return fail(r, r->record_line, err, "unterminated quoted field (the file ends inside it)");
                    return fail(r, r->record_line, err,
                                "truncated: the last line has no newline (the file was cut off?)");
                }
                *done = true;
                return PS_OK;
            }
            r->block_len = fread(r->block, 1, sizeof r->block, r->fp);
            r->block_pos = 0;
            if (r->block_len == 0) {
                if (ferror(r->fp))
                    return fail(r, r->line, err, "read error");
                r->at_eof = true;
            }
            continue;
        }
        int rc = feed_piece(r, err);
        if (rc)
            return rc;
    }
    if (r->too_many_fields || r->nfields != table_columns[r->table]) {
        char count[32], reason[200];
        if (r->too_many_fields)
            snprintf(count, sizeof count, "too many fields");
        else
            snprintf(count, sizeof count, "%d fields", r->nfields);
        snprintf(reason, sizeof reason, "%s, expected %d (%s)", count, table_columns[r->table],
                 r->header_done ? "a missing or extra column" : "wrong header");
        return fail(r, r->record_line, err, reason);
    }
    return PS_OK;
}

static int check_header(ps_trace_reader *r, ps_error *err)
{
    const char *expected = table_headers[r->table];
    for (int i = 0; i < r->nfields; i++) {
        size_t n = strcspn(expected, ",");
        if (strlen(r->fields[i]) != n || strncmp(r->fields[i], expected, n) != 0) {
            char reason[PS_ERROR_MESSAGE_BYTES];
            snprintf(reason, sizeof reason, "header column %d is '%.40s', expected '%.*s' (format %s)", i + 1,
                     r->fields[i], (int)n, expected, PS_TRACE_FORMAT);
            return fail(r, r->record_line, err, reason);
        }
        expected += n + (expected[n] == ',');
    }
    r->header_done = true;
    return PS_OK;
}

/* Next data row (the header is checked on the first call). */
static int next_row(ps_trace_reader *r, ps_trace_table table, bool *done, ps_error *err)
{
    if (r->table != table)
        return ps_error_set(err, PS_EINTERNAL, "%s: reader used for the wrong table", r->path);
    if (r->failed)
        return ps_error_set(err, PS_EINPUT, "%s: reader already failed", r->path);
    int rc = next_record(r, done, err);
    if (rc || *done)
        return rc;
    if (!r->header_done) {
        if ((rc = check_header(r, err)))
            return rc;
        if ((rc = next_record(r, done, err)) || *done)
            return rc;
    }
    r->row_line = r->record_line;
    return PS_OK;
}

/* ---- fields --------------------------------------------------------------------------------- */

/* Plain decimal digits only (no sign, space, hex, exponent), at most `max`. */
static int parse_uint(const char *text, const char *what, uint64_t max, uint64_t *out, ps_error *err)
{
    if (!*text)
        return ps_error_set(err, PS_EINPUT, "%s: empty, expected a non-negative integer", what);
    if (text[0] == '-')
        return ps_error_set(err, PS_EINPUT, "%s: negative value '%.40s'", what, text);
    uint64_t v = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return ps_error_set(err, PS_EINPUT, "%s: '%.40s' is not a non-negative decimal integer", what, text);
        unsigned d = (unsigned)(*p - '0');
        if (v > (max - d) / 10)
            return ps_error_set(err, PS_EINPUT, "%s: %.40s%s exceeds the limit %llu", what, text,
                                strlen(text) > 40 ? "..." : "", (unsigned long long)max);
        v = v * 10 + d;
    }
    *out = v;
    return PS_OK;
}

static int parse_int_field(const char *text, const char *what, uint64_t max, int *out, ps_error *err)
{
    uint64_t v;
    int rc = parse_uint(text, what, max, &v, err);
    if (!rc)
        *out = (int)v;
    return rc;
}

static int parse_i64_field(const char *text, const char *what, uint64_t max, int64_t *out, ps_error *err)
{
    uint64_t v;
    int rc = parse_uint(text, what, max, &v, err);
    if (!rc)
        *out = (int64_t)v;
    return rc;
}

/* Empty -> -1 (unknown / none), else a bounded integer. */
static int parse_opt_i64(const char *text, const char *what, uint64_t max, int64_t *out, ps_error *err)
{
    if (!*text) {
        *out = -1;
        return PS_OK;
    }
    return parse_i64_field(text, what, max, out, err);
}

static int parse_activity(ps_trace_reader *r, ps_trace_activity *a, ps_error *err)
{
    char **f = r->fields;
    int rc;
    uint64_t corr;
    memset(a, 0, sizeof *a);
    if ((rc = parse_int_field(f[0], "rank", PS_TRACE_MAX_RANK, &a->rank, err)) ||
        (rc = parse_int_field(f[1], "device", PS_TRACE_MAX_DEVICE, &a->device, err)) ||
        (rc = parse_i64_field(f[2], "stream", PS_TRACE_MAX_STREAM, &a->stream, err)) ||
        (rc = parse_uint(f[4], "correlation_id", UINT64_MAX, &corr, err)))
        return rc;
    a->op_id = f[3];
    a->correlation_id = corr;
    if (!ps_trace_activity_kind_parse(f[5], &a->kind))
        return ps_error_set(err, PS_EINPUT, "kind: '%.40s' is not kernel, memcpy or memset", f[5]);
    a->name = f[6];
    if ((rc = parse_i64_field(f[7], "start_ns", (uint64_t)PS_TRACE_MAX_TIME_NS, &a->start_ns, err)) ||
        (rc = parse_i64_field(f[8], "end_ns", (uint64_t)PS_TRACE_MAX_TIME_NS, &a->end_ns, err)) ||
        (rc = parse_uint(f[9], "bytes", PS_TRACE_MAX_BYTES, &a->bytes, err)))
        return rc;
    static const char *const dims[6] = {"grid_x", "grid_y", "grid_z", "block_x", "block_y", "block_z"};
    for (int i = 0; i < 6; i++) {
        int *dst = i < 3 ? &a->grid[i] : &a->block[i - 3];
        if ((rc = parse_int_field(f[10 + i], dims[i], PS_TRACE_MAX_DIM, dst, err)))
            return rc;
    }
    if ((rc = ps_trace_activity_validate(a, err)))
        return rc;
    return ps_trace_order_activity(&r->order, a, err);
}

static int parse_comm(ps_trace_reader *r, ps_trace_comm *c, ps_error *err)
{
    char **f = r->fields;
    int rc;
    int64_t peer;
    memset(c, 0, sizeof *c);
    if ((rc = parse_int_field(f[0], "rank", PS_TRACE_MAX_RANK, &c->rank, err)) ||
        (rc = parse_i64_field(f[1], "stream", PS_TRACE_MAX_STREAM, &c->stream, err)) ||
        (rc = parse_uint(f[3], "correlation_id", UINT64_MAX, &c->correlation_id, err)))
        return rc;
    c->op_id = f[2];
    if (!ps_trace_collective_parse(f[4], &c->collective))
        return ps_error_set(err, PS_EINPUT,
                            "collective: '%.40s' is not allreduce, allgather, reducescatter, broadcast, reduce, "
                            "alltoall, send or recv",
                            f[4]);
    if ((rc = parse_uint(f[5], "bytes", PS_TRACE_MAX_BYTES, &c->bytes, err)) ||
        (rc = parse_opt_i64(f[7], "peer", PS_TRACE_MAX_RANK, &peer, err)) ||
        (rc = parse_int_field(f[9], "group_size", PS_TRACE_MAX_RANK + 1, &c->group_size, err)) ||
        (rc = parse_uint(f[10], "seq", (uint64_t)INT64_MAX, &c->seq, err)) ||
        (rc = parse_opt_i64(f[11], "start_ns", (uint64_t)PS_TRACE_MAX_TIME_NS, &c->start_ns, err)) ||
        (rc = parse_opt_i64(f[12], "end_ns", (uint64_t)PS_TRACE_MAX_TIME_NS, &c->end_ns, err)))
        return rc;
    c->dtype = f[6];
    c->peer = (int)peer;
    c->group_id = f[8];
    if ((c->start_ns < 0) != (c->end_ns < 0))
        return ps_error_set(err, PS_EINPUT, "start_ns and end_ns: both empty (not executed) or both set");
    if ((rc = ps_trace_comm_validate(c, err)))
        return rc;
    return ps_trace_order_comm(&r->order, c, err);
}

static int parse_op(ps_trace_reader *r, ps_trace_op *o, ps_error *err)
{
    char **f = r->fields;
    int64_t layer;
    int rc = parse_opt_i64(f[1], "layer", 1 << 20, &layer, err);
    if (rc)
        return rc;
    o->op_id = f[0];
    o->layer = (int)layer;
    o->op_kind = f[2];
    o->shape = f[3];
    o->graph_node = f[4];
    return ps_trace_op_validate(o, err);
}

int ps_trace_next_activity(ps_trace_reader *r, ps_trace_activity *row, bool *done, ps_error *err)
{
    int rc = next_row(r, PS_TRACE_TABLE_ACTIVITIES, done, err);
    if (rc || *done)
        return rc;
    if (parse_activity(r, row, err))
        return fail_prefixed(r, r->row_line, err);
    return PS_OK;
}

int ps_trace_next_comm(ps_trace_reader *r, ps_trace_comm *row, bool *done, ps_error *err)
{
    int rc = next_row(r, PS_TRACE_TABLE_COMMS, done, err);
    if (rc || *done)
        return rc;
    if (parse_comm(r, row, err))
        return fail_prefixed(r, r->row_line, err);
    return PS_OK;
}

int ps_trace_next_op(ps_trace_reader *r, ps_trace_op *row, bool *done, ps_error *err)
{
    int rc = next_row(r, PS_TRACE_TABLE_OPS, done, err);
    if (rc || *done)
        return rc;
    if (parse_op(r, row, err))
        return fail_prefixed(r, r->row_line, err);
    return PS_OK;
}
