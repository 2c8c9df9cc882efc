/* tests/import/test_import_nsys.c: `parsim import nsys` on SQLite databases built here with the
 * table definitions of `nsys export --type sqlite` from Nsight Systems 2024.6.2 (schema 3.16.1;
 * only the tables and columns the importer reads, with their real names, types and enums).
 * NCCL ranges carry the payload keys of NCCL's src/include/nvtx_payload_schemas.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "import_test_util.h"

static const char *const schema_sql =
    "CREATE TABLE StringIds (id INTEGER NOT NULL PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE TARGET_INFO_SESSION_START_TIME (utcEpochNs INTEGER, utcTime TEXT, localTime TEXT);"
    "CREATE TABLE TARGET_INFO_GPU (vmId INTEGER NOT NULL, id INTEGER NOT NULL, name TEXT, busLocation TEXT,"
    " clockRate INTEGER, smCount INTEGER);"
    "CREATE TABLE META_DATA_EXPORT (name TEXT NOT NULL, value TEXT);"
    "CREATE TABLE CUPTI_ACTIVITY_KIND_KERNEL (start INTEGER NOT NULL, end INTEGER NOT NULL,"
    " deviceId INTEGER NOT NULL, contextId INTEGER NOT NULL, greenContextId INTEGER, streamId INTEGER NOT NULL,"
    " correlationId INTEGER, globalPid INTEGER, demangledName INTEGER NOT NULL, shortName INTEGER NOT NULL,"
    " mangledName INTEGER, launchType INTEGER, cacheConfig INTEGER, registersPerThread INTEGER NOT NULL,"
    " gridX INTEGER NOT NULL, gridY INTEGER NOT NULL, gridZ INTEGER NOT NULL, blockX INTEGER NOT NULL,"
    " blockY INTEGER NOT NULL, blockZ INTEGER NOT NULL, staticSharedMemory INTEGER NOT NULL,"
    " dynamicSharedMemory INTEGER NOT NULL, localMemoryPerThread INTEGER NOT NULL, localMemoryTotal INTEGER NOT NULL,"
    " gridId INTEGER NOT NULL, sharedMemoryExecuted INTEGER, graphNodeId INTEGER, sharedMemoryLimitConfig INTEGER);"
    "CREATE TABLE CUPTI_ACTIVITY_KIND_MEMCPY (start INTEGER NOT NULL, end INTEGER NOT NULL, deviceId INTEGER NOT NULL,"
    " contextId INTEGER NOT NULL, greenContextId INTEGER, streamId INTEGER NOT NULL, correlationId INTEGER,"
    " globalPid INTEGER, bytes INTEGER NOT NULL, copyKind INTEGER NOT NULL, deprecatedSrcId INTEGER, srcKind INTEGER,"
    " dstKind INTEGER, srcDeviceId INTEGER, srcContextId INTEGER, dstDeviceId INTEGER, dstContextId INTEGER,"
    " migrationCause INTEGER, graphNodeId INTEGER, virtualAddress INTEGER);"
    "CREATE TABLE CUPTI_ACTIVITY_KIND_MEMSET (start INTEGER NOT NULL, end INTEGER NOT NULL, deviceId INTEGER NOT NULL,"
    " contextId INTEGER NOT NULL, greenContextId INTEGER, streamId INTEGER NOT NULL, correlationId INTEGER,"
    " globalPid INTEGER, value INTEGER NOT NULL, bytes INTEGER NOT NULL, graphNodeId INTEGER, memKind INTEGER);"
    "CREATE TABLE CUPTI_ACTIVITY_KIND_RUNTIME (start INTEGER NOT NULL, end INTEGER NOT NULL,"
    " eventClass INTEGER NOT NULL, globalTid INTEGER, correlationId INTEGER, nameId INTEGER NOT NULL,"
    " returnValue INTEGER NOT NULL, callchainId INTEGER);"
    "CREATE TABLE NVTX_EVENTS (start INTEGER NOT NULL, end INTEGER, eventType INTEGER NOT NULL, rangeId INTEGER,"
    " category INTEGER, color INTEGER, text TEXT, globalTid INTEGER, endGlobalTid INTEGER, textId INTEGER,"
    " domainId INTEGER, uint64Value INTEGER, int64Value INTEGER, doubleValue REAL, uint32Value INTEGER,"
    " int32Value INTEGER, floatValue REAL, jsonTextId INTEGER, jsonText TEXT, binaryData TEXT);"
    "INSERT INTO META_DATA_EXPORT VALUES('EXPORT_PRODUCT_VERSION','2024.6.2.225');"
    "INSERT INTO META_DATA_EXPORT VALUES('EXPORT_SCHEMA_VERSION','3.16.1');"
    "INSERT INTO TARGET_INFO_SESSION_START_TIME VALUES(1790857026000000000, NULL, NULL);"
    "INSERT INTO TARGET_INFO_GPU VALUES(0, 0, 'NVIDIA H100 80GB HBM3', '0000:18:00.0', 1980000000, 132);";

/* globalPid / globalTid encode the pid in bits 24..47 (nsys: globalPid / 0x1000000 % 0x1000000). */
#define GPID(pid) ((int64_t)(pid) << 24)
#define GTID(pid, tid) (GPID(pid) | (tid))

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("sqlite: %s in %s", msg, sql);
}

