/* tests/import/test_import_kineto.c: `parsim import kineto` on Kineto JSON written here.
 *
 * The fixtures follow what libkineto's output_json.cpp writes in PyTorch 2.4-2.11 (key names,
 * "ph"/"cat" values, args of kernels, record_param_comms fields as in the real H200 trace of
 * traces/h200-torch-reference/kineto_decoder.json, PyTorch 2.11). Every expected number below is
 * derived by hand from the fixture, in the comment next to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>

#include <zlib.h>

#include "import_test_util.h"

static const char *const basic_json =
    "{\n"
    "  \"schemaVersion\": 1,\n"
    "  \"deviceProperties\": [{\"id\": 0, \"name\": \"NVIDIA H200\", \"totalGlobalMem\": 150109880320}],\n"
    "  \"distributedInfo\": {\"backend\": \"nccl\", \"rank\": 3, \"world_size\": 8, \"nccl_version\": \"2.28.9\"},\n"
    "  \"cuda_driver_version\": 13000,\n"
    "  \"baseTimeNanoseconds\": 1790857026000000000,\n"
    "  \"traceEvents\": [\n"
    "  {\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"nvjet_sm90_tst_128x32_64x10_2x1_v_bz_splitK_NNT\", \"pid\": 0, \"tid\": 7,\n"
    "   \"ts\": 1000.000, \"dur\": 2.500, \"args\": {\"External id\": 5, \"device\": 0, \"stream\": 7, \"correlation\": 11,\n"
    "   \"grid\": [8, 2, 1], \"block\": [128, 1, 1]}},\n"
    "  {\"ph\": \"f\", \"id\": 11, \"pid\": 0, \"tid\": 7, \"ts\": 1000.000, \"cat\": \"ac2g\", \"name\": \"ac2g\", \"bp\": \"e\"},\n"
    "  {\"ph\": \"X\", \"cat\": \"gpu_memset\", \"name\": \"Memset (Device)\", \"pid\": 0, \"tid\": 7,\n"
    "   \"ts\": 1003.001, \"dur\": 0.864, \"args\": {\"device\": 0, \"stream\": 7, \"correlation\": 12, \"bytes\": 4}},\n"
    /* 1. size from the record_param_comms op with the kernel's External id */
    "  {\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"record_param_comms\", \"pid\": 100, \"tid\": 100,\n"
    "   \"ts\": 1003.500, \"dur\": 5.0, \"args\": {\"External id\": 50, \"Collective name\": \"allreduce\",\n"
    "   \"dtype\": \"BFloat16\", \"In msg nelems\": 4194304, \"Out msg nelems\": 4194304, \"Group size\": 2,\n"
    "   \"Process Group Name\": \"0\", \"Process Group Ranks\": \"[2, 3]\"}},\n"
    "  {\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)\",\n"
    "   \"pid\": 0, \"tid\": 20, \"ts\": 1004.000, \"dur\": 10.000,\n"
    "   \"args\": {\"External id\": 50, \"device\": 0, \"stream\": 20, \"correlation\": 13, \"grid\": [16, 1, 1], \"block\": [512, 1, 1]}},\n"
    /* 2. the kernel's own args (PyTorch copies record_param_comms onto NCCL kernels) */
    "  {\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"ncclDevKernel_AllGather_RING_LL(ncclDevKernelArgsStorage<4096ul>)\",\n"
    "   \"pid\": 0, \"tid\": 20, \"ts\": 1020.000, \"dur\": 3.000,\n"
    "   \"args\": {\"device\": 0, \"stream\": 20, \"correlation\": 15, \"Collective name\": \"_allgather_base\",\n"
    "   \"dtype\": \"Float\", \"In msg nelems\": 1024, \"Out msg nelems\": 2048, \"Group size\": 2,\n"
    "   \"Process Group Name\": \"0\"}},\n"
    /* 3. the op around the launch (cuda_runtime with the kernel's correlation) */
    "  {\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"record_param_comms\", \"pid\": 100, \"tid\": 100,\n"
    "   \"ts\": 1024.000, \"dur\": 4.0, \"args\": {\"External id\": 60, \"Collective name\": \"reduce_scatter\",\n"
    "   \"dtype\": \"Half\", \"In msg nelems\": 2048, \"Out msg nelems\": 1024, \"Group size\": 2,\n"
    "   \"Process Group Name\": \"0\"}},\n"
    "  {\"ph\": \"X\", \"cat\": \"cuda_driver\", \"name\": \"cuLaunchKernelEx\", \"pid\": 100, \"tid\": 100,\n"
    "   \"ts\": 1025.000, \"dur\": 1.0, \"args\": {\"correlation\": 16}},\n"
    "  {\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"ncclDevKernel_ReduceScatter_Sum_f16_RING_LL(ncclDevKernelArgsStorage<4096ul>)\",\n"
    "   \"pid\": 0, \"tid\": 20, \"ts\": 1030.000, \"dur\": 2.000, \"args\": {\"device\": 0, \"stream\": 20, \"correlation\": 16}},\n"
    /* 4. nothing but the name */
    "  {\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"ncclDevKernel_AllReduce_Sum_f32_RING_LL(ncclDevKernelArgsStorage<4096ul>)\",\n"
    "   \"pid\": 0, \"tid\": 20, \"ts\": 1040.000, \"dur\": 1.000, \"args\": {\"device\": 0, \"stream\": 20, \"correlation\": 17}},\n"
    /* 5. a SendRecv kernel with no call: which direction and peer is unknown -> no comms row */
    "  {\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"ncclDevKernel_SendRecv(ncclDevKernelArgsStorage<4096ul>)\",\n"
    "   \"pid\": 0, \"tid\": 21, \"ts\": 1050.000, \"dur\": 1.000, \"args\": {\"device\": 0, \"stream\": 21, \"correlation\": 18}},\n"
    /* 6. a send described by its op: peer = Dst Rank (global) */
    "  {\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"record_param_comms\", \"pid\": 100, \"tid\": 100,\n"
    "   \"ts\": 1055.000, \"dur\": 2.0, \"args\": {\"External id\": 70, \"Collective name\": \"send\",\n"
    "   \"dtype\": \"BFloat16\", \"In msg nelems\": 100, \"Out msg nelems\": 100, \"Group size\": 2,\n"
    "   \"Process Group Name\": \"1\", \"Dst Rank\": 4}},\n"
    "  {\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"ncclDevKernel_SendRecv(ncclDevKernelArgsStorage<4096ul>)\",\n"
    "   \"pid\": 0, \"tid\": 21, \"ts\": 1060.000, \"dur\": 1.000, \"args\": {\"External id\": 70, \"device\": 0, \"stream\": 21, \"correlation\": 19}},\n"
    "  {\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": \"Spans\", \"tid\": 0, \"args\": {\"name\": \"x\"}}\n"
    "  ],\n"
    "  \"traceName\": \"t.json\"\n"
    "}\n";

