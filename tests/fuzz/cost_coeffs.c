/* libFuzzer target: the cost-coefficient reader (core/cost/cost_coeffs.c) behind
 * ps_cost_model_create, which `parsim cost --coeffs FILE` and the data lookup feed. Oracle: a
 * rejection is one line naming the file (fuzz_file.h); an accepted file prices one op of every
 * kind with a finite, positive time (every parameter is range-checked on reading, so no
 * coefficient file can make the closed forms divide by zero or overflow). */
#include <math.h>

#include "fuzz_file.h"
#include "parsim/cost.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_file(data, size, ".cost");
    ps_cost_model *m = NULL;
    ps_error err = {0};
    int rc = ps_cost_model_create(ps_gpu_find("h100-sxm"), path, &m, &err);
    fuzz_check_file_error(path, rc, err.message);
    if (rc != PS_OK)
        return 0;
    const ps_cost_query qs[] = {
        {.kind = PS_OP_GEMM, .m = 1, .n = 1, .k = 1},
        {.kind = PS_OP_GEMM, .dtype = PS_DTYPE_FP8, .launch = PS_LAUNCH_EAGER, .m = 8192, .n = 57344, .k = 16384},
        {.kind = PS_OP_ATTENTION, .phase = PS_PHASE_PREFILL, .seqs = 1, .tokens = 1, .context = 1, .heads = 1,
         .kv_heads = 1, .head_dim = 1},
        {.kind = PS_OP_ATTENTION, .phase = PS_PHASE_DECODE, .seqs = 256, .tokens = 256, .context = 131072,
         .heads = 128, .kv_heads = 8, .head_dim = 128},
        {.kind = PS_OP_RMSNORM, .tokens = 1, .width = 1},
        {.kind = PS_OP_SAMPLING, .tokens = 4096, .width = 128256},
    };
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        ps_cost_answer a;
        if (ps_cost_estimate(m, &qs[i], &a, &err) || !isfinite(a.time_us) || !(a.time_us > 0))
            __builtin_trap();
    }
    ps_cost_model_free(m);
    return 0;
}
