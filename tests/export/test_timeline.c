/* tests/export/test_timeline.c: the Chrome/Perfetto timeline writer (parsim/timeline.h).
 *
 * The expected JSON below is the writer's whole output for a few rows, written out by hand from
 * the layout rules in timeline.h (times: origin 1000 ns, so a start at 3500 ns is ts 2.500 us):
 * any change to the bytes `parsim trace export` or the replay writes fails here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parsim/timeline.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/parsim-timeline-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    text[n] = '\0';
    return text;
}

static ps_trace_activity kernel_row(void)
{
    ps_trace_activity a = {.rank = 1, .device = 1, .stream = 7, .op_id = "decode/mb0/L000/qkv_gemm",
                           .correlation_id = 11, .kind = PS_TRACE_KERNEL, .name = "nvjet_gemm",
                           .start_ns = 3500, .end_ns = 6001, .grid = {8, 2, 1}, .block = {128, 1, 1}};
    return a;
}

static ps_trace_comm send_row(void)
{
    ps_trace_comm c = {.rank = 1, .stream = 20, .op_id = "", .correlation_id = 12, .collective = PS_TRACE_SEND,
                       .bytes = 4096, .dtype = "bf16", .peer = 0, .group_id = "pp0-1", .group_size = 2, .seq = 3,
                       .start_ns = 7000, .end_ns = 9000};
    return c;
}

static const char *const expected =
    "{\"traceEvents\": [\n"
    "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 1, \"args\": {\"name\": \"predicted rank 1 (NVIDIA H200)\"}},\n"
    "{\"name\": \"process_sort_index\", \"ph\": \"M\", \"pid\": 1, \"args\": {\"sort_index\": 1}},\n"
    "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 7, \"args\": {\"name\": \"stream 7\"}},\n"
    "{\"name\": \"thread_sort_index\", \"ph\": \"M\", \"pid\": 1, \"tid\": 7, \"args\": {\"sort_index\": 7}},\n"
    "{\"name\": \"nvjet_gemm\", \"cat\": \"kernel\", \"ph\": \"X\", \"pid\": 1, \"tid\": 7, \"ts\": 2.500, \"dur\": 2.501, "
    "\"args\": {\"device\": 1, \"stream\": 7, \"correlation\": 11, \"op_id\": \"decode/mb0/L000/qkv_gemm\", "
    "\"grid\": [8, 2, 1], \"block\": [128, 1, 1], \"source\": \"model\", \"error_pct\": 7, \"flops\": 123456789012, "
    "\"share\": 0.125}},\n"
    /* send: tid 2 x 2^32 + 20 */
    "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 8589934612, \"args\": {\"name\": \"NCCL send stream 20\"}},\n"
    "{\"name\": \"thread_sort_index\", \"ph\": \"M\", \"pid\": 1, \"tid\": 8589934612, \"args\": {\"sort_index\": 8589934612}},\n"
    "{\"name\": \"send pp0-1\", \"cat\": \"collective_comm\", \"ph\": \"X\", \"pid\": 1, \"tid\": 8589934612, \"ts\": 6.000, "
    "\"dur\": 2.000, \"args\": {\"collective\": \"send\", \"bytes\": 4096, \"dtype\": \"bf16\", \"peer\": 0, \"group\": \"pp0-1\", "
    "\"group_size\": 2, \"seq\": 3, \"op_id\": \"\", \"correlation\": 12, \"stream\": 20, \"source\": \"coll model \\\"ring\\\"\"}},\n"
    /* links: class nvlink = pid 1000000, its links tid 1, 2; class pcie = pid 1000001, tid 3 */
    "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 1000000, \"args\": {\"name\": \"predicted links: nvlink\"}},\n"
    "{\"name\": \"process_sort_index\", \"ph\": \"M\", \"pid\": 1000000, \"args\": {\"sort_index\": 1000000}},\n"
    "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1000000, \"tid\": 1, \"args\": {\"name\": \"gpu0->nvswitch\"}},\n"
    "{\"name\": \"thread_sort_index\", \"ph\": \"M\", \"pid\": 1000000, \"tid\": 1, \"args\": {\"sort_index\": 1}},\n"
    "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1000000, \"tid\": 2, \"args\": {\"name\": \"gpu1->nvswitch\"}},\n"
    "{\"name\": \"thread_sort_index\", \"ph\": \"M\", \"pid\": 1000000, \"tid\": 2, \"args\": {\"sort_index\": 2}},\n"
    "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 1000001, \"args\": {\"name\": \"predicted links: pcie\"}},\n"
    "{\"name\": \"process_sort_index\", \"ph\": \"M\", \"pid\": 1000001, \"args\": {\"sort_index\": 1000001}},\n"
    "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1000001, \"tid\": 3, \"args\": {\"name\": \"gpu0->cpu0\"}},\n"
    "{\"name\": \"thread_sort_index\", \"ph\": \"M\", \"pid\": 1000001, \"tid\": 3, \"args\": {\"sort_index\": 3}},\n"
    "{\"name\": \"send pp0-1 seq 3\", \"cat\": \"link\", \"ph\": \"X\", \"pid\": 1000000, \"tid\": 2, \"ts\": 6.000, \"dur\": 2.000, "
    "\"args\": {\"class\": \"nvlink\", \"link\": \"gpu1->nvswitch\", \"bytes\": 4096, \"source\": \"model\"}},\n"
    "{\"name\": \"gpu0->nvswitch\", \"cat\": \"link\", \"ph\": \"C\", \"pid\": 1000000, \"ts\": 0.000, \"args\": {\"GB/s\": 412.5}},\n"
    "{\"name\": \"gpu0->nvswitch\", \"cat\": \"link\", \"ph\": \"C\", \"pid\": 1000000, \"ts\": 9.000, \"args\": {\"GB/s\": 0}},\n"
    "{\"name\": \"gpu0->cpu0\", \"cat\": \"link\", \"ph\": \"C\", \"pid\": 1000001, \"ts\": -0.001, \"args\": {\"utilisation\": 0.33333333333333331}}\n"
    "],\n"
    "\"displayTimeUnit\": \"ns\",\n"
    "\"baseTimeNanoseconds\": 1000\n"
    "}\n";

