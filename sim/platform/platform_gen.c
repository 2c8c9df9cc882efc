/* sim/platform/platform_gen.c: writes SimGrid platform XML for parsim's GPU platforms.
 *
 * Every platform is ONE `routing="Full"` zone with explicit generated routes (Option 1 of
 * ../shared/notes/simgrid.md section 3c): a cluster of clusters would send inter-node traffic
 * through the GPU's NVLink port, and a SimGrid host can sit in one zone only, so per-GPU NICs
 * need explicit routes. What is modelled:
 *   - one host per GPU, named n<node>g<local>, speed = dense bf16 FLOP/s, with catalogue properties;
 *   - nvswitch: one SPLITDUPLEX port link per GPU (UP = GPU to switch, DOWN = switch to GPU); a pair
 *     route is [port_a UP, port_b DOWN], so the switch is a perfect non-blocking crossbar; plus one
 *     NVSwitch endpoint host n<node>sw per node reached through the GPU's own port (NVLS model:
 *     GPU->switch loads the UP port, switch->GPU the DOWN port; the switch side has no link, so
 *     the switch itself is never the bottleneck);
 *   - mesh: one private SPLITDUPLEX link per GPU pair of gpu_link / (gpus_per_node - 1);
 *   - pcie: per-GPU x16 links to PCIe switches (2 GPUs each), one x16 uplink per switch to its CPU
 *     root complex, a CPU-CPU socket link between the two halves;
 *   - several nodes: one NIC link per GPU (GPU-to-NIC 1:1, DGX H100 user guide), a rail-optimised
 *     fat tree: same-rail pairs cross only their rail leaf, other pairs also one uplink per rail
 *     to the spine (non-blocking: uplink = node_count x NIC).
 * Invariants: output depends only on the spec (byte-identical runs); numbers are written in the
 * shortest form that reads back to the same double; routes are declared once per unordered pair
 * (SimGrid derives the reverse route with UP and DOWN swapped).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "parsim/gpu.h"
#include "parsim/platform.h"
#include "parsim/util.h"

/* ---- Latency assumptions (seconds are written as integer ns) --------------------------------
 * No vendor publishes per-hop NVLink latency. p2pBandwidthLatencyTest measures 1.8-2.3 us
 * GPU-to-GPU write latency with P2P over NVLink (cuda-samples#230, hardware.md section 4), which
 * includes the CUDA software path. We model the wire/switch part as 0.5 us per port hop, 1 us
 * GPU -> NVSwitch -> GPU; the software part belongs to the collective model (NCCL base latency). */
enum {
    NVLINK_PORT_LATENCY_NS = 500,  /* GPU <-> NVSwitch, one hop (ASSUMPTION, see above) */
    MESH_LINK_LATENCY_NS = 1000,   /* direct GPU-GPU link: same 1 us end to end as through the
                                      switch, so the mesh/switch contrast is bandwidth only */
    /* PCIe: "PCIe ~2-5 us" (secondary, hardware.md section 4). Same-switch P2P 2 us, across the
     * root complex 2.5 us, across sockets 3 us (ASSUMPTION). */
    PCIE_GPU_LINK_LATENCY_NS = 1000,
    PCIE_UPLINK_LATENCY_NS = 250,
    CPU_SOCKET_LINK_LATENCY_NS = 500,
    /* NIC: GPU -> PCIe -> ConnectX-7 -> rail leaf, 1.5 us per side, 3 us same-rail GPU to GPU;
     * NCCL's own model charges 2.7 us network hardware latency for Ring LL (tuning.cc, hardware.md
     * section 4). Leaf -> spine 0.5 us per side, so cross-rail pairs are 4 us (ASSUMPTION). */
    NIC_LINK_LATENCY_NS = 1500,
    RAIL_UPLINK_LATENCY_NS = 500,
};

/* PCIe box layout (pcie8-h100): 2 GPUs per PCIe Gen5 switch, switches split over 2 CPU sockets.
 * This is the common layout of 8-GPU PCIe servers (e.g. 4 Broadcom PEX89104 switches, 2 per
 * socket); ASSUMPTION, stated in docs/platforms.md. Switch uplink: Gen5 x16 = 63 GB/s per
 * direction (hardware.md 3.4). Socket link: 4th-gen Xeon, 3 UPI 2.0 links at 16 GT/s, ~32 GB/s per
 * direction each = 96 GB/s (ASSUMPTION; Intel Xeon Scalable 4th gen product brief: "up to 4 UPI
 * links at 16 GT/s"). */
