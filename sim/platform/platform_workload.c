/* The --platform hook of the workload parser (see ps_platform_workload_gpu in parsim/platform.h):
 * loads the platform, and takes the GPU model, its properties and the GPU count from it. Every
 * GPU of a platform is assumed alike; the first one stands for all. */
#include <stdio.h>

#include "parsim/platform.h"
#include "parsim/workload.h"

int ps_platform_workload_gpu(const char *path, ps_workload_gpu *gpu, ps_error *err)
{
    ps_platform *platform = NULL;
    if (ps_platform_load(path, &platform, err))
        return err->code;
    const ps_platform_gpu *g0 = ps_platform_gpu_at(platform, 0);
    const char *loaded_path = ps_platform_path(platform);
    int rc = PS_OK;
    if (!g0)
        rc = ps_error_set(err, PS_EINPUT, "%s: GPU model '(none)' is not in the catalogue", loaded_path);
    else if (ps_workload_gpu_from_properties(g0->gpu_model, g0->hbm_bytes, g0->hbm_bandwidth_bytes_per_s,
                                             g0->peak_flops_bf16, g0->peak_flops_fp8, g0->sm_count, &gpu->spec,
                                             err))
        rc = ps_error_prefix(err, "%s", loaded_path);
    if (!rc) {
        gpu->gpus_available = ps_platform_gpu_count(platform);
        snprintf(gpu->platform_path, sizeof gpu->platform_path, "%s", loaded_path);
        const char *warning = ps_platform_warning(platform);
        snprintf(gpu->platform_warning, sizeof gpu->platform_warning, "%s", warning ? warning : "");
    }
    ps_platform_free(platform);
    return rc;
}
