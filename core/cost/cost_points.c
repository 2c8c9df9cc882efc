/* Measured points (cost_points.h): the CSV splitter the readers share, spec filters, layout
 * detection by header, prediction of a point. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cost_model.h"
#include "cost_points.h"
#include "parsim/array.h"
#include "parsim/util.h"

ps_cost_points *ps_cost_points_new(void) { return calloc(1, sizeof(ps_cost_points)); }

void ps_cost_points_free(ps_cost_points *p)
{
    if (p)
        free(p->v);
    free(p);
}

size_t ps_cost_points_count(const ps_cost_points *p) { return p->n; }

int cost_points_push(ps_cost_points *p, const cost_point *pt, ps_error *err)
{
    if (ps_grow(&p->v, &p->cap, p->n + 1, sizeof *p->v))
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    p->v[p->n++] = *pt;
    return PS_OK;
}

int cost_points_push_row(const cost_csv *c, ps_cost_points *pts, const cost_point *p, ps_error *err)
{
    if (ps_cost_query_validate(&p->s.q, err))
        return ps_error_prefix(err, "%s:%ld", c->path, c->lineno);
    if (!(p->time_us > 0 && p->time_us < 1e12))
        return ps_error_set(err, PS_EINPUT, "%s:%ld: time %g us is not a positive kernel time", c->path, c->lineno,
                            p->time_us);
    if (p->s.batch < 1)
        return ps_error_set(err, PS_EINPUT, "%s:%ld: batch %d < 1", c->path, c->lineno, p->s.batch);
    return cost_points_push(pts, p, err);
}

void ps_cost_points_at(const ps_cost_points *p, size_t i, ps_cost_point_view *v)
{
    const cost_point *pt = &p->v[i];
    v->query = pt->s.q;
    v->gpu = pt->gpu->name;
    v->measured_us = pt->time_us;
    v->source = pt->source;
    v->model = pt->model;
    v->tp = pt->tp;
    v->op = pt->op;
}

int ps_cost_predict_point(const ps_cost_model *m, const ps_cost_points *p, size_t i, double *t, ps_error *err)
{
    const cost_point *pt = &p->v[i];
    int f, c;
    if (!cost_family_find(&pt->s.q, &f, &c))
        return ps_error_set(err, PS_EINPUT, "point %zu: not a compute op", i);
    cost_eval e;
    cost_eval_shape(cost_families[f], m->coeffs.cls[f][c].v, pt->gpu, &pt->s, &e);
    *t = e.time_us;
    return PS_OK;
}

/* ---- CSV ------------------------------------------------------------------------------------- */

static int split(char *line, char **field, int max)
{
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    int nf = 0;
    field[nf++] = line;
    for (char *c = line; *c; c++)
        if (*c == ',') {
            *c = '\0';
            if (nf == max)
                return -1;
            field[nf++] = c + 1;
        }
    return nf;
}

int cost_csv_open(cost_csv *c, const char *path, ps_error *err)
{
    memset(c, 0, sizeof *c);
    c->path = path;
    FILE *fp = ps_open_text_input(path, err);
    if (!fp)
        return err->code;
    c->fp = fp;
    int rc = cost_csv_next(c, err);
    if (rc == 0)
        return ps_error_set(err, PS_EINPUT, "%s: empty file", path);
    if (rc < 0)
        return err->code;
    c->header_line = malloc(c->cap);
    if (!c->header_line)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    c->nheader = c->nfields;
    for (int i = 0; i < c->nfields; i++) {
        size_t off = (size_t)(c->field[i] - c->line);
        memcpy(c->header_line + off, c->field[i], strlen(c->field[i]) + 1);
        c->header[i] = c->header_line + off;
    }
    /* cost_csv_col answers the first of two same-named columns: the other was ignored silently */
    for (int i = 0; i < c->nheader; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(c->header[i], c->header[j]))
                return ps_error_set(err, PS_EINPUT, "%s:1: columns %d and %d are both '%.40s'", path, j + 1, i + 1,
                                    c->header[i]);
    return PS_OK;
}

