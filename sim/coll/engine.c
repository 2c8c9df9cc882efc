/* sim/coll/engine.c: runs collective shapes as SimGrid parallel tasks, and predicts their time.
 *
 * The model (docs/nccl.md has the long version). A collective with protocol row
 * (base, hop, eff, fill) whose shape has `steps` synchronous steps is simulated by the group's
 * leader actor as
 *     sleep(L - lat)      L = base + steps * max(hop, mean route latency), at least lat
 *     one parallel task holding every flow of every step (steps x the bytes of one step)
 *     sleep(2 * sqrt(steps * fill * tb))
 * where each flow carries its share of the call's bytes divided by the effective efficiency eff_n
 * (LL sends a 4-byte flag with every 4 bytes of data, Simple leaves the links partly idle: the
 * flow is longer than the data so the LINKS stay busy for as long as NCCL keeps them busy, and
 * other traffic sees that). On an idle platform the task takes lat + steps*bytes*spb/eff_n, with
 * lat the largest route latency of its flows and spb the busiest link's load per byte of one
 * step over its bandwidth (ptask_L07 shares bandwidth max-min, independent of latency). So the
 * idle time is
 *     T = L + tb + 2*sqrt(steps*fill*tb),   tb = steps*bytes*spb/eff_n
 * which is NCCL's tuning model (time = latency + bytes/bandwidth, tuning.cc) plus a pipelining
 * term: a transfer pipelined over `steps` stages in chunks with a fixed per-chunk overhead h
 * takes at best (sqrt(tb) + sqrt(steps*h))^2 = tb + steps*h + 2*sqrt(steps*h*tb) with the optimal
 * chunk size (the classic pipelined-broadcast bound); NCCL's chunking is close to that, and `fill`
 * is h, fitted. The fill is a sleep, not link load: pipeline bubbles leave the links idle.
 *
 * Why one parallel task and not one comm per chunk or per step: the flows of a pipelined ring are
 * coupled (a GPU forwards what it received, so every arc runs at the slowest arc's rate); a
 * parallel task progresses all its flows at one rate -- the bottleneck's -- which is that
 * coupling, and it costs one SimGrid activity. The steps survive in the latency (one hop each)
 * and in the fill term; the pipelining inside the task is analytic. An all_reduce costs one task
 * and at most two sleeps whatever its size and group.
 *
 * Invariants: the leader (member 0) alone posts activities; every member passes the group's
 * barrier on entry and on exit, so a collective starts when its last member arrives (NCCL
 * semantics) and all members leave together.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <simgrid/actor.h>
#include <simgrid/barrier.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/link.h>
#include <xbt/dynar.h>

#include "coll_internal.h"

/* sg_actor_parallel_execute is exported by libsimgrid 3.32 but its declaration in actor.h lacks
 * XBT_PUBLIC; the declaration there is enough for C. */

struct ps_coll_ctx {
    const ps_platform *platform;
    ps_coll_params params;
    ps_platform_fabric_info fabric;
};

#define MAX_RINGS 64

struct ps_coll_group {
    ps_coll_ctx *ctx;
    int n;
    int *ranks;          /* platform ranks of the members */
    coll_topo topo;      /* nodes and members per node (tree shapes) */
    sg_host_t *hosts;    /* n GPU hosts + one NVLS switch host per group node (or NULLs) */
    int *host_node;      /* group node index of each of the n + nodes hosts */
    int ring_count;
    int *rings;          /* ring_count x n member indices, each a cyclic order */
    bool nvls_ok;        /* one node, NVLS-capable switch, n >= 2 */
    bool nvls_tree_ok;   /* several nodes, each with an NVLS-capable switch */
    sg_bar_t barrier;
    double *matrix;      /* (n+nodes)^2 bytes of one step */
    double *flops;       /* n+nodes zeros */
    coll_geom geom[PS_COLL_OP_COUNT][PS_ALGO_COUNT];
    /* written by the leader, read by the members after the exit barrier */
    ps_coll_result result;
    ps_error error;
};

