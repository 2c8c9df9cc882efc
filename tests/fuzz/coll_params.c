/* libFuzzer target: the calibration-sidecar reader ps_coll_params_load (sim/coll/params.c), which
 * `parsim nccl` and `parsim calibrate` apply to platforms/NAME.nccl.json or --calibration FILE.
 * Built and run by scripts/fuzz.sh (make fuzz). Oracle: a rejection is one line naming the file
 * (fuzz_file.h); an accepted sidecar holds only finite numbers in the ranges docs/nccl.md gives
 * (efficiencies in (0, 1], latencies >= 0), or the simulation would run on nonsense. */
#include <math.h>

#include "fuzz_file.h"
#include "parsim/coll.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_row(const ps_coll_proto_params *r)
{
    if (!(r->base_us >= 0 && r->hop_us >= 0 && r->fill_us >= 0 && r->eff > 0 && r->eff <= 1) ||
        !isfinite(r->base_us) || !isfinite(r->hop_us) || !isfinite(r->fill_us))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_file(data, size, ".nccl.json");
    ps_coll_params params;
    ps_coll_params_default(&params);
    ps_error err = {0};
    int rc = ps_coll_params_load(path, &params, &err);
    fuzz_check_file_error(path, rc, err.message);
    if (rc != PS_OK)
        return 0;
    for (int i = 0; i < PS_PROTO_COUNT; i++) {
        check_row(&params.ring[i]);
        check_row(&params.tree[i]);
        if (!(params.tree_net_hop_us[i] >= 0) || !isfinite(params.tree_net_hop_us[i]))
            __builtin_trap();
    }
    check_row(&params.nvls);
    check_row(&params.p2p);
    check_row(&params.nvls_tree);
    for (int i = 0; i < PS_COLL_SCALE_POINTS; i++)
        if (!(params.ring_scale_ar[i] > 0 && params.ring_scale_ar[i] <= 10 &&
              params.ring_scale_other[i] > 0 && params.ring_scale_other[i] <= 10))
            __builtin_trap();
    if (!(params.launch_us >= 0) || !isfinite(params.launch_us) || !memchr(params.source, 0, sizeof params.source))
        __builtin_trap();
    return 0;
}
