/* sim/import/json_stream.c: strict streaming JSON reader (see json_stream.h for the why). */
#include "import/json_stream.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "parsim/array.h"

/* ---- arena ---- */

struct ps_arena_chunk {
    ps_arena_chunk *next;
    size_t cap, used;
    _Alignas(8) unsigned char data[];
};

#define ARENA_CHUNK_BYTES ((size_t)64 << 10)

static void *arena_alloc(ps_arena *a, size_t bytes)
{
    bytes = (bytes + 7u) & ~(size_t)7u;
    if (a->used_bytes + bytes > PS_JSON_MAX_VALUE_BYTES)
        return NULL;
    if (!a->head || a->head->cap - a->head->used < bytes) {
        size_t cap = bytes > ARENA_CHUNK_BYTES ? bytes : ARENA_CHUNK_BYTES;
        ps_arena_chunk *c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = a->head;
        c->cap = cap;
        c->used = 0;
        a->head = c;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += bytes;
    a->used_bytes += bytes;
    return p;
}

void ps_arena_reset(ps_arena *a)
{
    /* Keep one chunk (the oldest, normally the only one) so that event after event reuses it. */
    ps_arena_chunk *c = a->head;
    while (c && c->next) {
        ps_arena_chunk *n = c->next;
        free(c);
        c = n;
    }
    if (c)
        c->used = 0;
    a->head = c;
    a->used_bytes = 0;
}

void ps_arena_free(ps_arena *a)
{
    ps_arena_reset(a);
    free(a->head);
    a->head = NULL;
}

/* ---- input ---- */

void ps_json_open(ps_json_reader *r, FILE *fp, const char *file_name)
{
    memset(r, 0, sizeof *r);
    r->fp = fp;
    r->file = file_name;
    r->line = 1;
}

/* gzip input: raw bytes of the file in `in`, inflated into the reader's buf. */
struct ps_json_gzip {
    z_stream z;
    bool input_eof;   /* fread returned 0 */
    bool member_done; /* inflate said Z_STREAM_END for the current member */
    unsigned char in[65536];
};

int ps_json_open_auto(ps_json_reader *r, FILE *fp, const char *file_name, bool *is_gzip, ps_error *err)
{
    ps_json_open(r, fp, file_name);
    if (is_gzip)
        *is_gzip = false;
    unsigned char head[2];
    size_t n = fread(head, 1, sizeof head, fp);
    if (n < 2 || head[0] != 0x1f || head[1] != 0x8b) { /* plain: the bytes read are the first input */
        memcpy(r->buf, head, n);
        r->len = n;
        if (n == 0) {
            r->eof = true;
            r->read_error = ferror(fp) != 0;
        }
        return PS_OK;
    }
    struct ps_json_gzip *g = calloc(1, sizeof *g);
    if (!g)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    /* 16 + MAX_WBITS: a gzip wrapper (not zlib or raw deflate), window up to 32 KiB. */
    if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK) {
        free(g);
        return ps_error_set(err, PS_EINTERNAL, "out of memory (zlib)");
    }
    memcpy(g->in, head, 2);
    g->z.next_in = g->in;
    g->z.avail_in = 2;
    r->gz = g;
    if (is_gzip)
        *is_gzip = true;
    return PS_OK;
}

void ps_json_close(ps_json_reader *r)
{
    if (r->gz) {
        inflateEnd(&r->gz->z);
        free(r->gz);
        r->gz = NULL;
    }
}

static bool input_failed(ps_json_reader *r, const char *why)
{
    r->eof = true;
    r->read_error = true;
    snprintf(r->read_error_text, sizeof r->read_error_text, "%s", why);
    return false;
}

/* Inflates the next piece of a gzip file into buf. false at the end of the last member or on an
 * error (read_error set with the reason). */
