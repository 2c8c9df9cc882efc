/* Chrome trace-event JSON writer (see chrome_trace.h for the layout and why). */
#include "export/chrome_trace.h"

#include <stdlib.h>
#include <string.h>

#include "parsim/util.h"

/* Small set of u64 keys: the (rank) and (rank, track) pairs whose metadata events were written. */
typedef struct key_set {
    uint64_t *keys; /* 0 = empty slot; stored keys are key + 1 */
    size_t cap, len;
} key_set;

struct ps_chrome_writer {
    ps_atomic_file file;
    ps_chrome_options opts;
    char gpu_name[PS_TRACE_MAX_TEXT_BYTES + 1];
    char label[64];
    ps_trace_meta meta;
    bool have_meta;
    key_set seen;
    uint64_t events, skipped;
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    return x;
}

/* Returns 1 if inserted (first time), 0 if present, -1 out of memory. */
static int key_set_add(key_set *s, uint64_t key)
{
    if ((s->len + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        uint64_t *keys = calloc(cap, sizeof *keys);
        if (!keys)
            return -1;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->keys[i])
                continue;
            size_t j = mix(s->keys[i]) & (cap - 1);
            while (keys[j])
                j = (j + 1) & (cap - 1);
            keys[j] = s->keys[i];
        }
        free(s->keys);
        s->keys = keys;
        s->cap = cap;
    }
    uint64_t stored = key + 1;
    size_t j = mix(stored) & (s->cap - 1);
    while (s->keys[j]) {
        if (s->keys[j] == stored)
            return 0;
        j = (j + 1) & (s->cap - 1);
    }
    s->keys[j] = stored;
    s->len++;
    return 1;
}

/* ns -> µs with exactly 3 decimals, printed from integers so that no digit is lost. */
static void json_us(FILE *fp, int64_t ns)
{
    uint64_t mag = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    fprintf(fp, "%s%llu.%03llu", ns < 0 ? "-" : "", (unsigned long long)(mag / 1000),
            (unsigned long long)(mag % 1000));
}

static void event_sep(ps_chrome_writer *w)
{
    fputs(w->events++ ? ",\n" : "\n", w->file.fp);
}

int ps_chrome_open(ps_chrome_writer **out, const char *path, const ps_chrome_options *opts, ps_error *err)
{
    *out = NULL;
    ps_chrome_writer *w = calloc(1, sizeof *w);
    if (!w)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    w->opts = *opts;
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
static int ensure_track(ps_chrome_writer *w, int rank, int64_t tid, const char *track_name, int64_t sort,
                        ps_error *err)
{
    FILE *fp = w->file.fp;
    int first = key_set_add(&w->seen, (uint64_t)rank);
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
    int track_first = key_set_add(&w->seen, (UINT64_C(1) << 63) | ((uint64_t)rank << 40) | (uint64_t)tid);
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

static void event_head(ps_chrome_writer *w, const char *name, const char *cat, int pid, int64_t tid,
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

int ps_chrome_add_activity(ps_chrome_writer *w, const ps_trace_activity *a, ps_error *err)
{
    int rc = ps_trace_activity_validate(a, err);
    if (rc)
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
    fputs("}}", fp);
    return PS_OK;
}

int ps_chrome_add_comm(ps_chrome_writer *w, const ps_trace_comm *c, ps_error *err)
{
    int rc = ps_trace_comm_validate(c, err);
    if (rc)
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
    fprintf(fp, ", \"correlation\": %llu, \"stream\": %lld}}", (unsigned long long)c->correlation_id,
            (long long)c->stream);
    return PS_OK;
}

uint64_t ps_chrome_events(const ps_chrome_writer *w) { return w->events; }
uint64_t ps_chrome_skipped(const ps_chrome_writer *w) { return w->skipped; }

static void write_meta(ps_chrome_writer *w)
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

int ps_chrome_close(ps_chrome_writer *w, ps_error *err)
{
    FILE *fp = w->file.fp;
    fprintf(fp, "\n],\n\"displayTimeUnit\": \"ns\",\n\"baseTimeNanoseconds\": %lld", (long long)w->opts.origin_ns);
    if (w->have_meta)
        write_meta(w);
    fputs("\n}\n", fp);
    int rc = ps_atomic_commit(&w->file, err);
    free(w->seen.keys);
    free(w);
    return rc;
}

void ps_chrome_abort(ps_chrome_writer *w)
{
    if (!w)
        return;
    ps_atomic_abort(&w->file);
    free(w->seen.keys);
    free(w);
}

int ps_chrome_export_trace(const char *dir, const char *path, uint64_t *events, uint64_t *skipped, ps_error *err)
{
    ps_trace_summary summary;
    int rc = ps_trace_check(dir, &summary, err);
    if (rc)
        return rc;
    ps_chrome_options opts = {.origin_ns = summary.first_ns, .gpu_name = summary.meta.gpu_name,
                              .meta = &summary.meta};
    ps_chrome_writer *w = NULL;
    ps_trace_reader *r = NULL;
    rc = ps_chrome_open(&w, path, &opts, err);
    if (!rc)
        rc = ps_trace_reader_open(&r, dir, PS_TRACE_TABLE_ACTIVITIES, err);
    for (bool done = false; !rc && !done;) {
        ps_trace_activity a;
        rc = ps_trace_next_activity(r, &a, &done, err);
        if (!rc && !done)
            rc = ps_chrome_add_activity(w, &a, err);
    }
    ps_trace_reader_close(r);
    r = NULL;
    if (!rc)
        rc = ps_trace_reader_open(&r, dir, PS_TRACE_TABLE_COMMS, err);
    for (bool done = false; !rc && !done;) {
        ps_trace_comm c;
        rc = ps_trace_next_comm(r, &c, &done, err);
        if (!rc && !done)
            rc = ps_chrome_add_comm(w, &c, err);
    }
    ps_trace_reader_close(r);
    if (!rc) {
        *events = ps_chrome_events(w);
        *skipped = ps_chrome_skipped(w);
        rc = ps_chrome_close(w, err);
    } else {
        ps_chrome_abort(w);
    }
    ps_trace_summary_free(&summary);
    return rc;
}
