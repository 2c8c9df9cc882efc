/* Streaming trace writer (libc only: linked by the CUDA recorder on GPU hosts).
 *
 * Rows go straight to CSV files inside a temporary directory `<dir>.tmp.XXXXXX` beside the
 * target; close writes meta.json, fsyncs every file and renames the directory into place, so a
 * reader sees either the whole trace or nothing. Every row passes the same rules the readers
 * apply (trace_write_rules.c, trace_write_order.c): the writer cannot produce a trace that
 * `parsim trace check` rejects row by row.
 */
#include "parsim/util.h"
#include "parsim/trace.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace_internal.h"

struct ps_trace_writer {
    char *dir;
    char *tmp_dir;
    unsigned flags;
    ps_trace_meta meta;
    FILE *activities, *comms, *ops;
    ps_trace_order order;
};

static const char *const trace_files[] = {PS_TRACE_META_FILE, PS_TRACE_ACTIVITIES_FILE, PS_TRACE_COMMS_FILE,
                                          PS_TRACE_OPS_FILE};

void ps_trace_csv_write_field(FILE *fp, const char *text)
{
    if (!text)
        return;
    size_t n = strlen(text);
    bool quote = n > 0 && (text[0] == ' ' || text[0] == '\t' || text[n - 1] == ' ' || text[n - 1] == '\t');
    if (!quote && strpbrk(text, ",\"\r\n") != NULL)
        quote = true;
    if (!quote) {
        fputs(text, fp);
        return;
    }
    fputc('"', fp);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc('"', fp);
        fputc(*p, fp);
    }
    fputc('"', fp);
}

/* JSON string with the escapes RFC 8259 requires; text is already valid UTF-8. */
static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static FILE *open_in(const char *dir, const char *name)
{
    char *path = path_join(dir, name);
    if (!path)
        return NULL;
    FILE *fp = fopen(path, "w");
    free(path);
    return fp;
}

/* Removes the trace files of `dir`, then `dir` itself; other files are never touched (rmdir then
 * fails and the directory stays). */
static void remove_trace_dir(const char *dir)
{
    for (size_t i = 0; i < sizeof trace_files / sizeof trace_files[0]; i++) {
        char *path = path_join(dir, trace_files[i]);
        if (path)
            unlink(path);
        free(path);
    }
    rmdir(dir);
}

/* 0: absent; 1: an existing directory we may replace; -1: exists and must not be replaced. */
static int existing_target(const char *dir, unsigned flags, ps_error *err)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode)) {
        ps_error_set(err, PS_EINPUT, "%s: exists and is not a directory", dir);
        return -1;
    }
    if (!(flags & PS_TRACE_WRITE_OVERWRITE)) {
        ps_error_set(err, PS_EINPUT, "%s: already exists (remove it or ask to overwrite)", dir);
        return -1;
    }
    /* Replace only what is visibly a trace (or empty): never a directory of other things. */
    DIR *d = opendir(dir);
    if (!d) {
        ps_error_set(err, PS_EINPUT, "%s: cannot open: %s", dir, strerror(errno));
        return -1;
    }
    int verdict = 1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        bool known = false;
        for (size_t i = 0; i < sizeof trace_files / sizeof trace_files[0]; i++)
            known |= strcmp(e->d_name, trace_files[i]) == 0;
        if (!known) {
            ps_error_set(err, PS_EINPUT, "%s: holds '%s', which is not part of a trace; not replacing it", dir,
                         e->d_name);
            verdict = -1;
            break;
        }
    }
    closedir(d);
    return verdict;
}

static int write_csv_headers(ps_trace_writer *w)
{
    fputs(PS_TRACE_ACTIVITIES_HEADER "\n", w->activities);
    fputs(PS_TRACE_COMMS_HEADER "\n", w->comms);
    if (w->ops)
        fputs(PS_TRACE_OPS_HEADER "\n", w->ops);
    return ferror(w->activities) || ferror(w->comms) || (w->ops && ferror(w->ops));
}