static bool gz_fill(ps_json_reader *r)
{
    struct ps_json_gzip *g = r->gz;
    r->pos = r->len = 0;
    while (r->len == 0) {
        if (g->z.avail_in == 0 && !g->input_eof) {
            size_t n = fread(g->in, 1, sizeof g->in, r->fp);
            if (n == 0) {
                g->input_eof = true;
                if (ferror(r->fp))
                    return input_failed(r, "read error");
            }
            g->z.next_in = g->in;
            g->z.avail_in = (uInt)n;
        }
        if (g->member_done) {
            if (g->z.avail_in == 0) { /* the end of the last member is the end of the input */
                r->eof = true;
                return false;
            }
            if (g->z.next_in[0] != 0x1f)
                return input_failed(r, "data after the end of the gzip stream is not gzip (corrupt file?)");
            inflateReset(&g->z); /* another member (RFC 1952 2.2: members are concatenated) */
            g->member_done = false;
        }
        if (g->z.avail_in == 0 && g->input_eof)
            return input_failed(r, "gzip stream ends early (truncated .gz file)");
        g->z.next_out = r->buf;
        g->z.avail_out = sizeof r->buf;
        int zr = inflate(&g->z, Z_NO_FLUSH);
        r->len = sizeof r->buf - g->z.avail_out;
        if (zr == Z_STREAM_END) {
            g->member_done = true;
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) { /* Z_BUF_ERROR: no progress, needs input */
            char why[sizeof r->read_error_text];
            snprintf(why, sizeof why, "corrupt gzip data (%s)", g->z.msg ? g->z.msg : zr == Z_MEM_ERROR ? "out of memory" : "zlib error");
            return input_failed(r, why);
        }
    }
    return true;
}

static bool fill(ps_json_reader *r);

void ps_json_blame_gzip(ps_json_reader *r, ps_error *err)
{
    if (!r->gz)
        return;
    while (!r->read_error && !r->eof) {
        r->pos = r->len; /* discard, inflate the next piece */
        fill(r);
    }
    if (r->read_error)
        ps_error_set(err, PS_EINPUT, "%s: %s", r->file, r->read_error_text[0] ? r->read_error_text : "read error");
}

static bool fill(ps_json_reader *r)
{
    if (r->pos < r->len)
        return true;
    if (r->eof)
        return false;
    if (r->gz)
        return gz_fill(r);
    r->len = fread(r->buf, 1, sizeof r->buf, r->fp);
    r->pos = 0;
    if (r->len == 0) {
        r->eof = true;
        r->read_error = ferror(r->fp) != 0;
        return false;
    }
    return true;
}

/* Next byte, or -1 at end of input. */
static int get(ps_json_reader *r)
{
    if (!fill(r))
        return -1;
    int c = r->buf[r->pos++];
    if (c == '\n')
        r->line++;
    return c;
}

static int look(ps_json_reader *r)
{
    return fill(r) ? r->buf[r->pos] : -1;
}

int ps_json_fail(ps_json_reader *r, ps_error *err, const char *fmt, ...)
{
    char reason[PS_ERROR_MESSAGE_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return ps_error_set(err, PS_EINPUT, "%s:%ld: %s", r->file, r->line, reason);
}

static int read_failure(ps_json_reader *r, ps_error *err)
{
    return ps_error_set(err, PS_EINPUT, "%s:%ld: %s", r->file, r->line, r->read_error_text[0] ? r->read_error_text : "read error");
}

static int fail_eof(ps_json_reader *r, ps_error *err, const char *inside)
{
    if (r->read_error)
        return read_failure(r, err);
    return ps_json_fail(r, err, "unexpected end of file inside %s (truncated JSON?)", inside);
}

static void skip_ws(ps_json_reader *r)
{
    for (;;) {
        int c = look(r);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        get(r);
    }
}

static const char *show(int c, char tmp[16])
{
    if (c < 0)
        return "end of file";
    if (c >= 0x20 && c < 0x7f)
        snprintf(tmp, 16, "'%c'", c);
    else
        snprintf(tmp, 16, "0x%02x", (unsigned)c & 0xffu);
    return tmp;
}

int ps_json_peek(ps_json_reader *r, ps_error *err, int *c)
{
    skip_ws(r);
    int x = look(r);
    *c = x < 0 ? 0 : x;
    if (x == 0) /* 0 means the end to callers: a NUL byte (/dev/zero, a binary file) must not */
        return ps_json_fail(r, err, "NUL byte: not a JSON text (a binary file?)");
    return x < 0 && r->read_error ? read_failure(r, err) : PS_OK;
}

int ps_json_expect(ps_json_reader *r, char c, const char *what, ps_error *err)
{
    skip_ws(r);
    int x = look(r);
    if (x != (unsigned char)c) {
        char tmp[16];
        if (x < 0)
            return fail_eof(r, err, what);
        return ps_json_fail(r, err, "expected %s, found %s", what, show(x, tmp));
    }
    get(r);
    return PS_OK;
}

int ps_json_next(ps_json_reader *r, char close, bool *more, ps_error *err)
{
    skip_ws(r);
    int x = get(r);
    if (x == ',') {
        skip_ws(r);
        if (look(r) == close)
            return ps_json_fail(r, err, "trailing comma before '%c'", close);
        *more = true;
        return PS_OK;
    }
    if (x == (unsigned char)close) {
        *more = false;
        return PS_OK;
    }
    char tmp[16];
    if (x < 0)
        return fail_eof(r, err, close == ']' ? "an array" : "an object");
    return ps_json_fail(r, err, "expected ',' or '%c', found %s", close, show(x, tmp));
}

/* ---- strings ---- */

typedef struct sbuf {
    char *data;
    size_t len, cap;
} sbuf;

static bool sb_put(sbuf *b, const char *bytes, size_t n)
{
    if (!b)
        return true;
    /* at most PS_JSON_MAX_VALUE_BYTES bytes, the NUL included */
    if (n >= PS_JSON_MAX_VALUE_BYTES - b->len || ps_grow(&b->data, &b->cap, b->len + n + 1, 1))
        return false;
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

static int hex4(ps_json_reader *r, unsigned *out, ps_error *err)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int c = get(r);
        if (c < 0)
            return fail_eof(r, err, "a string");
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return ps_json_fail(r, err, "bad \\u escape in a string");
    }
    *out = v;
    return PS_OK;
}

