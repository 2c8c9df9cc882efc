/* sim/coll/tuner.c: which algorithm and protocol a call runs with -- the one choice, made as
 * NCCL's tuner makes it (enqueue.cc topoGetAlgoInfo: the least predicted time among the enabled
 * (algorithm, protocol) pairs), with parsim's calibrated closed form (model.c) as the predictor.
 * ps_coll_predict, ps_coll_run (through ps_coll_predict) and the calibration (calibrate.c) all
 * call coll_tune, so a fit moves exactly the crossovers the simulator will use.
 */
#include <math.h>

#include "allreduce_engine.h"
#include "coll_internal.h"

/* The tuner leaves Tree out on one node: NCCL's own model never picks it there on Hopper (Tree LL
 * has the ring LL's steps and hop with a larger base and 0.92/3.8 of its bandwidth; Tree LL128's
 * smaller hop only pays below a few MiB, where ring LL or NVLS are faster: nccl-model.md 2.3-2.4),
 * and our single-node ring rows are calibrated (group scale, fill) while the tree rows are NCCL's
 * constants, so a tie-break between the two would compare a fit with a default. Forced
 * (--algo tree) it runs. */
bool coll_tuner_considers(const ps_coll_group *g, ps_coll_algo algo)
{
    if (coll_engine_ar_of(algo)) /* NCCL never runs an engine's kernels */
        return false;
    return algo != PS_ALGO_TREE || coll_group_topo(g)->nodes > 1;
}

int coll_tune(const ps_coll_group *g, const ps_coll_params *params, ps_coll_op op,
              ps_coll_algo algo, ps_coll_proto proto, double bytes, coll_choice *out,
              ps_error *err)
{
    *out = (coll_choice){INFINITY, PS_ALGO_AUTO, PS_PROTO_AUTO};
    double best_rank = INFINITY;
    int n = ps_coll_group_size(g);
    for (int a = 0; a < PS_ALGO_COUNT; a++) {
        if (algo != PS_ALGO_AUTO && algo != a)
            continue;
        if (algo == PS_ALGO_AUTO && !coll_tuner_considers(g, (ps_coll_algo)a))
            continue;
        coll_geom geom;
        int rc = coll_group_geom(g, op, (ps_coll_algo)a, &geom, err);
        if (rc)
            return rc;
        if (!geom.available)
            continue;
        if (algo == PS_ALGO_AUTO && !coll_network_allows_algo(&geom, (ps_coll_algo)a))
            continue; /* the network's NCCL profile sets NCCL_ALGO (engine_network.c) */
        for (int p = 0; p < PS_PROTO_COUNT; p++) {
            if (proto != PS_PROTO_AUTO && proto != p)
                continue;
            if (!coll_pair_allowed(op, (ps_coll_algo)a, (ps_coll_proto)p) ||
                !coll_network_allows(&geom, (ps_coll_proto)p))
                continue;
            /* NCCL's LL128 default needs NVLink inside the node and a short GPU-NIC path
             * across nodes (engine_network.c, network.c); a forced protocol is NCCL_PROTO,
             * which enables it anywhere. */
            if (proto == PS_PROTO_AUTO && p == PS_PROTO_LL128 && geom.ll128_default_off)
                continue;
            double t = coll_model_time(params, op, (ps_coll_algo)a, (ps_coll_proto)p, n, &geom,
                                       bytes);
            /* NCCL ranks with the net plugin's latency added and its CollNetDirect penalty (a
             * ranking number, not time; model.c coll_rank_s). */
            double rank = coll_rank_s(params, op, (ps_coll_algo)a, (ps_coll_proto)p, n, &geom,
                                      bytes, t);
            if (rank < best_rank) { /* strict: ties keep the earlier (ring before nvls, LL first) */
                best_rank = rank;
                out->time_s = t;
                out->algo = (ps_coll_algo)a;
                out->proto = (ps_coll_proto)p;
            }
        }
    }
    return PS_OK;
}

int ps_coll_predict(const ps_coll_group *g, const ps_coll_call *call, ps_coll_result *res,
                    ps_error *err)
{
    int n = ps_coll_group_size(g);
    if (!(call->bytes >= 0) || !isfinite(call->bytes))
        return ps_error_set(err, PS_EINPUT, "collective size must be a finite number >= 0");
    if (call->op == PS_COLL_SEND && n != 2)
        return ps_error_set(err, PS_EINPUT, "send needs a group of 2 GPUs, not %d", n);
    if (call->op == PS_COLL_BROADCAST && (call->root < 0 || call->root >= n))
        return ps_error_set(err, PS_EINPUT, "broadcast root %d is not a member (0..%d)",
                            call->root, n - 1);
    if (coll_engine_ar_of(call->algo))
        return coll_engine_predict(g, call, res, err);
    coll_choice c;
    int rc = coll_tune(g, coll_group_params(g), call->op, call->algo, call->proto, call->bytes,
                       &c, err);
    if (rc)
        return rc;
    bool collnet = call->algo == PS_ALGO_COLLNET_DIRECT || call->algo == PS_ALGO_COLLNET_CHAIN;
    if (c.algo == PS_ALGO_AUTO)
        return ps_error_set(err, PS_EINPUT, "%s has no algorithm %s / protocol %s on this group "
                            "of %d GPUs%s", ps_coll_op_name(call->op),
                            ps_coll_algo_name(call->algo), ps_coll_proto_name(call->proto), n,
                            collnet && !coll_group_sharp(g)
                                ? " (CollNet needs SHARP in the network: network_sharp=\"1\", "
                                  "parsim platform --network ib-ndr --sharp)"
                                : "");
    *res = (ps_coll_result){.time_s = c.time_s, .algo = c.algo, .proto = c.proto};
    return PS_OK;
}