typedef imp_fixture fixture;

static int setup(void **state) { return imp_fixture_setup(state, "in.json"); }
static int teardown(void **state) { return imp_fixture_teardown(state); }

static int run(fixture *f, const char *json, const ps_import_options *opts, ps_import_stats *st, ps_error *err)
{
    imp_write_file(f->in, json);
    ps_import_options defaults;
    ps_import_options_init(&defaults);
    const ps_importer *imp = ps_importer_find("kineto");
    assert_non_null(imp);
    return imp->import(f->in, f->out, opts ? opts : &defaults, st, err);
}

/* Imports `json` and reads the trace back through the strict trace reader; any error fails the
 * test. */
static void import_and_read_back(fixture *f, const char *json, const ps_import_options *opts, ps_import_stats *st,
                                 imp_rows *rows)
{
    ps_error err = {0};
    if (run(f, json, opts, st, &err))
        fail_msg("%s", err.message);
    if (imp_read_back(f->out, rows, &err))
        fail_msg("read back: %s", err.message);
}

static void test_basic(void **state)
{
    fixture *f = *state;
    ps_import_stats st;
    ps_error err = {0};
    int rc = run(f, basic_json, NULL, &st, &err);
    if (rc)
        fail_msg("%s", err.message);
    imp_rows rows;
    if (imp_read_back(f->out, &rows, &err))
        fail_msg("read back: %s", err.message);
    /* 8 GPU events: 1 GEMM, 1 memset, 6 NCCL kernels */
    assert_int_equal(rows.n_acts, 8);
    assert_int_equal(st.kernels, 7);
    assert_int_equal(st.memsets, 1);
    assert_int_equal(st.nccl_kernels, 6);
    assert_int_equal(st.comms_described, 4); /* allreduce, allgather, reduce_scatter, send */
    assert_int_equal(st.comms_from_names, 1);
    assert_int_equal(st.comms_skipped, 1);    /* the anonymous SendRecv */
    assert_string_equal(rows.meta.gpu_name, "NVIDIA H200");
    assert_string_equal(rows.meta.driver_version, "13.0");
    assert_string_equal(rows.meta.nccl_version, "2.28.9");
    assert_string_equal(rows.meta.clock, "relative");
    assert_int_equal(rows.meta.source, PS_TRACE_SOURCE_KINETO);
    assert_string_equal(rows.meta.date, "2026-10-01T12:17:06Z"); /* baseTimeNanoseconds */
    /* first row: the GEMM at the earliest ts (1000.000 us) -> 0 ns, dur 2.500 us */
    const ps_trace_activity *g = &rows.acts[0];
    assert_int_equal(g->rank, 3); /* distributedInfo.rank */
    assert_int_equal(g->stream, 7);
    assert_int_equal(g->correlation_id, 11);
    assert_int_equal(g->start_ns, 0);
    assert_int_equal(g->end_ns, 2500);
    assert_int_equal(g->grid[0], 8);
    assert_int_equal(g->grid[1], 2);
    assert_int_equal(g->block[0], 128);
    /* memset: ts 1003.001 us -> 3001 ns; dur 0.864 us -> 864 ns; 4 bytes */
    const ps_trace_activity *m = &rows.acts[1];
    assert_int_equal(m->kind, PS_TRACE_MEMSET);
    assert_int_equal(m->start_ns, 3001);
    assert_int_equal(m->end_ns, 3865);
    assert_int_equal(m->bytes, 4);
    assert_string_equal(m->name, "Memset (Device)");

    assert_int_equal(rows.n_comms, 5);
    const ps_trace_comm *c = rows.comms;
    /* allreduce: 4194304 bf16 = 8388608 bytes, kernel 1004..1014 us */
    assert_int_equal(c[0].collective, PS_TRACE_ALLREDUCE);
    assert_int_equal(c[0].bytes, 8388608);
    assert_string_equal(c[0].dtype, "bf16");
    assert_string_equal(c[0].group_id, "pg0");
    assert_int_equal(c[0].group_size, 2);
    assert_int_equal(c[0].seq, 0);
    assert_int_equal(c[0].rank, 3);
    assert_int_equal(c[0].stream, 20);
    assert_int_equal(c[0].start_ns, 4000);
    assert_int_equal(c[0].end_ns, 14000);
    assert_int_equal(c[0].peer, -1);
    /* allgather: NCCL's count is the input, 1024 f32 = 4096 bytes per rank; the trace's size is
     * the gathered output (docs/trace-format.md): x 2 ranks = 8192 = "Out msg nelems" 2048 x 4 */
    assert_int_equal(c[1].collective, PS_TRACE_ALLGATHER);
    assert_int_equal(c[1].bytes, 8192);
    assert_string_equal(c[1].dtype, "f32");
    assert_int_equal(c[1].seq, 1);
    /* reduce-scatter: NCCL's count is the output, 1024 f16 = 2048 bytes per rank (matched via
     * launch); the trace's size is the full input: x 2 = 4096 = "In msg nelems" 2048 x 2 */
    assert_int_equal(c[2].collective, PS_TRACE_REDUCESCATTER);
    assert_int_equal(c[2].bytes, 4096);
    assert_string_equal(c[2].dtype, "f16");
    assert_int_equal(c[2].seq, 2);
    assert_int_equal(c[2].start_ns, 30000);
    /* name only: allreduce f32 of unknown size on stream 20 */
    assert_int_equal(c[3].collective, PS_TRACE_ALLREDUCE);
    assert_int_equal(c[3].bytes, 0);
    assert_string_equal(c[3].dtype, "f32");
    assert_string_equal(c[3].group_id, "stream20");
    assert_int_equal(c[3].group_size, 1);
    assert_int_equal(c[3].seq, 0);
    /* send of 100 bf16 to global rank 4 */
    assert_int_equal(c[4].collective, PS_TRACE_SEND);
    assert_int_equal(c[4].bytes, 200);
    assert_int_equal(c[4].peer, 4);
    assert_string_equal(c[4].group_id, "pg1");
    assert_int_equal(c[4].seq, 0);
}

