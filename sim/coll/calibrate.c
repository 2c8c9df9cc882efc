/* sim/coll/calibrate.c: fits the model's free parameters to measured nccl-tests curves.
 *
 * Objective: sum over every measured point of (ln(T_model / T_measured))^2 -- relative error, so a
 * 10 us point and a 2 ms point weigh the same, which is what the accuracy targets (median
 * relative error per curve) ask for -- plus, for each published peak (anchor), ANCHOR_WEIGHT x
 * (ln(busbw_model / busbw_published))^2. T_model is the closed form of model.c (equal to the
 * simulated time on an idle platform, tests/coll checks it), with the tuner's choice of
 * algorithm and protocol at each point, so a fit moves the crossovers too.
 *
 * Search: ps_fit_minimize (core/util/fit.c, shared with the op cost model): deterministic
 * coordinate descent with multiplicative steps (each parameter tried x(1+s) and /(1+s), s
 * shrinking by 0.7 when neither helps) and restarts, from the caller's start point (NCCL's
 * constants by default). Parameters no curve depends on are left alone. Good enough for ~20
 * parameters and a few hundred points, and reproducible bit for bit.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "coll_internal.h"
#include "parsim/fit.h"

/* A published peak is one number standing for many runs (four agree within 2 %, nccl-model.md
 * finding 1): worth about as much as ten measured points. */
#define ANCHOR_WEIGHT 10.0
#define MAX_GROUPS 16
#define MAX_CURVES 256 /* curves whose NVLS points are also fitted as NVLS (nvls_points) */

typedef struct fit_ctx {
    ps_coll_ctx *ctx;
    ps_coll_params *params;
    const ps_nccl_curve *curves;
    int n_curves;
    const ps_nccl_anchor *anchors;
    int n_anchors;
    ps_coll_group *groups[MAX_GROUPS]; /* groups[i] has sizes[i] GPUs */
    int sizes[MAX_GROUPS];
    int n_groups;
    bool *nvls_point[MAX_CURVES]; /* per curve, per row: a measurement of NVLS (nvls_points) */
} fit_ctx;

static ps_coll_group *group_of(fit_ctx *f, int n)
{
    for (int i = 0; i < f->n_groups; i++)
        if (f->sizes[i] == n)
            return f->groups[i];
    return NULL;
}

/* Model time (us) of one point with the tuner's choice (coll_tune, the simulator's own tuner,
 * evaluated with the parameters being fitted), harness floor included. */
static double point_time_us(fit_ctx *f, ps_coll_op op, int n, ps_coll_algo algo, int gpt,
                            int type_bytes, double size)
{
    ps_coll_group *g = group_of(f, n);
    double rsize;
    long long count;
    ps_nccl_round_size(op, n, type_bytes > 0 ? type_bytes : 2, size, &rsize, &count);
    coll_choice c;
    if (coll_tune(g, f->params, op, algo, PS_PROTO_AUTO, rsize, &c, NULL))
        return INFINITY;
    double best = c.time_s;
    best *= 1e6;
    double floor_us = gpt > 1 ? gpt * f->params->launch_us : 0;
    return best > floor_us ? best : floor_us;
}

static double objective(fit_ctx *f, int *points)
{
    double sum = 0;
    int count = 0;
    for (int c = 0; c < f->n_curves; c++) {
        const ps_nccl_curve *cv = &f->curves[c];
        for (int i = 0; i < cv->n_rows; i++) {
            double t = point_time_us(f, cv->op, cv->gpus, cv->algo, cv->gpus_per_thread,
                                     cv->type_bytes, cv->size_bytes[i]);
            double e = log(t / cv->time_us[i]);
            sum += isfinite(e) ? e * e : 1e6;
            count++;
        }
    }
    for (int a = 0; a < f->n_anchors; a++) {
        const ps_nccl_anchor *an = &f->anchors[a];
        double t = point_time_us(f, an->op, an->gpus, an->algo, 1, 2, an->size_bytes);
        double busbw = an->size_bytes / (t * 1e3) * ps_coll_busbw_factor(an->op, an->gpus);
        double e = log(busbw / an->busbw_gbps);
        sum += ANCHOR_WEIGHT * (isfinite(e) ? e * e : 1e6);
    }
    if (points)
        *points = count;
    return sum;
}

