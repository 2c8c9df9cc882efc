/* Sources (1) trace and (2) table of the cost model (parsim/cost.h).
 *
 * trace: the exact op id, as measured (median over occurrences).
 * table: measured points of the same kind, dtype and shape key (gemm: n and k; attention: phase,
 * heads, kv heads, head dim, sequences; other kinds: width), interpolated log-log in the free
 * coordinate (gemm m, attention context, other kinds tokens) between the two nearest points:
 *     log t = log t0 + (log x - log x0) / (log x1 - log x0) x (log t1 - log t0)
 * Never extrapolated: outside [first, last] point the model answers and `fallback` says why.
 * Traces from another GPU are scaled by the model's ratio of the two GPUs' times for the query
 * (the roofline ratio of DESIGN.md section 5), and scaled_from names the traced GPU.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost_model.h"

void cost_table_key(const ps_cost_query *q, int64_t key[5], double *x)
{
    memset(key, 0, 5 * sizeof key[0]);
    switch (q->kind) {
    case PS_OP_GEMM:
        key[0] = q->n, key[1] = q->k;
        *x = (double)q->m;
        break;
    case PS_OP_ATTENTION:
        key[0] = q->phase, key[1] = q->heads, key[2] = q->kv_heads, key[3] = q->head_dim;
        key[4] = q->phase == PS_PHASE_DECODE ? q->seqs : q->prefix;
        *x = (double)q->context;
        break;
    default:
        key[0] = q->width;
        *x = (double)q->tokens;
        break;
    }
}

static int cmp_entry(const void *x, const void *y)
{
    return strcmp(((const cost_trace_entry *)x)->op_id, ((const cost_trace_entry *)y)->op_id);
}

static int cmp_point(const void *x, const void *y)
{
    const cost_table_point *a = x, *b = y;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->dtype != b->dtype)
        return a->dtype < b->dtype ? -1 : 1;
    for (int i = 0; i < 5; i++)
        if (a->key[i] != b->key[i])
            return a->key[i] < b->key[i] ? -1 : 1;
    return a->x < b->x ? -1 : a->x > b->x ? 1 : 0;
}

void cost_traces_sort(ps_cost_model *m)
{
    if (m->n_entries)
        qsort(m->entries, m->n_entries, sizeof *m->entries, cmp_entry);
    if (m->n_points)
        qsort(m->points, m->n_points, sizeof *m->points, cmp_point);
}

void cost_traces_free(ps_cost_model *m)
{
    free(m->entries);
    free(m->points);
    m->entries = NULL;
    m->points = NULL;
    m->n_entries = m->n_points = 0;
}

/* Model time of q on `gpu` (for the cross-GPU ratio). */
static double model_time(const ps_cost_model *m, int f, int c, const ps_cost_query *q, const ps_gpu_spec *gpu)
{
    cost_shape s = {.q = *q, .batch = 1};
    cost_eval e;
    cost_eval_shape(cost_families[f], m->coeffs.cls[f][c].v, gpu, &s, &e);
    return e.time_us;
}