static void test_rank_option_and_precision(void **state)
{
    fixture *f = *state;
    /* Older Kineto: no baseTimeNanoseconds, absolute epoch microseconds. The ns digits must
     * survive: 1790857026123457.790 - 1790857026123456.789 us = 1001 ns; dur 0.0015 us = 1.5 ns
     * rounds half away from zero to 2 ns. */
    const char *json =
        "[{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k1\", \"pid\": 0, \"tid\": 7, \"ts\": 1790857026123456.789, \"dur\": 0.0015},\n"
        " {\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k2\", \"pid\": 0, \"tid\": 7, \"ts\": 1790857026123457.790, \"dur\": 1}]";
    ps_import_options opts;
    ps_import_options_init(&opts);
    opts.rank = 5;
    opts.tp = 2;
    snprintf(opts.model, sizeof opts.model, "llama3.1-8b");
    ps_import_stats st;
    imp_rows rows;
    import_and_read_back(f, json, &opts, &st, &rows);
    assert_int_equal(rows.n_acts, 2);
    assert_int_equal(rows.acts[0].rank, 5);
    assert_int_equal(rows.acts[0].device, 0); /* from pid, as Kineto sets pid = device */
    assert_int_equal(rows.acts[0].end_ns, 2);
    assert_int_equal(rows.acts[1].start_ns, 1001);
    assert_int_equal(rows.acts[1].end_ns, 2001);
    assert_string_equal(rows.meta.model, "llama3.1-8b");
    assert_int_equal(rows.meta.tp, 2);
    assert_string_equal(rows.meta.date, "2026-10-01T12:17:06Z"); /* epoch us 1790857026.123 s */
}

/* Two kernels on one stream that overlap by 160 ns (programmatic dependent launch on Hopper): the
 * second one's start moves to the first one's end, and the import says so. */
static void test_overlap_clipped(void **state)
{
    fixture *f = *state;
    const char *json =
        "{\"traceEvents\": [{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"gemm\", \"pid\": 0, \"tid\": 7, \"ts\": 10, \"dur\": 1.160},\n"
        " {\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"splitKreduce\", \"pid\": 0, \"tid\": 7, \"ts\": 11, \"dur\": 1}]}";
    ps_import_stats st;
    ps_error err = {0};
    if (run(f, json, NULL, &st, &err))
        fail_msg("%s", err.message);
    assert_int_equal(st.overlaps_clipped, 1);
    imp_rows rows;
    if (imp_read_back(f->out, &rows, &err))
        fail_msg("read back: %s", err.message);
    assert_int_equal(rows.acts[1].start_ns, 1160);
    assert_int_equal(rows.acts[1].end_ns, 2000);
}

/* Op ids from record_function ranges (cat "user_annotation") around each launch. The events are
 * written in an order Kineto never uses (GPU activities first, then launches and ranges backwards)
 * because the importer must not depend on it. CPU thread 100 (times in us):
 *   ProfilerStep#1                      [0, 1000]   not an op id (no '/')
 *   decode/mb0/L000/qkv_gemm            [10, 20]    launches corr 1 at 12, corr 2 at 20 (= its end)
 *   decode/mb0/L000/mlp_allreduce       [30, 40]
 *     nccl:all_reduce                   [31, 39]    PyTorch's own range: passed over
 *       launch of the NCCL kernel, corr 3 at 33
 *   decode/mb0/L001/attention           [50, 70]    corr 5 at 65 (after the inner range)
 *     decode/mb0/L001/rope              [55, 60]    corr 4 at 57
 *   decode/mb0/L002/outer, /inner       [80, 90]    same extent; External id 9 > 8: inner; corr 6 at 85
 *   corr 7 at 95: only ProfilerStep#1 open on thread 100 (thread 101's range does not count)
 *   decode/mb0/L004/bad name            [100, 110]  not an op id (a space); corr 9 at 105
 *   corr 10: a kernel without any launch event
 * Thread 101: decode/mb0/L003/other [0, 1000], launches nothing. */
