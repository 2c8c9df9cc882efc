/* sim/coll/alltoall.c: alltoall (nccl-tests size = per-rank buffer S = n x per-peer block).
 *
 * NCCL runs it as grouped send/recv: every GPU sends S/n to each of the n-1 others at once, so
 * each port carries (n-1)/n x S per direction; one parallel task holds all n(n-1) flows, which
 * share the ports max-min fairly (and cross whatever fabric links their routes use).
 */
#include "coll_internal.h"

static bool shape(ps_coll_algo algo, const coll_topo *topo, coll_shape *out)
{
    int n = topo->n;
    if (algo != PS_ALGO_P2P)
        return false;
    *out = (coll_shape){.pattern = PAT_ALLTOALL, .steps = 1, .arc_frac = 1.0 / n};
    return true;
}

const ps_coll_model ps_coll_model_alltoall = {
    .op = PS_COLL_ALLTOALL,
    .name = "alltoall",
    .nccl_test = true,
    .redop = "none",
    .root = -1,
    .per_rank_count = true,
    .busbw_factor = coll_busbw_all_but_own_slice, /* nccl-tests AlltoAllGetBw: (n-1)/n */
    .ring_family = false,
    .ring_scale = COLL_RING_SCALE_NONE,
    .shape = shape,
};
