/* The GPU catalogue. Sources are cited per entry; labels [a]..[o] are those of
 * ../shared/notes/hardware.md, which gives their full URLs:
 *   [a] NVIDIA H100 spec table (reprint), [b] glennklockwood.com H100 page, [c] H200 spec pages,
 *   [e] MLPerf v4.1 H200 system JSON, [f] glennklockwood.com B200 page, [g] verda.com GB300/B200
 *   article, [h] MLPerf v6.0 Nebius B200 JSON, [i] MLPerf v6.1 Crusoe GB200 JSON, [j] NVIDIA NVLink
 *   page copy.
 * Dense FLOP/s are the vendor's dense ratings (sparse figures halved where only sparse is printed);
 * they are at the 1.83 GHz rating clock on Hopper (132 SMs x 4096 FLOP/clk x 1.83 GHz = 989.4e12).
 */
#include "parsim/gpu.h"

#include <ctype.h>

#include <string.h>

static const ps_gpu_spec gpu_catalog[] = {
    {
        /* [a][b]: 132 SMs, 80 GB HBM3 at 3.35 TB/s, 989.4 / 1978.9 dense TFLOPS bf16 / fp8;
         * NVLink4 18 links, 900 GB/s bidirectional = 450 GB/s per direction ([e], nccl-tests#212);
         * PCIe Gen5 x16 = 32 GT/s x 16 x 128/130 / 8 = 63 GB/s per direction (hardware.md 3.4). */
        .name = "h100-sxm", .marketing_name = "NVIDIA H100 SXM5 80GB", .architecture = "hopper",
        .sm_count = 132, .hbm_bytes = 80e9, .hbm_bandwidth_bytes_per_s = 3.35e12,
        .peak_flops_bf16 = 989.4e12, .peak_flops_fp8 = 1978.9e12,
        .nvlink_generation = 4, .nvlink_links = 18, .nvlink_bytes_per_s = 450e9, .pcie_bytes_per_s = 63e9,
    },
    {
        /* NVIDIA H100 PCIe spec table [a] and product brief PB-11133-001: 114 SMs, 80 GB HBM2e at
         * 2.0 TB/s, 756 / 1513 dense TFLOPS bf16 / fp8 (table prints sparse 1513 / 3026). No NVLink
         * modelled (the optional 2-card bridge is not part of the 8-card PCIe box). */
        .name = "h100-pcie", .marketing_name = "NVIDIA H100 PCIe 80GB", .architecture = "hopper",
        .sm_count = 114, .hbm_bytes = 80e9, .hbm_bandwidth_bytes_per_s = 2.0e12,
        .peak_flops_bf16 = 756e12, .peak_flops_fp8 = 1513e12,
        .nvlink_generation = 0, .nvlink_links = 0, .nvlink_bytes_per_s = 0, .pcie_bytes_per_s = 63e9,
    },
    {
        /* [c][e]: the GH100 die of the H100 (same SMs and tensor rates) with 141 GB HBM3e at
         * 4.8 TB/s; NVLink4 18 links, 450 GB/s per direction. */
        .name = "h200-sxm", .marketing_name = "NVIDIA H200 SXM 141GB", .architecture = "hopper",
        .sm_count = 132, .hbm_bytes = 141e9, .hbm_bandwidth_bytes_per_s = 4.8e12,
        .peak_flops_bf16 = 989.4e12, .peak_flops_fp8 = 1978.9e12,
        .nvlink_generation = 4, .nvlink_links = 18, .nvlink_bytes_per_s = 450e9, .pcie_bytes_per_s = 63e9,
    },
    {
        /* NVIDIA A100 Tensor Core GPU datasheet (A100 80GB SXM): 108 SMs, 80 GB HBM2e at
         * 2,039 GB/s, 312 TFLOPS dense bf16, no fp8; NVLink3 12 links, 600 GB/s bidirectional =
         * 300 GB/s per direction; PCIe Gen4 x16 = 16 GT/s x 16 x 128/130 / 8 = 31.5 GB/s. */
        .name = "a100-sxm", .marketing_name = "NVIDIA A100 SXM4 80GB", .architecture = "ampere",
        .sm_count = 108, .hbm_bytes = 80e9, .hbm_bandwidth_bytes_per_s = 2.039e12,
        .peak_flops_bf16 = 312e12, .peak_flops_fp8 = 0,
        .nvlink_generation = 3, .nvlink_links = 12, .nvlink_bytes_per_s = 300e9, .pcie_bytes_per_s = 31.5e9,
    },
    {
        /* HGX B200 at 1,000 W: [f] 2,250 / 4,500 dense TFLOPS bf16 / fp8; [h] 180 GB HBM3e;
         * [g] 7.7-8 TB/s (we take 8 TB/s, NVIDIA's figure); NVLink5 18 links x 100 GB/s
         * bidirectional = 900 GB/s per direction [g][j]. SM count 148 (2 dies x 74): UNVERIFIED,
         * as reported by deviceQuery in secondary sources; only used for reporting. */
        .name = "b200", .marketing_name = "NVIDIA B200 180GB (HGX)", .architecture = "blackwell",
        .sm_count = 148, .hbm_bytes = 180e9, .hbm_bandwidth_bytes_per_s = 8.0e12,
        .peak_flops_bf16 = 2250e12, .peak_flops_fp8 = 4500e12,
        .nvlink_generation = 5, .nvlink_links = 18, .nvlink_bytes_per_s = 900e9, .pcie_bytes_per_s = 63e9,
    },
    {
        /* GB200 (per GPU in an NVL72 at 1,200 W): [f] 2,500 / 5,000 dense TFLOPS bf16 / fp8;
         * [i] 186 GB HBM3e; 8 TB/s (hardware.md 3.1); NVLink5 900 GB/s per direction [j].
         * Host link is NVLink-C2C to Grace, not PCIe: pcie_bytes_per_s holds its measured
         * host-to-device rate, 201 GB/s (hardware.md 3.4, Azure nvbandwidth). SM count as b200. */
        .name = "gb200", .marketing_name = "NVIDIA GB200 (NVL72) 186GB", .architecture = "blackwell",
        .sm_count = 148, .hbm_bytes = 186e9, .hbm_bandwidth_bytes_per_s = 8.0e12,
        .peak_flops_bf16 = 2500e12, .peak_flops_fp8 = 5000e12,
        .nvlink_generation = 5, .nvlink_links = 18, .nvlink_bytes_per_s = 900e9, .pcie_bytes_per_s = 201e9,
    },
};

