/* sim/coll/engine_traffic.c: the traffic matrix of one step of a shape on a group (which GPU, or
 * NVLS switch, sends how many bytes to which), and its idle-platform geometry: the latency and
 * the busiest link of those flows on the platform's SimGrid routes. The closed form (model.c)
 * and the SimGrid schedule (engine_run.c) both start from here.
 */
#include <stdlib.h>
#include <string.h>

#include <simgrid/host.h>
#include <simgrid/link.h>
#include <xbt/dynar.h>

#include "engine.h"
#include "parsim/array.h"


/* NCCL's double binary tree over N nodes (src/graph/trees.cc, ncclGetBtree / ncclGetDtree):
 * tree 0 is the binary tree in which node r's parent clears r's lowest set bit and sets the next
 * one up (or just clears it when that is out of range); tree 1 is tree 0 mirrored (N even) or
 * shifted by one (N odd), so that the leaves of one tree are the interior nodes of the other and
 * every node sends and receives about the same. Returns the parent of node r, -1 for the root. */
static int btree_parent(int r, int nodes)
{
    if (r == 0)
        return -1;
    int bit = r & -r;
    int up = (r ^ bit) | (bit << 1);
    return up < nodes ? up : (r ^ bit);
}

static int dtree_parent(int tree, int r, int nodes)
{
    if (tree == 0)
        return btree_parent(r, nodes);
    if (nodes % 2) {
        int u = btree_parent((r - 1 + nodes) % nodes, nodes);
        return u < 0 ? -1 : (u + 1) % nodes;
    }
    int u = btree_parent(nodes - 1 - r, nodes);
    return u < 0 ? -1 : nodes - 1 - u;
}

/* Tree traffic of `amount` bytes (all_reduce.c): per_node channels, channel c headed by local GPU
 * c. PAT_TREE: chain c, c+1, .. (mod per_node) in every node, each chain edge carrying the
 * channel's data both ways (reduce up, broadcast down). Both: between nodes, the channel's rail
 * (local GPU c of each node) runs the two trees, each edge carrying half of the channel's data
 * up and half down. PAT_NVLS_TREE adds the NVLS up/down flows to each node's switch host. */
static void tree_matrix(const ps_coll_group *g, const coll_shape *s, double amount, int dim)
{
    const coll_topo *t = &g->topo;
    int ppn = t->per_node, nodes = t->nodes, n = g->n;
    double *m = g->memo->matrix, per_ch = amount / ppn;
    for (int c = 0; c < ppn; c++) {
        for (int k = 0; s->pattern == PAT_TREE && k < nodes; k++)
            for (int j = 0; j + 1 < ppn; j++) {
                int a = k * ppn + (c + j) % ppn, b = k * ppn + (c + j + 1) % ppn;
                m[a * dim + b] += per_ch;
                m[b * dim + a] += per_ch;
            }
        for (int tree = 0; tree < 2 && nodes > 1; tree++)
            for (int k = 0; k < nodes; k++) {
                int p = dtree_parent(tree, k, nodes);
                if (p < 0)
                    continue;
                int a = k * ppn + c, b = p * ppn + c;
                m[a * dim + b] += per_ch / 2;
                m[b * dim + a] += per_ch / 2;
            }
    }
    if (s->pattern == PAT_NVLS_TREE)
        for (int i = 0; i < n; i++) {
            int sw = n + g->host_node[i];
            m[i * dim + sw] += s->up_frac * amount;
            m[sw * dim + i] += s->down_frac * amount;
        }
}