int cost_csv_next(cost_csv *c, ps_error *err)
{
    /* Measured tables have short rows; a longer line is not one of them (/dev/zero has no newline). */
    long len = ps_getline_bounded(&c->line, &c->cap, (FILE *)c->fp, 1 << 20);
    if (len == -1)
        return 0;
    c->lineno++;
    if (len == -2) {
        ps_error_set(err, PS_EINPUT, "%s:%ld: line longer than 1 MiB (not a CSV table)", c->path, c->lineno);
        return -1;
    }
    if ((size_t)len != strlen(c->line)) {
        ps_error_set(err, PS_EINPUT, "%s:%ld: NUL byte", c->path, c->lineno);
        return -1;
    }
    for (const char *b = c->line; *b; b++)
        if (((unsigned char)*b < 0x20 && *b != '\n' && *b != '\r' && *b != '\t') || (unsigned char)*b >= 0x7f) {
            ps_error_set(err, PS_EINPUT, "%s:%ld: byte 0x%02x at column %ld: these tables are ASCII", c->path,
                         c->lineno, (unsigned char)*b, (long)(b - c->line) + 1);
            return -1;
        }
    c->nfields = split(c->line, c->field, 128);
    if (c->nfields < 0 || (c->nheader && c->nfields != c->nheader)) {
        ps_error_set(err, PS_EINPUT, "%s:%ld: %d fields, the header has %d", c->path, c->lineno,
                     c->nfields < 0 ? 129 : c->nfields, c->nheader);
        return -1;
    }
    return 1;
}

void cost_csv_close(cost_csv *c)
{
    if (c->fp)
        fclose((FILE *)c->fp);
    free(c->line);
    free(c->header_line);
    memset(c, 0, sizeof *c);
}

int cost_csv_col(const cost_csv *c, const char *name)
{
    for (int i = 0; i < c->nheader; i++)
        if (!strcmp(c->header[i], name))
            return i;
    return -1;
}

int cost_csv_num(const cost_csv *c, int col, double *out, ps_error *err)
{
    char what[600];
    snprintf(what, sizeof what, "%s:%ld: %s", c->path, c->lineno, c->header[col]);
    int rc = ps_parse_double(c->field[col], what, out, err);
    /* 1e12 bounds every column these tables have (shapes, element counts, times in ms, us or ns)
     * and keeps the int64 conversions of the readers defined; TP degrees and batch counts, which
     * become int, are checked by cost_csv_small. */
    if (!rc && !(*out >= 0 && *out <= 1e12))
        rc = ps_error_set(err, PS_EINPUT, "%s: expected a number in [0, 1e12], got '%s'", what, c->field[col]);
    return rc;
}

int cost_csv_count(const cost_csv *c, int col, double *out, ps_error *err)
{
    int rc = cost_csv_num(c, col, out, err);
    if (!rc && *out != floor(*out))
        rc = ps_error_set(err, PS_EINPUT, "%s:%ld: %s: expected a whole number, got '%s'", c->path, c->lineno,
                          c->header[col], c->field[col]);
    return rc;
}

int cost_csv_small(const cost_csv *c, const char *name, double v, ps_error *err)
{
    if (v >= 1 && v <= 1e6 && v == (double)(int)v)
        return PS_OK;
    return ps_error_set(err, PS_EINPUT, "%s:%ld: %s: expected an integer in [1, 1e6], got %g", c->path, c->lineno,
                        name, v);
}

/* ---- specs and layouts ----------------------------------------------------------------------- */

typedef struct filter {
    char key[16];
    bool negate;
    char values[256];
} filter;

static bool in_list(const char *values, const char *v)
{
    size_t n = strlen(v);
    for (const char *s = values; *s;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        if (len == n && !strncmp(s, v, n))
            return true;
        s += len + (comma ? 1 : 0);
    }
    return false;
}

static bool keep(const cost_point *p, const filter *f, int nf)
{
    for (int i = 0; i < nf; i++) {
        char buf[40];
        const char *v = buf;
        if (!strcmp(f[i].key, "tp"))
            snprintf(buf, sizeof buf, "%d", p->tp);
        else if (!strcmp(f[i].key, "model"))
            v = p->model;
        else if (!strcmp(f[i].key, "op"))
            v = p->op;
        else if (!strcmp(f[i].key, "kind"))
            v = ps_op_kind_name(p->s.q.kind);
        else
            v = ps_dtype_name(p->s.q.dtype);
        if (in_list(f[i].values, v) == f[i].negate)
            return false;
    }
    return true;
}

