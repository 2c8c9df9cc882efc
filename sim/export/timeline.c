/* sim/export/timeline.c: the Chrome trace-event JSON writer of parsim/timeline.h (the layout,
 * the extra-argument hook and the invariants are described there). */
#include "parsim/timeline.h"
#include "parsim/array.h"
#include "parsim/map.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parsim/util.h"

typedef struct tl_link {
    char name[PS_TRACE_MAX_TEXT_BYTES + 1];
    int class_index;
} tl_link;

struct ps_timeline {
    ps_atomic_file file;
    ps_timeline_options opts;
    char gpu_name[PS_TRACE_MAX_TEXT_BYTES + 1];
    char label[64];
    ps_trace_meta meta;
    bool have_meta;
    ps_u64map seen; /* the (rank) and (rank, track) keys whose metadata events were written */
    uint64_t events, skipped;
    char classes[PS_TIMELINE_MAX_LINK_CLASSES][PS_TRACE_MAX_TEXT_BYTES + 1];
    int n_classes;
    tl_link *links;
    int n_links;
    size_t cap_links;
};

/* ns -> µs with exactly 3 decimals, printed from integers so that no digit is lost. */
static void json_us(FILE *fp, int64_t ns)
{
    uint64_t mag = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    fprintf(fp, "%s%llu.%03llu", ns < 0 ? "-" : "", (unsigned long long)(mag / 1000),
            (unsigned long long)(mag % 1000));
}

static void event_sep(ps_timeline *w)
{
    fputs(w->events++ ? ",\n" : "\n", w->file.fp);
}

/* ---- extra arguments (the annotation hook) ---- */

/* Checks the caller's extra arguments against the event's own keys (NULL-terminated) and each
 * other, before anything of the event is written. */
static int check_extra(const ps_timeline_args *extra, const char *const *builtin, ps_error *err)
{
    if (!extra || !extra->count)
        return PS_OK;
    if (!extra->items)
        return ps_error_set(err, PS_EINPUT, "timeline: %zu extra arguments but no list", extra->count);
    for (size_t i = 0; i < extra->count; i++) {
        const ps_timeline_arg *a = &extra->items[i];
        if (!a->key || !a->key[0])
            return ps_error_set(err, PS_EINPUT, "timeline: extra argument %zu has no key", i + 1);
        for (const char *const *b = builtin; *b; b++)
            if (!strcmp(*b, a->key))
                return ps_error_set(err, PS_EINPUT, "timeline: extra argument \"%s\" is one of the event's own", a->key);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(extra->items[j].key, a->key))
                return ps_error_set(err, PS_EINPUT, "timeline: extra argument \"%s\" given twice", a->key);
        if (a->type == PS_TIMELINE_ARG_STRING && !a->str)
            return ps_error_set(err, PS_EINPUT, "timeline: extra argument \"%s\" has no string", a->key);
        if (a->type == PS_TIMELINE_ARG_NUMBER && !isfinite(a->num))
            return ps_error_set(err, PS_EINPUT, "timeline: extra argument \"%s\" is not a finite number", a->key);
        if (a->type != PS_TIMELINE_ARG_STRING && a->type != PS_TIMELINE_ARG_NUMBER && a->type != PS_TIMELINE_ARG_INT)
            return ps_error_set(err, PS_EINPUT, "timeline: extra argument \"%s\" has an unknown type", a->key);
    }
    return PS_OK;
}

/* Integral values print as integers ("error_pct": 7), others with 17 significant digits (the
 * double round-trips); the same value always prints the same. */
static void write_number(FILE *fp, double x)
{
    if (x == 0.0)
        fputs("0", fp); /* also -0.0 */
    else if (fabs(x) < 9007199254740992.0 && x == (double)(int64_t)x)
        fprintf(fp, "%lld", (long long)x);
    else
        fprintf(fp, "%.17g", x);
}