static const char *const op_json =
    "{\"traceEvents\": [\n"
    "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k10\", \"pid\": 0, \"tid\": 7, \"ts\": 300, \"dur\": 1, \"args\": {\"correlation\": 10}},\n"
    "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k9\", \"pid\": 0, \"tid\": 7, \"ts\": 290, \"dur\": 1, \"args\": {\"correlation\": 9}},\n"
    "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k7\", \"pid\": 0, \"tid\": 7, \"ts\": 270, \"dur\": 1, \"args\": {\"correlation\": 7}},\n"
    "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k6\", \"pid\": 0, \"tid\": 7, \"ts\": 260, \"dur\": 1, \"args\": {\"correlation\": 6}},\n"
    "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k5\", \"pid\": 0, \"tid\": 7, \"ts\": 250, \"dur\": 1, \"args\": {\"correlation\": 5}},\n"
    "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k4\", \"pid\": 0, \"tid\": 7, \"ts\": 240, \"dur\": 1, \"args\": {\"correlation\": 4}},\n"
    "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)\",\n"
    " \"pid\": 0, \"tid\": 20, \"ts\": 230, \"dur\": 1, \"args\": {\"device\": 0, \"stream\": 20, \"correlation\": 3}},\n"
    "{\"ph\": \"X\", \"cat\": \"gpu_memset\", \"name\": \"Memset (Device)\", \"pid\": 0, \"tid\": 7, \"ts\": 220, \"dur\": 1, \"args\": {\"correlation\": 2}},\n"
    "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k1\", \"pid\": 0, \"tid\": 7, \"ts\": 210, \"dur\": 1, \"args\": {\"correlation\": 1}},\n"
    "{\"ph\": \"X\", \"cat\": \"cuda_runtime\", \"name\": \"cudaLaunchKernel\", \"pid\": 100, \"tid\": 100, \"ts\": 105, \"dur\": 1, \"args\": {\"correlation\": 9}},\n"
    "{\"ph\": \"X\", \"cat\": \"cuda_runtime\", \"name\": \"cudaLaunchKernel\", \"pid\": 100, \"tid\": 100, \"ts\": 95, \"dur\": 1, \"args\": {\"correlation\": 7}},\n"
    "{\"ph\": \"X\", \"cat\": \"cuda_runtime\", \"name\": \"cudaLaunchKernel\", \"pid\": 100, \"tid\": 100, \"ts\": 85, \"dur\": 1, \"args\": {\"correlation\": 6}},\n"
    "{\"ph\": \"X\", \"cat\": \"cuda_runtime\", \"name\": \"cudaLaunchKernel\", \"pid\": 100, \"tid\": 100, \"ts\": 65, \"dur\": 1, \"args\": {\"correlation\": 5}},\n"
    "{\"ph\": \"X\", \"cat\": \"cuda_runtime\", \"name\": \"cudaLaunchKernel\", \"pid\": 100, \"tid\": 100, \"ts\": 57, \"dur\": 1, \"args\": {\"correlation\": 4}},\n"
    "{\"ph\": \"X\", \"cat\": \"cuda_driver\", \"name\": \"cuLaunchKernelEx\", \"pid\": 100, \"tid\": 100, \"ts\": 33, \"dur\": 1, \"args\": {\"correlation\": 3}},\n"
    "{\"ph\": \"X\", \"cat\": \"cuda_runtime\", \"name\": \"cudaMemsetAsync\", \"pid\": 100, \"tid\": 100, \"ts\": 20.000, \"dur\": 1, \"args\": {\"correlation\": 2}},\n"
    "{\"ph\": \"X\", \"cat\": \"cuda_runtime\", \"name\": \"cudaLaunchKernel\", \"pid\": 100, \"tid\": 100, \"ts\": 12, \"dur\": 1, \"args\": {\"correlation\": 1}},\n"
    "{\"ph\": \"X\", \"cat\": \"user_annotation\", \"name\": \"decode/mb0/L004/bad name\", \"pid\": 100, \"tid\": 100, \"ts\": 100, \"dur\": 10, \"args\": {\"External id\": 10}},\n"
    "{\"ph\": \"X\", \"cat\": \"user_annotation\", \"name\": \"decode/mb0/L002/inner\", \"pid\": 100, \"tid\": 100, \"ts\": 80, \"dur\": 10, \"args\": {\"External id\": 9}},\n"
    "{\"ph\": \"X\", \"cat\": \"user_annotation\", \"name\": \"decode/mb0/L002/outer\", \"pid\": 100, \"tid\": 100, \"ts\": 80, \"dur\": 10, \"args\": {\"External id\": 8}},\n"
    "{\"ph\": \"X\", \"cat\": \"user_annotation\", \"name\": \"decode/mb0/L001/rope\", \"pid\": 100, \"tid\": 100, \"ts\": 55, \"dur\": 5, \"args\": {\"External id\": 7}},\n"
    "{\"ph\": \"X\", \"cat\": \"user_annotation\", \"name\": \"decode/mb0/L001/attention\", \"pid\": 100, \"tid\": 100, \"ts\": 50, \"dur\": 20, \"args\": {\"External id\": 6}},\n"
    "{\"ph\": \"X\", \"cat\": \"user_annotation\", \"name\": \"nccl:all_reduce\", \"pid\": 100, \"tid\": 100, \"ts\": 31, \"dur\": 8, \"args\": {\"External id\": 4}},\n"
    "{\"ph\": \"X\", \"cat\": \"user_annotation\", \"name\": \"decode/mb0/L000/mlp_allreduce\", \"pid\": 100, \"tid\": 100, \"ts\": 30, \"dur\": 10, \"args\": {\"External id\": 3}},\n"
    "{\"ph\": \"X\", \"cat\": \"user_annotation\", \"name\": \"decode/mb0/L000/qkv_gemm\", \"pid\": 100, \"tid\": 100, \"ts\": 10, \"dur\": 10, \"args\": {\"External id\": 2}},\n"
    "{\"ph\": \"X\", \"cat\": \"user_annotation\", \"name\": \"decode/mb0/L003/other\", \"pid\": 100, \"tid\": 101, \"ts\": 0, \"dur\": 1000, \"args\": {\"External id\": 11}},\n"
    "{\"ph\": \"X\", \"cat\": \"user_annotation\", \"name\": \"ProfilerStep#1\", \"pid\": 100, \"tid\": 100, \"ts\": 0, \"dur\": 1000, \"args\": {\"External id\": 1}}\n"
    "]}";

static void test_op_ids(void **state)
{
    fixture *f = *state;
    ps_import_stats st;
    imp_rows rows;
    import_and_read_back(f, op_json, NULL, &st, &rows);
    /* rows in GPU start order = correlation order 1..10 without 8 */
    static const char *const want[9] = {
        "decode/mb0/L000/qkv_gemm",      /* corr 1 */
        "decode/mb0/L000/qkv_gemm",      /* corr 2: launch at the range's last ns */
        "decode/mb0/L000/mlp_allreduce", /* corr 3: through nccl:all_reduce */
        "decode/mb0/L001/rope",          /* corr 4: innermost */
        "decode/mb0/L001/attention",     /* corr 5: the inner range has ended */
        "decode/mb0/L002/inner",         /* corr 6: equal extents, larger External id */
        "",                              /* corr 7: ProfilerStep#1 only; L003 is another thread */
        "",                              /* corr 9: not an op id */
        "",                              /* corr 10: no launch */
    };
    assert_int_equal(rows.n_acts, 9);
    for (size_t i = 0; i < 9; i++)
        if (strcmp(rows.acts[i].op_id, want[i]))
            fail_msg("row %zu (corr %llu): op id '%s', want '%s'", i, (unsigned long long)rows.acts[i].correlation_id,
                     rows.acts[i].op_id, want[i]);
    assert_int_equal(st.acts_with_op_id, 6);
    /* the NCCL kernel's comms row (known by name only) carries its kernel's op id */
    assert_int_equal(rows.n_comms, 1);
    assert_string_equal(rows.comms[0].op_id, "decode/mb0/L000/mlp_allreduce");
    assert_int_equal(st.comms_with_op_id, 1);
}

