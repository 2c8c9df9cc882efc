/* `parsim cost` modes: fields -> query, --queries CSV in and out, --errors tables. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cost_cli.h"
#include "parsim/array.h"
#include "parsim/util.h"

static const char *const field_names[COST_FIELD_COUNT] = {
    "op", "dtype", "launch", "op_id", "m", "n", "k", "phase", "seqs", "tokens", "context", "prefix", "heads",
    "kv_heads", "head_dim", "width"};

static bool given(const char *s) { return s && s[0]; }

/* A flag's name is its field's with dashes ("--kv-heads"); a row's is "FILE:LINE: column kv_heads". */
static void field_label(const char *where, int i, char *out, size_t size)
{
    snprintf(out, size, "%s%s", where[0] ? where : "--", field_names[i]);
    if (!where[0])
        for (char *c = out + 2; *c; c++)
            if (*c == '_')
                *c = '-';
}

/* Sizes are counts of tokens, sequences, heads or elements: 0 to 2^40 in a row (0 is "none" there:
 * `parsim plan --ops` writes 0 for a field an op kind does not use); a flag is given on purpose,
 * so a flag's 0 is refused by name, except --prefix (no cached tokens is a real prefix). */
#define FIELD_MAX ((int64_t)1 << 40)

static int int_field(const char *const *f, int i, const char *where, int64_t *out, ps_error *err)
{
    if (!given(f[i]))
        return PS_OK;
    char what[600];
    field_label(where, i, what, sizeof what);
    int64_t min = !where[0] && i != COST_F_PREFIX ? 1 : 0;
    if (ps_parse_i64(f[i], what, out, err))
        return err->code;
    if (*out < min)
        return ps_error_set(err, PS_EINPUT, "%s: expected an integer >= %lld, got '%s'", what, (long long)min, f[i]);
    if (*out > FIELD_MAX)
        return ps_error_set(err, PS_EINPUT, "%s: %lld is beyond 2^40", what, (long long)*out);
    return PS_OK;
}

static int bad_word(const char *where, int i, const char *text, const char *expect, ps_error *err)
{
    return ps_error_set(err, PS_EINPUT, "%s%s%s: '%s': expected %s", where, where[0] ? "" : "--", field_names[i],
                        text, expect);
}

/* The values a word field takes, from the code's own tables: op kinds the cost model prices (enum
 * order), the compute dtypes, the launch modes, the phases. */
static const ps_dtype compute_dtypes[] = {PS_DTYPE_BF16, PS_DTYPE_FP16, PS_DTYPE_FP8};
static const ps_launch_mode launch_modes[] = {PS_LAUNCH_GRAPH, PS_LAUNCH_EAGER};
static const ps_phase phases[] = {PS_PHASE_PREFILL, PS_PHASE_DECODE};
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Name of the i-th value of a word field, or NULL when that value is not offered. */
static const char *value_name(cost_field f, int i)
{
    switch (f) {
    case COST_F_OP:
        return i < PS_OP_KIND_COUNT && ps_cost_kind_supported((ps_op_kind)i) ? ps_op_kind_name((ps_op_kind)i) : NULL;
    case COST_F_DTYPE: return i < COUNT(compute_dtypes) ? ps_dtype_name(compute_dtypes[i]) : NULL;
    case COST_F_LAUNCH: return i < COUNT(launch_modes) ? ps_launch_mode_name(launch_modes[i]) : NULL;
    case COST_F_PHASE: return i < COUNT(phases) ? ps_phase_name(phases[i]) : NULL;
    default: return NULL;
    }
}

static int value_slots(cost_field f)
{
    return f == COST_F_OP ? PS_OP_KIND_COUNT : f == COST_F_DTYPE ? COUNT(compute_dtypes)
                                            : f == COST_F_LAUNCH ? COUNT(launch_modes) : COUNT(phases);
}

void cost_cli_value_list(cost_field f, char *out, size_t size, const char *last_separator)
{
    int total = 0, written = 0;
    for (int i = 0; i < value_slots(f); i++)
        total += value_name(f, i) != NULL;
    out[0] = '\0';
    for (int i = 0; i < value_slots(f); i++) {
        const char *name = value_name(f, i);
        if (!name)
            continue;
        const char *sep = written == 0 ? "" : written + 1 == total ? last_separator : ", ";
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%s", sep, name);
        written++;
    }
}

