/* tests/import/test_import_real.c: the real Kineto trace recorded with torch.profiler on an
 * NVIDIA H200 (traces/h200-torch-reference/kineto_decoder.json, README beside it): it imports,
 * the trace reads back with the strict readers and passes ps_trace_check, and its facts are
 * plausible. Op ids: the importer takes them from the CPU-side record_function range around each
 * launch; this test recomputes them independently from Kineto's GPU-side gpu_user_annotation
 * spans (innermost span on the kernel's stream containing it) and wants the same id for every
 * activity. Skips (77) when the file is absent. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/json_stream.h"
#include "import_test_util.h"

#define MAX_EVENTS 1024 /* the file has 66 gpu_user_annotation and 244 GPU activity events */

typedef struct span {
    int64_t corr, stream, start_ns, end_ns;
    char name[128];
} span;

typedef struct gpu_side {
    span spans[MAX_EVENTS], acts[MAX_EVENTS];
    size_t n_spans, n_acts;
} gpu_side;

static bool us_field(const ps_jv *ev, const char *key, int64_t *ns)
{
    return ps_jv_us_to_ns(ps_jv_get(ev, key), ns);
}

/* Collects the GPU activities (by correlation) and the gpu_user_annotation spans, times in exact
 * integer ns as the importer converts them (ps_jv_us_to_ns). */
static int read_gpu_side(const char *path, gpu_side *g)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    ps_json_reader *r = malloc(sizeof *r);
    ps_arena arena = {0};
    ps_jv *doc = NULL;
    ps_error err = {0};
    int rc = -1;
    ps_json_open(r, fp, path);
    if (ps_json_value(r, &arena, &doc, &err) == PS_OK) {
        const ps_jv *events = ps_jv_get(doc, "traceEvents");
        rc = events && events->type == PS_JV_ARRAY ? 0 : -1;
        for (const ps_jv *ev = events ? events->child : NULL; ev && !rc; ev = ev->next) {
            const ps_jv *cat = ps_jv_get(ev, "cat"), *name = ps_jv_get(ev, "name");
            const ps_jv *args = ps_jv_get(ev, "args");
            if (!cat || cat->type != PS_JV_STRING)
                continue;
            bool is_span = !strcmp(cat->text, "gpu_user_annotation");
            bool is_act = !strcmp(cat->text, "kernel") || !strcmp(cat->text, "gpu_memset") ||
                          !strcmp(cat->text, "gpu_memcpy");
            if (!is_span && !is_act)
                continue;
            span s = {0};
            int64_t dur;
            if (!us_field(ev, "ts", &s.start_ns) || !us_field(ev, "dur", &dur) ||
                !ps_jv_to_i64(ps_jv_get(ev, "tid"), &s.stream))
                rc = -1;
            s.end_ns = s.start_ns + dur;
            if (is_act && !ps_jv_to_i64(ps_jv_get(args, "correlation"), &s.corr))
                rc = -1;
            if (is_span)
                snprintf(s.name, sizeof s.name, "%s", name ? name->text : "");
            size_t *n = is_span ? &g->n_spans : &g->n_acts;
            if (*n == MAX_EVENTS)
                rc = -1;
            else
                (is_span ? g->spans : g->acts)[(*n)++] = s;
        }
    }
    ps_arena_free(&arena);
    free(r);
    fclose(fp);
    return rc;
}

/* Kineto's attribution of the activity with correlation `corr`: the shortest gpu_user_annotation
 * span on its stream that contains it ("" if none). */
static const char *gpu_side_op(const gpu_side *g, uint64_t corr)
{
    const span *a = NULL, *best = NULL;
    for (size_t i = 0; i < g->n_acts && !a; i++)
        if ((uint64_t)g->acts[i].corr == corr)
            a = &g->acts[i];
    for (size_t i = 0; a && i < g->n_spans; i++) {
        const span *s = &g->spans[i];
        if (s->stream == a->stream && s->start_ns <= a->start_ns && a->end_ns <= s->end_ns &&
            (!best || s->end_ns - s->start_ns < best->end_ns - best->start_ns))
            best = s;
    }
    return best ? best->name : "";
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

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
    gpu_side *g = calloc(1, sizeof *g);
    CHECK(g && read_gpu_side(in, g) == 0, "cannot read the GPU side of %s", in);
    /* The README's 2 layers x 3 steps x 11 kernel-launching ops (mlp_allreduce launches none). */
    CHECK(g->n_spans == 66, "gpu_user_annotation spans %zu", g->n_spans);

    ps_trace_reader *r;
    int gemm = 0, attention = 0, elementwise = 0, with_op = 0, same_as_gpu_side = 0, gemm_not_gemm_op = 0;
    int sdpa = 0, sdpa_not_attention_op = 0, l001_attention = 0;
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
            const char *op = a.op_id ? a.op_id : "";
            with_op += op[0] != '\0';
            same_as_gpu_side += !strcmp(op, gpu_side_op(g, a.correlation_id));
            if (strstr(a.name, "nvjet") && !ends_with(op, "_gemm"))
                gemm_not_gemm_op++;
            if (strstr(a.name, "sdpa")) {
                sdpa++;
                sdpa_not_attention_op += !ends_with(op, "/attention");
            }
            l001_attention += strstr(op, "/L001/attention") != NULL;
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
    /* record_reference.py launches every op inside record_function (README), so every activity,
     * memsets included, has an op id, and it is the one Kineto's GPU-side spans give. */
    CHECK(with_op == 244 && st.acts_with_op_id == 244, "activities with an op id %d (stats %llu)", with_op,
          (unsigned long long)st.acts_with_op_id);
    CHECK(same_as_gpu_side == 244, "op ids equal to the gpu_user_annotation attribution %d of 244", same_as_gpu_side);
    /* The GEMMs run inside the *_gemm ranges, cuDNN SDPA inside the attention ranges. */
    CHECK(gemm_not_gemm_op == 0, "%d nvjet GEMM kernels outside a *_gemm op", gemm_not_gemm_op);
    CHECK(sdpa >= 6 && sdpa_not_attention_op == 0, "%d of %d SDPA kernels outside an attention op",
          sdpa_not_attention_op, sdpa);
    CHECK(l001_attention > 0, "no kernel of L001/attention");
    free(g);
    printf("real H200 trace: %llu kernels (%d GEMM, %d attention, %d elementwise), %llu clipped, span %lld ns, "
           "%d activities with op ids (%d as on the GPU side)\n",
           (unsigned long long)st.kernels, gemm, attention, elementwise, (unsigned long long)st.overlaps_clipped,
           (long long)st.span_ns, with_op, same_as_gpu_side);
    imp_rm_rf(dir);
    return failures ? 1 : 0;
}
