/* Shards of a sweep: K/N slices of the case list, their files, and the merge (sweep.h). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parsim/sweep.h"
#include "parsim/array.h"
#include "parsim/util.h"

int ps_shard_parse(const char *text, const char *flag, ps_shard *out, ps_error *err)
{
    const char *slash = text ? strchr(text, '/') : NULL;
    char k[32];
    if (!slash || (size_t)(slash - text) >= sizeof k)
        return ps_error_set(err, PS_EINPUT, "%s: expected K/N (this is shard K of N), got '%s'", flag,
                            text ? text : "");
    memcpy(k, text, (size_t)(slash - text));
    k[slash - text] = '\0';
    int index, count;
    if (ps_parse_int(slash + 1, flag, 1, PS_SWEEP_MAX_SHARDS, &count, err) ||
        ps_parse_int(k, flag, 1, PS_SWEEP_MAX_SHARDS, &index, err))
        return ps_error_set(err, PS_EINPUT, "%s: expected K/N with 1 <= K <= N <= %d, got '%s'", flag,
                            PS_SWEEP_MAX_SHARDS, text);
    if (index > count)
        return ps_error_set(err, PS_EINPUT, "%s: shard %d of %d is out of range (K goes from 1 to N)", flag,
                            index, count);
    *out = (ps_shard){index, count};
    return PS_OK;
}

bool ps_shard_holds(const ps_shard *shard, size_t case_index)
{
    return shard->count == 0 || case_index % (size_t)shard->count == (size_t)(shard->index - 1);
}

size_t ps_shard_size(const ps_shard *shard, size_t total_cases)
{
    if (shard->count == 0)
        return total_cases;
    size_t k = (size_t)(shard->index - 1), n = (size_t)shard->count;
    return total_cases > k ? (total_cases - k + n - 1) / n : 0;
}

int ps_shard_write(FILE *out, const ps_shard *shard, size_t total_cases, const char *digest, const char *args,
                   const ps_sweep_row *rows, size_t count, ps_error *err)
{
    if (strchr(args, '\n'))
        return ps_error_set(err, PS_EINTERNAL, "sweep arguments hold a newline");
    fprintf(out, "#parsim-sweep shard=%d/%d cases=%zu digest=%s args=%s\n", shard->index, shard->count,
            total_cases, digest, args);
    ps_report_csv_header(out);
    for (size_t i = 0; i < count; i++) {
        ps_sweep_row row = rows[i];
        row.best_throughput = row.best_latency = row.pareto = false; /* only the merge knows them */
        ps_report_csv_row(out, &row);
    }
    if (ferror(out))
        return ps_error_set(err, PS_EINTERNAL, "writing the shard failed");
    return PS_OK;
}

/* "#parsim-sweep shard=K/N cases=T digest=HEX args=..." */
static int parse_comment(const char *line, const char *path, ps_shard_file *f, ps_error *err)
{
    static const char magic[] = "#parsim-sweep shard=";
    if (strncmp(line, magic, sizeof magic - 1))
        return ps_error_set(err, PS_EINPUT, "%s:1: not a parsim sweep shard (write one with parsim sweep --shard K/N --csv FILE)", path);
    const char *c = line + sizeof magic - 1;
    char shard[32], digest[32];
    size_t len = strcspn(c, " ");
    if (len >= sizeof shard)
        return ps_error_set(err, PS_EINPUT, "%s:1: malformed shard=", path);
    memcpy(shard, c, len);
    shard[len] = '\0';
    char where[1100];
    snprintf(where, sizeof where, "%s:1: shard=", path);
    if (ps_shard_parse(shard, where, &f->shard, err))
        return err->code;
    c += len;
    /* the count as digits (%llu took "-5" and saturated 99999999999999999999 to 2^64-1, which the
     * message below then printed) */
    char cases_text[32];
    int used = 0;
    if (sscanf(c, " cases=%31[0-9] digest=%16[0-9a-f] args=%n", cases_text, digest, &used) != 2 || used == 0 ||
        strlen(digest) != 16)
        return ps_error_set(err, PS_EINPUT, "%s:1: malformed shard line (cases=, digest=, args=)", path);
    unsigned long long cases = strlen(cases_text) > 9 ? ULLONG_MAX : strtoull(cases_text, NULL, 10);
    if (cases > PS_SWEEP_MAX_CASES)
        return ps_error_set(err, PS_EINPUT, "%s:1: cases=%s is more than a sweep holds (%d)", path, cases_text,
                            PS_SWEEP_MAX_CASES);
    f->total_cases = (size_t)cases;
    memcpy(f->digest, digest, 17);
    size_t alen = strcspn(c + used, "\r\n");
    if (alen >= sizeof f->args)
        return ps_error_set(err, PS_EINPUT, "%s:1: args= longer than %d bytes", path, PS_SWEEP_ARGS_BYTES - 1);
    memcpy(f->args, c + used, alen);
    f->args[alen] = '\0';
    return PS_OK;
}

