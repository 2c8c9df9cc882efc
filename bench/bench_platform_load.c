/* bench/bench_platform_load.c: how long it takes to generate and load the big platforms.
 *
 * The issue asks that gb200-nvl72 loads in under a second; dgx-h100-x16 (128 GPUs, 8256 routes)
 * is the biggest preset. SimGrid allows one platform per process, so every repetition runs in a
 * forked child: generate the preset into a temp file, ps_platform_load it (the forked validation
 * child, SimGrid's load and parsim's route checks), then summarise the pair matrix (every
 * ordered GPU pair's route, as --describe does). Prints the median and min of REPS runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "parsim/platform.h"

#define REPS 5

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* One repetition in this (child) process: writes three times to fd. */
static int run_once(const char *preset, int fd)
{
    char path[256];
    snprintf(path, sizeof path, "%s/bench-platform-%d.xml", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid());
    ps_error err = {0};
    ps_platform *p = NULL;
    ps_platform_summary s;
    double t[4];
    t[0] = now_s();
    int rc = ps_platform_generate_file(ps_platform_preset_find(preset), path, &err);
    t[1] = now_s();
    if (!rc)
        rc = ps_platform_load(path, &p, &err);
    t[2] = now_s();
    if (!rc)
        rc = ps_platform_summarize(p, &s, &err);
    t[3] = now_s();
    unlink(path);
    ps_platform_free(p);
    if (rc) {
        fprintf(stderr, "bench_platform_load: %s\n", err.message);
        return 1;
    }
    double d[3] = {t[1] - t[0], t[2] - t[1], t[3] - t[2]};
    return write(fd, d, sizeof d) == (ssize_t)sizeof d ? 0 : 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int bench(const char *preset)
{
    double runs[3][REPS];
    for (int r = 0; r < REPS; r++) {
        int fds[2];
        if (pipe(fds) != 0)
            return 1;
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0) {
            close(fds[0]);
            _exit(run_once(preset, fds[1]));
        }
        close(fds[1]);
        double d[3];
        ssize_t got = read(fds[0], d, sizeof d);
        close(fds[0]);
        int status;
        waitpid(pid, &status, 0);
        if (got != (ssize_t)sizeof d || !WIFEXITED(status) || WEXITSTATUS(status))
            return 1;
        for (int k = 0; k < 3; k++)
            runs[k][r] = d[k];
    }
    const char *what[3] = {"generate", "load", "pair summary"};
    const ps_platform_spec *spec = ps_platform_preset_find(preset);
    printf("bench_platform_load: %-13s %4d GPUs:", preset, spec->node_count * spec->gpus_per_node);
    for (int k = 0; k < 3; k++) {
        qsort(runs[k], REPS, sizeof runs[k][0], cmp_double);
        printf("  %s %.4f s (min %.4f)", what[k], runs[k][REPS / 2], runs[k][0]);
    }
    printf("   [median of %d]\n", REPS);
    return 0;
}

int main(void)
{
    static const char *const presets[] = {"hgx-h100", "gb200-nvl72", "dgx-h100-x16"};
    int rc = 0;
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        rc |= bench(presets[i]);
    return rc;
}
