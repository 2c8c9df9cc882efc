/* sim/coll/reduce_scatter.c: reduce_scatter (nccl-tests size = total input buffer S = n x
 * per-rank output).
 *
 * Ring: n-1 steps of one S/n slice to the successor: (n-1)/n x S per port, like all_gather.
 * NVLS: every GPU's whole buffer goes up into the switch, which reduces it and returns each GPU its
 * own S/n slice (multimem.ld_reduce): S up, S/n down.
 */
#include "coll_internal.h"

static bool shape(ps_coll_algo algo, const coll_topo *topo, coll_shape *out)
{
    int n = topo->n;
    /* CollNetDirect (a SHARP network): every GPU scatters head c the part of its input that
     * rail c's ranks own (S / ppn), head c reduces the node's and sends it into the switches,
     * which return the head's own reduced S / n (NVIDIA/nccl @ v2.29.7-1 src/device/
     * reduce_scatter.h RunWorkColl<ReduceScatter, COLLNET_DIRECT, Simple>): scatter up, no
     * gather. */
    if (algo == PS_ALGO_COLLNET_DIRECT)
        return coll_collnet_shape(algo, topo, 1.0, 0.0, out);
    if (algo == PS_ALGO_NVLS && topo->nodes > 1)
        return false; /* NVLS across nodes: all_reduce only in parsim (not modelled here) */
    return coll_ring_nvls_shape(algo, topo, n - 1, 1.0, 1.0 / n, out);
}

const ps_coll_model ps_coll_model_reduce_scatter = {
    .op = PS_COLL_REDUCE_SCATTER,
    .name = "reduce_scatter",
    .nccl_test = true,
    .redop = "sum",
    .root = -1,
    .per_rank_count = true,
    .busbw_factor = coll_busbw_all_but_own_slice, /* nccl-tests ReduceScatterGetBw: (n-1)/n */
    .ring_family = true,
    .ring_scale = COLL_RING_SCALE_OTHER,
    .shape = shape,
};
