/* sim/coll/coll_internal.h: what the collective files share (not a public header).
 *
 * Like nccl-tests' `struct testColl`, each collective is one file (all_reduce.c, all_gather.c,
 * ...) filling one ps_coll_model: its nccl-tests names, and for each algorithm the SHAPE of the
 * traffic -- which pattern of flows one synchronous step moves and how many steps there are, as
 * fractions of the call's `bytes`. collectives.c holds the table of them.
 *
 * The machinery, one concern per file:
 *   model.c           the closed form: protocol rows, efficiencies, latency, time (no SimGrid)
 *   tuner.c           the (algorithm, protocol) choice, ps_coll_predict
 *   engine_group.c    contexts and groups: where the members sit (nodes, switches)
 *   engine_rings.c    the rings of ring algorithms (one, mesh Hamiltonian cycles, rail rings)
 *   engine_traffic.c  the traffic matrix of a shape and its geometry on the platform's routes
 *   engine_run.c      the SimGrid schedule of one call (ps_coll_run)
 *   ring_family.c     the shapes and busbw factors several collective files share
 * engine.h is what the engine_*.c files share (the group's layout); the model and the tuner see a
 * group only through the accessors below.
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
    PAT_COLLNET_DIRECT, /* CollNetDirect: every GPU <-> every head of its node up_frac / down_frac
                           x bytes / per_node each way, and each head's in-network bytes
                           (net_frac x bytes / per_node) on its NIC (engine_traffic.c); the whole
                           call's traffic x arc_frac */
    PAT_NVLS_COLLNET,   /* NCCL's NVLS on several nodes (needs CollNet): NVLS up/down inside each
                           node + each head's in-network bytes on its NIC; the whole call's
                           traffic x arc_frac */
    PAT_COLLNET_CHAIN,  /* CollNetChain: PAT_TREE's per-rail chains in each node, and each chain
                           head's in-network bytes on its NIC; the whole call's traffic x arc_frac */
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
    double net_frac;   /* CollNet: what each NIC receives from the switches, x bytes / per_node */
    double serial_us;  /* latency paid once beyond the steps (CollNetDirect's arity term) */
} coll_shape;

/* Which calibrated ring efficiency scale (ps_coll_params.ring_scale_*) a ring collective uses. */
typedef enum coll_ring_scale {
    COLL_RING_SCALE_NONE,       /* no ring algorithm */
    COLL_RING_SCALE_ALL_REDUCE, /* ring_scale_ar */
    COLL_RING_SCALE_OTHER,      /* ring_scale_other */
} coll_ring_scale;

/* Everything parsim knows about one collective. Filled by its file with designated initialisers
 * (the file a newcomer copies); collectives.c holds the one table of them. */
