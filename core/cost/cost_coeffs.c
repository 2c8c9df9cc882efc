/* Coefficient files: key=value text, one per GPU (data/cost/<gpu>.cost), readable by libc alone
 * so that the recorder's dry run can price ops without libcsv or cJSON.
 *
 *   # comment lines (the data, split and command the file came from)
 *   gpu=h200-sxm                         the GPU the file is for
 *   table.error_pct=4.1                  held-out error of table interpolation
 *   <family>.<class>.fitted_on=GPU       whose data fitted this class (absent: defaults)
 *   <family>.<class>.envelope.<dim>=LO..HI   range of the fit data in that dimension
 *   <family>.<class>.error.model=PCT     held-out median |error| on the fitted GPU
 *   <family>.<class>.error.scaled=PCT    held-out median |error| scaled to another GPU
 *   <family>.<class>.<param>=VALUE       a model parameter (family files list them)
 * Unknown keys, malformed numbers and duplicate keys are errors naming FILE:LINE, so that a typo
 * never silently leaves a default in place. Numbers are written with %.9g (byte-identical files
 * from identical fits).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cost_internal.h"
#include "parsim/array.h"
#include "parsim/util.h"

void cost_coeffs_default(cost_coeffs *c)
{
    memset(c, 0, sizeof *c);
    c->table_error_pct = -1;
    for (int f = 0; f < COST_FAMILY_COUNT; f++)
        for (int k = 0; k < cost_families[f]->nclasses; k++) {
            cost_class_coeffs *cc = &c->cls[f][k];
            for (int p = 0; p < cost_families[f]->nparams; p++)
                cc->v[p] = cost_families[f]->params[p].value;
            cc->error_model_pct = cc->error_scaled_pct = -1;
        }
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
}

static int find_name(const char *const *names, int n, const char *name, size_t len)
{
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && !strncmp(names[i], name, len))
            return i;
    return -1;
}

static int parse_range(const char *text, const char *what, double *lo, double *hi, ps_error *err)
{
    const char *dots = strstr(text, "..");
    char buf[64];
    if (!dots || (size_t)(dots - text) >= sizeof buf)
        return ps_error_set(err, PS_EINPUT, "%s: expected LO..HI, got '%s'", what, text);
    memcpy(buf, text, (size_t)(dots - text));
    buf[dots - text] = '\0';
    int rc = ps_parse_double(buf, what, lo, err);
    return rc ? rc : ps_parse_double(dots + 2, what, hi, err);
}

/* <family>.<class>.<rest>=value */
static int set_class_key(cost_coeffs *c, const char *key, const char *value, const char *what, ps_error *err)
{
    const char *d1 = strchr(key, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d2)
        return ps_error_set(err, PS_EINPUT, "%s: unknown key '%s'", what, key);
    int f;
    for (f = 0; f < COST_FAMILY_COUNT; f++)
        if (strlen(cost_families[f]->name) == (size_t)(d1 - key) && !strncmp(cost_families[f]->name, key, (size_t)(d1 - key)))
            break;
    const cost_family *fam = f < COST_FAMILY_COUNT ? cost_families[f] : NULL;
    int k = fam ? find_name(fam->class_names, fam->nclasses, d1 + 1, (size_t)(d2 - d1 - 1)) : -1;
    if (k < 0)
        return ps_error_set(err, PS_EINPUT, "%s: unknown key '%s' (no such op family or class)", what, key);
    cost_class_coeffs *cc = &c->cls[f][k];
    const char *rest = d2 + 1;
    if (!strcmp(rest, "fitted_on")) {
        if (strlen(value) >= sizeof cc->gpu || !ps_gpu_find(value))
            return ps_error_set(err, PS_EINPUT, "%s: unknown GPU '%s'", what, value);
        strcpy(cc->gpu, value);
        cc->present = true;
        return PS_OK;
    }
    if (!strcmp(rest, "error.model"))
        return ps_parse_double(value, what, &cc->error_model_pct, err);
    if (!strcmp(rest, "error.scaled"))
        return ps_parse_double(value, what, &cc->error_scaled_pct, err);
    if (!strncmp(rest, "envelope.", 9)) {
        int d = find_name(fam->dim_names, COST_DIMS, rest + 9, strlen(rest + 9));
        if (d < 0)
            return ps_error_set(err, PS_EINPUT, "%s: unknown envelope dimension in '%s'", what, key);
        cc->has_envelope = true;
        return parse_range(value, what, &cc->lo[d], &cc->hi[d], err);
    }
    int p = -1;
    for (int i = 0; i < fam->nparams; i++)
        if (!strcmp(fam->params[i].name, rest))
            p = i;
    if (p < 0)
        return ps_error_set(err, PS_EINPUT, "%s: unknown parameter in '%s'", what, key);
    int rc = ps_parse_double(value, what, &cc->v[p], err);
    if (!rc && !(cc->v[p] >= fam->params[p].lo && cc->v[p] <= fam->params[p].hi))
        rc = ps_error_set(err, PS_EINPUT, "%s: %s=%g is outside [%g, %g]", what, key, cc->v[p], fam->params[p].lo,
                          fam->params[p].hi);
    return rc;
}

/* Keys already seen, to refuse duplicates (a file is a few hundred lines). */
typedef struct seen_keys {
    char **keys;
    size_t n, cap;
} seen_keys;

