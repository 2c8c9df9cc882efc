/* Order statistics (see parsim/stats.h). */
#include "parsim/stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void ps_sort_doubles(double *values, size_t n)
{
    if (n > 1)
        qsort(values, n, sizeof *values, cmp_double);
}

double ps_percentile_sorted(const double *sorted, size_t n, double p)
{
    if (n == 0)
        return NAN;
    if (!(p > 0))
        return sorted[0];
    if (p >= 100)
        return sorted[n - 1];
    double position = (double)(n - 1) * p / 100.0;
    size_t below = (size_t)floor(position);
    double fraction = position - (double)below;
    if (below + 1 >= n || fraction == 0)
        return sorted[below];
    return sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
}

int ps_percentile(const double *values, size_t n, double p, double *out, ps_error *err)
{
    if (n == 0)
        return ps_error_set(err, PS_EINPUT, "percentile of no values");
    if (!(p >= 0 && p <= 100))
        return ps_error_set(err, PS_EINPUT, "percentile %g is outside [0, 100]", p);
    for (size_t i = 0; i < n; i++)
        if (isnan(values[i]))
            return ps_error_set(err, PS_EINPUT, "percentile: value %zu is NaN", i);
    if (n > SIZE_MAX / sizeof *values)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    double *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    memcpy(sorted, values, n * sizeof *sorted);
    ps_sort_doubles(sorted, n);
    *out = ps_percentile_sorted(sorted, n, p);
    free(sorted);
    return PS_OK;
}

int ps_median(const double *values, size_t n, double *out, ps_error *err)
{
    return ps_percentile(values, n, 50, out, err);
}