static void write_extra(FILE *fp, const ps_timeline_args *extra)
{
    if (!extra)
        return;
    for (size_t i = 0; i < extra->count; i++) {
        const ps_timeline_arg *a = &extra->items[i];
        fputs(", ", fp);
        ps_json_write_string(fp, a->key);
        fputs(": ", fp);
        if (a->type == PS_TIMELINE_ARG_STRING)
            ps_json_write_string(fp, a->str);
        else if (a->type == PS_TIMELINE_ARG_INT)
            fprintf(fp, "%lld", (long long)a->i64);
        else
            write_number(fp, a->num);
    }
}

static const char *const activity_keys[] = {"device", "stream", "correlation", "op_id", "grid", "block", "bytes", NULL};
static const char *const comm_keys[] = {"collective", "bytes", "dtype", "peer", "root", "group", "group_size",
                                        "seq", "op_id", "correlation", "stream", NULL};
static const char *const link_keys[] = {"class", "link", "bytes", NULL};

int ps_timeline_open(ps_timeline **out, const char *path, const ps_timeline_options *opts, ps_error *err)
{
    *out = NULL;
    ps_timeline *w = calloc(1, sizeof *w);
    if (!w)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    w->opts = *opts;
    /* one key per rank and per track of the rows written: as many as the rows, which the
     * caller's reader has already bounded (the private set this was had no limit either) */
    w->seen.max = PS_MAP_NO_LIMIT;
    snprintf(w->gpu_name, sizeof w->gpu_name, "%s", opts->gpu_name && *opts->gpu_name ? opts->gpu_name : "GPU");
    snprintf(w->label, sizeof w->label, "%s", opts->label ? opts->label : "");
    if (opts->meta) {
        w->meta = *opts->meta;
        w->have_meta = true;
    }
    w->opts.gpu_name = w->gpu_name;
    w->opts.label = w->label;
    w->opts.meta = NULL;
    int rc = ps_atomic_open(&w->file, path, err);
    if (rc) {
        free(w);
        return rc;
    }
    fputs("{\"traceEvents\": [", w->file.fp);
    *out = w;
    return PS_OK;
}

/* Process metadata the first time a rank appears, thread metadata the first time a track does. */
static int ensure_track(ps_timeline *w, int rank, int64_t tid, const char *track_name, int64_t sort,
                        ps_error *err)
{
    FILE *fp = w->file.fp;
    int first = ps_u64map_add(&w->seen, (uint64_t)rank, NULL);
    if (first < 0)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    if (first) {
        event_sep(w);
        fprintf(fp, "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": %d, \"args\": {\"name\": ", rank);
        char name[PS_TRACE_MAX_TEXT_BYTES + 128];
        snprintf(name, sizeof name, "%s%srank %d (%s)", w->label, w->label[0] ? " " : "", rank, w->gpu_name);
        ps_json_write_string(fp, name);
        fputs("}}", fp);
        event_sep(w);
        fprintf(fp, "{\"name\": \"process_sort_index\", \"ph\": \"M\", \"pid\": %d, \"args\": {\"sort_index\": %d}}",
                rank, rank);
    }
    /* Ranks fit in 17 bits and tids in 35: one key per (rank, track). */
    int track_first = ps_u64map_add(&w->seen, (UINT64_C(1) << 63) | ((uint64_t)rank << 40) | (uint64_t)tid, NULL);
    if (track_first < 0)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    if (track_first) {
        event_sep(w);
        fprintf(fp, "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": %d, \"tid\": %lld, \"args\": {\"name\": ",
                rank, (long long)tid);
        ps_json_write_string(fp, track_name);
        fputs("}}", fp);
        event_sep(w);
        fprintf(fp,
                "{\"name\": \"thread_sort_index\", \"ph\": \"M\", \"pid\": %d, \"tid\": %lld, \"args\": "
                "{\"sort_index\": %lld}}",
                rank, (long long)tid, (long long)sort);
    }
    return PS_OK;
}