/* A point of a default-algorithm curve that NCCL ran with NVLS is a measurement of NVLS, whatever
 * the tuner being fitted would pick there: in the AIC 8-GPU all_reduce curves the fitted ring
 * explains 2-8 MiB about as well as NVLS does, and without these points NVLS's parameters saw only
 * 16 MiB and up (where the fitted tuner picks NVLS), so nothing fitted how NVLS behaves with one
 * or two iterations per channel. Which points: those where NCCL's own model (its constants,
 * params.c defaults, on this platform) picks NVLS, and the measured time is at least that
 * model's NVLS time (a point measured faster than NVLS's own latency plus bytes / bandwidth was
 * not NVLS: AIC's 8-GPU 1 MiB point, 25.4 us, where NCCL's model is within 2 % of a tie between
 * ring/LL and NVLS). Each such point also enters the objective with the NVLS time. Only on groups
 * of 8 (every GPU an NVLS head of the HGX switch): with the 4-GPU curves' NVLS points (4-512 MiB)
 * added too, the H100 / H200 fits came out at rms log error 0.114 / 0.094 and an 8 GiB NVLS peak
 * of 467 / 473 GB/s (published 476-482), against 0.113 / 0.093 and 483 / 487 without them: the 4-GPU
 * NVLS points, 7-9 % slower per byte at 256-512 MiB than the 8-GPU ones, pull the one set of NVLS
 * parameters away from the 8-GPU curves, so they stay with the tuner (ring there up to 32 MiB). */
static int nvls_points(fit_ctx *f, ps_error *err)
{
    ps_coll_params nccl;
    ps_coll_params_default(&nccl);
    for (int c = 0; c < f->n_curves && c < MAX_CURVES; c++) {
        const ps_nccl_curve *cv = &f->curves[c];
        if (cv->algo != PS_ALGO_AUTO || !ps_coll_model_of(cv->op)->ring_family ||
            cv->gpus < 8)
            continue;
        ps_coll_group *g = group_of(f, cv->gpus);
        f->nvls_point[c] = calloc((size_t)(cv->n_rows > 0 ? cv->n_rows : 1), sizeof(bool));
        if (!f->nvls_point[c])
            return ps_error_set(err, PS_EINTERNAL, "out of memory");
        for (int i = 0; i < cv->n_rows; i++) {
            double rsize;
            long long count;
            ps_nccl_round_size(cv->op, cv->gpus, cv->type_bytes > 0 ? cv->type_bytes : 2,
                               cv->size_bytes[i], &rsize, &count);
            coll_choice pick, nv;
            if (coll_tune(g, &nccl, cv->op, PS_ALGO_AUTO, PS_PROTO_AUTO, rsize, &pick, NULL) ||
                coll_tune(g, &nccl, cv->op, PS_ALGO_NVLS, PS_PROTO_AUTO, rsize, &nv, NULL))
                continue;
            f->nvls_point[c][i] = pick.algo == PS_ALGO_NVLS && nv.time_s * 1e6 <= cv->time_us[i];
        }
    }
    return PS_OK;
}

static double nvls_objective(fit_ctx *f)
{
    double sum = 0;
    for (int c = 0; c < f->n_curves && c < MAX_CURVES; c++) {
        const ps_nccl_curve *cv = &f->curves[c];
        for (int i = 0; f->nvls_point[c] && i < cv->n_rows; i++) {
            if (!f->nvls_point[c][i])
                continue;
            double t = point_time_us(f, cv->op, cv->gpus, PS_ALGO_NVLS, cv->gpus_per_thread,
                                     cv->type_bytes, cv->size_bytes[i]);
            double e = log(t / cv->time_us[i]);
            sum += isfinite(e) ? e * e : 1e6;
        }
    }
    return sum;
}

static double fit_objective(void *ctx) { return objective(ctx, NULL) + nvls_objective(ctx); }

/* The first stage: NVLS's own parameters on the NVLS points and the published NVLS peaks alone
 * (an anchor with NCCL's own choice, 480 GB/s busbw at 8 GiB on 8 GPUs, is NVLS's: nccl-model.md
 * finding 1). The whole fit then starts from there. Without it the search began at NCCL's
 * constants, where NVLS is slower than the fitted ring at 2-8 MiB, and it settled with the
 * per-iteration overhead near 0 and the efficiency lowered instead, for the same residual on the
 * curves (rms log error 0.113 / 0.094 either way) but a peak of 469 GB/s against the published
 * 480 and 16-32 MiB 9-12 % fast. */
static double nvls_stage_objective(void *ctx)
{
    fit_ctx *f = ctx;
    double sum = nvls_objective(f);
    for (int a = 0; a < f->n_anchors; a++) {
        const ps_nccl_anchor *an = &f->anchors[a];
        if (an->algo != PS_ALGO_AUTO && an->algo != PS_ALGO_NVLS)
            continue;
        double t = point_time_us(f, an->op, an->gpus, PS_ALGO_NVLS, 1, 2, an->size_bytes);
        double e = log(an->size_bytes / (t * 1e3) * ps_coll_busbw_factor(an->op, an->gpus) /
                       an->busbw_gbps);
        sum += isfinite(e) ? ANCHOR_WEIGHT * e * e : 0; /* no NVLS on this group: no term */
    }
    return sum;
}