/* ---- gzip (tensorboard_trace_handler(use_gzip=True): *.pt.trace.json.gz) ---- */

/* Writes text gzip-compressed, in `members` gzip members (concatenated, as `cat a.gz b.gz` makes). */
static void write_gz(const char *path, const char *text, int members)
{
    size_t n = strlen(text), done = 0;
    for (int m = 0; m < members; m++) {
        gzFile g = gzopen(path, m == 0 ? "wb" : "ab");
        if (!g)
            abort();
        size_t part = m == members - 1 ? n - done : n / (size_t)members;
        if (part && gzwrite(g, text + done, (unsigned)part) != (int)part)
            abort();
        done += part;
        gzclose(g);
    }
}

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) ? -1 : (long)sb.st_size;
}

/* The same rows from the gzip file as from the JSON it holds; detected by its magic bytes, so a
 * name without ".gz" works and a plain file named ".gz" is still read as JSON. */
static void test_gzip(void **state)
{
    fixture *f = *state;
    ps_import_options opts;
    ps_import_options_init(&opts);
    ps_import_stats plain_st, gz_st;
    ps_error err = {0};
    imp_rows plain, gz;
    if (run(f, basic_json, NULL, &plain_st, &err) || imp_read_back(f->out, &plain, &err))
        fail_msg("%s", err.message);
    imp_rm_rf(f->out);
    for (int members = 1; members <= 3; members += 2) {
        char path[160];
        snprintf(path, sizeof path, "%s/rank3.pt.trace", f->dir); /* no .gz on purpose */
        write_gz(path, basic_json, members);
        if (ps_importer_find("kineto")->import(path, f->out, &opts, &gz_st, &err) || imp_read_back(f->out, &gz, &err))
            fail_msg("%d member(s): %s", members, err.message);
        imp_rm_rf(f->out);
        assert_int_equal(gz.n_acts, plain.n_acts);
        assert_int_equal(gz.n_comms, plain.n_comms);
        assert_int_equal(gz_st.comms_described, plain_st.comms_described);
        for (size_t i = 0; i < gz.n_acts; i++) {
            assert_string_equal(gz.acts[i].name, plain.acts[i].name);
            assert_int_equal(gz.acts[i].start_ns, plain.acts[i].start_ns);
            assert_int_equal(gz.acts[i].end_ns, plain.acts[i].end_ns);
        }
        for (size_t i = 0; i < gz.n_comms; i++) {
            assert_int_equal(gz.comms[i].bytes, plain.comms[i].bytes);
            assert_int_equal(gz.comms[i].start_ns, plain.comms[i].start_ns);
        }
        assert_string_equal(gz.meta.gpu_name, "NVIDIA H200");
        assert_string_equal(gz.meta.recorder_version, "PyTorch profiler (Kineto JSON, gzip)");
    }
    /* a plain JSON file named .gz */
    char path[160];
    snprintf(path, sizeof path, "%s/plain.json.gz", f->dir);
    imp_write_file(path, basic_json);
    if (ps_importer_find("kineto")->import(path, f->out, &opts, &gz_st, &err))
        fail_msg("%s", err.message);
    assert_int_equal(gz_st.kernels, 7);
}

static void expect_gz_error(fixture *f, const char *path, const char *reason)
{
    ps_import_options opts;
    ps_import_options_init(&opts);
    ps_import_stats st;
    ps_error err = {0};
    assert_int_equal(ps_importer_find("kineto")->import(path, f->out, &opts, &st, &err), PS_EINPUT);
    if (strncmp(err.message, path, strlen(path)) || !strstr(err.message, reason) || strchr(err.message, '\n'))
        fail_msg("got '%s', want '%s: ...%s...' on one line", err.message, path, reason);
    struct stat sb;
    assert_int_not_equal(stat(f->out, &sb), 0); /* nothing written */
}

/* A cut-off download and a damaged file are refused with one line, never read as a shorter trace. */
static void test_gzip_errors(void **state)
{
    fixture *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/t.json.gz", f->dir);
    write_gz(path, basic_json, 1);
    long size = file_size(path);
    assert_true(size > 100);
    /* truncated in the middle of the deflate data, and right after the 10-byte header */
    assert_int_equal(truncate(path, size / 2), 0);
    expect_gz_error(f, path, "gzip stream ends early (truncated .gz file)");
    assert_int_equal(truncate(path, 10), 0);
    expect_gz_error(f, path, "truncated .gz file");
    /* the magic bytes alone */
    imp_write_file(path, "\x1f\x8b");
    expect_gz_error(f, path, "truncated .gz file");
    /* the 8-byte trailer cut off: the data is complete but its CRC and length are missing */
    write_gz(path, basic_json, 1);
    assert_int_equal(truncate(path, size - 8), 0);
    expect_gz_error(f, path, "truncated .gz file");
    /* damaged deflate data, and a damaged CRC */
    write_gz(path, basic_json, 1);
    FILE *fp = fopen(path, "r+b");
    assert_non_null(fp);
    fseek(fp, size / 2, SEEK_SET);
    fputs("\xff\xff\xff\xff\xff\xff", fp);
    fclose(fp);
    expect_gz_error(f, path, "corrupt gzip data");
    write_gz(path, basic_json, 1);
    fp = fopen(path, "r+b");
    fseek(fp, size - 8, SEEK_SET);
    fputc(0x55 ^ 0xff, fp);
    fclose(fp);
    expect_gz_error(f, path, "corrupt gzip data (incorrect data check)");
    /* garbage after the gzip stream */
    write_gz(path, basic_json, 1);
    fp = fopen(path, "ab");
    fputs("trailing", fp);
    fclose(fp);
    expect_gz_error(f, path, "data after the end of the gzip stream is not gzip");
    /* a gzip file holding malformed JSON: the line is that of the decompressed text */
    write_gz(path, "{\"traceEvents\": [\n\n{\"ph\": \"X\",, }]}", 1);
    expect_gz_error(f, path, ":3: expected a member name");
    /* an empty gzip member */
    write_gz(path, "", 1);
    expect_gz_error(f, path, "empty file");
}