/* ---- context ------------------------------------------------------------------------------- */

int ps_coll_ctx_create(const ps_platform *platform, const ps_coll_params *params,
                       ps_coll_ctx **out, ps_error *err)
{
    ps_coll_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    ctx->platform = platform;
    if (params)
        ctx->params = *params;
    else
        ps_coll_params_default(&ctx->params);
    ctx->fabric = *ps_platform_fabric(platform);
    *out = ctx;
    return PS_OK;
}

void ps_coll_ctx_free(ps_coll_ctx *ctx) { free(ctx); }

const ps_coll_params *ps_coll_ctx_params(const ps_coll_ctx *ctx) { return &ctx->params; }

const ps_platform *coll_ctx_platform(const ps_coll_ctx *ctx) { return ctx->platform; }

void ps_coll_ctx_set_params(ps_coll_ctx *ctx, const ps_coll_params *params)
{
    ctx->params = *params;
}

/* ---- rings ----------------------------------------------------------------------------------
 * NVSwitch and PCIe inside one node: one ring in member order. Every NCCL channel of a ring
 * algorithm uses the same GPU ports through the switch, so the channels add nothing a flow per
 * step does not already load (the protocol efficiency carries their count).
 * Full mesh: a ring over private pair links would use 1/(n-1) of a GPU's links, so NCCL/RCCL
 * build several rings over different links (RCCL on MI300X: one channel per xGMI link set). We
 * search edge-disjoint directed Hamiltonian cycles of the complete digraph (Tillson 1980: K_n*
 * decomposes into n-1 of them for n != 4, 6) depth-first with a step budget, and split the data
 * evenly over the rings found.
 * Several nodes: one ring per GPU of a node (NCCL's rail-aligned channels): ring r visits each
 * node's members starting at local index r, so each ring crosses between nodes through a
 * different GPU's NIC and the inter-node traffic is spread over all NICs. */

typedef struct ring_search {
    int n;
    unsigned char *used; /* n x n arcs taken by earlier rings */
    int *path;
    unsigned char *visited;
    long budget;
} ring_search;

static bool ring_dfs(ring_search *s, int depth)
{
    if (--s->budget < 0)
        return false;
    int last = s->path[depth - 1];
    if (depth == s->n)
        return !s->used[last * s->n + s->path[0]];
    for (int k = 1; k < s->n; k++) {
        int v = (last + k) % s->n; /* try "next by k" first: finds the cyclic rings quickly */
        if (s->visited[v] || s->used[last * s->n + v])
            continue;
        s->visited[v] = 1;
        s->path[depth] = v;
        if (ring_dfs(s, depth + 1))
            return true;
        s->visited[v] = 0;
    }
    return false;
}

static int mesh_rings(ps_coll_group *g)
{
    int n = g->n;
    ring_search s = {n, calloc((size_t)n * n, 1), calloc((size_t)n, sizeof(int)),
                     calloc((size_t)n, 1), 0};
    int count = 0;
    if (!s.used || !s.path || !s.visited)
        count = -1;
    while (count >= 0 && count < n - 1 && count < MAX_RINGS) {
        memset(s.visited, 0, (size_t)n);
        s.path[0] = 0;
        s.visited[0] = 1;
        s.budget = 200000; /* bounded: a found ring set is good enough, an exhaustive one not needed */
        if (!ring_dfs(&s, 1))
            break;
        for (int i = 0; i < n; i++) {
            int a = s.path[i], b = s.path[(i + 1) % n];
            s.used[a * n + b] = 1;
            g->rings[count * n + i] = a;
        }
        count++;
    }
    free(s.used);
    free(s.path);
    free(s.visited);
    return count;
}