static void execf(sqlite3 *db, const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    exec(db, sql);
}

static void kernel(sqlite3 *db, int64_t start, int64_t end, int stream, int corr, int pid, int name_id)
{
    execf(db, "INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL (start, end, deviceId, contextId, streamId, correlationId,"
              " globalPid, demangledName, shortName, registersPerThread, gridX, gridY, gridZ, blockX, blockY, blockZ,"
              " staticSharedMemory, dynamicSharedMemory, localMemoryPerThread, localMemoryTotal, gridId)"
              " VALUES (%lld, %lld, %d, 1, %d, %d, %lld, %d, %d, 32, 16, 1, 1, 512, 1, 1, 0, 0, 0, 0, 1)",
          (long long)start, (long long)end, pid == 200 ? 1 : 0, stream, corr, (long long)GPID(pid), name_id, name_id);
}

static void launch(sqlite3 *db, int64_t start, int corr, int pid)
{
    execf(db, "INSERT INTO CUPTI_ACTIVITY_KIND_RUNTIME VALUES (%lld, %lld, 1, %lld, %d, 90, 0, NULL)",
          (long long)start, (long long)start + 500, (long long)GTID(pid, pid), corr);
}

/* A NCCL API range: name registered in StringIds (textId), payload decoded as JSON. */
static void nccl_range(sqlite3 *db, int64_t start, int64_t end, int pid, int name_id, const char *json)
{
    execf(db, "INSERT INTO NVTX_EVENTS (start, end, eventType, text, globalTid, textId, jsonText)"
              " VALUES (%lld, %lld, 59, NULL, %lld, %d, '%s')",
          (long long)start, (long long)end, (long long)GTID(pid, pid), name_id, json);
}

typedef imp_fixture fixture;

static int setup(void **state) { return imp_fixture_setup(state, "report.sqlite"); }
static int teardown(void **state) { return imp_fixture_teardown(state); }

static sqlite3 *create_db(fixture *f)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->in, &db), SQLITE_OK);
    exec(db, schema_sql);
    exec(db, "INSERT INTO StringIds VALUES (1, 'nvjet_sm90_tst_128x64_64x8_1x2_h_bz_NNT'),"
             " (2, 'ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)'),"
             " (3, 'ncclDevKernel_SendRecv(ncclDevKernelArgsStorage<4096ul>)'),"
             " (4, 'ncclAllReduce'), (5, 'ncclSend'), (6, 'ncclRecv'), (7, 'ncclCommInitRank'),"
             " (8, 'ncclGroupEnd'), (9, 'ncclDevKernel_AllGather_RING_LL(ncclDevKernelArgsStorage<4096ul>)'),"
             " (90, 'cuLaunchKernelEx')");
    return db;
}

static int run(fixture *f, ps_import_stats *st, ps_error *err)
{
    ps_import_options opts;
    ps_import_options_init(&opts);
    return ps_importer_find("nsys")->import(f->in, f->out, &opts, st, err);
}

/* Imports f's database and reads the trace back through the strict trace reader (meta.json
 * included); any error fails the test. */
static void import_and_read_back(fixture *f, ps_import_stats *st, imp_rows *rows)
{
    ps_error err = {0};
    if (run(f, st, &err))
        fail_msg("%s", err.message);
    if (imp_read_back(f->out, rows, &err))
        fail_msg("read back: %s", err.message);
}

/* One memset of 4 bytes on stream 7 of device 0 (process 100's pid). */
static void memset_row(sqlite3 *db, int64_t start, int64_t end, int correlation)
{
    execf(db,
          "INSERT INTO CUPTI_ACTIVITY_KIND_MEMSET (start, end, deviceId, contextId, streamId, correlationId,"
          " globalPid, value, bytes, memKind) VALUES (%lld, %lld, 0, 1, 7, %d, 1677721600, 0, 4, 2)",
          (long long)start, (long long)end, correlation);
}