static void write_example(const char *path)
{
    ps_error err = {0};
    ps_timeline_options o = {.origin_ns = 1000, .gpu_name = "NVIDIA H200", .label = "predicted"};
    ps_timeline *tl;
    assert_int_equal(ps_timeline_open(&tl, path, &o, &err), PS_OK);
    ps_trace_activity a = kernel_row();
    ps_timeline_arg tags[] = {PS_TIMELINE_STR("source", "model"), PS_TIMELINE_NUM("error_pct", 7),
                              PS_TIMELINE_INT("flops", INT64_C(123456789012)), PS_TIMELINE_NUM("share", 0.125)};
    ps_timeline_args extra = {tags, 4};
    if (ps_timeline_add_activity(tl, &a, &extra, &err))
        fail_msg("%s", err.message);
    ps_trace_comm c = send_row();
    ps_timeline_arg ctag[] = {PS_TIMELINE_STR("source", "coll model \"ring\"")};
    ps_timeline_args cextra = {ctag, 1};
    if (ps_timeline_add_comm(tl, &c, &cextra, &err))
        fail_msg("%s", err.message);
    int l0, l1, l2;
    assert_int_equal(ps_timeline_define_link(tl, "nvlink", "gpu0->nvswitch", &l0, &err), PS_OK);
    assert_int_equal(ps_timeline_define_link(tl, "nvlink", "gpu1->nvswitch", &l1, &err), PS_OK);
    assert_int_equal(ps_timeline_define_link(tl, "pcie", "gpu0->cpu0", &l2, &err), PS_OK);
    assert_int_equal(l0, 0);
    assert_int_equal(l1, 1);
    assert_int_equal(l2, 2);
    ps_timeline_arg ltag[] = {PS_TIMELINE_STR("source", "model")};
    ps_timeline_args lextra = {ltag, 1};
    if (ps_timeline_add_link_slice(tl, l1, "send pp0-1 seq 3", 7000, 9000, 4096, &lextra, &err))
        fail_msg("%s", err.message);
    assert_int_equal(ps_timeline_add_link_counter(tl, l0, 1000, "GB/s", 412.5, &err), PS_OK);
    assert_int_equal(ps_timeline_add_link_counter(tl, l0, 10000, "GB/s", -0.0, &err), PS_OK);
    assert_int_equal(ps_timeline_add_link_counter(tl, l2, 999, "utilisation", 1.0 / 3.0, &err), PS_OK);
    assert_int_equal(ps_timeline_events(tl), 22);
    assert_int_equal(ps_timeline_close(tl, &err), PS_OK);
}

