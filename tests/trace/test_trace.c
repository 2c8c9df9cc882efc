/* Unit tests of the trace format: writer, strict readers, whole-trace check, Chrome export.
 *
 * The round trip uses the worst kernel names found in real traces (cuBLAS/cutlass templates,
 * NCCL device kernels, PyTorch lambdas from traces/h200-torch-reference/kineto_decoder.json) plus
 * names made worse on purpose (quotes, commas at the edges, newlines, tabs, UTF-8).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "parsim/timeline.h"
#include "parsim/trace.h"

static const char *const worst_names[] = {
    "void cutlass::Kernel2<cutlass_80_wmma_tensorop_bf16_s161616gemm_bf16_16x16_128x2_tn_align8>"
    "(cutlass_80_wmma_tensorop_bf16_s161616gemm_bf16_16x16_128x2_tn_align8::Params)",
    "ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)",
    "void at::native::vectorized_elementwise_kernel<4, at::native::(anonymous namespace)::silu_kernel("
    "at::TensorIteratorBase&)::{lambda()#1}::operator()() const::{lambda()#4}::operator()() const::"
    "{lambda(c10::BFloat16)#1}, std::array<char*, 2ul> >(int, ..., std::array<char*, 2ul>)",
    "void cublasLt::splitKreduce_kernel<32, 16, int, float, __nv_bfloat16, float, __nv_bfloat16, false, float, "
    "__nv_bfloat16, __nv_bfloat16, true, false, false, false>(cublasLt::cublasSplitKParams<float>, float const*)",
    "ncclSymkDevKernel_AllReduce_RSxLDMC_AGxSTMC_sum_bf16(ncclSymkDevWorkArgs4K const&)",
    "Memcpy HtoD (Pinned -> Device)",
    "kernel \"quoted\" with \"\"double\"\" quotes",
    "\"starts with a quote",
    "ends with a quote\"",
    ",leading comma",
    "trailing comma,",
    " leading and trailing spaces ",
    "\ttabs\tinside\t",
    "two\nnewlines\ninside",
    "\n",
    "\"",
    "\"\"",
    ",",
    "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x9a\x80 utf-8",
};

static char tmp_root[256];

static int setup_tmp(void **state)
{
    (void)state;
    snprintf(tmp_root, sizeof tmp_root, "/tmp/parsim-trace-test.XXXXXX");
    return mkdtemp(tmp_root) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
    return system(cmd) == 0 ? 0 : -1;
}

static void path_in(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", tmp_root, name); }

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

static ps_trace_meta test_meta(void)
{
    ps_trace_meta m;
    ps_trace_meta_init(&m, PS_TRACE_SOURCE_SYNTHETIC);
    snprintf(m.gpu_name, sizeof m.gpu_name, "Test GPU");
    m.gpu_count = 2;
    m.tp = 2;
    m.pp = 1;
    m.dp = 1;
    return m;
}

static ps_trace_activity act(int rank, int64_t stream, const char *name, int64_t start, int64_t end)
{
    ps_trace_activity a = {.rank = rank, .device = rank, .stream = stream, .op_id = "", .kind = PS_TRACE_KERNEL,
                           .name = name, .start_ns = start, .end_ns = end, .grid = {1, 1, 1}, .block = {32, 1, 1}};
    return a;
}

static ps_trace_comm comm(int rank, ps_trace_collective coll, uint64_t bytes, int peer, const char *group, uint64_t seq,
                          int64_t start, int64_t end)
{
    ps_trace_comm c = {.rank = rank, .stream = 7, .op_id = "", .collective = coll, .bytes = bytes, .dtype = "bf16",
                       .peer = peer, .group_id = group, .group_size = 2, .seq = seq, .start_ns = start, .end_ns = end};
    return c;
}

/* Every worst name, plus one of exactly the maximum length, survives writer -> reader intact,
 * with every other field, and ps_trace_check accepts the result. */