#define PCIE_GPUS_PER_SWITCH 2
#define PCIE_SWITCH_UPLINK_BYTES_PER_S 63e9
#define CPU_SOCKET_LINK_BYTES_PER_S 96e9

/* The NVSwitch endpoint host computes reductions (NVLS) at line rate: its speed is set so high
 * that an exec on it is never the bottleneck (1e18 FLOP/s, a modelling device, not hardware). */
#define SWITCH_HOST_FLOPS 1e18

#define PLATFORM_FORMAT_VERSION 1

/* ---- Presets -------------------------------------------------------------------------------- */
/* One preset: the fields every preset sets, by name, so that a field added to ps_platform_spec
 * (zero for every preset) needs no edit here. */
#define PRESET(NAME, GPU, NODES, GPUS_PER_NODE, FABRIC, NIC_BYTES_PER_S, SUMMARY, NETWORK)          \
    {.name = NAME, .gpu_model = GPU, .node_count = NODES, .gpus_per_node = GPUS_PER_NODE,          \
     .fabric = FABRIC, .nic_bytes_per_s = NIC_BYTES_PER_S, .summary = SUMMARY, .network = NETWORK}
static const ps_platform_spec presets[] = {
    PRESET("hgx-h100", "h100-sxm", 1, 8, PS_FABRIC_NVSWITCH, 0,
     "8x H100 SXM5, NVLink4 450 GB/s per direction per GPU into NVSwitch gen3 (NVLS)", NULL),
    PRESET("hgx-h200", "h200-sxm", 1, 8, PS_FABRIC_NVSWITCH, 0,
     "8x H200 SXM, NVLink4 450 GB/s per direction per GPU into NVSwitch gen3 (NVLS)", NULL),
    PRESET("mesh8-h200", "h200-sxm", 1, 8, PS_FABRIC_MESH, 0,
     "8x H200, switchless full mesh: one private 450/7 GB/s link per pair (MI300X-style)", NULL),
    PRESET("pcie8-h100", "h100-pcie", 1, 8, PS_FABRIC_PCIE, 0,
     "8x H100 PCIe, Gen5 x16 (63 GB/s), 2 GPUs per PCIe switch, 2 CPU sockets, no NVLink", NULL),
    PRESET("dgx-h100-x2", "h100-sxm", 2, 8, PS_FABRIC_NVSWITCH, PS_PLATFORM_DEFAULT_NIC_BYTES_PER_S,
     "2 DGX H100 nodes, NVSwitch inside, 1x 400 Gb/s NIC per GPU, rail-optimised fat tree", NULL),
    PRESET("dgx-h100-x4", "h100-sxm", 4, 8, PS_FABRIC_NVSWITCH, PS_PLATFORM_DEFAULT_NIC_BYTES_PER_S,
     "4 DGX H100 nodes, NVSwitch inside, 1x 400 Gb/s NIC per GPU, rail-optimised fat tree", NULL),
    PRESET("dgx-h100-x16", "h100-sxm", 16, 8, PS_FABRIC_NVSWITCH, PS_PLATFORM_DEFAULT_NIC_BYTES_PER_S,
     "16 DGX H100 nodes, NVSwitch inside, 1x 400 Gb/s NIC per GPU, rail-optimised fat tree", NULL),
    PRESET("hgx-b200", "b200", 1, 8, PS_FABRIC_NVSWITCH, 0,
     "8x B200, NVLink5 900 GB/s per direction per GPU into NVLink5 switches (NVLS)", NULL),
    PRESET("gb200-nvl72", "gb200", 1, 72, PS_FABRIC_NVSWITCH, 0,
     "72x GB200 GPUs in one NVLink5 domain (9 NVLink switch trays), 900 GB/s per GPU", NULL),
    /* Rented clusters: two 8-GPU nodes over each network kind (sim/platform/network.c has the
     * figures and sources; the NIC rate is the kind's per-GPU rate). */
    PRESET("hgx-h100-x2-ib", "h100-sxm", 2, 8, PS_FABRIC_NVSWITCH, 50e9,
     "2 HGX H100 nodes over InfiniBand NDR: 1x ConnectX-7 400 Gb/s per GPU, Quantum-2 (Azure ND H100 v5 style)",
     "ib-ndr"),
    PRESET("hgx-h100-x2-roce", "h100-sxm", 2, 8, PS_FABRIC_NVSWITCH, 50e9,
     "2 HGX H100 nodes over RoCE v2: 1x ConnectX-7 400GbE per GPU, Ethernet rail fabric", "roce"),
    PRESET("aws-p5-x2", "h100-sxm", 2, 8, PS_FABRIC_NVSWITCH, 50e9,
     "2 AWS p5.48xlarge (8x H100) over EFA: 32x 100 Gb/s EFA per instance, 4 rails per GPU",
     "efa-p5"),
    PRESET("aws-p5en-x2", "h200-sxm", 2, 8, PS_FABRIC_NVSWITCH, 50e9,
     "2 AWS p5en.48xlarge (8x H200) over EFA: 16x 200 Gb/s EFA per instance, 2 rails per GPU",
     "efa-p5en"),
    PRESET("gcp-a3-mega-x2", "h100-sxm", 2, 8, PS_FABRIC_NVSWITCH, 25e9,
     "2 GCP a3-megagpu-8g (8x H100) over GPUDirect-TCPXO: 8x 200 Gb/s GPU NICs", "tcpxo"),
    PRESET("gcp-a3-high-x2", "h100-sxm", 2, 8, PS_FABRIC_NVSWITCH, 12.5e9,
     "2 GCP a3-highgpu-8g (8x H100) over GPUDirect-TCPX: 4x 200 Gb/s NICs, 100 Gb/s per GPU", "tcpx"),
};

