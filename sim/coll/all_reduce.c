/* sim/coll/all_reduce.c: all_reduce as NCCL runs it, on one node and across nodes.
 *
 * Ring: reduce-scatter then all-gather around the ring, 2(n-1) steps; in each step every GPU sends
 * one 1/n slice of the buffer to its ring successor, so each GPU port carries 2(n-1)/n x S per
 * direction -- the nccl-tests busbw factor (doc/PERFORMANCE.md).
 *
 * NVLS (NVLink SHARP, NCCL >= 2.17 on NVSwitch gen3): each GPU pushes its whole buffer into the
 * switch, which reduces in the fabric and multicasts the result back; ../shared/notes/simgrid.md
 * section 5 and nccl-model.md section 2.1: each GPU sends and receives about S bytes (vs
 * 2(n-1)/n x S for ring), which is why busbw exceeds the link rate. Up and down ports are loaded at
 * the same time (one parallel task), as the pipelined kernel does.
 *
 * Tree (NCCL's Tree, src/graph/trees.cc + tuning.cc): inside a node the GPUs form a chain whose
 * head talks to the network; across nodes the heads form a DOUBLE binary tree (two trees in which
 * a node that is interior in one is a leaf in the other, each carrying half of the data). Data is
 * reduced up the chain and the tree to the root, then broadcast back down, and the two phases are
 * pipelined chunk by chunk, so at steady state every tree edge carries its half of S up AND down at
 * once. NCCL runs many channels, each chain starting at a different GPU so each channel crosses
 * nodes through a different NIC (rail); we run `per_node` channels, channel c headed by local GPU
 * c, each with S / per_node of the data. Per direction that puts, on 2 nodes, S / per_node on each
 * NIC (half of what the rail rings put there: 2(n-1)/n x S / per_node) and 2(per_node-1)/per_node
 * x S on each NVLink port (the ring's load). Latency (NCCL's model, nccl-model.md 2.3):
 *     base + 2 x ((ppn-1) x intra hop + log2i(nNodes) x net hop)
 * i.e. steps = 2(ppn-1) + 2 log2i(nNodes), of which 2 log2i(nNodes) cross nodes (log2i = floor,
 * as NCCL's tuner; a 3-node tree is in fact 2 deep -- we keep NCCL's number, it is what it picks by).
 *
 * NVLS-tree (NCCL's NVLSTree, several NVLS nodes): NVLS reduce-scatter inside each node (every GPU
 * ends up owning the node's reduced 1/ppn slice), the slices reduced and broadcast across nodes
 * by per-rail double binary trees (local GPU c of every node exchanges slice c through its own NIC),
 * then an NVLS all-gather (multicast) back inside each node. NVLink ports carry S up and S down as
 * single-node NVLS does; NIC c carries S / ppn per direction on 2 nodes. Latency (NCCL):
 *     base + intra NVLS latency (25 us, once) + 2 log2i(nNodes) x net hop
 * so steps = 1 + 2 log2i(nNodes), of which 2 log2i(nNodes) cross nodes.
 *
 * CollNetDirect (NCCL's CollNetDirect, a SHARP network): every GPU is a head with its own NIC;
 * each GPU scatters head c's 1/ppn of its buffer to head c over NVLink, head c reduces the node's
 * contributions, sends the node's partial share through its NIC into the switches, which reduce
 * across all nodes and send the total back, and head c gathers it to every local GPU. Per
 * direction: each NVLink port 2(ppn-1)/ppn x S (as the ring), each NIC S/ppn, whatever the node
 * count (ring: 2(N-1)/N x S/ppn; so SHARP's busbw can reach twice the ring's on 2+ nodes).
 * CollNetChain: the same in-network step from the head of each of ppn chains (PAT_TREE's chains).
 * Latency (NCCL): Direct 2 x (intra hop + (ppn-1) x 0.4 us) + net hop, Chain 2 (ppn-1) x intra
 * hop + net hop (ring_family.c coll_collnet_shape, engine_traffic.c collnet_matrix).
 *
 * NVLS across nodes (NCCL's NVLS algorithm with CollNet, NCCL_NVLS_ENABLE and a SHARP network):
 * NVLS inside each node as on one node (every port S up, S down), one head per NIC sending its
 * share into the switches and multicasting the total back (each NIC S/ppn each way); latency
 * NVLS's 25 us + hwLat[NET][NVLS] 18 us (engine_traffic.c collnet_matrix, PAT_NVLS_COLLNET).
 *
 * Both tree shapes give the whole call's traffic times 1/steps per "step" (PAT_TREE and
 * PAT_NVLS_TREE are filled by the engine, which knows the group's nodes): the engine multiplies a
 * step's traffic by `steps`, so the one parallel task carries exactly the call's traffic.
 */
#include "coll_internal.h"

/* NCCL's log2i: floor(log2(v)), 0 for v <= 1. */
static int log2i(int v)
{
    int r = 0;
    while (v >>= 1)
        r++;
    return r;
}

static bool shape(ps_coll_algo algo, const coll_topo *topo, coll_shape *out)
{
    int n = topo->n;
    if (algo == PS_ALGO_NVLS && topo->nodes > 1) {
        /* NVLS across nodes, with CollNet (the file header): NCCL's latency is intraLat +
         * interLat (tuning.cc @ v2.29.7-1 lines 392-394): the NVLS step, paid as the row's base,
         * and one in-network step. */
        if (!topo->grouped)
            return false;
        *out = (coll_shape){.pattern = PAT_NVLS_COLLNET, .steps = 1, .arc_frac = 1.0,
                             .up_frac = 1.0, .down_frac = 1.0, .inter_steps = 1, .net_frac = 1.0};
        return true;
    }
    if (coll_ring_nvls_shape(algo, topo, 2 * (n - 1), 1.0, 1.0, out))
        return true;
    if (algo == PS_ALGO_TREE) {
        if (n < 2 || !topo->grouped)
            return false;
        int inter = 2 * log2i(topo->nodes), steps = 2 * (topo->per_node - 1) + inter;
        *out = (coll_shape){.pattern = PAT_TREE, .steps = steps, .arc_frac = 1.0 / steps,
                             .inter_steps = inter};
        return true;
    }
    if (coll_collnet_shape(algo, topo, 1.0, 1.0, out))
        return true; /* CollNet: the file header */
    if (algo == PS_ALGO_NVLS_TREE) {
        /* NCCL: NVLSTree is disabled on one node (nccl-model.md 2.5) */
        if (topo->nodes < 2 || !topo->grouped)
            return false;
        int inter = 2 * log2i(topo->nodes), steps = 1 + inter;
        *out = (coll_shape){.pattern = PAT_NVLS_TREE, .steps = steps, .arc_frac = 1.0 / steps,
                             .up_frac = 1.0, .down_frac = 1.0, .inter_steps = inter};
        return true;
    }
    return false;
}

/* nccl-tests all_reduce.cu AllReduceGetBw: busbw = algbw x 2(n-1)/n (each GPU sends and receives
 * 2(n-1)/n x S on a ring). */
static double busbw_factor(int n) { return 2.0 * (n - 1) / n; }

const ps_coll_model ps_coll_model_all_reduce = {
    .op = PS_COLL_ALL_REDUCE,
    .name = "all_reduce",
    .nccl_test = true,
    .redop = "sum",
    .root = -1,
    .per_rank_count = false,
    .busbw_factor = busbw_factor,
    .ring_family = true,
    .ring_scale = COLL_RING_SCALE_ALL_REDUCE,
    .tree_bw_correction = true,
    .shape = shape,
};