/* Two processes (pids 100 and 200 -> ranks 0 and 1) on a 2-rank communicator: an all-reduce
 * each, then rank 0 sends to rank 1 inside a group. */
static void test_two_ranks(void **state)
{
    fixture *f = *state;
    sqlite3 *db = create_db(f);
    const char *comm = "\"NCCL communicator ID\": 77";
    for (int r = 0; r < 2; r++) {
        int pid = r ? 200 : 100;
        char json[256];
        snprintf(json, sizeof json, "{%s, \"No. of ranks\": 2, \"Rank\": %d, \"CUDA device\": %d}", comm, r, r);
        nccl_range(db, 1000, 900000, pid, 7, json);
    }
    /* rank 0: GEMM, all-reduce of 1 MiB, group { send 4096 B to comm rank 1 } */
    kernel(db, 2000000, 2010000, 7, 11, 100, 1);
    nccl_range(db, 2011000, 2015000, 100, 4, "{\"NCCL communicator ID\": 77, \"Message size [bytes]\": 1048576, \"Reduction operation\": \"Sum\"}");
    launch(db, 2012000, 12, 100);
    kernel(db, 2020000, 2050000, 13, 12, 100, 2);
    nccl_range(db, 2051000, 2052000, 100, 5, "{\"NCCL communicator ID\": 77, \"Message size [bytes]\": 4096, \"Peer rank\": 1}");
    nccl_range(db, 2053000, 2056000, 100, 8, "{}");
    launch(db, 2054000, 13, 100);
    kernel(db, 2060000, 2061000, 13, 13, 100, 3);
    /* rank 1: all-reduce, recv */
    nccl_range(db, 2011500, 2015500, 200, 4, "{\"NCCL communicator ID\": 77, \"Message size [bytes]\": 1048576}");
    launch(db, 2012500, 21, 200);
    kernel(db, 2021000, 2050000, 13, 21, 200, 2);
    nccl_range(db, 2051500, 2052500, 200, 6, "{\"NCCL communicator ID\": 77, \"Message size [bytes]\": 4096, \"Peer rank\": 0}");
    launch(db, 2053000, 22, 200);
    kernel(db, 2060500, 2061000, 13, 22, 200, 3);
    /* rank 1: an AllGather kernel launched without any NVTX call (say NVTX was disabled) */
    kernel(db, 2070000, 2071000, 13, 23, 200, 9);
    /* a memcpy DtoD and a memset on rank 0 */
    exec(db, "INSERT INTO CUPTI_ACTIVITY_KIND_MEMCPY (start, end, deviceId, contextId, streamId, correlationId,"
             " globalPid, bytes, copyKind, srcKind, dstKind) VALUES (2080000, 2081000, 0, 1, 7, 30, 1677721600, 65536, 8, 2, 2)");
    memset_row(db, 2082000, 2082500, 31);
    sqlite3_close(db);

    ps_import_stats st;
    imp_rows rows;
    import_and_read_back(f, &st, &rows);
    assert_int_equal(st.ranks, 2);
    assert_int_equal(st.kernels, 6);
    assert_int_equal(st.memcpys, 1);
    assert_int_equal(st.memsets, 1);
    assert_int_equal(st.nccl_kernels, 5);
    assert_int_equal(st.comms_described, 4);
    assert_int_equal(st.comms_from_names, 1);
    assert_string_equal(rows.meta.gpu_name, "NVIDIA H100 80GB HBM3");
    assert_int_equal(rows.meta.sm_clock_mhz, 1980);
    assert_string_equal(rows.meta.recorder_version, "Nsight Systems 2024.6.2.225");
    /* session start 1790857026 s + first kernel at 2 ms */
    assert_string_equal(rows.meta.date, "2026-10-01T12:17:06Z");
    /* times relative to the earliest row (the GEMM at 2,000,000 ns) */
    assert_int_equal(rows.acts[0].start_ns, 0);
    assert_int_equal(rows.acts[0].rank, 0);
    assert_string_equal(rows.acts[0].name, "nvjet_sm90_tst_128x64_64x8_1x2_h_bz_NNT");
    assert_int_equal(rows.acts[0].grid[0], 16);
    assert_int_equal(rows.acts[0].block[0], 512);

    bool seen_copy = false, seen_set = false;
    for (size_t i = 0; i < rows.n_acts; i++) {
        if (rows.acts[i].kind == PS_TRACE_MEMCPY) {
            assert_string_equal(rows.acts[i].name, "Memcpy DtoD (Device -> Device)");
            assert_int_equal(rows.acts[i].bytes, 65536);
            assert_int_equal(rows.acts[i].rank, 0); /* globalPid 1677721600 = 100 << 24 */
            seen_copy = true;
        }
        if (rows.acts[i].kind == PS_TRACE_MEMSET) {
            assert_string_equal(rows.acts[i].name, "Memset (Device)");
            seen_set = true;
        }
    }
    assert_true(seen_copy && seen_set);

    /* comms, by rank then GPU start: rank 0 allreduce, send; rank 1 allreduce, recv, allgather */
    assert_int_equal(rows.n_comms, 5);
    const ps_trace_comm *c = rows.comms;
    assert_int_equal(c[0].rank, 0);
    assert_int_equal(c[0].collective, PS_TRACE_ALLREDUCE);
    assert_int_equal(c[0].bytes, 1048576);
    assert_string_equal(c[0].dtype, "bf16");
    assert_string_equal(c[0].group_id, "comm77");
    assert_int_equal(c[0].group_size, 2);
    assert_int_equal(c[0].seq, 0);
    assert_int_equal(c[0].start_ns, 20000);
    assert_int_equal(c[0].end_ns, 50000);
    assert_int_equal(c[1].collective, PS_TRACE_SEND);
    assert_int_equal(c[1].peer, 1);
    assert_int_equal(c[1].bytes, 4096);
    assert_string_equal(c[1].dtype, "u8"); /* SendRecv kernels carry no type: counted in bytes */
    assert_int_equal(c[2].rank, 1);
    assert_int_equal(c[2].collective, PS_TRACE_ALLREDUCE);
    assert_int_equal(c[2].seq, 0);
    assert_int_equal(c[3].collective, PS_TRACE_RECV);
    assert_int_equal(c[3].peer, 0);
    assert_int_equal(c[4].collective, PS_TRACE_ALLGATHER);
    assert_int_equal(c[4].bytes, 0);
    assert_string_equal(c[4].group_id, "stream13");

    ps_trace_summary sum;
    ps_error err = {0};
    memset(&sum, 0, sizeof sum);
    if (ps_trace_check(f->out, &sum, &err))
        fail_msg("trace check: %s", err.message);
    assert_int_equal(sum.ranks, 2);
    ps_trace_summary_free(&sum);
}

