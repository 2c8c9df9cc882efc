/* parsim/platform.h: GPU platforms as SimGrid models (sim/platform/).
 *
 * A platform is a SimGrid XML file: one SimGrid host per GPU (in rank order), links for NVLink
 * ports, NVSwitch, PCIe and NICs, and properties that say what the hardware is. This module
 *   - writes such files from presets or from a general description (the generator),
 *   - validates a file before SimGrid sees it (SimGrid aborts the process on bad XML),
 *   - loads it into the (one, per-process) SimGrid engine with the network configuration that makes
 *     flows exact: host/model ptask_L07 (max-min fair, latency-independent sharing; also needed for
 *     parallel tasks such as an NVLS multicast) and network/TCP-gamma 0 (no TCP window cap);
 *     see ../shared/notes/simgrid.md sections 0 and 2,
 *   - answers questions about it: GPUs in rank order with their properties, the fabric, and for
 *     any ordered pair the route's bottleneck bandwidth and latency.
 * Properties written in a user's XML win over the GPU catalogue.
 *
 * Invariants: GPU ranks are 0..gpu_count-1, numbered node-major (rank = node * gpus_per_node +
 * local index), which is the order DESIGN.md section 3 numbers plan ranks in. Bandwidths are bytes
 * per second per direction (1e9 B/s = 1 GB/s), latencies seconds.
 */
#ifndef PARSIM_PLATFORM_H
#define PARSIM_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <simgrid/forward.h>

#include "parsim/error.h"
#include "parsim/workload.h"

typedef enum ps_fabric {
    PS_FABRIC_NVSWITCH = 0, /* non-blocking switch: any pair can use a GPU's whole NVLink bandwidth */
    PS_FABRIC_MESH = 1,     /* switchless full mesh: one private link per GPU pair */
    PS_FABRIC_PCIE = 2,     /* no NVLink: PCIe switches and CPU root complexes */
    PS_FABRIC_COUNT
} ps_fabric;

typedef struct ps_platform_gpu {
    int rank;
    int node;
    int local_index;
    const char *host_name;  /* SimGrid host name, e.g. "n0g3" */
    const char *gpu_model;  /* catalogue name, e.g. "h100-sxm" */
    double hbm_bytes;
    double hbm_bandwidth_bytes_per_s;
    double peak_flops_bf16; /* dense tensor FLOP/s */
    double peak_flops_fp8;
    int sm_count;
    sg_host_t host;
} ps_platform_gpu;

/* ---- Network kinds (sim/platform/network.c) --------------------------------------------------
 * What the scale-out network between nodes is, as the figures that change NCCL's times: the NIC
 * link latencies the generator writes, NCCL's net-plugin latency (what its tuner adds per
 * inter-node step, twice for Simple), the host/proxy cost of one inter-node step that NCCL's
 * ranking constants leave out, the achievable fraction of the NIC line rate, the channels NCCL runs
 * per NIC and the protocols the network's recommended NCCL profile allows. Every figure of every
 * kind cites its source in network.c (../shared/notes/network.md). A platform file names its kind
 * in the zone property `network` and may override each figure with a `network_*` property. */
#define PS_NET_PROTO_LL 1u
#define PS_NET_PROTO_LL128 2u
#define PS_NET_PROTO_SIMPLE 4u
#define PS_NET_PROTO_ALL 7u
/* The algorithms the network's NCCL profile lets the tuner pick for a collective that crosses
 * nodes (NCCL_ALGO; send/recv and alltoall are not collectives of this kind and always run). */
#define PS_NET_ALGO_RING 1u
#define PS_NET_ALGO_TREE 2u
#define PS_NET_ALGO_NVLS_TREE 4u
#define PS_NET_ALGO_ALL 7u

/* The PCIe path from a GPU to the NIC its ring / tree channels use, in NCCL's words (the path
 * type of the graph's typeInter, which NCCL_DEBUG=INFO prints as "type NVL/PIX" on its
 * "Pattern ..., crossNic ..." lines; nvidia-smi topo -m prints the same letters, NODE where NCCL
 * says PHB within one socket): PIX one PCIe switch, PXB several switches, PXN through an
 * NVLink peer whose NIC is local (PCI x NVLink), PHB through a CPU host bridge, SYS across the
 * CPU sockets. It decides whether NCCL enables LL128 by default across nodes
 * (ps_network_ll128_by_default, sim/platform/network.c). */
typedef enum ps_gpu_nic_path {
    PS_GPU_NIC_PIX = 0,
    PS_GPU_NIC_PXB,
    PS_GPU_NIC_PXN,
    PS_GPU_NIC_PHB,
    PS_GPU_NIC_SYS,
    PS_GPU_NIC_PATH_COUNT
} ps_gpu_nic_path;

