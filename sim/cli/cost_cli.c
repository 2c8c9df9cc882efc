/* `parsim cost` modes: fields -> query, --queries CSV in and out, --errors tables. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cost_cli.h"
#include "parsim/util.h"

static const char *const field_names[COST_FIELD_COUNT] = {
    "op", "dtype", "launch", "op_id", "m", "n", "k", "phase", "seqs", "tokens", "context", "prefix", "heads",
    "kv_heads", "head_dim", "width"};

static bool given(const char *s) { return s && s[0]; }

static int int_field(const char *const *f, int i, const char *where, int64_t *out, ps_error *err)
{
    if (!given(f[i]))
        return PS_OK;
    char what[600];
    snprintf(what, sizeof what, "%s%s", where[0] ? where : "--", where[0] ? field_names[i] : field_names[i]);
    if (!where[0]) /* flags are spelled with dashes */
        for (char *c = what + 2; *c; c++)
            if (*c == '_')
                *c = '-';
    int rc = ps_parse_i64(f[i], what, out, err);
    if (!rc && *out < 0)
        rc = ps_error_set(err, PS_EINPUT, "%s: %lld < 0", what, (long long)*out);
    if (!rc && *out > ((int64_t)1 << 40))
        rc = ps_error_set(err, PS_EINPUT, "%s: %lld is beyond 2^40", what, (long long)*out);
    return rc;
}

static int bad_word(const char *where, int i, const char *text, const char *expect, ps_error *err)
{
    return ps_error_set(err, PS_EINPUT, "%s%s%s: '%s': expected %s", where, where[0] ? "" : "--", field_names[i],
                        text, expect);
}

