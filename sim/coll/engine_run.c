/* sim/coll/engine_run.c: runs one collective call as SimGrid activities (ps_coll_run).
 *
 * The schedule (the closed form it reproduces is in model.c; docs/nccl.md has the long
 * version). A collective with protocol row (base, hop, eff, fill) whose shape has `steps`
 * synchronous steps is simulated by the group's leader actor as
 *     sleep(L - lat)      L = base + steps * max(hop, mean route latency), at least lat
 *     one parallel task holding every flow of every step (steps x the bytes of one step)
 *     sleep(2 * sqrt(steps * fill * tb))   (NCCL's NVLS: model.c coll_nvls_pipeline_s instead)
 * where each flow carries its share of the call's bytes divided by the effective efficiency eff_n
 * (LL sends a 4-byte flag with every 4 bytes of data, Simple leaves the links partly idle: the
 * flow is longer than the data so the LINKS stay busy for as long as NCCL keeps them busy, and
 * other traffic sees that). On an idle platform the task takes lat + steps*bytes*spb/eff_n, with
 * lat the largest route latency of its flows and spb the busiest link's load per byte of one
 * step over its bandwidth (ptask_L07 shares bandwidth max-min, independent of latency). So the
 * idle time is
 *     T = L + tb + 2*sqrt(steps*fill*tb),   tb = steps*bytes*spb/eff_n
 * which is NCCL's tuning model (time = latency + bytes/bandwidth, tuning.cc) plus a pipelining
 * term: a transfer pipelined over `steps` stages in chunks with a fixed per-chunk overhead h
 * takes at best (sqrt(tb) + sqrt(steps*h))^2 = tb + steps*h + 2*sqrt(steps*h*tb) with the optimal
 * chunk size (the classic pipelined-broadcast bound); NCCL's chunking is close to that, and `fill`
 * is h, fitted. The fill is a sleep, not link load: pipeline bubbles leave the links idle.
 *
 * Why one parallel task and not one comm per chunk or per step: the flows of a pipelined ring are
 * coupled (a GPU forwards what it received, so every arc runs at the slowest arc's rate); a
 * parallel task progresses all its flows at one rate -- the bottleneck's -- which is that
 * coupling, and it costs one SimGrid activity. The steps survive in the latency (one hop each)
 * and in the fill term; the pipelining inside the task is analytic. An all_reduce costs one task
 * and at most two sleeps whatever its size and group.
 *
 * Invariants: the leader (member 0) alone posts activities; every member passes the group's
 * barrier on entry and on exit, so a collective starts when its last member arrives (NCCL
 * semantics) and all members leave together.
 */
#include <math.h>
#include <string.h>

#include <simgrid/actor.h>
#include <simgrid/barrier.h>
#include <simgrid/engine.h>

#include "engine.h"

/* sg_actor_parallel_execute is exported by libsimgrid 3.32 but its declaration in actor.h lacks
 * XBT_PUBLIC; the declaration there is enough for C. */

static void sleep_counted(double s, int *activities)
{
    if (s > 0) {
        sg_actor_sleep_for(s);
        (*activities)++;
    }
}

/* The leader's part: selection, then the schedule of the header comment. */
static int lead(ps_coll_group *g, const ps_coll_call *call, ps_coll_result *res, ps_error *err)
{
    ps_coll_result choice;
    int rc = ps_coll_predict(g, call, &choice, err);
    if (rc)
        return rc;
    coll_geom geom;
    const ps_coll_params *p = &g->ctx->params;
    ps_coll_proto_params kernel_row;
    const ps_coll_proto_params *row = &kernel_row;
    double eff, net_hop_us = 0, net_overhead_us = 0;
    if (choice.kernel) { /* an engine's own kernel (allreduce_engine.c) */
        if ((rc = coll_engine_plan(g, call, &choice, &geom, &kernel_row, &eff, err)))
            return rc;
    } else {
        if ((rc = coll_group_geom(g, call->op, choice.algo, &geom, err)))
            return rc;
        row = coll_proto_row(p, choice.algo, choice.proto);
        eff = coll_call_eff(p, call->op, choice.algo, choice.proto, g->n, &geom, call->bytes);
        net_hop_us = coll_net_hop_us(p, choice.algo, choice.proto);
        net_overhead_us = coll_net_overhead_us(p, choice.algo, choice.proto);
    }
    int steps = geom.shape.steps, activities = 0;
    double t0 = simgrid_get_clock();
    double tb = steps * call->bytes * geom.step_s_per_byte / eff;
    int root = call->op == PS_COLL_BROADCAST ? call->root : 0;
    /* All steps' bytes in one task: the task pays the largest route latency once, the sleep
     * before it the rest of the latency budget. */
    int dim = coll_step_matrix(g, &geom.shape, steps * call->bytes / eff, root);
    bool has_bytes = call->bytes > 0 && g->n > 1;
    double lat = coll_latency_s(row, net_hop_us, net_overhead_us, &geom);
    sleep_counted(lat - (has_bytes ? geom.lat_s : 0), &activities);
    if (has_bytes) {
        sg_actor_parallel_execute(dim, g->hosts, g->flops, g->memo->matrix);
        activities++;
    }
    sleep_counted(choice.kernel ? coll_fill_s(row, &geom, tb)
                                : coll_pipeline_s(p, call->op, choice.algo, row, g->n, &geom,
                                                  call->bytes, tb),
                  &activities);
    choice.time_s = simgrid_get_clock() - t0;
    choice.activities = activities;
    *res = choice;
    return PS_OK;
}

int ps_coll_run(ps_coll_group *g, int member, const ps_coll_call *call, ps_coll_result *res,
                ps_error *err)
{
    if (member < 0 || member >= g->n)
        return ps_error_set(err, PS_EINPUT, "member %d is not in the group (0..%d)", member,
                            g->n - 1);
    sg_barrier_wait(g->barrier); /* the collective starts when the last member arrives */
    if (member == 0) {
        g->error.code = PS_OK;
        g->error.message[0] = '\0';
        memset(&g->result, 0, sizeof g->result);
        lead(g, call, &g->result, &g->error);
    }
    sg_barrier_wait(g->barrier);
    if (g->error.code) {
        if (err)
            *err = g->error;
        return g->error.code;
    }
    if (res)
        *res = g->result;
    return PS_OK;
}