static size_t utf8_encode(unsigned cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static int escape(ps_json_reader *r, sbuf *b, ps_error *err)
{
    int c = get(r);
    char one;
    switch (c) {
    case '"': one = '"'; break;
    case '\\': one = '\\'; break;
    case '/': one = '/'; break;
    case 'b': one = '\b'; break;
    case 'f': one = '\f'; break;
    case 'n': one = '\n'; break;
    case 'r': one = '\r'; break;
    case 't': one = '\t'; break;
    case 'u': {
        unsigned cp, lo;
        int rc = hex4(r, &cp, err);
        if (rc)
            return rc;
        /* the strings are C strings from here on: "k\\u0000x" became the kernel name "k" */
        if (cp == 0)
            return ps_json_fail(r, err, "\\u0000 (a NUL character) in a string");
        if (cp >= 0xdc00 && cp <= 0xdfff)
            return ps_json_fail(r, err, "lone low surrogate \\u%04x in a string", cp);
        if (cp >= 0xd800 && cp <= 0xdbff) {
            if (get(r) != '\\' || get(r) != 'u')
                return ps_json_fail(r, err, "high surrogate \\u%04x without its low half", cp);
            if ((rc = hex4(r, &lo, err)))
                return rc;
            if (lo < 0xdc00 || lo > 0xdfff)
                return ps_json_fail(r, err, "high surrogate \\u%04x without its low half", cp);
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }
        char enc[4];
        size_t n = utf8_encode(cp, enc);
        return sb_put(b, enc, n) ? PS_OK : ps_error_set(err, PS_EINPUT, "%s:%ld: string too long or out of memory", r->file, r->line);
    }
    case -1:
        return fail_eof(r, err, "a string");
    default:
        return ps_json_fail(r, err, "invalid escape '\\%c' in a string", c >= 0x20 && c < 0x7f ? c : '?');
    }
    return sb_put(b, &one, 1) ? PS_OK : ps_error_set(err, PS_EINPUT, "%s:%ld: string too long", r->file, r->line);
}

/* Checks one UTF-8 sequence whose lead byte c was already read (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). */
static int utf8_tail(ps_json_reader *r, int c, sbuf *b, ps_error *err)
{
    unsigned char seq[4] = {(unsigned char)c};
    int n;
    unsigned min, cp;
    if (c >= 0xc2 && c <= 0xdf) { n = 1; min = 0x80; cp = (unsigned)c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; min = 0x800; cp = (unsigned)c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; min = 0x10000; cp = (unsigned)c & 0x07; }
    else return ps_json_fail(r, err, "invalid UTF-8 byte 0x%02x in a string", c);
    for (int i = 1; i <= n; i++) {
        int t = get(r);
        if (t < 0)
            return fail_eof(r, err, "a string");
        if ((t & 0xc0) != 0x80)
            return ps_json_fail(r, err, "invalid UTF-8 sequence in a string");
        seq[i] = (unsigned char)t;
        cp = (cp << 6) | ((unsigned)t & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return ps_json_fail(r, err, "invalid UTF-8 sequence in a string");
    return sb_put(b, (const char *)seq, (size_t)n + 1) ? PS_OK : ps_error_set(err, PS_EINPUT, "%s:%ld: string too long", r->file, r->line);
}

/* Reads a string whose opening quote was consumed; appends to b (b may be NULL to only check). */
static int read_string(ps_json_reader *r, sbuf *b, ps_error *err)
{
    for (;;) {
        /* Fast path: copy a run of plain ASCII straight from the buffer. */
        if (!fill(r))
            return fail_eof(r, err, "a string");
        size_t start = r->pos;
        while (r->pos < r->len) {
            unsigned char c = r->buf[r->pos];
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
                break;
            r->pos++;
        }
        if (r->pos > start && !sb_put(b, (const char *)r->buf + start, r->pos - start))
            return ps_error_set(err, PS_EINPUT, "%s:%ld: string too long or out of memory", r->file, r->line);
        if (r->pos == r->len)
            continue;
        int c = get(r);
        int rc = PS_OK;
        if (c == '"')
            return PS_OK;
        if (c == '\\')
            rc = escape(r, b, err);
        else if (c < 0x20)
            rc = ps_json_fail(r, err, "control character 0x%02x inside a string (unterminated string?)", c);
        else
            rc = utf8_tail(r, c, b, err);
        if (rc)
            return rc;
    }
}

/* ---- numbers ---- */

/* Reads a number (RFC 8259 grammar) whose first character is next; appends its text to b. */
static int read_number(ps_json_reader *r, sbuf *b, ps_error *err)
{
    char c;
    int x = look(r);
    size_t digits = 0;
#define TAKE() (c = (char)get(r), sb_put(b, &c, 1) ? 0 : 1)
    if (x == '-') {
        if (TAKE()) goto oom;
        x = look(r);
    }
    if (x == '0') {
        if (TAKE()) goto oom;
        x = look(r);
        if (x >= '0' && x <= '9')
            return ps_json_fail(r, err, "number with a leading zero");
        digits = 1;
    } else {
        while (x >= '0' && x <= '9') {
            if (TAKE()) goto oom;
            digits++;
            x = look(r);
        }
    }
    if (digits == 0)
        return x < 0 ? fail_eof(r, err, "a number") : ps_json_fail(r, err, "invalid number");
    if (x == '.') {
        if (TAKE()) goto oom;
        x = look(r);
        size_t frac = 0;
        while (x >= '0' && x <= '9') {
            if (TAKE()) goto oom;
            frac++;
            x = look(r);
        }
        if (!frac)
            return ps_json_fail(r, err, "invalid number: no digit after '.'");
    }
    if (x == 'e' || x == 'E') {
        if (TAKE()) goto oom;
        x = look(r);
        if (x == '+' || x == '-') {
            if (TAKE()) goto oom;
            x = look(r);
        }
        size_t ed = 0;
        while (x >= '0' && x <= '9') {
            if (TAKE()) goto oom;
            ed++;
            x = look(r);
        }
        if (!ed)
            return ps_json_fail(r, err, "invalid number: no digit in the exponent");
    }
#undef TAKE
    return PS_OK;
oom:
    return ps_error_set(err, PS_EINPUT, "%s:%ld: number too long", r->file, r->line);
}

static int read_literal(ps_json_reader *r, const char *word, ps_error *err)
{
    for (const char *p = word; *p; p++) {
        int c = get(r);
        if (c != *p)
            return c < 0 ? fail_eof(r, err, "a literal") : ps_json_fail(r, err, "invalid literal (expected '%s')", word);
    }
    return PS_OK;
}

/* ---- values ---- */

typedef struct parse_ctx {
    ps_json_reader *r;
    ps_arena *arena; /* NULL: skip mode */
    sbuf scratch;
    ps_error *err;
} parse_ctx;

static int oom(parse_ctx *p)
{
    return ps_error_set(p->err, PS_EINPUT, "%s:%ld: value larger than %zu MiB (or out of memory)", p->r->file, p->r->line,
                        PS_JSON_MAX_VALUE_BYTES >> 20);
}

static const char *arena_strdup(parse_ctx *p, const char *s, size_t n)
{
    char *d = arena_alloc(p->arena, n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* Reads a scalar token of the given kind into scratch, then (in build mode) into the arena. */
static int scalar(parse_ctx *p, ps_jv *v, int (*reader)(ps_json_reader *, sbuf *, ps_error *))
{
    p->scratch.len = 0;
    if (p->scratch.data)
        p->scratch.data[0] = '\0';
    int rc = reader(p->r, p->arena ? &p->scratch : NULL, p->err);
    if (rc || !v)
        return rc;
    v->len = p->scratch.len;
    v->text = arena_strdup(p, p->scratch.data ? p->scratch.data : "", p->scratch.len);
    return v->text ? PS_OK : oom(p);
}

static int parse_value(parse_ctx *p, ps_jv **out, int depth);

static int parse_container(parse_ctx *p, ps_jv *v, char close, int depth)
{
    ps_json_reader *r = p->r;
    ps_jv **tail = v ? &v->child : NULL;
    skip_ws(r);
    if (look(r) == close) {
        get(r);
        return PS_OK;
    }
    for (;;) {
        const char *key = NULL;
        int rc;
        if (close == '}') {
            skip_ws(r);
            int c = get(r);
            if (c != '"') {
                char tmp[16];
                return c < 0 ? fail_eof(r, p->err, "an object") : ps_json_fail(r, p->err, "expected a member name, found %s", show(c, tmp));
            }
            ps_jv keyv;
            if ((rc = scalar(p, v ? &keyv : NULL, read_string)))
                return rc;
            key = v ? keyv.text : NULL;
            if ((rc = ps_json_expect(r, ':', "':' after a member name", p->err)))
                return rc;
        }
        ps_jv *child = NULL;
        if ((rc = parse_value(p, v ? &child : NULL, depth + 1)))
            return rc;
        if (v) {
            child->key = key;
            *tail = child;
            tail = &child->next;
        }
        bool more;
        if ((rc = ps_json_next(r, close, &more, p->err)))
            return rc;
        if (!more)
            return PS_OK;
    }
}

static int parse_value(parse_ctx *p, ps_jv **out, int depth)
{
    ps_json_reader *r = p->r;
    if (depth > PS_JSON_MAX_DEPTH)
        return ps_json_fail(r, p->err, "nesting deeper than %d levels", PS_JSON_MAX_DEPTH);
    skip_ws(r);
    int c = look(r);
    ps_jv *v = NULL;
    if (out) {
        v = arena_alloc(p->arena, sizeof *v);
        if (!v)
            return oom(p);
        memset(v, 0, sizeof *v);
        *out = v;
    }
    int rc;
    switch (c) {
    case '{':
    case '[':
        get(r);
        if (v)
            v->type = c == '{' ? PS_JV_OBJECT : PS_JV_ARRAY;
        return parse_container(p, v, c == '{' ? '}' : ']', depth);
    case '"':
        get(r);
        if (v)
            v->type = PS_JV_STRING;
        return scalar(p, v, read_string);
    case 't':
    case 'f':
    case 'n': {
        const char *word = c == 't' ? "true" : c == 'f' ? "false" : "null";
        if ((rc = read_literal(r, word, p->err)))
            return rc;
        if (v) {
            v->type = c == 'n' ? PS_JV_NULL : PS_JV_BOOL;
            v->text = word;
            v->len = strlen(word);
        }
        return PS_OK;
    }
    case -1:
        return fail_eof(r, p->err, "a value");
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            if (v)
                v->type = PS_JV_NUMBER;
            return scalar(p, v, read_number);
        }
        char tmp[16];
        return ps_json_fail(r, p->err, "expected a value, found %s", show(c, tmp));
    }
}

int ps_json_value(ps_json_reader *r, ps_arena *arena, ps_jv **out, ps_error *err)
{
    parse_ctx p = {.r = r, .arena = arena, .err = err};
    int rc = parse_value(&p, out, 1);
    free(p.scratch.data);
    return rc;
}

int ps_json_skip(ps_json_reader *r, ps_error *err)
{
    parse_ctx p = {.r = r, .arena = NULL, .err = err};
    int rc = parse_value(&p, NULL, 1);
    free(p.scratch.data);
    return rc;
}

int ps_json_read_key(ps_json_reader *r, ps_arena *arena, const char **key, ps_error *err)
{
    int rc = ps_json_expect(r, '"', "a member name", err);
    if (rc)
        return rc;
    parse_ctx p = {.r = r, .arena = arena, .err = err};
    ps_jv kv;
    rc = scalar(&p, &kv, read_string);
    free(p.scratch.data);
    if (rc)
        return rc;
    *key = kv.text;
    return ps_json_expect(r, ':', "':' after a member name", err);
}

int ps_json_finish(ps_json_reader *r, ps_error *err)
{
    skip_ws(r);
    int c = look(r);
    if (c >= 0) {
        char tmp[16];
        return ps_json_fail(r, err, "unexpected %s after the end of the JSON document", show(c, tmp));
    }
    if (r->read_error)
        return read_failure(r, err);
    return PS_OK;
}

/* ---- helpers on values ---- */

const ps_jv *ps_jv_get(const ps_jv *object, const char *key)
{
    if (!object || object->type != PS_JV_OBJECT)
        return NULL;
    for (const ps_jv *m = object->child; m; m = m->next)
        if (m->key && !strcmp(m->key, key))
            return m;
    return NULL;
}

/* Exact decimal scaling: value = digits * 10^(exp10), rounded half away from zero to an integer. */
static bool scaled_number(const ps_jv *v, int scale, int64_t *out)
{
    if (!v || v->type != PS_JV_NUMBER)
        return false;
    const char *s = v->text;
    bool neg = *s == '-';
    if (neg)
        s++;
    char digits[64];
    size_t nd = 0, nfrac = 0;
    bool overflow_digits = false, in_frac = false;
    long exp10 = 0;
    for (; *s && *s != 'e' && *s != 'E'; s++) {
        if (*s == '.') {
            in_frac = true;
            continue;
        }
        if (nd == 0 && *s == '0') { /* leading zeros carry no value */
            if (in_frac)
                nfrac++;
            continue;
        }
        if (nd < sizeof digits) {
            digits[nd++] = *s;
            if (in_frac)
                nfrac++;
        } else { /* beyond 64 significant digits: integer part overflows int64 anyway */
            if (!in_frac)
                overflow_digits = true;
        }
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        bool eneg = *s == '-';
        if (*s == '-' || *s == '+')
            s++;
        long e = 0;
        for (; *s; s++)
            if (e < 100000)
                e = e * 10 + (*s - '0');
        exp10 = eneg ? -e : e;
    }
    if (overflow_digits)
        return false;
    long e = exp10 + scale - (long)nfrac; /* value = digits * 10^e */
    int64_t acc = 0;
    if (nd == 0) {
        *out = 0;
        return true;
    }
    long keep = (long)nd + (e < 0 ? e : 0);
    for (long i = 0; i < keep && i < (long)nd; i++) {
        int d = digits[i] - '0';
        if (acc > (INT64_MAX - d) / 10)
            return false;
        acc = acc * 10 + d;
    }
    if (e > 0) {
        for (long i = 0; i < e; i++) {
            if (acc > INT64_MAX / 10)
                return false;
            acc *= 10;
        }
    } else if (keep >= 0 && keep < (long)nd && digits[keep] >= '5') {
        if (acc == INT64_MAX)
            return false;
        acc++;
    }
    *out = neg ? -acc : acc;
    return true;
}

bool ps_jv_to_i64(const ps_jv *v, int64_t *out)
{
    if (!v || v->type != PS_JV_NUMBER)
        return false;
    for (const char *s = v->text; *s; s++)
        if (*s == '.' || *s == 'e' || *s == 'E')
            return false;
    return scaled_number(v, 0, out);
}

bool ps_jv_us_to_ns(const ps_jv *v, int64_t *out_ns) { return scaled_number(v, 3, out_ns); }

bool ps_jv_num_to_i64_rounded(const ps_jv *v, int64_t *out) { return scaled_number(v, 0, out); }
