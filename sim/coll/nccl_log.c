/* sim/coll/nccl_log.c: reads measured curves -- nccl-tests stdout logs and the calibration CSVs.
 *
 * An nccl-tests log (NVIDIA/nccl-tests src/common.cu) is what users have: '#' lines (the
 * "# nThread 1 nGpus 8 ..." header, one "#  Rank  r ..." line per rank, the column titles, the
 * "# Avg bus bandwidth" footer), optionally NCCL_DEBUG lines ("host:pid:tid [d] NCCL INFO ..."),
 * "NCCL version x.y.z", mpirun's "[1,0]<stdout>:" line tags, and one row per size:
 *     size  count  type  redop  root  time algbw busbw #wrong  [time algbw busbw #wrong]
 * The first (out-of-place) half is used. Anything that is none of these is an error naming
 * FILE:LINE: a truncated or mangled log must not be compared silently.
 * CSV: the header size_bytes,time_us,algbw_GBps,busbw_GBps then four numbers per row
 * (../shared/data/nccl/SOURCES.md).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coll_internal.h"
#include "parsim/dtype.h"

/* Bytes of an nccl-tests type column ("bfloat16", "half", "float", ...); 0 when unknown. The
 * names are the nccl-tests names of the one dtype table (parsim/dtype.h). */
static int type_bytes_of(const char *t)
{
    ps_dtype d;
    return ps_dtype_from_nccl_tests_name(t, &d) ? ps_dtype_bytes(d) : 0;
}

static bool parse_num(const char *s, double *out)
{
    if (!*s)
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static int push_row(ps_nccl_curve *c, int *cap, double size, double time_us, ps_error *err)
{
    if (c->n_rows == *cap) {
        int ncap = *cap ? *cap * 2 : 64;
        double *s = realloc(c->size_bytes, sizeof(double) * (size_t)ncap);
        if (!s)
            return ps_error_set(err, PS_EINTERNAL, "out of memory");
        c->size_bytes = s;
        double *t = realloc(c->time_us, sizeof(double) * (size_t)ncap);
        if (!t)
            return ps_error_set(err, PS_EINTERNAL, "out of memory");
        c->time_us = t;
        *cap = ncap;
    }
    c->size_bytes[c->n_rows] = size;
    c->time_us[c->n_rows] = time_us;
    c->n_rows++;
    return PS_OK;
}

/* "# nThread 1 nGpus 8 minBytes ...": nGpus is GPUs per thread (-g), 1..1024 as parsim nccl -g
 * takes it (atoi would wrap 99999999999 into a huge -g and a launch floor of hours). */
static int parse_header(ps_nccl_curve *c, const char *line, int *rank_lines, const char *path,
                        int lineno, ps_error *err)
{
    const char *p = strstr(line, "nGpus ");
    if (p && strstr(line, "nThread")) {
        char *end;
        errno = 0;
        long g = strtol(p + 6, &end, 10);
        if (errno || end == p + 6 || g < 1 || g > 1024 || (*end && !isspace((unsigned char)*end)))
            return ps_error_set(err, PS_EINPUT, "%s:%d: nGpus is not a GPU count in [1, 1024]",
                                path, lineno);
        c->gpus_per_thread = (int)g;
    }
    if (!strncmp(line, "#  Rank", 7) || !strncmp(line, "# Rank", 6))
        (*rank_lines)++;
    p = strstr(line, "Collective test starting: ");
    if (p) {
        char name[64] = "";
        sscanf(p + 26, "%63s", name);
        char *perf = strstr(name, "_perf");
        if (perf)
            *perf = '\0';
        ps_coll_op op;
        if (!ps_coll_op_parse(name, &op)) {
            c->op = op;
            c->has_op = true;
        }
    }
    return PS_OK;
}

static int parse_table_row(ps_nccl_curve *c, int *cap, char *line, const char *path, int lineno,
                           ps_error *err)
{
    char *tok[16];
    int nt = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, " \t\r\n", &save); t && nt < 16;
         t = strtok_r(NULL, " \t\r\n", &save))
        tok[nt++] = t;
    if (nt < 8 || nt > 13)
        return ps_error_set(err, PS_EINPUT, "%s:%d: not an nccl-tests row (%d fields; expected "
                            "size count type redop root time algbw busbw ...)", path, lineno, nt);
    double size, count, root, time_us, v;
    if (!parse_num(tok[0], &size) || size < 0 || size != floor(size))
        return ps_error_set(err, PS_EINPUT, "%s:%d: size \"%s\" is not a whole number of bytes",
                            path, lineno, tok[0]);
    if (!parse_num(tok[1], &count) || count < 0)
        return ps_error_set(err, PS_EINPUT, "%s:%d: count \"%s\" is not a number", path, lineno,
                            tok[1]);
    int tb = type_bytes_of(tok[2]);
    if (!tb)
        return ps_error_set(err, PS_EINPUT, "%s:%d: unknown data type \"%s\"", path, lineno,
                            tok[2]);
    if (!parse_num(tok[4], &root))
        return ps_error_set(err, PS_EINPUT, "%s:%d: root \"%s\" is not a number", path, lineno,
                            tok[4]);
    if (!parse_num(tok[5], &time_us) || !(time_us > 0))
        return ps_error_set(err, PS_EINPUT, "%s:%d: time \"%s\" is not a positive number", path,
                            lineno, tok[5]);
    for (int k = 6; k < nt; k++)
        if (strcmp(tok[k], "N/A") && !parse_num(tok[k], &v))
            return ps_error_set(err, PS_EINPUT, "%s:%d: field %d \"%s\" is not a number or N/A",
                                path, lineno, k + 1, tok[k]);
    c->type_bytes = tb;
    return push_row(c, cap, size, time_us, err);
}