static int build_rings(ps_coll_group *g, ps_error *err)
{
    int n = g->n;
    g->rings = malloc(sizeof(int) * (size_t)n * MAX_RINGS);
    if (!g->rings)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    int first_node = ps_platform_gpu_at(g->ctx->platform, g->ranks[0])->node;
    int node_count = 1, per_node = 0;
    bool grouped = true;
    for (int i = 0; i < n; i++) {
        int node = ps_platform_gpu_at(g->ctx->platform, g->ranks[i])->node;
        if (i > 0 && node != ps_platform_gpu_at(g->ctx->platform, g->ranks[i - 1])->node) {
            node_count++;
            if (per_node == 0)
                per_node = i;
            else if (i % per_node != 0)
                grouped = false;
        }
    }
    (void)first_node;
    if (per_node == 0)
        per_node = n;
    grouped = grouped && n % per_node == 0 && per_node <= MAX_RINGS;
    g->ring_count = 1;
    for (int i = 0; i < n; i++)
        g->rings[i] = i;
    if (n < 3)
        return PS_OK;
    if (node_count == 1 && g->ctx->fabric.kind == PS_FABRIC_MESH) {
        int found = mesh_rings(g);
        if (found < 0)
            return ps_error_set(err, PS_EINTERNAL, "out of memory");
        g->ring_count = found > 0 ? found : 1;
        if (found == 0)
            for (int i = 0; i < n; i++)
                g->rings[i] = i;
    } else if (node_count > 1 && grouped && per_node > 1) {
        g->ring_count = per_node;
        for (int r = 0; r < per_node; r++)
            for (int k = 0; k < node_count; k++)
                for (int j = 0; j < per_node; j++)
                    g->rings[r * n + k * per_node + j] = k * per_node + (r + j) % per_node;
    }
    return PS_OK;
}

/* ---- groups -------------------------------------------------------------------------------- */

/* Counts the nodes the members sit on and whether they are node-contiguous with equal counts
 * (rank order within a node, as NCCL numbers a communicator launched one process per GPU). */
static coll_topo group_topo(const ps_platform *pf, int n, const int *ranks)
{
    coll_topo t = {n, 1, n, true};
    int block = 0; /* members in the current node block */
    for (int i = 0; i < n; i++) {
        int node = ps_platform_gpu_at(pf, ranks[i])->node;
        if (i > 0 && node != ps_platform_gpu_at(pf, ranks[i - 1])->node) {
            for (int j = 0; j < i; j++) /* a node may not come back after another one */
                if (ps_platform_gpu_at(pf, ranks[j])->node == node)
                    t.grouped = false;
            if (t.nodes == 1)
                t.per_node = block;
            else if (block != t.per_node)
                t.grouped = false;
            t.nodes++;
            block = 0;
        }
        block++;
    }
    if (t.nodes > 1 && block != t.per_node)
        t.grouped = false;
    return t;
}

/* GPU hosts, then one NVLS switch host per group node (NULL where the node has none), and which
 * group node every host is on; the NVLS flags. */
static void fill_hosts(ps_coll_group *g)
{
    const ps_platform *pf = g->ctx->platform;
    int n = g->n, node = -1, k = -1;
    bool switches = true;
    for (int i = 0; i < n; i++) {
        const ps_platform_gpu *gpu = ps_platform_gpu_at(pf, g->ranks[i]);
        g->hosts[i] = gpu->host;
        if (gpu->node != node && k + 1 < g->topo.nodes) {
            node = gpu->node;
            k++;
            g->hosts[n + k] = ps_platform_switch_host(pf, node);
            g->host_node[n + k] = k;
            switches &= g->hosts[n + k] != NULL;
        }
        g->host_node[i] = k;
    }
    bool nvls = g->ctx->fabric.nvls_capable && switches;
    g->nvls_ok = g->topo.nodes == 1 && n >= 2 && nvls;
    g->nvls_tree_ok = g->topo.nodes > 1 && g->topo.grouped && nvls;
}

