/* The op-cost fit (parsim calibrate --ops): per family and class, least squares on log time.
 *
 * Stage 1: the kernel model's parameters (all but the eager pair) on the class's graph-mode
 * points: minimise sum (ln t_model - ln t_measured)^2, relative error so that a 5 us and a 5 ms
 * kernel weigh the same, as the accuracy bounds (median relative error) ask. Stage 2: the eager
 * pair on the eager points, the kernel model held. A class without points keeps its defaults and
 * is written without fitted_on (never in envelope). Deterministic (parsim/fit.h), so the same
 * data and command regenerate the file byte for byte.
 * Held-out errors: median |t_model / t_measured - 1| over the class's held-out points on the
 * file's GPU (error.model) and on other GPUs (error.scaled). table.error_pct: leave-one-out
 * log-log interpolation over the fit points (each interior point of a series predicted from its
 * two neighbours), the error of the table source.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost_model.h"
#include "cost_points.h"
#include "parsim/fit.h"

typedef struct fit_ctx {
    const cost_family *fam;
    double *v;
    const cost_point **pts;
    size_t n;
} fit_ctx;

static double objective(void *p)
{
    fit_ctx *f = p;
    double sum = 0;
    for (size_t i = 0; i < f->n; i++) {
        cost_eval e;
        cost_eval_shape(f->fam, f->v, f->pts[i]->gpu, &f->pts[i]->s, &e);
        double d = log(e.time_us / f->pts[i]->time_us);
        sum += isfinite(d) ? d * d : 1e6;
    }
    return sum;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b ? 1 : 0;
}

/* Points of (family, class) with the given launch (-1: any) from a set; caller frees. */
static const cost_point **select_points(const ps_cost_points *pts, int f, int c, int launch, size_t *n)
{
    const cost_point **out = malloc((pts->n + 1) * sizeof *out);
    *n = 0;
    for (size_t i = 0; out && i < pts->n; i++) {
        const cost_point *p = &pts->v[i];
        int pf, pc;
        if (!cost_family_find(&p->s.q, &pf, &pc) || pf != f || pc != c)
            continue;
        if (launch >= 0 && (int)p->s.q.launch != launch)
            continue;
        if (!strcmp(p->source, "h200-aten") || !strcmp(p->source, "lss-hf"))
            continue; /* other implementations of the op: never fitted (cost_read_*.c) */
        out[(*n)++] = p;
    }
    return out;
}

static void fit_stage(fit_ctx *ctx, bool eager)
{
    ps_fit_param fp[COST_MAX_PARAMS];
    int np = 0;
    for (int p = 0; p < ctx->fam->nparams; p++) {
        const cost_param_def *d = &ctx->fam->params[p];
        bool eager_param = p < COST_P_FIRST_FAMILY;
        if (!d->fitted || eager_param != eager)
            continue;
        fp[np++] = (ps_fit_param){&ctx->v[p], d->lo, d->hi, d->floor, 0};
    }
    if (ctx->n > 0 && np > 0)
        ps_fit_minimize(fp, np, objective, ctx, NULL);
}

/* Median |model/measured - 1| in percent over points, or -1 when none. */
static double median_error(const cost_family *fam, const double *v, const cost_point **pts, size_t n)
{
    if (n == 0)
        return -1;
    double *e = malloc(n * sizeof *e);
    if (!e)
        return -1;
    for (size_t i = 0; i < n; i++) {
        cost_eval ev;
        cost_eval_shape(fam, v, pts[i]->gpu, &pts[i]->s, &ev);
        e[i] = fabs(ev.time_us / pts[i]->time_us - 1) * 100;
    }
    qsort(e, n, sizeof *e, cmp_double);
    double med = n % 2 ? e[n / 2] : (e[n / 2 - 1] + e[n / 2]) / 2;
    free(e);
    return med;
}

static void envelope(const cost_family *fam, cost_class_coeffs *cc, const cost_point **pts, size_t n)
{
    cc->has_envelope = n > 0;
    for (int d = 0; d < COST_DIMS; d++)
        cc->lo[d] = INFINITY, cc->hi[d] = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double x[COST_DIMS];
        fam->dims(&pts[i]->s.q, x);
        for (int d = 0; d < COST_DIMS; d++) {
            if (x[d] < cc->lo[d])
                cc->lo[d] = x[d];
            if (x[d] > cc->hi[d])
                cc->hi[d] = x[d];
        }
    }
}

/* The GPU most of the points were measured on (first in catalogue order on a tie). */
static const char *majority_gpu(const cost_point **pts, size_t n)
{
    int best = -1;
    size_t best_n = 0;
    for (int g = 0; g < ps_gpu_catalog_count(); g++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            k += pts[i]->gpu == ps_gpu_catalog_at(g);
        if (k > best_n)
            best = g, best_n = k;
    }
    return best >= 0 ? ps_gpu_catalog_at(best)->name : "";
}

