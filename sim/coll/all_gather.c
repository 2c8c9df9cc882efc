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
    if (algo == PS_ALGO_RING) {
        *out = (coll_shape){PAT_RING, n - 1, 1.0 / n, 0, 0, 0};
        return true;
    }
    if (algo == PS_ALGO_NVLS) {
        *out = (coll_shape){PAT_NVLS, 1, 0, 1.0 / n, (n - 1.0) / n, 0};
        return true;
    }
    return false;
}

const ps_coll_model ps_coll_model_all_gather = {PS_COLL_ALL_GATHER, "all_gather", "none", -1,
                                                true, shape};