static void test_exact_output(void **state)
{
    (void)state;
    char path[128], path2[128];
    snprintf(path, sizeof path, "%s/t.json", dir);
    snprintf(path2, sizeof path2, "%s/t2.json", dir);
    write_example(path);
    const char *text = slurp(path);
    assert_non_null(text);
    if (strcmp(text, expected)) {
        size_t i = 0;
        while (text[i] && text[i] == expected[i])
            i++;
        fail_msg("output differs at byte %zu: got '%.80s', want '%.80s'", i, text + i, expected + i);
    }
    /* valid JSON, and the extras are where a viewer looks for them */
    cJSON *root = cJSON_Parse(text);
    assert_non_null(root);
    const cJSON *k = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "traceEvents"), 4);
    const cJSON *args = cJSON_GetObjectItem(k, "args");
    assert_string_equal(cJSON_GetObjectItem(args, "source")->valuestring, "model");
    assert_true(cJSON_GetObjectItem(args, "error_pct")->valuedouble == 7.0);
    cJSON_Delete(root);
    /* the same calls, the same bytes */
    static char saved[1 << 16];
    snprintf(saved, sizeof saved, "%s", text);
    write_example(path2);
    assert_string_equal(slurp(path2), saved);
}

static void expect_rejected(int rc, const ps_error *err, const char *reason)
{
    assert_int_equal(rc, PS_EINPUT);
    if (!strstr(err->message, reason) || strchr(err->message, '\n'))
        fail_msg("got '%s', want one line with '%s'", err->message, reason);
}

static void test_rejections(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/bad.json", dir);
    ps_error err = {0};
    ps_timeline_options o = {.origin_ns = 0};
    ps_timeline *tl;
    assert_int_equal(ps_timeline_open(&tl, path, &o, &err), PS_OK);
    ps_trace_activity a = kernel_row();
    ps_trace_comm c = send_row();
    ps_timeline_arg own[] = {PS_TIMELINE_STR("op_id", "x")};
    ps_timeline_args e_own = {own, 1};
    expect_rejected(ps_timeline_add_activity(tl, &a, &e_own, &err), &err, "\"op_id\" is one of the event's own");
    ps_timeline_arg peer[] = {PS_TIMELINE_INT("peer", 1)};
    ps_timeline_args e_peer = {peer, 1};
    expect_rejected(ps_timeline_add_comm(tl, &c, &e_peer, &err), &err, "\"peer\" is one of the event's own");
    ps_timeline_arg twice[] = {PS_TIMELINE_STR("source", "model"), PS_TIMELINE_STR("source", "table")};
    ps_timeline_args e_twice = {twice, 2};
    expect_rejected(ps_timeline_add_activity(tl, &a, &e_twice, &err), &err, "\"source\" given twice");
    ps_timeline_arg nan_arg[] = {PS_TIMELINE_NUM("error_pct", NAN)};
    ps_timeline_args e_nan = {nan_arg, 1};
    expect_rejected(ps_timeline_add_activity(tl, &a, &e_nan, &err), &err, "not a finite number");
    ps_timeline_arg nokey[] = {PS_TIMELINE_STR("", "x")};
    ps_timeline_args e_nokey = {nokey, 1};
    expect_rejected(ps_timeline_add_activity(tl, &a, &e_nokey, &err), &err, "has no key");
    ps_timeline_args e_null = {NULL, 2};
    expect_rejected(ps_timeline_add_activity(tl, &a, &e_null, &err), &err, "no list");
    /* a row the trace format refuses is refused here too, before anything is written */
    a.end_ns = a.start_ns - 1;
    assert_int_not_equal(ps_timeline_add_activity(tl, &a, NULL, &err), PS_OK);
    int l;
    expect_rejected(ps_timeline_add_link_slice(tl, 0, "x", 0, 1, 0, NULL, &err), &err, "link id 0 was not defined");
    assert_int_equal(ps_timeline_define_link(tl, "nvlink", "a->b", &l, &err), PS_OK);
    expect_rejected(ps_timeline_define_link(tl, "nvlink", "a->b", &l, &err), &err, "defined twice");
    expect_rejected(ps_timeline_define_link(tl, "", "c", &l, &err), &err, "printable text");
    expect_rejected(ps_timeline_add_link_slice(tl, 0, "x", 10, 9, 0, NULL, &err), &err, "ends (9 ns) before it starts");
    expect_rejected(ps_timeline_add_link_slice(tl, 0, "x", 0, INT64_MAX, 0, NULL, &err), &err, "beyond 2^62");
    expect_rejected(ps_timeline_add_link_counter(tl, 0, 0, "GB/s", INFINITY, &err), &err, "not a finite number");
    expect_rejected(ps_timeline_add_link_counter(tl, 5, 0, "GB/s", 1, &err), &err, "not defined");
    ps_timeline_abort(tl);
    struct stat sb;
    assert_int_not_equal(stat(path, &sb), 0); /* aborted: nothing appears */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_output),
        cmocka_unit_test(test_rejections),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