static void event_head(ps_timeline *w, const char *name, const char *cat, int pid, int64_t tid,
                       int64_t start_ns, int64_t end_ns)
{
    FILE *fp = w->file.fp;
    event_sep(w);
    fputs("{\"name\": ", fp);
    ps_json_write_string(fp, name);
    fprintf(fp, ", \"cat\": \"%s\", \"ph\": \"X\", \"pid\": %d, \"tid\": %lld, \"ts\": ", cat, pid, (long long)tid);
    json_us(fp, start_ns - w->opts.origin_ns);
    fputs(", \"dur\": ", fp);
    json_us(fp, end_ns - start_ns);
}

int ps_timeline_add_activity(ps_timeline *w, const ps_trace_activity *a, const ps_timeline_args *extra, ps_error *err)
{
    int rc = ps_trace_activity_validate(a, err);
    if (rc || (rc = check_extra(extra, activity_keys, err)))
        return rc;
    char track[64];
    snprintf(track, sizeof track, "stream %lld", (long long)a->stream);
    if ((rc = ensure_track(w, a->rank, a->stream, track, a->stream, err)))
        return rc;
    static const char *const cats[PS_TRACE_ACTIVITY_KIND_COUNT] = {"kernel", "gpu_memcpy", "gpu_memset"};
    event_head(w, a->name, cats[a->kind], a->rank, a->stream, a->start_ns, a->end_ns);
    FILE *fp = w->file.fp;
    fprintf(fp, ", \"args\": {\"device\": %d, \"stream\": %lld, \"correlation\": %llu, \"op_id\": ", a->device,
            (long long)a->stream, (unsigned long long)a->correlation_id);
    ps_json_write_string(fp, a->op_id);
    if (a->kind == PS_TRACE_KERNEL)
        fprintf(fp, ", \"grid\": [%d, %d, %d], \"block\": [%d, %d, %d]", a->grid[0], a->grid[1], a->grid[2],
                a->block[0], a->block[1], a->block[2]);
    else
        fprintf(fp, ", \"bytes\": %llu", (unsigned long long)a->bytes);
    write_extra(fp, extra);
    fputs("}}", fp);
    return PS_OK;
}

int ps_timeline_add_comm(ps_timeline *w, const ps_trace_comm *c, const ps_timeline_args *extra, ps_error *err)
{
    int rc = ps_trace_comm_validate(c, err);
    if (rc || (rc = check_extra(extra, comm_keys, err)))
        return rc;
    if (c->start_ns < 0) {
        w->skipped++;
        return PS_OK;
    }
    int k = c->collective == PS_TRACE_SEND ? 2 : c->collective == PS_TRACE_RECV ? 3 : 1;
    int64_t tid = ((int64_t)k << 32) + c->stream;
    char track[96];
    snprintf(track, sizeof track, "NCCL %sstream %lld", k == 2 ? "send " : k == 3 ? "recv " : "",
             (long long)c->stream);
    /* NCCL tracks sort after the stream tracks, in stream order. */
    if ((rc = ensure_track(w, c->rank, tid, track, tid, err)))
        return rc;
    const char *coll = ps_trace_collective_name(c->collective);
    char name[PS_TRACE_MAX_ID_BYTES + 64];
    snprintf(name, sizeof name, "%s %s", coll, c->group_id);
    event_head(w, name, "collective_comm", c->rank, tid, c->start_ns, c->end_ns);
    FILE *fp = w->file.fp;
    fputs(", \"args\": {\"collective\": ", fp);
    ps_json_write_string(fp, coll);
    fprintf(fp, ", \"bytes\": %llu, \"dtype\": ", (unsigned long long)c->bytes);
    ps_json_write_string(fp, c->dtype);
    if (c->peer >= 0)
        fprintf(fp, ", \"%s\": %d", ps_trace_collective_is_p2p(c->collective) ? "peer" : "root", c->peer);
    fputs(", \"group\": ", fp);
    ps_json_write_string(fp, c->group_id);
    fprintf(fp, ", \"group_size\": %d, \"seq\": %llu, \"op_id\": ", c->group_size, (unsigned long long)c->seq);
    ps_json_write_string(fp, c->op_id);
    fprintf(fp, ", \"correlation\": %llu, \"stream\": %lld", (unsigned long long)c->correlation_id,
            (long long)c->stream);
    write_extra(fp, extra);
    fputs("}}", fp);
    return PS_OK;
}