int ps_coll_group_create(ps_coll_ctx *ctx, int n, const int *ranks, ps_coll_group **out,
                         ps_error *err)
{
    int count = ps_platform_gpu_count(ctx->platform);
    if (n < 1 || n > count)
        return ps_error_set(err, PS_EINPUT, "a group needs 1 to %d GPUs, not %d", count, n);
    for (int i = 0; i < n; i++) {
        if (ranks[i] < 0 || ranks[i] >= count)
            return ps_error_set(err, PS_EINPUT, "GPU rank %d is not on the platform (0..%d)",
                                ranks[i], count - 1);
        for (int j = 0; j < i; j++)
            if (ranks[j] == ranks[i])
                return ps_error_set(err, PS_EINPUT, "GPU rank %d appears twice in a group",
                                    ranks[i]);
    }
    ps_coll_group *g = calloc(1, sizeof *g);
    if (!g)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    g->ctx = ctx;
    g->n = n;
    g->topo = group_topo(ctx->platform, n, ranks);
    size_t dim = (size_t)n + (size_t)g->topo.nodes;
    g->ranks = malloc(sizeof(int) * (size_t)n);
    g->hosts = calloc(dim, sizeof(sg_host_t));
    g->host_node = calloc(dim, sizeof(int));
    g->matrix = calloc(dim * dim, sizeof(double));
    g->flops = calloc(dim, sizeof(double));
    int rc = PS_OK;
    if (!g->ranks || !g->hosts || !g->host_node || !g->matrix || !g->flops)
        rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
    if (!rc) {
        memcpy(g->ranks, ranks, sizeof(int) * (size_t)n);
        fill_hosts(g);
        rc = build_rings(g, err);
    }
    if (!rc) {
        g->barrier = sg_barrier_init((unsigned)n);
        if (!g->barrier)
            rc = ps_error_set(err, PS_EINTERNAL, "cannot create a SimGrid barrier");
    }
    if (rc) {
        ps_coll_group_free(g);
        return rc;
    }
    *out = g;
    return PS_OK;
}

void ps_coll_group_free(ps_coll_group *g)
{
    if (!g)
        return;
    if (g->barrier)
        sg_barrier_destroy(g->barrier);
    free(g->ranks);
    free(g->hosts);
    free(g->host_node);
    free(g->rings);
    free(g->matrix);
    free(g->flops);
    free(g);
}

int ps_coll_group_size(const ps_coll_group *g) { return g->n; }
int ps_coll_group_ring_count(const ps_coll_group *g) { return g->ring_count; }

/* ---- traffic of one step ------------------------------------------------------------------- */

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
static void tree_matrix(ps_coll_group *g, const coll_shape *s, double amount, int dim)
{
    const coll_topo *t = &g->topo;
    int ppn = t->per_node, nodes = t->nodes, n = g->n;
    double *m = g->matrix, per_ch = amount / ppn;
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

/* Fills g->matrix (dim x dim, row = source) with the bytes one step of `shape` moves for a call
 * of `bytes`; returns dim (n, or n + the switch hosts, last). */
static int step_matrix(ps_coll_group *g, const coll_shape *s, double bytes, int root)
{
    int n = g->n;
    int dim = s->pattern == PAT_NVLS ? n + 1 : s->pattern == PAT_NVLS_TREE ? n + g->topo.nodes : n;
    double *m = g->matrix;
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
                    m[i * dim + j] = s->arc_frac * bytes;
        break;
    case PAT_SENDRECV:
        for (int i = 0; i < n && n > 1; i++)
            m[i * dim + (i + 1) % n] = s->arc_frac * bytes;
        break;
    case PAT_SEND:
        if (n >= 2)
            m[0 * dim + 1] = s->arc_frac * bytes;
        break;
    case PAT_TREE:
    case PAT_NVLS_TREE:
        tree_matrix(g, s, s->arc_frac * bytes, dim);
        break;
    }
    return dim;
}

typedef struct link_load {
    sg_link_t link;
    double load;
} link_load;