/* All-gather and reduce-scatter sizes: NCCL's NVTX payload says one rank's share ("Message size
 * [bytes]" = sendcount x type size for ncclAllGather, recvcount x type size for
 * ncclReduceScatter); the trace format wants nccl-tests' size, the gathered output / the full
 * input: x the communicator's 2 ranks. */
static void test_gather_scatter_sizes(void **state)
{
    fixture *f = *state;
    sqlite3 *db = create_db(f);
    exec(db, "INSERT INTO StringIds VALUES (10, 'ncclAllGather'), (11, 'ncclReduceScatter'),"
             " (12, 'ncclDevKernel_ReduceScatter_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)')");
    for (int r = 0; r < 2; r++) {
        int pid = r ? 200 : 100;
        char json[256];
        snprintf(json, sizeof json, "{\"NCCL communicator ID\": 5, \"No. of ranks\": 2, \"Rank\": %d}", r);
        nccl_range(db, 1000, 2000, pid, 7, json);
        nccl_range(db, 10000, 11000, pid, 10, "{\"NCCL communicator ID\": 5, \"Message size [bytes]\": 8192}");
        launch(db, 10500, 1, pid);
        kernel(db, 20000, 21000, 13, 1, pid, 9);
        nccl_range(db, 30000, 31000, pid, 11, "{\"NCCL communicator ID\": 5, \"Message size [bytes]\": 4096}");
        launch(db, 30500, 2, pid);
        kernel(db, 40000, 41000, 13, 2, pid, 12);
    }
    sqlite3_close(db);
    ps_import_stats st;
    imp_rows rows;
    import_and_read_back(f, &st, &rows);
    assert_int_equal(rows.n_comms, 4);
    for (int i = 0; i < 4; i++) {
        const ps_trace_comm *c = &rows.comms[i];
        assert_int_equal(c->group_size, 2);
        assert_string_equal(c->group_id, "comm5");
        if (i % 2 == 0) {
            assert_int_equal(c->collective, PS_TRACE_ALLGATHER);
            assert_int_equal(c->bytes, 16384); /* 8192 per rank x 2 */
        } else {
            assert_int_equal(c->collective, PS_TRACE_REDUCESCATTER);
            assert_int_equal(c->bytes, 8192); /* 4096 per rank x 2 */
            assert_string_equal(c->dtype, "bf16");
        }
    }
    ps_trace_summary sum;
    ps_error err = {0};
    memset(&sum, 0, sizeof sum);
    if (ps_trace_check(f->out, &sum, &err)) /* both ranks agree on every call */
        fail_msg("trace check: %s", err.message);
    ps_trace_summary_free(&sum);
}

