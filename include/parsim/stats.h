/* parsim/stats.h: order statistics used by every report (medians of errors, percentiles of
 * latencies), in one definition so that two commands never disagree on "the median".
 *
 * Percentile p (0..100) of n values: linear interpolation between the closest ranks on the sorted
 * values, at position (n - 1) x p / 100 (numpy.percentile's default "linear", Excel's
 * PERCENTILE.INC): the median of an even count is the mean of the middle two; p 0 and 100 are
 * the minimum and the maximum. libc only.
 */
#ifndef PARSIM_STATS_H
#define PARSIM_STATS_H

#include <stddef.h>

#include "parsim/error.h"

void ps_sort_doubles(double *values, size_t n); /* ascending; NaN must not occur */

/* On values already sorted ascending; n >= 1, 0 <= p <= 100 (clamped). */
double ps_percentile_sorted(const double *sorted, size_t n, double p);

/* On unsorted values (a sorted copy is made; values are untouched). PS_EINPUT when n == 0, a
 * value is NaN, or p is outside [0, 100]; PS_EINTERNAL when out of memory. */
int ps_percentile(const double *values, size_t n, double p, double *out, ps_error *err);
int ps_median(const double *values, size_t n, double *out, ps_error *err);

#endif