/* Idle-platform geometry of a shape: max route latency of its flows and the busiest link's
 * load / bandwidth per byte. Walks every flow's route (sg_host_get_route). */
static int compute_geom(ps_coll_group *g, const coll_shape *s, coll_geom *out, ps_error *err)
{
    int dim = step_matrix(g, s, 1.0, 0);
    size_t cap = 64, count = 0;
    link_load *loads = malloc(cap * sizeof *loads);
    xbt_dynar_t route = xbt_dynar_new(sizeof(sg_link_t), NULL);
    if (!loads || !route) {
        free(loads);
        if (route)
            xbt_dynar_free(&route);
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    double lat = 0, lat_sum = 0, side_sum[2] = {0, 0}; /* intra, inter */
    int flows = 0, side_flows[2] = {0, 0}, rc = PS_OK;
    for (int a = 0; a < dim && !rc; a++)
        for (int b = 0; b < dim && !rc; b++) {
            double frac = g->matrix[a * dim + b];
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
                    if (count == cap) {
                        link_load *nl = realloc(loads, 2 * cap * sizeof *loads);
                        if (!nl) {
                            rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
                            break;
                        }
                        loads = nl;
                        cap *= 2;
                    }
                    loads[count++] = (link_load){link, 0};
                }
                loads[i].load += frac;
            }
        }
    double spb = 0;
    for (size_t i = 0; i < count && !rc; i++) {
        double bw = sg_link_get_bandwidth(loads[i].link);
        if (bw > 0 && loads[i].load / bw > spb)
            spb = loads[i].load / bw;
    }
    free(loads);
    xbt_dynar_free(&route);
    out->lat_s = lat;
    out->lat_mean_s = flows ? lat_sum / flows : 0;
    out->lat_intra_s = side_flows[0] ? side_sum[0] / side_flows[0] : 0;
    out->lat_inter_s = side_flows[1] ? side_sum[1] / side_flows[1] : 0;
    out->step_s_per_byte = spb;
    return rc;
}

int coll_group_geom(ps_coll_group *g, ps_coll_op op, ps_coll_algo algo, coll_geom *out,
                    ps_error *err)
{
    if (op < 0 || op >= PS_COLL_OP_COUNT || algo < 0 || algo >= PS_ALGO_COUNT)
        return ps_error_set(err, PS_EINPUT, "unknown collective or algorithm");
    coll_geom *c = &g->geom[op][algo];
    if (!c->valid) {
        const ps_coll_model *model = ps_coll_model_of(op);
        memset(c, 0, sizeof *c);
        c->available = model->shape(algo, &g->topo, &c->shape);
        if ((algo == PS_ALGO_NVLS && !g->nvls_ok) || (algo == PS_ALGO_NVLS_TREE && !g->nvls_tree_ok))
            c->available = false;
        if (c->available) {
            int rc = compute_geom(g, &c->shape, c, err);
            if (rc)
                return rc;
        }
        c->valid = true;
    }
    *out = *c;
    return PS_OK;
}

/* ---- the model ------------------------------------------------------------------------------ */

bool coll_pair_allowed(ps_coll_op op, ps_coll_algo algo, ps_coll_proto proto)
{
    (void)op;
    if (algo == PS_ALGO_NVLS || algo == PS_ALGO_NVLS_TREE || algo == PS_ALGO_P2P)
        return proto == PS_PROTO_SIMPLE; /* NVLS, NVLSTree: Simple only (tuning.cc); p2p: one row */
    return algo == PS_ALGO_RING || algo == PS_ALGO_TREE;
}

const ps_coll_proto_params *coll_proto_row(const ps_coll_params *p, ps_coll_algo algo,
                                           ps_coll_proto proto)
{
    if (algo == PS_ALGO_NVLS)
        return &p->nvls;
    if (algo == PS_ALGO_P2P)
        return &p->p2p;
    if (algo == PS_ALGO_NVLS_TREE)
        return &p->nvls_tree;
    if (algo == PS_ALGO_TREE)
        return &p->tree[proto];
    return &p->ring[proto];
}