int ps_gpu_catalog_count(void) { return (int)(sizeof gpu_catalog / sizeof gpu_catalog[0]); }

const ps_gpu_spec *ps_gpu_catalog_at(int index)
{
    if (index < 0 || index >= ps_gpu_catalog_count())
        return NULL;
    return &gpu_catalog[index];
}

const ps_gpu_spec *ps_gpu_find(const char *name)
{
    if (!name)
        return NULL;
    for (int i = 0; i < ps_gpu_catalog_count(); i++)
        if (!strcmp(gpu_catalog[i].name, name))
            return &gpu_catalog[i];
    return NULL;
}

const ps_gpu_spec *ps_gpu_find_device(const char *device_name)
{
    char low[256];
    size_t i = 0;
    for (; device_name && device_name[i] && i + 1 < sizeof low; i++)
        low[i] = (char)tolower((unsigned char)device_name[i]);
    low[i] = '\0';
    /* Longest names first: "gb200" contains "b200". */
    if (strstr(low, "gb200"))
        return ps_gpu_find("gb200");
    if (strstr(low, "b200"))
        return ps_gpu_find("b200");
    if (strstr(low, "h200"))
        return ps_gpu_find("h200-sxm");
    if (strstr(low, "h100"))
        return ps_gpu_find(strstr(low, "pcie") ? "h100-pcie" : "h100-sxm");
    if (strstr(low, "a100"))
        return ps_gpu_find("a100-sxm");
    return NULL;
}

double ps_gpu_peak_flops(const ps_gpu_spec *gpu, ps_dtype dtype)
{
    if (!gpu)
        return 0;
    switch (dtype) {
    case PS_DTYPE_BF16:
    case PS_DTYPE_FP16: return gpu->peak_flops_bf16;
    case PS_DTYPE_FP8: return gpu->peak_flops_fp8;
    default: return 0;
    }
}