int ps_platform_preset_count(void) { return (int)(sizeof presets / sizeof presets[0]); }

const ps_platform_spec *ps_platform_preset_at(int index)
{
    if (index < 0 || index >= ps_platform_preset_count())
        return NULL;
    return &presets[index];
}

const ps_platform_spec *ps_platform_preset_find(const char *name)
{
    for (int i = 0; name && i < ps_platform_preset_count(); i++)
        if (!strcmp(presets[i].name, name))
            return &presets[i];
    return NULL;
}

const char *ps_fabric_name(ps_fabric kind)
{
    switch (kind) {
    case PS_FABRIC_NVSWITCH: return "nvswitch";
    case PS_FABRIC_MESH: return "mesh";
    case PS_FABRIC_PCIE: return "pcie";
    case PS_FABRIC_COUNT: break;
    }
    return "unknown";
}

const char *ps_fabric_summary(ps_fabric kind)
{
    switch (kind) {
    case PS_FABRIC_NVSWITCH: return "non-blocking switch";
    case PS_FABRIC_MESH: return "one link per pair";
    case PS_FABRIC_PCIE: return "PCIe switches and CPU sockets, no NVLink";
    case PS_FABRIC_COUNT: break;
    }
    return "unknown";
}

int ps_fabric_parse(const char *text, ps_fabric *out)
{
    for (int i = 0; text && i < PS_FABRIC_COUNT; i++)
        if (!strcmp(text, ps_fabric_name((ps_fabric)i))) {
            *out = (ps_fabric)i;
            return PS_OK;
        }
    return PS_EINPUT;
}

int ps_platform_spec_check(const ps_platform_spec *spec, ps_error *err)
{
    const ps_gpu_spec *gpu = ps_gpu_find(spec->gpu_model);
    if (!gpu)
        return ps_error_set(err, PS_EINPUT, "unknown GPU model '%s' (see parsim platform --help)",
                            spec->gpu_model ? spec->gpu_model : "");
    if (spec->node_count < 1 || spec->gpus_per_node < 1)
        return ps_error_set(err, PS_EINPUT, "nodes and GPUs per node must be at least 1");
    if ((long)spec->node_count * spec->gpus_per_node > PS_PLATFORM_MAX_GPUS)
        return ps_error_set(err, PS_EINPUT, "%d nodes x %d GPUs is more than %d GPUs (Full routing "
                            "stores every pair)", spec->node_count, spec->gpus_per_node,
                            PS_PLATFORM_MAX_GPUS);
    if (spec->fabric != PS_FABRIC_PCIE && gpu->nvlink_generation == 0)
        return ps_error_set(err, PS_EINPUT, "%s has no NVLink: use --fabric pcie", gpu->name);
    if (spec->node_count > 1 && !(spec->nic_bytes_per_s > 0))
        return ps_error_set(err, PS_EINPUT, "a multi-node platform needs a NIC bandwidth > 0");
    if (spec->network && !ps_network_kind_find(spec->network))
        return ps_error_set(err, PS_EINPUT, "unknown network kind '%s' (see parsim platform "
                            "--list-networks)", spec->network);
    /* 0 = the kind's; 1 s is a typo guard far above any NIC (EFA's plugin figure is 75 us). */
    if (!(spec->nic_latency_us >= 0) || spec->nic_latency_us > 1e6)
        return ps_error_set(err, PS_EINPUT, "NIC latency must be >= 0 and at most 1e6 us");
    ps_gpu_nic_path path;
    if (spec->gpu_nic_path && ps_gpu_nic_path_parse(spec->gpu_nic_path, &path))
        return ps_error_set(err, PS_EINPUT, "GPU-NIC path '%s': expected pix, pxb, pxn, phb or sys",
                            spec->gpu_nic_path);
    int nccl_version;
    if (spec->nccl_version && ps_nccl_version_parse(spec->nccl_version, &nccl_version))
        return ps_error_set(err, PS_EINPUT, "NCCL version '%.64s': expected 2.MINOR[.PATCH], 2.17.1 "
                            "or later (NVLS's first release)", spec->nccl_version);
    return PS_OK;
}

