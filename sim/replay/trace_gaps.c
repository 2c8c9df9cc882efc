/* sim/replay/trace_gaps.c: the host gaps a trace measured, per op id, for `parsim predict --trace`.
 *
 * A trace of an eager run shows the GPU idle between kernels while the host prepares the next
 * launch (PyTorch eager: tens of microseconds between small kernels). The cost model's trace
 * source gives an op the summed durations of its kernels (cost_trace.c), which leaves those
 * gaps out; this file measures them so that the prediction can replay them instead of dropping
 * them (issue 11: "host gaps measured in a trace are replayed").
 *
 * Definitions (the same occurrences as cost_trace.c): an occurrence of an op is a maximal run of
 * consecutive activities of one rank carrying the same op id. The gap before an activity is its
 * start minus the end of the previous activity on the same (rank, stream), when positive (the
 * first activity of a stream has none). An occurrence's host gap is the sum of the gaps before
 * its activities; an op id's host gap is the median over its occurrences (robust to the odd
 * long stall, as the trace time itself is a median).
 *
 * A gap is only a host gap where nothing else holds the stream back; a trace of one stream per
 * rank (an eager PyTorch run) has nothing else. Rows of a rank are in start order (the trace
 * format's rule), which is what makes "the previous activity" well defined.
 */
#include <stdlib.h>
#include <string.h>

#include "predict_internal.h"
#include "parsim/array.h"
#include "parsim/trace.h"

typedef struct gap_entry {
    char op_id[PS_OP_ID_BYTES];
    double gap_s;
} gap_entry;

struct trace_gaps {
    gap_entry *v; /* after finish: one per op id, sorted by id, the median gap */
    size_t n, cap;
};

typedef struct stream_last {
    int rank;
    int64_t stream, end_ns;
} stream_last;

static int push(trace_gaps *g, const char *op_id, double gap_s)
{
    if (ps_grow(&g->v, &g->cap, g->n + 1, sizeof *g->v))
        return PS_EINTERNAL;
    snprintf(g->v[g->n].op_id, PS_OP_ID_BYTES, "%s", op_id);
    g->v[g->n++].gap_s = gap_s;
    return PS_OK;
}

/* The previous end on (rank, stream), updated to `end_ns`; -1 when the stream is new. */
static int64_t last_end(stream_last **list, size_t *n, size_t *cap, int rank, int64_t stream, int64_t end_ns,
                        bool *oom)
{
    for (size_t i = 0; i < *n; i++)
        if ((*list)[i].rank == rank && (*list)[i].stream == stream) {
            int64_t prev = (*list)[i].end_ns;
            (*list)[i].end_ns = end_ns;
            return prev;
        }
    if (ps_grow(list, cap, *n + 1, sizeof **list)) {
        *oom = true;
        return -1;
    }
    (*list)[(*n)++] = (stream_last){rank, stream, end_ns};
    return -1;
}

static int cmp_entry(const void *a, const void *b)
{
    const gap_entry *x = a, *y = b;
    int c = strcmp(x->op_id, y->op_id);
    return c ? c : (x->gap_s > y->gap_s) - (x->gap_s < y->gap_s);
}

/* Reads one directory's occurrences (raw: one entry per occurrence). */
static int read_dir(trace_gaps *g, const char *dir, ps_error *err)
{
    ps_trace_reader *r = NULL;
    int rc = ps_trace_reader_open(&r, dir, PS_TRACE_TABLE_ACTIVITIES, err);
    if (rc)
        return rc;
    stream_last *streams = NULL;
    size_t nstreams = 0, capstreams = 0;
    char cur_id[PS_OP_ID_BYTES] = "";
    int cur_rank = -1;
    double cur_gap_s = 0;
    bool open = false, oom = false;
    for (;;) {
        ps_trace_activity a;
        bool done = false;
        if ((rc = ps_trace_next_activity(r, &a, &done, err)) || done)
            break;
        int64_t prev = last_end(&streams, &nstreams, &capstreams, a.rank, a.stream, a.end_ns, &oom);
        if (oom)
            break;
        double gap_s = prev >= 0 && a.start_ns > prev ? (double)(a.start_ns - prev) * 1e-9 : 0;
        if (open && (a.rank != cur_rank || strcmp(a.op_id, cur_id))) {
            if (push(g, cur_id, cur_gap_s)) {
                oom = true;
                break;
            }
            open = false;
        }
        if (!open) {
            snprintf(cur_id, sizeof cur_id, "%s", a.op_id);
            cur_rank = a.rank;
            cur_gap_s = 0;
            open = true;
        }
        cur_gap_s += gap_s;
    }
    if (!rc && !oom && open && push(g, cur_id, cur_gap_s))
        oom = true;
    free(streams);
    ps_trace_reader_close(r);
    if (!rc && oom)
        rc = ps_error_set(err, PS_EINTERNAL, "out of memory (trace host gaps)");
    return rc;
}

int trace_gaps_read(const char *const *dirs, int ndirs, trace_gaps **out, ps_error *err)
{
    *out = NULL;
    trace_gaps *g = calloc(1, sizeof *g);
    if (!g)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    for (int i = 0; i < ndirs; i++) {
        int rc = read_dir(g, dirs[i], err);
        if (rc) {
            trace_gaps_free(g);
            return ps_error_prefix(err, "--trace %s", dirs[i]);
        }
    }
    if (g->n)
        qsort(g->v, g->n, sizeof *g->v, cmp_entry);
    size_t w = 0;
    for (size_t i = 0; i < g->n;) { /* one entry per id: the median of its occurrences */
        size_t j = i;
        while (j < g->n && !strcmp(g->v[j].op_id, g->v[i].op_id))
            j++;
        size_t k = j - i;
        double med = k % 2 ? g->v[i + k / 2].gap_s : 0.5 * (g->v[i + k / 2 - 1].gap_s + g->v[i + k / 2].gap_s);
        g->v[w] = g->v[i];
        g->v[w++].gap_s = med;
        i = j;
    }
    g->n = w;
    *out = g;
    return PS_OK;
}

double trace_gaps_of(const trace_gaps *g, const char *op_id)
{
    if (!g || g->n == 0)
        return 0;
    size_t lo = 0, hi = g->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(g->v[mid].op_id, op_id);
        if (c == 0)
            return g->v[mid].gap_s;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

size_t trace_gaps_count(const trace_gaps *g) { return g ? g->n : 0; }

void trace_gaps_free(trace_gaps *g)
{
    if (!g)
        return;
    free(g->v);
    free(g);
}
