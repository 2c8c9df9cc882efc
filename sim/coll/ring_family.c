/* sim/coll/ring_family.c: the pieces several collective files share (see coll_internal.h).
 *
 * all_reduce, all_gather and reduce_scatter run Ring and NVLS with the same traffic pattern and
 * differ only in how many ring steps they take (2(n-1) or n-1) and in how much of the buffer goes
 * up to and comes back from the NVSwitch; each file passes its numbers and keeps its own
 * explanation of them. */
#include "coll_internal.h"

bool coll_ring_nvls_shape(ps_coll_algo algo, const coll_topo *topo, int ring_steps,
                          double nvls_up_frac, double nvls_down_frac, coll_shape *out)
{
    if (algo == PS_ALGO_RING) {
        *out = (coll_shape){.pattern = PAT_RING, .steps = ring_steps, .arc_frac = 1.0 / topo->n};
        return true;
    }
    if (algo == PS_ALGO_NVLS) {
        *out = (coll_shape){.pattern = PAT_NVLS, .steps = 1, .up_frac = nvls_up_frac,
                             .down_frac = nvls_down_frac};
        return true;
    }
    return false;
}

double coll_busbw_all_but_own_slice(int n) { return (double)(n - 1) / n; }

double coll_busbw_whole_buffer(int n)
{
    (void)n;
    return 1.0;
}

bool coll_collnet_shape(ps_coll_algo algo, const coll_topo *topo, double up_frac,
                        double down_frac, coll_shape *out)
{
    int ppn = topo->per_node;
    if ((algo != PS_ALGO_COLLNET_DIRECT && algo != PS_ALGO_COLLNET_CHAIN) || topo->nodes < 2 ||
        !topo->grouped || ppn < 1)
        return false;
    /* NCCL's latency (tuning.cc @ v2.29.7-1 lines 387-391): Direct 2 x (min(1, ppn-1) x intraLat
     * + (ppn-1) x 0.4 us "arity serialization") + interLat, i.e. a scatter and a gather step in
     * the node, one in-network step and the 0.4 us per extra local rank twice; Chain
     * 2 (ppn-1) x intraLat + interLat: up and down the chain, one in-network step. */
    int intra = algo == PS_ALGO_COLLNET_DIRECT ? 2 * (ppn > 1) : 2 * (ppn - 1);
    int steps = intra + 1;
    *out = (coll_shape){.pattern = algo == PS_ALGO_COLLNET_DIRECT ? PAT_COLLNET_DIRECT
                                                                  : PAT_COLLNET_CHAIN,
                        .steps = steps, .arc_frac = 1.0 / steps, .up_frac = up_frac,
                        .down_frac = down_frac, .inter_steps = 1, .net_frac = 1.0,
                        .serial_us = algo == PS_ALGO_COLLNET_DIRECT ? 2 * (ppn - 1) * 0.4 : 0};
    return true;
}