/* An NVTX push/pop range (eventType 59) of the user on thread (pid, tid): its text either in the
 * `text` column or registered (textId), as nvtxRangePushA / nvtxDomainRangePushEx write them;
 * end < 0 writes NULL (never popped). */
static void user_range(sqlite3 *db, int64_t start, int64_t end, int pid, int tid, const char *text, int text_id,
                       int event_type)
{
    char end_sql[32], text_sql[160], id_sql[16];
    snprintf(end_sql, sizeof end_sql, end < 0 ? "NULL" : "%lld", (long long)end);
    snprintf(text_sql, sizeof text_sql, text ? "'%s'" : "NULL", text);
    snprintf(id_sql, sizeof id_sql, text_id ? "%d" : "NULL", text_id);
    execf(db, "INSERT INTO NVTX_EVENTS (start, end, eventType, text, globalTid, textId) VALUES (%lld, %s, %d, %s, %lld, %s)",
          (long long)start, end_sql, event_type, text_sql, (long long)GTID(pid, tid), id_sql);
}

static void launch_on(sqlite3 *db, int64_t start, int corr, int pid, int tid)
{
    execf(db, "INSERT INTO CUPTI_ACTIVITY_KIND_RUNTIME VALUES (%lld, %lld, 1, %lld, %d, 90, 0, NULL)",
          (long long)start, (long long)start + 500, (long long)GTID(pid, tid), corr);
}

static const char *op_of(const imp_rows *rows, int rank, uint64_t corr, ps_trace_activity_kind kind)
{
    for (size_t i = 0; i < rows->n_acts; i++)
        if (rows->acts[i].rank == rank && rows->acts[i].correlation_id == corr && rows->acts[i].kind == kind)
            return rows->acts[i].op_id;
    fail_msg("no activity of rank %d with correlation %llu", rank, (unsigned long long)corr);
    return NULL;
}

/* Op ids from the user's NVTX push/pop ranges around each launch call (thread 100 of pid 100
 * unless said; times in ns):
 *   decode/mb0/L000/qkv_gemm (text)        [1000, 2000]    corr 11 at 1500, memset corr 18 at 1600
 *   decode/mb0/L000/mlp_allreduce (textId) [3000, 6000]
 *     ncclAllReduce (NCCL's range, 1 MiB)  [3100, 3900]    corr 12 at 3200: the NCCL kernel
 *   decode/mb0/L009/startend, eventType 60 [7000, 8000]    corr 13 at 7500: start/end ranges not used
 *   decode/mb0/L001/other on thread 101    [0, 10000]      corr 14 at 9000 on thread 100: not ours
 *   decode/mb0/L001/attention              [10000, 12000]  corr 16 at 11000
 *     decode/mb0/L001/rope                 [10100, 10200]  corr 15 at 10150: innermost
 *   decode/mb0/L002/open, never popped     [13000, -]      corr 17 at 13500
 * pid 200 (rank 1) reuses correlation id 11 inside prefill/mb0/L000/qkv_gemm: ids are per process. */