/* CollNet traffic of `amount` bytes (NVIDIA/nccl @ v2.29.7-1 src/device/all_reduce.h
 * RunWorkColl<AllReduce, COLLNET_DIRECT | COLLNET_CHAIN, Simple>, all_gather.h and
 * reduce_scatter.h <.., COLLNET_DIRECT, ..>; the heads are one GPU per NIC, src/graph/connect.cc
 * collNet setup). Each node has per_node heads, head c = local GPU c with its own NIC (rail c),
 * owning 1/per_node of the buffer ("share").
 *  - PAT_COLLNET_DIRECT: every local GPU sends head c its part of head c's share (up_frac: the
 *    scatter warps, all_reduce and reduce_scatter) and head c sends every local GPU the result
 *    (down_frac: the gather warps, all_reduce and all_gather), over NVLink, peer to peer;
 *  - PAT_COLLNET_CHAIN: channel c is a chain c, c+1, .. in every node (as PAT_TREE), reduced up
 *    towards head c and broadcast back down, each chain edge carrying the share both ways;
 *  - both: head c's NIC sends its node's share into the switches and receives the reduced (or
 *    gathered) share back (net_frac x share each way). SHARP reduces in the switch tree, so what
 *    a NIC carries does not grow with the node count -- the whole point of in-network reduction
 *    (a rail ring puts 2(N-1)/N x the share on each NIC, a tree twice that on interior nodes).
 *    The switch tree is not on the platform: the in-network step is one flow per rail from
 *    node k's head to node k+1's head (mod N), which loads every NIC with the share up and the
 *    share down through the rail's leaf. For all_gather and reduce_scatter the send side of a
 *    NIC carries in fact 1/N of that (its own part; the reduced part), overstated here: the
 *    receive side, the busier, is exact.
 *  - PAT_NVLS_COLLNET (NCCL's NVLS across nodes, all_reduce.h RunWorkColl<AllReduce, NVLS,
 *    Simple>, the multi-node branch): the scatter warps copy the whole buffer up into the NVLS
 *    multicast buffer, head c's reduce warps multimem.ld_reduce its share and send it into the
 *    switches, its broadcast warps multimem.st the returned total, the gather warps copy the
 *    whole buffer down: up_frac / down_frac x bytes between each GPU and its node's NVSwitch
 *    (as NVLS-tree), and the in-network step as above. */
static void collnet_matrix(const ps_coll_group *g, const coll_shape *s, double amount, int dim)
{
    const coll_topo *t = &g->topo;
    int ppn = t->per_node, nodes = t->nodes;
    double *m = g->memo->matrix, share = amount / ppn;
    for (int i = 0; s->pattern == PAT_NVLS_COLLNET && i < g->n; i++) {
        int sw = g->n + g->host_node[i];
        m[i * dim + sw] += s->up_frac * amount;
        m[sw * dim + i] += s->down_frac * amount;
    }
    for (int k = 0; k < nodes; k++)
        for (int c = 0; c < ppn; c++) {
            int head = k * ppn + c;
            for (int j = 0; s->pattern == PAT_COLLNET_DIRECT && j < ppn; j++) {
                int peer = k * ppn + j;
                if (peer == head)
                    continue;
                m[peer * dim + head] += s->up_frac * share;
                m[head * dim + peer] += s->down_frac * share;
            }
            for (int j = 0; s->pattern == PAT_COLLNET_CHAIN && j + 1 < ppn; j++) {
                int a = k * ppn + (c + j) % ppn, b = k * ppn + (c + j + 1) % ppn;
                m[a * dim + b] += share;
                m[b * dim + a] += share;
            }
            if (nodes > 1)
                m[head * dim + ((k + 1) % nodes) * ppn + c] += s->net_frac * share;
        }
}

/* A point-to-point flow of `amount` bytes from member a to member b. With NCCL's PXN (the
 * network's pxn, NCCL_P2P_PXN_LEVEL=2 by default: "use PXN as much as possible to maximize
 * aggregation", NVIDIA/nccl src/graph/search.cc @ v2.30.7-1; off with NCCL_PXN_DISABLE=1,
 * src/graph/paths.cc:668) a send to a GPU of local index j on another node is written over NVLink
 * into the sender's node's GPU j, whose proxy posts it on GPU j's NIC: the flow stays on rail j
 * (same leaf) and GPU j's NIC carries every local GPU's traffic for rail j. PXN needs NVLink
 * between the two local GPUs (not on PCIe-only nodes) and node-contiguous groups (local index =
 * member index mod per_node). Without it the flow leaves through the sender's own NIC and crosses
 * rails through the spine. */
