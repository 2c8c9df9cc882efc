/* bench/bench_nccl.c: speed of the collective model (issue 4, "Speed").
 *   1. `parsim nccl` over 8 B .. 8 GiB (31 sizes) on 8 GPUs of hgx-h100: one process, one
 *      SimGrid run (target: under 2 s on 2 cores) -- timed around ps_nccl_simulate, plus the
 *      platform load.
 *   2. SimGrid activities per all_reduce, whatever its size (target: a few hundred at most).
 * Run from the source tree (or set PARSIM_SOURCE_DIR). Prints numbers; never fails on speed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "parsim/coll.h"
#include "parsim/platform.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(void)
{
    const char *src = getenv("PARSIM_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/platforms/hgx-h100.xml", src ? src : ".");
    ps_error err = {0, ""};
    ps_platform *pf = NULL;
    ps_coll_ctx *ctx = NULL;
    ps_coll_params params;
    char used[1100];
    double t0 = now_s();
    if (ps_platform_load(path, &pf, &err) ||
        ps_coll_params_for_platform(path, NULL, &params, used, sizeof used, &err) ||
        ps_coll_ctx_create(pf, &params, &ctx, &err)) {
        fprintf(stderr, "bench_nccl: %s\n", err.message);
        return 1;
    }
    double sizes[31];
    for (int i = 0; i < 31; i++)
        sizes[i] = 8.0 * (double)(1ull << i);
    ps_nccl_row rows[31];
    ps_nccl_sweep sw = {PS_COLL_ALL_REDUCE, 8, sizes, 31, 2, PS_ALGO_AUTO, PS_PROTO_AUTO, 1};
    double t1 = now_s();
    if (ps_nccl_simulate(ctx, &sw, rows, &err)) {
        fprintf(stderr, "bench_nccl: %s\n", err.message);
        return 1;
    }
    double t2 = now_s();
    int max_act = 0;
    for (int i = 0; i < 31; i++)
        if (rows[i].activities > max_act)
            max_act = rows[i].activities;
    printf("all_reduce 8 GPUs hgx-h100, 31 sizes 8 B..8 GiB, one SimGrid run: %.3f s "
           "(platform load %.3f s; target < 2 s)\n", t2 - t0, t1 - t0);
    printf("SimGrid activities per all_reduce (leader's sleeps + parallel tasks; plus 2 barrier "
           "waits per member): max %d over all sizes\n", max_act);
    ps_coll_ctx_free(ctx);
    ps_platform_free(pf);
    return 0;
}