/* ---- PyTorch 1.8 (Kineto's first JSON layout: capitalised categories) ----
 * As pytorch/kineto's tb_plugin tests write it: "Operator" for CPU ops and record_function
 * ranges, "Runtime" launches, "Kernel"/"Memcpy"/"Memset" with tid "stream 7" (kernels carry no
 * args.stream), lower-case "external id" in GPU args, string tids on the CPU side. No
 * baseTimeNanoseconds: absolute epoch microseconds. Times below in us relative to 1620000000000000. */
static const char *const old_json =
    "{\"schemaVersion\": 1, \"traceEvents\": [\n"
    "{\"ph\": \"X\", \"cat\": \"Operator\", \"name\": \"ProfilerStep#1\", \"pid\": 13721, \"tid\": \"456\",\n"
    " \"ts\": 1620000000000050, \"dur\": 400, \"args\": {\"Input Dims\": [], \"External id\": 1}},\n"
    "{\"ph\": \"X\", \"cat\": \"Operator\", \"name\": \"decode/mb0/L000/qkv_gemm\", \"pid\": 13721, \"tid\": \"456\",\n"
    " \"ts\": 1620000000000100, \"dur\": 100, \"args\": {\"Input Dims\": [], \"External id\": 2}},\n"
    "{\"ph\": \"X\", \"cat\": \"Operator\", \"name\": \"aten::mm\", \"pid\": 13721, \"tid\": \"456\",\n"
    " \"ts\": 1620000000000120, \"dur\": 70, \"args\": {\"Input Dims\": [[32, 1000], [1000, 1000]], \"External id\": 4}},\n"
    "{\"ph\": \"X\", \"cat\": \"Runtime\", \"name\": \"cudaLaunchKernel\", \"pid\": 13721, \"tid\": \"456\",\n"
    " \"ts\": 1620000000000130, \"dur\": 5, \"args\": {\"correlation\": 334, \"external id\": 4}},\n"
    "{\"ph\": \"X\", \"cat\": \"Kernel\", \"name\": \"volta_sgemm_128x64_nn\", \"pid\": 0, \"tid\": \"stream 7\",\n"
    " \"ts\": 1620000000000140.5, \"dur\": 15.25, \"args\": {\"correlation\": 334, \"external id\": 4, \"device\": 0}},\n"
    "{\"ph\": \"X\", \"cat\": \"Runtime\", \"name\": \"cudaMemcpyAsync\", \"pid\": 13721, \"tid\": \"456\",\n"
    " \"ts\": 1620000000000300, \"dur\": 20, \"args\": {\"correlation\": 335, \"external id\": 5}},\n"
    "{\"ph\": \"X\", \"cat\": \"Memcpy\", \"name\": \"Memcpy HtoD (Pageable -> Device)\", \"pid\": 0, \"tid\": \"stream 7\",\n"
    " \"ts\": 1620000000000305, \"dur\": 10, \"args\": {\"stream\": 7, \"correlation\": 335, \"external id\": 5, \"bytes\": 4000}},\n"
    "{\"ph\": \"X\", \"cat\": \"Runtime\", \"name\": \"cudaMemsetAsync\", \"pid\": 13721, \"tid\": \"456\",\n"
    " \"ts\": 1620000000000390, \"dur\": 10, \"args\": {\"correlation\": 336, \"external id\": 6}},\n"
    "{\"ph\": \"X\", \"cat\": \"Memset\", \"name\": \"Memset (Device)\", \"pid\": 0, \"tid\": \"stream 7\",\n"
    " \"ts\": 1620000000000420, \"dur\": 5, \"args\": {\"stream\": 7, \"correlation\": 336, \"external id\": 6}},\n"
    "{\"ph\": \"X\", \"cat\": \"Kernel\", \"name\": \"ncclKernel_AllReduce_RING_LL_Sum_float(ncclWorkElem)\", \"pid\": 0,\n"
    " \"tid\": \"stream 13\", \"ts\": 1620000000000430, \"dur\": 12, \"args\": {\"correlation\": 337, \"device\": 0}}\n"
    "]}\n";

static void test_pytorch_1_8_layout(void **state)
{
    fixture *f = *state;
    ps_import_stats st;
    imp_rows rows;
    import_and_read_back(f, old_json, NULL, &st, &rows);
    assert_int_equal(st.kernels, 2);
    assert_int_equal(st.memcpys, 1);
    assert_int_equal(st.memsets, 1);
    assert_int_equal(st.nccl_kernels, 1);
    assert_int_equal(st.comms_from_names, 1);
    assert_int_equal(rows.n_acts, 4);
    /* the GEMM: earliest start (140.5 us) -> 0, dur 15.25 us = 15250 ns, stream 7 from "stream 7",
     * device 0 from args; op id from the "Operator" range around its launch at 130 us */
    assert_string_equal(rows.acts[0].name, "volta_sgemm_128x64_nn");
    assert_int_equal(rows.acts[0].kind, PS_TRACE_KERNEL);
    assert_int_equal(rows.acts[0].stream, 7);
    assert_int_equal(rows.acts[0].device, 0);
    assert_int_equal(rows.acts[0].start_ns, 0);
    assert_int_equal(rows.acts[0].end_ns, 15250);
    assert_int_equal(rows.acts[0].correlation_id, 334);
    assert_string_equal(rows.acts[0].op_id, "decode/mb0/L000/qkv_gemm");
    /* memcpy 305 us -> 164500 ns, 4000 bytes; launched at 300 us, after the range: no op id */
    assert_int_equal(rows.acts[1].kind, PS_TRACE_MEMCPY);
    assert_int_equal(rows.acts[1].start_ns, 164500);
    assert_int_equal(rows.acts[1].end_ns, 174500);
    assert_int_equal(rows.acts[1].bytes, 4000);
    assert_string_equal(rows.acts[1].op_id, "");
    /* memset 420 us -> 279500 ns */
    assert_int_equal(rows.acts[2].kind, PS_TRACE_MEMSET);
    assert_int_equal(rows.acts[2].start_ns, 279500);
    /* NCCL <= 2.18 kernel on stream 13: all-reduce of f32, size unknown (no record_param_comms
     * in PyTorch 1.8) */
    assert_int_equal(rows.acts[3].stream, 13);
    assert_int_equal(rows.n_comms, 1);
    assert_int_equal(rows.comms[0].collective, PS_TRACE_ALLREDUCE);
    assert_string_equal(rows.comms[0].dtype, "f32");
    assert_string_equal(rows.comms[0].group_id, "stream13");
    assert_int_equal(rows.comms[0].start_ns, 289500);
    assert_int_equal(rows.comms[0].end_ns, 301500);
    assert_string_equal(rows.meta.date, "2021-05-03T00:00:00Z"); /* 1620000000 s */
}