static void add_row(ps_fit_param *ps, int *n, ps_coll_proto_params *row, bool hop, bool base)
{
    if (base)
        ps[(*n)++] = (ps_fit_param){&row->base_us, 0, 200, 1.0, 0.3};
    if (hop)
        ps[(*n)++] = (ps_fit_param){&row->hop_us, 0, 50, 0.5, 0.3};
    ps[(*n)++] = (ps_fit_param){&row->eff, 0.02, 1.0, 0, 0.3};
    ps[(*n)++] = (ps_fit_param){&row->fill_us, 0, 100, 0.1, 0.3};
}

/* Which parameter families the data can see. */
static int collect_params(fit_ctx *f, ps_fit_param *ps, int *nvls_first, int *nvls_count)
{
    bool ring = false, nvls = false, nvls_forced = false, p2p = false, launch = false;
    bool ar_n[2] = {false, false}, other_n[2] = {false, false};
    for (int c = 0; c < f->n_curves; c++) {
        const ps_nccl_curve *cv = &f->curves[c];
        ps_coll_group *g = group_of(f, cv->gpus);
        coll_geom geom;
        const ps_coll_model *m = ps_coll_model_of(cv->op);
        ring |= m->ring_family;
        p2p |= !m->ring_family;
        if (cv->algo != PS_ALGO_RING && m->ring_family &&
            !coll_group_geom(g, cv->op, PS_ALGO_NVLS, &geom, NULL) && geom.available)
            nvls = true;
        nvls_forced |= cv->algo == PS_ALGO_NVLS;
        launch |= cv->gpus_per_thread > 1;
        int idx = cv->gpus <= 2 ? 0 : cv->gpus <= 4 ? 1 : -1;
        if (idx >= 0 && m->ring_scale != COLL_RING_SCALE_NONE)
            (m->ring_scale == COLL_RING_SCALE_ALL_REDUCE ? ar_n : other_n)[idx] = true;
    }
    int n = 0;
    if (ring)
        for (int p = 0; p < PS_PROTO_COUNT; p++)
            add_row(ps, &n, &f->params->ring[p], true, true);
    /* NVLS's latency is fitted only on a curve that forces NVLS. With NCCL's own choice a curve
     * shows NVLS only from a few MiB up (below, ring/LL is faster), where the latency cannot be
     * told from the pipeline term: fitted there it came out 47 us (H100) and 62 us (H200) while
     * every NVLS-forced 8 x H100/H200 run shows 25-30 us at 1 KiB (docs/data/multinode.md). So it
     * keeps NCCL's constant (params.c, tuning.cc); its efficiency, per-iteration overhead (fill) and
     * copy and reduce rates are fitted (model.c coll_nvls_pipeline_s). */
    if (nvls) {
        *nvls_first = n + 1;
        add_row(ps, &n, &f->params->nvls, false, nvls_forced);
        /* The NVLS copy rate of one channel (model.c coll_nvls_pipeline_s). It is seen where
         * NCCL's choice is NVLS with one or two iterations per channel (2-8 MiB on 8 GPUs). Start:
         * 20 GB/s, a CTA's copy rate when 16 of them keep up with a ~300 GB/s port (NCCL's NVLS
         * algBw of 291 GB/s, params.c, over nvlsChannels 16); 0 (no term) could not move. */
        if (f->params->nvls_copy_gbps == 0)
            f->params->nvls_copy_gbps = 20.0;
        ps[n++] = (ps_fit_param){&f->params->nvls_copy_gbps, 1, 1000, 0, 0.3};
        /* The reduce stage's rate per channel: start where it binds on 4 GPUs (each head reduces
         * a quarter of the message) but not on 8: 8 GB/s x 16 channels x 4 heads = 512 GB/s,
         * above a port's ~300. */
        if (f->params->nvls_reduce_gbps == 0)
            f->params->nvls_reduce_gbps = 3.5;
        ps[n++] = (ps_fit_param){&f->params->nvls_reduce_gbps, 0.5, 1000, 0, 0.3};
        *nvls_count = n - (*nvls_first - 1);
    }
    if (p2p)
        add_row(ps, &n, &f->params->p2p, false, true);
    for (int i = 0; i < 2; i++) {
        if (ar_n[i])
            ps[n++] = (ps_fit_param){&f->params->ring_scale_ar[i], 0.1, 3.0, 0, 0.3};
        if (other_n[i])
            ps[n++] = (ps_fit_param){&f->params->ring_scale_other[i], 0.1, 3.0, 0, 0.3};
    }
    if (launch) {
        /* Start where a launch floor can be seen at all: 4 us per GPU is cudaLaunchKernel +
         * NCCL enqueue on one thread (the -g 8 floor of ~35 us / 8, nccl-model.md 1.4). From 0
         * the multiplicative search would have to cross many steps that change nothing. */
        if (f->params->launch_us == 0)
            f->params->launch_us = 4.0;
        ps[n++] = (ps_fit_param){&f->params->launch_us, 0, 100, 0.5, 0.3};
    }
    return n;
}