/* ---- links ---- */

static bool name_ok(const char *s) { return s && s[0] && ps_trace_text_valid(s, PS_TRACE_MAX_TEXT_BYTES, false); }

int ps_timeline_define_link(ps_timeline *w, const char *link_class, const char *link_name, int *link_id,
                            ps_error *err)
{
    if (!name_ok(link_class) || !name_ok(link_name))
        return ps_error_set(err, PS_EINPUT, "timeline: a link class and name must be printable text of 1 to %d bytes",
                            PS_TRACE_MAX_TEXT_BYTES);
    int cls = -1;
    for (int i = 0; i < w->n_classes; i++)
        if (!strcmp(w->classes[i], link_class))
            cls = i;
    for (int i = 0; cls >= 0 && i < w->n_links; i++)
        if (w->links[i].class_index == cls && !strcmp(w->links[i].name, link_name))
            return ps_error_set(err, PS_EINPUT, "timeline: link \"%s\" of class \"%s\" defined twice", link_name, link_class);
    if (w->n_links >= PS_TIMELINE_MAX_LINKS)
        return ps_error_set(err, PS_EINPUT, "timeline: more than %d links", PS_TIMELINE_MAX_LINKS);
    FILE *fp = w->file.fp;
    if (cls < 0) {
        if (w->n_classes >= PS_TIMELINE_MAX_LINK_CLASSES)
            return ps_error_set(err, PS_EINPUT, "timeline: more than %d link classes", PS_TIMELINE_MAX_LINK_CLASSES);
        cls = w->n_classes++;
        snprintf(w->classes[cls], sizeof w->classes[cls], "%s", link_class);
        int pid = PS_TIMELINE_LINK_PID_BASE + cls;
        char name[PS_TRACE_MAX_TEXT_BYTES + 96];
        snprintf(name, sizeof name, "%s%slinks: %s", w->label, w->label[0] ? " " : "", link_class);
        event_sep(w);
        fprintf(fp, "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": %d, \"args\": {\"name\": ", pid);
        ps_json_write_string(fp, name);
        fputs("}}", fp);
        event_sep(w);
        fprintf(fp, "{\"name\": \"process_sort_index\", \"ph\": \"M\", \"pid\": %d, \"args\": {\"sort_index\": %d}}",
                pid, pid);
    }
    if (ps_grow(&w->links, &w->cap_links, (size_t)w->n_links + 1, sizeof *w->links))
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    int id = w->n_links++;
    snprintf(w->links[id].name, sizeof w->links[id].name, "%s", link_name);
    w->links[id].class_index = cls;
    int pid = PS_TIMELINE_LINK_PID_BASE + cls;
    event_sep(w);
    fprintf(fp, "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": %d, \"tid\": %d, \"args\": {\"name\": ", pid, id + 1);
    ps_json_write_string(fp, link_name);
    fputs("}}", fp);
    event_sep(w);
    fprintf(fp, "{\"name\": \"thread_sort_index\", \"ph\": \"M\", \"pid\": %d, \"tid\": %d, \"args\": {\"sort_index\": %d}}",
            pid, id + 1, id + 1);
    *link_id = id;
    return PS_OK;
}

static int check_link(const ps_timeline *w, int link_id, ps_error *err)
{
    if (link_id < 0 || link_id >= w->n_links)
        return ps_error_set(err, PS_EINPUT, "timeline: link id %d was not defined (%d links)", link_id, w->n_links);
    return PS_OK;
}

