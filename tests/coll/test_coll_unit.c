/* tests/coll/test_coll_unit.c: the collective model's pure parts (no SimGrid run): names,
 * nccl-tests busbw factors and size rounding, calibration sidecars, the nccl-tests log reader.
 * The log fixtures in tests/coll/data are synthetic (written for these tests, shaped like
 * nccl-tests 2.x output), not measurements. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "parsim/coll.h"
#include "coll/coll_internal.h"

static char path_buf[1024];

static const char *src_path(const char *rel)
{
    const char *src = getenv("PARSIM_SOURCE_DIR");
    snprintf(path_buf, sizeof path_buf, "%s/%s", src ? src : ".", rel);
    return path_buf;
}

/* nccl-tests doc/PERFORMANCE.md: all_reduce 2(n-1)/n, all_gather (n-1)/n, sendrecv 1. */
static void test_busbw_factors(void **state)
{
    (void)state;
    assert_true(fabs(ps_coll_busbw_factor(PS_COLL_ALL_REDUCE, 8) - 1.75) < 1e-15);
    assert_true(fabs(ps_coll_busbw_factor(PS_COLL_ALL_GATHER, 8) - 0.875) < 1e-15);
    assert_true(fabs(ps_coll_busbw_factor(PS_COLL_REDUCE_SCATTER, 4) - 0.75) < 1e-15);
    assert_true(fabs(ps_coll_busbw_factor(PS_COLL_SENDRECV, 8) - 1.0) < 1e-15);
    assert_true(fabs(ps_coll_busbw_factor(PS_COLL_BROADCAST, 8) - 1.0) < 1e-15);
}

/* nccl-tests rounds to whole elements per rank for all_gather: 1000 B, 8 ranks, 2-byte type ->
 * 62 elements per rank, 992 B printed; all_reduce: 500 elements, 1000 B. */
static void test_round_size(void **state)
{
    (void)state;
    double size;
    long long count;
    ps_nccl_round_size(PS_COLL_ALL_GATHER, 8, 2, 1000, &size, &count);
    assert_true(size == 992 && count == 62);
    ps_nccl_round_size(PS_COLL_ALL_REDUCE, 8, 2, 1000, &size, &count);
    assert_true(size == 1000 && count == 500);
    ps_nccl_round_size(PS_COLL_ALLTOALL, 8, 4, 16, &size, &count);
    assert_true(size == 0 && count == 0);
}

static void test_names(void **state)
{
    (void)state;
    for (int op = 0; op < PS_COLL_OP_COUNT; op++) {
        ps_coll_op back;
        assert_int_equal(ps_coll_op_parse(ps_coll_op_name((ps_coll_op)op), &back), PS_OK);
        assert_int_equal(back, op);
    }
    ps_coll_algo a;
    ps_coll_proto p;
    assert_int_equal(ps_coll_algo_parse("NVLS", &a), PS_OK);
    assert_int_equal(a, PS_ALGO_NVLS);
    assert_int_equal(ps_coll_proto_parse("ll128", &p), PS_OK);
    assert_int_equal(p, PS_PROTO_LL128);
    assert_int_equal(ps_coll_algo_parse("nvls_tree", &a), PS_OK);
    assert_int_equal(a, PS_ALGO_NVLS_TREE);
    assert_int_equal(ps_coll_algo_parse("Tree", &a), PS_OK);
    assert_int_equal(a, PS_ALGO_TREE);
    assert_string_equal(ps_coll_algo_name(PS_ALGO_NVLS_TREE), "nvls_tree");
    assert_int_equal(ps_coll_algo_parse("CollNet_Direct", &a), PS_OK);
    assert_int_equal(a, PS_ALGO_COLLNET_DIRECT);
    assert_int_equal(ps_coll_algo_parse("collnet_chain", &a), PS_OK);
    assert_int_equal(a, PS_ALGO_COLLNET_CHAIN);
    assert_string_equal(ps_coll_algo_name(PS_ALGO_COLLNET_DIRECT), "collnet_direct");
    assert_int_equal(ps_coll_algo_parse("collnet", &a), PS_EINPUT);
    assert_int_equal(ps_coll_algo_parse("tree2", &a), PS_EINPUT);
    assert_int_equal(ps_coll_op_parse("allreduce", NULL), PS_EINPUT);
}