static int make_groups(fit_ctx *f, ps_error *err)
{
    int total = ps_platform_gpu_count(coll_ctx_platform(f->ctx));
    int need[MAX_GROUPS * 4], n_need = 0;
    for (int c = 0; c < f->n_curves; c++)
        need[n_need++ % (MAX_GROUPS * 4)] = f->curves[c].gpus;
    for (int a = 0; a < f->n_anchors; a++)
        need[n_need++ % (MAX_GROUPS * 4)] = f->anchors[a].gpus;
    if (n_need > MAX_GROUPS * 4)
        n_need = MAX_GROUPS * 4;
    for (int i = 0; i < n_need; i++) {
        int n = need[i];
        if (group_of(f, n))
            continue;
        if (n < 1 || n > total)
            return ps_error_set(err, PS_EINPUT, "a curve needs %d GPUs; the platform has %d", n,
                                total);
        if (f->n_groups == MAX_GROUPS)
            return ps_error_set(err, PS_EINPUT, "more than %d different GPU counts", MAX_GROUPS);
        int *ranks = malloc(sizeof(int) * (size_t)n);
        if (!ranks)
            return ps_error_set(err, PS_EINTERNAL, "out of memory");
        for (int r = 0; r < n; r++)
            ranks[r] = r;
        int rc = ps_coll_group_create(f->ctx, n, ranks, &f->groups[f->n_groups], err);
        free(ranks);
        if (rc)
            return rc;
        f->sizes[f->n_groups++] = n;
    }
    return PS_OK;
}

int ps_nccl_calibrate(ps_coll_ctx *ctx, const ps_nccl_curve *curves, int n_curves,
                      const ps_nccl_anchor *anchors, int n_anchors, ps_coll_params *params,
                      double *rms, ps_error *err)
{
    for (int c = 0; c < n_curves; c++)
        if (!curves[c].has_op || curves[c].gpus < 1)
            return ps_error_set(err, PS_EINPUT, "%s: the collective and the GPU count must be "
                                "known (log header or --op/--gpus)", curves[c].path);
    fit_ctx f = {ctx, params, curves, n_curves, anchors, n_anchors, {0}, {0}, 0, {0}};
    int rc = make_groups(&f, err);
    if (!rc)
        rc = nvls_points(&f, err);
    /* A curve whose forced algorithm the platform lacks (nvls on PCIe) has no model time at
     * all: the objective would only see its 1e6 penalty and the fit would be written anyway. */
    for (int c = 0; !rc && c < n_curves; c++)
        if (!isfinite(point_time_us(&f, curves[c].op, curves[c].gpus, curves[c].algo, 1,
                                    curves[c].type_bytes, curves[c].size_bytes[0])))
            rc = ps_error_set(err, PS_EINPUT, "%s: %s with algorithm %s is not possible on %d GPUs "
                              "of this platform", curves[c].path, ps_coll_op_name(curves[c].op),
                              ps_coll_algo_name(curves[c].algo), curves[c].gpus);
    for (int a = 0; !rc && a < n_anchors; a++)
        if (!isfinite(point_time_us(&f, anchors[a].op, anchors[a].gpus, anchors[a].algo, 1, 2,
                                    anchors[a].size_bytes)))
            rc = ps_error_set(err, PS_EINPUT, "--peak: %s with algorithm %s is not possible on %d "
                              "GPUs of this platform", ps_coll_op_name(anchors[a].op),
                              ps_coll_algo_name(anchors[a].algo), anchors[a].gpus);
    ps_fit_param ps[64];
    int nvls_first = 0, nvls_count = 0; /* 1-based index of NVLS's parameters in ps, 0: none */
    int np = rc ? 0 : collect_params(&f, ps, &nvls_first, &nvls_count);
    /* core/util/fit.c: coordinate descent with multiplicative steps and restarts (its defaults
     * are this fit's: 400 sweeps, 4 restarts, steps 0.3 shrinking by 0.7 down to 1e-5). */
    if (!rc && nvls_first > 0)
        ps_fit_minimize(ps + nvls_first - 1, nvls_count, nvls_stage_objective, &f, NULL);
    if (!rc)
        ps_fit_minimize(ps, np, fit_objective, &f, NULL);
    int points = 0;
    if (!rc) {
        double best = objective(&f, &points);
        *rms = points > 0 ? sqrt(best / (points + ANCHOR_WEIGHT * n_anchors)) : 0;
    }
    for (int i = 0; i < f.n_groups; i++)
        ps_coll_group_free(f.groups[i]);
    for (int c = 0; c < MAX_CURVES; c++)
        free(f.nvls_point[c]);
    return rc;
}
