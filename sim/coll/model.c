/* sim/coll/model.c: the closed-form time of one collective call -- numbers in, seconds out, no
 * SimGrid. The geometry (route latencies, the busiest link per byte) comes from
 * engine_traffic.c; the protocol rows from the parameters (NCCL's constants or a sidecar).
 *
 * A collective with protocol row (base, hop, eff, fill) whose shape has `steps` synchronous
 * steps takes, on an idle platform,
 *     T = L + tb + 2*sqrt(steps*fill*tb),   tb = steps*bytes*spb/eff_n
 *     L = base + steps * max(hop, mean route latency), at least the largest route latency
 * with spb the busiest link's load per byte of one step over its bandwidth and eff_n the
 * protocol efficiency times the group-size scale (ring) or NCCL's tree correction (Tree).
 * L + tb is NCCL's tuning model (time = latency + bytes/bandwidth, tuning.cc); the last term is
 * pipelining: a transfer pipelined over `steps` stages in chunks with a fixed per-chunk overhead
 * h takes at best (sqrt(tb) + sqrt(steps*h))^2 = tb + steps*h + 2*sqrt(steps*h*tb) with the
 * optimal chunk size (the classic pipelined-broadcast bound); NCCL's chunking is close to that,
 * and `fill` is h, fitted. NCCL's NVLS algorithm on one node replaces the last term by NCCL's own
 * chunk count (coll_nvls_pipeline_s below). engine_run.c runs exactly this schedule in SimGrid
 * (coll.sim.exact checks the two agree to 1e-9 on an idle platform).
 */
#include <math.h>

#include "coll_internal.h"

bool coll_pair_allowed(ps_coll_op op, ps_coll_algo algo, ps_coll_proto proto)
{
    (void)op;
    if (algo == PS_ALGO_NVLS || algo == PS_ALGO_NVLS_TREE || algo == PS_ALGO_P2P ||
        algo == PS_ALGO_COLLNET_DIRECT || algo == PS_ALGO_COLLNET_CHAIN)
        return proto == PS_PROTO_SIMPLE; /* NVLS, NVLSTree, CollNet: Simple only (tuning.cc:
                                            CollNet's LL / LL128 "Not used"); p2p: one row */
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
    if (algo == PS_ALGO_COLLNET_DIRECT)
        return &p->collnet_direct;
    if (algo == PS_ALGO_COLLNET_CHAIN)
        return &p->collnet_chain;
    if (algo == PS_ALGO_TREE)
        return &p->tree[proto];
    return &p->ring[proto];
}