static bool is_compute_dtype(ps_dtype d)
{
    for (int i = 0; i < COUNT(compute_dtypes); i++)
        if (compute_dtypes[i] == d)
            return true;
    return false;
}

/* "FIELD: 'TEXT': expected a, b or c" with the field's generated value list. */
static int bad_value(const char *where, cost_field f, const char *text, ps_error *err)
{
    char list[256];
    cost_cli_value_list(f, list, sizeof list, " or ");
    return bad_word(where, f, text, list, err);
}

/* The word fields: op kind, dtype, launch, phase, op id. */
static int query_words(const char *const *f, const char *where, ps_cost_query *q, ps_error *err)
{
    if (!given(f[COST_F_OP]) || !ps_cost_kind_parse(f[COST_F_OP], &q->kind))
        return bad_value(where, COST_F_OP, f[COST_F_OP] ? f[COST_F_OP] : "", err);
    if (given(f[COST_F_DTYPE]) && (!ps_dtype_parse(f[COST_F_DTYPE], &q->dtype) || !is_compute_dtype(q->dtype)))
        return bad_value(where, COST_F_DTYPE, f[COST_F_DTYPE], err);
    if (given(f[COST_F_LAUNCH]) && !ps_launch_mode_parse(f[COST_F_LAUNCH], &q->launch))
        return bad_value(where, COST_F_LAUNCH, f[COST_F_LAUNCH], err);
    if (given(f[COST_F_PHASE])) {
        int i = 0;
        while (i < COUNT(phases) && strcmp(f[COST_F_PHASE], ps_phase_name(phases[i])))
            i++;
        if (i == COUNT(phases))
            return bad_value(where, COST_F_PHASE, f[COST_F_PHASE], err);
        q->phase = phases[i];
    }
    if (given(f[COST_F_OP_ID])) {
        if (strlen(f[COST_F_OP_ID]) >= sizeof q->op_id)
            return bad_word(where, COST_F_OP_ID, f[COST_F_OP_ID], "an op id shorter than 48 bytes", err);
        strcpy(q->op_id, f[COST_F_OP_ID]);
    }
    return PS_OK;
}

/* The size fields, m to width (cost_field order; phase, a word, sits among them). */
static int query_sizes(const char *const *f, const char *where, ps_cost_query *q, ps_error *err)
{
    int64_t *ints[] = {&q->m, &q->n, &q->k, NULL, &q->seqs, &q->tokens, &q->context, &q->prefix, &q->heads,
                       &q->kv_heads, &q->head_dim, &q->width};
    for (int i = COST_F_M; i < COST_FIELD_COUNT; i++) {
        int rc = ints[i - COST_F_M] ? int_field(f, i, where, ints[i - COST_F_M], err) : PS_OK;
        if (rc)
            return rc;
    }
    return PS_OK;
}

/* Defaults that make a one-line query natural, for fields left out (never for a 0 given:
 * "--seqs 0" is refused, not read as 1): gemm tokens = m; decode tokens = seqs; a prefill's
 * context = prefix + tokens / seqs; head_dim 128 (every preset's). */
static void query_defaults(const char *const *f, ps_cost_query *q)
{
    if (q->kind == PS_OP_GEMM && !given(f[COST_F_TOKENS]))
        q->tokens = q->m;
    if (q->kind != PS_OP_ATTENTION)
        return;
    if (!given(f[COST_F_SEQS]))
        q->seqs = 1;
    if (!given(f[COST_F_HEAD_DIM]))
        q->head_dim = 128;
    if (q->phase == PS_PHASE_DECODE && !given(f[COST_F_TOKENS]))
        q->tokens = q->seqs;
    if (q->phase == PS_PHASE_PREFILL && !given(f[COST_F_CONTEXT]) && q->seqs > 0)
        q->context = q->prefix + q->tokens / q->seqs;
}

/* Whether a shape field is part of an op kind's query (cost.h): gemm m, n, k (tokens = m);
 * attention its phase and sizes; the other kinds tokens and width. The word fields (dtype,
 * launch, op id) go with every kind. */
static bool field_applies(ps_op_kind kind, int i)
{
    if (i < COST_F_M)
        return true;
    if (i == COST_F_TOKENS)
        return true;
    if (kind == PS_OP_GEMM)
        return i == COST_F_M || i == COST_F_N || i == COST_F_K;
    if (kind == PS_OP_ATTENTION)
        return i == COST_F_PHASE || i == COST_F_SEQS || i == COST_F_CONTEXT || i == COST_F_PREFIX ||
               i == COST_F_HEADS || i == COST_F_KV_HEADS || i == COST_F_HEAD_DIM;
    return i == COST_F_WIDTH;
}

