/* parsim/fit.h: a small deterministic least-squares fitter shared by every calibration
 * (collectives in sim/coll/calibrate.c, op costs in core/cost/).
 *
 * Search: coordinate descent with multiplicative steps. Each parameter is tried at
 * (x + floor) * (1 + step) - floor and (x + floor) / (1 + step) - floor, clamped to [lo, hi];
 * a move is kept when it lowers the objective; a parameter whose step did not help shrinks its
 * step by `shrink` (0.7 by default). The whole search restarts `restarts` times with the steps
 * reset, because coordinate descent stalls in narrow valleys (two parameters that trade against
 * each other) and a reset lets it walk on. Multiplicative steps suit parameters that span
 * decades (microseconds, efficiencies, bytes); `floor` lets a parameter at 0 move.
 *
 * Invariants: no randomness and a fixed visiting order, so the same objective and start give the
 * same result bit for bit (coefficient files regenerate byte for byte). The objective is called
 * only with every parameter inside its [lo, hi]. Good for ~20-50 parameters and ~10^4 points.
 * libc (+ libm) only.
 */
#ifndef PARSIM_FIT_H
#define PARSIM_FIT_H

typedef struct ps_fit_param {
    double *value;  /* the parameter, read and written in place */
    double lo, hi;  /* bounds (inclusive) */
    double floor;   /* added before scaling so that a parameter at 0 can move; 0 for a scale */
    double step;    /* current relative step; reset to ps_fit_options.initial_step on restart */
} ps_fit_param;

/* The function to minimise, e.g. the sum of squared log errors over the measured points. */
typedef double (*ps_fit_objective)(void *ctx);

typedef struct ps_fit_options {
    int max_iterations; /* sweeps over all parameters per restart (default 400) */
    int restarts;       /* default 4 */
    double initial_step; /* default 0.3 */
    double shrink;      /* default 0.7 */
    double min_step;    /* a parameter whose step fell below this is done (default 1e-5) */
} ps_fit_options;

/* Defaults above (the ones sim/coll/calibrate.c used before it moved here). */
void ps_fit_options_default(ps_fit_options *options);

/* Minimises objective(ctx) over params[0..n). Returns the best objective value; the parameters
 * hold the best point found. options may be NULL (defaults). */
double ps_fit_minimize(ps_fit_param *params, int n, ps_fit_objective objective, void *ctx,
                       const ps_fit_options *options);

#endif