/* ---- XML writing ---------------------------------------------------------------------------- */

/* Shortest %g form that reads back to the same double, so files are compact and exact. */
static void fmt_num(char *buf, size_t size, double v)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

typedef struct gen {
    FILE *out;
    const ps_platform_spec *spec;
    const ps_gpu_spec *gpu;
    double gpu_link_bytes_per_s; /* per GPU per direction: NVLink total or PCIe x16 */
    const ps_network_kind *network; /* NULL: no network named (generic link latencies) */
    double nic_latency_ns;          /* the nic_* links */
    double rail_uplink_latency_ns;  /* the rail*_up links */
} gen;

static void put_link(gen *g, const char *id, double bytes_per_s, double latency_ns, const char *why)
{
    char bw[40], lat[40];
    fmt_num(bw, sizeof bw, bytes_per_s / 1e9);
    if (latency_ns == (double)(long long)latency_ns) /* whole ns as an integer, as always */
        snprintf(lat, sizeof lat, "%lld", (long long)latency_ns);
    else
        fmt_num(lat, sizeof lat, latency_ns);
    fprintf(g->out, "    <link id=\"%s\" bandwidth=\"%sGBps\" latency=\"%sns\" "
                    "sharing_policy=\"SPLITDUPLEX\"/>%s%s%s\n",
            id, bw, lat, why ? "  <!-- " : "", why ? why : "", why ? " -->" : "");
}

static void put_prop(gen *g, const char *indent, const char *id, double value)
{
    char v[40];
    fmt_num(v, sizeof v, value);
    fprintf(g->out, "%s<prop id=\"%s\" value=\"%s\"/>\n", indent, id, v);
}

static void put_header(gen *g)
{
    const ps_platform_spec *s = g->spec;
    fprintf(g->out, "<?xml version='1.0'?>\n"
                    "<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n");
    if (s->name)
        fprintf(g->out, "<!-- parsim platform '%s': %s.\n     Generated by `parsim platform --preset %s`.",
                s->name, s->summary, s->name);
    else {
        char extra[96] = "", lat[40];
        fmt_num(lat, sizeof lat, s->nic_latency_us);
        snprintf(extra, sizeof extra, "%s%s%s%s", s->network ? " --network " : "",
                 s->network ? s->network : "", s->nic_latency_us > 0 ? " --nic-latency-us " : "",
                 s->nic_latency_us > 0 ? lat : "");
        fprintf(g->out, "<!-- parsim platform: %d node(s) x %d %s, fabric %s.\n"
                        "     Generated by `parsim platform --gpu %s --gpus-per-node %d --nodes %d "
                        "--fabric %s%s`.",
                s->node_count, s->gpus_per_node, g->gpu->name, ps_fabric_name(s->fabric),
                g->gpu->name, s->gpus_per_node, s->node_count, ps_fabric_name(s->fabric), extra);
    }
    fprintf(g->out,
            " You may edit it: properties written here win over\n"
            "     parsim's GPU catalogue. Hosts n<node>g<local> are the GPUs (rank = node * "
            "gpus_per_node + local),\n"
            "     n<node>sw the NVSwitch endpoint of a node (NVLS). Figures and sources: "
            "docs/platforms.md. -->\n"
            "<platform version=\"4.1\">\n"
            "  <!-- Exact flows: SimGrid's default TCP model multiplies latency by 13, caps flows by a\n"
            "       TCP window and steals bandwidth for ACKs. ptask_L07 + TCP-gamma 0 gives time =\n"
            "       sum(latency) + bytes / bottleneck and max-min sharing that does not depend on\n"
            "       latency (../shared/notes/simgrid.md sections 0, 2.4). parsim's loader sets the same. -->\n"
            "  <config>\n"
            "    <prop id=\"host/model\" value=\"ptask_L07\"/>\n"
            "    <prop id=\"network/TCP-gamma\" value=\"0\"/>\n"
            "    <prop id=\"network/crosstraffic\" value=\"0\"/>\n"
            "  </config>\n"
            "  <zone id=\"world\" routing=\"Full\">\n");
}