/* A shard's lines: the comment (args= up to PS_SWEEP_ARGS_BYTES), the header and rows of a few
 * hundred bytes. getline had no ceiling: /dev/zero or a file without newlines grew the line
 * until memory ran out. */
#define SHARD_LINE_MAX_BYTES (PS_SWEEP_ARGS_BYTES + 1024)

static int read_rows(FILE *fp, const char *path, ps_shard_file *f, ps_error *err)
{
    char *line = NULL;
    size_t cap = 0, lineno = 2;
    size_t want = ps_shard_size(&f->shard, f->total_cases);
    size_t rows_cap = 0;
    int rc = PS_OK;
    long got;
    while ((got = ps_getline_bounded(&line, &cap, fp, SHARD_LINE_MAX_BYTES)) != -1) {
        lineno++;
        char where[1100];
        snprintf(where, sizeof where, "%s:%zu", path, lineno);
        if (got == -2) {
            rc = ps_error_set(err, PS_EINPUT, "%s: line longer than %d bytes (not a sweep shard row)", where,
                              SHARD_LINE_MAX_BYTES);
            break;
        }
        if (memchr(line, '\0', (size_t)got)) {
            rc = ps_error_set(err, PS_EINPUT, "%s: NUL byte in a CSV line", where);
            break;
        }
        if (f->count == want) {
            rc = ps_error_set(err, PS_EINPUT, "%s: more rows than shard %d/%d of %zu cases holds (%zu)", where,
                              f->shard.index, f->shard.count, f->total_cases, want);
            break;
        }
        if (ps_grow(&f->rows, &rows_cap, f->count + 1, sizeof *f->rows)) {
            rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
            break;
        }
        if ((rc = ps_report_csv_parse_row(line, where, &f->rows[f->count], err)))
            break;
        f->count++;
    }
    free(line);
    if (!rc && f->count != want)
        rc = ps_error_set(err, PS_EINPUT, "%s: %zu rows, shard %d/%d of %zu cases holds %zu (file cut short?)",
                          path, f->count, f->shard.index, f->shard.count, f->total_cases, want);
    return rc;
}

int ps_shard_read(const char *path, ps_shard_file *out, ps_error *err)
{
    memset(out, 0, sizeof *out);
    FILE *fp = ps_open_text_input(path, err); /* names a directory and the open's reason */
    if (!fp)
        return err->code;
    char *line = NULL;
    size_t cap = 0;
    int rc = PS_OK;
    long got = ps_getline_bounded(&line, &cap, fp, SHARD_LINE_MAX_BYTES);
    if (got == -1)
        rc = ps_error_set(err, PS_EINPUT, "%s: empty file, not a sweep shard", path);
    else if (got == -2)
        rc = ps_error_set(err, PS_EINPUT, "%s:1: line longer than %d bytes, not a sweep shard", path,
                          SHARD_LINE_MAX_BYTES);
    else if (memchr(line, '\0', (size_t)got))
        rc = ps_error_set(err, PS_EINPUT, "%s:1: NUL byte, not a sweep shard", path);
    else
        rc = parse_comment(line, path, out, err);
    if (!rc) {
        char where[1100];
        snprintf(where, sizeof where, "%s:2", path);
        got = ps_getline_bounded(&line, &cap, fp, SHARD_LINE_MAX_BYTES);
        if (got == -1)
            rc = ps_error_set(err, PS_EINPUT, "%s: no CSV header", where);
        else if (got == -2 || memchr(line, '\0', (size_t)got))
            rc = ps_error_set(err, PS_EINPUT, "%s: not the CSV header (NUL byte or a line longer than %d bytes)",
                              where, SHARD_LINE_MAX_BYTES);
        else
            rc = ps_report_csv_check_header(line, where, err);
    }
    free(line);
    if (!rc)
        rc = read_rows(fp, path, out, err);
    fclose(fp);
    if (rc)
        ps_shard_file_free(out);
    return rc;
}