static void test_op_ids(void **state)
{
    fixture *f = *state;
    sqlite3 *db = create_db(f);
    exec(db, "INSERT INTO StringIds VALUES (20, 'decode/mb0/L000/mlp_allreduce')");
    user_range(db, 1000, 2000, 100, 100, "decode/mb0/L000/qkv_gemm", 0, 59);
    launch_on(db, 1500, 11, 100, 100);
    launch_on(db, 1600, 18, 100, 100);
    user_range(db, 3000, 6000, 100, 100, NULL, 20, 59);
    nccl_range(db, 3100, 3900, 100, 4, "{\"NCCL communicator ID\": 77, \"Message size [bytes]\": 1048576}");
    launch_on(db, 3200, 12, 100, 100);
    user_range(db, 7000, 8000, 100, 100, "decode/mb0/L009/startend", 0, 60);
    launch_on(db, 7500, 13, 100, 100);
    user_range(db, 0, 10000, 100, 101, "decode/mb0/L001/other", 0, 59);
    launch_on(db, 9000, 14, 100, 100);
    user_range(db, 10000, 12000, 100, 100, "decode/mb0/L001/attention", 0, 59);
    user_range(db, 10100, 10200, 100, 100, "decode/mb0/L001/rope", 0, 59);
    launch_on(db, 10150, 15, 100, 100);
    launch_on(db, 11000, 16, 100, 100);
    user_range(db, 13000, -1, 100, 100, "decode/mb0/L002/open", 0, 59);
    launch_on(db, 13500, 17, 100, 100);
    user_range(db, 1000, 2000, 200, 200, "prefill/mb0/L000/qkv_gemm", 0, 59);
    launch_on(db, 1500, 11, 200, 200);
    kernel(db, 100000, 101000, 7, 11, 100, 1);
    kernel(db, 100500, 101000, 7, 11, 200, 1);
    kernel(db, 110000, 111000, 13, 12, 100, 2);
    for (int corr = 13; corr <= 17; corr++)
        kernel(db, 100000 + 10000 * (corr - 11), 100000 + 10000 * (corr - 11) + 1000, 7, corr, 100, 1);
    memset_row(db, 170000, 170500, 18);
    sqlite3_close(db);

    ps_import_stats st;
    imp_rows rows;
    import_and_read_back(f, &st, &rows);
    assert_string_equal(op_of(&rows, 0, 11, PS_TRACE_KERNEL), "decode/mb0/L000/qkv_gemm");
    assert_string_equal(op_of(&rows, 1, 11, PS_TRACE_KERNEL), "prefill/mb0/L000/qkv_gemm");
    assert_string_equal(op_of(&rows, 0, 18, PS_TRACE_MEMSET), "decode/mb0/L000/qkv_gemm");
    assert_string_equal(op_of(&rows, 0, 12, PS_TRACE_KERNEL), "decode/mb0/L000/mlp_allreduce");
    assert_string_equal(op_of(&rows, 0, 13, PS_TRACE_KERNEL), "");
    assert_string_equal(op_of(&rows, 0, 14, PS_TRACE_KERNEL), "");
    assert_string_equal(op_of(&rows, 0, 15, PS_TRACE_KERNEL), "decode/mb0/L001/rope");
    assert_string_equal(op_of(&rows, 0, 16, PS_TRACE_KERNEL), "decode/mb0/L001/attention");
    assert_string_equal(op_of(&rows, 0, 17, PS_TRACE_KERNEL), "");
    assert_int_equal(st.acts_with_op_id, 6);
    /* The NCCL call is still matched through NCCL's own range (size from its payload), and its
     * comms row takes the kernel's op id. */
    assert_int_equal(rows.n_comms, 1);
    assert_int_equal(st.comms_described, 1);
    assert_int_equal(rows.comms[0].bytes, 1048576);
    assert_string_equal(rows.comms[0].group_id, "comm77");
    assert_string_equal(rows.comms[0].op_id, "decode/mb0/L000/mlp_allreduce");
    assert_int_equal(st.comms_with_op_id, 1);
}

/* ---- metadata from older exports ----
 * Each layout: a minimal kernel table (the columns the importer reads, as every version since
 * 2021 has them) with one kernel on device `dev`, plus the metadata tables of that era:
 *   2021.1 ("EARLY_2021" in public analysis scripts): TARGET_INFO_CUDA_GPU keyed by deviceId, clock
 *          coreClockRate in kHz (CUPTI CUpti_ActivityDevice); EXPORT_META_DATA; TARGET_INFO_SYSTEM_ENV
 *          (name, value)
 *   2022-2023: TARGET_INFO_GPU keyed by id, clockRate in Hz; META_DATA_EXPORT; TARGET_INFO_SYSTEM_ENV
 *          (nameId, valueId) -> StringIds
 *   2024:  TARGET_INFO_SYSTEM_ENV (globalVid, devStateName, name, nameEnum, value) */
static const char *const min_kernel_sql =
    "CREATE TABLE StringIds (id INTEGER NOT NULL PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE CUPTI_ACTIVITY_KIND_KERNEL (start INTEGER NOT NULL, end INTEGER NOT NULL,"
    " deviceId INTEGER NOT NULL, contextId INTEGER NOT NULL, streamId INTEGER NOT NULL, correlationId INTEGER,"
    " globalPid INTEGER, demangledName INTEGER NOT NULL, shortName INTEGER NOT NULL,"
    " gridX INTEGER NOT NULL, gridY INTEGER NOT NULL, gridZ INTEGER NOT NULL, blockX INTEGER NOT NULL,"
    " blockY INTEGER NOT NULL, blockZ INTEGER NOT NULL);"
    "INSERT INTO StringIds VALUES (1, 'volta_sgemm_128x64_nn');";