typedef struct ps_network_kind {
    const char *name;            /* "ib-ndr", "roce", "efa-p5", ...; "generic" = no kind named */
    const char *summary;         /* one line */
    double nic_gbps;             /* per-GPU NIC line rate, Gb/s (the generator's default) */
    double nic_latency_us;       /* one side: GPU -> PCIe -> NIC -> rail leaf (the nic_* links) */
    double switch_latency_us;    /* one side of the leaf -> spine hop (the rail*_up links) */
    double plugin_latency_us;    /* NCCL net plugin props.latency: the tuner adds it per step */
    double proxy_step_us;        /* host/proxy cost of one inter-node step beyond NCCL's hwLat */
    double bandwidth_efficiency; /* achievable / line rate, 0 < e <= 1 */
    int channels_per_nic;        /* NCCL runtime channels per NIC */
    unsigned protocols;          /* PS_NET_PROTO_* the network's NCCL profile allows */
    unsigned algorithms;         /* PS_NET_ALGO_* the network's NCCL profile allows */
    int min_channels;            /* NCCL_MIN_NCHANNELS of the network's profile, 0 = unset */
    int max_channels;            /* NCCL_MAX_NCHANNELS of the network's profile, 0 = unset */
    int pxn;                     /* 1: point-to-point sends leave through the NIC of the peer's
                                    rail (NCCL's PXN, NCCL_P2P_PXN_LEVEL=2, the default);
                                    0: NCCL_PXN_DISABLE=1 / NCCL_P2P_PXN_LEVEL=0 */
    ps_gpu_nic_path gpu_nic_path; /* the servers' GPU-NIC PCIe path (ps_gpu_nic_path) */
    const char *sources;         /* one line per figure: where it comes from (FITTED, a vendor
                                    page, NCCL's code, ASSUMPTION), for --list-networks --network */
} ps_network_kind;

int ps_network_kind_count(void);
const ps_network_kind *ps_network_kind_at(int index);
const ps_network_kind *ps_network_kind_find(const char *name); /* NULL when unknown */
/* "LL,LL128,Simple" (the order is fixed) into buf; parse accepts that form, any order, no repeats,
 * case-sensitive; PS_EINPUT (no message) otherwise. */
void ps_network_protocols_format(unsigned protocols, char *buf, size_t size);
int ps_network_protocols_parse(const char *text, unsigned *out);
/* The same for algorithms, in NCCL_ALGO's spelling: "Ring,Tree,NVLSTree". */
void ps_network_algorithms_format(unsigned algorithms, char *buf, size_t size);
int ps_network_algorithms_parse(const char *text, unsigned *out);
/* "pix", "pxb", "pxn", "phb", "sys" (lower case, as the property and --gpu-nic-path spell it);
 * parse: PS_EINPUT (no message) for anything else. */
const char *ps_gpu_nic_path_name(ps_gpu_nic_path path);
int ps_gpu_nic_path_parse(const char *text, ps_gpu_nic_path *out);
/* NCCL's default for LL128 on a ring / tree that crosses nodes (protoEnable 2, i.e. NCCL_PROTO
 * unset), from the GPU-NIC path and the GPU architecture ("ampere", "hopper", "blackwell"):
 * true when path <= PXB, or path <= PXN on compute capability 9.0 and later (network.c cites
 * the versions). */
bool ps_network_ll128_by_default(ps_gpu_nic_path path, const char *architecture);

/* The network of a loaded platform: the kind named by the file (or "generic") with the file's
 * overrides applied. On one node it is the generic kind and means nothing. */
typedef struct ps_platform_network {
    char kind[32];
    bool named;                  /* the file has a `network` property */
    double nic_latency_us;
    double switch_latency_us;
    double plugin_latency_us;
    double proxy_step_us;
    double bandwidth_efficiency;
    int channels_per_nic;
    unsigned protocols;
    unsigned algorithms;
    int min_channels;            /* 0 = unset */
    int max_channels;            /* 0 = unset */
    int pxn;                     /* 0 or 1 */
    ps_gpu_nic_path gpu_nic_path; /* network_gpu_nic_path, default the kind's */
    bool ll128_default_off;      /* NCCL leaves LL128 off across nodes by default: NCCL_PROTO
                                    unset (protocols = all three) and the path / architecture
                                    fail ps_network_ll128_by_default. A forced --proto ll128
                                    still runs it (NCCL_PROTO=LL128 enables it, tuning.cc). */
    int sharp;                   /* 1: the switches reduce in the network (InfiniBand SHARP) and
                                    NCCL runs CollNet (NCCL_COLLNET_ENABLE=1 with the SHARP
                                    plugin): CollNetDirect / CollNetChain exist (sim/coll);
                                    0 (the default, NCCL's NCCL_COLLNET_ENABLE=0): they do not */
} ps_platform_network;

