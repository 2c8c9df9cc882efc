/* Sweep CSV: one header line, one line per row (RFC 4180 quoting for text that needs it), and the
 * strict reader that `parsim sweep --merge` uses on shard files. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parsim/report.h"
#include "parsim/util.h"

static void *field_at(ps_sweep_row *row, const ps_report_column *c) { return (char *)row + c->offset; }
static const void *cfield_at(const ps_sweep_row *row, const ps_report_column *c)
{
    return (const char *)row + c->offset;
}

void ps_report_csv_header(FILE *out)
{
    size_t n;
    const ps_report_column *cols = ps_report_columns(&n);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%s", i ? "," : "", cols[i].name);
    fputc('\n', out);
}

static void write_text(FILE *out, const char *text)
{
    if (!strpbrk(text, ",\"\r\n")) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (const char *c = text; *c; c++) {
        if (*c == '"')
            fputc('"', out);
        fputc(*c, out);
    }
    fputc('"', out);
}

static void write_cell(FILE *out, const ps_sweep_row *row, const ps_report_column *c)
{
    const void *v = cfield_at(row, c);
    switch (c->kind) {
    case PS_COL_TEXT: write_text(out, (const char *)v); break;
    case PS_COL_INT: fprintf(out, "%d", *(const int *)v); break;
    case PS_COL_BOOL: fputs(*(const bool *)v ? "true" : "false", out); break;
    case PS_COL_NUMBER: {
        double d = *(const double *)v;
        if ((c->figure && !row->pred.fits) || !isfinite(d))
            break; /* empty: not a figure of this row */
        fprintf(out, "%.6g", d == 0 ? 0.0 : d); /* no "-0" */
        break;
    }
    }
}

void ps_report_csv_row(FILE *out, const ps_sweep_row *row)
{
    size_t n;
    const ps_report_column *cols = ps_report_columns(&n);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', out);
        write_cell(out, row, &cols[i]);
    }
    fputc('\n', out);
}

int ps_report_write_csv(FILE *out, const ps_sweep_row *rows, size_t count, ps_error *err)
{
    ps_report_csv_header(out);
    for (size_t i = 0; i < count; i++)
        ps_report_csv_row(out, &rows[i]);
    if (ferror(out))
        return ps_error_set(err, PS_EINTERNAL, "writing the sweep CSV failed");
    return PS_OK;
}

/* ---- reader -------------------------------------------------------------------------------- */

/* Splits one line into at most `max` fields (quotes as written above). Returns the field count,
 * or -1 for a malformed quote. Fields point into `buf`. */
static int split_fields(const char *line, char *buf, size_t bufsize, char **fields, int max)
{
    size_t len = strcspn(line, "\r\n");
    if (len >= bufsize)
        return -1;
    const char *c = line, *end = line + len;
    char *o = buf;
    int n = 0;
    for (;;) {
        if (n == max)
            return max + 1;
        fields[n++] = o;
        if (c < end && *c == '"') {
            for (c++;; c++) {
                if (c >= end)
                    return -1; /* unterminated quote */
                if (*c == '"' && c + 1 < end && c[1] == '"')
                    *o++ = *c++;
                else if (*c == '"')
                    break;
                else
                    *o++ = *c;
            }
            c++;
            if (c < end && *c != ',')
                return -1; /* text after a closing quote */
        } else {
            while (c < end && *c != ',') {
                if (*c == '"')
                    return -1;
                *o++ = *c++;
            }
        }
        *o++ = '\0';
        if (c >= end)
            return n;
        c++; /* the comma */
    }
}

int ps_report_csv_check_header(const char *line, const char *where, ps_error *err)
{
    size_t n;
    const ps_report_column *cols = ps_report_columns(&n);
    char buf[PS_REPORT_LINE_BYTES];
    char *fields[128];
    int got = split_fields(line, buf, sizeof buf, fields, 128);
    for (size_t i = 0; i < n; i++) {
        if ((int)i >= got || strcmp(fields[i], cols[i].name))
            return ps_error_set(err, PS_EINPUT, "%s: not a parsim sweep CSV header: column %zu should be '%s'",
                                where, i + 1, cols[i].name);
    }
    if (got != (int)n)
        return ps_error_set(err, PS_EINPUT, "%s: not a parsim sweep CSV header: %d columns, expected %zu", where,
                            got, n);
    return PS_OK;
}