int cost_cli_query(const char *const *f, const char *where, ps_cost_query *q, ps_error *err)
{
    memset(q, 0, sizeof *q);
    q->dtype = PS_DTYPE_BF16;
    if (query_words(f, where, q, err))
        return err->code;
    /* A flag the op kind does not take was ignored (--op gemm ... --heads 4, --op sampling
     * --phase decode). Rows are not checked: `parsim plan --ops` writes every column for
     * every op (0 where unused). */
    for (int i = COST_F_M; !where[0] && i < COST_FIELD_COUNT; i++)
        if (given(f[i]) && !field_applies(q->kind, i)) {
            char label[64];
            field_label("", i, label, sizeof label);
            return ps_error_set(err, PS_EINPUT, "%s does not go with --op %s (see parsim cost --help)", label,
                                ps_op_kind_name(q->kind));
        }
    /* A row's size the op kind does not take was ignored too (m=8 on a sampling row, heads on a
     * gemm): refused unless it is 0, what `parsim plan --ops` writes there. Its phase column is
     * the step's, on every row. */
    for (int i = COST_F_M; where[0] && i < COST_FIELD_COUNT; i++)
        if (i != COST_F_PHASE && given(f[i]) && strcmp(f[i], "0") && !field_applies(q->kind, i)) {
            char label[600];
            field_label(where, i, label, sizeof label);
            return ps_error_set(err, PS_EINPUT, "%s: '%.40s', but %s takes no %s (leave it empty or 0)", label, f[i],
                                ps_op_kind_name(q->kind), field_names[i]);
        }
    if (query_sizes(f, where, q, err))
        return err->code;
    query_defaults(f, q);
    /* a GEMM's tokens are its m rows (the op graph's gemm ops have tokens = m): two different
     * values say two different things, and only m was priced */
    if (q->kind == PS_OP_GEMM && given(f[COST_F_TOKENS]) && (q->tokens > 0 || !where[0]) && q->tokens != q->m) {
        char label[64];
        field_label(where, COST_F_TOKENS, label, sizeof label);
        return ps_error_set(err, PS_EINPUT, "%s %lld differs from m %lld (a gemm's tokens are its m rows)", label,
                            (long long)q->tokens, (long long)q->m);
    }
    int rc = ps_cost_query_validate(q, err);
    if (rc && where[0])
        ps_error_prefix(err, "%.*s", (int)(strlen(where) - strlen(": column ")), where);
    return rc;
}

void cost_cli_describe(const ps_cost_query *q, char *out, size_t size)
{
    const char *k = ps_op_kind_name(q->kind), *d = ps_dtype_name(q->dtype), *l = ps_launch_mode_name(q->launch);
    if (q->kind == PS_OP_GEMM)
        snprintf(out, size, "gemm m=%lld n=%lld k=%lld %s %s", (long long)q->m, (long long)q->n, (long long)q->k, d, l);
    else if (q->kind == PS_OP_ATTENTION)
        snprintf(out, size, "attention %s seqs=%lld tokens=%lld context=%lld prefix=%lld heads=%lld/%lld x %lld %s %s",
                 ps_phase_name(q->phase), (long long)q->seqs, (long long)q->tokens, (long long)q->context,
                 (long long)q->prefix, (long long)q->heads, (long long)q->kv_heads, (long long)q->head_dim, d, l);
    else
        snprintf(out, size, "%s tokens=%lld width=%lld %s %s", k, (long long)q->tokens, (long long)q->width, d, l);
}

/* ---- --queries ------------------------------------------------------------------------------- */

#define MAX_COLS 64

/* Splits an RFC 4180 line in place (quoted fields, "" for a quote). -1: a quote left open. */
static int split_csv(char *line, char **field, int max)
{
    int n = 0;
    char *r = line, *w = line;
    for (;;) {
        if (n == max)
            return -1;
        field[n++] = w;
        if (*r == '"') {
            r++;
            for (;;) {
                if (*r == '\0')
                    return -1;
                if (*r == '"' && r[1] == '"') {
                    *w++ = '"';
                    r += 2;
                } else if (*r == '"') {
                    r++;
                    break;
                } else {
                    *w++ = *r++;
                }
            }
            if (*r != ',' && *r != '\0')
                return -1;
        }
        while (*r && *r != ',')
            *w++ = *r++;
        if (*r == '\0') {
            *w = '\0';
            return n;
        }
        *w++ = '\0';
        r++;
    }
}