static int check_time(int64_t ns, const char *what, ps_error *err)
{
    if (ns < -PS_TRACE_MAX_TIME_NS || ns > PS_TRACE_MAX_TIME_NS)
        return ps_error_set(err, PS_EINPUT, "timeline: %s %lld ns is beyond 2^62 ns", what, (long long)ns);
    return PS_OK;
}

int ps_timeline_add_link_slice(ps_timeline *w, int link_id, const char *name, int64_t start_ns, int64_t end_ns,
                               uint64_t bytes, const ps_timeline_args *extra, ps_error *err)
{
    int rc;
    if ((rc = check_link(w, link_id, err)) || (rc = check_time(start_ns, "link slice start", err)) ||
        (rc = check_time(end_ns, "link slice end", err)) || (rc = check_extra(extra, link_keys, err)))
        return rc;
    if (!name || !name[0] || strlen(name) > PS_TRACE_MAX_TEXT_BYTES)
        return ps_error_set(err, PS_EINPUT, "timeline: a link slice needs a name of 1 to %d bytes", PS_TRACE_MAX_TEXT_BYTES);
    if (end_ns < start_ns)
        return ps_error_set(err, PS_EINPUT, "timeline: link slice \"%s\" ends (%lld ns) before it starts (%lld ns)", name,
                            (long long)end_ns, (long long)start_ns);
    if (bytes > PS_TRACE_MAX_BYTES)
        return ps_error_set(err, PS_EINPUT, "timeline: link slice \"%s\": %llu bytes is beyond 2^50", name, (unsigned long long)bytes);
    const tl_link *l = &w->links[link_id];
    event_head(w, name, "link", PS_TIMELINE_LINK_PID_BASE + l->class_index, link_id + 1, start_ns, end_ns);
    FILE *fp = w->file.fp;
    fputs(", \"args\": {\"class\": ", fp);
    ps_json_write_string(fp, w->classes[l->class_index]);
    fputs(", \"link\": ", fp);
    ps_json_write_string(fp, l->name);
    fprintf(fp, ", \"bytes\": %llu", (unsigned long long)bytes);
    write_extra(fp, extra);
    fputs("}}", fp);
    return PS_OK;
}

int ps_timeline_add_link_counter(ps_timeline *w, int link_id, int64_t ts_ns, const char *series, double value,
                                 ps_error *err)
{
    int rc;
    if ((rc = check_link(w, link_id, err)) || (rc = check_time(ts_ns, "link counter time", err)))
        return rc;
    if (!name_ok(series))
        return ps_error_set(err, PS_EINPUT, "timeline: a counter series needs a printable name of 1 to %d bytes",
                            PS_TRACE_MAX_TEXT_BYTES);
    if (!isfinite(value))
        return ps_error_set(err, PS_EINPUT, "timeline: counter %s of link \"%s\" is not a finite number", series,
                            w->links[link_id].name);
    const tl_link *l = &w->links[link_id];
    FILE *fp = w->file.fp;
    event_sep(w);
    fputs("{\"name\": ", fp);
    ps_json_write_string(fp, l->name);
    fprintf(fp, ", \"cat\": \"link\", \"ph\": \"C\", \"pid\": %d, \"ts\": ", PS_TIMELINE_LINK_PID_BASE + l->class_index);
    json_us(fp, ts_ns - w->opts.origin_ns);
    fputs(", \"args\": {", fp);
    ps_json_write_string(fp, series);
    fputs(": ", fp);
    write_number(fp, value);
    fputs("}}", fp);
    return PS_OK;
}

uint64_t ps_timeline_events(const ps_timeline *w) { return w->events; }
uint64_t ps_timeline_skipped(const ps_timeline *w) { return w->skipped; }

