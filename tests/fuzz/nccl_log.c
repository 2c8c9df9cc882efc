/* libFuzzer target: the nccl-tests log reader (sim/coll/nccl_log.c), which `parsim nccl
 * --compare` and `parsim calibrate --nccl` trust. Built and run by scripts/fuzz.sh (make fuzz),
 * seeded from tests/fuzz/corpus/nccl_log/ and the layout corpus tests/coll/logs/.
 * Oracle: a refusal is PS_EINPUT with one line "NAME:LINE: reason" (fuzz_common.h); a reading
 * it accepts must hold its promises: at least one test, tests numbered 1.. in order, every
 * test with rows, sizes > 0 and never going back, times > 0 and finite, -g in [1, 1024], the
 * 0-byte rows counted apart, a GPU count that is the caller's (--gpus) when one is given. The
 * first input byte chooses between no --gpus and --gpus 8, so both paths are fuzzed. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz_common.h"
#include "parsim/coll.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_reading(const ps_nccl_log *log, int gpus)
{
    if (log->n_curves < 1)
        abort();
    for (int i = 0; i < log->n_curves; i++) {
        const ps_nccl_curve *c = &log->curves[i];
        if (c->n_rows < 1 || c->zero_rows < 0 || c->gpus_per_thread < 1 || c->gpus_per_thread > 1024)
            abort();
        if ((c->section != i + 1 && c->section != 0) || c->line < 1)
            abort();
        if (gpus > 0 && c->gpus != gpus)
            abort();
        if (c->gpus < 0 || (c->has_op && !c->op_name[0]))
            abort();
        for (int r = 0; r < c->n_rows; r++) {
            if (!(c->time_us[r] > 0) || !isfinite(c->time_us[r]) || !(c->size_bytes[r] >= 0))
                abort();
            if (c->section && (!(c->size_bytes[r] > 0) ||
                               (r > 0 && c->size_bytes[r] < c->size_bytes[r - 1])))
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char name[] = "fuzz.log";
    int gpus = size > 0 && (data[0] & 1) ? 8 : 0;
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return 0; /* size 0: glibc refuses an empty buffer */
    ps_nccl_log log;
    ps_error err = {0};
    int rc = ps_nccl_log_read_stream(f, name, gpus, &log, &err);
    fclose(f);
    fuzz_check_error(name, rc, &err);
    if (rc == PS_OK) {
        check_reading(&log, gpus);
        ps_nccl_log_free(&log);
    }
    return 0;
}