/* The network kind's figures as zone properties (the loader reads them back; a user may edit
 * them). Written only when a kind was named, so files from before network kinds are unchanged. */
static void put_network_props(gen *g)
{
    const ps_network_kind *k = g->network;
    const char *in = "    ";
    char protos[32];
    if (!k || g->spec->node_count < 2)
        return;
    fprintf(g->out, "%s<!-- Network '%s': %s. Figures and their sources:\n"
                    "%s     sim/platform/network.c, docs/platforms.md. The nic_* and rail*_up link "
                    "latencies below are\n%s     network_nic_latency_us and "
                    "network_switch_latency_us. -->\n", in, k->name, k->summary, in, in);
    fprintf(g->out, "%s<prop id=\"network\" value=\"%s\"/>\n", in, k->name);
    put_prop(g, in, "network_nic_latency_us", g->nic_latency_ns / 1e3);
    put_prop(g, in, "network_switch_latency_us", k->switch_latency_us);
    put_prop(g, in, "network_plugin_latency_us", k->plugin_latency_us);
    put_prop(g, in, "network_proxy_step_us", k->proxy_step_us);
    put_prop(g, in, "network_bandwidth_efficiency", k->bandwidth_efficiency);
    fprintf(g->out, "%s<prop id=\"network_channels_per_nic\" value=\"%d\"/>\n", in, k->channels_per_nic);
    ps_network_protocols_format(k->protocols, protos, sizeof protos);
    fprintf(g->out, "%s<prop id=\"network_protocols\" value=\"%s\"/>\n", in, protos);
    ps_network_algorithms_format(k->algorithms, protos, sizeof protos);
    fprintf(g->out, "%s<prop id=\"network_algorithms\" value=\"%s\"/>\n", in, protos);
    fprintf(g->out, "%s<prop id=\"network_min_channels\" value=\"%d\"/>\n", in, k->min_channels);
    fprintf(g->out, "%s<prop id=\"network_max_channels\" value=\"%d\"/>\n", in, k->max_channels);
    fprintf(g->out, "%s<prop id=\"network_pxn\" value=\"%d\"/>\n", in, k->pxn);
    /* The spec's path was checked by ps_platform_spec_check; the kind's when none is given. */
    ps_gpu_nic_path path = k->gpu_nic_path;
    if (g->spec->gpu_nic_path)
        ps_gpu_nic_path_parse(g->spec->gpu_nic_path, &path);
    fprintf(g->out, "%s<prop id=\"network_gpu_nic_path\" value=\"%s\"/>\n", in,
            ps_gpu_nic_path_name(path));
    /* SHARP in the switches (--sharp): written only when on, so the other files are as before. */
    if (g->spec->sharp)
        fprintf(g->out, "%s<prop id=\"network_sharp\" value=\"1\"/>\n", in);
}