static void meta_case(fixture *f, int dev, const char *tables_sql, const char *gpu, int clock_mhz, const char *recorder,
                      const char *driver)
{
    imp_rm_rf(f->out);
    remove(f->in);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->in, &db), SQLITE_OK);
    exec(db, min_kernel_sql);
    execf(db, "INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL VALUES (1000, 2000, %d, 1, 7, 5, %lld, 1, 1, 1, 1, 1, 32, 1, 1)",
          dev, (long long)GPID(100));
    exec(db, tables_sql);
    sqlite3_close(db);
    ps_import_stats st;
    imp_rows rows;
    import_and_read_back(f, &st, &rows); /* meta.json, through the strict trace reader */
    assert_int_equal(rows.n_acts, 1);
    assert_string_equal(rows.meta.gpu_name, gpu);
    assert_int_equal(rows.meta.sm_clock_mhz, clock_mhz);
    assert_string_equal(rows.meta.recorder_version, recorder);
    assert_string_equal(rows.meta.driver_version, driver);
}

static void test_meta_old_exports(void **state)
{
    fixture *f = *state;
    /* 2021.1: 1530000 kHz = 1530 MHz; CUDA driver API 11020 = 11.2 */
    meta_case(f, 0,
              "CREATE TABLE TARGET_INFO_CUDA_GPU (deviceId INTEGER NOT NULL, name TEXT NOT NULL, numMultiprocessors INTEGER,"
              " coreClockRate INTEGER, computeCapabilityMajor INTEGER, computeCapabilityMinor INTEGER);"
              "INSERT INTO TARGET_INFO_CUDA_GPU VALUES (0, 'Tesla V100-SXM2-32GB', 80, 1530000, 7, 0);"
              "CREATE TABLE EXPORT_META_DATA (name TEXT NOT NULL, value TEXT);"
              "INSERT INTO EXPORT_META_DATA VALUES ('EXPORT_SCHEMA_VERSION', '2.5.0'),"
              " ('EXPORT_PRODUCT_VERSION', '2021.1.1.66');"
              "CREATE TABLE TARGET_INFO_SYSTEM_ENV (name TEXT NOT NULL, value TEXT NOT NULL);"
              "INSERT INTO TARGET_INFO_SYSTEM_ENV VALUES ('CpuCores', '80'), ('CudaDriverVersion', '11020');",
              "Tesla V100-SXM2-32GB", 1530, "Nsight Systems 2021.1.1.66", "11.2");
    /* 2022-2023: the kernel ran on device 1 of two; 1410000000 Hz = 1410 MHz; ids into StringIds */
    meta_case(f, 1,
              "CREATE TABLE TARGET_INFO_GPU (id INTEGER NOT NULL, name TEXT, busLocation TEXT, clockRate INTEGER,"
              " smCount INTEGER, uuid TEXT);"
              "INSERT INTO TARGET_INFO_GPU VALUES (0, 'NVIDIA A100-SXM4-40GB', '0000:07:00.0', 1410000000, 108, 'GPU-0'),"
              " (1, 'NVIDIA A100-SXM4-80GB', '0000:0f:00.0', 1410000000, 108, 'GPU-1');"
              "CREATE TABLE META_DATA_EXPORT (name TEXT NOT NULL, value TEXT);"
              "INSERT INTO META_DATA_EXPORT VALUES ('EXPORT_PRODUCT_VERSION', '2023.2.3.1001');"
              "INSERT INTO StringIds VALUES (50, 'CudaDriverVersion'), (51, '12020'), (52, 'CpuCores'), (53, '64');"
              "CREATE TABLE TARGET_INFO_SYSTEM_ENV (globalVid INTEGER, nameId INTEGER NOT NULL, valueId INTEGER NOT NULL);"
              "INSERT INTO TARGET_INFO_SYSTEM_ENV VALUES (0, 52, 53), (0, 50, 51);",
              "NVIDIA A100-SXM4-80GB", 1410, "Nsight Systems 2023.2.3.1001", "12.2");
    /* 2024: the environment table has globalVid, devStateName, nameEnum; the driver value an integer */
    meta_case(f, 0,
              "CREATE TABLE TARGET_INFO_GPU (vmId INTEGER NOT NULL, id INTEGER NOT NULL, name TEXT, clockRate INTEGER);"
              "INSERT INTO TARGET_INFO_GPU VALUES (0, 0, 'NVIDIA H100 80GB HBM3', 1980000000);"
              "CREATE TABLE META_DATA_EXPORT (name TEXT NOT NULL, value TEXT);"
              "INSERT INTO META_DATA_EXPORT VALUES ('EXPORT_PRODUCT_VERSION', '2024.6.2.225');"
              "CREATE TABLE TARGET_INFO_SYSTEM_ENV (globalVid INTEGER, devStateName TEXT NOT NULL, name TEXT NOT NULL,"
              " nameEnum INTEGER NOT NULL, value TEXT NOT NULL);"
              "INSERT INTO TARGET_INFO_SYSTEM_ENV VALUES (0, 'Default', 'CudaDriverVersion', 3, 12040);",
              "NVIDIA H100 80GB HBM3", 1980, "Nsight Systems 2024.6.2.225", "12.4");
    /* A TARGET_INFO_GPU without the kernel's device: the name comes from TARGET_INFO_CUDA_GPU
     * (keyed by id here), never from another GPU's row */
    meta_case(f, 3,
              "CREATE TABLE TARGET_INFO_GPU (id INTEGER NOT NULL, name TEXT, clockRate INTEGER);"
              "INSERT INTO TARGET_INFO_GPU VALUES (0, 'NVIDIA L4', 2040000000);"
              "CREATE TABLE TARGET_INFO_CUDA_GPU (id INTEGER NOT NULL, name TEXT NOT NULL, coreClockRate INTEGER);"
              "INSERT INTO TARGET_INFO_CUDA_GPU VALUES (3, 'NVIDIA L4', 2040000);",
              "NVIDIA L4", 2040, "Nsight Systems", "");
    /* nothing usable: an unknown layout, a non-numeric driver value, a GPU table without a key */
    meta_case(f, 0,
              "CREATE TABLE TARGET_INFO_GPU (name TEXT, clockRate INTEGER);"
              "INSERT INTO TARGET_INFO_GPU VALUES ('NVIDIA H200', 1980000000);"
              "CREATE TABLE META_DATA_EXPORT (k TEXT, v TEXT);"
              "INSERT INTO META_DATA_EXPORT VALUES ('EXPORT_PRODUCT_VERSION', '2024.6.2.225');"
              "CREATE TABLE TARGET_INFO_SYSTEM_ENV (name TEXT NOT NULL, value TEXT NOT NULL);"
              "INSERT INTO TARGET_INFO_SYSTEM_ENV VALUES ('CudaDriverVersion', '12.4');",
              "", 0, "Nsight Systems", "");
}