double coll_net_hop_us(const ps_coll_params *p, ps_coll_algo algo, ps_coll_proto proto)
{
    if (algo == PS_ALGO_TREE && proto >= 0 && proto < PS_PROTO_COUNT)
        return p->tree_net_hop_us[proto];
    if (algo == PS_ALGO_NVLS_TREE)
        return p->nvls_tree_net_hop_us;
    return 0;
}

/* NCCL's treeCorrectionFactor (src/graph/tuning.cc v2.19-v2.27, 23 entries; src/tuning/
 * cost_model.cc at HEAD, the same plus a 24th): "Trees are not perfectly sticking to the model for
 * medium sizes. Applying a static correction factor is not ideal but works quite well. Powers of
 * two, 64 B to 256MB." Row = protocol (LL, LL128, Simple), column = log2i(bytes >> 6); NCCL
 * multiplies the Tree all_reduce bandwidth by it. We multiply the efficiency, so the flows of a
 * medium-size tree all_reduce also stay on the links longer, as measured. */
static const float tree_correction[PS_PROTO_COUNT][24] = {
    {1.0f, 1.0f, 1.0f, 1.0f, .9f, .8f, .7f, .7f, .7f, .7f, .6f, .5f,
     .4f, .4f, .5f, .6f, .7f, .8f, .9f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f},
    {1.0f, 1.0f, 1.0f, 1.0f, 1.0f, .9f, .8f, .8f, .8f, .7f, .6f, .6f,
     .6f, .6f, .6f, .6f, .8f, .9f, .9f, .9f, .9f, 1.0f, 1.0f, 1.0f},
    {.9f, .9f, .9f, .9f, .9f, .9f, .9f, .8f, .7f, .6f, .6f, .5f,
     .5f, .5f, .5f, .6f, .7f, .8f, .7f, .7f, .8f, .9f, .9f, .9f}};

static double tree_correction_factor(ps_coll_proto proto, double bytes)
{
    if (proto < 0 || proto >= PS_PROTO_COUNT || !(bytes >= 0))
        return 1.0;
    int log_size = 0;
    for (double units = floor(bytes / 64); units >= 2 && log_size < 64; units /= 2)
        log_size++; /* log2i(nBytes >> 6), 0 below 128 B as in NCCL */
    return log_size < 24 ? tree_correction[proto][log_size] : 1.0;
}

/* Group-size scale for ring efficiencies: log2 interpolation over n = 2, 4, 8, clamped. */
static double ring_scale(const double *table, int n)
{
    double x = log2(n < 2 ? 2 : n) - 1.0; /* 0 at n=2, 2 at n=8 */
    if (x >= PS_COLL_SCALE_POINTS - 1)
        return table[PS_COLL_SCALE_POINTS - 1];
    int i = (int)x;
    double t = x - i;
    return table[i] * (1 - t) + table[i + 1] * t;
}

double coll_effective_eff(const ps_coll_params *p, ps_coll_op op, ps_coll_algo algo,
                          ps_coll_proto proto, int n, double bytes)
{
    double eff = coll_proto_row(p, algo, proto)->eff;
    if (algo == PS_ALGO_RING)
        eff *= ring_scale(op == PS_COLL_ALL_REDUCE ? p->ring_scale_ar : p->ring_scale_other, n);
    if (algo == PS_ALGO_TREE && op == PS_COLL_ALL_REDUCE)
        eff *= tree_correction_factor(proto, bytes);
    return eff > 1.0 ? 1.0 : eff;
}