static int parse_spec(const char *spec, char *path, size_t size, filter *f, int *nf, ps_error *err)
{
    const char *at = strchr(spec, '@');
    size_t len = at ? (size_t)(at - spec) : strlen(spec);
    if (len == 0 || len >= size)
        return ps_error_set(err, PS_EINPUT, "'%s': expected FILE[@KEY=VALUES]...", spec);
    memcpy(path, spec, len);
    path[len] = '\0';
    *nf = 0;
    while (at) {
        const char *next = strchr(at + 1, '@');
        char item[300];
        size_t n = next ? (size_t)(next - at - 1) : strlen(at + 1);
        if (n >= sizeof item || *nf == 8)
            return ps_error_set(err, PS_EINPUT, "'%s': filter too long", spec);
        memcpy(item, at + 1, n);
        item[n] = '\0';
        char *eq = strchr(item, '=');
        if (!eq)
            return ps_error_set(err, PS_EINPUT, "'%s': filter '%s' is not KEY=VALUES", spec, item);
        bool neg = eq > item && eq[-1] == '!';
        *(neg ? eq - 1 : eq) = '\0';
        if (strcmp(item, "tp") && strcmp(item, "model") && strcmp(item, "op") && strcmp(item, "kind") &&
            strcmp(item, "dtype"))
            return ps_error_set(err, PS_EINPUT, "'%s': unknown filter key '%s' (tp, model, op, kind, dtype)", spec,
                                item);
        snprintf(f[*nf].key, sizeof f[*nf].key, "%.15s", item);
        snprintf(f[*nf].values, sizeof f[*nf].values, "%s", eq + 1);
        f[(*nf)++].negate = neg;
        at = next;
    }
    return PS_OK;
}

typedef int (*reader_fn)(cost_csv *c, ps_cost_points *pts, ps_error *err);

/* The layout is recognised by the first header column(s). */
static reader_fn pick_reader(const cost_csv *c)
{
    const char *h0 = c->nheader ? c->header[0] : "";
    if (!strcmp(h0, "model") && cost_csv_col(c, "m_tokens") >= 0)
        return cost_read_h200_gemm;
    if (!strcmp(h0, "phase") && cost_csv_col(c, "kv_len") >= 0)
        return cost_read_h200_attention;
    if (!strcmp(h0, "op") && cost_csv_col(c, "bytes_moved") >= 0)
        return cost_read_h200_memory;
    if (!strcmp(h0, "time_stats.emb.min"))
        return cost_read_vidur_mlp;
    if (!strcmp(h0, "time_stats.attn_prefill.min"))
        return cost_read_attention_csv;
    if (!strcmp(h0, "layer_name") && cost_csv_col(c, "latency(ns)") >= 0)
        return cost_read_lss_layers;
    if (!strcmp(h0, "sm") && cost_csv_col(c, "flops_per_sec") >= 0)
        return cost_read_xla_matmul;
    if (!strcmp(h0, "source") && cost_csv_col(c, "vocab") >= 0 && cost_csv_col(c, "method") >= 0)
        return cost_read_sampling_kernels;
    return NULL;
}

int ps_cost_points_read(ps_cost_points *pts, const char *spec, ps_error *err)
{
    char path[1024];
    filter f[8];
    int nf = 0;
    int rc = parse_spec(spec, path, sizeof path, f, &nf, err);
    if (rc)
        return rc;
    cost_csv c;
    rc = cost_csv_open(&c, path, err);
    reader_fn reader = rc ? NULL : pick_reader(&c);
    if (!rc && !reader)
        rc = ps_error_set(err, PS_EINPUT, "%s:1: not a layout calibrate --ops reads (H200 reference CSVs, Vidur "
                          "mlp.csv/attention.csv, LLMServingSim layers.csv, XLA matmul_sm90.csv, docs/data/sampling-kernels.csv)", path);
    ps_cost_points got = {0};
    if (!rc)
        rc = reader(&c, &got, err);
    cost_csv_close(&c);
    for (size_t i = 0; !rc && i < got.n; i++)
        if (keep(&got.v[i], f, nf))
            rc = cost_points_push(pts, &got.v[i], err);
    free(got.v);
    return rc;
}