static void strip_eol(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

typedef struct query_cols {
    int col[COST_FIELD_COUNT];    /* -1 when absent */
    int flops, bytes_read, bytes_written, tokens_plan; /* plan --ops columns, -1 when absent */
    int ncols;
} query_cols;

/* The columns the answers add (write_answer's order, after the row's own). */
static const char *const answer_names[] = {"time_us", "source", "scaled_from", "fallback", "bound", "error_pct",
                                           "in_envelope", NULL};

static int map_header(char **h, int n, query_cols *qc, const char *path, ps_error *err)
{
    for (int i = 0; i < COST_FIELD_COUNT; i++)
        qc->col[i] = -1;
    qc->flops = qc->bytes_read = qc->bytes_written = -1;
    qc->ncols = n;
    for (int c = 0; c < n; c++) {
        const char *name = h[c];
        /* the answers go into these columns: an answers file fed back wrote them twice */
        for (int i = 0; answer_names[i]; i++)
            if (!strcmp(name, answer_names[i]))
                return ps_error_set(err, PS_EINPUT, "%s:1: column %d is '%s', a column the answers add (a "
                                    "file of answers fed back?): drop or rename it", path, c + 1, name);
        if (!strcmp(name, "kind"))
            name = "op";
        if (!strcmp(name, "id"))
            name = "op_id";
        for (int i = 0; i < COST_FIELD_COUNT; i++) {
            if (strcmp(name, field_names[i]))
                continue;
            if (qc->col[i] >= 0) /* the first used to win, silently */
                return ps_error_set(err, PS_EINPUT, "%s:1: columns %d and %d are both '%s'%s", path, qc->col[i] + 1,
                                    c + 1, field_names[i],
                                    i == COST_F_OP ? " (op and kind name one column)"
                                    : i == COST_F_OP_ID ? " (op_id and id name one column)" : "");
            qc->col[i] = c;
        }
        if (!strcmp(name, "flops"))
            qc->flops = c;
        if (!strcmp(name, "bytes_read"))
            qc->bytes_read = c;
        if (!strcmp(name, "bytes_written"))
            qc->bytes_written = c;
    }
    if (qc->col[COST_F_OP] < 0)
        return ps_error_set(err, PS_EINPUT, "%s:1: no column 'op' (or 'kind'): the header names the columns", path);
    return PS_OK;
}

static void write_answer(FILE *fp, const ps_cost_answer *a)
{
    fprintf(fp, ",%.6g,%s,%s,", a->time_us, ps_cost_source_name(a->source), a->scaled_from);
    if (strpbrk(a->fallback, ",\"")) {
        fputc('"', fp);
        for (const char *c = a->fallback; *c; c++)
            fputs(*c == '"' ? "\"\"" : (char[2]){*c, 0}, fp);
        fputc('"', fp);
    } else {
        fputs(a->fallback, fp);
    }
    fprintf(fp, ",%s,", ps_cost_bound_name(a->bound));
    if (a->error_pct >= 0)
        fprintf(fp, "%.3g", a->error_pct);
    fprintf(fp, ",%s\n", a->in_envelope ? "true" : "false");
}

/* The row as read (raw), then its answers; nothing of a row that fails is written (its first
 * fields used to go out before the error, a half row on stdout). */
static int answer_row(const ps_cost_model *m, const query_cols *qc, char **f, const char *where, const char *raw,
                      FILE *fp, ps_error *err)
{
    const char *texts[COST_FIELD_COUNT] = {0};
    for (int i = 0; i < COST_FIELD_COUNT; i++)
        texts[i] = qc->col[i] >= 0 ? f[qc->col[i]] : NULL;
    ps_op_kind kind = PS_OP_GEMM;
    const char *kind_text = texts[COST_F_OP];
    bool known = false;
    for (int k = 0; kind_text && k < PS_OP_KIND_COUNT; k++)
        if (!strcmp(kind_text, ps_op_kind_name((ps_op_kind)k)))
            kind = (ps_op_kind)k, known = true;
    if (known && !ps_cost_kind_supported(kind)) { /* plan --ops rows of collectives and hand-offs */
        fputs(raw, fp);
        fputs(",,,,not a compute op (parsim nccl prices collectives),,,\n", fp);
        return PS_OK;
    }
    ps_cost_query q;
    int rc = cost_cli_query(texts, where, &q, err);
    if (rc)
        return rc;
    ps_cost_answer a;
    rc = ps_cost_estimate(m, &q, &a, err);
    if (rc)
        return ps_error_prefix(err, "%.*s", (int)(strlen(where) - strlen(": column ")), where);
    fputs(raw, fp);
    write_answer(fp, &a);
    return PS_OK;
}

/* A query row is a few hundred bytes; a longer line is not a query file (/dev/zero has none). */
#define QUERY_LINE_MAX_BYTES 65536

/* The state of one --queries run: the input, where the answers go, the header's columns. */
typedef struct query_run {
    const ps_cost_model *m;
    const char *path;
    FILE *in, *out;
    query_cols qc;
    char *raw;       /* the line as read, written back before its answers */
    size_t raw_cap;
} query_run;

/* One line (`line` split in place; its copy in r->raw): the header, a blank line or a query. */
static int query_line(query_run *r, char *line, long lineno, ps_error *err)
{
    char *fields[MAX_COLS];
    int n = split_csv(line, fields, MAX_COLS);
    if (n < 0)
        return ps_error_set(err, PS_EINPUT, "%s:%ld: malformed CSV (unbalanced quote or more than %d columns)", r->path,
                            lineno, MAX_COLS);
    if (lineno == 1) {
        if (map_header(fields, n, &r->qc, r->path, err))
            return err->code;
        fputs(r->raw, r->out);
        for (int i = 0; answer_names[i]; i++)
            fprintf(r->out, ",%s", answer_names[i]);
        fputc('\n', r->out);
        return PS_OK;
    }
    if (n == 1 && fields[0][0] == '\0')
        return PS_OK; /* a blank line */
    if (n != r->qc.ncols)
        return ps_error_set(err, PS_EINPUT, "%s:%ld: %d columns, the header has %d", r->path, lineno, n, r->qc.ncols);
    char where[600];
    snprintf(where, sizeof where, "%s:%ld: column ", r->path, lineno);
    return answer_row(r->m, &r->qc, fields, where, r->raw, r->out, err);
}

static int query_lines(query_run *r, ps_error *err)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    int rc = PS_OK;
    while (!rc && (len = ps_getline_bounded(&line, &cap, r->in, QUERY_LINE_MAX_BYTES)) != -1) {
        lineno++;
        if (len == -2) {
            rc = ps_error_set(err, PS_EINPUT, "%s:%ld: line longer than %d bytes (not a query CSV)", r->path, lineno,
                              QUERY_LINE_MAX_BYTES);
        } else if ((size_t)len != strlen(line)) {
            rc = ps_error_set(err, PS_EINPUT, "%s:%ld: NUL byte", r->path, lineno);
        } else if (ps_grow(&r->raw, &r->raw_cap, cap, 1)) {
            rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
        } else {
            strip_eol(line);
            /* a UTF-8 byte order mark (spreadsheets' "CSV UTF-8") made the header's first name
             * "\xEF\xBB\xBFop": "no column 'op'" */
            char *text = lineno == 1 && !strncmp(line, "\xEF\xBB\xBF", 3) ? line + 3 : line;
            strcpy(r->raw, text);
            rc = query_line(r, text, lineno, err);
        }
    }
    free(line);
    if (!rc && lineno == 0)
        rc = ps_error_set(err, PS_EINPUT, "%s: empty file (expected a header line)", r->path);
    if (!rc && ferror(r->in))
        rc = ps_error_set(err, PS_EINPUT, "%s: read error", r->path);
    return rc;
}