static void test_round_trip_worst_names(void **state)
{
    (void)state;
    char dir[512];
    path_in(dir, sizeof dir, "roundtrip");
    size_t nnames = sizeof worst_names / sizeof worst_names[0];
    char *longest = malloc(PS_TRACE_MAX_NAME_BYTES + 1);
    assert_non_null(longest);
    for (size_t i = 0; i < PS_TRACE_MAX_NAME_BYTES; i++)
        longest[i] = "<,\">\n "[i % 6];
    longest[0] = 'k';
    longest[PS_TRACE_MAX_NAME_BYTES] = '\0';

    ps_trace_meta meta = test_meta();
    ps_trace_writer *w = NULL;
    ps_error err = {0};
    assert_int_equal(ps_trace_writer_open(&w, dir, &meta, 0, &err), PS_OK);
    for (size_t i = 0; i <= nnames; i++) {
        const char *name = i < nnames ? worst_names[i] : longest;
        ps_trace_activity a = act(1, 3 + (int64_t)(i % 2), name, 1000 * (int64_t)i, 1000 * (int64_t)i + 999);
        a.op_id = i % 3 ? "decode/mb0/L017/qkv_gemm" : "";
        a.correlation_id = 40 + i;
        a.kind = (ps_trace_activity_kind)(i % 3);
        a.bytes = a.kind == PS_TRACE_KERNEL ? 0 : 4096 * i;
        a.grid[0] = (int)i;
        a.block[2] = (int)(i + 1);
        assert_int_equal(ps_trace_write_activity(w, &a, &err), PS_OK);
    }
    assert_int_equal(ps_trace_writer_close(w, &err), PS_OK);

    ps_trace_reader *r = NULL;
    assert_int_equal(ps_trace_reader_open(&r, dir, PS_TRACE_TABLE_ACTIVITIES, &err), PS_OK);
    for (size_t i = 0; i <= nnames; i++) {
        ps_trace_activity a;
        bool done = true;
        assert_int_equal(ps_trace_next_activity(r, &a, &done, &err), PS_OK);
        assert_false(done);
        assert_string_equal(a.name, i < nnames ? worst_names[i] : longest);
        assert_string_equal(a.op_id, i % 3 ? "decode/mb0/L017/qkv_gemm" : "");
        assert_int_equal(a.rank, 1);
        assert_int_equal(a.stream, 3 + (int64_t)(i % 2));
        assert_int_equal(a.correlation_id, 40 + i);
        assert_int_equal(a.kind, (int)(i % 3));
        assert_int_equal(a.start_ns, 1000 * (int64_t)i);
        assert_int_equal(a.end_ns, 1000 * (int64_t)i + 999);
        assert_int_equal(a.grid[0], (int)i);
        assert_int_equal(a.block[2], (int)(i + 1));
    }
    ps_trace_activity a;
    bool done = false;
    assert_int_equal(ps_trace_next_activity(r, &a, &done, &err), PS_OK);
    assert_true(done);
    ps_trace_reader_close(r);
    free(longest);

    ps_trace_summary s;
    assert_int_equal(ps_trace_check(dir, &s, &err), PS_OK);
    assert_int_equal(s.activities, nnames + 1);
    assert_int_equal(s.streams, 2);
    ps_trace_summary_free(&s);
}

/* The metadata read back equals what was written, escapes included. */
static void test_meta_round_trip(void **state)
{
    (void)state;
    char dir[512];
    path_in(dir, sizeof dir, "meta");
    ps_trace_meta m = test_meta();
    m.source = PS_TRACE_SOURCE_NSYS;
    m.shard_emulation = true;
    snprintf(m.gpu_name, sizeof m.gpu_name, "NVIDIA \"H100\" \\ 80GB\tHBM3");
    snprintf(m.model, sizeof m.model, "llama3.1-70b");
    snprintf(m.phase, sizeof m.phase, "prefill");
    m.batch = 64;
    m.isl = 2048;
    m.osl = 128;
    /* every version 2 key away from its default */
    snprintf(m.kv_dtype, sizeof m.kv_dtype, "fp8");
    m.microbatches = 4;
    snprintf(m.launch_mode, sizeof m.launch_mode, "graph");
    m.warmup_iterations = 3;
    m.measured_iterations = 10;
    m.emulated_rank = 1;
    m.layer_first = 40;
    m.layer_count = 2;
    snprintf(m.platform, sizeof m.platform, "hgx-h100 \"nvswitch\"");
    ps_trace_writer *w = NULL;
    ps_error err = {0};
    assert_int_equal(ps_trace_writer_open(&w, dir, &m, 0, &err), PS_OK);
    assert_int_equal(ps_trace_writer_close(w, &err), PS_OK);
    ps_trace_meta back;
    assert_int_equal(ps_trace_read_meta(dir, &back, &err), PS_OK);
    assert_int_equal(back.format_version, 2);
    assert_memory_equal(&m, &back, sizeof m);
}

/* The version 1 key set, exactly as parsim 0.1 wrote it. */
static const char v1_meta[] =
    "{\"format\": \"parsim-trace 1\", \"source\": \"synthetic\", \"shard_emulation\": false,\n"
    "\"gpu_name\": \"H\", \"gpu_count\": 2, \"sm_clock_mhz\": 0, \"mem_clock_mhz\": 0,\n"
    "\"driver_version\": \"\", \"cuda_version\": \"\", \"nccl_version\": \"\", \"cupti_version\": \"\",\n"
    "\"recorder_version\": \"\", \"host\": \"\", \"date\": \"\", \"model\": \"llama3.1-8b\", \"dtype\": \"bf16\",\n"
    "\"tp\": 2, \"pp\": 1, \"dp\": 1, \"batch\": 8, \"isl\": 1024, \"osl\": 128, \"phase\": \"decode\",\n"
    "\"clock\": \"relative\"}\n";