int ps_trace_writer_open(ps_trace_writer **out, const char *dir, const ps_trace_meta *meta, unsigned flags,
                         ps_error *err)
{
    *out = NULL;
    if (!dir[0]) /* ".tmp.XXXXXX" would be made in the current directory and never renamed */
        return ps_error_set(err, PS_EINPUT, "the output trace directory name is empty");
    int rc = ps_trace_meta_validate(meta, err);
    if (rc)
        return ps_error_prefix(err, "%s: metadata", dir);
    if (existing_target(dir, flags, err) < 0)
        return PS_EINPUT;
    ps_trace_writer *w = calloc(1, sizeof *w);
    if (!w)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    w->flags = flags;
    w->meta = *meta;
    ps_trace_order_init(&w->order);
    size_t n = strlen(dir);
    w->dir = strdup(dir);
    w->tmp_dir = malloc(n + 16);
    if (!w->dir || !w->tmp_dir) {
        ps_trace_writer_abort(w);
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    /* Strip trailing slashes so that "out/" gives "out.tmp.XXXXXX", not "out/.tmp.XXXXXX". */
    while (n > 1 && w->dir[n - 1] == '/')
        w->dir[--n] = '\0';
    snprintf(w->tmp_dir, n + 16, "%s.tmp.XXXXXX", w->dir);
    if (!mkdtemp(w->tmp_dir)) {
        int saved = errno;
        free(w->tmp_dir);
        w->tmp_dir = NULL;
        ps_trace_writer_abort(w);
        return ps_error_set(err, PS_EINPUT, "%s: cannot create a temporary directory beside it: %s", dir,
                            strerror(saved));
    }
    chmod(w->tmp_dir, 0755); /* mkdtemp makes it 0700; a trace is meant to be shared */
    w->activities = open_in(w->tmp_dir, PS_TRACE_ACTIVITIES_FILE);
    w->comms = open_in(w->tmp_dir, PS_TRACE_COMMS_FILE);
    if (flags & PS_TRACE_WRITE_OPS)
        w->ops = open_in(w->tmp_dir, PS_TRACE_OPS_FILE);
    if (!w->activities || !w->comms || ((flags & PS_TRACE_WRITE_OPS) && !w->ops) || write_csv_headers(w)) {
        int saved = errno;
        ps_trace_writer_abort(w);
        return ps_error_set(err, PS_EINPUT, "%s: cannot write: %s", dir, strerror(saved));
    }
    *out = w;
    return PS_OK;
}

int ps_trace_writer_set_meta(ps_trace_writer *w, const ps_trace_meta *meta, ps_error *err)
{
    int rc = ps_trace_meta_validate(meta, err);
    if (rc)
        return ps_error_prefix(err, "%s: metadata", w->dir);
    w->meta = *meta;
    return PS_OK;
}

int ps_trace_write_activity(ps_trace_writer *w, const ps_trace_activity *a, ps_error *err)
{
    int rc = ps_trace_activity_validate(a, err);
    if (!rc)
        rc = ps_trace_order_activity(&w->order, a, err);
    if (rc)
        return ps_error_prefix(err, "%s: activity row", w->dir);
    FILE *fp = w->activities;
    fprintf(fp, "%d,%d,%lld,", a->rank, a->device, (long long)a->stream);
    ps_trace_csv_write_field(fp, a->op_id);
    fprintf(fp, ",%llu,%s,", (unsigned long long)a->correlation_id, ps_trace_activity_kind_name(a->kind));
    ps_trace_csv_write_field(fp, a->name);
    fprintf(fp, ",%lld,%lld,%llu,%d,%d,%d,%d,%d,%d\n", (long long)a->start_ns, (long long)a->end_ns,
            (unsigned long long)a->bytes, a->grid[0], a->grid[1], a->grid[2], a->block[0], a->block[1],
            a->block[2]);
    return PS_OK;
}

static void write_opt_i64(FILE *fp, int64_t v)
{
    if (v >= 0)
        fprintf(fp, "%lld", (long long)v);
}

int ps_trace_write_comm(ps_trace_writer *w, const ps_trace_comm *c, ps_error *err)
{
    int rc = ps_trace_comm_validate(c, err);
    if (!rc)
        rc = ps_trace_order_comm(&w->order, c, err);
    if (rc)
        return ps_error_prefix(err, "%s: comm row", w->dir);
    FILE *fp = w->comms;
    fprintf(fp, "%d,%lld,", c->rank, (long long)c->stream);
    ps_trace_csv_write_field(fp, c->op_id);
    fprintf(fp, ",%llu,%s,%llu,%s,", (unsigned long long)c->correlation_id,
            ps_trace_collective_name(c->collective), (unsigned long long)c->bytes, c->dtype);
    write_opt_i64(fp, c->peer);
    fputc(',', fp);
    ps_trace_csv_write_field(fp, c->group_id);
    fprintf(fp, ",%d,%llu,", c->group_size, (unsigned long long)c->seq);
    write_opt_i64(fp, c->start_ns);
    fputc(',', fp);
    write_opt_i64(fp, c->end_ns);
    fputc('\n', fp);
    return PS_OK;
}

int ps_trace_write_op(ps_trace_writer *w, const ps_trace_op *o, ps_error *err)
{
    if (!w->ops)
        return ps_error_set(err, PS_EINPUT, "%s: ops.csv was not requested (PS_TRACE_WRITE_OPS)", w->dir);
    int rc = ps_trace_op_validate(o, err);
    if (rc)
        return ps_error_prefix(err, "%s: op row", w->dir);
    FILE *fp = w->ops;
    ps_trace_csv_write_field(fp, o->op_id);
    fputc(',', fp);
    if (o->layer >= 0)
        fprintf(fp, "%d", o->layer);
    fputc(',', fp);
    ps_trace_csv_write_field(fp, o->op_kind);
    fputc(',', fp);
    ps_trace_csv_write_field(fp, o->shape);
    fputc(',', fp);
    ps_trace_csv_write_field(fp, o->graph_node);
    fputc('\n', fp);
    return PS_OK;
}

/* One key per line, in table order: the reader reports errors by the key's line. */
static void write_meta(FILE *fp, const ps_trace_meta *m)
{
    fputs("{\n", fp);
    for (int i = 0; i < ps_trace_meta_field_count; i++) {
        const ps_meta_field *f = &ps_trace_meta_fields[i];
        const char *base = (const char *)m + f->offset;
        fprintf(fp, "  \"%s\": ", f->key);
        switch (f->type) {
        case PS_META_FORMAT: ps_json_write_string(fp, PS_TRACE_FORMAT); break;
        case PS_META_SOURCE: ps_json_write_string(fp, ps_trace_source_name(m->source)); break;
        case PS_META_BOOL: fputs(*(const bool *)base ? "true" : "false", fp); break;
        case PS_META_INT:
        case PS_META_RANK: fprintf(fp, "%d", *(const int *)base); break;
        case PS_META_STRING: ps_json_write_string(fp, base); break;
        }
        fputs(i + 1 < ps_trace_meta_field_count ? ",\n" : "\n", fp);
    }
    fputs("}\n", fp);
}

/* fflush + fsync + fclose; nonzero on any failure, including an earlier failed write. */
static int finish_file(FILE **fpp)
{
    FILE *fp = *fpp;
    *fpp = NULL;
    if (!fp)
        return 0;
    int failed = ferror(fp) || fflush(fp) != 0 || fsync(fileno(fp)) != 0;
    failed |= fclose(fp) != 0;
    return failed;
}

static void fsync_dir_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return;
    char *slash = strrchr(copy, '/');
    const char *parent = ".";
    if (slash == copy)
        parent = "/";
    else if (slash) {
        *slash = '\0';
        parent = copy;
    }
    int fd = open(parent, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd); /* best effort: some file systems refuse fsync on directories */
        close(fd);
    }
    free(copy);
}