/* Latency part of the model: base + steps x max(hop, mean route latency of the flows), and never
 * less than the largest route latency (what the one parallel task pays). The MEAN, because a
 * chunk going round a ring crosses each arc once: on two nodes only the node-boundary arcs cost
 * the NIC latency (NCCL: (nsteps - nInterSteps) x intraLat + nInterSteps x interLat).
 * Tree shapes know which of their steps cross nodes (the depth of the trees), so they pay
 *     base + intra_steps x max(hop, mean intra-node route latency)
 *          + inter_steps x max(net_hop, mean inter-node route latency)
 * which is NCCL's Tree / NVLSTree latency (tuning.cc) with the platform's routes as a floor. */
static double at_least(double a, double b) { return a > b ? a : b; }

double coll_latency_s(const ps_coll_proto_params *row, double net_hop_us, const coll_geom *geom)
{
    double hop = row->hop_us * 1e-6, lat;
    int steps = geom->shape.steps, inter = geom->shape.inter_steps;
    if (inter > 0)
        lat = row->base_us * 1e-6 + (steps - inter) * at_least(hop, geom->lat_intra_s) +
              inter * at_least(net_hop_us * 1e-6, geom->lat_inter_s);
    else
        lat = row->base_us * 1e-6 + steps * at_least(hop, geom->lat_mean_s);
    return at_least(lat, geom->lat_s);
}

double coll_model_time(const ps_coll_params *p, ps_coll_op op, ps_coll_algo algo,
                       ps_coll_proto proto, int n, const coll_geom *geom, double bytes)
{
    const ps_coll_proto_params *row = coll_proto_row(p, algo, proto);
    double eff = coll_effective_eff(p, op, algo, proto, n, bytes);
    int steps = geom->shape.steps;
    double tb = steps * bytes * geom->step_s_per_byte / eff;
    return coll_latency_s(row, coll_net_hop_us(p, algo, proto), geom) + tb + 2.0 * sqrt(steps * row->fill_us * 1e-6 * tb);
}

/* The tuner leaves Tree out on one node: NCCL's own model never picks it there on Hopper (Tree LL
 * has the ring LL's steps and hop with a larger base and 0.92/3.8 of its bandwidth; Tree LL128's
 * smaller hop only pays below a few MiB, where ring LL or NVLS are faster: nccl-model.md 2.3-2.4),
 * and our single-node ring rows are calibrated (group scale, fill) while the tree rows are NCCL's
 * constants, so a tie-break between the two would compare a fit with a default. Forced
 * (--algo tree) it runs. */
bool coll_tuner_considers(const ps_coll_group *g, ps_coll_algo algo)
{
    return algo != PS_ALGO_TREE || g->topo.nodes > 1;
}

int ps_coll_predict(const ps_coll_group *cg, const ps_coll_call *call, ps_coll_result *res,
                    ps_error *err)
{
    ps_coll_group *g = (ps_coll_group *)cg; /* the geometry cache is filled lazily */
    if (!(call->bytes >= 0) || !isfinite(call->bytes))
        return ps_error_set(err, PS_EINPUT, "collective size must be a finite number >= 0");
    if (call->op == PS_COLL_SEND && g->n != 2)
        return ps_error_set(err, PS_EINPUT, "send needs a group of 2 GPUs, not %d", g->n);
    if (call->op == PS_COLL_BROADCAST && (call->root < 0 || call->root >= g->n))
        return ps_error_set(err, PS_EINPUT, "broadcast root %d is not a member (0..%d)",
                            call->root, g->n - 1);
    double best = INFINITY;
    ps_coll_result out = {0, PS_ALGO_AUTO, PS_PROTO_AUTO, 0};
    for (int a = 0; a < PS_ALGO_COUNT; a++) {
        if (call->algo != PS_ALGO_AUTO && call->algo != a)
            continue;
        if (call->algo == PS_ALGO_AUTO && !coll_tuner_considers(g, (ps_coll_algo)a))
            continue;
        coll_geom geom;
        int rc = coll_group_geom(g, call->op, (ps_coll_algo)a, &geom, err);
        if (rc)
            return rc;
        if (!geom.available)
            continue;
        for (int p = 0; p < PS_PROTO_COUNT; p++) {
            if (call->proto != PS_PROTO_AUTO && call->proto != p)
                continue;
            if (!coll_pair_allowed(call->op, (ps_coll_algo)a, (ps_coll_proto)p))
                continue;
            double t = coll_model_time(&g->ctx->params, call->op, (ps_coll_algo)a,
                                       (ps_coll_proto)p, g->n, &geom, call->bytes);
            if (t < best) { /* strict: ties keep the earlier (ring before nvls, LL first) */
                best = t;
                out.algo = (ps_coll_algo)a;
                out.proto = (ps_coll_proto)p;
            }
        }
    }
    if (out.algo == PS_ALGO_AUTO)
        return ps_error_set(err, PS_EINPUT, "%s has no algorithm %s / protocol %s on this group "
                            "of %d GPUs", ps_coll_op_name(call->op),
                            ps_coll_algo_name(call->algo), ps_coll_proto_name(call->proto), g->n);
    out.time_s = best;
    *res = out;
    return PS_OK;
}

