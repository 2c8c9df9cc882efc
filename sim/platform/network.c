/* sim/platform/network.c: the scale-out network kinds (InfiniBand NDR, RoCE, AWS EFA, GCP
 * GPUDirect-TCPX/TCPXO) as data, with the source of every figure.
 *
 * A kind is what `parsim platform --network KIND` writes into a platform file (zone properties
 * network, network_*) and what the loader falls back to for a figure the file does not override.
 * The figures are those that change NCCL's times across nodes (../shared/notes/network.md
 * sections 0-4):
 *   - nic_latency_us / switch_latency_us: the latencies of the generated links, i.e. the wire
 *     part of a route: same rail = 2 x nic, across rails = 2 x nic + 2 x switch;
 *   - plugin_latency_us: the net plugin's `props.latency`. NCCL's tuner adds it to every
 *     inter-node step, twice for Simple (N src/graph/tuning.cc:383-392, search.cc:745). It is a
 *     ranking number (AWS: "NCCL's internal tuner choices work better with this value"), so it
 *     steers the algorithm choice, not the time;
 *   - proxy_step_us: the host cost of one inter-node step that NCCL's hwLat[NET] constants do
 *     not contain (proxy thread post, CTS wait, completion poll; network.md 2.4);
 *   - bandwidth_efficiency: achievable per-NIC bandwidth / line rate;
 *   - channels_per_nic: NCCL runtime channels per NIC (network.md 1.5);
 *   - protocols, algorithms: what the network's recommended NCCL profile allows (NCCL_PROTO,
 *     NCCL_ALGO) for collectives that cross nodes;
 *   - min_channels, max_channels: the profile's NCCL_MIN_NCHANNELS / NCCL_MAX_NCHANNELS (0 =
 *     unset): NCCL caps its channel count at the max and replicates channels up to the min
 *     (N src/graph/connect.cc ncclTopoPostset), and the collective model spreads a ring's or
 *     tree's traffic over the NICs its channels use (model.c coll_net_channel_factor);
 *   - pxn: NCCL's PXN for point-to-point (NCCL_P2P_PXN_LEVEL, default 2 = "use PXN as much as
 *     possible", N src/graph/search.cc; NCCL_PXN_DISABLE=1 turns it off, src/graph/paths.cc:668):
 *     a send to a GPU of local index j on another node goes over NVLink to the sender's node's
 *     GPU j and leaves through that GPU's NIC, staying on rail j (engine_traffic.c). NCCL's
 *     default everywhere except where a profile turns it off (TCPX: NCCL_P2P_PXN_LEVEL=0).
 *   - gpu_nic_path: the PCIe path from a GPU to its NIC in the servers the kind describes (PIX,
 *     PXB, PXN, PHB, SYS; parsim/platform.h). It decides NCCL's default for LL128 across nodes
 *     (ps_network_ll128_by_default below); each kind's value names its source (a vendor topology
 *     file or a published `nvidia-smi topo -m`), ASSUMPTION where none was found.
 * Not a kind's figure but the fabric's: whether the InfiniBand switches reduce in the network
 * (SHARP; `parsim platform --sharp`, zone property network_sharp, platform_load.c), off unless
 * the file says so.
 * Source keys as in network.md: N = NVIDIA/nccl @ 5067397c, A = aws/aws-ofi-nccl @ 2daf7d30,
 * GX = google/nccl-plugin-gpudirecttcpx @ 4b8ea7f2, GO = google/nccl-plugin-gpudirect-tcpxo @
 * 04815d1b. A figure marked ASSUMPTION has no primary source; docs/platforms.md lists them.
 *
 * Invariant: the table is constant; "generic" is entry 0 and reproduces the link latencies and
 * (zero) extra costs of the files parsim wrote before network kinds existed.
 */
#include <stdio.h>
#include <string.h>

#include "parsim/platform.h"