/* Readers accept version 1 (its keys, none of version 2) and version 2 (all keys). */
static void test_meta_versions(void **state)
{
    (void)state;
    ps_trace_meta m;
    ps_error err = {0};
    assert_int_equal(ps_trace_parse_meta("v1", v1_meta, strlen(v1_meta), &m, &err), PS_OK);
    assert_int_equal(m.format_version, 1);
    assert_int_equal(m.tp, 2);
    assert_int_equal(m.emulated_rank, -1); /* the version 2 keys keep their "unknown" defaults */
    assert_int_equal(m.microbatches, 0);
    assert_string_equal(m.kv_dtype, "");

    /* a version 2 key in a version 1 file is refused at its line */
    char text[2048];
    snprintf(text, sizeof text, "%.*s,\n\"kv_dtype\": \"fp8\"}\n", (int)(strlen(v1_meta) - 2), v1_meta);
    assert_int_equal(ps_trace_parse_meta("v1", text, strlen(text), &m, &err), PS_EINPUT);
    assert_string_equal(err.message,
                        "v1:7: unknown key 'kv_dtype' in a parsim-trace 1 file (it is a key of parsim-trace 2)");

    /* version 2 without its keys: the first missing one is named */
    char v2[2048];
    snprintf(v2, sizeof v2, "%s", v1_meta);
    memcpy(strstr(v2, "trace 1"), "trace 2", 7);
    assert_int_equal(ps_trace_parse_meta("v2", v2, strlen(v2), &m, &err), PS_EINPUT);
    assert_string_equal(err.message, "v2:1: missing key 'kv_dtype' (format parsim-trace 2)");

    memcpy(strstr(v2, "trace 2"), "trace 3", 7);
    assert_int_equal(ps_trace_parse_meta("v3", v2, strlen(v2), &m, &err), PS_EINPUT);
    assert_string_equal(err.message,
                        "v3:1: format: 'parsim-trace 3' is not supported (this parsim reads 'parsim-trace 1' and "
                        "'parsim-trace 2')");
    assert_string_equal(ps_trace_format_name(2), "parsim-trace 2");
    assert_null(ps_trace_format_name(3));
}

/* The rules of the version 2 keys, as the writer applies them. */
static void test_meta_v2_rules(void **state)
{
    (void)state;
    ps_error err = {0};
    ps_trace_meta m = test_meta();
    assert_int_equal(ps_trace_meta_validate(&m, &err), PS_OK);
    m.emulated_rank = 1;
    assert_int_equal(ps_trace_meta_validate(&m, &err), PS_EINPUT);
    assert_string_equal(err.message, "emulated_rank: 1 is set but shard_emulation is false");
    m.shard_emulation = true;
    assert_int_equal(ps_trace_meta_validate(&m, &err), PS_OK);
    m.emulated_rank = 2; /* tp 2 pp 1 dp 1: ranks 0 and 1 */
    assert_int_equal(ps_trace_meta_validate(&m, &err), PS_EINPUT);
    assert_string_equal(err.message, "emulated_rank: 2 is outside the plan (tp 2 x pp 1 x dp 1 = 2 ranks)");
    m.emulated_rank = -2;
    assert_int_equal(ps_trace_meta_validate(&m, &err), PS_EINPUT);
    m = test_meta();
    snprintf(m.launch_mode, sizeof m.launch_mode, "cudagraph");
    assert_int_equal(ps_trace_meta_validate(&m, &err), PS_EINPUT);
    assert_string_equal(err.message, "launch_mode: 'cudagraph' is not graph, eager or empty");
    m = test_meta();
    snprintf(m.kv_dtype, sizeof m.kv_dtype, "e4m3");
    assert_int_equal(ps_trace_meta_validate(&m, &err), PS_EINPUT);
    assert_string_equal(err.message, "kv_dtype: 'e4m3' is not bf16, fp16, fp8 or empty");
    m = test_meta();
    m.layer_first = 3;
    assert_int_equal(ps_trace_meta_validate(&m, &err), PS_EINPUT);
    assert_string_equal(err.message, "layer_first: 3 without layer_count (0 = every layer of the stage)");
    m.layer_count = 2;
    assert_int_equal(ps_trace_meta_validate(&m, &err), PS_OK);
    m.microbatches = 70000;
    assert_int_equal(ps_trace_meta_validate(&m, &err), PS_EINPUT);
    assert_string_equal(err.message, "microbatches: 70000 is out of range [0, 65536]");
}