static size_t text_capacity(size_t offset)
{
    if (offset == offsetof(ps_sweep_row, platform))
        return PS_REPORT_NAME_BYTES;
    if (offset == offsetof(ps_sweep_row, fabric))
        return sizeof ((ps_sweep_row *)0)->fabric;
    return PS_REPORT_SCENARIO_BYTES;
}

static int parse_cell(ps_sweep_row *row, const ps_report_column *c, const char *text, const char *where,
                      ps_error *err)
{
    void *v = field_at(row, c);
    switch (c->kind) {
    case PS_COL_TEXT:
        if (strlen(text) >= text_capacity(c->offset))
            return ps_error_set(err, PS_EINPUT, "%s: %s: too long", where, c->name);
        if (!*text)
            return ps_error_set(err, PS_EINPUT, "%s: %s: empty", where, c->name);
        strcpy((char *)v, text);
        return PS_OK;
    case PS_COL_INT: {
        char what[160];
        snprintf(what, sizeof what, "%s: %s", where, c->name);
        return ps_parse_int(text, what, 1, 1 << 30, (int *)v, err);
    }
    case PS_COL_BOOL:
        if (strcmp(text, "true") && strcmp(text, "false"))
            return ps_error_set(err, PS_EINPUT, "%s: %s: expected true or false, got '%s'", where, c->name, text);
        *(bool *)v = !strcmp(text, "true");
        return PS_OK;
    case PS_COL_NUMBER: {
        if (!*text) {
            *(double *)v = NAN;
            return PS_OK;
        }
        char what[160];
        snprintf(what, sizeof what, "%s: %s", where, c->name);
        if (ps_parse_double(text, what, (double *)v, err))
            return err->code;
        /* every number column is a time, a rate, a count of bytes, a percentage or a busy fraction:
         * none is below zero, so a negative one is an edited or corrupted file, not a result; the
         * one exception is error_pct's -1, the cost model's "error unknown" (html.c) */
        bool unknown_error = !strcmp(c->name, "error_pct") && *(double *)v == -1;
        if (*(double *)v < 0 && !unknown_error)
            return ps_error_set(err, PS_EINPUT, "%s: negative value '%s' (the column is never below 0)", what, text);
        return PS_OK;
    }
    }
    return ps_error_set(err, PS_EINTERNAL, "%s: unknown column kind", where);
}

int ps_report_csv_parse_row(const char *line, const char *where, ps_sweep_row *row, ps_error *err)
{
    size_t n;
    const ps_report_column *cols = ps_report_columns(&n);
    char buf[PS_REPORT_LINE_BYTES];
    char *fields[128];
    int got = split_fields(line, buf, sizeof buf, fields, 128);
    if (got < 0)
        return ps_error_set(err, PS_EINPUT, "%s: malformed CSV line (quotes, or longer than %d bytes)", where,
                            PS_REPORT_LINE_BYTES);
    if (got != (int)n)
        return ps_error_set(err, PS_EINPUT, "%s: %d fields, expected %zu", where, got, n);
    memset(row, 0, sizeof *row);
    for (size_t i = 0; i < n; i++) {
        if (parse_cell(row, &cols[i], fields[i], where, err))
            return err->code;
    }
    for (size_t i = 0; i < n; i++) {
        if (cols[i].figure && !row->pred.fits && *fields[i])
            return ps_error_set(err, PS_EINPUT, "%s: fits=false but %s has a value", where, cols[i].name);
    }
    /* the sweep's scenario names (report.h); any other sorted as min_latency and merged, exit 0 */
    const char *sc = row->scenario;
    size_t digits = strncmp(sc, "batch_", 6) ? 0 : strspn(sc + 6, "0123456789");
    bool batch_n = digits > 0 && sc[6] != '0' && sc[6 + digits] == '\0';
    if (strcmp(sc, "max_throughput") && strcmp(sc, "min_latency") && !batch_n)
        return ps_error_set(err, PS_EINPUT, "%s: scenario '%s' is not max_throughput, min_latency or batch_<N>", where,
                            sc);
    return PS_OK;
}

int ps_report_canonicalize(ps_sweep_row *row, ps_error *err)
{
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    if (!mem)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    ps_report_csv_row(mem, row);
    if (fclose(mem)) {
        free(text);
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    /* Everything the CSV does not carry (inputs, cost sources) is dropped, so that no writer can
     * print what a merge of shard files would not know. */
    int rc = ps_report_csv_parse_row(text, "canonical row", row, err);
    free(text);
    return rc;
}
