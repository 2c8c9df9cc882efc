/* sim/coll/all_gather.c: all_gather (nccl-tests size = total output buffer S = n x per-rank).
 *
 * Ring: n-1 steps, each GPU forwards one S/n slice to its successor per step: (n-1)/n x S per port.
 * NVLS: each GPU multicasts its own slice once through the switch (S/n up) and receives the n-1
 * other slices ((n-1)/n x S down): the down ports carry what a ring carries, so NVLS only pays off
 * in latency; NCCL offers it (tuning.cc availability, nccl-model.md 2.5).
 */
#include "coll_internal.h"

static bool shape(ps_coll_algo algo, const coll_topo *topo, coll_shape *out)
{
    int n = topo->n;
    /* CollNetDirect (a SHARP network): each GPU is its rail's head; the switches gather the
     * rail's S / ppn from every node into each head's NIC, and the head copies it to the node's
     * other GPUs over NVLink (NVIDIA/nccl @ v2.29.7-1 src/device/all_gather.h
     * RunWorkColl<AllGather, COLLNET_DIRECT, Simple>): no scatter, gather down. */
    if (algo == PS_ALGO_COLLNET_DIRECT)
        return coll_collnet_shape(algo, topo, 0.0, 1.0, out);
    if (algo == PS_ALGO_NVLS && topo->nodes > 1)
        return false; /* NVLS across nodes: all_reduce only in parsim (not modelled here) */
    return coll_ring_nvls_shape(algo, topo, n - 1, 1.0 / n, (n - 1.0) / n, out);
}

const ps_coll_model ps_coll_model_all_gather = {
    .op = PS_COLL_ALL_GATHER,
    .name = "all_gather",
    .nccl_test = true,
    .redop = "none",
    .root = -1,
    .per_rank_count = true,
    .busbw_factor = coll_busbw_all_but_own_slice, /* nccl-tests AllGatherGetBw: (n-1)/n */
    .ring_family = true,
    .ring_scale = COLL_RING_SCALE_OTHER,
    .shape = shape,
};