static int remember(seen_keys *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->keys[i], key))
            return 1;
    if (ps_grow(&s->keys, &s->cap, s->n + 1, sizeof *s->keys))
        return -1;
    s->keys[s->n] = strdup(key);
    return s->keys[s->n++] ? 0 : -1;
}

static void forget_all(seen_keys *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->keys[i]);
    free(s->keys);
}

static int read_line(cost_coeffs *c, char *line, const char *what, seen_keys *seen, ps_error *err)
{
    trim(line);
    if (line[0] == '\0' || line[0] == '#')
        return PS_OK;
    char *eq = strchr(line, '=');
    if (!eq)
        return ps_error_set(err, PS_EINPUT, "%s: expected key=value, got '%s'", what, line);
    *eq = '\0';
    const char *key = line, *value = eq + 1;
    int dup = remember(seen, key);
    if (dup < 0)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    if (dup)
        return ps_error_set(err, PS_EINPUT, "%s: key '%s' given twice", what, key);
    if (!strcmp(key, "gpu")) {
        if (strlen(value) >= sizeof c->gpu || !ps_gpu_find(value))
            return ps_error_set(err, PS_EINPUT, "%s: unknown GPU '%s' (see parsim platform --list)", what, value);
        strcpy(c->gpu, value);
        return PS_OK;
    }
    if (!strcmp(key, "table.error_pct"))
        return ps_parse_double(value, what, &c->table_error_pct, err);
    return set_class_key(c, key, value, what, err);
}

/* Coefficient files are ASCII; refusing other bytes up front keeps every message one printable line. */
static bool ascii_line(const char *line, const char *what, ps_error *err)
{
    for (const char *b = line; *b; b++)
        if (((unsigned char)*b < 0x20 && *b != '\n' && *b != '\r' && *b != '\t') || (unsigned char)*b >= 0x7f) {
            ps_error_set(err, PS_EINPUT, "%s: byte 0x%02x at column %ld: coefficient files are ASCII", what,
                         (unsigned char)*b, (long)(b - line) + 1);
            return false;
        }
    return true;
}

int cost_coeffs_read(const char *path, cost_coeffs *c, ps_error *err)
{
    cost_coeffs_default(c);
    FILE *fp = ps_open_text_input(path, err);
    if (!fp)
        return ps_error_prefix(err, "cost coefficients"); /* ps_error_prefix adds ": " */
    char *line = NULL, what[600];
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    int rc = PS_OK;
    seen_keys seen = {0};
    while (!rc && (len = ps_getline_bounded(&line, &cap, fp, 4097)) != -1) {
        lineno++;
        snprintf(what, sizeof what, "%s:%ld", path, lineno);
        if (len == -2 || len > 4096)
            rc = ps_error_set(err, PS_EINPUT, "%s: line longer than 4096 bytes", what);
        else if ((size_t)len != strlen(line))
            rc = ps_error_set(err, PS_EINPUT, "%s: NUL byte", what);
        else if (!ascii_line(line, what, err))
            rc = PS_EINPUT;
        else
            rc = read_line(c, line, what, &seen, err);
    }
    free(line);
    forget_all(&seen);
    if (!rc && ferror(fp))
        rc = ps_error_set(err, PS_EINPUT, "%s: read error", path);
    fclose(fp);
    if (!rc && c->gpu[0] == '\0')
        rc = ps_error_set(err, PS_EINPUT, "%s: no 'gpu=' line", path);
    return rc;
}

static void write_class(FILE *fp, const cost_family *fam, const cost_class_coeffs *cc, int k)
{
    const char *f = fam->name, *cl = fam->class_names[k];
    if (cc->present)
        fprintf(fp, "%s.%s.fitted_on=%s\n", f, cl, cc->gpu);
    if (cc->has_envelope)
        for (int d = 0; d < COST_DIMS; d++)
            if (fam->dim_names[d][0] != '-')
                fprintf(fp, "%s.%s.envelope.%s=%.9g..%.9g\n", f, cl, fam->dim_names[d], cc->lo[d], cc->hi[d]);
    if (cc->error_model_pct >= 0)
        fprintf(fp, "%s.%s.error.model=%.3g\n", f, cl, cc->error_model_pct);
    if (cc->error_scaled_pct >= 0)
        fprintf(fp, "%s.%s.error.scaled=%.3g\n", f, cl, cc->error_scaled_pct);
    for (int p = 0; p < fam->nparams; p++)
        fprintf(fp, "%s.%s.%s=%.9g\n", f, cl, fam->params[p].name, cc->v[p]);
}

int cost_coeffs_write(const char *path, const cost_coeffs *c, const char *header, ps_error *err)
{
    ps_atomic_file af;
    int rc = ps_atomic_open(&af, path, err);
    if (rc)
        return rc;
    if (header)
        for (const char *line = header; *line;) {
            const char *nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) : strlen(line);
            fprintf(af.fp, "# %.*s\n", (int)len, line);
            line += len + (nl ? 1 : 0);
        }
    fprintf(af.fp, "gpu=%s\n", c->gpu);
    if (c->table_error_pct >= 0)
        fprintf(af.fp, "table.error_pct=%.3g\n", c->table_error_pct);
    for (int f = 0; f < COST_FAMILY_COUNT; f++)
        for (int k = 0; k < cost_families[f]->nclasses; k++)
            write_class(af.fp, cost_families[f], &c->cls[f][k], k);
    return ps_atomic_commit(&af, err);
}
