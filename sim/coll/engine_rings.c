/* sim/coll/engine_rings.c: the rings that ring algorithms (all_reduce, all_gather,
 * reduce_scatter, broadcast) run on, one set per group.
 *
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

#include <stdlib.h>
#include <string.h>

#include "engine.h"

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

int coll_build_rings(ps_coll_group *g, ps_error *err)
{
    int n = g->n;
    const coll_topo *t = &g->topo;
    g->rings = malloc(sizeof(int) * (size_t)n * MAX_RINGS);
    if (!g->rings)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    g->ring_count = 1;
    for (int i = 0; i < n; i++)
        g->rings[i] = i; /* member order: the ring when nothing better exists */
    if (n < 3)
        return PS_OK;
    if (t->nodes == 1 && g->ctx->fabric.kind == PS_FABRIC_MESH) {
        int found = mesh_rings(g); /* 0 found: ring 0 is still the member order */
        if (found < 0)
            return ps_error_set(err, PS_EINTERNAL, "out of memory");
        g->ring_count = found > 0 ? found : 1;
    } else if (t->nodes > 1 && t->grouped && t->per_node > 1 && t->per_node <= MAX_RINGS) {
        g->ring_count = t->per_node;
        for (int r = 0; r < t->per_node; r++)
            for (int k = 0; k < t->nodes; k++)
                for (int j = 0; j < t->per_node; j++)
                    g->rings[r * n + k * t->per_node + j] = k * t->per_node + (r + j) % t->per_node;
    }
    return PS_OK;
}
