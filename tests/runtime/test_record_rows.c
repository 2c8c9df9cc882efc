/* CUPTI records -> trace: synthetic CUpti_ActivityKernel10 / Memcpy6 / Memset4 /
 * ExternalCorrelation records, laid out as CUPTI's headers define them, go through the same
 * collector and writer as a real recording. The trace is written to argv[1] (ctest then runs
 * `parsim trace check` on it when the project's CLI is built) and read back here line by line.
 *
 * The synthetic run: llama3.1-8b TP2, decode batch 2, context 65, one layer (--layers 1), one
 * warm-up step and 2 measured steps, eager launches; every launch gets one kernel (NCCL calls
 * too), 1 us each, back to back per rank.
 */
#include <cupti_activity.h>
#include <sys/stat.h>

#include "record.h"
#include "record_rows.h"
#include "rt_test.h"

#define ITERS 2

static uint32_t next_correlation = 100;

static void feed_kernel(ps_rec_collector *c, int device, uint64_t ext, uint64_t start, uint64_t end, const char *name,
                        uint64_t graph_node)
{
    ps_error err = {0};
    uint32_t corr = next_correlation++;
    if (!graph_node) {
        CUpti_ActivityExternalCorrelation e;
        memset(&e, 0, sizeof e);
        e.kind = CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION;
        e.externalKind = CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM0;
        e.externalId = ext;
        e.correlationId = corr;
        CHECK(ps_rec_collect_cupti(c, &e, &err) == PS_OK);
    }
    CUpti_ActivityKernel10 k;
    memset(&k, 0, sizeof k);
    k.kind = CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL;
    k.deviceId = (uint32_t)device;
    k.streamId = 13;
    k.correlationId = corr;
    k.graphNodeId = graph_node;
    k.start = start;
    k.end = end;
    k.gridX = 64, k.gridY = 1, k.gridZ = 1, k.blockX = 256, k.blockY = 1, k.blockZ = 1;
    k.name = name;
    CHECK(ps_rec_collect_cupti(c, &k, &err) == PS_OK);
}

static const char *kernel_name(const ps_rec_launch *l)
{
    switch (l->kind) {
    case PS_RL_ALLREDUCE: return "_Z40ncclDevKernel_AllReduce_Sum_bf16_RING_LL24ncclDevKernelArgsStorageILm4096EE";
    case PS_RL_GEMM: return "_Z9gemm_tileIfEvPKT_i";
    case PS_RL_RMSNORM: return "_Z17ps_rmsnorm_kernelPK13__nv_bfloat16S1_PS_lf";
    default: return ps_rec_launch_kind_name(l->kind);
    }
}

/* One step of every rank: each launch one kernel of 1 us; graph mode for rank 1 of the second
 * measured step (kernels found through graph node ids instead of external correlation). */
static void feed_step(ps_rec_collector *c, const ps_rec_plan *p, uint64_t *clock, bool graph)
{
    for (int slot = 0; slot < p->nranks; slot++) {
        const ps_rec_rank_plan *r = &p->ranks[slot];
        uint64_t t = *clock;
        for (size_t i = 0; i < r->nlaunches; i++, t += 1000) {
            uint64_t ext = ps_rec_ext_id(slot, (int)i), node = 0;
            if (graph && slot == 1) {
                ps_error err = {0};
                node = 5000 + i;   /* captured node, then its instantiated clone */
                CHECK(ps_rec_collect_graph_node(c, node, ext, &err) == PS_OK);
                CHECK(ps_rec_collect_graph_clone(c, node + 100000, node, &err) == PS_OK);
                node += 100000;
            }
            feed_kernel(c, r->device, ext, t, t + 1000, kernel_name(&r->launches[i]), node);
        }
    }
    *clock += 1000000;
}

static int count_lines(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return -1;
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, fp))
        n += !needle || strstr(line, needle) != NULL;
    fclose(fp);
    return n;
}

