/* ps_cost_model_add_trace: turns a parsim trace directory into the cost model's trace entries
 * (exact op ids) and table points (cost_model.h). Needs the trace reader (libcsv + cJSON), so it
 * lives in parsim_core, not in the libc-only part.
 *
 * An op's time is the sum of the durations of its activities in one occurrence; an occurrence is a
 * maximal run of consecutive activities of one rank carrying the same op id (decode steps reuse
 * ids, so an id occurs once per step). Its trace time is the median over occurrences and ranks,
 * its error the median absolute deviation from that median, in percent. Table points need the
 * op's shape: it comes from the op graph of the meta's model, plan and scenario (the decode graph
 * of step 0), so a trace whose meta does not name a preset gives exact ids only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost_model.h"
#include "parsim/array.h"
#include "parsim/trace.h"
#include "parsim/workload.h"

typedef struct occurrence {
    char op_id[PS_OP_ID_BYTES];
    int rank;
    double time_us;
} occurrence;

typedef struct occ_list {
    occurrence *v;
    size_t n, cap;
} occ_list;

static int occ_push(occ_list *l, const char *op_id, int rank, double t)
{
    if (ps_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v))
        return PS_EINTERNAL;
    snprintf(l->v[l->n].op_id, PS_OP_ID_BYTES, "%s", op_id);
    l->v[l->n].rank = rank;
    l->v[l->n++].time_us = t;
    return PS_OK;
}

/* Reads the activities into occurrences (one per run of the same op id on a rank). */
static int read_occurrences(const char *dir, occ_list *out, ps_error *err)
{
    ps_trace_reader *r = NULL;
    int rc = ps_trace_reader_open(&r, dir, PS_TRACE_TABLE_ACTIVITIES, err);
    if (rc)
        return rc;
    enum { MAX_RANKS = 4096 };
    long *last = malloc(MAX_RANKS * sizeof *last); /* index into out of each rank's open occurrence */
    if (!last) {
        ps_trace_reader_close(r);
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    for (int i = 0; i < MAX_RANKS; i++)
        last[i] = -1;
    bool done = false;
    while (!rc) {
        ps_trace_activity a;
        rc = ps_trace_next_activity(r, &a, &done, err);
        if (rc || done)
            break;
        if (!a.op_id || !a.op_id[0] || a.rank < 0 || a.rank >= MAX_RANKS)
            continue;
        double t = (double)(a.end_ns - a.start_ns) / 1e3;
        long o = last[a.rank];
        if (o >= 0 && !strcmp(out->v[o].op_id, a.op_id)) {
            out->v[o].time_us += t;
        } else {
            rc = occ_push(out, a.op_id, a.rank, t);
            last[a.rank] = (long)out->n - 1;
            if (rc)
                ps_error_set(err, rc, "out of memory");
        }
    }
    free(last);
    ps_trace_reader_close(r);
    return rc;
}

static int cmp_occ(const void *x, const void *y)
{
    const occurrence *a = x, *b = y;
    int c = strcmp(a->op_id, b->op_id);
    return c ? c : a->time_us < b->time_us ? -1 : a->time_us > b->time_us ? 1 : 0;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b ? 1 : 0;
}

/* The op graphs (prefill, decode step 0) of the meta's run, when the meta describes one
 * (ps_workload_trace_meta_complete: a preset model, a plan and a scenario). `use[p]`: ops of
 * phase p (0 prefill, 1 decode) are the meta's scenario. A meta that says its phase ("prefill" or
 * "decode") describes that phase only: the other phase's ops in the trace ran at shapes the meta
 * does not give (the H200 Kineto reference: prefill at batch 1, decode at batch 32, imported with
 * --batch 32 --phase decode), so they give neither exact ids nor table points. */
typedef struct meta_graphs {
    ps_graph g[2];
    bool built[2];
    bool use[2];
} meta_graphs;

static int build_graphs(const ps_trace_meta *meta, meta_graphs *mg, ps_error *err)
{
    memset(mg, 0, sizeof *mg);
    mg->use[0] = strcmp(meta->phase, "decode") != 0;
    mg->use[1] = strcmp(meta->phase, "prefill") != 0;
    if (!ps_workload_trace_meta_complete(meta))
        return PS_OK; /* exact ids only */
    ps_workload w;
    int rc = ps_workload_from_trace_meta(meta, &w, err);
    if (rc)
        return rc;
    ps_error why = {0};
    for (int p = 0; p < 2; p++) {
        ps_step step;
        if (!mg->use[p])
            continue;
        rc = p == 0 ? ps_step_prefill(&w.plan, &w.scenario, 0, &step, &why)
                    : ps_step_decode(&w.plan, &w.scenario, 0, &step, &why);
        if (!rc && !ps_graph_build(&w.model, &w.precision, &w.plan, &step, &mg->g[p], &why))
            mg->built[p] = true;
    }
    return PS_OK;
}

/* The phase of an op id (docs/workload.md: ids start with the step's phase): 0 prefill, 1 decode. */
static int id_phase(const char *op_id) { return strncmp(op_id, "decode/", 7) ? 0 : 1; }

static int add_entry(ps_cost_model *m, const meta_graphs *mg, const occurrence *first, size_t count, int tp_pp)
{
    int p = id_phase(first->op_id);
    if (!mg->use[p])
        return PS_OK;
    double *t = malloc(count * sizeof *t);
    if (!t)
        return PS_EINTERNAL;
    for (size_t i = 0; i < count; i++)
        t[i] = first[i].time_us;
    double med = t[count / 2]; /* sorted by time already */
    for (size_t i = 0; i < count; i++)
        t[i] = fabs(t[i] - med);
    qsort(t, count, sizeof *t, cmp_double);
    double mad = t[count / 2];
    free(t);
    if (ps_grow(&m->entries, &m->cap_entries, m->n_entries + 1, sizeof *m->entries))
        return PS_EINTERNAL;
    cost_trace_entry *e = &m->entries[m->n_entries++];
    snprintf(e->op_id, sizeof e->op_id, "%s", first->op_id);
    e->time_us = med;
    e->spread_pct = med > 0 ? 100.0 * mad / med : 0;
    if (e->spread_pct < 1e-6) /* rounding residue of equal occurrences */
        e->spread_pct = 0;
    if (!mg->built[p])
        return PS_OK;
    const ps_op *op = ps_graph_find_op(&mg->g[p], first->rank % tp_pp, first->op_id);
    if (!op || !ps_cost_kind_supported(op->kind))
        return PS_OK;
    ps_cost_query q;
    ps_cost_query_from_op(op, PS_LAUNCH_GRAPH, &q);
    e->has_shape = true;
    e->kind = q.kind;
    e->dtype = q.dtype;
    cost_table_key(&q, e->key, &e->x);
    if (ps_grow(&m->points, &m->cap_points, m->n_points + 1, sizeof *m->points))
        return PS_EINTERNAL;
    cost_table_point *pt = &m->points[m->n_points++];
    pt->kind = q.kind;
    pt->dtype = q.dtype;
    cost_table_key(&q, pt->key, &pt->x);
    pt->time_us = med;
    return PS_OK;
}

int ps_cost_model_add_trace(ps_cost_model *m, const char *dir, ps_error *err)
{
    ps_trace_meta meta;
    int rc = ps_trace_read_meta(dir, &meta, err);
    if (rc)
        return rc;
    const ps_gpu_spec *traced = ps_gpu_find_device(meta.gpu_name);
    const char *gpu = traced ? traced->name : NULL;
    if (!gpu)
        return ps_error_set(err, PS_EINPUT, "%s/%s: GPU '%s' is not in the catalogue; its times cannot be "
                            "used", dir, PS_TRACE_META_FILE, meta.gpu_name);
    if (m->n_traces > 0 && strcmp(gpu, m->trace_gpu))
        return ps_error_set(err, PS_EINPUT, "%s: traced on %s, the traces before on %s: give traces of one GPU",
                            dir, gpu, m->trace_gpu);
    meta_graphs mg;
    rc = build_graphs(&meta, &mg, err);
    if (rc)
        return ps_error_prefix(err, "%s/%s:1", dir, PS_TRACE_META_FILE);
    occ_list occ = {0};
    rc = read_occurrences(dir, &occ, err);
    int tp_pp = (meta.tp > 0 ? meta.tp : 1) * (meta.pp > 0 ? meta.pp : 1);
    if (!rc && occ.n)
        qsort(occ.v, occ.n, sizeof *occ.v, cmp_occ);
    for (size_t i = 0; !rc && i < occ.n;) {
        size_t j = i;
        while (j < occ.n && !strcmp(occ.v[j].op_id, occ.v[i].op_id))
            j++;
        rc = add_entry(m, &mg, &occ.v[i], j - i, tp_pp);
        if (rc)
            ps_error_set(err, rc, "out of memory");
        i = j;
    }
    for (int p = 0; p < 2; p++)
        if (mg.built[p])
            ps_graph_free(&mg.g[p]);
    free(occ.v);
    if (rc)
        return rc;
    snprintf(m->trace_gpu, sizeof m->trace_gpu, "%s", gpu);
    m->n_traces++;
    cost_traces_sort(m);
    return PS_OK;
}
