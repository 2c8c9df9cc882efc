/* sim/coll/coll_internal.h: what the collective files share (not a public header).
 *
 * Like nccl-tests' `struct testColl`, each collective is one file (all_reduce.c, all_gather.c,
 * ...) filling one ps_coll_model: its nccl-tests names, and for each algorithm the SHAPE of the
 * traffic -- which pattern of flows one synchronous step moves and how many steps there are, as
 * fractions of the call's `bytes`. The engine (engine.c) turns a shape into SimGrid parallel
 * tasks on the group's GPUs, and into the closed-form idle-platform time the tuner minimises.
 */
#ifndef PARSIM_COLL_INTERNAL_H
#define PARSIM_COLL_INTERNAL_H

#include <stdbool.h>

#include "parsim/coll.h"

typedef enum coll_pattern {
    PAT_RING,     /* every ring arc carries arc_frac x bytes / rings per step */
    PAT_CHAIN,    /* the ring arcs from the root onwards, except the arc back into the root */
    PAT_NVLS,     /* GPU -> switch host up_frac x bytes, switch -> GPU down_frac x bytes */
    PAT_ALLTOALL, /* every ordered pair (i != j) carries arc_frac x bytes */
    PAT_SENDRECV, /* member i -> member (i+1) mod n carries arc_frac x bytes */
    PAT_SEND,     /* member 0 -> member 1 carries arc_frac x bytes */
    PAT_TREE,     /* NCCL Tree: per-rail chains in each node + double binary trees across nodes;
                     the whole call's traffic x arc_frac (reduce up and broadcast down pipelined) */
    PAT_NVLS_TREE, /* NVLSTree: NVLS up/down inside each node + per-rail double binary trees;
                     the whole call's traffic x arc_frac */
} coll_pattern;

/* Where the group's members sit: `nodes` nodes with `per_node` members each, member i on group
 * node i / per_node (members node-contiguous, equal counts: `grouped`). Tree algorithms need a
 * grouped layout (NCCL builds its trees per node the same way). */
typedef struct coll_topo {
    int n;
    int nodes;
    int per_node;
    bool grouped;
} coll_topo;

typedef struct coll_shape {
    coll_pattern pattern;
    int steps;         /* synchronous steps; each pays one hop latency */
    double arc_frac;   /* per step, per arc, as a fraction of bytes (before the rings split it) */
    double up_frac;    /* NVLS */
    double down_frac;  /* NVLS */
    int inter_steps;   /* of `steps`, how many cross nodes (tree shapes; 0 = the ring's rule: every
                          step pays the mean route latency) */
} coll_shape;

typedef struct ps_coll_model {
    ps_coll_op op;
    const char *name;   /* nccl-tests op name, e.g. "all_reduce" */
    const char *redop;  /* what nccl-tests prints in the redop column */
    int root;           /* what nccl-tests prints in the root column (-1: none) */
    bool per_rank_count; /* nccl-tests prints count per rank (size = count x n x type) */
    /* Fills the shape of `algo` for n members; false when the op has no such algorithm. */
    bool (*shape)(ps_coll_algo algo, const coll_topo *topo, coll_shape *out);
} ps_coll_model;

extern const ps_coll_model ps_coll_model_all_reduce;
extern const ps_coll_model ps_coll_model_all_gather;
extern const ps_coll_model ps_coll_model_reduce_scatter;
extern const ps_coll_model ps_coll_model_alltoall;
extern const ps_coll_model ps_coll_model_sendrecv;
extern const ps_coll_model ps_coll_model_send;
extern const ps_coll_model ps_coll_model_broadcast;

const ps_coll_model *ps_coll_model_of(ps_coll_op op);

/* Idle-platform geometry of one (op, algo) on a group: the latency of one step's flows (max route
 * latency) and the seconds one step takes per byte of the call at efficiency 1 (the busiest link's
 * load over its bandwidth). Exposed for calibration, which evaluates the closed form many times. */
typedef struct coll_geom {
    bool valid;
    bool available;
    coll_shape shape;
    double lat_s;       /* largest route latency of the flows */
    double lat_mean_s;  /* mean route latency of the flows */
    double lat_intra_s; /* mean route latency of the flows inside a node (0: none) */
    double lat_inter_s; /* mean route latency of the flows between nodes (0: none) */
    double step_s_per_byte;
} coll_geom;

int coll_group_geom(ps_coll_group *group, ps_coll_op op, ps_coll_algo algo, coll_geom *out,
                    ps_error *err);

/* The closed-form time (seconds) of `bytes` with one protocol row on a geometry, for group size n
 * (the ring scale table applies to ring algorithms). */
double coll_model_time(const ps_coll_params *params, ps_coll_op op, ps_coll_algo algo,
                       ps_coll_proto proto, int n, const coll_geom *geom, double bytes);

/* Latency part of the closed form (seconds), see engine.c. net_hop_us: the per-step latency of
 * steps that cross nodes (used only when geom->shape.inter_steps > 0). */
double coll_latency_s(const ps_coll_proto_params *row, double net_hop_us, const coll_geom *geom);
double coll_net_hop_us(const ps_coll_params *params, ps_coll_algo algo, ps_coll_proto proto);

/* The protocol row and efficiency the model uses. */
const ps_coll_proto_params *coll_proto_row(const ps_coll_params *params, ps_coll_algo algo,
                                           ps_coll_proto proto);
/* Efficiency of a call of `bytes` (tree all_reduce: times NCCL's treeCorrectionFactor). */
double coll_effective_eff(const ps_coll_params *params, ps_coll_op op, ps_coll_algo algo,
                          ps_coll_proto proto, int n, double bytes);

const ps_platform *coll_ctx_platform(const ps_coll_ctx *ctx);

/* Whether the tuner (PS_ALGO_AUTO) looks at `algo` on this group (Tree: only across nodes). */
bool coll_tuner_considers(const ps_coll_group *group, ps_coll_algo algo);

/* Whether (algo, proto) exists for an op on this group, as in NCCL (NVLS, NVLS-tree, p2p: Simple
 * only; the shape and the group decide the rest). */
bool coll_pair_allowed(ps_coll_op op, ps_coll_algo algo, ps_coll_proto proto);

#endif