void ps_shard_file_free(ps_shard_file *file)
{
    free(file->rows);
    file->rows = NULL;
    file->count = 0;
}

static int check_same_sweep(const ps_shard_file *files, size_t nfiles, const char *const *paths, ps_error *err)
{
    const ps_shard_file *a = &files[0];
    int n = a->shard.count;
    for (size_t i = 1; i < nfiles; i++) {
        const ps_shard_file *b = &files[i];
        /* the digest alone was named, also when it matched and the arguments or case count did not */
        if (strcmp(a->digest, b->digest))
            return ps_error_set(err, PS_EINPUT, "%s: shard of a different sweep than %s (digest %s, not %s)",
                                paths[i], paths[0], b->digest, a->digest);
        if (strcmp(a->args, b->args))
            return ps_error_set(err, PS_EINPUT, "%s: shard of a different sweep than %s (other args=)", paths[i],
                                paths[0]);
        if (a->total_cases != b->total_cases)
            return ps_error_set(err, PS_EINPUT, "%s: shard of a different sweep than %s (cases=%zu, not %zu)", paths[i],
                                paths[0], b->total_cases, a->total_cases);
        if (b->shard.count != n)
            return ps_error_set(err, PS_EINPUT, "%s: shard %d/%d, but %s is one of %d shards", paths[i],
                                b->shard.index, b->shard.count, paths[0], n);
        for (size_t j = 0; j < i; j++)
            if (files[j].shard.index == b->shard.index)
                return ps_error_set(err, PS_EINPUT, "%s: duplicate of shard %d/%d (%s)", paths[i], b->shard.index,
                                    n, paths[j]);
    }
    if ((size_t)n != nfiles) {
        for (int k = 1; k <= n; k++) {
            size_t j = 0;
            while (j < nfiles && files[j].shard.index != k)
                j++;
            if (j == nfiles)
                return ps_error_set(err, PS_EINPUT, "--merge: shard %d/%d is missing (%zu of %d shards given)", k, n,
                                    nfiles, n);
        }
    }
    return PS_OK;
}

int ps_shard_merge(const ps_shard_file *files, size_t nfiles, const char *const *paths, ps_sweep_row **rows,
                   size_t *count, ps_error *err)
{
    *rows = NULL;
    *count = 0;
    if (nfiles == 0)
        return ps_error_set(err, PS_EINPUT, "--merge: no shard files given");
    if (check_same_sweep(files, nfiles, paths, err))
        return err->code;
    size_t total = files[0].total_cases, n = (size_t)files[0].shard.count;
    const ps_shard_file **by_index = calloc(n, sizeof *by_index);
    ps_sweep_row *out = calloc(total ? total : 1, sizeof *out);
    if (!by_index || !out) {
        free(by_index);
        free(out);
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    for (size_t i = 0; i < nfiles; i++)
        by_index[files[i].shard.index - 1] = &files[i];
    for (size_t c = 0; c < total; c++)
        out[c] = by_index[c % n]->rows[c / n];
    free(by_index);
    for (size_t c = 1; c < total; c++) {
        if (ps_report_row_compare(&out[c - 1], &out[c]) >= 0) {
            ps_error_set(err, PS_EINPUT, "--merge: rows out of order at case %zu (%s TP%dxPP%dxDP%d %s): a shard file was edited?",
                         c, out[c].platform, out[c].tp, out[c].pp, out[c].dp, out[c].scenario);
            free(out);
            return err->code;
        }
    }
    *rows = out;
    *count = total;
    return PS_OK;
}