static int fit_class(const ps_cost_points *fit, const ps_cost_points *hold, int f, int c,
                     cost_class_coeffs *cc, char *summary, size_t size)
{
    const cost_family *fam = cost_families[f];
    size_t ng, ne, nall, nh;
    const cost_point **g = select_points(fit, f, c, PS_LAUNCH_GRAPH, &ng);
    const cost_point **e = select_points(fit, f, c, PS_LAUNCH_EAGER, &ne);
    const cost_point **all = select_points(fit, f, c, -1, &nall);
    const cost_point **h = select_points(hold, f, c, -1, &nh);
    int rc = g && e && all && h ? PS_OK : PS_EINTERNAL;
    if (!rc && ng > 0) {
        fit_ctx ctx = {fam, cc->v, g, ng};
        fit_stage(&ctx, false);
        ctx.pts = e, ctx.n = ne;
        fit_stage(&ctx, true);
        cc->present = true;
        snprintf(cc->gpu, sizeof cc->gpu, "%s", majority_gpu(all, nall));
        envelope(fam, cc, all, nall);
        /* "Same GPU" is the GPU the class was fitted on (element-wise kernels of the H200 file come
         * from H100 data): error.model is then the error of unscaled answers. */
        const ps_gpu_spec *fitted = ps_gpu_find(cc->gpu);
        size_t ns = 0, no = 0;
        for (size_t i = 0; i < nh; i++) /* same GPU first, then the others */
            if (h[i]->gpu == fitted)
                h[ns++] = h[i];
        const cost_point **other = select_points(hold, f, c, -1, &no);
        size_t k = 0;
        for (size_t i = 0; other && i < no; i++)
            if (other[i]->gpu != fitted)
                other[k++] = other[i];
        cc->error_model_pct = median_error(fam, cc->v, h, ns);
        cc->error_scaled_pct = median_error(fam, cc->v, other, k);
        size_t len = strlen(summary);
        snprintf(summary + len, size - len, "%s.%s: %zu graph + %zu eager points, fit residual %.1f %%, held-out "
                 "%.1f %% (%zu points) on %s, %.1f %% (%zu) on other GPUs (-1: no points)\n", fam->name, fam->class_names[c], ng, ne,
                 median_error(fam, cc->v, all, nall), cc->error_model_pct, ns, cc->gpu, cc->error_scaled_pct, k);
        free(other);
    }
    free(g);
    free(e);
    free(all);
    free(h);
    return rc;
}

/* Leave-one-out log-log interpolation over the fit points' series (same kind, dtype, launch, key). */
static double table_error(const ps_cost_points *fit)
{
    size_t n = fit->n, m = 0;
    double *err = malloc((n + 1) * sizeof *err);
    if (!err)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const cost_point *p = &fit->v[i];
        int64_t key[5];
        double x, lo_x = -INFINITY, hi_x = INFINITY, lo_t = 0, hi_t = 0;
        cost_table_key(&p->s.q, key, &x);
        for (size_t j = 0; j < n; j++) {
            const cost_point *o = &fit->v[j];
            int64_t k2[5];
            double x2;
            if (j == i || o->s.q.kind != p->s.q.kind || o->s.q.dtype != p->s.q.dtype ||
                o->s.q.launch != p->s.q.launch || o->gpu != p->gpu || o->s.batch != p->s.batch ||
                strcmp(o->source, p->source))
                continue;
            cost_table_key(&o->s.q, k2, &x2);
            if (memcmp(key, k2, sizeof key))
                continue;
            if (x2 < x && x2 > lo_x)
                lo_x = x2, lo_t = o->time_us;
            if (x2 > x && x2 < hi_x)
                hi_x = x2, hi_t = o->time_us;
        }
        if (!isfinite(lo_x) || !isfinite(hi_x))
            continue;
        double t = exp(log(lo_t) + (log(x) - log(lo_x)) / (log(hi_x) - log(lo_x)) * (log(hi_t) - log(lo_t)));
        err[m++] = fabs(t / p->time_us - 1) * 100;
    }
    double med = -1;
    if (m) {
        qsort(err, m, sizeof *err, cmp_double);
        med = m % 2 ? err[m / 2] : (err[m / 2 - 1] + err[m / 2]) / 2;
    }
    free(err);
    return med;
}

int ps_cost_fit_write(const ps_gpu_spec *gpu, const ps_cost_points *fit, const ps_cost_points *hold,
                      const char *header, const char *out_path, char *summary, size_t size, ps_error *err)
{
    static char scratch[4096];
    if (!summary)
        summary = scratch, size = sizeof scratch;
    summary[0] = '\0';
    cost_coeffs c;
    cost_coeffs_default(&c);
    snprintf(c.gpu, sizeof c.gpu, "%s", gpu->name);
    for (int f = 0; f < COST_FAMILY_COUNT; f++)
        for (int k = 0; k < cost_families[f]->nclasses; k++)
            if (fit_class(fit, hold, f, k, &c.cls[f][k], summary, size))
                return ps_error_set(err, PS_EINTERNAL, "out of memory");
    c.table_error_pct = table_error(fit);
    return cost_coeffs_write(out_path, &c, header, err);
}