int cost_cli_queries(const ps_cost_model *m, const char *path, const char *out, ps_error *err)
{
    if (out && ps_same_file(out, path))
        return ps_error_set(err, PS_EINPUT, "-o %s is the input %s; write the answers elsewhere", out, path);
    query_run r = {.m = m, .path = path, .out = stdout};
    r.in = ps_open_text_input(path, err);
    if (!r.in)
        return err->code;
    ps_atomic_file af = {0};
    int rc = out ? ps_atomic_open(&af, out, err) : PS_OK;
    if (out && !rc)
        r.out = af.fp;
    if (!rc)
        rc = query_lines(&r, err);
    free(r.raw);
    fclose(r.in);
    if (out && !rc)
        return ps_atomic_commit(&af, err);
    if (out && af.fp)
        ps_atomic_abort(&af);
    else if (!out && !rc && (fflush(stdout) || ferror(stdout)))
        rc = ps_error_set(err, PS_EINPUT, "writing stdout failed");
    return rc;
}

/* ---- --errors -------------------------------------------------------------------------------- */

typedef struct err_group {
    char key[160];
    double *e;     /* |error| % of every point of the group */
    size_t n, cap;
} err_group;

typedef struct err_groups {
    err_group *g;
    size_t n, cap;
} err_groups;

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b ? 1 : 0;
}