static void put_zone_props(gen *g)
{
    const ps_platform_spec *s = g->spec;
    const ps_gpu_spec *gpu = g->gpu;
    bool nvlink = s->fabric != PS_FABRIC_PCIE;
    /* NVLS needs NVSwitch gen3 or later (NVLink4 and later), hardware.md 3.3. */
    bool nvls = s->fabric == PS_FABRIC_NVSWITCH && gpu->nvlink_generation >= 4;
    /* A mesh GPU has one logical link per peer (MI300X: 7 xGMI links, hardware.md 3.6). */
    int links = !nvlink ? 0 : s->fabric == PS_FABRIC_MESH ? s->gpus_per_node - 1 : gpu->nvlink_links;
    const char *in = "    ";
    fprintf(g->out, "%s<prop id=\"parsim_platform_version\" value=\"%d\"/>\n", in, PLATFORM_FORMAT_VERSION);
    if (s->name)
        fprintf(g->out, "%s<prop id=\"parsim_preset\" value=\"%s\"/>\n", in, s->name);
    fprintf(g->out, "%s<prop id=\"fabric\" value=\"%s\"/>\n", in, ps_fabric_name(s->fabric));
    fprintf(g->out, "%s<prop id=\"gpu_model\" value=\"%s\"/>\n", in, gpu->name);
    fprintf(g->out, "%s<prop id=\"nodes\" value=\"%d\"/>\n", in, s->node_count);
    fprintf(g->out, "%s<prop id=\"gpus_per_node\" value=\"%d\"/>\n", in, s->gpus_per_node);
    fprintf(g->out, "%s<prop id=\"nvls\" value=\"%d\"/>\n", in, nvls ? 1 : 0);
    fprintf(g->out, "%s<prop id=\"nvlink_generation\" value=\"%d\"/>\n", in,
            nvlink ? gpu->nvlink_generation : 0);
    fprintf(g->out, "%s<prop id=\"nvlink_links_per_gpu\" value=\"%d\"/>\n", in, links);
    put_prop(g, in, "gpu_link_bytes_per_s", g->gpu_link_bytes_per_s);
    put_prop(g, in, "nic_bytes_per_s", s->node_count > 1 ? s->nic_bytes_per_s : 0);
    /* Written only when named, so every other file is as before; spelled in full (2.18 ->
     * 2.18.0), as the loader and --describe print it. */
    int nccl_version;
    if (s->nccl_version && !ps_nccl_version_parse(s->nccl_version, &nccl_version)) {
        char text[32];
        ps_nccl_version_format(nccl_version, text, sizeof text);
        fprintf(g->out, "%s<prop id=\"nccl_version\" value=\"%s\"/>\n", in, text);
    }
    put_network_props(g);
}

static void put_hosts(gen *g)
{
    const ps_platform_spec *s = g->spec;
    const ps_gpu_spec *gpu = g->gpu;
    char speed[40];
    fmt_num(speed, sizeof speed, gpu->peak_flops_bf16 / 1e12);
    fprintf(g->out, "    <!-- GPUs: %s (%s); speed = dense bf16 FLOP/s; figures from parsim's GPU\n"
                    "         catalogue (core/workload/gpu_catalog.c, which cites the sources). -->\n",
            gpu->marketing_name, gpu->name);
    for (int n = 0; n < s->node_count; n++) {
        for (int l = 0; l < s->gpus_per_node; l++) {
            fprintf(g->out, "    <host id=\"n%dg%d\" speed=\"%sTf\" core=\"1\">\n", n, l, speed);
            fprintf(g->out, "      <prop id=\"gpu_model\" value=\"%s\"/>\n", gpu->name);
            put_prop(g, "      ", "hbm_bytes", gpu->hbm_bytes);
            put_prop(g, "      ", "hbm_bandwidth_bytes_per_s", gpu->hbm_bandwidth_bytes_per_s);
            put_prop(g, "      ", "peak_flops_bf16", gpu->peak_flops_bf16);
            put_prop(g, "      ", "peak_flops_fp8", gpu->peak_flops_fp8);
            fprintf(g->out, "      <prop id=\"sm_count\" value=\"%d\"/>\n", gpu->sm_count);
            fprintf(g->out, "    </host>\n");
        }
        if (s->fabric == PS_FABRIC_NVSWITCH) {
            char sw[40];
            fmt_num(sw, sizeof sw, SWITCH_HOST_FLOPS);
            fprintf(g->out, "    <host id=\"n%dsw\" speed=\"%sf\" core=\"1\">  <!-- NVSwitch endpoint "
                            "(NVLS), reductions free -->\n"
                            "      <prop id=\"role\" value=\"nvswitch\"/>\n    </host>\n", n, sw);
        }
    }
}