/* The per-collective facts come from the one table (sim/coll/collectives.c): the nccl-tests
 * columns parsim nccl prints (nccl-tests src/<op>.cu: all_reduce and reduce_scatter print "sum",
 * broadcast root 0) and which ops have an nccl-tests binary. */
static void test_collective_table(void **state)
{
    (void)state;
    assert_string_equal(ps_coll_op_redop(PS_COLL_ALL_REDUCE), "sum");
    assert_string_equal(ps_coll_op_redop(PS_COLL_ALL_GATHER), "none");
    assert_string_equal(ps_coll_op_redop(PS_COLL_REDUCE_SCATTER), "sum");
    assert_int_equal(ps_coll_op_root(PS_COLL_BROADCAST), 0);
    assert_int_equal(ps_coll_op_root(PS_COLL_ALL_REDUCE), -1);
    assert_true(ps_coll_op_has_nccl_test(PS_COLL_SENDRECV));
    assert_false(ps_coll_op_has_nccl_test(PS_COLL_SEND));
    char list[256];
    ps_coll_op_list(list, sizeof list, true);
    assert_string_equal(list, "all_reduce, all_gather, reduce_scatter, alltoall, sendrecv, broadcast");
    ps_coll_op_list(list, 12, false); /* truncated, still terminated */
    assert_int_equal(strlen(list), 11);
    assert_true(ps_coll_busbw_factor(PS_COLL_ALL_REDUCE, 0) == 0);
    assert_string_equal(ps_coll_op_name(PS_COLL_OP_COUNT), "unknown");
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* NCCL's NVLS split on one node (model.c coll_nvls_split_of), worked out by hand from NVIDIA/nccl
 * v2.29.2 enqueue.cc (cells of 32 KiB of traffic, 2 per all_reduce byte; calcCollChunking's NVLS
 * chunk with concurrentOps = nHeads = 8) for 8 GPUs and 16 channels. */
static void test_nvls_split(void **state)
{
    (void)state;
    static const struct {
        double bytes;
        int channels;
        double chunk;
        int iterations;
        double first;
    } want[] = {
        {1024, 1, 16384, 1, 1024},                /* one 16 KiB cell: one channel */
        {65536, 4, 16384, 1, 16384},              /* 4 cells of 16 KiB */
        {1 << 20, 16, 16384, 1, 65536},           /* 64 KiB per channel < 8 heads x 16 KiB */
        {2 << 20, 16, 16384, 1, 131072},          /* exactly 8 x 16 KiB per channel */
        {4 << 20, 16, 16384, 2, 131072},          /* 256 KiB < 2 x 8 x 32 KiB: 16 KiB chunks */
        {8 << 20, 16, 32768, 2, 262144},          /* 512 KiB per channel: 32 KiB chunks */
        {64 << 20, 16, 65536, 8, 524288},         /* 4 MiB per channel: 64 KiB */
        {1024.0 * (1 << 20), 16, 131072, 64, 1 << 20}, /* 64 MiB per channel: NVLS_CHUNKSIZE */
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        coll_nvls_split s;
        coll_nvls_split_of(PS_COLL_ALL_REDUCE, 8, 16, 0, want[i].bytes, &s);
        assert_int_equal(s.channels, want[i].channels);
        assert_true(s.chunk_bytes == want[i].chunk);
        assert_int_equal(s.iterations, want[i].iterations);
        assert_true(s.first_bytes == want[i].first);
    }
    /* all_gather: a cell is 32 KiB of the whole buffer (32 KiB / n per rank x n ranks). */
    coll_nvls_split s;
    coll_nvls_split_of(PS_COLL_ALL_GATHER, 8, 16, 0, 65536, &s);
    assert_int_equal(s.channels, 2);
    /* NCCL's constants (no fill, copy or reduce rate): NVLS adds nothing to L + tb. */
    ps_coll_params p;
    ps_coll_params_default(&p);
    coll_geom geom = {.nvls_channels = 16};
    assert_true(coll_nvls_pipeline_s(&p, PS_COLL_ALL_REDUCE, 8, &geom, 8 << 20, 1e-5) == 0);
    /* 8 MiB: (2 - 1) x fill + 2 copies x 256 KiB / copy rate; no NVLS channels: nothing. */
    p.nvls.fill_us = 5;
    p.nvls_copy_gbps = 32;
    double t = coll_nvls_pipeline_s(&p, PS_COLL_ALL_REDUCE, 8, &geom, 8 << 20, 1e-5);
    assert_true(fabs(t - (5e-6 + 2 * 262144 / 32e9)) < 1e-12);
    geom.nvls_channels = 0;
    assert_true(coll_nvls_pipeline_s(&p, PS_COLL_ALL_REDUCE, 8, &geom, 8 << 20, 1e-5) == 0);
}

/* The releases' NVLS splits (model.c), by hand from NVIDIA/nccl's code for 8 GPUs, 16 channels.
 * Before 2.20 (here 2.18.5): channel bid takes the block of 8 heads x chunk at bid x 8 x chunk,
 * chunk 16 KiB below 8 MiB (computeColl with concurrentOps = 16 x 8), so one channel below 128
 * KiB whose busiest head reduces a whole 16 KiB chunk. 2.20-2.21: 4 KiB per channel at least;
 * 2.22: 256 B (512 B of traffic); 2.23-2.28: 8 KiB (16 KiB of traffic). */
static void test_nvls_split_by_release(void **state)
{
    (void)state;
    static const struct {
        int version;
        double bytes;
        int channels, iterations;
        double channel, first, head;
    } want[] = {
        {21805, 1024, 1, 1, 1024, 1024, 1024},
        {21805, 65536, 1, 1, 65536, 65536, 16384},        /* 4 heads of 16 KiB */
        {21805, 1 << 20, 8, 1, 131072, 131072, 16384},    /* 8 blocks of 128 KiB */
        {21805, 4 << 20, 16, 2, 262144, 131072, 32768},   /* 2 loops of 16 x 128 KiB */
        {21805, 8 << 20, 16, 2, 524288, 262144, 65536},   /* 32 KiB chunks from 8 MiB */
        {22005, 1024, 1, 1, 1024, 1024, 128},
        {22005, 32768, 8, 1, 4096, 4096, 512},
        {22005, 65536, 16, 1, 4096, 4096, 512},
        {22203, 4096, 16, 1, 256, 256, 32},
        {22602, 65536, 8, 1, 8192, 8192, 1024},
        {22902, 65536, 4, 1, 16384, 16384, 2048},
        {22902, 8 << 20, 16, 2, 524288, 262144, 65536},   /* the same as 2.18 from 8 MiB */
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        coll_nvls_split s;
        coll_nvls_split_of(PS_COLL_ALL_REDUCE, 8, 16, want[i].version, want[i].bytes, &s);
        assert_int_equal(s.channels, want[i].channels);
        assert_int_equal(s.iterations, want[i].iterations);
        assert_true(s.channel_bytes == want[i].channel);
        assert_true(s.first_bytes == want[i].first);
        assert_true(s.head_bytes == want[i].head);
    }
    /* The reduce stage of a 2.18 64 KiB all_reduce: one head reduces 16 KiB at 4 GB/s. */
    ps_coll_params p;
    ps_coll_params_default(&p);
    p.nvls_reduce_gbps = 4;
    p.nccl_version = 21805;
    coll_geom geom = {.nvls_channels = 16};
    double t = coll_nvls_pipeline_s(&p, PS_COLL_ALL_REDUCE, 8, &geom, 65536, 1e-6);
    assert_true(fabs(t - (16384 / 4e9 - 1e-6)) < 1e-12);
    /* comm->nvlsChannels: Hopper 16 always; one Blackwell node 16 / 32 / 24 by release. */
    assert_int_equal(coll_nvls_channels(22902, 4), 16);
    assert_int_equal(coll_nvls_channels(21805, 4), 16);
    assert_int_equal(coll_nvls_channels(22403, 5), 16);
    assert_int_equal(coll_nvls_channels(22602, 5), 32);
    assert_int_equal(coll_nvls_channels(22703, 5), 24);
    assert_int_equal(coll_nvls_channels(0, 5), 24);
}

/* NCCL's version spellings (parsim/platform.h ps_nccl_version_parse). */
static void test_nccl_version_parse(void **state)
{
    (void)state;
    int v = 0;
    assert_int_equal(ps_nccl_version_parse("2.18.5", &v), PS_OK);
    assert_int_equal(v, 21805);
    assert_int_equal(ps_nccl_version_parse("2.20", &v), PS_OK);
    assert_int_equal(v, 22000);
    assert_int_equal(ps_nccl_version_parse("2.17.1", &v), PS_OK);
    static const char *const bad[] = {"", "2", "2.", "2.18.", "2.18.5.1", "3.0.0", "2.16.5",
                                      "2.17.0", "2.18.5-1", "2.1000", "v2.18", " 2.18", "2.18x",
                                      "2.100.1", "2.18.100"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ps_nccl_version_parse(bad[i], &v), PS_EINPUT);
    assert_int_equal(ps_nccl_version_parse(NULL, &v), PS_EINPUT);
    char buf[16];
    ps_nccl_version_format(21805, buf, sizeof buf);
    assert_string_equal(buf, "2.18.5");
    ps_nccl_version_format(0, buf, sizeof buf);
    assert_string_equal(buf, "2.29.2");
}

static void test_sidecar_roundtrip(void **state)
{
    (void)state;
    char path[] = "/tmp/parsim-coll-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    ps_coll_params p, q;
    ps_coll_params_default(&p);
    p.ring[PS_PROTO_LL].base_us = 4.25;
    p.nvls.eff = 0.625;
    p.ring_scale_other[0] = 0.5;
    p.launch_us = 4.5;
    p.nvls_copy_gbps = 33.0;
    p.nvls_reduce_gbps = 4.5;
    ps_error err = {0, ""};
    const char *files[] = {"/x/a.csv"};
    assert_int_equal(ps_coll_params_write(path, &p, "parsim calibrate ...", files, 1, 0.1, &err), PS_OK);
    ps_coll_params_default(&q);
    assert_int_equal(ps_coll_params_load(path, &q, &err), PS_OK);
    assert_true(q.ring[PS_PROTO_LL].base_us == 4.25 && q.nvls.eff == 0.625);
    assert_true(q.ring_scale_other[0] == 0.5 && q.launch_us == 4.5);
    assert_true(q.nvls_copy_gbps == 33.0 && q.nvls_reduce_gbps == 4.5);
    /* Default tree rows are not written (shipped sidecars keep their bytes)... */
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char text[8192];
    size_t len = fread(text, 1, sizeof text - 1, f);
    text[len] = '\0';
    fclose(f);
    assert_null(strstr(text, "tree"));
    /* ...changed ones are, with their net hop, and read back. */
    p.tree[PS_PROTO_SIMPLE].hop_us = 3.5;
    p.tree_net_hop_us[PS_PROTO_LL] = 7.25;
    p.nvls_tree_net_hop_us = 14;
    assert_int_equal(ps_coll_params_write(path, &p, "x", files, 1, 0.1, &err), PS_OK);
    ps_coll_params_default(&q);
    assert_int_equal(ps_coll_params_load(path, &q, &err), PS_OK);
    assert_true(q.tree[PS_PROTO_SIMPLE].hop_us == 3.5 && q.tree_net_hop_us[PS_PROTO_LL] == 7.25);
    assert_true(q.nvls_tree_net_hop_us == 14 && q.tree[PS_PROTO_LL].base_us == 6.8);
    write_file(path, "{\"format\":\"parsim-nccl-calibration 1\",\"nvls\":{\"net_hop_us\":1}}\n");
    assert_int_equal(ps_coll_params_load(path, &q, &err), PS_EINPUT); /* only tree rows have it */
    /* A misspelt key must not silently become a default. */
    write_file(path, "{\"format\":\"parsim-nccl-calibration 1\",\"ring\":{\"LL\":{\"hop\":1}}}\n");
    assert_int_equal(ps_coll_params_load(path, &q, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "unknown key \"hop\""));
    write_file(path, "{\"format\":\"parsim-nccl-calibration 1\",\n\"nvls\":{\"eff\":2}}\n");
    assert_int_equal(ps_coll_params_load(path, &q, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "\"eff\" must be a number in"));
    write_file(path, "{\"format\":\"parsim-nccl-calibration 1\",\n\"nvls\":{\"eff\":0.5,}\n");
    assert_int_equal(ps_coll_params_load(path, &q, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "malformed JSON"));
    unlink(path);
}

/* The sidecar convention: platforms/hgx-h100.xml -> platforms/hgx-h100.nccl.json. */
static void test_sidecar_lookup(void **state)
{
    (void)state;
    ps_coll_params p;
    char used[1024];
    ps_error err = {0, ""};
    assert_int_equal(ps_coll_params_for_platform(src_path("platforms/hgx-h100.xml"), NULL, &p, used,
                                                 sizeof used, &err), PS_OK);
    assert_non_null(strstr(used, "platforms/hgx-h100.nccl.json"));
    assert_int_equal(ps_coll_params_for_platform(src_path("platforms/hgx-b200.xml"), NULL, &p, used,
                                                 sizeof used, &err), PS_OK);
    assert_string_equal(used, ""); /* no sidecar: NCCL defaults */
    assert_true(p.ring[PS_PROTO_LL].base_us == 6.6);
}

static void test_log_reader(void **state)
{
    (void)state;
    ps_nccl_curve c;
    ps_error err = {0, ""};
    assert_int_equal(ps_nccl_curve_read(src_path("tests/coll/data/allreduce-8gpu.log"), &c, &err), PS_OK);
    assert_true(c.has_op && c.op == PS_COLL_ALL_REDUCE);
    assert_int_equal(c.gpus, 8);
    assert_int_equal(c.gpus_per_thread, 1);
    assert_int_equal(c.type_bytes, 4);
    assert_int_equal(c.n_rows, 3);
    assert_true(c.size_bytes[2] == 1048576 && c.time_us[2] == 26.00); /* out-of-place half */
    ps_nccl_curve_free(&c);
    assert_int_equal(ps_nccl_curve_read(src_path("tests/coll/data/garbage.log"), &c, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "garbage.log:3:"));
    assert_int_equal(ps_nccl_curve_read("/nonexistent/x.log", &c, &err), PS_EINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_busbw_factors), cmocka_unit_test(test_collective_table), cmocka_unit_test(test_round_size),
        cmocka_unit_test(test_names),         cmocka_unit_test(test_sidecar_roundtrip),
        cmocka_unit_test(test_nvls_split), cmocka_unit_test(test_nvls_split_by_release),
        cmocka_unit_test(test_nccl_version_parse),
        cmocka_unit_test(test_sidecar_lookup), cmocka_unit_test(test_log_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
