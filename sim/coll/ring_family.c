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