/* Shard emulation: rank 11 of llama3.1-405b TP8 x PP8 (stage 1), one layer, on one GPU. Its
 * kernels are recorded, its NCCL calls only sized: comm rows without times, one per call per
 * step, seq counting per communicator and peer. Written to `dir` for parsim trace check. */
static void test_emulated(const char *dir)
{
    char *args[] = {"parsim-record", "--model", "llama3.1-405b", "--tp", "8", "--pp", "8", "--batch", "8", "--isl",
                    "256", "--dtype", "fp8", "--emulate-rank", "11", "--layers", "1", "--iters", "2", "-o",
                    (char *)dir, NULL};
    ps_rec_options o;
    ps_rec_plan p;
    ps_error err = {0};
    if (ps_rec_parse_args(21, args, &o, &err) || ps_rec_plan_build(&o, &p, &err)) {
        fprintf(stderr, "%s\n", err.message);
        CHECK(0);
        return;
    }
    ps_rec_collector c;
    ps_rec_collector_init(&c);
    c.device_rank[0] = 0;
    c.stream_ids[0][0] = 13, c.stream_ids[0][1] = 14, c.stream_ids[0][2] = 15;
    uint64_t clock = UINT64_C(1000000000);
    size_t executed = 0, comms = 0;
    for (int it = 0; it < ITERS; it++)
        for (size_t i = 0; i < p.ranks[0].nlaunches; i++, clock += 1000) {
            const ps_rec_launch *l = &p.ranks[0].launches[i];
            if (!l->executed) {
                comms++;
                continue;
            }
            executed++;
            feed_kernel(&c, 0, ps_rec_ext_id(0, (int)i), clock, clock + 1000, kernel_name(l), 0);
        }
    ps_trace_meta meta;
    CHECK(ps_rec_trace_meta(&o, &p, &meta, &err) == PS_OK);
    ps_rec_write_stats st;
    int rc = ps_rec_write_trace(&c, &p, &meta, ITERS, 0, dir, true, &st, &err);
    if (rc)
        fprintf(stderr, "write: %s\n", err.message);
    CHECK(rc == PS_OK && st.activities == executed && st.comms == comms);
    CHECK(comms == ITERS * 8 * (2 * 1 + 2)); /* per microbatch: 2 all-reduces of the layer, recv, send */
    char path[1200];
    snprintf(path, sizeof path, "%s/comms.csv", dir);
    /* microbatch 7's receive from rank 3 (stage 0) in the second step: seq 8 + 7, 1 token x 16384 x
     * 2 bytes, no times */
    CHECK(count_lines(path, "11,14,decode/mb7/S1/pp_recv,0,recv,32768,bf16,3,pp0-1,2,15,,\n") == 1);
    CHECK(count_lines(path, ",allreduce,") == ITERS * 8 * 2);
    snprintf(path, sizeof path, "%s/meta.json", dir);
    CHECK(count_lines(path, "\"emulated_rank\": 11") == 1 && count_lines(path, "\"shard_emulation\": true") == 1);
    CHECK(count_lines(path, "\"layer_first\": 15") == 1 && count_lines(path, "\"layer_count\": 1") == 1);
    ps_rec_collector_free(&c);
    ps_rec_plan_free(&p);
}

/* Graph node ids are any uint64 (CUPTI's): the ext-id maps take 0 and UINT64_MAX like any
 * other key (the private map they replaced stored id + 1, so UINT64_MAX wrapped onto its empty
 * mark), and a clone inherits its original's ext id; an id never registered stays absent. */