static void expect_error(fixture *f, const char *reason)
{
    ps_import_stats st;
    ps_error err = {0};
    assert_int_equal(run(f, &st, &err), PS_EINPUT);
    if (strncmp(err.message, f->in, strlen(f->in)) || !strstr(err.message, reason))
        fail_msg("got '%s', want '%s: ...%s'", err.message, f->in, reason);
    struct stat sb;
    assert_int_not_equal(stat(f->out, &sb), 0);
}

static void test_errors(void **state)
{
    fixture *f = *state;
    imp_write_file(f->in, "this is not a database, just some text that is long enough to look like a header ......");
    expect_error(f, "not a valid SQLite database");

    remove(f->in);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->in, &db), SQLITE_OK);
    exec(db, "CREATE TABLE StringIds (id INTEGER PRIMARY KEY, value TEXT)");
    sqlite3_close(db);
    expect_error(f, "no CUPTI_ACTIVITY_KIND_KERNEL table");

    /* One bad kernel row each: its end, its name id, what is changed after the insert. */
    static const struct {
        int64_t end;
        int name_id;
        const char *update; /* NULL: none */
        const char *reason;
    } bad_kernels[] = {
        {4000, 1, NULL, "CUPTI_ACTIVITY_KIND_KERNEL row 1: negative duration"},
        {6000, 1, "UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET start = 'soon'", "row 1: start is text, not an integer"},
        {6000, 555, NULL, "kernel name id not found in StringIds"},
        {6000, 1, "UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET gridX = -4", "gridX = -4 is out of range"},
    };
    for (size_t i = 0; i < sizeof bad_kernels / sizeof bad_kernels[0]; i++) {
        remove(f->in);
        db = create_db(f);
        kernel(db, 5000, bad_kernels[i].end, 7, 1, 100, bad_kernels[i].name_id);
        if (bad_kernels[i].update)
            exec(db, bad_kernels[i].update);
        sqlite3_close(db);
        expect_error(f, bad_kernels[i].reason);
    }

    /* A view in place of the kernel table is refused (it could run arbitrary SQL). */
    remove(f->in);
    assert_int_equal(sqlite3_open(f->in, &db), SQLITE_OK);
    exec(db, "CREATE TABLE StringIds (id INTEGER PRIMARY KEY, value TEXT);"
             "CREATE VIEW CUPTI_ACTIVITY_KIND_KERNEL AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c)"
             " SELECT x AS start FROM c");
    sqlite3_close(db);
    expect_error(f, "no CUPTI_ACTIVITY_KIND_KERNEL table");

    remove(f->in);
    db = create_db(f);
    sqlite3_close(db);
    expect_error(f, "no GPU activity");

    remove(f->in);
    expect_error(f, "cannot open");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_two_ranks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_op_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_meta_old_exports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gather_scatter_sizes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