static void p2p_flow(const ps_coll_group *g, double *m, int dim, int a, int b, double amount)
{
    const coll_topo *t = &g->topo;
    bool pxn = g->ctx->fabric.network.pxn && g->ctx->fabric.kind != PS_FABRIC_PCIE && t->grouped &&
               t->nodes > 1 && t->per_node > 1 && g->host_node[a] != g->host_node[b] &&
               a % t->per_node != b % t->per_node;
    if (!pxn) {
        m[a * dim + b] += amount;
        return;
    }
    int via = (a / t->per_node) * t->per_node + b % t->per_node;
    m[a * dim + via] += amount;
    m[via * dim + b] += amount;
}

int coll_step_matrix(const ps_coll_group *g, const coll_shape *s, double bytes, int root)
{
    int n = g->n;
    int dim = s->pattern == PAT_NVLS ? n + 1
              : s->pattern == PAT_NVLS_TREE || s->pattern == PAT_NVLS_COLLNET ? n + g->topo.nodes
                                                                               : n;
    double *m = g->memo->matrix;
    memset(m, 0, sizeof(double) * (size_t)dim * (size_t)dim);
    switch (s->pattern) {
    case PAT_RING:
    case PAT_CHAIN: {
        double per_ring = s->arc_frac * bytes / g->ring_count;
        for (int r = 0; r < g->ring_count && n > 1; r++) {
            const int *ring = g->rings + r * n;
            int start = 0;
            for (int i = 0; i < n; i++)
                if (ring[i] == root)
                    start = i;
            for (int i = 0; i < n; i++) {
                int a = ring[i], b = ring[(i + 1) % n];
                /* chain: no arc back into the root */
                if (s->pattern == PAT_CHAIN && (i + 1) % n == start)
                    continue;
                m[a * dim + b] += per_ring;
            }
        }
        break;
    }
    case PAT_NVLS:
        for (int i = 0; i < n; i++) {
            m[i * dim + n] = s->up_frac * bytes;
            m[n * dim + i] = s->down_frac * bytes;
        }
        break;
    case PAT_ALLTOALL:
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j)
                    p2p_flow(g, m, dim, i, j, s->arc_frac * bytes);
        break;
    case PAT_SENDRECV:
        for (int i = 0; i < n && n > 1; i++)
            p2p_flow(g, m, dim, i, (i + 1) % n, s->arc_frac * bytes);
        break;
    case PAT_SEND:
        if (n >= 2)
            p2p_flow(g, m, dim, 0, 1, s->arc_frac * bytes);
        break;
    case PAT_TREE:
    case PAT_NVLS_TREE:
        tree_matrix(g, s, s->arc_frac * bytes, dim);
        break;
    case PAT_COLLNET_DIRECT:
    case PAT_COLLNET_CHAIN:
    case PAT_NVLS_COLLNET:
        collnet_matrix(g, s, s->arc_frac * bytes, dim);
        break;
    }
    return dim;
}

typedef struct link_load {
    sg_link_t link;
    double load;
    bool intra; /* some flow inside a node crosses it (NVLink, PCIe); NIC-only links: false */
} link_load;

/* Idle-platform geometry of a shape: max route latency of its flows and the busiest link's
 * load / bandwidth per byte. Walks every flow's route (sg_host_get_route). */