/* ---- The NCCL version modelled (sim/platform/nccl_version.c) ---------------------------------
 * Coded as NCCL_VERSION_CODE, major x 10000 + minor x 100 + patch (2.18.5 = 21805). The default
 * is the release parsim's NCCL constants and shipped sidecars describe: tuning.cc @v2.29.2-1
 * (params.c) and the AIC curves the sidecars are fitted on (NCCL 2.29.2, platforms/NAME.nccl.json).
 * The oldest accepted is 2.17.1, NVLS's first release (NVIDIA/nccl v2.17.1-1): the model would
 * offer NVLS to an older NCCL that has none. */
#define PS_NCCL_VERSION_DEFAULT 22902
#define PS_NCCL_VERSION_MIN 21701
/* "2.18.5" or "2.18" (patch 0) -> *code; PS_EINPUT (no message) for anything else or a version
 * below 2.17.1. */
int ps_nccl_version_parse(const char *text, int *code);
/* "2.29.2"; code <= 0 formats the default. */
void ps_nccl_version_format(int code, char *buf, size_t size);

typedef struct ps_platform_fabric_info {
    ps_fabric kind;
    int node_count;
    int gpus_per_node;
    bool nvls_capable;             /* NVSwitch gen3+ with SHARP: NCCL can run NVLS */
    int nvlink_generation;         /* 0 when there is no NVLink */
    int nvlink_links_per_gpu;
    double gpu_link_bytes_per_s;   /* one GPU's scale-up bandwidth per direction (NVLink or PCIe) */
    double nic_bytes_per_s;        /* per GPU NIC, per direction; 0 on a single node */
    ps_platform_network network;   /* scale-out network figures (generic on one node) */
    int nccl_version;              /* zone property nccl_version, else PS_NCCL_VERSION_DEFAULT */
    bool nccl_version_named;       /* the file has a nccl_version property */
} ps_platform_fabric_info;

typedef struct ps_platform ps_platform;

/* Validates (without SimGrid) and loads the file into the process's SimGrid engine, initialising
 * the engine and its configuration first. One platform per process (a SimGrid limit). Bad files:
 * PS_EINPUT with "FILE: reason" (for malformed XML, SimGrid's or the parser's reason and line).
 * A preset name ("hgx-h200") is resolved by ps_data_find (parsim/data.h); ps_platform_path then
 * gives the file that was loaded. */
int ps_platform_load(const char *path_or_preset, ps_platform **out, ps_error *err);
void ps_platform_free(ps_platform *platform);

int ps_platform_gpu_count(const ps_platform *platform);
const ps_platform_gpu *ps_platform_gpu_at(const ps_platform *platform, int rank);
const ps_platform_fabric_info *ps_platform_fabric(const ps_platform *platform);

/* The NVSwitch endpoint host of a node, used to model NVLS (GPU -> switch -> GPU), or NULL when the
 * node has no NVLS-capable switch. */
sg_host_t ps_platform_switch_host(const ps_platform *platform, int node);

/* Route from GPU src to GPU dst: bottleneck bandwidth (bytes/s) and total latency (s). */
int ps_platform_route(const ps_platform *platform, int src_rank, int dst_rank,
                      double *bandwidth_bytes_per_s, double *latency_s, ps_error *err);

/* ---- Extensions (platform engineer) ---------------------------------------------------------
 *
 * Engine and configuration. ps_platform_load initialises SimGrid itself when nobody did; a caller
 * that wants to pass SimGrid options (--cfg=..., --log=...) calls ps_platform_engine_init first,
 * once, with its argv (SimGrid removes the options it consumed). Either way the exact network
 * configuration (host/model ptask_L07, network/TCP-gamma 0, network/crosstraffic 0; under
 * PARSIM_SANITIZED also contexts/factory thread) is set before the platform is loaded, so it wins
 * over whatever a file's <config> block says. A file without that configuration still loads (it
 * is fixed, never simulated as TCP) and ps_platform_warning says so: the library never prints,
 * the CLI prints the warning. */
int ps_platform_engine_init(int *argc, char **argv, ps_error *err);

/* NULL, or one line "FILE: ..." saying what the loader had to fix (e.g. the <config> block). */
const char *ps_platform_warning(const ps_platform *platform);
const char *ps_platform_path(const ps_platform *platform);

/* Refuses (PS_EINPUT, "FILE: ...") a platform that has fewer GPUs than `needed`, or, when exact,
 * a different number. Plans call this before placing ranks. */
