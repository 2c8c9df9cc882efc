/* bench/bench_cost.c: how fast the op cost model answers (the replay asks millions of times).
 *
 * 1. ps_cost_estimate from the model on a mix of every compute kind (Llama-3.1-70B TP8 decode
 *    and prefill shapes), 2e6 calls: answers per second and ns per answer.
 * 2. `parsim cost --queries` on a 100k-row CSV (the same mix), through the parsim binary next to
 *    this one: wall seconds, which the issue wants under 1 s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "parsim/cost.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int mix(ps_cost_query *q)
{
    int n = 0;
    memset(q, 0, 8 * sizeof *q);
    q[n++] = (ps_cost_query){.kind = PS_OP_GEMM, .m = 64, .n = 1280, .k = 8192};
    q[n++] = (ps_cost_query){.kind = PS_OP_GEMM, .m = 4096, .n = 7168, .k = 8192};
    q[n++] = (ps_cost_query){.kind = PS_OP_ATTENTION, .phase = PS_PHASE_DECODE, .seqs = 64, .tokens = 64,
                             .context = 2048, .heads = 8, .kv_heads = 1, .head_dim = 128};
    q[n++] = (ps_cost_query){.kind = PS_OP_ATTENTION, .phase = PS_PHASE_PREFILL, .seqs = 2, .tokens = 4096,
                             .context = 2048, .heads = 8, .kv_heads = 1, .head_dim = 128};
    q[n++] = (ps_cost_query){.kind = PS_OP_RMSNORM, .tokens = 64, .width = 8192};
    q[n++] = (ps_cost_query){.kind = PS_OP_SILU_MUL, .tokens = 64, .width = 3584};
    q[n++] = (ps_cost_query){.kind = PS_OP_ROPE, .tokens = 64, .width = 1152};
    q[n++] = (ps_cost_query){.kind = PS_OP_RESIDUAL, .tokens = 64, .width = 8192};
    return n;
}

static int bench_queries_cli(const char *self)
{
    char dir[1024], csv[1100], cmd[3400];
    snprintf(dir, sizeof dir, "%s", self);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    snprintf(csv, sizeof csv, "%s/bench-cost-%d.csv", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    FILE *fp = fopen(csv, "w");
    if (!fp)
        return 1;
    fprintf(fp, "op,m,n,k,phase,seqs,tokens,context,heads,kv_heads,width\n");
    for (int i = 0; i < 100000; i++)
        switch (i % 4) {
        case 0: fprintf(fp, "gemm,%d,1280,8192,,,,,,,\n", 1 + i % 4096); break;
        case 1: fprintf(fp, "attention,,,,decode,64,64,%d,8,1,\n", 1 + i % 8192); break;
        case 2: fprintf(fp, "rmsnorm,,,,,,%d,,,,8192\n", 1 + i % 8192); break;
        default: fprintf(fp, "silu_mul,,,,,,%d,,,,3584\n", 1 + i % 8192); break;
        }
    fclose(fp);
    snprintf(cmd, sizeof cmd, "'%s/parsim' cost --gpu h200-sxm --queries '%s' -o '%s.out'", dir, csv, csv);
    double t0 = now_s();
    int rc = system(cmd);
    double t1 = now_s();
    printf("parsim cost --queries, 100000 rows: %.3f s wall (%.0f rows/s)%s\n", t1 - t0, 1e5 / (t1 - t0),
           rc ? " FAILED" : "");
    char out[1200];
    snprintf(out, sizeof out, "%s.out", csv);
    unlink(csv);
    unlink(out);
    return rc != 0;
}

int main(int argc, char **argv)
{
    (void)argc;
    ps_cost_model *m = NULL;
    ps_error err = {0};
    if (ps_cost_model_create(ps_gpu_find("h200-sxm"), NULL, &m, &err)) {
        fprintf(stderr, "bench_cost: %s\n", err.message);
        return 1;
    }
    ps_cost_query q[8];
    int n = mix(q);
    const long calls = 2000000;
    double sink = 0, t0 = now_s();
    for (long i = 0; i < calls; i++) {
        ps_cost_answer a;
        q[i % n].m += (i & 1); /* defeat any caching the compiler could see */
        ps_cost_estimate(m, &q[i % n], &a, &err);
        sink += a.time_us;
    }
    double dt = now_s() - t0;
    printf("ps_cost_estimate (model, 8-kind mix): %ld answers in %.3f s = %.2e answers/s, %.0f ns each "
           "(checksum %.3g)\n", calls, dt, calls / dt, dt / calls * 1e9, sink);
    ps_cost_model_free(m);
    return bench_queries_cli(argv[0]);
}
