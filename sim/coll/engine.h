/* sim/coll/engine.h: what the engine files (engine_*.c) share -- the context, the group's layout
 * on the platform, and the two builders the group calls. Not seen by the model (model.c) or the
 * tuner (tuner.c), which use the accessors of coll_internal.h.
 *
 * Invariants: a group's members are distinct platform GPU ranks; hosts[0..n-1] are their GPU
 * hosts and hosts[n..n+nodes-1] the NVLS switch host of each group node (NULL where none);
 * rings holds ring_count cyclic orders of the n member indices; geom is a memo of
 * coll_group_geom (filled lazily, never changes a result).
 */
#ifndef PARSIM_COLL_ENGINE_H
#define PARSIM_COLL_ENGINE_H

#include <simgrid/barrier.h>
#include <simgrid/host.h>

#include "allreduce_engine.h"
#include "coll_internal.h"

struct ps_coll_ctx {
    const ps_platform *platform;
    ps_coll_params params;
    ps_platform_fabric_info fabric;
};

#define MAX_RINGS 64

/* Memo of the per-(op, algo) geometry and the scratch traffic matrix it is computed in: both
 * written while the group is used through a const pointer (ps_coll_predict), so they live
 * behind the group's pointer, not inside its value. */
typedef struct coll_geom_memo {
    coll_geom geom[PS_COLL_OP_COUNT][PS_ALGO_COUNT];
    coll_geom engine_geom[PS_ALGO_COUNT][COLL_ENGINE_MAX_KERNELS]; /* allreduce_engine.c */
    double *matrix;      /* (n+nodes)^2 bytes of one step */
} coll_geom_memo;

struct ps_coll_group {
    ps_coll_ctx *ctx;
    int n;
    int *ranks;          /* platform ranks of the members */
    coll_topo topo;      /* nodes and members per node (tree shapes, rail rings) */
    sg_host_t *hosts;    /* n GPU hosts + one NVLS switch host per group node (or NULLs) */
    int *host_node;      /* group node index of each of the n + nodes hosts */
    int ring_count;
    int *rings;          /* ring_count x n member indices, each a cyclic order */
    bool nvls_ok;        /* one node, NVLS-capable switch, n >= 2 */
    bool nvls_tree_ok;   /* several nodes, each with an NVLS-capable switch */
    bool collnet_ok;     /* several grouped nodes of <= 8 GPUs on a SHARP network (CollNet) */
    bool collnet_direct_ok; /* ... and NVSwitch nodes (CollNetDirect) */
    bool nvls_collnet_ok;   /* ... and NVLS-capable switches (NCCL's NVLS across nodes) */
    sg_bar_t barrier;
    coll_geom_memo *memo;
    double *flops;       /* n+nodes zeros */
    /* written by the leader, read by the members after the exit barrier */
    ps_coll_result result;
    ps_error error;
};

/* engine_network.c: fills the net_* fields of geom (shape and routes already in it) from the
 * platform's network. */
void coll_network_geom(const ps_coll_group *g, coll_geom *geom);

/* engine_rings.c: fills g->rings and g->ring_count from g->topo and the fabric. */
int coll_build_rings(ps_coll_group *g, ps_error *err);

/* engine_traffic.c: the idle-platform geometry of any shape on the group (valid, available, its
 * routes and network figures), for shapes that are not an (op, algo) of a collective file (the
 * engines' kernels, allreduce_engine.c). */
int coll_shape_geom(const ps_coll_group *g, const coll_shape *s, coll_geom *out, ps_error *err);

/* engine_traffic.c: fills g->memo->matrix (dim x dim, row = source) with the bytes one step of
 * `shape` moves for a call of `bytes` (broadcast: from member `root`); returns dim (n, or n +
 * the switch hosts, last). */
int coll_step_matrix(const ps_coll_group *g, const coll_shape *s, double bytes, int root);

#endif