static const ps_network_kind kinds[] = {
    /* generic: NCCL's own model and no more. NIC 1.5 us per side (3 us same-rail GPU to GPU;
     * NCCL charges 2.7 us for a Ring LL network step), leaf -> spine 0.5 us per side: the
     * generator's historical ASSUMPTIONS (docs/platforms.md). No plugin latency (NCCL's built-in
     * IB, N net_ib/init.cc:558), no extra proxy cost, the coll model's own efficiency, 2 channels
     * per NIC (DERIVED from N search.cc:1036-1058 + connect.cc:459, network.md 1.5). */
    {"generic", "no network named: NCCL's own constants, no plugin or proxy cost added",
     400, 1.5, 0.5, 0, 0, 1.0, 2, PS_NET_PROTO_ALL, PS_NET_ALGO_ALL, 0, 0, 1, PS_GPU_NIC_PIX,
     "nic/switch latency 1.5 / 0.5 us per side: ASSUMPTION, the generator's historical links (docs/platforms.md)\n"
     "plugin latency 0: NCCL's built-in IB plugin (nccl src/transport/net_ib/init.cc:558, 'Not set')\n"
     "proxy step 0, efficiency 1: NCCL's own constants, no extra host cost\n"
     "2 channels per NIC: DERIVED from nccl src/graph/search.cc:1036-1058 + connect.cc:459\n"
     "PXN on, no channel limits: NCCL's defaults (NCCL_P2P_PXN_LEVEL=2)\n"
     "GPU-NIC path PIX: ASSUMPTION (the DGX/HGX H100 design, one NIC per GPU on its PCIe switch), LL128 on\n"},
    /* InfiniBand NDR: 8 x single-port ConnectX-7 400 Gb/s, one per GPU (DGX H100 user guide,
     * hardware.md 3.4), Quantum-2 rail-optimised fat tree. NIC 1.5 us per side: Mellanox quotes
     * 3-4 us GPU-to-GPU with GPUDirect RDMA (2019 deck, network.md 4.1), ASSUMPTION for the split.
     * Quantum-2 port-to-port: secondary sources say 150-400 ns (network.md 4.1), 0.3 us
     * UNVERIFIED. Plugin latency 0 (net_ib "Not set", N net_ib/init.cc:558).
     * Both fitted on Voltage Park's 4 x 8 H100 InfiniBand all_reduce, 8 B - 8 GiB, NCCL 2.24.3
     * (github.com/ZiyanIshani/vpbenchmarking, docs/data/multinode.md), least squares on log time:
     * - efficiency 0.83: FITTED on its 5 sizes 512 MiB - 8 GiB (ring/Simple, bandwidth > 90 % of
     *   the time; grid of 0.01: rms log error 0.0254 / 0.0227 / 0.0256 at 0.82 / 0.83 / 0.84),
     *   i.e. 41.5 GB/s per NIC, which is also what the same cluster's held-out all_gather reaches
     *   at 1-8 GiB (41 GB/s per NIC). It was 47/50 from a maintainer's expectation, "For NDR @
     *   400Gbps you should see 46-48GB/s per NIC" (nccl-tests#290), which left this all_reduce
     *   10-14 % fast from 512 MiB; no measured curve at that figure was found.
     * - proxy step 1.0 us: FITTED on all 31 sizes (grid of 0.5 us, with the efficiency above and
     *   NCCL's LL cap across nodes, model.c coll_ll_net_cap_gbps: rms log error 0.1712 / 0.1608 /
     *   0.1679 / 0.1840 at 0.5 / 1 / 1.5 / 2 us; 1.5 us before both). Its 37-40 us at 8 B - 1 KiB
     *   is NCCL's own Tree/LL model (35.2 us at 4 nodes, ../shared/notes/network.md 1.4) within
     *   10 %, so a bare-metal InfiniBand cluster adds little host cost to NCCL's hwLat[NET]; the
     *   17 us fitted on nccl#1453 (roce) gave +170 % there.
     * Held out: the same cluster's all_gather and the Nebius 2 x 8 curve. */
    {"ib-ndr", "InfiniBand NDR: 1x ConnectX-7 400 Gb/s per GPU, Quantum-2 rail-optimised fat tree",
     400, 1.5, 0.3, 0, 1.0, 0.83, 2, PS_NET_PROTO_ALL, PS_NET_ALGO_ALL, 0, 0, 1, PS_GPU_NIC_PIX,
     "400 Gb/s per GPU: DGX H100 user guide (8 x ConnectX-7, one per GPU)\n"
     "NIC 1.5 us per side: ASSUMPTION within Mellanox's 3-4 us GPU-to-GPU with GPUDirect RDMA\n"
     "switch 0.3 us: UNVERIFIED, Quantum-2 150-400 ns in secondary sources\n"
     "plugin latency 0: net_ib 'Not set' (nccl net_ib/init.cc:558)\n"
     "proxy step 1.0 us: FITTED on Voltage Park 4 x 8 H100 all_reduce (NCCL 2.24.3, docs/data/multinode.md)\n"
     "efficiency 0.83: FITTED on the same all_reduce at 512 MiB - 8 GiB (41.5 GB/s per NIC)\n"
     "2 channels per NIC, PXN on: NCCL's defaults\n"
     "GPU-NIC path PIX: HGX H100 nvidia-smi topo -m, GPU i - NIC i PIX (nccl#1264), LL128 on\n"},
    /* RoCE v2: the same ConnectX-7 400GbE NIC and NCCL's same net_ib code and constants (N
     * net_ib/connect.cc:12-21); adaptive routing off by default on Ethernet (init.cc:439-442).
     * Ethernet switch hop 0.5 us: ASSUMPTION (no vendor figure found). Efficiency 0.94:
     * the maintainer's 46-48 GB/s per NIC, nccl-tests#290, which speaks of "IB/RoCE" (ib-ndr's
     * own figure is now fitted on a measured InfiniBand curve, 0.83; no RoCE curve at line rate
     * was found to fit roce's). Proxy step 17 us: FITTED (least squares on log time,
     * grid of 1 us) on the 3 x 8 H100 all_reduce points of nccl#1453 (61.6 us at 128 B, 75.4 us
     * at 4 KiB; tests/platform/multinode, docs/data/multinode.md), a RoCE cluster (INFERRED:
     * NCCL_IB_GID_INDEX=3 and NCCL_IB_ADAPTIVE_ROUTING=1 are RoCE v2 settings, top-of-rack
     * switches, 2 x 200 Gb ports per ConnectX-7, VMs) in the slow 3-node configuration that
     * issue is about, so the figure may be high (bare-metal InfiniBand fits 1.0 us, ib-ndr).
     * No held-out RoCE curve was found (docs/data/multinode.md "Not found"). */
    {"roce", "RoCE v2: 1x ConnectX-7 400GbE per GPU, Ethernet rail-optimised fabric",
     400, 1.5, 0.5, 0, 17, 0.94, 2, PS_NET_PROTO_ALL, PS_NET_ALGO_ALL, 0, 0, 1, PS_GPU_NIC_PIX,
     "400 Gb/s ConnectX-7, NIC latency: as ib-ndr (same NIC and net_ib code)\n"
     "switch 0.5 us: ASSUMPTION (no vendor figure)\n"
     "plugin latency 0: net_ib\n"
     "proxy step 17 us: FITTED on nccl#1453 (3 x 8 H100 RoCE VMs, a slow configuration)\n"
     "efficiency 0.94: '46-48GB/s per NIC' for 'IB/RoCE' (NCCL maintainer, nccl-tests#290)\n"
     "2 channels per NIC, PXN on: NCCL's defaults\n"
     "GPU-NIC path PIX: nccl#2409's 2 x 8 H100 RoCE nodes (GPU i - NIC i PIX), LL128 on\n"},
    /* AWS EFA on p5 / p5e (H100 / H200): 32 EFA cards, 3,200 Gb/s per instance, i.e. 4 x 100
     * Gb/s per GPU (docs.aws.amazon.com p5-efa.html); aws-ofi-nccl groups a GPU's rails into one
     * NCCL device. Plugin latency 75 us on p5/p5e (A src/platform-aws.cpp:771-785). Proxy step
     * 15 us = AWS's own cost model, 20 us per inter-node step (A src/tuner/nccl_ofi_model.cpp:14-65),
     * minus NCCL's Tree LL hwLat[NET] 5.0 us that the coll model already charges. NIC and switch
     * latencies: ASSUMPTION (as generic; SRD publishes no one-way figure). Efficiency 0.9:
     * ASSUMPTION until fitted. PXN: NCCL's default (aws-ofi-nccl @2daf7d30 sets no PXN
     * variable; NCCL turns PXN off only for v4 net plugins, N src/graph/paths.cc:668-686). */
    {"efa-p5", "AWS EFA (p5/p5e): 4x 100 Gb/s EFA rails per GPU, SRD, aws-ofi-nccl",
     400, 1.5, 0.5, 75, 15, 0.9, 2, PS_NET_PROTO_ALL, PS_NET_ALGO_ALL, 0, 0, 1, PS_GPU_NIC_PIX,
     "4 x 100 Gb/s EFA per GPU: docs.aws.amazon.com p5-efa.html (32 EFA cards, 3,200 Gb/s)\n"
     "NIC/switch latency: ASSUMPTION (as generic; SRD publishes no one-way figure)\n"
     "plugin latency 75 us: aws-ofi-nccl src/platform-aws.cpp:771-785 (p5/p5e)\n"
     "proxy step 15 us: AWS's tuner model, 20 us per inter-node step (aws-ofi-nccl src/tuner/nccl_ofi_model.cpp) - NCCL's 5.0\n"
     "efficiency 0.9: ASSUMPTION\n"
     "2 channels per NIC, PXN on: NCCL's defaults (aws-ofi-nccl sets no PXN variable)\n"
     "GPU-NIC path PIX: aws-ofi-nccl topology/p5.48xl-topo.xml (each GPU and its 4 EFA under one PCIe switch), LL128 on\n"},
    /* AWS EFA on p5en (H200): 2 x 200 Gb/s rails per GPU (A nccl_ofi_model.cpp:29-40); plugin
     * latency 35 us (A platform-aws.cpp:150-172); AWS model 18 us per step, minus 5.0 -> 13. */
    {"efa-p5en", "AWS EFA (p5en): 2x 200 Gb/s EFA rails per GPU, SRD, aws-ofi-nccl",
     400, 1.5, 0.5, 35, 13, 0.9, 2, PS_NET_PROTO_ALL, PS_NET_ALGO_ALL, 0, 0, 1, PS_GPU_NIC_PIX,
     "2 x 200 Gb/s EFA per GPU: aws-ofi-nccl src/tuner/nccl_ofi_model.cpp:29-40\n"
     "plugin latency 35 us: aws-ofi-nccl src/platform-aws.cpp:150-172\n"
     "proxy step 13 us: AWS's model 18 us - NCCL's 5.0\n"
     "NIC/switch latency, efficiency 0.9: ASSUMPTION; channels, PXN: NCCL's defaults\n"
     "GPU-NIC path PIX: ASSUMPTION (as p5; aws-ofi-nccl ships no p5en topology file), LL128 on\n"},
    /* GCP A3 High, GPUDirect-TCPX: 4 GPU NICs of 200 Gb/s for 8 GPUs (GX README "4-NIC"; A3 IPU
     * NICs at 200 Gb/s), so 100 Gb/s per GPU (INFERRED). Plugin latency 0 (GX net_tcpx.cc:737).
     * Google's TCPX profile (GoogleCloudPlatform/ai-infra-cluster-provisioning
     * sample_workloads/nccltest/gke/values.yaml @09e13863, plugin v3.1.9 on NCCL 2.19.4) sets
     * NCCL_ALGO=Ring, NCCL_PROTO=Simple and NCCL_MIN_NCHANNELS = NCCL_MAX_NCHANNELS = 12, i.e. 3
     * channels per NIC. Proxy step: tcpxo's fitted 47 us, BORROWED; efficiency 0.9 ASSUMPTION
     * (Google's sample 2-node all_reduce in the same repository, held out, reaches 47.8 GB/s algbw
     * at 8 GiB: a ring across 2 nodes moves 2(n-1)/n x S/8 per NIC, 0.96 of 4 x 25 GB/s).
     * Channels 12 / 12 and PXN off (NCCL_P2P_PXN_LEVEL=0): the same profile. */
    {"tcpx", "GCP A3 High GPUDirect-TCPX: 4x 200 Gb/s NICs for 8 GPUs (100 Gb/s per GPU)",
     100, 1.5, 0.5, 0, 47, 0.9, 3, PS_NET_PROTO_SIMPLE, PS_NET_ALGO_RING, 12, 12, 0, PS_GPU_NIC_PXB,
     "100 Gb/s per GPU: INFERRED, 4 x 200 Gb/s GPU NICs for 8 GPUs (plugin README; GCP A3 page)\n"
     "plugin latency 0: google/nccl-plugin-gpudirecttcpx src/net_tcpx.cc:737\n"
     "proxy step 47 us: BORROWED from tcpxo\n"
     "efficiency 0.9: ASSUMPTION\n"
     "Simple, Ring, 12 / 12 channels, PXN off: Google's profile (ai-infra-cluster-provisioning nccltest/gke/values.yaml)\n"
     "GPU-NIC path PXB: ASSUMPTION (no published topology; moot: the profile sets NCCL_PROTO=Simple)\n"},
    /* GCP A3 Mega, GPUDirect-TCPXO (FasTrak): 8 GPU NICs + 1 host NIC, 1,800 Gb/s total, so
     * 200 Gb/s per GPU (INFERRED, cloud.google.com gpu-network-bandwidth). Plugin latency 0 (GO
     * nccl_shim.cc:966). Google's profile sets NCCL_PROTO=Simple,LL128: no LL (GO
     * tcpxo_scripts/nccl-env-profile.sh). Proxy step 47 us: FITTED (least squares on log time,
     * grid of 1 us) on the 2 x a3-megagpu-8g all_reduce curve, 8 B - 8 GiB (ztan-NCCL-test-result,
     * docs/data/multinode.md); the TCPXO all_gather curve decided that rings pay it in the latency
     * only (model.c coll_fill_s), so it is not held out. Efficiency 0.9 of line rate:
     * the same all_reduce's 181 GB/s algbw at 8 GiB over 8 x 25 GB/s (it is also in that fit).
     * Min channels 4: NCCL_MIN_NCHANNELS=4 in the same profile (no max, PXN not set: NCCL's). */
    {"tcpxo", "GCP A3 Mega GPUDirect-TCPXO: 8x 200 Gb/s NICs, one per GPU, no LL protocol",
     200, 1.5, 0.5, 0, 47, 0.9, 2, PS_NET_PROTO_LL128 | PS_NET_PROTO_SIMPLE, PS_NET_ALGO_ALL, 4, 0, 1,
     PS_GPU_NIC_PXB,
     "200 Gb/s per GPU: INFERRED, 8 GPU NICs + 1 host NIC (cloud.google.com gpu-network-bandwidth)\n"
     "plugin latency 0: google/nccl-plugin-gpudirect-tcpxo nccl_shim.cc:966\n"
     "proxy step 47 us: FITTED on a 2 x a3-megagpu-8g all_reduce (docs/data/multinode.md)\n"
     "efficiency 0.9: 181 of 200 GB/s at 8 GiB on the same curve\n"
     "LL128 and Simple only, min 4 channels: Google's nccl-env-profile.sh; PXN: NCCL's default\n"
     "GPU-NIC path PXB: ASSUMPTION (no published topology; moot: NCCL_PROTO=Simple,LL128 forces LL128 on)\n"},
};

