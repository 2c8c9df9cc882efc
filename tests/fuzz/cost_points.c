/* libFuzzer target: the measured-data readers of `parsim calibrate --ops` and `parsim cost
 * --errors` (core/cost/cost_read_*.c, chosen by the header line). Oracle: a rejection is one line
 * naming the file (fuzz_file.h); every accepted point has a valid shape and a positive time. */
#include <math.h>

#include "fuzz_file.h"
#include "parsim/cost.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_file(data, size, ".csv");
    ps_cost_points *pts = ps_cost_points_new();
    ps_error err = {0};
    int rc = ps_cost_points_read(pts, path, &err);
    fuzz_check_file_error(path, rc, err.message);
    for (size_t i = 0; rc == PS_OK && i < ps_cost_points_count(pts); i++) {
        ps_cost_point_view v;
        ps_cost_points_at(pts, i, &v);
        if (ps_cost_query_validate(&v.query, &err) || !(v.measured_us > 0) || !isfinite(v.measured_us))
            __builtin_trap();
    }
    ps_cost_points_free(pts);
    return 0;
}