static void put_scaleup_links(gen *g)
{
    const ps_platform_spec *s = g->spec;
    char id[64], why[160];
    for (int n = 0; n < s->node_count; n++) {
        if (s->fabric == PS_FABRIC_NVSWITCH) {
            snprintf(why, sizeof why, "NVLink%d port: %d links, UP = to the switch",
                     g->gpu->nvlink_generation, g->gpu->nvlink_links);
            for (int l = 0; l < s->gpus_per_node; l++) {
                snprintf(id, sizeof id, "nvl_n%dg%d", n, l);
                put_link(g, id, g->gpu_link_bytes_per_s, NVLINK_PORT_LATENCY_NS, l == 0 ? why : NULL);
            }
        } else if (s->fabric == PS_FABRIC_MESH) {
            double pair = g->gpu_link_bytes_per_s / (s->gpus_per_node > 1 ? s->gpus_per_node - 1 : 1);
            for (int a = 0; a < s->gpus_per_node; a++)
                for (int b = a + 1; b < s->gpus_per_node; b++) {
                    snprintf(id, sizeof id, "mesh_n%d_%d_%d", n, a, b);
                    put_link(g, id, pair, MESH_LINK_LATENCY_NS,
                             a == 0 && b == 1 ? "private pair link, UP = low to high index" : NULL);
                }
        } else {
            int switches = (s->gpus_per_node + PCIE_GPUS_PER_SWITCH - 1) / PCIE_GPUS_PER_SWITCH;
            for (int l = 0; l < s->gpus_per_node; l++) {
                snprintf(id, sizeof id, "pcie_n%dg%d", n, l);
                put_link(g, id, g->gpu_link_bytes_per_s, PCIE_GPU_LINK_LATENCY_NS,
                         l == 0 ? "GPU x16 to its PCIe switch, UP = to the switch" : NULL);
            }
            for (int w = 0; w < switches; w++) {
                snprintf(id, sizeof id, "pciesw_n%ds%d", n, w);
                put_link(g, id, PCIE_SWITCH_UPLINK_BYTES_PER_S, PCIE_UPLINK_LATENCY_NS,
                         w == 0 ? "PCIe switch x16 uplink, UP = to the CPU" : NULL);
            }
            if (switches > 1) {
                snprintf(id, sizeof id, "cpu_n%d", n);
                put_link(g, id, CPU_SOCKET_LINK_BYTES_PER_S, CPU_SOCKET_LINK_LATENCY_NS,
                         "CPU socket link (UPI), UP = socket 0 to socket 1");
            }
        }
    }
}

static void put_scaleout_links(gen *g)
{
    const ps_platform_spec *s = g->spec;
    char id[64];
    if (s->node_count < 2)
        return;
    for (int n = 0; n < s->node_count; n++)
        for (int l = 0; l < s->gpus_per_node; l++) {
            snprintf(id, sizeof id, "nic_n%dg%d", n, l);
            put_link(g, id, s->nic_bytes_per_s, g->nic_latency_ns,
                     n == 0 && l == 0 ? "the GPU's own NIC (1:1), UP = to the rail leaf" : NULL);
        }
    for (int l = 0; l < s->gpus_per_node; l++) {
        snprintf(id, sizeof id, "rail%d_up", l);
        put_link(g, id, s->nic_bytes_per_s * s->node_count, g->rail_uplink_latency_ns,
                 l == 0 ? "rail leaf to spine, non-blocking (nodes x NIC), UP = to the spine" : NULL);
    }
}

