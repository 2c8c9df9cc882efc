/* Reader for XLA's sm_90 matmul perf table (../shared/data/xla_sm90/SOURCE.md):
 * sm,b,m,n,k,dtype,flops_per_sec,derived_time_us,derived_tflops. BF16 rows only (the F32 rows
 * are TF32 tensor-core GEMMs, a dtype the op graph does not have); b independent products of
 * [m x k] x [k x n] (batched GEMM: batch = b); time = derived_time_us, the median CUPTI kernel
 * time (graph-mode: no host gaps). GPU: H100 SXM class (SOURCE.md's evidence), h100-sxm.
 */
#include <stdio.h>
#include <string.h>

#include "cost_points.h"

int cost_read_xla_matmul(cost_csv *c, ps_cost_points *pts, ps_error *err)
{
    const char *names[] = {"b", "m", "n", "k", "derived_time_us"};
    int cols[5], dt = cost_csv_col(c, "dtype");
    for (int i = 0; i < 5; i++)
        if ((cols[i] = cost_csv_col(c, names[i])) < 0 || dt < 0)
            return ps_error_set(err, PS_EINPUT, "%s:1: no column '%s'", c->path, dt < 0 ? "dtype" : names[i]);
    int more, rc;
    while ((more = cost_csv_next(c, err)) > 0) {
        if (strcmp(c->field[dt], "BF16xBF16->BF16"))
            continue;
        double v[5];
        for (int i = 0; i < 5; i++)
            if ((rc = i < 4 ? cost_csv_count(c, cols[i], &v[i], err) : cost_csv_num(c, cols[i], &v[i], err)))
                return rc;
        if (v[0] < 1 || v[1] < 1 || v[2] < 1 || v[3] < 1 || !(v[4] > 0))
            return ps_error_set(err, PS_EINPUT, "%s:%ld: b, m, n, k, time must be > 0", c->path, c->lineno);
        if ((rc = cost_csv_small(c, "b", v[0], err)))
            return rc;
        cost_point p = {.s.batch = (int)v[0]};
        p.s.q = (ps_cost_query){.kind = PS_OP_GEMM, .dtype = PS_DTYPE_BF16, .launch = PS_LAUNCH_GRAPH,
                                .m = (int64_t)v[1], .n = (int64_t)v[2], .k = (int64_t)v[3], .tokens = (int64_t)v[1]};
        p.gpu = ps_gpu_find("h100-sxm");
        p.time_us = v[4];
        snprintf(p.source, sizeof p.source, "xla");
        snprintf(p.op, sizeof p.op, "matmul_b%d", (int)v[0]);
        if ((rc = cost_points_push_row(c, pts, &p, err)))
            return rc;
    }
    return more < 0 ? err->code : PS_OK;
}