static void write_meta(ps_timeline *w)
{
    FILE *fp = w->file.fp;
    const ps_trace_meta *m = &w->meta;
    fputs(",\n\"parsim\": {\"format\": ", fp);
    ps_json_write_string(fp, ps_trace_format_name(m->format_version));
    fputs(", \"source\": ", fp);
    ps_json_write_string(fp, ps_trace_source_name(m->source));
    fprintf(fp, ", \"shard_emulation\": %s, \"gpu_name\": ", m->shard_emulation ? "true" : "false");
    ps_json_write_string(fp, m->gpu_name);
    fprintf(fp, ", \"gpu_count\": %d, \"model\": ", m->gpu_count);
    ps_json_write_string(fp, m->model);
    fputs(", \"dtype\": ", fp);
    ps_json_write_string(fp, m->dtype);
    fprintf(fp, ", \"tp\": %d, \"pp\": %d, \"dp\": %d, \"batch\": %d, \"isl\": %d, \"osl\": %d, \"phase\": ", m->tp,
            m->pp, m->dp, m->batch, m->isl, m->osl);
    ps_json_write_string(fp, m->phase);
    fputs(", \"date\": ", fp);
    ps_json_write_string(fp, m->date);
    fputs(", \"kv_dtype\": ", fp);
    ps_json_write_string(fp, m->kv_dtype);
    fprintf(fp, ", \"microbatches\": %d, \"launch_mode\": ", m->microbatches);
    ps_json_write_string(fp, m->launch_mode);
    fprintf(fp, ", \"emulated_rank\": %d, \"layer_first\": %d, \"layer_count\": %d, \"platform\": ",
            m->emulated_rank, m->layer_first, m->layer_count);
    ps_json_write_string(fp, m->platform);
    fputs("}", fp);
}

int ps_timeline_close(ps_timeline *w, ps_error *err)
{
    FILE *fp = w->file.fp;
    fprintf(fp, "\n],\n\"displayTimeUnit\": \"ns\",\n\"baseTimeNanoseconds\": %lld", (long long)w->opts.origin_ns);
    if (w->have_meta)
        write_meta(w);
    fputs("\n}\n", fp);
    int rc = ps_atomic_commit(&w->file, err);
    ps_u64map_free(&w->seen);
    free(w->links);
    free(w);
    return rc;
}

void ps_timeline_abort(ps_timeline *w)
{
    if (!w)
        return;
    ps_atomic_abort(&w->file);
    ps_u64map_free(&w->seen);
    free(w->links);
    free(w);
}

int ps_timeline_export_trace(const char *dir, const char *path, uint64_t *events, uint64_t *skipped, ps_error *err)
{
    ps_trace_summary summary;
    int rc = ps_trace_check(dir, &summary, err);
    if (rc)
        return rc;
    ps_timeline_options opts = {.origin_ns = summary.first_ns, .gpu_name = summary.meta.gpu_name,
                              .meta = &summary.meta};
    ps_timeline *w = NULL;
    ps_trace_reader *r = NULL;
    rc = ps_timeline_open(&w, path, &opts, err);
    if (!rc)
        rc = ps_trace_reader_open(&r, dir, PS_TRACE_TABLE_ACTIVITIES, err);
    for (bool done = false; !rc && !done;) {
        ps_trace_activity a;
        rc = ps_trace_next_activity(r, &a, &done, err);
        if (!rc && !done)
            rc = ps_timeline_add_activity(w, &a, NULL, err);
    }
    ps_trace_reader_close(r);
    r = NULL;
    if (!rc)
        rc = ps_trace_reader_open(&r, dir, PS_TRACE_TABLE_COMMS, err);
    for (bool done = false; !rc && !done;) {
        ps_trace_comm c;
        rc = ps_trace_next_comm(r, &c, &done, err);
        if (!rc && !done)
            rc = ps_timeline_add_comm(w, &c, NULL, err);
    }
    ps_trace_reader_close(r);
    if (!rc) {
        *events = ps_timeline_events(w);
        *skipped = ps_timeline_skipped(w);
        rc = ps_timeline_close(w, err);
    } else {
        ps_timeline_abort(w);
    }
    ps_trace_summary_free(&summary);
    return rc;
}
