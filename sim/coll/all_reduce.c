/* sim/coll/all_reduce.c: all_reduce as NCCL runs it on one node.
 *
 * Ring: reduce-scatter then all-gather around the ring, 2(n-1) steps; in each step every GPU sends
 * one 1/n slice of the buffer to its ring successor, so each GPU port carries 2(n-1)/n x S per
 * direction -- the nccl-tests busbw factor (doc/PERFORMANCE.md).
 * NVLS (NVLink SHARP, NCCL >= 2.17 on NVSwitch gen3): each GPU pushes its whole buffer into the
 * switch, which reduces in the fabric and multicasts the result back; ../shared/notes/simgrid.md
 * section 5 and nccl-model.md section 2.1: each GPU sends and receives about S bytes (vs
 * 2(n-1)/n x S for ring), which is why busbw exceeds the link rate. Up and down ports are loaded at
 * the same time (one parallel task), as the pipelined kernel does.
 */
#include "coll_internal.h"

static bool shape(ps_coll_algo algo, int n, coll_shape *out)
{
    if (algo == PS_ALGO_RING) {
        *out = (coll_shape){PAT_RING, 2 * (n - 1), 1.0 / n, 0, 0};
        return true;
    }
    if (algo == PS_ALGO_NVLS) {
        *out = (coll_shape){PAT_NVLS, 1, 0, 1.0, 1.0};
        return true;
    }
    return false;
}

const ps_coll_model ps_coll_model_all_reduce = {PS_COLL_ALL_REDUCE, "all_reduce", "sum", -1,
                                                false, shape};
