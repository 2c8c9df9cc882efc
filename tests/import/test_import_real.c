/* tests/import/test_import_real.c: the real Kineto trace recorded with torch.profiler on an
 * NVIDIA H200 (traces/h200-torch-reference/kineto_decoder.json, README beside it): it imports,
 * the trace reads back with the strict readers and passes ps_trace_check, and its facts are
 * plausible. Skips (77) when the file is absent. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_test_util.h"

int main(void)
{
    const char *src = getenv("PARSIM_SOURCE_DIR");
    char in[1024];
    snprintf(in, sizeof in, "%s/traces/h200-torch-reference/kineto_decoder.json", src ? src : ".");
    FILE *probe = fopen(in, "rb");
    if (!probe) {
        fprintf(stderr, "SKIP: %s is absent\n", in);
        return 77;
    }
    fclose(probe);
    char dir[64], out[128];
    imp_scratch(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/trace", dir);
    ps_import_options opts;
    ps_import_options_init(&opts);
    ps_import_stats st;
    ps_error err = {0};
    int failures = 0;
#define CHECK(cond, ...)                                                                                          \
    do {                                                                                                          \
        if (!(cond)) {                                                                                            \
            fprintf(stderr, "FAIL %s: ", #cond);                                                                  \
            fprintf(stderr, __VA_ARGS__);                                                                         \
            fputc('\n', stderr);                                                                                  \
            failures++;                                                                                           \
        }                                                                                                         \
    } while (0)
    int rc = ps_importer_find("kineto")->import(in, out, &opts, &st, &err);
    CHECK(rc == PS_OK, "import: %s", err.message);
    if (rc) {
        imp_rm_rf(dir);
        return 1;
    }
    /* The README says 240 GPU kernels; the file also holds 4 memsets (grep "gpu_memset"). */
    CHECK(st.kernels == 240, "kernels %llu", (unsigned long long)st.kernels);
    CHECK(st.memsets == 4, "memsets %llu", (unsigned long long)st.memsets);
    /* world_size 1: NCCL launches no kernel for one rank, so there is nothing to time. */
    CHECK(st.nccl_kernels == 0 && st.comms == 0, "nccl %llu comms %llu", (unsigned long long)st.nccl_kernels,
          (unsigned long long)st.comms);
    /* cuBLASLt splitK reduce kernels start before their GEMM ends (PDL); the README's 2 layers x
     * (prefill + 2 decode steps) leave a handful, never most kernels. */
    CHECK(st.overlaps_clipped > 0 && st.overlaps_clipped < 40, "clipped %llu", (unsigned long long)st.overlaps_clipped);
    /* one prefill of ISL 1024 and two decode steps on 2 layers: milliseconds, not seconds */
    CHECK(st.span_ns > 1000000 && st.span_ns < 1000000000, "span %lld ns", (long long)st.span_ns);

    ps_trace_summary sum;
    memset(&sum, 0, sizeof sum);
    rc = ps_trace_check(out, &sum, &err);
    CHECK(rc == PS_OK, "trace check: %s", err.message);
    if (!rc) {
        CHECK(sum.kernels == 240 && sum.ranks == 1, "summary kernels %llu ranks %d", (unsigned long long)sum.kernels,
              sum.ranks);
        CHECK(strcmp(sum.meta.gpu_name, "NVIDIA H200") == 0, "gpu %s", sum.meta.gpu_name);
        ps_trace_summary_free(&sum);
    }

    /* Kernel names: the GEMMs are cuBLASLt nvjet kernels, attention is cuDNN/flash. */
    ps_trace_reader *r;
    int gemm = 0, attention = 0, elementwise = 0;
    int64_t busy_ns = 0;
    if (ps_trace_reader_open(&r, out, PS_TRACE_TABLE_ACTIVITIES, &err) == PS_OK) {
        ps_trace_activity a;
        bool done;
        while (ps_trace_next_activity(r, &a, &done, &err) == PS_OK && !done) {
            if (strstr(a.name, "nvjet") || strstr(a.name, "gemm") || strstr(a.name, "cutlass"))
                gemm++;
            if (strstr(a.name, "flash") || strstr(a.name, "fmha") || strstr(a.name, "cudnn") || strstr(a.name, "attention"))
                attention++;
            if (strstr(a.name, "elementwise"))
                elementwise++;
            busy_ns += a.end_ns - a.start_ns;
        }
        ps_trace_reader_close(r);
    } else {
        CHECK(false, "open: %s", err.message);
    }
    /* 2 layers x 3 steps x 4 GEMMs (QKV, O, gate+up, down) = 24 GEMM launches at least. */
    CHECK(gemm >= 24, "gemm kernels %d", gemm);
    /* 2 layers x 3 steps of attention */
    CHECK(attention >= 6, "attention kernels %d", attention);
    CHECK(elementwise > 0, "elementwise kernels %d", elementwise);
    CHECK(busy_ns > 0 && busy_ns < st.span_ns * 2, "busy %lld ns", (long long)busy_ns);
    printf("real H200 trace: %llu kernels (%d GEMM, %d attention, %d elementwise), %llu clipped, span %lld ns\n",
           (unsigned long long)st.kernels, gemm, attention, elementwise, (unsigned long long)st.overlaps_clipped,
           (long long)st.span_ns);
    imp_rm_rf(dir);
    return failures ? 1 : 0;
}
