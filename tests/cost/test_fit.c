/* The shared fitter (parsim/fit.h): recovers known parameters, respects bounds, is deterministic. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "parsim/fit.h"

typedef struct line_ctx {
    double a, b; /* parameters being fitted */
} line_ctx;

/* Points of t = 3 + 0.5 x, x = 1..20: the sum of squared log errors is 0 only at a=3, b=0.5. */
static double line_objective(void *p)
{
    line_ctx *c = p;
    double sum = 0;
    for (int x = 1; x <= 20; x++) {
        double e = log((c->a + c->b * x) / (3 + 0.5 * x));
        sum += e * e;
    }
    return sum;
}

static void recovers_line(void **state)
{
    (void)state;
    line_ctx c = {1, 1};
    ps_fit_param ps[2] = {{&c.a, 0, 100, 0.1, 0}, {&c.b, 0, 100, 0.01, 0}};
    double best = ps_fit_minimize(ps, 2, line_objective, &c, NULL);
    /* Coordinate descent with steps down to 1e-5 relative: 1e-3 is well above where it stops. */
    assert_true(fabs(c.a - 3) < 1e-3);
    assert_true(fabs(c.b - 0.5) < 1e-3);
    assert_true(best < 1e-8);
}

static void respects_bounds(void **state)
{
    (void)state;
    line_ctx c = {1, 1};
    ps_fit_param ps[2] = {{&c.a, 0, 2, 0.1, 0}, {&c.b, 0, 100, 0.01, 0}};
    ps_fit_minimize(ps, 2, line_objective, &c, NULL);
    assert_true(c.a <= 2 && c.a >= 0);
    assert_true(fabs(c.a - 2) < 1e-6); /* the best a is 3, beyond the bound: it stops at 2 */
}

static void deterministic(void **state)
{
    (void)state;
    line_ctx c1 = {1, 1}, c2 = {1, 1};
    ps_fit_param p1[2] = {{&c1.a, 0, 100, 0.1, 0}, {&c1.b, 0, 100, 0.01, 0}};
    ps_fit_param p2[2] = {{&c2.a, 0, 100, 0.1, 0}, {&c2.b, 0, 100, 0.01, 0}};
    double e1 = ps_fit_minimize(p1, 2, line_objective, &c1, NULL);
    double e2 = ps_fit_minimize(p2, 2, line_objective, &c2, NULL);
    assert_memory_equal(&c1, &c2, sizeof c1);
    assert_memory_equal(&e1, &e2, sizeof e1);
}

static void zero_start_moves_with_floor(void **state)
{
    (void)state;
    line_ctx c = {0, 1}; /* a = 0: without a floor, x * (1 + s) stays 0 */
    ps_fit_param ps[2] = {{&c.a, 0, 100, 0.1, 0}, {&c.b, 0, 100, 0.01, 0}};
    ps_fit_minimize(ps, 2, line_objective, &c, NULL);
    assert_true(fabs(c.a - 3) < 1e-3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(recovers_line),
        cmocka_unit_test(respects_bounds),
        cmocka_unit_test(deterministic),
        cmocka_unit_test(zero_start_moves_with_floor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