int ps_platform_check_gpu_count(const ps_platform *platform, int needed, bool exact, ps_error *err);

/* The workload parser's --platform hook (parsim/workload.h): loads the platform file and fills
 * gpu with its first GPU (catalogue entry plus the file's host properties, through
 * ps_workload_gpu_from_properties), its GPU count, path and loader warning. "FILE: reason" on
 * failure. sim/platform/platform_workload.c. */
int ps_platform_workload_gpu(const char *path, ps_workload_gpu *gpu, ps_error *err);

/* Checks a platform file without loading it into this process: SimGrid aborts the process on a
 * malformed file, so a forked child loads it and its stderr gives the reason. PS_EINPUT with
 * "FILE: reason" (missing file: "FILE: No such file or directory"). ps_platform_load calls it. */
int ps_platform_validate(const char *path, ps_error *err);

/* Summary of the pair matrix over all ordered GPU pairs (src != dst), for --describe. Intra-node
 * means same node; inter_* are meaningful only when has_inter is true (more than one node). */
typedef struct ps_platform_range {
    double min;
    double max;
} ps_platform_range;

typedef struct ps_platform_summary {
    int gpu_count;
    const char *gpu_model; /* the model when all GPUs agree, else "mixed" */
    ps_platform_range pair_bandwidth_bytes_per_s;
    ps_platform_range intra_bandwidth_bytes_per_s;
    ps_platform_range inter_bandwidth_bytes_per_s;
    ps_platform_range pair_latency_s;
    ps_platform_range intra_latency_s;
    ps_platform_range inter_latency_s;
    bool has_pairs; /* false for a single GPU */
    bool has_intra; /* some node has two GPUs or more */
    bool has_inter; /* more than one node */
} ps_platform_summary;

int ps_platform_summarize(const ps_platform *platform, ps_platform_summary *out, ps_error *err);

const char *ps_fabric_name(ps_fabric kind); /* "nvswitch", "mesh", "pcie" */
const char *ps_fabric_summary(ps_fabric kind); /* a few words for --help: "non-blocking switch" */
int ps_fabric_parse(const char *text, ps_fabric *out); /* PS_OK or PS_EINPUT (no message) */

/* ---- Generator ------------------------------------------------------------------------------
 * A platform description; presets are static instances. The XML it gives is deterministic
 * (byte-identical for the same spec) and carries every figure's source in comments. */
typedef struct ps_platform_spec {
    const char *name;       /* preset name (written into the file), or NULL for a custom one */
    const char *gpu_model;  /* GPU catalogue key (parsim/gpu.h) */
    int node_count;
    int gpus_per_node;
    ps_fabric fabric;
    double nic_bytes_per_s; /* per-GPU NIC per direction; used only when node_count > 1 */
    const char *summary;    /* one line: what the preset is and why it ships */
    /* Network kind name (ps_network_kind_find) or NULL: NULL writes the generic kind's link
     * latencies and no network properties (the files parsim wrote before network kinds). */
    const char *network;
    double nic_latency_us;  /* > 0 overrides the kind's NIC latency; 0 = the kind's */
    const char *gpu_nic_path; /* "pix" ... "sys" (ps_gpu_nic_path_parse) overrides the kind's
                                 GPU-NIC path; NULL = the kind's */
    int sharp;              /* 1: write network_sharp="1" (SHARP in the switches; needs a network) */
    const char *nccl_version; /* "2.18.5" (ps_nccl_version_parse): written as the zone property
                                 nccl_version, the NCCL release the collectives are modelled for;
                                 NULL = none written (the model's default, PS_NCCL_VERSION_DEFAULT) */
} ps_platform_spec;

#define PS_PLATFORM_MAX_GPUS 1024 /* Full routing stores N^2 routes: 1024 GPUs is ~0.5 M routes */
#define PS_PLATFORM_DEFAULT_NIC_BYTES_PER_S 50e9 /* 400 Gb/s ConnectX-7 (hardware.md 3.4) */

int ps_platform_preset_count(void);
const ps_platform_spec *ps_platform_preset_at(int index);
const ps_platform_spec *ps_platform_preset_find(const char *name);

/* Checks a spec (known GPU, counts in range, NVLink present for nvswitch/mesh). */
int ps_platform_spec_check(const ps_platform_spec *spec, ps_error *err);

/* Writes the SimGrid XML for spec to out; PS_EINTERNAL if a write fails. */
int ps_platform_generate(const ps_platform_spec *spec, FILE *out, ps_error *err);

/* Writes it atomically to path (ps_atomic_*). */
int ps_platform_generate_file(const ps_platform_spec *spec, const char *path, ps_error *err);

#endif
