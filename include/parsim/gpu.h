/* parsim/gpu.h: the GPU catalogue: what each supported GPU model can do, with sources.
 *
 * Used by the memory planner (HBM capacity), the cost model (peak FLOP/s, HBM bandwidth) and the
 * platform generator (host properties). Figures are the vendor's dense (non-sparse) ratings;
 * every entry in core/workload/gpu_catalog.c names its source (see ../shared/notes/hardware.md).
 * Units: bytes, bytes per second (per direction for links), FLOP per second.
 */
#ifndef PARSIM_GPU_H
#define PARSIM_GPU_H

#include <stdbool.h>

#include "parsim/dtype.h"

typedef struct ps_gpu_spec {
    const char *name;              /* catalogue key, e.g. "h100-sxm" */
    const char *marketing_name;    /* e.g. "NVIDIA H100 SXM5 80GB" */
    const char *architecture;      /* "hopper", "ampere", "blackwell" */
    int sm_count;
    double hbm_bytes;              /* HBM capacity as rated (80 GB = 80e9 bytes) */
    double hbm_bandwidth_bytes_per_s;
    double peak_flops_bf16;        /* dense tensor-core FLOP/s; fp16 is the same on these parts */
    double peak_flops_fp8;         /* 0 when the GPU has no fp8 tensor cores */
    int nvlink_generation;         /* 0: no NVLink (PCIe card) */
    int nvlink_links;
    double nvlink_bytes_per_s;     /* per direction per GPU, all links together */
    double pcie_bytes_per_s;       /* host link per direction */
} ps_gpu_spec;

/* The catalogue, in a stable order. */
int ps_gpu_catalog_count(void);
const ps_gpu_spec *ps_gpu_catalog_at(int index);

/* Looks a GPU up by catalogue name (case-sensitive); NULL when unknown. */
const ps_gpu_spec *ps_gpu_find(const char *name);

/* Looks a GPU up by the name its driver reports (a trace's meta.json gpu_name, nvidia-smi's
 * name: "NVIDIA H200", "NVIDIA H100 80GB HBM3"), case-insensitive; an H100 is the SXM part unless
 * the name says PCIe. NULL when the name is no catalogue GPU. */
const ps_gpu_spec *ps_gpu_find_device(const char *device_name);

/* Peak dense tensor FLOP/s for a dtype (bf16 and fp16 alike, fp8); 0 when the GPU has no tensor
 * cores for it (fp32, integers). */
double ps_gpu_peak_flops(const ps_gpu_spec *gpu, ps_dtype dtype);

#endif