/* ---- broadcast and reduce roots from record_param_comms ----
 * ProcessGroupNCCL::broadcast passes opts.rootRank (a rank of the group) as the op's rank, which
 * Kineto prints as "Rank"; the importer maps it to a global rank through the group. This file is
 * global rank 3 (distributedInfo). */
/* the 40 odd ranks 1..79 as PyTorch prints them: the first 30, then "..." */
#define PG40 "[1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33, 35, 37, 39, 41, 43, 45, 47, 49, 51, 53, 55, 57, 59, ...]"
static const char *const root_json =
    "{\"distributedInfo\": {\"rank\": 3}, \"traceEvents\": [\n"
    /* 1. group [2, 3], root 1 of the group -> global 3 = this rank (the root itself) */
    "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"ncclDevKernel_Broadcast_RING_LL(ncclDevKernelArgsStorage<4096ul>)\",\n"
    " \"pid\": 0, \"tid\": 20, \"ts\": 10, \"dur\": 1, \"args\": {\"device\": 0, \"stream\": 20, \"correlation\": 1,\n"
    " \"Collective name\": \"broadcast\", \"dtype\": \"BFloat16\", \"In msg nelems\": 512, \"Out msg nelems\": 512,\n"
    " \"Group size\": 2, \"Process Group Name\": \"1\", \"Process Group Ranks\": \"[2, 3]\", \"Rank\": 1}},\n"
    /* 2. group [2, 3], root 0 of the group -> global 2 */
    "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"ncclDevKernel_Broadcast_RING_LL(ncclDevKernelArgsStorage<4096ul>)\",\n"
    " \"pid\": 0, \"tid\": 20, \"ts\": 20, \"dur\": 1, \"args\": {\"device\": 0, \"stream\": 20, \"correlation\": 2,\n"
    " \"Collective name\": \"broadcast\", \"dtype\": \"Float\", \"In msg nelems\": 10, \"Out msg nelems\": 10,\n"
    " \"Group size\": 2, \"Process Group Name\": \"1\", \"Process Group Ranks\": [2, 3], \"Rank\": 0}},\n"
    /* 3. a 40-rank group, ranks string shortened as PyTorch's format_list does (the first 30,
     *    then "..."): root 29 is the 30th member, 59 */
    "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"ncclDevKernel_Broadcast_RING_LL(ncclDevKernelArgsStorage<4096ul>)\",\n"
    " \"pid\": 0, \"tid\": 20, \"ts\": 30, \"dur\": 1, \"args\": {\"device\": 0, \"stream\": 20, \"correlation\": 3,\n"
    " \"Collective name\": \"broadcast\", \"dtype\": \"Byte\", \"In msg nelems\": 7, \"Out msg nelems\": 7, \"Group size\": 40,\n"
    " \"Process Group Name\": \"2\", \"Process Group Ranks\": \"" PG40 "\", \"Rank\": 29}},\n"
    /* 4. same group, root 39 (the last one): past the "...", unknown -> skipped, not guessed (it
     *    is not the last number printed, 59) */
    "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"ncclDevKernel_Broadcast_RING_LL(ncclDevKernelArgsStorage<4096ul>)\",\n"
    " \"pid\": 0, \"tid\": 20, \"ts\": 40, \"dur\": 1, \"args\": {\"device\": 0, \"stream\": 20, \"correlation\": 4,\n"
    " \"Collective name\": \"broadcast\", \"dtype\": \"Byte\", \"In msg nelems\": 7, \"Out msg nelems\": 7, \"Group size\": 40,\n"
    " \"Process Group Name\": \"2\", \"Process Group Ranks\": \"" PG40 "\", \"Rank\": 39}},\n"
    /* 4b. a writer that prints the last member after the "..." ("[r0, ..., rLast]"): root 39 = 79 */
    "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"ncclDevKernel_Broadcast_RING_LL(ncclDevKernelArgsStorage<4096ul>)\",\n"
    " \"pid\": 0, \"tid\": 20, \"ts\": 45, \"dur\": 1, \"args\": {\"device\": 0, \"stream\": 20, \"correlation\": 7,\n"
    " \"Collective name\": \"broadcast\", \"dtype\": \"Byte\", \"In msg nelems\": 7, \"Out msg nelems\": 7, \"Group size\": 40,\n"
    " \"Process Group Name\": \"2\", \"Process Group Ranks\": \"[1, 3, 5, ..., 79]\", \"Rank\": 39}},\n"
    /* 5. a reduce described by its record_param_comms op, \"Root\" 2, no ranks list: global rank
     *    start 1 + 2 x stride 2 = 5 */
    "{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": \"record_param_comms\", \"pid\": 100, \"tid\": 100, \"ts\": 49, \"dur\": 2,\n"
    " \"args\": {\"External id\": 90, \"Collective name\": \"reduce\", \"dtype\": \"Half\", \"In msg nelems\": 64,\n"
    " \"Out msg nelems\": 64, \"Group size\": 4, \"Process Group Name\": \"3\", \"Global rank start\": 1,\n"
    " \"Global rank stride\": 2, \"Root\": 2}},\n"
    "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"ncclDevKernel_Reduce_Sum_f16_RING_LL(ncclDevKernelArgsStorage<4096ul>)\",\n"
    " \"pid\": 0, \"tid\": 20, \"ts\": 50, \"dur\": 1, \"args\": {\"External id\": 90, \"device\": 0, \"stream\": 20, \"correlation\": 5}},\n"
    /* 6. a broadcast with no root at all -> skipped */
    "{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"ncclDevKernel_Broadcast_RING_LL(ncclDevKernelArgsStorage<4096ul>)\",\n"
    " \"pid\": 0, \"tid\": 20, \"ts\": 60, \"dur\": 1, \"args\": {\"device\": 0, \"stream\": 20, \"correlation\": 6,\n"
    " \"Collective name\": \"broadcast\", \"dtype\": \"Float\", \"In msg nelems\": 10, \"Group size\": 2,\n"
    " \"Process Group Name\": \"1\", \"Process Group Ranks\": \"[2, 3]\"}}\n"
    "]}";