/* One <link_ctn> of a route; the link id is printf-formatted. */
static void ctn(gen *g, bool up, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void ctn(gen *g, bool up, const char *fmt, ...)
{
    va_list ap;
    fprintf(g->out, "<link_ctn id=\"");
    va_start(ap, fmt);
    vfprintf(g->out, fmt, ap);
    va_end(ap);
    fprintf(g->out, "\" direction=\"%s\"/>", up ? "UP" : "DOWN");
}

static int pcie_socket(const ps_platform_spec *s, int local)
{
    int switches = (s->gpus_per_node + PCIE_GPUS_PER_SWITCH - 1) / PCIE_GPUS_PER_SWITCH;
    return switches > 1 && local / PCIE_GPUS_PER_SWITCH >= (switches + 1) / 2 ? 1 : 0;
}

/* Route between two GPUs of node n, a < b (the reverse is derived by SimGrid). */
static void put_intra_route(gen *g, int n, int a, int b)
{
    const ps_platform_spec *s = g->spec;
    fprintf(g->out, "    <route src=\"n%dg%d\" dst=\"n%dg%d\">", n, a, n, b);
    if (s->fabric == PS_FABRIC_NVSWITCH) {
        ctn(g, true, "nvl_n%dg%d", n, a);
        ctn(g, false, "nvl_n%dg%d", n, b);
    } else if (s->fabric == PS_FABRIC_MESH) {
        ctn(g, true, "mesh_n%d_%d_%d", n, a, b);
    } else {
        int sa = a / PCIE_GPUS_PER_SWITCH, sb = b / PCIE_GPUS_PER_SWITCH;
        ctn(g, true, "pcie_n%dg%d", n, a);
        if (sa != sb) { /* through the root complex(es) */
            ctn(g, true, "pciesw_n%ds%d", n, sa);
            if (pcie_socket(s, a) != pcie_socket(s, b))
                ctn(g, true, "cpu_n%d", n);
            ctn(g, false, "pciesw_n%ds%d", n, sb);
        }
        ctn(g, false, "pcie_n%dg%d", n, b);
    }
    fprintf(g->out, "</route>\n");
}

/* Route from GPU (na, la) to GPU (nb, lb), na < nb: the GPU's own NIC, never its NVLink port. */
static void put_inter_route(gen *g, int na, int la, int nb, int lb)
{
    fprintf(g->out, "    <route src=\"n%dg%d\" dst=\"n%dg%d\">", na, la, nb, lb);
    ctn(g, true, "nic_n%dg%d", na, la);
    if (la != lb) {
        ctn(g, true, "rail%d_up", la);
        ctn(g, false, "rail%d_up", lb);
    }
    ctn(g, false, "nic_n%dg%d", nb, lb);
    fprintf(g->out, "</route>\n");
}

static void put_routes(gen *g)
{
    const ps_platform_spec *s = g->spec;
    int gpn = s->gpus_per_node;
    fprintf(g->out, "    <!-- Routes: one per unordered pair; SimGrid derives the reverse (UP <-> DOWN). -->\n");
    for (int n = 0; n < s->node_count; n++) {
        for (int a = 0; a < gpn; a++)
            for (int b = a + 1; b < gpn; b++)
                put_intra_route(g, n, a, b);
        if (s->fabric == PS_FABRIC_NVSWITCH)
            for (int l = 0; l < gpn; l++) {
                fprintf(g->out, "    <route src=\"n%dg%d\" dst=\"n%dsw\">", n, l, n);
                ctn(g, true, "nvl_n%dg%d", n, l);
                fprintf(g->out, "</route>\n");
            }
    }
    for (int na = 0; na < s->node_count; na++)
        for (int nb = na + 1; nb < s->node_count; nb++)
            for (int la = 0; la < gpn; la++)
                for (int lb = 0; lb < gpn; lb++)
                    put_inter_route(g, na, la, nb, lb);
}

int ps_platform_generate(const ps_platform_spec *spec, FILE *out, ps_error *err)
{
    int rc = ps_platform_spec_check(spec, err);
    if (rc)
        return rc;
    gen g = {.out = out, .spec = spec, .gpu = ps_gpu_find(spec->gpu_model)};
    g.gpu_link_bytes_per_s = spec->fabric == PS_FABRIC_PCIE ? g.gpu->pcie_bytes_per_s
                                                            : g.gpu->nvlink_bytes_per_s;
    /* A NIC latency without a kind is the generic kind with that latency, written as properties. */
    g.network = spec->network ? ps_network_kind_find(spec->network)
                : spec->nic_latency_us > 0 ? ps_network_kind_find("generic") : NULL;
    g.nic_latency_ns = g.network ? g.network->nic_latency_us * 1e3 : NIC_LINK_LATENCY_NS;
    g.rail_uplink_latency_ns = g.network ? g.network->switch_latency_us * 1e3 : RAIL_UPLINK_LATENCY_NS;
    if (spec->nic_latency_us > 0)
        g.nic_latency_ns = spec->nic_latency_us * 1e3;
    put_header(&g);
    put_zone_props(&g);
    put_hosts(&g);
    fprintf(out, "    <!-- Links: bandwidth per direction (SPLITDUPLEX: UP and DOWN are independent). -->\n");
    put_scaleup_links(&g);
    put_scaleout_links(&g);
    put_routes(&g);
    fprintf(out, "  </zone>\n</platform>\n");
    if (ferror(out))
        return ps_error_set(err, PS_EINPUT, "writing the platform failed: %s", strerror(errno));
    return PS_OK;
}

int ps_platform_generate_file(const ps_platform_spec *spec, const char *path, ps_error *err)
{
    ps_atomic_file af;
    int rc = ps_platform_spec_check(spec, err);
    if (rc)
        return rc;
    if ((rc = ps_atomic_open(&af, path, err)))
        return rc;
    if ((rc = ps_platform_generate(spec, af.fp, err))) {
        ps_atomic_abort(&af);
        return ps_error_prefix(err, "%s", path);
    }
    return ps_atomic_commit(&af, err);
}
