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
    if (algo == PS_ALGO_RING) {
        *out = (coll_shape){PAT_RING, n - 1, 1.0 / n, 0, 0, 0};
        return true;
    }
    if (algo == PS_ALGO_NVLS) {
        *out = (coll_shape){PAT_NVLS, 1, 0, 1.0, 1.0 / n, 0};
        return true;
    }
    return false;
}

const ps_coll_model ps_coll_model_reduce_scatter = {PS_COLL_REDUCE_SCATTER, "reduce_scatter",
                                                    "sum", -1, true, shape};
