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
#include <simgrid/forward.h>

#include "parsim/error.h"

typedef enum ps_fabric {
    PS_FABRIC_NVSWITCH = 0, /* non-blocking switch: any pair can use a GPU's whole NVLink bandwidth */
    PS_FABRIC_MESH = 1,     /* switchless full mesh: one private link per GPU pair */
    PS_FABRIC_PCIE = 2,     /* no NVLink: PCIe switches and CPU root complexes */
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

typedef struct ps_platform_fabric_info {
    ps_fabric kind;
    int node_count;
    int gpus_per_node;
    bool nvls_capable;             /* NVSwitch gen3+ with SHARP: NCCL can run NVLS */
    int nvlink_generation;         /* 0 when there is no NVLink */
    int nvlink_links_per_gpu;
    double gpu_link_bytes_per_s;   /* one GPU's scale-up bandwidth per direction (NVLink or PCIe) */
    double nic_bytes_per_s;        /* per GPU NIC, per direction; 0 on a single node */
} ps_platform_fabric_info;

typedef struct ps_platform ps_platform;

/* Validates (without SimGrid) and loads the file into the process's SimGrid engine, initialising
 * the engine and its configuration first. One platform per process (a SimGrid limit). Bad files:
 * PS_EINPUT with "FILE: reason" (for malformed XML, SimGrid's or the parser's reason and line). */
int ps_platform_load(const char *path, ps_platform **out, ps_error *err);
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

#endif