typedef struct ps_coll_model {
    ps_coll_op op;
    const char *name;    /* parsim's and nccl-tests' name, e.g. "all_reduce" (NAME_perf) */
    bool nccl_test;      /* nccl-tests has NAME_perf (parsim nccl --op accepts it) */
    const char *redop;   /* what nccl-tests prints in the redop column */
    int root;            /* what nccl-tests prints in the root column (-1: none) */
    bool per_rank_count; /* nccl-tests prints count per rank (size = count x n x type) */
    double (*busbw_factor)(int n); /* nccl-tests busbw = algbw x this (doc/PERFORMANCE.md) */
    /* Ring family: its ring algorithm runs on the ring protocol rows (LL, LL128, Simple) and
     * NVLS on the nvls row; the others run on the p2p row. Calibration fits what the curves'
     * collectives use. */
    bool ring_family;
    coll_ring_scale ring_scale;
    bool tree_bw_correction; /* Tree: NCCL's treeCorrectionFactor applies (all_reduce) */
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

/* ---- What several collective files share (ring_family.c) ------------------------------------
 * The ring family's two common shapes: Ring, `ring_steps` synchronous steps in which every ring
 * arc carries one 1/n slice of the buffer; NVLS, one step in which each GPU sends up_frac x S up
 * to the switch and receives down_frac x S back. Fills *out and returns true for PS_ALGO_RING
 * and PS_ALGO_NVLS, false for any other algorithm (the caller goes on to its own, e.g. Tree). */
bool coll_ring_nvls_shape(ps_coll_algo algo, const coll_topo *topo, int ring_steps,
                          double nvls_up_frac, double nvls_down_frac, coll_shape *out);
/* nccl-tests busbw factors shared by several collectives (doc/PERFORMANCE.md):
 * (n-1)/n for the ones that move the n-1 slices a GPU does not own (all_gather, reduce_scatter,
 * alltoall), 1 for the ones whose every port carries the whole buffer (broadcast, sendrecv). */
double coll_busbw_all_but_own_slice(int n);
/* CollNet's shapes (engine_traffic.c collnet_matrix) across the group's nodes: CollNetDirect
 * with up_frac / down_frac of each head's share moved to / from it over NVLink (all_reduce 1 / 1,
 * all_gather 0 / 1, reduce_scatter 1 / 0), CollNetChain (all_reduce only: chains). False for any
 * other algorithm, on one node, or for a group that is not node-contiguous. */
bool coll_collnet_shape(ps_coll_algo algo, const coll_topo *topo, double up_frac,
                        double down_frac, coll_shape *out);
double coll_busbw_whole_buffer(int n);

/* ---- Geometry (engine_traffic.c: walks the SimGrid routes of the group's flows) ---------------
 * Idle-platform geometry of one (op, algo) on a group: the latency of one step's flows (max route
 * latency) and the seconds one step takes per byte of the call at efficiency 1 (the busiest link's
 * load over its bandwidth). Computed once per (op, algo) and cached in the group. */
typedef struct coll_geom {
    bool valid;
    bool available;
    coll_shape shape;
    double lat_s;       /* largest route latency of the flows */
    double lat_mean_s;  /* mean route latency of the flows */
    double lat_intra_s; /* mean route latency of the flows inside a node (0: none) */
    double lat_inter_s; /* mean route latency of the flows between nodes (0: none) */
    double step_s_per_byte;
    /* The scale-out network (engine_network.c; all neutral inside one node). */
    double net_inter_steps;  /* of the steps, how many cross nodes (NCCL's nInterSteps) */
    double net_proxy_step_s; /* host/proxy cost of one inter-node step (time) */
    double net_plugin_s;     /* NCCL tuner's net-plugin latency per inter-node step (ranking) */
    unsigned net_protocols;  /* PS_NET_PROTO_* the network allows */
    bool ll128_default_off;  /* NCCL's default leaves LL128 off on this shape: the GPU-NIC path
                                across nodes (ps_platform_network.ll128_default_off) or a
                                PCIe-only node (engine_network.c); the tuner skips it, a forced
                                --proto ll128 runs it (NCCL_PROTO=LL128) */
    unsigned net_algorithms; /* PS_NET_ALGO_* the network lets the tuner pick */
    /* The busiest link per byte among links intra-node flows use, and among links only
     * inter-node flows use (NICs, rail uplinks): with a named network the two are charged at
     * their own efficiencies (model.c coll_call_eff). step_s_per_byte is the max of the two. */
    double step_s_per_byte_intra;
    double step_s_per_byte_net;
    double net_bandwidth_efficiency; /* 0: no network named, the protocol efficiency applies */
    int net_nvlink_generation; /* the GPUs' NVLink generation across nodes (NCCL's per-channel
                                  Tree caps by architecture, model.c coll_tree_net_cap_gbps); 0
                                  inside one node */
    /* NCCL's NVLS algorithm on one node: the channels (CTAs) NCCL gives it, comm->nvlsChannels
     * (model.c coll_nvls_pipeline_s); 0 for every other algorithm and for engine kernels. */
    int nvls_channels;
    /* NCCL's channels across nodes (engine_network.c): the communicator's channel count
     * (channels per NIC x NICs per node, within the profile's NCCL_MIN/MAX_NCHANNELS) and the
     * NICs per node they spread over; 0 inside one node. */
    int net_channels;
    int net_nics;
    int net_nodes; /* the nodes the group spans when a flow leaves its node; 0 inside one node */
} coll_geom;

/* Takes a const group: the geometry cache is a memo the group points to (filling it changes
 * nothing the group's users can observe), not part of the group's value. */
int coll_group_geom(const ps_coll_group *group, ps_coll_op op, ps_coll_algo algo, coll_geom *out,
                    ps_error *err);
const coll_topo *coll_group_topo(const ps_coll_group *group);
/* Whether the group's platform has SHARP in its switches (network_sharp: CollNet can run). */
bool coll_group_sharp(const ps_coll_group *group);
const ps_coll_params *coll_group_params(const ps_coll_group *group);
const ps_platform *coll_ctx_platform(const ps_coll_ctx *ctx);

/* ---- The closed-form model (model.c: no SimGrid, numbers in, seconds out) -------------------- */

/* The closed-form time (seconds) of `bytes` with one protocol row on a geometry, for group size n
 * (the ring scale table applies to ring algorithms). */
double coll_model_time(const ps_coll_params *params, ps_coll_op op, ps_coll_algo algo,
                       ps_coll_proto proto, int n, const coll_geom *geom, double bytes);

/* Latency part of the closed form (seconds), see model.c. net_hop_us: the per-step latency of
 * steps that cross nodes (used only when geom->shape.inter_steps > 0). */
double coll_latency_s(const ps_coll_proto_params *row, double net_hop_us, double net_overhead_us,
                      const coll_geom *geom);
/* NCCL's per-step latency of a step that crosses nodes (Tree, NVLS-tree, Ring: hwLat[NET]), and
 * the floor of a ring's other steps on several nodes (netOverhead, x3 for Simple; 0 else). */
double coll_net_hop_us(const ps_coll_params *params, ps_coll_algo algo, ps_coll_proto proto);
double coll_net_overhead_us(const ps_coll_params *params, ps_coll_algo algo, ps_coll_proto proto);
/* How much more than an even share of the call's network bytes its busiest NIC carries because
 * NCCL runs a small call on fewer channels than there are NICs (enqueue.cc topoGetAlgoInfo);
 * 1 when every NIC is used, or inside one node. */
double coll_net_channel_factor(const coll_geom *geom, ps_coll_algo algo, ps_coll_proto proto, int n,
                               double bytes);

/* Pipeline-fill term (seconds) for a transfer time tb: 2 sqrt((steps x fill + inter-node steps x
 * proxy step) x tb), see model.c. */
double coll_fill_s(const ps_coll_proto_params *row, const coll_geom *geom, double tb);

/* NCCL's NVLS kernel on one node (model.c): how NCCL splits `bytes` over channels and chunks,
 * and the time that split adds to latency + tb -- the extra iterations' overhead and the copy
 * of the first chunk group in and of the last one out, which do not overlap the link transfer. */
typedef struct coll_nvls_split {
    int channels;         /* channels (CTAs) with work */
    double channel_bytes; /* bytes of the busiest channel (an even split: bytes / channels) */
    double chunk_bytes;   /* calcCollChunking's NVLS chunk */
    int iterations;       /* loop iterations per channel: channel_bytes / (heads x chunk) */
    double first_bytes;   /* bytes of one iteration of one channel: min(channel, heads x chunk) */
    double head_bytes;    /* what the busiest head's reduce warps take on the busiest channel */
} coll_nvls_split;
/* nccl_version: NCCL_VERSION_CODE of the release modelled (0 = PS_NCCL_VERSION_DEFAULT); the
 * split before 2.20 is NCCL's block split (model.c). */
void coll_nvls_split_of(ps_coll_op op, int n, int nvls_channels, int nccl_version, double bytes,
                        coll_nvls_split *out);
/* comm->nvlsChannels on one node for the release modelled and the NVLink generation. */
int coll_nvls_channels(int nccl_version, int nvlink_generation);
double coll_nvls_pipeline_s(const ps_coll_params *params, ps_coll_op op, int n,
                            const coll_geom *geom, double bytes, double tb);

/* What follows latency + tb in the closed form and in the simulated schedule: the NVLS split's
 * term for NCCL's NVLS algorithm, the pipeline-fill term (coll_fill_s) for everything else. */
double coll_pipeline_s(const ps_coll_params *params, ps_coll_op op, ps_coll_algo algo,
                       const ps_coll_proto_params *row, int n, const coll_geom *geom,
                       double bytes, double tb);

/* What the tuner adds to a pair's time to rank it (not time): NCCL's net-plugin latency per
 * inter-node step, twice for Simple (tuning.cc:383-392). */
double coll_rank_extra_s(const coll_geom *geom, ps_coll_proto proto);
/* The number the tuner ranks a pair by: its time, the net plugin's latency above, and NCCL's own
 * penalty on CollNetDirect's all_reduce bandwidth (model.c). */
double coll_rank_s(const ps_coll_params *params, ps_coll_op op, ps_coll_algo algo,
                   ps_coll_proto proto, int n, const coll_geom *geom, double bytes, double time_s);

/* The one efficiency a call runs at (flows inflated by 1/it, tb divided by it): the protocol
 * efficiency, or, with a named network whose NICs are the bottleneck, the lower rate the NICs
 * allow -- folded into one number so the simulated task and the closed form stay identical. */
/* NCCL's bus-bandwidth cap of Ring / Tree LL across nodes, GB/s (llMaxBws); 0 = none. */
double coll_ll_net_cap_gbps(const coll_geom *geom, ps_coll_algo algo, ps_coll_proto proto);
double coll_tree_net_cap_gbps(const coll_geom *geom, ps_coll_algo algo, ps_coll_proto proto);
double coll_call_eff(const ps_coll_params *params, ps_coll_op op, ps_coll_algo algo,
                     ps_coll_proto proto, int n, const coll_geom *geom, double bytes);

/* Whether the platform's network allows `proto` for this geometry (always inside a node). */
bool coll_network_allows(const coll_geom *geom, ps_coll_proto proto);
/* Whether the network's NCCL profile lets the tuner pick `algo` for this geometry (NCCL_ALGO of
 * the profile, e.g. TCPX: Ring only); a forced algorithm is the user's NCCL_ALGO and runs. */
bool coll_network_allows_algo(const coll_geom *geom, ps_coll_algo algo);

/* The protocol row and efficiency the model uses. */
const ps_coll_proto_params *coll_proto_row(const ps_coll_params *params, ps_coll_algo algo,
                                           ps_coll_proto proto);
/* Efficiency of a call of `bytes` (tree all_reduce: times NCCL's treeCorrectionFactor). */
double coll_effective_eff(const ps_coll_params *params, ps_coll_op op, ps_coll_algo algo,
                          ps_coll_proto proto, int n, double bytes);

/* Whether (algo, proto) exists for an op on this group, as in NCCL (NVLS, NVLS-tree, p2p: Simple
 * only; the shape and the group decide the rest). */
bool coll_pair_allowed(ps_coll_op op, ps_coll_algo algo, ps_coll_proto proto);

/* ---- The tuner (tuner.c): the one (algorithm, protocol) choice ------------------------------- */

/* Whether the tuner (PS_ALGO_AUTO) looks at `algo` on this group (Tree: only across nodes). */
bool coll_tuner_considers(const ps_coll_group *group, ps_coll_algo algo);

typedef struct coll_choice {
    double time_s;       /* INFINITY when nothing is available */
    ps_coll_algo algo;   /* PS_ALGO_AUTO when nothing is available */
    ps_coll_proto proto;
} coll_choice;

/* NCCL's topoGetAlgoInfo: the (algorithm, protocol) of least closed-form time with `params`,
 * among the pairs allowed for op on this group and by algo/proto (PS_*_AUTO: any). The simulator
 * (ps_coll_predict, ps_coll_run) and the calibration (calibrate.c) both call it, so a fit always
 * fits the tuner that runs. Errors only from the geometry (out of memory). */
int coll_tune(const ps_coll_group *group, const ps_coll_params *params, ps_coll_op op,
              ps_coll_algo algo, ps_coll_proto proto, double bytes, coll_choice *out,
              ps_error *err);

#endif