int cost_cli_query(const char *const *f, const char *where, ps_cost_query *q, ps_error *err)
{
    memset(q, 0, sizeof *q);
    q->dtype = PS_DTYPE_BF16;
    if (!given(f[COST_F_OP]) || !ps_cost_kind_parse(f[COST_F_OP], &q->kind))
        return bad_word(where, COST_F_OP, f[COST_F_OP] ? f[COST_F_OP] : "",
                        "gemm, attention, rmsnorm, rope, silu_mul, residual, embedding or sampling", err);
    if (given(f[COST_F_DTYPE]) && (!ps_dtype_parse(f[COST_F_DTYPE], &q->dtype) || q->dtype == PS_DTYPE_FP32 ||
                                   q->dtype == PS_DTYPE_INT32))
        return bad_word(where, COST_F_DTYPE, f[COST_F_DTYPE], "bf16, fp16 or fp8", err);
    if (given(f[COST_F_LAUNCH]) && !ps_launch_mode_parse(f[COST_F_LAUNCH], &q->launch))
        return bad_word(where, COST_F_LAUNCH, f[COST_F_LAUNCH], "graph or eager", err);
    if (given(f[COST_F_PHASE])) {
        if (!strcmp(f[COST_F_PHASE], "prefill"))
            q->phase = PS_PHASE_PREFILL;
        else if (!strcmp(f[COST_F_PHASE], "decode"))
            q->phase = PS_PHASE_DECODE;
        else
            return bad_word(where, COST_F_PHASE, f[COST_F_PHASE], "prefill or decode", err);
    }
    if (given(f[COST_F_OP_ID])) {
        if (strlen(f[COST_F_OP_ID]) >= sizeof q->op_id)
            return bad_word(where, COST_F_OP_ID, f[COST_F_OP_ID], "an op id shorter than 48 bytes", err);
        strcpy(q->op_id, f[COST_F_OP_ID]);
    }
    int64_t *ints[] = {&q->m, &q->n, &q->k, NULL, &q->seqs, &q->tokens, &q->context, &q->prefix, &q->heads,
                       &q->kv_heads, &q->head_dim, &q->width};
    for (int i = COST_F_M; i < COST_FIELD_COUNT; i++) {
        int rc = ints[i - COST_F_M] ? int_field(f, i, where, ints[i - COST_F_M], err) : PS_OK;
        if (rc)
            return rc;
    }
    /* Defaults that make a one-line query natural: gemm tokens = m; decode tokens = seqs; a
     * prefill's context = prefix + tokens / seqs; head_dim 128 (every preset's). */
    if (q->kind == PS_OP_GEMM && !q->tokens)
        q->tokens = q->m;
    if (q->kind == PS_OP_ATTENTION) {
        if (!q->seqs)
            q->seqs = 1;
        if (!q->head_dim)
            q->head_dim = 128;
        if (q->phase == PS_PHASE_DECODE && !q->tokens)
            q->tokens = q->seqs;
        if (q->phase == PS_PHASE_PREFILL && !q->context && q->seqs > 0)
            q->context = q->prefix + q->tokens / q->seqs;
    }
    int rc = ps_cost_query_validate(q, err);
    if (rc && where[0])
        ps_error_prefix(err, "%.*s", (int)(strlen(where) - strlen("column ")), where);
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

static int map_header(char **h, int n, query_cols *qc, const char *path, ps_error *err)
{
    for (int i = 0; i < COST_FIELD_COUNT; i++)
        qc->col[i] = -1;
    qc->flops = qc->bytes_read = qc->bytes_written = -1;
    qc->ncols = n;
    for (int c = 0; c < n; c++) {
        const char *name = h[c];
        if (!strcmp(name, "kind"))
            name = "op";
        if (!strcmp(name, "id"))
            name = "op_id";
        for (int i = 0; i < COST_FIELD_COUNT; i++)
            if (!strcmp(name, field_names[i]) && qc->col[i] < 0)
                qc->col[i] = c;
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

/* A plan --ops row lacks heads and width: rebuild the ps_op and let the cost model derive them. */
static bool needs_derivation(const query_cols *qc, char **f, const ps_cost_query *probe)
{
    if (qc->flops < 0 || qc->bytes_read < 0 || qc->bytes_written < 0)
        return false;
    if (probe->kind == PS_OP_GEMM)
        return false;
    if (probe->kind == PS_OP_ATTENTION)
        return qc->col[COST_F_HEADS] < 0 || !given(f[qc->col[COST_F_HEADS]]);
    return qc->col[COST_F_WIDTH] < 0 || !given(f[qc->col[COST_F_WIDTH]]);
}

static int derive_from_plan_row(const query_cols *qc, char **f, const char *where, ps_cost_query *q, ps_error *err)
{
    ps_op op;
    memset(&op, 0, sizeof op);
    op.kind = q->kind;
    op.dtype = q->dtype;
    snprintf(op.id, sizeof op.id, "%s", q->op_id);
    op.tokens = q->tokens, op.m = q->m, op.n = q->n, op.k = q->k, op.seqs = q->seqs, op.context = q->context;
    const int cols[3] = {qc->flops, qc->bytes_read, qc->bytes_written};
    double *dst[3] = {&op.flops, &op.bytes_read, &op.bytes_written};
    const char *names[3] = {"flops", "bytes_read", "bytes_written"};
    for (int i = 0; i < 3; i++) {
        char what[600];
        snprintf(what, sizeof what, "%s%s", where, names[i]);
        int rc = ps_parse_double(f[cols[i]], what, dst[i], err);
        if (rc)
            return rc;
    }
    ps_launch_mode launch = q->launch;
    bool has_phase = qc->col[COST_F_PHASE] >= 0 && given(f[qc->col[COST_F_PHASE]]);
    ps_phase phase = q->phase;
    ps_cost_query_from_op(&op, launch, q);
    if (has_phase)
        q->phase = phase;
    int rc = ps_cost_query_validate(q, err);
    if (rc)
        ps_error_prefix(err, "%.*s", (int)(strlen(where) - strlen("column ")), where);
    return rc;
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

static int answer_row(const ps_cost_model *m, const query_cols *qc, char **f, const char *where, FILE *fp,
                      ps_error *err)
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
        fputs(",,,,not a compute op (parsim nccl prices collectives),,,\n", fp);
        return PS_OK;
    }
    ps_cost_query q;
    ps_error first = {0};
    int rc = cost_cli_query(texts, where, &q, &first);
    if (rc && known) {
        /* A plan row: re-read with the derivation (validation failed on the missing heads/width). */
        ps_cost_query probe = {.kind = kind};
        const char *keep[COST_FIELD_COUNT];
        memcpy(keep, texts, sizeof keep);
        if (needs_derivation(qc, f, &probe)) {
            keep[COST_F_HEADS] = keep[COST_F_WIDTH] = NULL;
            memset(&q, 0, sizeof q);
            ps_error ignore = {0};
            cost_cli_query(keep, where, &q, &ignore); /* fills the parsed fields; validation may fail */
            q.kind = kind;
            rc = derive_from_plan_row(qc, f, where, &q, err);
        } else {
            *err = first;
        }
    } else if (rc) {
        *err = first;
    }
    if (rc)
        return rc;
    ps_cost_answer a;
    rc = ps_cost_estimate(m, &q, &a, err);
    if (rc)
        return ps_error_prefix(err, "%.*s", (int)(strlen(where) - strlen("column ")), where);
    write_answer(fp, &a);
    return PS_OK;
}

/* A query row is a few hundred bytes; a longer line is not a query file (/dev/zero has none). */
#define QUERY_LINE_MAX_BYTES 65536

int cost_cli_queries(const ps_cost_model *m, const char *path, const char *out, ps_error *err)
{
    if (out && ps_same_file(out, path))
        return ps_error_set(err, PS_EINPUT, "-o %s is the input %s; write the answers elsewhere", out, path);
    FILE *in = ps_open_text_input(path, err);
    if (!in)
        return err->code;
    ps_atomic_file af = {0};
    FILE *fp = stdout;
    int rc = out ? ps_atomic_open(&af, out, err) : PS_OK;
    if (out && !rc)
        fp = af.fp;
    char *line = NULL, *raw = NULL, *fields[MAX_COLS];
    size_t cap = 0, raw_cap = 0;
    ssize_t len;
    long lineno = 0;
    query_cols qc = {0};
    while (!rc && (len = ps_getline_bounded(&line, &cap, in, QUERY_LINE_MAX_BYTES)) != -1) {
        lineno++;
        if (len == -2) {
            rc = ps_error_set(err, PS_EINPUT, "%s:%ld: line longer than %d bytes (not a query CSV)", path, lineno,
                              QUERY_LINE_MAX_BYTES);
            break;
        }
        if ((size_t)len != strlen(line)) {
            rc = ps_error_set(err, PS_EINPUT, "%s:%ld: NUL byte", path, lineno);
            break;
        }
        strip_eol(line);
        if (raw_cap < cap) {
            char *g = realloc(raw, cap);
            if (!g) {
                rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
                break;
            }
            raw = g, raw_cap = cap;
        }
        strcpy(raw, line);
        int n = split_csv(line, fields, MAX_COLS);
        if (n < 0) {
            rc = ps_error_set(err, PS_EINPUT, "%s:%ld: malformed CSV (unbalanced quote or more than %d columns)",
                              path, lineno, MAX_COLS);
        } else if (lineno == 1) {
            rc = map_header(fields, n, &qc, path, err);
            if (!rc)
                fprintf(fp, "%s,time_us,source,scaled_from,fallback,bound,error_pct,in_envelope\n", raw);
        } else if (n == 1 && fields[0][0] == '\0') {
            continue; /* a blank line */
        } else if (n != qc.ncols) {
            rc = ps_error_set(err, PS_EINPUT, "%s:%ld: %d columns, the header has %d", path, lineno, n, qc.ncols);
        } else {
            char where[600];
            snprintf(where, sizeof where, "%s:%ld: column ", path, lineno);
            fputs(raw, fp);
            rc = answer_row(m, &qc, fields, where, fp, err);
        }
    }
    if (!rc && lineno == 0)
        rc = ps_error_set(err, PS_EINPUT, "%s: empty file (expected a header line)", path);
    if (!rc && ferror(in))
        rc = ps_error_set(err, PS_EINPUT, "%s: read error", path);
    free(line);
    free(raw);
    fclose(in);
    if (out)
        rc = rc ? (ps_atomic_abort(&af), rc) : ps_atomic_commit(&af, err);
    else if (!rc && (fflush(stdout) || ferror(stdout)))
        rc = ps_error_set(err, PS_EINPUT, "writing stdout failed");
    return rc;
}

/* ---- --errors -------------------------------------------------------------------------------- */

typedef struct err_group {
    char key[160];
    double *e;
    size_t n, cap;
} err_group;

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

int cost_cli_errors(const ps_cost_model *m, char **specs, int n, ps_error *err)
{
    ps_cost_points *pts = ps_cost_points_new();
    int rc = pts ? PS_OK : ps_error_set(err, PS_EINTERNAL, "out of memory");
    for (int i = 0; !rc && i < n; i++)
        rc = ps_cost_points_read(pts, specs[i], err);
    err_group *g = NULL;
    size_t ng = 0;
    for (size_t i = 0; !rc && i < ps_cost_points_count(pts); i++) {
        ps_cost_point_view v;
        ps_cost_points_at(pts, i, &v);
        double t;
        if ((rc = ps_cost_predict_point(m, pts, i, &t, err)))
            break;
        char key[160];
        const char *band = v.query.kind == PS_OP_GEMM ? (v.query.m >= 64 ? "m>=64" : "m<64")
                           : v.query.kind == PS_OP_ATTENTION ? ps_phase_name(v.query.phase) : "all";
        snprintf(key, sizeof key, "| %s | %s | %s | %s | %s | %s |", ps_op_kind_name(v.query.kind),
                 ps_dtype_name(v.query.dtype), v.source, v.gpu, ps_launch_mode_name(v.query.launch), band);
        size_t k = 0;
        while (k < ng && strcmp(g[k].key, key))
            k++;
        if (k == ng) {
            err_group *grown = realloc(g, (ng + 1) * sizeof *g);
            if (!grown) {
                rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
                break;
            }
            g = grown;
            memset(&g[ng], 0, sizeof g[ng]);
            snprintf(g[ng++].key, sizeof g[0].key, "%s", key);
        }
        if (g[k].n == g[k].cap) {
            size_t cap = g[k].cap ? 2 * g[k].cap : 256;
            double *e = realloc(g[k].e, cap * sizeof *e);
            if (!e) {
                rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
                break;
            }
            g[k].e = e, g[k].cap = cap;
        }
        g[k].e[g[k].n++] = fabs(t / v.measured_us - 1) * 100;
    }
    if (!rc) {
        printf("| op kind | dtype | data | GPU | launch | shapes | points | median error %% | p90 error %% |\n");
        printf("|---|---|---|---|---|---|---|---|---|\n");
        for (size_t k = 0; k < ng; k++) {
            qsort(g[k].e, g[k].n, sizeof(double), cmp_double);
            printf("%s %zu | %.1f | %.1f |\n", g[k].key, g[k].n, pct(g[k].e, g[k].n, 0.5), pct(g[k].e, g[k].n, 0.9));
        }
    }
    for (size_t k = 0; k < ng; k++)
        free(g[k].e);
    free(g);
    ps_cost_points_free(pts);
    return rc;
}