static int parse_csv_row(ps_nccl_curve *c, int *cap, char *line, const char *path, int lineno,
                         ps_error *err)
{
    double f[4];
    int nf = 0;
    for (char *t = line; nf < 5; nf++) {
        char *comma = strchr(t, ',');
        if (comma)
            *comma = '\0';
        size_t len = strlen(t);
        while (len && (t[len - 1] == '\r' || t[len - 1] == '\n'))
            t[--len] = '\0';
        if (nf < 4 && !parse_num(t, &f[nf]))
            return ps_error_set(err, PS_EINPUT, "%s:%d: field %d \"%s\" is not a number", path,
                                lineno, nf + 1, t);
        if (!comma) {
            nf++;
            break;
        }
        t = comma + 1;
    }
    if (nf != 4)
        return ps_error_set(err, PS_EINPUT, "%s:%d: expected 4 fields (size_bytes,time_us,"
                            "algbw_GBps,busbw_GBps)", path, lineno);
    if (f[0] < 0 || !(f[1] > 0))
        return ps_error_set(err, PS_EINPUT, "%s:%d: size must be >= 0 and time > 0", path, lineno);
    return push_row(c, cap, f[0], f[1], err);
}

/* fgets that also reports NUL bytes: fgets hides them, so a line of NULs (a corrupted log,
 * /dev/zero) looked blank and an endless one was read forever. Returns the length, -1 at EOF. */
static long read_line(FILE *f, char *buf, size_t size, bool *nul)
{
    size_t n = 0;
    int ch;
    *nul = false;
    while (n + 1 < size && (ch = getc(f)) != EOF) {
        *nul |= ch == '\0';
        buf[n++] = (char)ch;
        if (ch == '\n')
            break;
    }
    buf[n] = '\0';
    return n == 0 ? -1 : (long)n;
}

static bool is_blank(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

int ps_nccl_curve_read(const char *path, ps_nccl_curve *c, ps_error *err)
{
    memset(c, 0, sizeof *c);
    snprintf(c->path, sizeof c->path, "%s", path);
    c->gpus_per_thread = 1;
    c->algo = PS_ALGO_AUTO;
    FILE *f = fopen(path, "r");
    if (!f)
        return ps_error_set(err, PS_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    char line[4096];
    int lineno = 0, cap = 0, rank_lines = 0, rc = PS_OK;
    bool csv = false, nul;
    long got;
    while (!rc && (got = read_line(f, line, sizeof line, &nul)) >= 0) {
        lineno++;
        size_t len = (size_t)got;
        if (nul) {
            rc = ps_error_set(err, PS_EINPUT, "%s:%d: NUL byte (not a text log)", path, lineno);
            break;
        }
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            rc = ps_error_set(err, PS_EINPUT, "%s:%d: line longer than %d bytes", path, lineno,
                              (int)sizeof line - 2);
            break;
        }
        bool eol = line[len - 1] == '\n';
        if (lineno == 1 && !strncmp(line, "size_bytes,time_us", 18)) {
            csv = true;
            continue;
        }
        if (is_blank(line))
            continue;
        if (csv) {
            rc = parse_csv_row(c, &cap, line, path, lineno, err);
            continue;
        }
        char *p = line;
        /* mpirun --tag-output prefixes every line with "[job,rank]<stdout>:" */
        if (*p == '[') {
            char *tag = strstr(p, "]<stdout>:");
            if (tag && tag - p < 32)
                p = tag + 10;
        }
        while (*p == ' ' || *p == '\t')
            p++;
        if (is_blank(p))
            continue;
        if (*p == '#') {
            rc = parse_header(c, p, &rank_lines, path, lineno, err);
            continue;
        }
        if (strstr(line, " NCCL INFO ") || strstr(line, " NCCL WARN ") ||
            strstr(line, " NCCL CALL ") || !strncmp(p, "NCCL version ", 13))
            continue; /* NCCL_DEBUG output interleaved with the table */
        /* nccl-tests ends every row with a newline and prints a footer after the table: a row
         * at end of file without one is a log cut off mid-row ("3.02" read as "3"). */
        if (!eol)
            rc = ps_error_set(err, PS_EINPUT, "%s:%d: the log ends inside this row (truncated?)",
                              path, lineno);
        else
            rc = parse_table_row(c, &cap, p, path, lineno, err);
    }
    if (!rc && ferror(f))
        rc = ps_error_set(err, PS_EINPUT, "%s: read error", path);
    fclose(f);
    if (!rc && c->n_rows == 0)
        rc = ps_error_set(err, PS_EINPUT, "%s: no measurement rows", path);
    if (!rc && rank_lines > 0)
        c->gpus = rank_lines;
    if (rc)
        ps_nccl_curve_free(c);
    return rc;
}

void ps_nccl_curve_free(ps_nccl_curve *c)
{
    free(c->size_bytes);
    free(c->time_us);
    c->size_bytes = c->time_us = NULL;
    c->n_rows = 0;
}