/* ---- simulation ----------------------------------------------------------------------------- */

static void sleep_counted(double s, int *activities)
{
    if (s > 0) {
        sg_actor_sleep_for(s);
        (*activities)++;
    }
}

/* The leader's part: selection, then the schedule of the header comment. */
static int lead(ps_coll_group *g, const ps_coll_call *call, ps_coll_result *res, ps_error *err)
{
    ps_coll_result choice;
    int rc = ps_coll_predict(g, call, &choice, err);
    if (rc)
        return rc;
    coll_geom geom;
    if ((rc = coll_group_geom(g, call->op, choice.algo, &geom, err)))
        return rc;
    const ps_coll_params *p = &g->ctx->params;
    const ps_coll_proto_params *row = coll_proto_row(p, choice.algo, choice.proto);
    double eff = coll_effective_eff(p, call->op, choice.algo, choice.proto, g->n, call->bytes);
    int steps = geom.shape.steps, activities = 0;
    double t0 = simgrid_get_clock();
    double tb = steps * call->bytes * geom.step_s_per_byte / eff;
    int root = call->op == PS_COLL_BROADCAST ? call->root : 0;
    /* All steps' bytes in one task: the task pays the largest route latency once, the sleep
     * before it the rest of the latency budget. */
    int dim = step_matrix(g, &geom.shape, steps * call->bytes / eff, root);
    bool has_bytes = call->bytes > 0 && g->n > 1;
    double lat = coll_latency_s(row, coll_net_hop_us(p, choice.algo, choice.proto), &geom);
    sleep_counted(lat - (has_bytes ? geom.lat_s : 0), &activities);
    if (has_bytes) {
        sg_actor_parallel_execute(dim, g->hosts, g->flops, g->matrix);
        activities++;
    }
    sleep_counted(2.0 * sqrt(steps * row->fill_us * 1e-6 * tb), &activities);
    choice.time_s = simgrid_get_clock() - t0;
    choice.activities = activities;
    *res = choice;
    return PS_OK;
}

int ps_coll_run(ps_coll_group *g, int member, const ps_coll_call *call, ps_coll_result *res,
                ps_error *err)
{
    if (member < 0 || member >= g->n)
        return ps_error_set(err, PS_EINPUT, "member %d is not in the group (0..%d)", member,
                            g->n - 1);
    sg_barrier_wait(g->barrier); /* the collective starts when the last member arrives */
    if (member == 0) {
        g->error.code = PS_OK;
        g->error.message[0] = '\0';
        memset(&g->result, 0, sizeof g->result);
        lead(g, call, &g->result, &g->error);
    }
    sg_barrier_wait(g->barrier);
    if (g->error.code) {
        if (err)
            *err = g->error;
        return g->error.code;
    }
    if (res)
        *res = g->result;
    return PS_OK;
}