double coll_net_hop_us(const ps_coll_params *p, ps_coll_algo algo, ps_coll_proto proto)
{
    if (algo == PS_ALGO_TREE && proto >= 0 && proto < PS_PROTO_COUNT)
        return p->tree_net_hop_us[proto];
    if (algo == PS_ALGO_RING && proto >= 0 && proto < PS_PROTO_COUNT)
        return p->ring_net_hop_us[proto];
    if (algo == PS_ALGO_NVLS_TREE)
        return p->nvls_tree_net_hop_us;
    if (algo == PS_ALGO_COLLNET_DIRECT)
        return p->collnet_direct_net_hop_us;
    if (algo == PS_ALGO_COLLNET_CHAIN)
        return p->collnet_chain_net_hop_us;
    if (algo == PS_ALGO_NVLS)
        return p->nvls_net_hop_us; /* only paid across nodes (inter_steps) */
    /* Point-to-point across nodes (send/recv, alltoall) always runs Simple: the network P2P
     * connections get no LL buffers unless NCCL_ALLOC_P2P_NET_LL_BUFFERS=1 (N src/init.cc:859,
     * src/transport/net.cc:915-933; ../shared/notes/network.md 1, item 3), so each node-crossing
     * transfer takes the Simple network step of network.md 2.4 (GPU tail write to host memory,
     * proxy post, RDMA write, receive proxy completion, tail write back), the step NCCL's tuner
     * prices at hwLatencies[NET][Ring][Simple] = 14 us (tuning.cc @ 5067397c line 171). NCCL's
     * tuner never prices p2p, so the constant is borrowed from its Simple ring step. */
    if (algo == PS_ALGO_P2P)
        return p->ring_net_hop_us[PS_PROTO_SIMPLE];
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
    const ps_coll_model *m = ps_coll_model_of(op);
    if (algo == PS_ALGO_RING && m->ring_scale != COLL_RING_SCALE_NONE)
        eff *= ring_scale(m->ring_scale == COLL_RING_SCALE_ALL_REDUCE ? p->ring_scale_ar
                                                                      : p->ring_scale_other, n);
    if (algo == PS_ALGO_TREE && m->tree_bw_correction)
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

double coll_net_overhead_us(const ps_coll_params *p, ps_coll_algo algo, ps_coll_proto proto)
{
    if (algo != PS_ALGO_RING)
        return 0;
    return p->net_overhead_us * (proto == PS_PROTO_SIMPLE ? 3.0 : 1.0);
}

double coll_latency_s(const ps_coll_proto_params *row, double net_hop_us, double net_overhead_us,
                      const coll_geom *geom)
{
    double hop = row->hop_us * 1e-6, lat;
    int steps = geom->shape.steps, inter = geom->shape.inter_steps;
    double ring_inter = geom->net_inter_steps;
    if (inter > 0)
        lat = row->base_us * 1e-6 + (steps - inter) * at_least(hop, geom->lat_intra_s) +
              inter * at_least(net_hop_us * 1e-6, geom->lat_inter_s);
    else if (geom->shape.pattern == PAT_RING && ring_inter > 0 && net_hop_us > 0)
        /* A ring across nodes: NCCL's (nsteps - nInterSteps) x max(intraLat, netOverhead) +
         * nInterSteps x interLat (tuning.cc:403-412), the routes as floors. The mean latency of
         * the ring's distinct arcs (below) would weigh the node-boundary arcs as often as the
         * NVLink ones (one ring per rail: as many distinct boundary arcs as NVLink arcs), while a
         * chunk going round one ring crosses nodes only nInterSteps times. */
        lat = row->base_us * 1e-6 +
              (steps - ring_inter) *
                  at_least(at_least(hop, geom->lat_intra_s), net_overhead_us * 1e-6) +
              ring_inter * at_least(net_hop_us * 1e-6, geom->lat_inter_s);
    else if ((geom->shape.pattern == PAT_SENDRECV || geom->shape.pattern == PAT_SEND ||
              geom->shape.pattern == PAT_ALLTOALL) &&
             ring_inter > 0 && net_hop_us > 0)
        /* Point-to-point across nodes: every flow moves at once, so the call waits for its
         * slowest transfer, a node-crossing one: NCCL's Simple network step (coll_net_hop_us),
         * the platform's route as its floor. */
        lat = row->base_us * 1e-6 +
              steps * at_least(at_least(hop, geom->lat_mean_s),
                               at_least(net_hop_us * 1e-6, geom->lat_inter_s));
    else
        lat = row->base_us * 1e-6 + steps * at_least(hop, geom->lat_mean_s);
    /* The network's host/proxy cost of each inter-node step (engine_network.c; 0 in a node), and
     * CollNetDirect's arity serialisation (coll_collnet_shape). */
    lat += geom->net_inter_steps * geom->net_proxy_step_s + geom->shape.serial_us * 1e-6;
    return at_least(lat, geom->lat_s);
}

/* Pipelining: each chunk pays the per-step overhead `fill` at each of the steps; with the optimal
 * chunk size the total is (sqrt(tb) + sqrt(H))^2 with H the sum of the per-chunk overheads over
 * the stages (model.c header), i.e. tb + H + 2 sqrt(H tb); H itself is in the latency.
 * Across nodes the tree shapes (Tree, NVLS-tree) and point-to-point (alltoall, send/recv) also
 * pay the network's proxy round trip per chunk at each inter-node stage; a ring does not. Why:
 * a ring's network connection is one stage of an n-1 stage pipeline whose Simple slots are
 * NCCL_BUFFSIZE / NCCL_STEPS = 512 KiB (1 MiB with TCPXO's profile, NCCL_BUFFSIZE=8388608, GO
 * tcpxo_scripts/nccl-env-profile.sh) and 8 deep, so the proxy's round trip of one slot overlaps
 * the other slots' transfers; NVLS-tree moves 128 KiB chunks (NCCL_NVLS_CHUNKSIZE, N
 * src/transport/nvls.cc; NCCL_NVLSTREE_MAX_CHUNKSIZE=131072 in the same TCPXO profile), network
 * send/recv 128 KiB (NCCL_P2P_NET_CHUNKSIZE), 4-8x more chunks per byte, each a proxy post.
 * Data: with the per-chunk proxy term everywhere the ring all_gather across 2 TCPXO nodes was
 * 20-58 % slow from 4 MiB to 512 MiB while the tree all_reduce / p2p alltoall fits needed it (EFA
 * p5 all_reduce 5.3 % with it, 23.8 % without; alltoall 1.2 % / 11.3 %); docs/validation.md. */
double coll_fill_s(const ps_coll_proto_params *row, const coll_geom *geom, double tb)
{
    double h = geom->shape.steps * row->fill_us * 1e-6;
    bool ring = geom->shape.pattern == PAT_RING || geom->shape.pattern == PAT_CHAIN;
    if (!ring)
        h += geom->net_inter_steps * geom->net_proxy_step_s;
    return 2.0 * sqrt(h * tb);
}

/* NCCL's NVLS algorithm on one node, from its code (NVIDIA/nccl @v2.29.2-1 ebd1e929 unless a
 * release is named; the releases differ in the work split, below):
 *  - Work split, NCCL 2.20 and later (src/enqueue.cc scheduleCollTasksToPlan): the message is cut
 *    into cells of MinTrafficPerChannel = 32 KiB of traffic (all_reduce moves 2 bytes of traffic
 *    per byte, so a cell is 16 KiB; all_gather / reduce_scatter move nRanks per byte of a rank's
 *    count, a cell of 32 KiB / n per rank, i.e. 32 KiB of the whole buffer), and the cells are
 *    dealt to the nvlsChannels channels (16 on SM90, 24 on one SM100 node: coll_nvls_channels) at
 *    max(one cell, traffic / channels) per channel: below 16 cells fewer channels work, above it
 *    every channel gets bytes / channels. The cell by release (coll_nvls_cell_bytes): 16 KiB of
 *    traffic in v2.23-v2.28 (enqueue.cc @v2.23.4-1 68b54236 line 723), 512 B in v2.22 (cells of
 *    16 B, @v2.22.3-1 178b6b75 lines 614 and 657); in v2.20-v2.21 no cells but countPerChannels =
 *    DIVUP(count, nChannels) rounded up to NCCL_SIMPLE_ALIGNMENT = 4 KiB of a rank's count
 *    (addTunedCollToPlan, enqueue.cc @v2.20.3-1 b6475625 lines 346-347; src/include/enqueue.h:17).
 *  - Work split before NCCL 2.20 (v2.17-v2.19): no split at all. Every one of the nvlsChannels
 *    CTAs runs the kernel on the whole message, channel `bid` taking in each loop the contiguous
 *    block of nHeads x chunk at gridOffset + bid x nHeads x chunk, loopSize = nChannels x nHeads x
 *    chunk (src/collectives/device/all_reduce.h @v2.18.5-1 559b70f8 lines 387, 411, 422;
 *    src/device/all_reduce.h @v2.19.4-1 88d44d77 lines 386, 411, 422; all_gather.h /
 *    reduce_scatter.h the same with n per-rank chunks of `chunk`), the chunk chosen on the whole
 *    message with concurrentOps = nvlsChannels x nHeads (src/enqueue.cc @v2.18.5-1 computeColl
 *    lines 1203-1205 and 1338-1346): 16 KiB below 8 MiB on 8 GPUs, so a message below 16 x 128
 *    KiB = 2 MiB works on fewer than 16 channels (bytes / 128 KiB of them), and one below 128 KiB
 *    on one channel whose heads take 16 KiB each (fewer than 8 heads below 128 KiB).
 *  - Chunk (calcCollChunking, ncclPatternNvls; from 2.22 called per channel with nChannels = 1,
 *    so concurrentOps = nHeads = n on one node; before, on the whole message with the channel
 *    count, the same thresholds per channel): NCCL_NVLS_CHUNKSIZE 128 KiB, then 64 KiB when the
 *    channel's bytes < 64 x n x chunk, 32 KiB when < 8 x n x 64 KiB, 16 KiB when < 2 x n x 32 KiB.
 *  - Kernel (src/device/all_reduce.h RunWorkColl<AllReduce, NVLS, Simple>, oneNode branch): each
 *    channel loops over its bytes n x chunk at a time (loopCount = nHeads x chunkSize); per
 *    iteration the scatter warps copy the n chunks of the user buffer into the NVLS buffers of
 *    the n heads, head h's reduce warps multimem.ld_reduce chunk h through the switch and
 *    multimem.st the sum to every GPU, and the gather warps copy the n results out. all_gather
 *    has only the gather copy (its bcast warps multimem.st straight from the user buffer),
 *    reduce_scatter only the scatter copy (all_gather.h, reduce_scatter.h).
 * Time on top of NCCL's latency + bytes / bandwidth (L + tb): the three stages pipeline across
 * iterations, the link-bound reduce stage is the slowest (16 CTAs copy far faster than a port
 * moves), so the copy of the first iteration in and of the last one out do not overlap the link
 * transfer: copies x first_bytes / copy rate of one CTA; and each further iteration pays the
 * stages' flag handshakes: (iterations - 1) x fill_us (the row's per-chunk overhead, as in the
 * fill term of the other algorithms, here with NCCL's own chunk count instead of the optimal
 * one). With NCCL's constants (fill 0, no copy rate) this is NCCL's own model, L + tb. */

/* The whole-buffer bytes of one cell of the work split of NCCL 2.20 and later (above); 0 before
 * 2.20 (no split). */
static double coll_nvls_cell_bytes(int nccl_version, ps_coll_op op, int n)
{
    double per_rank = op == PS_COLL_ALL_REDUCE ? 1.0 : n > 1 ? n : 1;
    if (nccl_version < 22000)
        return 0;
    if (nccl_version < 22200) /* 4 KiB of a rank's count per channel (NCCL_SIMPLE_ALIGNMENT) */
        return 4096.0 * per_rank;
    double min_traffic = nccl_version < 22300 ? 512.0 : nccl_version < 22900 ? 16384.0 : 32768.0;
    return op == PS_COLL_ALL_REDUCE ? min_traffic / 2 : min_traffic;
}

int coll_nvls_channels(int nccl_version, int nvlink_generation)
{
    if (nccl_version <= 0)
        nccl_version = PS_NCCL_VERSION_DEFAULT;
    /* comm->nvlsChannels on one node (src/transport/nvls.cc): NCCL_NVLS_NCHANNELS 16 up to v2.24
     * (@v2.24.3-1 line 146); from v2.25 NVLS_NCHANNELS_SM90 16 and, on SM100, NVLS_NCHANNELS_SM100
     * 32 (@v2.25.1-1 80f6bda4 lines 145, 176); from v2.27 NVLS_NCHANNELS_SM100_NVL 24 on one
     * Blackwell node (@v2.27.3-1 72d24320 line 149; the same at v2.29.2). NVLink 4 is Hopper,
     * 5 Blackwell. */
    if (nvlink_generation < 5 || nccl_version < 22500)
        return 16;
    return nccl_version < 22700 ? 32 : 24;
}

static double nvls_chunk_of(double per_channel, double heads)
{
    double chunk = 131072.0; /* NCCL_NVLS_CHUNKSIZE */
    if (per_channel < 64 * heads * chunk)
        chunk = 65536;
    if (per_channel < 8 * heads * chunk && chunk > 32768)
        chunk = 32768;
    if (per_channel < 2 * heads * chunk && chunk > 16384)
        chunk = 16384;
    return chunk;
}

void coll_nvls_split_of(ps_coll_op op, int n, int nvls_channels, int nccl_version, double bytes,
                        coll_nvls_split *out)
{
    if (nccl_version <= 0)
        nccl_version = PS_NCCL_VERSION_DEFAULT;
    double heads = n > 1 ? n : 1;
    int all = nvls_channels > 0 ? nvls_channels : 1;
    double cell = coll_nvls_cell_bytes(nccl_version, op, n);
    if (cell == 0) { /* before 2.20: contiguous blocks of heads x chunk, nvlsChannels per loop */
        double chunk = nvls_chunk_of(bytes / all, heads), group = heads * chunk;
        double blocks = ceil(bytes / group), loops = ceil(bytes / (all * group));
        double channel = fmin(bytes, loops * group); /* channel 0's: the busiest */
        *out = (coll_nvls_split){.channels = blocks < all ? (blocks > 1 ? (int)blocks : 1) : all,
                                 .channel_bytes = channel, .chunk_bytes = chunk,
                                 .iterations = loops > 1 ? (int)fmin(loops, 1e9) : 1,
                                 .first_bytes = fmin(bytes, group),
                                 .head_bytes = fmin(bytes, loops * chunk)};
        return;
    }
    double cells = ceil(bytes / cell);
    int channels = all;
    if (cells < channels)
        channels = cells > 1 ? (int)cells : 1;
    double per_channel = bytes / channels, chunk = nvls_chunk_of(per_channel, heads);
    double group = heads * chunk, iterations = ceil(per_channel / group);
    *out = (coll_nvls_split){.channels = channels, .channel_bytes = per_channel,
                             .chunk_bytes = chunk,
                             .iterations = iterations > 1 ? (int)fmin(iterations, 1e9) : 1,
                             .first_bytes = per_channel < group ? per_channel : group,
                             .head_bytes = per_channel / heads};
}

double coll_nvls_pipeline_s(const ps_coll_params *p, ps_coll_op op, int n, const coll_geom *geom,
                            double bytes, double tb)
{
    if (geom->nvls_channels <= 0 || !(bytes > 0))
        return 0;
    coll_nvls_split s;
    coll_nvls_split_of(op, n, geom->nvls_channels, p->nccl_version, bytes, &s);
    double t = (s.iterations - 1) * p->nvls.fill_us * 1e-6;
    int copies = op == PS_COLL_ALL_REDUCE ? 2 : 1; /* scatter + gather; gather; scatter */
    if (p->nvls_copy_gbps > 0)
        t += copies * s.first_bytes / (p->nvls_copy_gbps * 1e9);
    /* The reduce stage: GPU h's reduce warps multimem.ld_reduce the chunks it heads on each
     * channel that works (bytes / n / channels of an even split; up to a whole chunk per
     * iteration of a pre-2.20 block). When those warps are slower than the port, the stage, not
     * the link, sets the rate; the time beyond tb is added here (a sleep in the simulated
     * schedule: the links are not busier for it). all_gather has no reduce. */
    if (p->nvls_reduce_gbps > 0 && op != PS_COLL_ALL_GATHER) {
        double reduce_s = s.head_bytes / (p->nvls_reduce_gbps * 1e9);
        if (reduce_s > tb)
            t += reduce_s - tb;
    }
    return t;
}

double coll_pipeline_s(const ps_coll_params *p, ps_coll_op op, ps_coll_algo algo,
                       const ps_coll_proto_params *row, int n, const coll_geom *geom,
                       double bytes, double tb)
{
    if (algo == PS_ALGO_NVLS && geom->nvls_channels > 0)
        return coll_nvls_pipeline_s(p, op, n, geom, bytes, tb);
    return coll_fill_s(row, geom, tb);
}

/* With a named network, NIC-only links (geom->step_s_per_byte_net) move data at the network's
 * efficiency times the protocol's wire overhead -- LL carries 8 B of data per 16 B line (x 0.5),
 * LL128 120 B per 128 B (x 0.9375), Simple none: the factors of AWS's cost model (aws-ofi-nccl
 * src/tuner/nccl_ofi_model.cpp:14-120, ../shared/notes/network.md 1.6) -- while the scale-up links
 * keep the calibrated protocol efficiency. tb = steps x bytes x max(spb_intra / eff,
 * spb_net / eff_net); the call's one efficiency is the one that gives that tb on the busiest link
 * overall. Without a named network (generic) every link runs at the protocol efficiency, as before
 * network kinds existed. */
/* NCCL runs a Ring or Tree call on fewer channels when it is small: while nBytes < nc x nt x
 * threshold it drops a channel (NVIDIA/nccl src/enqueue.cc @ v2.30.7-1 5067397c, lines 2070-2103,
 * "Ring/Tree channel tuning"), with nt the protocol's thread count (LL 512, LL128 640, Simple 512:
 * src/include/device.h NCCL_*_MAX_NTHREADS) and the threshold 8 B per thread for LL and LL128,
 * 64 for Simple, x nRanks for Ring LL (src/include/comm.h, src/graph/tuning.cc:589-593); so nc =
 * floor(nBytes / (nt x threshold)) within [1, channels]. Channel c uses NIC c mod nics (one
 * search channel per NIC, duplicated), so with nc < nics only nc NICs carry the call: the busiest
 * one carries nics / nc times an even share. With nc >= nics the channels beyond one per NIC are
 * taken as spread evenly (ceil(nc / nics) per NIC on some would add at most nics / nc: a 12-channel
 * TCPX ring is 3 per physical NIC). NVLS, CollNet and point-to-point keep their channels. */
double coll_net_channel_factor(const coll_geom *geom, ps_coll_algo algo, ps_coll_proto proto, int n,
                               double bytes)
{
    static const double threads[PS_PROTO_COUNT] = {512, 640, 512};
    static const double per_thread[PS_PROTO_COUNT] = {8, 8, 64};
    if ((algo != PS_ALGO_RING && algo != PS_ALGO_TREE) || geom->net_channels <= 0 ||
        geom->net_nics <= 1 || proto < 0 || proto >= PS_PROTO_COUNT || !(bytes > 0))
        return 1.0;
    double threshold = per_thread[proto] * (algo == PS_ALGO_RING && proto == PS_PROTO_LL ? n : 1);
    double nc = floor(bytes / (threads[proto] * threshold));
    nc = nc < 1 ? 1 : nc > geom->net_channels ? geom->net_channels : nc;
    return nc >= geom->net_nics ? 1.0 : geom->net_nics / nc;
}

/* LL across nodes: NCCL's tuner caps the bus bandwidth of Ring LL and Tree LL at llMaxBws, a
 * whole-GPU figure indexed by the nodes (1, 2, 3+) and, across nodes, by the host CPU instead of
 * the GPU (NVIDIA/nccl src/graph/tuning.cc @ v2.24.3-1, lines 150-153 and 209-215, applied at
 * lines 250 and 253; the same table and use at v2.29.2): Intel hosts 39.0 GB/s on 2 nodes and
 * 20.4 GB/s on 3 or more, AMD 22.5 / 19.0, against 141 GB/s on one Hopper node. parsim takes
 * the Intel row, as for getNetOverhead (params.c). Why the network makes LL so slow: NCCL puts
 * a network connection's LL buffers in host memory on BOTH sides (src/transport/net.cc @
 * v2.24.3-1: sendSetup line 751 maps every protocol's buffer on the GPU with GDR except LL's,
 * recvSetup line 925 maps LL's in host memory, its useGdr argument commented out), so the sender's
 * 16-byte LL stores and the receiver's flag polls cross PCIe to system memory, and LL's 8 bytes
 * of data per 16-byte line halve what does cross. NCCL's time is latency + nBytes x
 * nsteps / nRanks / busBw for a ring and nBytes / (busBw / 2) for a tree all_reduce
 * (tuning.cc:284-289), i.e. bus bytes = nccl-tests' busbw factor x S for a ring, 2 S for a tree;
 * the cap is that bus traffic over llMaxBw. Returned 0 when NCCL applies no cap (one node, not
 * LL, not Ring / Tree). */
double coll_ll_net_cap_gbps(const coll_geom *geom, ps_coll_algo algo, ps_coll_proto proto)
{
    if (proto != PS_PROTO_LL || (algo != PS_ALGO_RING && algo != PS_ALGO_TREE) ||
        geom->net_nodes < 2)
        return 0;
    return geom->net_nodes == 2 ? 39.0 : 20.4;
}

/* NCCL's per-channel caps on a Tree all_reduce across nodes (NVIDIA/nccl @5067397c
 * src/graph/tuning.cc: perChMaxTreeBws lines 198-204, perChMaxTreeLL128Bws 191-197, applied at
 * lines 330-335): busBw = min(busBw x .92, nChannels x perChMaxTreeBw), then LL128 min(busBw x
 * 120/128, nChannels x perChMaxTreeLL128Bw), LL busBw / 3.8 (its llMaxBw cap is
 * coll_ll_net_cap_gbps); NCCL then runs a Tree all_reduce at algBw = busBw / 2 (line 381), i.e.
 * the cap is on 2 S of bus bytes. Columns N1 / N2 / N4 = one node, two, more (index2 of line
 * 273); rows by architecture (compCapIndex): Ampere {24.0, 23.6, 17.8}, Hopper {38.7, 41.4,
 * 36.0}, Blackwell {70.0, 42.8, 24.0} GB/s (Simple), LL128 Ampere 20 x 3, Hopper {36.7, 36.7,
 * 29.0}, Blackwell {55.6, 31.67, 20.0}. nChannels is the tree graph's searched channel count, one
 * per NIC on a rail-optimised node (../shared/notes/network.md 1.5; the runtime's second channel
 * per NIC is connect.cc's duplication). Applied across nodes only: a single-node tree is in the
 * fitted sidecar's efficiency. The NVLink generation stands for the architecture (3 Ampere,
 * 4 Hopper, 5 Blackwell). */
double coll_tree_net_cap_gbps(const coll_geom *geom, ps_coll_algo algo, ps_coll_proto proto)
{
    static const double simple[3][2] = {{23.6, 17.8}, {41.4, 36.0}, {42.8, 24.0}};
    static const double ll128[3][2] = {{20.0, 20.0}, {36.7, 29.0}, {31.67, 20.0}};
    if (algo != PS_ALGO_TREE || geom->net_nodes < 2 || geom->net_nics < 1 || proto < 0 ||
        proto >= PS_PROTO_COUNT)
        return 0;
    int arch = geom->net_nvlink_generation >= 5 ? 2 : geom->net_nvlink_generation == 3 ? 0 : 1;
    int col = geom->net_nodes == 2 ? 0 : 1;
    double cap = geom->net_nics * simple[arch][col];
    if (proto == PS_PROTO_LL128) {
        double ll = geom->net_nics * ll128[arch][col];
        cap = cap * 120.0 / 128.0 < ll ? cap * 120.0 / 128.0 : ll;
    } else if (proto == PS_PROTO_LL)
        cap /= 3.8;
    return cap;
}

static double ll_net_cap_eff(ps_coll_op op, ps_coll_algo algo, ps_coll_proto proto, int n,
                             const coll_geom *geom)
{
    double cap_gbps = coll_ll_net_cap_gbps(geom, algo, proto);
    double tree_gbps = op == PS_COLL_ALL_REDUCE ? coll_tree_net_cap_gbps(geom, algo, proto) : 0;
    if (tree_gbps > 0 && (!(cap_gbps > 0) || tree_gbps < cap_gbps))
        cap_gbps = tree_gbps;
    const ps_coll_model *m = ps_coll_model_of(op);
    double bus = algo == PS_ALGO_TREE ? 2.0 : m && m->busbw_factor ? m->busbw_factor(n) : 1.0;
    if (!(cap_gbps > 0) || !(bus > 0) || !(geom->step_s_per_byte > 0))
        return INFINITY;
    /* tb = steps x bytes x spb / eff >= bus x bytes / cap  <=>  eff <= steps x spb x cap / bus */
    return geom->shape.steps * geom->step_s_per_byte * cap_gbps * 1e9 / bus;
}

/* The in-network reduction's rate on the NICs, as a fraction of what they move otherwise: CollNet
 * all_reduce and reduce_scatter (params.c, FITTED per algorithm); 1 for everything else,
 * CollNetDirect all_gather included (the switches multicast, they do not reduce). */
static double sharp_factor(const ps_coll_params *p, ps_coll_op op, ps_coll_algo algo)
{
    if (op != PS_COLL_ALL_REDUCE && op != PS_COLL_REDUCE_SCATTER)
        return 1.0;
    /* NVLS across nodes sends its heads' shares into the same switch reduction as CollNetDirect
     * (params.c); on one node it has no NIC link, so the factor never applies there. */
    return algo == PS_ALGO_COLLNET_DIRECT || algo == PS_ALGO_NVLS ? p->sharp_eff_direct
           : algo == PS_ALGO_COLLNET_CHAIN ? p->sharp_eff_chain
                                           : 1.0;
}

double coll_call_eff(const ps_coll_params *p, ps_coll_op op, ps_coll_algo algo,
                     ps_coll_proto proto, int n, const coll_geom *geom, double bytes)
{
    static const double wire[PS_PROTO_COUNT] = {0.5, 0.9375, 1.0};
    double eff = coll_effective_eff(p, op, algo, proto, n, bytes);
    double channels = coll_net_channel_factor(geom, algo, proto, n, bytes);
    double sharp = sharp_factor(p, op, algo);
    bool named = geom->net_bandwidth_efficiency > 0;
    double cap = ll_net_cap_eff(op, algo, proto, n, geom);
    if ((!named && channels <= 1.0 && sharp == 1.0) || !(geom->step_s_per_byte_net > 0) ||
        proto < 0 || proto >= PS_PROTO_COUNT)
        return eff < cap ? eff : cap;
    double eff_net = (named ? geom->net_bandwidth_efficiency * wire[proto] : eff) * sharp;
    double per_byte = geom->step_s_per_byte_intra / eff;
    double net = geom->step_s_per_byte_net * channels / eff_net;
    per_byte = net > per_byte ? net : per_byte;
    eff = per_byte > 0 ? geom->step_s_per_byte / per_byte : eff;
    return eff < cap ? eff : cap;
}

double coll_rank_extra_s(const coll_geom *geom, ps_coll_proto proto)
{
    return geom->net_inter_steps * geom->net_plugin_s * (proto == PS_PROTO_SIMPLE ? 2.0 : 1.0);
}

/* NCCL ranks CollNetDirect's all_reduce at its CollNet bandwidth divided by the GPU/NIC factor
 * ppn / nChannels - (ppn / nChannels - 1) / 2 and times 0.85 on SM90 and later ("Collnet+Direct
 * requires all GPUs to have a local NIC to work at full speed", NVIDIA/nccl src/graph/tuning.cc
 * @ v2.29.7-1 lines 314-323). parsim's platforms have a NIC per GPU (factor 1; ASSUMPTION: the
 * CollNet graph has a channel per NIC) and Hopper / Blackwell GPUs (NVLink 4+), so the tuner
 * ranks Direct's bandwidth term at 1 / 0.85 of its modelled time: with the fitted rates (Direct
 * 12 % faster than Chain at 32 GiB) NCCL's choice stays Chain at large sizes, as Together's
 * NCCL_ALGO-unset runs report, and Direct below where its smaller latency (44 vs 69 us) pays.
 * A ranking number, not time: a forced --algo collnet_direct runs at the modelled time. */
double coll_rank_s(const ps_coll_params *p, ps_coll_op op, ps_coll_algo algo, ps_coll_proto proto,
                   int n, const coll_geom *geom, double bytes, double time_s)
{
    double rank = time_s + coll_rank_extra_s(geom, proto);
    if (algo == PS_ALGO_COLLNET_DIRECT && op == PS_COLL_ALL_REDUCE) {
        double tb = geom->shape.steps * bytes * geom->step_s_per_byte /
                    coll_call_eff(p, op, algo, proto, n, geom, bytes);
        rank += tb * (1 / 0.85 - 1);
    }
    return rank;
}

bool coll_network_allows(const coll_geom *geom, ps_coll_proto proto)
{
    static const unsigned bit[PS_PROTO_COUNT] = {PS_NET_PROTO_LL, PS_NET_PROTO_LL128,
                                                 PS_NET_PROTO_SIMPLE};
    return proto >= 0 && proto < PS_PROTO_COUNT && (geom->net_protocols & bit[proto]);
}

bool coll_network_allows_algo(const coll_geom *geom, ps_coll_algo algo)
{
    unsigned bit = algo == PS_ALGO_RING ? PS_NET_ALGO_RING
                   : algo == PS_ALGO_TREE ? PS_NET_ALGO_TREE
                   : algo == PS_ALGO_NVLS_TREE ? PS_NET_ALGO_NVLS_TREE
                                               : 0; /* NVLS (one node), p2p: not restricted */
    return !bit || (geom->net_algorithms & bit);
}

double coll_model_time(const ps_coll_params *p, ps_coll_op op, ps_coll_algo algo,
                       ps_coll_proto proto, int n, const coll_geom *geom, double bytes)
{
    const ps_coll_proto_params *row = coll_proto_row(p, algo, proto);
    double eff = coll_call_eff(p, op, algo, proto, n, geom, bytes);
    int steps = geom->shape.steps;
    double tb = steps * bytes * geom->step_s_per_byte / eff;
    return coll_latency_s(row, coll_net_hop_us(p, algo, proto),
                          coll_net_overhead_us(p, algo, proto), geom) + tb +
           coll_pipeline_s(p, op, algo, row, n, geom, bytes, tb);
}