static void test_graph_node_edges(void)
{
    ps_rec_collector c;
    ps_rec_collector_init(&c);
    ps_error err = {0};
    uint64_t ext_max = ps_rec_ext_id(1, 7), ext_zero = ps_rec_ext_id(0, 3);
    CHECK(ps_rec_collect_graph_node(&c, UINT64_MAX, ext_max, &err) == PS_OK);
    CHECK(ps_rec_collect_graph_node(&c, 0, ext_zero, &err) == PS_OK);
    CHECK(ps_rec_collect_graph_clone(&c, 42, UINT64_MAX, &err) == PS_OK);
    CHECK(ps_rec_collect_graph_clone(&c, 43, 12345, &err) == PS_OK); /* not ours: ignored */
    const int64_t *v = ps_u64map_find(&c.ext_by_graph_node, 42);
    CHECK(v && (uint64_t)*v == ext_max);
    v = ps_u64map_find(&c.ext_by_graph_node, UINT64_MAX);
    CHECK(v && (uint64_t)*v == ext_max);
    v = ps_u64map_find(&c.ext_by_graph_node, 0);
    CHECK(v && (uint64_t)*v == ext_zero);
    CHECK(ps_u64map_find(&c.ext_by_graph_node, 43) == NULL);
    CHECK(c.ext_by_graph_node.len == 3);
    ps_rec_collector_free(&c);
}