static void test_broadcast_root(void **state)
{
    fixture *f = *state;
    ps_import_stats st;
    imp_rows rows;
    import_and_read_back(f, root_json, NULL, &st, &rows);
    assert_int_equal(st.nccl_kernels, 7);
    assert_int_equal(st.comms_described, 5);
    assert_int_equal(st.comms_skipped, 2); /* root past the "...", no root */
    assert_int_equal(rows.n_comms, 5);
    const ps_trace_comm *c = rows.comms;
    assert_int_equal(c[0].collective, PS_TRACE_BROADCAST);
    assert_int_equal(c[0].peer, 3);          /* this rank is the root */
    assert_int_equal(c[0].bytes, 1024);      /* 512 bf16 */
    assert_string_equal(c[0].group_id, "pg1");
    assert_int_equal(c[0].seq, 0);
    assert_int_equal(c[1].peer, 2);
    assert_int_equal(c[1].bytes, 40);        /* 10 f32 */
    assert_int_equal(c[1].seq, 1);
    assert_int_equal(c[2].peer, 59);
    assert_int_equal(c[2].group_size, 40);
    assert_string_equal(c[2].dtype, "u8");   /* "Byte" */
    assert_int_equal(c[3].peer, 79);         /* 4b */
    assert_int_equal(c[4].collective, PS_TRACE_REDUCE);
    assert_int_equal(c[4].peer, 5);
    assert_int_equal(c[4].bytes, 128);       /* 64 f16 */
    assert_string_equal(c[4].dtype, "f16");
    assert_int_equal(c[4].start_ns, 40000);  /* kernel at 50 us, the first at 10 us */
}

static void expect_error(fixture *f, const char *json, const char *where, const char *reason)
{
    ps_import_stats st;
    ps_error err = {0};
    assert_int_equal(run(f, json, NULL, &st, &err), PS_EINPUT);
    char want[160];
    snprintf(want, sizeof want, "%s%s", f->in, where);
    if (strncmp(err.message, want, strlen(want)) || !strstr(err.message, reason))
        fail_msg("got '%s', want prefix '%s' and '%s'", err.message, want, reason);
    if (strchr(err.message, '\n'))
        fail_msg("message has more than one line: '%s'", err.message);
    struct stat sb;
    assert_int_not_equal(stat(f->out, &sb), 0); /* nothing written */
}

static void test_errors(void **state)
{
    fixture *f = *state;
    expect_error(f, "{\"traceEvents\": [ {\"ph\": \"X\",, } ] }", ":1:", "expected a member name");
    expect_error(f, "{\"traceEvents\": [\n {\"ph\": \"X\", \"cat\": \"kernel\"", ":2:", "unexpected end of file");
    expect_error(f, "{\"traceEvents\": [{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k\", \"pid\": 0, \"tid\": 7, \"ts\": 1, \"dur\": -1.0}]}",
                 ":1:", "traceEvents[0]: negative duration");
    expect_error(f, "{\"traceEvents\": [{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k\", \"pid\": 0, \"tid\": 7, \"ts\": 1}]}",
                 ":1:", "without \"dur\"");
    expect_error(f, "{\"traceEvents\": [{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k\", \"tid\": 7, \"ts\": 1, \"dur\": 1}]}",
                 ":1:", "without a device");
    expect_error(f, "{\"traceEvents\": [{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k\", \"pid\": 0, \"tid\": 7, \"ts\": \"1\", \"dur\": 1}]}",
                 ":1:", "\"ts\" is not a number");
    expect_error(f, "{\"traceEvents\": [{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k\", \"pid\": 0, \"tid\": 7, \"ts\": 1, \"dur\": 1,"
                    " \"args\": {\"grid\": [1, 2]}}]}",
                 ":1:", "\"grid\"/\"block\"");
    expect_error(f, "{\"schemaVersion\": 1}", ":", "no \"traceEvents\"");
    expect_error(f, "{\"traceEvents\": [1]}", ":1:", "must be a JSON object");
    expect_error(f, "{\"traceEvents\": [{\"cat\": \"kernel\"}]}", ":1:", "without a \"ph\"");
    expect_error(f, "{\"traceEvents\": []} x", ":1:", "after the end");
    expect_error(f, "{\"traceEvents\": [], \"traceEvents\": []}", ":1:", "appears twice");
    expect_error(f, "{\"traceEvents\": []}", ":", "no GPU activity");
    expect_error(f, "", ":", "empty file");
    expect_error(f, "\"trace\"", ":1:", "expected a JSON object or array");
}

static void test_missing_file(void **state)
{
    fixture *f = *state;
    ps_import_options opts;
    ps_import_options_init(&opts);
    ps_import_stats st;
    ps_error err = {0};
    assert_int_equal(ps_importer_find("kineto")->import("/nonexistent/x.json", f->out, &opts, &st, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "/nonexistent/x.json: cannot open"));
    assert_null(ps_importer_find("perfetto"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rank_option_and_precision, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlap_clipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_op_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pytorch_1_8_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_broadcast_root, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
