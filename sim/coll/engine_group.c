/* sim/coll/engine_group.c: collective contexts (platform + parameters) and groups (communicators):
 * where the members sit -- nodes, members per node, NVLS switches -- computed once per group.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"

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
    if (ctx->params.nccl_version <= 0)
        ctx->params.nccl_version = ctx->fabric.nccl_version;
    *out = ctx;
    return PS_OK;
}

void ps_coll_ctx_free(ps_coll_ctx *ctx) { free(ctx); }

const ps_coll_params *ps_coll_ctx_params(const ps_coll_ctx *ctx) { return &ctx->params; }

const ps_platform *coll_ctx_platform(const ps_coll_ctx *ctx) { return ctx->platform; }

void ps_coll_ctx_set_params(ps_coll_ctx *ctx, const ps_coll_params *params)
{
    int nccl_version = ctx->params.nccl_version; /* the groups' cached geometry used it */
    ctx->params = *params;
    ctx->params.nccl_version = nccl_version;
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
    /* CollNet (NVIDIA/nccl @ v2.29.7-1): off unless the communicator enables it and the net
     * plugin has collnet (NCCL_COLLNET_ENABLE=1 with the SHARP plugin: the platform's
     * network_sharp, tuning.cc:468-472); only up to 8 local GPUs (NCCL_MAX_DIRECT_ARITY + 1,
     * enqueue.cc:1910-1913); CollNetDirect only on an NVSwitch system (tuning.cc:474). One NIC
     * per GPU (parsim's platforms) makes every GPU a head, NCCL's 1:1 GPU:NIC case. */
    g->collnet_ok = g->ctx->fabric.network.sharp && g->topo.nodes > 1 && g->topo.grouped &&
                    g->topo.per_node <= 8;
    g->collnet_direct_ok = g->collnet_ok && g->ctx->fabric.kind == PS_FABRIC_NVSWITCH;
    /* NCCL's NVLS algorithm on several nodes runs only with CollNet ("Disable ... Collnet+NVLS
     * if collnet is not supported", tuning.cc:468-472; enqueue.cc:1915). */
    g->nvls_collnet_ok = g->collnet_ok && nvls;
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
    g->memo = calloc(1, sizeof *g->memo);
    if (g->memo)
        g->memo->matrix = calloc(dim * dim, sizeof(double));
    g->flops = calloc(dim, sizeof(double));
    int rc = PS_OK;
    if (!g->ranks || !g->hosts || !g->host_node || !g->memo || !g->memo->matrix || !g->flops)
        rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
    if (!rc) {
        memcpy(g->ranks, ranks, sizeof(int) * (size_t)n);
        fill_hosts(g);
        rc = coll_build_rings(g, err);
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
    if (g->memo)
        free(g->memo->matrix);
    free(g->memo);
    free(g->flops);
    free(g);
}

int ps_coll_group_size(const ps_coll_group *g) { return g->n; }
int ps_coll_group_ring_count(const ps_coll_group *g) { return g->ring_count; }

const coll_topo *coll_group_topo(const ps_coll_group *g) { return &g->topo; }

bool coll_group_sharp(const ps_coll_group *g) { return g->ctx->fabric.network.sharp != 0; }
const ps_coll_params *coll_group_params(const ps_coll_group *g) { return &g->ctx->params; }