static double pct(const double *sorted, size_t n, double p)
{
    double idx = p * (double)(n - 1);
    size_t lo = (size_t)floor(idx), hi = (size_t)ceil(idx);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (idx - (double)lo);
}

/* The group of `key`, added when new (ps_grow: overflow checked, new groups zeroed). */
static err_group *group_of(err_groups *gs, const char *key)
{
    for (size_t k = 0; k < gs->n; k++)
        if (!strcmp(gs->g[k].key, key))
            return &gs->g[k];
    if (ps_grow(&gs->g, &gs->cap, gs->n + 1, sizeof *gs->g))
        return NULL;
    err_group *g = &gs->g[gs->n++];
    snprintf(g->key, sizeof g->key, "%s", key);
    return g;
}

/* The table row of a point: op kind, dtype, data, GPU, launch and shape band. */
static void point_key(const ps_cost_point_view *v, char *key, size_t size)
{
    const char *band = v->query.kind == PS_OP_GEMM ? (v->query.m >= 64 ? "m>=64" : "m<64")
                       : v->query.kind == PS_OP_ATTENTION ? ps_phase_name(v->query.phase) : "all";
    snprintf(key, size, "| %s | %s | %s | %s | %s | %s |", ps_op_kind_name(v->query.kind),
             ps_dtype_name(v->query.dtype), v->source, v->gpu, ps_launch_mode_name(v->query.launch), band);
}

static int collect_errors(const ps_cost_model *m, const ps_cost_points *pts, err_groups *gs, ps_error *err)
{
    for (size_t i = 0; i < ps_cost_points_count(pts); i++) {
        ps_cost_point_view v;
        ps_cost_points_at(pts, i, &v);
        double t;
        if (ps_cost_predict_point(m, pts, i, &t, err))
            return err->code;
        char key[160];
        point_key(&v, key, sizeof key);
        err_group *g = group_of(gs, key);
        if (!g || ps_grow(&g->e, &g->cap, g->n + 1, sizeof *g->e))
            return ps_error_set(err, PS_EINTERNAL, "out of memory");
        g->e[g->n++] = fabs(t / v.measured_us - 1) * 100;
    }
    return PS_OK;
}

static void print_errors(err_groups *gs)
{
    printf("| op kind | dtype | data | GPU | launch | shapes | points | median error %% | p90 error %% |\n");
    printf("|---|---|---|---|---|---|---|---|---|\n");
    for (size_t k = 0; k < gs->n; k++) {
        err_group *g = &gs->g[k];
        qsort(g->e, g->n, sizeof(double), cmp_double);
        printf("%s %zu | %.1f | %.1f |\n", g->key, g->n, pct(g->e, g->n, 0.5), pct(g->e, g->n, 0.9));
    }
}

int cost_cli_errors(const ps_cost_model *m, const char *const *specs, int n, ps_error *err)
{
    ps_cost_points *pts = ps_cost_points_new();
    int rc = pts ? PS_OK : ps_error_set(err, PS_EINTERNAL, "out of memory");
    for (int i = 0; !rc && i < n; i++)
        rc = ps_cost_points_read(pts, specs[i], err);
    /* a header-only file (or an @filter that kept nothing) printed an empty table with exit 0 */
    if (!rc && ps_cost_points_count(pts) == 0)
        rc = ps_error_set(err, PS_EINPUT, "--errors: %s%s: no measured point (no data row%s, or its @filter kept none)",
                          specs[0], n > 1 ? " ..." : "", n > 1 ? " in any of the files" : "");
    err_groups gs = {0};
    if (!rc)
        rc = collect_errors(m, pts, &gs, err);
    if (!rc)
        print_errors(&gs);
    for (size_t k = 0; k < gs.n; k++)
        free(gs.g[k].e);
    free(gs.g);
    ps_cost_points_free(pts);
    return rc;
}