/* Moves the finished temporary directory to w->dir, replacing an old trace if allowed. */
static int install(ps_trace_writer *w, ps_error *err)
{
    int verdict = existing_target(w->dir, w->flags, err);
    if (verdict < 0)
        return PS_EINPUT;
    char *old = NULL;
    if (verdict == 1) {
        size_t n = strlen(w->dir) + 16;
        old = malloc(n);
        if (!old)
            return ps_error_set(err, PS_EINTERNAL, "out of memory");
        snprintf(old, n, "%s.old.XXXXXX", w->dir);
        /* rename(2) replaces an empty directory: reserve a unique name, then move the old trace there. */
        if (!mkdtemp(old) || rename(w->dir, old) != 0) {
            int saved = errno;
            rmdir(old);
            free(old);
            return ps_error_set(err, PS_EINPUT, "%s: cannot move the old trace aside: %s", w->dir, strerror(saved));
        }
    }
    if (rename(w->tmp_dir, w->dir) != 0) {
        int saved = errno;
        if (old) {
            rename(old, w->dir); /* put the old trace back */
            free(old);
        }
        return ps_error_set(err, PS_EINPUT, "%s: cannot rename the finished trace into place: %s", w->dir,
                            strerror(saved));
    }
    fsync_dir_of(w->dir);
    if (old) {
        remove_trace_dir(old);
        free(old);
    }
    return PS_OK;
}

int ps_trace_writer_close(ps_trace_writer *w, ps_error *err)
{
    FILE *meta = open_in(w->tmp_dir, PS_TRACE_META_FILE);
    if (meta)
        write_meta(meta, &w->meta);
    int failed = !meta;
    failed |= finish_file(&meta);
    failed |= finish_file(&w->activities);
    failed |= finish_file(&w->comms);
    failed |= finish_file(&w->ops);
    int rc = PS_OK;
    if (failed)
        rc = ps_error_set(err, PS_EINPUT, "%s: write failed: %s", w->dir, strerror(errno));
    else
        rc = install(w, err);
    if (rc) {
        ps_trace_writer_abort(w);
        return rc;
    }
    free(w->tmp_dir);
    w->tmp_dir = NULL; /* installed: abort must not remove it */
    ps_trace_writer_abort(w);
    return PS_OK;
}

void ps_trace_writer_abort(ps_trace_writer *w)
{
    if (!w)
        return;
    if (w->activities)
        fclose(w->activities);
    if (w->comms)
        fclose(w->comms);
    if (w->ops)
        fclose(w->ops);
    if (w->tmp_dir)
        remove_trace_dir(w->tmp_dir);
    ps_trace_order_free(&w->order);
    free(w->tmp_dir);
    free(w->dir);
    free(w);
}