/* Rows that break a rule are refused with a reason naming it; the writer stays usable. */
static void test_writer_rejects(void **state)
{
    (void)state;
    char dir[512];
    path_in(dir, sizeof dir, "rejects");
    ps_trace_meta meta = test_meta();
    ps_trace_writer *w = NULL;
    ps_error err = {0};
    assert_int_equal(ps_trace_writer_open(&w, dir, &meta, 0, &err), PS_OK);
    struct {
        ps_trace_activity a;
        const char *reason;
    } bad[] = {
        {act(0, 1, "k", 10, 5), "end_ns 5 is before start_ns 10"},
        {act(0, 1, "k", -1, 5), "negative time"},
        {act(0, 1, "k\r", 1, 5), "name: not UTF-8 text"},
        {act(0, 1, "\xff\xfe", 1, 5), "name: not UTF-8 text"},
        {act(0, 1, "", 1, 5), "name: must not be empty"},
        {act(70000, 1, "k", 1, 5), "rank: 70000 is out of range"},
        {act(0, 1, "k", 1, PS_TRACE_MAX_TIME_NS + 1), "time beyond 2^62 ns"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(ps_trace_write_activity(w, &bad[i].a, &err), PS_EINPUT);
        assert_non_null(strstr(err.message, bad[i].reason));
    }
    ps_trace_activity a = act(0, 1, "k", 100, 200);
    a.op_id = "has space";
    assert_int_equal(ps_trace_write_activity(w, &a, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "op_id"));
    a.op_id = "";
    assert_int_equal(ps_trace_write_activity(w, &a, &err), PS_OK);
    a = act(0, 1, "k", 150, 300); /* overlaps [100, 200] on the same stream */
    assert_int_equal(ps_trace_write_activity(w, &a, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "overlaps"));
    a = act(0, 2, "k", 50, 60); /* another stream, but before the rank's previous start */
    assert_int_equal(ps_trace_write_activity(w, &a, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "start order"));
    a = act(0, 2, "k", 150, 160); /* another stream may overlap */
    assert_int_equal(ps_trace_write_activity(w, &a, &err), PS_OK);

    ps_trace_comm c = comm(0, PS_TRACE_ALLREDUCE, 64, 1, "tp0", 0, 1, 2);
    assert_int_equal(ps_trace_write_comm(w, &c, &err), PS_EINPUT); /* an all-reduce has no peer */
    c.peer = -1;
    assert_int_equal(ps_trace_write_comm(w, &c, &err), PS_OK);
    assert_int_equal(ps_trace_write_comm(w, &c, &err), PS_EINPUT); /* same seq again */
    assert_non_null(strstr(err.message, "does not increase"));
    c = comm(0, PS_TRACE_SEND, 64, 0, "pp", 0, 1, 2);
    assert_int_equal(ps_trace_write_comm(w, &c, &err), PS_EINPUT); /* send to itself */
    c = comm(0, PS_TRACE_ALLREDUCE, 64, -1, "tp0", 1, 5, -1);
    c.dtype = "bfloat16";
    assert_int_equal(ps_trace_write_comm(w, &c, &err), PS_EINPUT);
    ps_trace_op op = {.op_id = "x", .layer = 0, .op_kind = "gemm"};
    assert_int_equal(ps_trace_write_op(w, &op, &err), PS_EINPUT); /* ops.csv not requested */
    assert_int_equal(ps_trace_writer_close(w, &err), PS_OK);

    /* The rejected rows left no trace in the files. */
    ps_trace_summary s;
    assert_int_equal(ps_trace_check(dir, &s, &err), PS_OK);
    assert_int_equal(s.activities, 2);
    assert_int_equal(s.comms, 1);
    ps_trace_summary_free(&s);
}

static int count_entries(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

/* Nothing appears before close, abort leaves nothing, an existing directory is replaced only
 * when asked and only when it holds nothing but trace files. */
static void test_writer_atomic(void **state)
{
    (void)state;
    char dir[600], sub[512];
    snprintf(sub, sizeof sub, "%s/atomic", tmp_root);
    assert_int_equal(mkdir(sub, 0755), 0);
    snprintf(dir, sizeof dir, "%s/t", sub);
    ps_trace_meta meta = test_meta();
    ps_trace_writer *w = NULL;
    ps_error err = {0};
    assert_int_equal(ps_trace_writer_open(&w, dir, &meta, 0, &err), PS_OK);
    struct stat st;
    assert_int_not_equal(stat(dir, &st), 0);
    ps_trace_writer_abort(w);
    assert_int_equal(count_entries(sub), 0);

    assert_int_equal(ps_trace_writer_open(&w, dir, &meta, 0, &err), PS_OK);
    assert_int_equal(ps_trace_writer_close(w, &err), PS_OK);
    assert_int_equal(ps_trace_writer_open(&w, dir, &meta, 0, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "already exists"));
    assert_int_equal(ps_trace_writer_open(&w, dir, &meta, PS_TRACE_WRITE_OVERWRITE, &err), PS_OK);
    ps_trace_activity a = act(0, 1, "replaced", 1, 2);
    assert_int_equal(ps_trace_write_activity(w, &a, &err), PS_OK);
    assert_int_equal(ps_trace_writer_close(w, &err), PS_OK);
    assert_int_equal(count_entries(sub), 1); /* no temp or old directory left behind */
    ps_trace_summary s;
    assert_int_equal(ps_trace_check(dir, &s, &err), PS_OK);
    assert_int_equal(s.activities, 1);
    ps_trace_summary_free(&s);

    write_file(dir, "notes.txt", "mine\n");
    assert_int_equal(ps_trace_writer_open(&w, dir, &meta, PS_TRACE_WRITE_OVERWRITE, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "not part of a trace"));
}

/* Writes a trace directory from raw file contents (to test the readers on bad input). */
static void raw_trace(const char *dir, const char *activities, const char *comms, const char *ops)
{
    ps_trace_meta meta = test_meta();
    ps_trace_writer *w = NULL;
    ps_error err = {0};
    assert_int_equal(ps_trace_writer_open(&w, dir, &meta, PS_TRACE_WRITE_OVERWRITE, &err), PS_OK);
    assert_int_equal(ps_trace_writer_close(w, &err), PS_OK);
    if (activities)
        write_file(dir, PS_TRACE_ACTIVITIES_FILE, activities);
    if (comms)
        write_file(dir, PS_TRACE_COMMS_FILE, comms);
    if (ops)
        write_file(dir, PS_TRACE_OPS_FILE, ops);
}

static void expect_check_error(const char *dir, const char *file_line_reason)
{
    ps_trace_summary s;
    ps_error err = {0};
    assert_int_equal(ps_trace_check(dir, &s, &err), PS_EINPUT);
    char want[600];
    snprintf(want, sizeof want, "%s/%s", dir, file_line_reason);
    if (strcmp(err.message, want) != 0)
        fail_msg("got  '%s'\nwant '%s'", err.message, want);
}

#define AH PS_TRACE_ACTIVITIES_HEADER "\n"
#define CH PS_TRACE_COMMS_HEADER "\n"

/* Line numbers count physical lines, also across quoted names that hold newlines. */
static void test_reader_line_numbers(void **state)
{
    (void)state;
    char dir[512];
    path_in(dir, sizeof dir, "lines");
    raw_trace(dir,
              AH "0,0,7,,1,kernel,\"a\nb\nc\",0,10,0,1,1,1,1,1,1\n"
                 "0,0,7,,2,kernel,\"x,\"\"y\"\"\",10,20,0,1,1,1,1,1,1\n"
                 "0,0,7,,3,kernel,k,30,25,0,1,1,1,1,1,1\n",
              NULL, NULL);
    /* header: line 1; first row: lines 2-4; second: line 5; third: line 6 */
    expect_check_error(dir, "activities.csv:6: end_ns 25 is before start_ns 30");
}

static void test_reader_errors(void **state)
{
    (void)state;
    char dir[512];
    path_in(dir, sizeof dir, "errors");
    struct {
        const char *activities, *want;
    } cases[] = {
        {"", "activities.csv:1: empty file (expected the header '" PS_TRACE_ACTIVITIES_HEADER "')"},
        {AH "0,0,7,,1,kernel,k,0,10,0,1,1,1,1,1\n", "activities.csv:2: 15 fields, expected 16 (a missing or extra column)"},
        {AH "0,0,7,,1,kernel,k,0,10,0,1,1,1,1,1,1\n0,0,7,,2,kernel,k,10,20,0,1,1,1,1,1,1",
         "activities.csv:3: truncated: the last line has no newline (the file was cut off?)"},
        {AH "0,0,7,,1,kernel,\"k,0,10,0,1,1,1,1,1,1\n",
         "activities.csv:2: unterminated quoted field (the file ends inside it)"},
        {AH "0,0,7,,1,kernel,\"k\"x,0,10,0,1,1,1,1,1,1\n",
         "activities.csv:2: malformed CSV: a quote inside an unquoted field, or text after a closing quote"},
        {AH "0,0,7,,1,kernel,k,1e3,10,0,1,1,1,1,1,1\n",
         "activities.csv:2: start_ns: '1e3' is not a non-negative decimal integer"},
        {AH "0,0,7,,1,kernel,k,99999999999999999999999,10,0,1,1,1,1,1,1\n",
         "activities.csv:2: start_ns: 99999999999999999999999 exceeds the limit 4611686018427387904"},
        {AH "0,0,7,,1,kernel,k,-5,10,0,1,1,1,1,1,1\n", "activities.csv:2: start_ns: negative value '-5'"},
        {AH "0,0,7,,1,kernel,k,0,10,0,1,1,1,1,1,1\r\n",
         "activities.csv:2: carriage return: trace CSVs use LF line endings only (or this is not a text file)"},
        {AH "0,0,7,,1,kernel,k,0,10,0,1,1,1,1,1,1\n\n", "activities.csv:3: empty line"},
        {AH "0,0,7,,1,kern\0el", "activities.csv:2: NUL byte: this is binary data, not a CSV text file"},
        {"rank,device,stream,op,correlation_id,kind,name,start_ns,end_ns,bytes,grid_x,grid_y,grid_z,block_x,"
         "block_y,block_z\n",
         "activities.csv:1: header column 4 is 'op', expected 'op_id' (format parsim-trace 2)"},
        {AH "0,0,7,,1,kernel,k,0,10,0,1,1,1,1,1,1\n0,0,7,,2,kernel,k,5,20,0,1,1,1,1,1,1\n",
         "activities.csv:3: rank 0 stream 7: overlaps the previous activity on this stream (start_ns 5 < its end_ns "
         "10)"},
        {AH "2,0,7,,1,kernel,k,0,10,0,1,1,1,1,1,1\n",
         "activities.csv:2: rank 2 is outside the plan of meta.json (tp 2 x pp 1 x dp 1 = 2 ranks)"},
        {AH "0,0,7,,1,launch,k,0,10,0,1,1,1,1,1,1\n", "activities.csv:2: kind: 'launch' is not kernel, memcpy or memset"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        raw_trace(dir, NULL, NULL, NULL);
        char path[600];
        snprintf(path, sizeof path, "%s/activities.csv", dir);
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        /* Case 10 holds a NUL byte: write the bytes up to the end of the literal. */
        size_t n = strlen(cases[i].activities);
        if (strstr(cases[i].want, "NUL byte"))
            n += 1 + strlen(cases[i].activities + n + 1);
        fwrite(cases[i].activities, 1, n, fp);
        fclose(fp);
        expect_check_error(dir, cases[i].want);
    }
}

/* Collective calls must match across the ranks of a group; the first difference is named. */
static void test_check_groups(void **state)
{
    (void)state;
    char dir[512];
    path_in(dir, sizeof dir, "groups");
    raw_trace(dir, NULL,
              CH "0,7,,1,allreduce,64,bf16,,tp0,2,0,0,10\n"
                 "1,7,,1,allreduce,64,bf16,,tp0,2,0,0,10\n"
                 "0,7,,2,allreduce,64,bf16,,tp0,2,1,20,30\n"
                 "1,7,,2,allreduce,128,bf16,,tp0,2,1,20,30\n",
              NULL);
    expect_check_error(dir, "comms.csv:5: group tp0 seq 1: rank 1 has allreduce 128 bytes bf16, rank 0 has allreduce 64 "
                            "bytes bf16 (comms.csv:4)");
    raw_trace(dir, NULL,
              CH "0,7,,1,allreduce,64,bf16,,tp0,2,0,0,10\n"
                 "1,7,,1,allreduce,64,bf16,,tp0,2,0,0,10\n"
                 "0,7,,2,allreduce,64,bf16,,tp0,2,1,20,30\n",
              NULL);
    expect_check_error(dir, "comms.csv:4: group tp0 seq 1: rank 0's allreduce has no matching call on rank 1");
    raw_trace(dir, NULL,
              CH "0,7,,1,allreduce,64,bf16,,tp0,2,0,0,10\n"
                 "1,7,,1,allreduce,64,bf16,,tp0,1,0,0,10\n",
              NULL);
    expect_check_error(dir, "comms.csv:3: group tp0: group_size 1, but line 2 gave 2");
    /* Send/recv pair by (group, src -> dst, seq); a mismatch in bytes is named at the recv. */
    raw_trace(dir, NULL,
              CH "0,7,,1,send,4096,bf16,1,pp,2,0,0,10\n"
                 "1,7,,1,recv,4096,bf16,0,pp,2,0,0,10\n"
                 "0,7,,2,send,4096,bf16,1,pp,2,1,20,30\n"
                 "1,7,,2,recv,2048,bf16,0,pp,2,1,20,30\n",
              NULL);
    expect_check_error(dir, "comms.csv:5: group pp seq 1: rank 1 has recv 2048 bytes bf16, rank 0 has send 4096 bytes "
                            "bf16 (comms.csv:4)");
    /* A trace of one rank only (a single-process Kineto trace) is valid: nothing to match. */
    raw_trace(dir, NULL,
              CH "0,7,,1,allreduce,64,bf16,,tp0,2,0,0,10\n"
                 "0,7,,2,send,64,bf16,1,pp,2,0,20,30\n",
              NULL);
    ps_trace_summary s;
    ps_error err = {0};
    assert_int_equal(ps_trace_check(dir, &s, &err), PS_OK);
    assert_int_equal(s.comms, 2);
    assert_int_equal(s.collectives, 2);
    ps_trace_summary_free(&s);
    /* Matching pairs and collectives pass, in any interleaving of the ranks' rows. */
    raw_trace(dir, NULL,
              CH "1,7,,1,recv,4096,bf16,0,pp,2,0,0,10\n"
                 "0,7,,1,send,4096,bf16,1,pp,2,0,0,10\n"
                 "0,7,,2,allreduce,64,bf16,,tp0,2,0,20,30\n"
                 "0,7,,3,broadcast,64,f32,0,tp0,2,1,,\n"
                 "1,7,,2,allreduce,64,bf16,,tp0,2,0,20,30\n"
                 "1,7,,3,broadcast,64,f32,0,tp0,2,1,,\n",
              NULL);
    assert_int_equal(ps_trace_check(dir, &s, &err), PS_OK);
    assert_int_equal(s.collectives, 3);
    ps_trace_summary_free(&s);
}

/* Op ids must be defined in ops.csv when it exists. */
static void test_check_op_ids(void **state)
{
    (void)state;
    char dir[512];
    path_in(dir, sizeof dir, "opids");
    raw_trace(dir, AH "0,0,7,decode/mb0/L000/qkv_gemm,1,kernel,k,0,10,0,1,1,1,1,1,1\n"
                      "0,0,7,decode/mb0/L000/o_gemm,2,kernel,k,10,20,0,1,1,1,1,1,1\n",
              NULL, PS_TRACE_OPS_HEADER "\ndecode/mb0/L000/qkv_gemm,0,gemm,m=8 n=3072 k=4096,\n");
    expect_check_error(dir, "activities.csv:3: op id 'decode/mb0/L000/o_gemm' is not defined in ops.csv");
    raw_trace(dir, NULL, NULL, PS_TRACE_OPS_HEADER "\na,0,gemm,,\nb,,gemm,,\na,1,gemm,,\n");
    expect_check_error(dir, "ops.csv:4: op id 'a' is defined twice");
}

/* With a model preset, a plan and a scenario in meta.json, op ids must be ops of their rank in
 * the op graph: on PP2, layer 31 lives on stage 1 (ranks 2-3), not on rank 0. */
static void test_check_op_ids_against_graph(void **state)
{
    (void)state;
    char dir[512];
    path_in(dir, sizeof dir, "graph");
    ps_trace_meta meta = test_meta();
    snprintf(meta.model, sizeof meta.model, "llama3.1-8b");
    meta.pp = 2;
    meta.gpu_count = 4;
    meta.batch = 8;
    meta.isl = 128;
    meta.osl = 4;
    ps_trace_writer *w = NULL;
    ps_error err = {0};
    assert_int_equal(ps_trace_writer_open(&w, dir, &meta, 0, &err), PS_OK);
    ps_trace_activity a = act(3, 7, "k", 0, 10);
    a.op_id = "decode/mb1/L031/down_gemm";
    assert_int_equal(ps_trace_write_activity(w, &a, &err), PS_OK);
    a = act(0, 7, "k", 0, 10);
    a.op_id = "decode/mb0/L000/qkv_gemm";
    assert_int_equal(ps_trace_write_activity(w, &a, &err), PS_OK);
    a = act(0, 7, "k", 20, 30);
    a.op_id = "prefill/mb0/embed/embedding";
    assert_int_equal(ps_trace_write_activity(w, &a, &err), PS_OK);
    assert_int_equal(ps_trace_writer_close(w, &err), PS_OK);
    ps_trace_summary s;
    assert_int_equal(ps_trace_check(dir, &s, &err), PS_OK);
    assert_string_equal(s.op_id_check, "graph");
    ps_trace_summary_free(&s);

    assert_int_equal(ps_trace_writer_open(&w, dir, &meta, PS_TRACE_WRITE_OVERWRITE, &err), PS_OK);
    a = act(0, 7, "k", 0, 10);
    a.op_id = "decode/mb0/L031/down_gemm";
    assert_int_equal(ps_trace_write_activity(w, &a, &err), PS_OK);
    assert_int_equal(ps_trace_writer_close(w, &err), PS_OK);
    expect_check_error(dir, "activities.csv:2: op id 'decode/mb0/L031/down_gemm' is not an op of rank 0 in the decode "
                            "graph of llama3.1-8b tp 2 pp 2");
}

/* Busy time is the union of a rank's intervals over all its streams. */
static void test_check_summary(void **state)
{
    (void)state;
    char dir[512];
    path_in(dir, sizeof dir, "summary");
    raw_trace(dir,
              AH "0,0,1,,1,kernel,a,0,10,0,1,1,1,1,1,1\n"
                 "0,0,2,,2,kernel,b,5,20,0,1,1,1,1,1,1\n"
                 "1,1,1,,3,memcpy,c,8,9,64,0,0,0,0,0,0\n"
                 "0,0,1,,4,kernel,d,30,40,0,1,1,1,1,1,1\n",
              NULL, NULL);
    ps_trace_summary s;
    ps_error err = {0};
    assert_int_equal(ps_trace_check(dir, &s, &err), PS_OK);
    assert_int_equal(s.ranks, 2);
    assert_int_equal(s.streams, 3);
    assert_int_equal(s.kernels, 3);
    assert_int_equal(s.memcpys, 1);
    assert_int_equal(s.first_ns, 0);
    assert_int_equal(s.last_ns, 40);
    assert_int_equal(s.per_rank[0].rank, 0);
    assert_int_equal(s.per_rank[0].busy_ns, 30); /* [0, 20] + [30, 40] */
    assert_int_equal(s.per_rank[0].streams, 2);
    assert_int_equal(s.per_rank[1].busy_ns, 1);
    ps_trace_summary_free(&s);
}

static const cJSON *find_event(const cJSON *events, const char *ph, const char *name)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, events)
    {
        const cJSON *p = cJSON_GetObjectItem(e, "ph"), *n = cJSON_GetObjectItem(e, "name");
        if (cJSON_IsString(p) && !strcmp(p->valuestring, ph) && cJSON_IsString(n) && !strcmp(n->valuestring, name))
            return e;
    }
    return NULL;
}

/* The export is JSON that a parser accepts, with the Kineto-like layout of parsim/timeline.h. */
static void test_export(void **state)
{
    (void)state;
    char dir[512], out[512];
    path_in(dir, sizeof dir, "export");
    path_in(out, sizeof out, "export.json");
    raw_trace(dir,
              AH "0,0,7,op/1,11,kernel,\"k<a, \"\"b\"\">\n(x)\",1000,3500,0,2,1,1,128,1,1\n"
                 "1,1,7,,12,memcpy,Memcpy DtoD,2000,2001,4096,0,0,0,0,0,0\n",
              CH "0,7,,11,allreduce,65536,bf16,,tp0,2,0,4000,9000\n"
                 "1,7,,12,allreduce,65536,bf16,,tp0,2,0,4000,9000\n"
                 "0,7,,13,send,64,bf16,1,pp,2,0,,\n",
              NULL);
    ps_error err = {0};
    uint64_t events = 0, skipped = 0;
    assert_int_equal(ps_timeline_export_trace(dir, out, &events, &skipped, &err), PS_OK);
    assert_int_equal(skipped, 1);
    FILE *fp = fopen(out, "rb");
    assert_non_null(fp);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    text[n] = '\0';
    cJSON *root = cJSON_Parse(text);
    assert_non_null(root);
    const cJSON *evs = cJSON_GetObjectItem(root, "traceEvents");
    assert_true(cJSON_IsArray(evs));
    assert_int_equal(cJSON_GetArraySize(evs), (int)events);
    assert_int_equal(cJSON_GetObjectItem(root, "baseTimeNanoseconds")->valuedouble, 1000);
    const cJSON *k = find_event(evs, "X", "k<a, \"b\">\n(x)");
    assert_non_null(k);
    assert_string_equal(cJSON_GetObjectItem(k, "cat")->valuestring, "kernel");
    assert_true(cJSON_GetObjectItem(k, "ts")->valuedouble == 0.0);
    assert_true(cJSON_GetObjectItem(k, "dur")->valuedouble == 2.5);
    assert_int_equal(cJSON_GetObjectItem(k, "tid")->valuedouble, 7);
    const cJSON *ar = find_event(evs, "X", "allreduce tp0");
    assert_non_null(ar);
    assert_string_equal(cJSON_GetObjectItem(ar, "cat")->valuestring, "collective_comm");
    assert_true(cJSON_GetObjectItem(ar, "tid")->valuedouble == 4294967296.0 + 7);
    assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(ar, "args"), "bytes")->valuedouble == 65536);
    const cJSON *pn = find_event(evs, "M", "process_name");
    assert_non_null(pn);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(pn, "args"), "name")->valuestring, "rank 0 (Test GPU)");
    cJSON_Delete(root);

    /* Same rows, same bytes. */
    char out2[512];
    path_in(out2, sizeof out2, "export2.json");
    assert_int_equal(ps_timeline_export_trace(dir, out2, &events, &skipped, &err), PS_OK);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", out, out2);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_worst_names),
        cmocka_unit_test(test_meta_round_trip),
        cmocka_unit_test(test_meta_versions),
        cmocka_unit_test(test_meta_v2_rules),
        cmocka_unit_test(test_writer_rejects),
        cmocka_unit_test(test_writer_atomic),
        cmocka_unit_test(test_reader_line_numbers),
        cmocka_unit_test(test_reader_errors),
        cmocka_unit_test(test_check_groups),
        cmocka_unit_test(test_check_op_ids),
        cmocka_unit_test(test_check_op_ids_against_graph),
        cmocka_unit_test(test_check_summary),
        cmocka_unit_test(test_export),
    };
    return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