int ps_network_kind_count(void) { return (int)(sizeof kinds / sizeof kinds[0]); }

const ps_network_kind *ps_network_kind_at(int index)
{
    if (index < 0 || index >= ps_network_kind_count())
        return NULL;
    return &kinds[index];
}

const ps_network_kind *ps_network_kind_find(const char *name)
{
    for (int i = 0; name && i < ps_network_kind_count(); i++)
        if (!strcmp(kinds[i].name, name))
            return &kinds[i];
    return NULL;
}

typedef struct name_bit {
    const char *name;
    unsigned bit;
} name_bit;

static const name_bit proto_bits[] = {
    {"LL", PS_NET_PROTO_LL}, {"LL128", PS_NET_PROTO_LL128}, {"Simple", PS_NET_PROTO_SIMPLE}};
/* NCCL_ALGO's spellings of the algorithms a network profile can restrict. */
static const name_bit algo_bits[] = {
    {"Ring", PS_NET_ALGO_RING}, {"Tree", PS_NET_ALGO_TREE}, {"NVLSTree", PS_NET_ALGO_NVLS_TREE}};

static void bits_format(const name_bit *names, size_t count, unsigned set, char *buf, size_t size)
{
    size_t used = 0;
    if (size)
        buf[0] = '\0';
    for (size_t i = 0; i < count; i++)
        if (set & names[i].bit) {
            int n = snprintf(buf + used, used < size ? size - used : 0, "%s%s", used ? "," : "",
                             names[i].name);
            used += n > 0 ? (size_t)n : 0;
        }
}