static int compute_geom(const ps_coll_group *g, const coll_shape *s, coll_geom *out, ps_error *err)
{
    int dim = coll_step_matrix(g, s, 1.0, 0);
    const double *matrix = g->memo->matrix;
    size_t cap = 0, count = 0;
    link_load *loads = NULL;
    xbt_dynar_t route = xbt_dynar_new(sizeof(sg_link_t), NULL);
    if (!route || ps_grow(&loads, &cap, 64, sizeof *loads)) {
        free(loads);
        if (route)
            xbt_dynar_free(&route);
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    double lat = 0, lat_sum = 0, side_sum[2] = {0, 0}; /* intra, inter */
    int flows = 0, side_flows[2] = {0, 0}, rc = PS_OK;
    for (int a = 0; a < dim && !rc; a++)
        for (int b = 0; b < dim && !rc; b++) {
            double frac = matrix[a * dim + b];
            if (frac <= 0)
                continue;
            xbt_dynar_reset(route);
            sg_host_get_route(g->hosts[a], g->hosts[b], route);
            double l = sg_host_get_route_latency(g->hosts[a], g->hosts[b]);
            if (l > lat)
                lat = l;
            lat_sum += l;
            flows++;
            int side = g->host_node[a] != g->host_node[b];
            side_sum[side] += l;
            side_flows[side]++;
            for (unsigned long k = 0; k < xbt_dynar_length(route); k++) {
                sg_link_t link = xbt_dynar_get_as(route, k, sg_link_t);
                size_t i = 0;
                while (i < count && loads[i].link != link)
                    i++;
                if (i == count) {
                    if (ps_grow(&loads, &cap, count + 1, sizeof *loads)) {
                        rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
                        break;
                    }
                    loads[count++] = (link_load){link, 0, false};
                }
                loads[i].load += frac;
                loads[i].intra |= !side;
            }
        }
    double spb = 0, spb_intra = 0, spb_net = 0;
    for (size_t i = 0; i < count && !rc; i++) {
        double bw = sg_link_get_bandwidth(loads[i].link), v = bw > 0 ? loads[i].load / bw : 0;
        spb = v > spb ? v : spb;
        if (loads[i].intra)
            spb_intra = v > spb_intra ? v : spb_intra;
        else
            spb_net = v > spb_net ? v : spb_net; /* links only inter-node flows use: NICs, rails */
    }
    out->step_s_per_byte_intra = spb_intra;
    out->step_s_per_byte_net = spb_net;
    free(loads);
    xbt_dynar_free(&route);
    out->lat_s = lat;
    out->lat_mean_s = flows ? lat_sum / flows : 0;
    out->lat_intra_s = side_flows[0] ? side_sum[0] / side_flows[0] : 0;
    out->lat_inter_s = side_flows[1] ? side_sum[1] / side_flows[1] : 0;
    out->step_s_per_byte = spb;
    return rc;
}

int coll_shape_geom(const ps_coll_group *g, const coll_shape *s, coll_geom *out, ps_error *err)
{
    memset(out, 0, sizeof *out);
    out->shape = *s;
    out->available = true;
    int rc = compute_geom(g, &out->shape, out, err);
    if (rc)
        return rc;
    coll_network_geom(g, out);
    out->valid = true;
    return PS_OK;
}

int coll_group_geom(const ps_coll_group *g, ps_coll_op op, ps_coll_algo algo, coll_geom *out,
                    ps_error *err)
{
    if (op < 0 || op >= PS_COLL_OP_COUNT || algo < 0 || algo >= PS_ALGO_COUNT)
        return ps_error_set(err, PS_EINPUT, "unknown collective or algorithm");
    coll_geom *c = &g->memo->geom[op][algo];
    if (!c->valid) {
        const ps_coll_model *model = ps_coll_model_of(op);
        memset(c, 0, sizeof *c);
        c->available = model->shape(algo, &g->topo, &c->shape);
        if ((algo == PS_ALGO_NVLS && !(g->topo.nodes == 1 ? g->nvls_ok : g->nvls_collnet_ok)) ||
            (algo == PS_ALGO_NVLS_TREE && !g->nvls_tree_ok) ||
            (algo == PS_ALGO_COLLNET_DIRECT && !g->collnet_direct_ok) ||
            (algo == PS_ALGO_COLLNET_CHAIN && !g->collnet_ok))
            c->available = false;
        if (c->available) {
            int rc = compute_geom(g, &c->shape, c, err);
            if (rc)
                return rc;
            coll_network_geom(g, c);
            /* comm->nvlsChannels of the NCCL release modelled (model.c coll_nvls_channels):
             * 16 on Hopper, 24 on one Blackwell node from v2.27. */
            if (algo == PS_ALGO_NVLS && g->topo.nodes == 1)
                c->nvls_channels = coll_nvls_channels(g->ctx->params.nccl_version,
                                                      g->ctx->fabric.nvlink_generation);
        }
        c->valid = true;
    }
    *out = *c;
    return PS_OK;
}
