/* sim/coll/broadcast.c: broadcast, Ring only in NCCL (nccl-model.md 2.5).
 *
 * The root's buffer flows down the ring as a pipelined chain: n-1 hops, every arc except the one
 * back into the root carries the whole buffer S (busbw factor 1). Modelled as n-1 steps of S/(n-1)
 * on every chain arc, so each port carries S and each step pays one hop latency, which is NCCL's
 * "base + nsteps hops" latency for Ring broadcast.
 */
#include "coll_internal.h"

static bool shape(ps_coll_algo algo, const coll_topo *topo, coll_shape *out)
{
    int n = topo->n;
    if (algo != PS_ALGO_RING)
        return false;
    int steps = n > 1 ? n - 1 : 1;
    *out = (coll_shape){.pattern = PAT_CHAIN, .steps = steps, .arc_frac = 1.0 / steps};
    return true;
}

const ps_coll_model ps_coll_model_broadcast = {
    .op = PS_COLL_BROADCAST,
    .name = "broadcast",
    .nccl_test = true,
    .redop = "none",
    .root = 0,
    .per_rank_count = false,
    .busbw_factor = coll_busbw_whole_buffer, /* nccl-tests BroadcastGetBw: busbw = algbw */
    .ring_family = true,
    .ring_scale = COLL_RING_SCALE_OTHER,
    .shape = shape,
};
