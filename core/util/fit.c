/* Coordinate-descent fitter (parsim/fit.h). Extracted from sim/coll/calibrate.c's search so that
 * the collective and op-cost calibrations share one implementation. */
#include "parsim/fit.h"

#include <math.h>
#include <stdbool.h>

void ps_fit_options_default(ps_fit_options *o)
{
    o->max_iterations = 400;
    o->restarts = 4;
    o->initial_step = 0.3;
    o->shrink = 0.7;
    o->min_step = 1e-5;
}

/* Tries x*(1+s) then x/(1+s) for one parameter; true when one of them lowered *best. */
static bool try_param(ps_fit_param *q, ps_fit_objective objective, void *ctx, double *best)
{
    double x0 = *q->value;
    for (int dir = 0; dir < 2; dir++) {
        double m = dir == 0 ? 1 + q->step : 1 / (1 + q->step);
        double x = (x0 + q->floor) * m - q->floor;
        if (x < q->lo)
            x = q->lo;
        if (x > q->hi)
            x = q->hi;
        if (x == x0)
            continue;
        *q->value = x;
        double e = objective(ctx);
        if (e < *best) { /* a NaN objective never wins */
            *best = e;
            return true;
        }
        *q->value = x0;
    }
    return false;
}

double ps_fit_minimize(ps_fit_param *params, int n, ps_fit_objective objective, void *ctx,
                       const ps_fit_options *options)
{
    ps_fit_options o;
    if (options)
        o = *options;
    else
        ps_fit_options_default(&o);
    for (int k = 0; k < n; k++) { /* the objective only ever sees parameters inside bounds */
        if (*params[k].value < params[k].lo)
            *params[k].value = params[k].lo;
        if (*params[k].value > params[k].hi)
            *params[k].value = params[k].hi;
    }
    double best = objective(ctx);
    if (isnan(best))
        best = INFINITY;
    for (int round = 0; round < o.restarts; round++) {
        for (int k = 0; k < n; k++)
            params[k].step = o.initial_step;
        for (int it = 0; it < o.max_iterations; it++) {
            bool alive = false;
            for (int k = 0; k < n; k++) {
                ps_fit_param *q = &params[k];
                if (q->step < o.min_step)
                    continue;
                alive = true;
                if (!try_param(q, objective, ctx, &best))
                    q->step *= o.shrink;
            }
            if (!alive)
                break;
        }
    }
    return best;
}