/* First point with the same kind, dtype and key, or n_points. Binary search on the sort order. */
static size_t first_point(const ps_cost_model *m, const cost_table_point *probe)
{
    size_t lo = 0, hi = m->n_points;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_point(&m->points[mid], probe) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool same_key(const cost_table_point *a, const cost_table_point *b)
{
    return a->kind == b->kind && a->dtype == b->dtype && !memcmp(a->key, b->key, sizeof a->key);
}

/* Interpolates; true when the table covers x. Otherwise writes the reason. */
static bool table_time(const ps_cost_model *m, const ps_cost_query *q, double *t, char *why, size_t size)
{
    cost_table_point probe = {.kind = q->kind, .dtype = q->dtype};
    cost_table_key(q, probe.key, &probe.x);
    double x = probe.x;
    probe.x = -INFINITY;
    size_t i = first_point(m, &probe);
    size_t j = i;
    while (j < m->n_points && same_key(&m->points[j], &probe))
        j++;
    if (i == j) {
        snprintf(why, size, "op id not in the traces; no table points of this %s shape", ps_op_kind_name(q->kind));
        return false;
    }
    const cost_table_point *p = &m->points[i];
    if (x < p[0].x || x > p[j - i - 1].x) {
        snprintf(why, size, "op id not in the traces; %g outside the table's range %g..%g", x, p[0].x,
                 p[j - i - 1].x);
        return false;
    }
    size_t k = 0;
    while (k + 1 < j - i && p[k + 1].x < x)
        k++;
    if (p[k].x == x || k + 1 == j - i) {
        *t = p[k].time_us;
        return true;
    }
    double f = (log(x) - log(p[k].x)) / (log(p[k + 1].x) - log(p[k].x));
    *t = exp(log(p[k].time_us) + f * (log(p[k + 1].time_us) - log(p[k].time_us)));
    return true;
}

static const cost_trace_entry *find_entry(const ps_cost_model *m, const char *op_id)
{
    cost_trace_entry probe;
    snprintf(probe.op_id, sizeof probe.op_id, "%s", op_id);
    return m->n_entries ? bsearch(&probe, m->entries, m->n_entries, sizeof probe, cmp_entry) : NULL;
}

bool cost_trace_answer(const ps_cost_model *m, int f, int c, const ps_cost_query *q, ps_cost_answer *a)
{
    if (m->n_traces == 0)
        return false;
    const ps_gpu_spec *traced = m->trace_gpu[0] ? ps_gpu_find(m->trace_gpu) : NULL;
    if (!traced) {
        snprintf(a->fallback, sizeof a->fallback, "the traces' GPU is not in the catalogue");
        return false;
    }
    const cost_trace_entry *e = q->op_id[0] ? find_entry(m, q->op_id) : NULL;
    /* `parsim cost --op rmsnorm --op-id <a gemm's id>` answered the gemm's measured time as the
     * rmsnorm's (source trace), and a plan of another TP or batch took the trace's kernels of the
     * same op ids (predict --tp 4 --trace <a TP2 trace>: 88 % of the time from TP2's kernels).
     * The op must be the traced one: kind, dtype, shape key and rows. An attention's context
     * (its x) is not compared: a decode step's context grows by one token a step, and the
     * recorded step stands for all of them, as the trace source always did. */
    const cost_trace_entry *other = NULL;
    if (e && e->has_shape) {
        int64_t key[5];
        double x;
        cost_table_key(q, key, &x);
        if (e->kind != q->kind || e->dtype != q->dtype || memcmp(key, e->key, sizeof key) ||
            (q->kind != PS_OP_ATTENTION && x != e->x))
            other = e, e = NULL;
    }
    double t;
    cost_eval ev;
    cost_shape s = {.q = *q, .batch = 1};
    cost_eval_shape(cost_families[f], m->coeffs.cls[f][c].v, m->gpu, &s, &ev);
    if (e) {
        t = e->time_us;
        a->source = PS_COST_TRACE;
        a->error_pct = e->spread_pct;
    } else if (table_time(m, q, &t, a->fallback, sizeof a->fallback)) {
        a->source = PS_COST_TABLE;
        a->error_pct = m->coeffs.table_error_pct;
    } else {
        if (other) { /* "op id not in the traces; <why the table did not answer>" */
            const char *rest = strchr(a->fallback, ';');
            char why[sizeof a->fallback];
            snprintf(why, sizeof why, "op id is a %s %s of another shape in the traces%s", ps_dtype_name(other->dtype),
                     ps_op_kind_name(other->kind), rest ? rest : "");
            snprintf(a->fallback, sizeof a->fallback, "%s", why);
        }
        return false;
    }
    if (traced != m->gpu) {
        t *= model_time(m, f, c, q, m->gpu) / model_time(m, f, c, q, traced);
        snprintf(a->scaled_from, sizeof a->scaled_from, "%s", traced->name);
    }
    a->fallback[0] = '\0';
    a->time_us = t;
    a->flops = ev.flops;
    a->bytes = ev.bytes;
    a->bound = ev.bound;
    a->in_envelope = traced == m->gpu;
    return true;
}
