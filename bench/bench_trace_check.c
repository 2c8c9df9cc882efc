/* bench_trace_check: speed and memory of the trace writer and of `parsim trace check` on big traces.
 *
 *   build/bin/bench_trace_check [MB] [DIR]     (default 1024 MB in $TMPDIR or /tmp)
 *
 * Writes a synthetic trace of about MB megabytes of activities.csv (TP8 over 8 ranks, 2 streams
 * each, long quoted C++ kernel names, one all-reduce per 16 kernels), then runs ps_trace_check in
 * a child process and reports its wall time and peak RSS (getrusage of the child). It does the
 * same for a 1 MB trace: the readers stream, so both peaks should be about equal, whatever MB is
 * (docs/trace-format.md promises bounded memory on a 1 GB file). Not a test: numbers vary with
 * the machine and its load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "parsim/trace.h"

#define RANKS 8

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static long file_bytes(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Writes ~target_bytes of activities; returns rows written or -1. */
static long write_trace(const char *dir, long target_bytes)
{
    static const char *const names[] = {
        "void at::native::vectorized_elementwise_kernel<4, at::native::(anonymous namespace)::silu_kernel("
        "at::TensorIteratorBase&)::{lambda()#1}::operator()() const::{lambda()#4}::operator()() const::"
        "{lambda(c10::BFloat16)#1}, std::array<char*, 2ul> >(int, ..., std::array<char*, 2ul>)",
        "nvjet_sm90_tst_64x32_64x16_2x1_v_bz_splitK_NNT",
        "ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)",
        "kernel \"with quotes\", commas, <angles>",
    };
    ps_trace_meta meta;
    ps_trace_meta_init(&meta, PS_TRACE_SOURCE_SYNTHETIC);
    meta.tp = RANKS;
    meta.pp = 1;
    meta.dp = 1;
    meta.gpu_count = RANKS;
    ps_trace_writer *w;
    ps_error err = {0};
    if (ps_trace_writer_open(&w, dir, &meta, PS_TRACE_WRITE_OVERWRITE, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    long rows = 0, bytes = 0;
    int64_t t = 1000;
    uint64_t seq = 0;
    for (long step = 0; bytes < target_bytes; step++) {
        for (int r = 0; r < RANKS; r++) {
            const char *name = names[step % 4];
            ps_trace_activity a = {.rank = r, .device = r, .stream = 7 + (step % 2), .op_id = "decode/mb0/L000/x",
                                   .correlation_id = (uint64_t)step, .kind = PS_TRACE_KERNEL, .name = name,
                                   .start_ns = t, .end_ns = t + 900, .grid = {64, 1, 1}, .block = {128, 1, 1}};
            if (ps_trace_write_activity(w, &a, &err))
                goto fail;
            bytes += 100 + (long)strlen(name);
            rows++;
            if (step % 16 == 0) {
                ps_trace_comm c = {.rank = r, .stream = 7, .op_id = "decode/mb0/L000/ar", .collective = PS_TRACE_ALLREDUCE,
                                   .bytes = 65536, .dtype = "bf16", .peer = -1, .group_id = "tp0",
                                   .group_size = RANKS, .seq = seq, .start_ns = t, .end_ns = t + 900};
                if (ps_trace_write_comm(w, &c, &err))
                    goto fail;
            }
        }
        if (step % 16 == 0)
            seq++;
        t += 1000;
    }
    if (ps_trace_writer_close(w, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    return rows;
fail:
    fprintf(stderr, "%s\n", err.message);
    ps_trace_writer_abort(w);
    return -1;
}

/* Runs ps_trace_check in a child; returns its peak RSS in KiB (or -1) and its wall time. */
static long check_in_child(const char *dir, double *seconds)
{
    double t0 = now_s();
    pid_t pid = fork();
    if (pid == 0) {
        ps_trace_summary s;
        ps_error err = {0};
        int rc = ps_trace_check(dir, &s, &err);
        if (rc)
            fprintf(stderr, "%s\n", err.message);
        else
            ps_trace_summary_free(&s);
        _exit(rc);
    }
    int status;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    *seconds = now_s() - t0;
    return ru.ru_maxrss;
}

static int run(const char *dir, long mb)
{
    double t0 = now_s();
    long rows = write_trace(dir, mb << 20);
    if (rows < 0)
        return 1;
    double write_s = now_s() - t0;
    long size = file_bytes(dir, PS_TRACE_ACTIVITIES_FILE) + file_bytes(dir, PS_TRACE_COMMS_FILE);
    double check_s = 0;
    long rss_kib = check_in_child(dir, &check_s);
    if (rss_kib < 0)
        return 1;
    printf("%5ld MB target: %ld activity rows, %.1f MB on disk; write %.1f s (%.0f MB/s); check %.1f s (%.0f MB/s), "
           "peak RSS %ld KiB\n",
           mb, rows, (double)size / 1e6, write_s, (double)size / 1e6 / write_s, check_s,
           (double)size / 1e6 / check_s, rss_kib);
    return 0;
}

int main(int argc, char **argv)
{
    long mb = argc > 1 ? atol(argv[1]) : 1024;
    const char *base = argc > 2 ? argv[2] : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mb < 1) {
        fprintf(stderr, "usage: %s [MB >= 1] [DIR]\n", argv[0]);
        return 2;
    }
    char small[1024], big[1024];
    snprintf(small, sizeof small, "%s/parsim-bench-trace-small.%d", base, (int)getpid());
    snprintf(big, sizeof big, "%s/parsim-bench-trace-big.%d", base, (int)getpid());
    int rc = run(small, 1);
    if (!rc)
        rc = run(big, mb);
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", small, big);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s and %s\n", small, big);
    return rc;
}
