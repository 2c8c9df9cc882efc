/* sim/coll/engine_network.c: the platform's scale-out network (its network kind and overrides,
 * ps_platform_network, sim/platform/network.c) as the collective model sees it. It fills the
 * network part of a group's geometry once per (op, algo):
 *   net_inter_steps  how many of the shape's synchronous steps cross nodes: the tree shapes say
 *                    it (2 log2i(N)); a ring's chunk crosses a node boundary (N-1)/(n-1) of its
 *                    steps, which is NCCL's nInterSteps (2(N-1) for all_reduce, N-1 for
 *                    all_gather / reduce_scatter, tuning.cc; ../shared/notes/network.md 1.1);
 *                    point-to-point shapes (alltoall, send/recv) 1 when a flow leaves the node;
 *   net_proxy_step_s the host/proxy cost of one such step beyond NCCL's hwLat (network.md 2.4):
 *                    paid in the latency, and once per chunk in the pipeline (model.c);
 *   net_plugin_s     the net plugin's latency NCCL's tuner adds per inter-node step (twice for
 *                    Simple, tuning.cc:383-392): it ranks the algorithms (tuner.c), it is not time;
 *   net_protocols    the protocols the network's NCCL profile allows (TCPXO: no LL);
 *   ll128_default_off  NCCL's default leaves LL128 off: across nodes because of the GPU-NIC
 *                    PCIe path (PHB / SYS, or PXN before sm90; sim/platform/network.c), and on
 *                    any call of a PCIe-only node, whose GPU-GPU path (the graph's typeIntra:
 *                    PIX / PXB / PHB / SYS) fails NCCL's `typeIntra <= PATH_NVB` (tuning.cc
 *                    ncclTopoTuneModel, v2.17.1 - v2.30.7; e.g. v2.24.3-1 line 424, v2.29.2-1
 *                    line 491; v2.12.12-1 asked `<= PATH_NVL`, the same here): the tuner skips
 *                    LL128 unless it is forced (tuner.c). This half is not the network's, but it
 *                    is the same switch, so it is set here with the other;
 *   net_algorithms   the algorithms it lets the tuner pick (TCPX: Ring only; model.c);
 *   net_bandwidth_efficiency  the NICs' achievable fraction of line rate, with a named network
 *                    only (model.c coll_call_eff charges NIC-only links at it);
 *   net_channels, net_nics  NCCL's channel count across nodes and the NICs per node it spreads
 *                    over (model.c coll_net_channel_factor: a small call runs on fewer channels);
 *   net_nodes        the nodes the group spans (model.c coll_ll_net_cap_gbps: NCCL's LL cap
 *                    across 2 and across 3+ nodes).
 * On one node, or on a platform that names no network (the generic kind: zero costs, every
 * protocol), all of it is neutral, so the single-node model and its calibration are unchanged.
 */
#include "engine.h"

void coll_network_geom(const ps_coll_group *g, coll_geom *geom)
{
    const ps_platform_network *net = &g->ctx->fabric.network;
    const coll_shape *s = &geom->shape;
    double inter = 0;
    bool crosses = geom->lat_inter_s > 0; /* some flow of the shape leaves its node */
    if (crosses && s->inter_steps > 0)
        inter = s->inter_steps;
    else if (crosses && (s->pattern == PAT_RING || s->pattern == PAT_CHAIN) && g->n > 1)
        inter = s->steps * (double)(g->topo.nodes - 1) / (g->n - 1);
    else if (crosses)
        inter = s->steps;
    geom->net_inter_steps = inter;
    geom->net_proxy_step_s = crosses ? net->proxy_step_us * 1e-6 : 0;
    geom->net_plugin_s = crosses ? net->plugin_latency_us * 1e-6 : 0;
    geom->net_protocols = crosses ? net->protocols : PS_NET_PROTO_ALL;
    /* The PCIe half applies while NCCL_PROTO is unset, like the path half (the loader folds that
     * into ll128_default_off; network_protocols lists all three then): a set NCCL_PROTO that
     * lists LL128 enables it on any topology (tuning.cc: protoEnable 1, not 2). */
    geom->ll128_default_off = (crosses && net->ll128_default_off) ||
                              (g->ctx->fabric.kind == PS_FABRIC_PCIE &&
                               net->protocols == PS_NET_PROTO_ALL);
    geom->net_algorithms = crosses ? net->algorithms : PS_NET_ALGO_ALL;
    geom->net_bandwidth_efficiency = crosses && net->named ? net->bandwidth_efficiency : 0;
    /* NCCL's runtime channel count: the search finds one channel per NIC and duplicates it
     * (channels_per_nic, ../shared/notes/network.md 1.5), then NCCL_MAX_NCHANNELS caps it and
     * NCCL_MIN_NCHANNELS replicates up to it (N src/graph/connect.cc ncclTopoPostset). parsim's
     * platforms have one NIC link per GPU, so a node has per_node NICs. */
    int nics = g->topo.per_node > 0 ? g->topo.per_node : 1;
    int channels = net->channels_per_nic * nics;
    if (net->max_channels > 0 && channels > net->max_channels)
        channels = net->max_channels;
    if (net->min_channels > 0 && channels < net->min_channels)
        channels = net->min_channels;
    geom->net_channels = crosses ? channels : 0;
    geom->net_nics = crosses ? nics : 0;
    geom->net_nodes = crosses ? g->topo.nodes : 0;
    geom->net_nvlink_generation = crosses ? g->ctx->fabric.nvlink_generation : 0;
}