/* "A,B,..." of the names in any order, each once, case-sensitive, no empty item. */
static int bits_parse(const name_bit *names, size_t count, const char *text, unsigned *out)
{
    unsigned set = 0;
    const char *p = text;
    if (!p || !*p)
        return PS_EINPUT;
    while (*p) {
        size_t len = strcspn(p, ",");
        unsigned bit = 0;
        for (size_t i = 0; i < count; i++)
            if (strlen(names[i].name) == len && !strncmp(p, names[i].name, len))
                bit = names[i].bit;
        if (!bit || (set & bit))
            return PS_EINPUT;
        set |= bit;
        p += len;
        if (*p == ',' && !*++p)
            return PS_EINPUT; /* trailing comma */
    }
    *out = set;
    return PS_OK;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

void ps_network_protocols_format(unsigned protocols, char *buf, size_t size)
{
    bits_format(proto_bits, COUNT(proto_bits), protocols, buf, size);
}

int ps_network_protocols_parse(const char *text, unsigned *out)
{
    return bits_parse(proto_bits, COUNT(proto_bits), text, out);
}

void ps_network_algorithms_format(unsigned algorithms, char *buf, size_t size)
{
    bits_format(algo_bits, COUNT(algo_bits), algorithms, buf, size);
}

int ps_network_algorithms_parse(const char *text, unsigned *out)
{
    return bits_parse(algo_bits, COUNT(algo_bits), text, out);
}

/* ---- GPU-NIC path and NCCL's LL128 default ----------------------------------------------------
 * NCCL enables every protocol by default except LL128, which it enables (protoEnable 2 -> 1) per
 * algorithm graph only when the graph's GPU-NIC path (typeInter) is short enough, the intra-node
 * path (typeIntra) is NVLink (<= NVB) and all GPUs have one compute capability. The inter-node
 * part, as NVIDIA/nccl src/graph/tuning.cc ncclTopoTuneModel writes it:
 *   v2.12.12-1 (l.195):      typeInter <= PXB, and only sm70 / sm80 (so never on Hopper);
 *   v2.16.5-1  (l.231):      typeInter <= PXB;
 *   v2.17.1-1 .. v2.26.6-1:  typeInter <= PXB || (minCompCap >= 90 && typeInter <= PXN)
 *                            (v2.18.5-1 l.285, v2.24.3-1 @6aae3792 l.420-424, v2.26.6-1 l.429);
 *   v2.27.3-1 @72d24320 (l.460): the sm90 bound is P2C when NCCL_LL128_C2C=1 (its default, l.211),
 *                            i.e. PXN paths lose LL128 in that one release;
 *   v2.27.5-1 .. v2.30.7-1:  NCCL_LL128_C2C (default 1) && minCompCap >= 90: typeInter <= PXN,
 *                            else typeInter <= PXB (v2.29.2-1 @ebd1e929 l.480-491).
 * So for the releases parsim's data comes from (2.18 - 2.31) the rule is one: PIX / PXB always,
 * PXN from sm90 (Hopper, Blackwell), never PHB / SYS. (C2C and P2C, the Grace paths of 2.27+,
 * are not among parsim's path names: no shipped platform has a Grace-attached NIC.) When
 * NCCL_PROTO is set the rule does not apply (protoEnable is 1 for every protocol it lists):
 * tcpxo's profile lists LL128 and so runs it on any path. The intra-node typeIntra <= NVB part
 * is not modelled here (a PCIe-only node is single-node in every shipped preset). */
static const char *const path_names[PS_GPU_NIC_PATH_COUNT] = {"pix", "pxb", "pxn", "phb", "sys"};

const char *ps_gpu_nic_path_name(ps_gpu_nic_path path)
{
    return path >= 0 && path < PS_GPU_NIC_PATH_COUNT ? path_names[path] : "?";
}

int ps_gpu_nic_path_parse(const char *text, ps_gpu_nic_path *out)
{
    for (int i = 0; text && i < PS_GPU_NIC_PATH_COUNT; i++)
        if (!strcmp(text, path_names[i])) {
            *out = (ps_gpu_nic_path)i;
            return PS_OK;
        }
    return PS_EINPUT;
}

bool ps_network_ll128_by_default(ps_gpu_nic_path path, const char *architecture)
{
    /* Compute capability 9.0 and later: Hopper (sm90) and Blackwell (sm100) in the catalogue
     * (core/workload/gpu_catalog.c); Ampere is sm80. */
    bool sm90 = architecture && (!strcmp(architecture, "hopper") || !strcmp(architecture, "blackwell"));
    return path <= PS_GPU_NIC_PXB || (sm90 && path == PS_GPU_NIC_PXN);
}
