/* sim/coll/nccl_sweep.c: the nccl-tests driver -- a size sweep of one collective on GPUs
 * 0..n-1, simulated in one SimGrid run (or predicted in closed form).
 *
 * nccl-tests semantics reproduced (NVIDIA/nccl-tests src/common.cu and src/<op>.cu):
 *   - per-rank-count ops (all_gather, reduce_scatter, alltoall) round the size down to a whole
 *     number of elements per rank: count = size / (n x type), size = count x n x type;
 *     the others: count = size / type, size = count x type;
 *   - algbw = size / time, busbw = algbw x the op's factor (ps_coll_busbw_factor);
 *   - time is per iteration; with -g G one thread launches on G GPUs one after another, and
 *     iterations are queued asynchronously, so an iteration costs max(GPU time, host launch time)
 *     = max(T, G x launch_us) (the ~35 us floor of single-process -g 8 runs, nccl-model.md 1.4).
 *   - a size that rounds to 0 elements launches nothing (NCCL returns at once for count 0):
 *     its row is printed with time 0 and bandwidth 0, as nccl-tests prints ~0 us for it.
 * Between sizes every actor passes the group's barrier (inside ps_coll_run), so sizes never
 * overlap. The run is deterministic.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <simgrid/actor.h>
#include <simgrid/barrier.h>
#include <simgrid/engine.h>

#include "coll_internal.h"

void ps_nccl_round_size(ps_coll_op op, int n, int type_bytes, double size, double *out_size,
                        long long *out_count)
{
    const ps_coll_model *m = ps_coll_model_of(op);
    double unit = (double)type_bytes * ((m && m->per_rank_count) ? n : 1);
    long long units = (long long)floor(size / unit);
    *out_count = units; /* per rank for the per-rank-count ops, as nccl-tests prints it */
    *out_size = (double)units * unit;
}

static void fill_row(const ps_nccl_sweep *sw, double size, long long count, double time_s,
                     const ps_coll_result *res, double launch_us, ps_nccl_row *row)
{
    double t_us = time_s * 1e6;
    double floor_us = sw->gpus_per_thread > 1 ? sw->gpus_per_thread * launch_us : 0;
    if (t_us < floor_us)
        t_us = floor_us;
    row->size_bytes = size;
    row->count = count;
    row->time_us = t_us;
    row->algbw_gbps = t_us > 0 ? size / (t_us * 1e3) : 0;
    row->busbw_gbps = row->algbw_gbps * ps_coll_busbw_factor(sw->op, sw->gpus);
    row->algo = res->algo;
    row->proto = res->proto;
    row->activities = res->activities;
    row->engine = res->engine;
    row->kernel = res->kernel;
    row->fallback_why = res->fallback_why;
}

void ps_nccl_row_tag(const ps_nccl_row *row, char *buf, size_t size)
{
    ps_coll_result res = {.algo = row->algo, .proto = row->proto, .engine = row->engine,
                          .kernel = row->kernel, .fallback_why = row->fallback_why};
    ps_coll_result_tag(&res, buf, size);
}

/* A 0-element collective: NCCL launches nothing, so no time and no bandwidth. */
static void zero_row(const ps_nccl_sweep *sw, long long count, ps_nccl_row *row)
{
    *row = (ps_nccl_row){0};
    row->count = count;
    row->algo = sw->algo;
    row->proto = sw->proto;
}

int ps_nccl_predict_rows(ps_coll_ctx *ctx, const ps_nccl_sweep *sw, ps_nccl_row *rows,
                         ps_error *err)
{
    int *ranks = malloc(sizeof(int) * (size_t)(sw->gpus > 0 ? sw->gpus : 1));
    if (!ranks)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    for (int i = 0; i < sw->gpus; i++)
        ranks[i] = i;
    ps_coll_group *g = NULL;
    int rc = ps_coll_group_create(ctx, sw->gpus, ranks, &g, err);
    free(ranks);
    for (int i = 0; !rc && i < sw->count; i++) {
        double size;
        long long count;
        ps_nccl_round_size(sw->op, sw->gpus, sw->type_bytes, sw->sizes[i], &size, &count);
        ps_coll_call call = {sw->op, size, 0, sw->algo, sw->proto, 0, sw->type_bytes};
        ps_coll_result res;
        if (size <= 0) {
            zero_row(sw, count, &rows[i]);
            continue;
        }
        rc = ps_coll_predict(g, &call, &res, err);
        if (!rc)
            fill_row(sw, size, count, res.time_s, &res, ps_coll_ctx_params(ctx)->launch_us,
                     &rows[i]);
    }
    ps_coll_group_free(g);
    return rc;
}

/* ---- simulation ------------------------------------------------------------------------------
 * Several sweeps (the tests of one nccl-tests log) run one after another in the same SimGrid run
 * (SimGrid has one engine per process): one actor per GPU of the largest sweep; between two
 * sweeps every actor passes one more barrier, so no sweep overlaps the next (as the tests of a
 * log ran one after another). One sweep has no such barrier: its run is what it always was. */

typedef struct sweep_run {
    ps_coll_ctx *ctx;
    const ps_nccl_sweep *sweeps;
    int n_sweeps;
    ps_coll_group **groups;
    ps_nccl_row *const *rows;
    sg_bar_t between;  /* all actors, between sweeps; NULL for one sweep */
    int finished;      /* actors that ran to the end: a deadlock would leave this short */
    ps_error error;    /* first error (the leader's; all members see the same) */
} sweep_run;