int main(int argc, char **argv)
{
    test_graph_node_edges();
    const char *dir = argc > 1 ? argv[1] : "rows-trace";
    char *args[] = {"parsim-record", "--model", "llama3.1-8b", "--tp", "2", "--batch", "2", "--isl", "64",
                    "--layers", "1", "--launch", "eager", "--iters", "2", "--warmup", "1", "-o", (char *)dir, NULL};
    ps_rec_options o;
    ps_rec_plan p;
    ps_error err = {0};
    if (ps_rec_parse_args(19, args, &o, &err) || ps_rec_plan_build(&o, &p, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    ps_rec_collector c;
    ps_rec_collector_init(&c);
    c.device_rank[0] = 0;
    c.device_rank[1] = 1;
    uint64_t clock = UINT64_C(1700000000000000000); /* CLOCK_REALTIME-like ns */
    feed_step(&c, &p, &clock, false);               /* warm-up */
    uint64_t window = clock;
    feed_step(&c, &p, &clock, false);
    feed_step(&c, &p, &clock, true);
    /* a memcpy and a memset during the window on rank 0, neither tagged with a launch */
    CUpti_ActivityMemcpy6 mc;
    memset(&mc, 0, sizeof mc);
    mc.kind = CUPTI_ACTIVITY_KIND_MEMCPY;
    mc.copyKind = CUPTI_ACTIVITY_MEMCPY_KIND_DTOH;
    mc.srcKind = CUPTI_ACTIVITY_MEMORY_KIND_DEVICE;
    mc.dstKind = CUPTI_ACTIVITY_MEMORY_KIND_PINNED;
    mc.bytes = 64;
    mc.start = clock, mc.end = clock + 500, mc.streamId = 14, mc.correlationId = 9;
    CHECK(ps_rec_collect_cupti(&c, &mc, &err) == PS_OK);
    CUpti_ActivityMemset4 ms;
    memset(&ms, 0, sizeof ms);
    ms.kind = CUPTI_ACTIVITY_KIND_MEMSET;
    ms.memoryKind = CUPTI_ACTIVITY_MEMORY_KIND_DEVICE;
    ms.bytes = 128, ms.start = clock + 600, ms.end = clock + 700, ms.streamId = 14, ms.correlationId = 10;
    CHECK(ps_rec_collect_cupti(&c, &ms, &err) == PS_OK);

    ps_trace_meta meta;
    CHECK(ps_rec_trace_meta(&o, &p, &meta, &err) == PS_OK);
    snprintf(meta.gpu_name, sizeof meta.gpu_name, "Synthetic H100");
    ps_rec_write_stats st;
    int rc = ps_rec_write_trace(&c, &p, &meta, ITERS, window, dir, true, &st, &err);
    if (rc)
        fprintf(stderr, "write: %s\n", err.message);
    CHECK(rc == PS_OK);
    size_t launches = p.ranks[0].nlaunches + p.ranks[1].nlaunches;
    size_t comms = 0;
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < p.ranks[s].nlaunches; i++)
            comms += ps_rec_launch_is_comm(p.ranks[s].launches[i].kind);
    CHECK(st.warmup_dropped == launches);
    CHECK(st.activities == ITERS * launches + 2);
    CHECK(st.comms == ITERS * comms);
    CHECK(st.unattributed == 2);

    char path[1024];
    snprintf(path, sizeof path, "%s/activities.csv", dir);
    CHECK(count_lines(path, NULL) == (int)(1 + ITERS * launches + 2));
    /* demangled names; op ids from the plan on both ranks, also for the graph-mode step */
    /* per rank: the embedding's and the layer's two all-reduces */
    CHECK(count_lines(path, "ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)") ==
          2 * ITERS * 3);
    CHECK(count_lines(path, ",decode/mb0/L000/qkv_gemm,") == 2 * ITERS);
    CHECK(count_lines(path, "void gemm_tile<float>(float const*, int)") == 2 * ITERS * 5); /* 4 layer GEMMs + LM head */
    CHECK(count_lines(path, "Memcpy DtoH (Device -> Pinned)") == 1);
    CHECK(count_lines(path, "Memset (Device)") == 1);
    snprintf(path, sizeof path, "%s/comms.csv", dir);
    CHECK(count_lines(path, NULL) == (int)(1 + ITERS * comms));
    CHECK(count_lines(path, ",decode/mb0/L000/attn_allreduce,") == 2 * ITERS);
    /* tp0 carries 3 all-reduces and the logits all-gather per step: the second step's first call
     * (the embedding's all-reduce) has seq 4 on both ranks */
    CHECK(count_lines(path, "decode/mb0/embed/embed_allreduce,") == 2 * ITERS);
    CHECK(count_lines(path, ",allreduce,16384,bf16,,tp0,2,4,") == 2);
    snprintf(path, sizeof path, "%s/meta.json", dir);
    CHECK(count_lines(path, "\"format\": \"parsim-trace 2\"") == 1);
    CHECK(count_lines(path, "\"launch_mode\": \"eager\"") == 1);
    CHECK(count_lines(path, "\"measured_iterations\": 2") == 1);
    snprintf(path, sizeof path, "%s/ops.csv", dir);
    CHECK(count_lines(path, NULL) == (int)(1 + p.ranks[0].ops->count - 31 * 13)); /* 1 of 32 layers' 13 ops */

    /* a lost timestamp and dropped records make the recording fail, and nothing is written */
    CUpti_ActivityKernel10 bad;
    memset(&bad, 0, sizeof bad);
    bad.kind = CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL;
    bad.start = clock + 5000, bad.end = clock + 4000, bad.name = "broken";
    CHECK(ps_rec_collect_cupti(&c, &bad, &err) == PS_OK);
    char dir2[1100];
    snprintf(dir2, sizeof dir2, "%s-bad", dir);
    CHECK(ps_rec_write_trace(&c, &p, &meta, ITERS, window, dir2, true, &st, &err) == PS_EINPUT);
    CHECK_STR(err.message, "CUPTI lost the timestamps of 1 records (start 0 or end before start): the recording is "
                           "incomplete; record fewer --iters");
    struct stat sb;
    CHECK(stat(dir2, &sb) != 0);
    c.dropped = 3;
    CHECK(ps_rec_write_trace(&c, &p, &meta, ITERS, window, dir2, true, &st, &err) == PS_EINPUT);
    CHECK_STR(err.message, "CUPTI dropped 3 activity records (buffers full): the trace would be incomplete; record "
                           "fewer --iters");
    ps_rec_collector_free(&c);
    ps_rec_plan_free(&p);
    char emulated[1100];
    snprintf(emulated, sizeof emulated, "%s-emulated", dir);
    test_emulated(emulated);
    return rt_result("test_record_rows");
}
