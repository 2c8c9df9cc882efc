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
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost_model.h"
#include "parsim/trace.h"

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
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 1024;
        occurrence *g = realloc(l->v, cap * sizeof *g);
        if (!g)
            return PS_EINTERNAL;
        l->v = g;
        l->cap = cap;
    }
    snprintf(l->v[l->n].op_id, PS_OP_ID_BYTES, "%s", op_id);
    l->v[l->n].rank = rank;
    l->v[l->n++].time_us = t;
    return PS_OK;
}

/* "NVIDIA H200" -> h200-sxm, ... (the catalogue's names; PCIe only when the name says so). */
static const char *catalogue_gpu(const char *name)
{
    char low[256];
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof low; i++)
        low[i] = (char)tolower((unsigned char)name[i]);
    low[i] = '\0';
    if (strstr(low, "gb200"))
        return "gb200";
    if (strstr(low, "b200"))
        return "b200";
    if (strstr(low, "h200"))
        return "h200-sxm";
    if (strstr(low, "h100"))
        return strstr(low, "pcie") ? "h100-pcie" : "h100-sxm";
    if (strstr(low, "a100"))
        return "a100-sxm";
    return NULL;
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

/* The op graphs (prefill, decode step 0) of the meta's run, when it names a preset. */
typedef struct meta_graphs {
    ps_graph g[2];
    bool built[2];
} meta_graphs;

static void build_graphs(const ps_trace_meta *meta, meta_graphs *mg)
{
    memset(mg, 0, sizeof *mg);
    const ps_model *model = ps_model_find_preset(meta->model);
    if (!model || meta->tp <= 0 || meta->batch <= 0 || meta->isl <= 0 || meta->osl <= 0)
        return;
    ps_dtype dt = PS_DTYPE_BF16;
    if (meta->dtype[0] && !ps_dtype_parse(meta->dtype, &dt))
        return;
    ps_plan plan;
    ps_precision prec;
    ps_error why = {0};
    if (ps_plan_init(&plan, model, meta->tp, meta->pp ? meta->pp : 1, 1, 0, NULL, 0, &why) ||
        ps_precision_init(&prec, dt, &why))
        return;
    ps_scenario sc = {.batch = meta->batch, .isl = meta->isl, .osl = meta->osl,
                      .prefill_tokens = PS_DEFAULT_PREFILL_TOKENS};
    for (int p = 0; p < 2; p++) {
        ps_step step;
        int rc = p == 0 ? ps_step_prefill(&plan, &sc, 0, &step, &why) : ps_step_decode(&plan, &sc, 0, &step, &why);
        if (!rc && !ps_graph_build(model, &prec, &plan, &step, &mg->g[p], &why))
            mg->built[p] = true;
    }
}

static int add_entry(ps_cost_model *m, const meta_graphs *mg, const occurrence *first, size_t count, int tp_pp)
{
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
    cost_trace_entry *e = realloc(m->entries, (m->n_entries + 1) * sizeof *e);
    if (!e)
        return PS_EINTERNAL;
    m->entries = e;
    e = &m->entries[m->n_entries++];
    snprintf(e->op_id, sizeof e->op_id, "%s", first->op_id);
    e->time_us = med;
    e->spread_pct = med > 0 ? 100.0 * mad / med : 0;
    if (e->spread_pct < 1e-6) /* rounding residue of equal occurrences */
        e->spread_pct = 0;
    int p = strncmp(first->op_id, "decode/", 7) ? 0 : 1;
    if (!mg->built[p])
        return PS_OK;
    const ps_op *op = ps_graph_find_op(&mg->g[p], first->rank % tp_pp, first->op_id);
    if (!op || !ps_cost_kind_supported(op->kind))
        return PS_OK;
    ps_cost_query q;
    ps_cost_query_from_op(op, PS_LAUNCH_GRAPH, &q);
    cost_table_point *pt = realloc(m->points, (m->n_points + 1) * sizeof *pt);
    if (!pt)
        return PS_EINTERNAL;
    m->points = pt;
    pt = &m->points[m->n_points++];
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
    const char *gpu = catalogue_gpu(meta.gpu_name);
    if (!gpu)
        return ps_error_set(err, PS_EINPUT, "%s/%s: GPU '%s' is not in the catalogue; its times cannot be "
                            "used", dir, PS_TRACE_META_FILE, meta.gpu_name);
    if (m->n_traces > 0 && strcmp(gpu, m->trace_gpu))
        return ps_error_set(err, PS_EINPUT, "%s: traced on %s, the traces before on %s: give traces of one GPU",
                            dir, gpu, m->trace_gpu);
    occ_list occ = {0};
    rc = read_occurrences(dir, &occ, err);
    meta_graphs mg;
    build_graphs(&meta, &mg);
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