typedef struct member_arg {
    sweep_run *run;
    int member;
} member_arg;

/* One sweep's sizes on one member; false on error (recorded by member 0). */
static bool run_sizes(sweep_run *run, int k, int member)
{
    const ps_nccl_sweep *sw = &run->sweeps[k];
    for (int i = 0; i < sw->count; i++) {
        double size;
        long long count;
        ps_nccl_round_size(sw->op, sw->gpus, sw->type_bytes, sw->sizes[i], &size, &count);
        ps_coll_call call = {sw->op, size, 0, sw->algo, sw->proto, 0, sw->type_bytes};
        ps_coll_result res;
        ps_error err = {0, ""};
        if (size <= 0) { /* every member sees the same size: all skip it together */
            if (member == 0)
                zero_row(sw, count, &run->rows[k][i]);
            continue;
        }
        double t0 = simgrid_get_clock();
        if (ps_coll_run(run->groups[k], member, &call, &res, &err)) {
            if (member == 0)
                run->error = err;
            return false;
        }
        if (member == 0)
            fill_row(sw, size, count, simgrid_get_clock() - t0, &res,
                     ps_coll_ctx_params(run->ctx)->launch_us, &run->rows[k][i]);
    }
    return true;
}

static void member_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    member_arg *arg = sg_actor_self_get_data();
    sweep_run *run = arg->run;
    for (int k = 0; k < run->n_sweeps; k++) {
        if (arg->member < run->sweeps[k].gpus && !run->error.code)
            run_sizes(run, k, arg->member);
        if (run->between)
            sg_barrier_wait(run->between);
        if (run->error.code)
            return;
    }
    run->finished++;
}

static int make_groups(ps_coll_ctx *ctx, const ps_nccl_sweep *sweeps, int n, ps_coll_group **groups,
                       int *max_gpus, ps_error *err)
{
    *max_gpus = 0;
    for (int k = 0; k < n; k++)
        if (sweeps[k].gpus > *max_gpus)
            *max_gpus = sweeps[k].gpus;
    int *ranks = malloc(sizeof(int) * (size_t)(*max_gpus > 0 ? *max_gpus : 1));
    if (!ranks)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    for (int i = 0; i < *max_gpus; i++)
        ranks[i] = i;
    int rc = PS_OK;
    for (int k = 0; !rc && k < n; k++) {
        rc = ps_coll_group_create(ctx, sweeps[k].gpus, ranks, &groups[k], err);
        if (!rc) {
            /* Check every sweep up front (a forced algorithm that does not exist): the actors
             * would otherwise stop mid-run. */
            ps_coll_call call = {sweeps[k].op, 0, 0, sweeps[k].algo, sweeps[k].proto, 0, 0};
            ps_coll_result res;
            rc = ps_coll_predict(groups[k], &call, &res, err);
        }
    }
    free(ranks);
    return rc;
}

int ps_nccl_simulate_many(ps_coll_ctx *ctx, const ps_nccl_sweep *sweeps, int n_sweeps,
                          ps_nccl_row *const *rows, ps_error *err)
{
    if (n_sweeps < 1)
        return ps_error_set(err, PS_EINPUT, "nothing to simulate");
    ps_coll_group **groups = calloc((size_t)n_sweeps, sizeof *groups);
    if (!groups)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    int actors = 0;
    int rc = make_groups(ctx, sweeps, n_sweeps, groups, &actors, err);
    member_arg *args = rc ? NULL : calloc((size_t)actors, sizeof *args);
    sweep_run run = {ctx, sweeps, n_sweeps, groups, rows, NULL, 0, {0, ""}};
    if (!rc && !args)
        rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
    if (!rc && n_sweeps > 1 && !(run.between = sg_barrier_init((unsigned)actors)))
        rc = ps_error_set(err, PS_EINTERNAL, "cannot create a SimGrid barrier");
    if (!rc) {
        for (int i = 0; i < actors; i++) {
            char name[32];
            snprintf(name, sizeof name, "rank%d", i);
            args[i] = (member_arg){&run, i};
            sg_actor_t a = sg_actor_init(name, ps_platform_gpu_at(coll_ctx_platform(ctx), i)->host);
            sg_actor_set_data(a, &args[i]);
            sg_actor_start(a, member_main, 0, NULL);
        }
        simgrid_run();
        if (run.error.code)
            rc = ps_error_set(err, run.error.code, "%s", run.error.message);
        else if (run.finished != actors)
            rc = ps_error_set(err, PS_EINTERNAL, "simulation ended with %d of %d ranks unfinished "
                              "(deadlock)", actors - run.finished, actors);
    }
    if (run.between)
        sg_barrier_destroy(run.between);
    for (int k = 0; k < n_sweeps; k++)
        ps_coll_group_free(groups[k]);
    free(groups);
    free(args);
    return rc;
}

int ps_nccl_simulate(ps_coll_ctx *ctx, const ps_nccl_sweep *sw, ps_nccl_row *rows,
                     ps_error *err)
{
    ps_nccl_row *const all[1] = {rows};
    return ps_nccl_simulate_many(ctx, sw, 1, all, err);
}
