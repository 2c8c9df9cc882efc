/* Sweep rows: column order, CSV round trip, rows that do not fit, marks, JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "parsim/model.h"
#include "parsim/report.h"
#include "sweep_fixture.h"

static char *to_text(void (*fn)(FILE *, const void *), const void *arg)
{
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    fn(mem, arg);
    fclose(mem);
    return text;
}
static void header_fn(FILE *out, const void *arg) { (void)arg; ps_report_csv_header(out); }
static void row_fn(FILE *out, const void *arg) { ps_report_csv_row(out, arg); }

/* The order issue 12 fixes: platform, tp, pp, dp, scenario, predict's scalar keys, the breakdown,
 * the marks. Written out here so that a change of the column table fails this test. */
static void test_header_order(void **state)
{
    (void)state;
    char *h = to_text(header_fn, NULL);
    assert_string_equal(h,
        "platform,tp,pp,dp,scenario,ttft_ms,tpot_ms,e2e_ms,ttft_ms_p50,ttft_ms_p90,ttft_ms_p99,"
        "tpot_ms_p50,tpot_ms_p90,tpot_ms_p99,e2e_ms_p50,e2e_ms_p90,e2e_ms_p99,batch,output_tok_s,"
        "output_tok_s_per_gpu,output_tok_s_per_user,fits,memory_bytes_per_gpu,shortfall_bytes,error_pct,"
        "in_envelope,breakdown_decode_compute_ms,breakdown_decode_tp_comm_exposed_ms,"
        "breakdown_decode_pp_bubble_ms,breakdown_decode_pp_handoff_ms,breakdown_decode_host_gaps_ms,"
        "breakdown_prefill_compute_ms,breakdown_prefill_tp_comm_exposed_ms,breakdown_prefill_pp_bubble_ms,"
        "breakdown_prefill_pp_handoff_ms,breakdown_prefill_host_gaps_ms,best_throughput,best_latency,pareto,"
        "fabric,gpus_per_node,link_port_busy,link_pair_busy,link_nic_busy\n");
    ps_error err;
    assert_int_equal(ps_report_csv_check_header(h, "x.csv:2", &err), PS_OK);
    assert_int_equal(ps_report_csv_check_header("platform,tp,pp\n", "x.csv:2", &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "x.csv:2"));
    free(h);
}

/* %.6g keeps six significant digits: the round trip is within 5e-6 relative, and a second round
 * trip changes nothing (the canonical form is a fixed point). */
static void test_round_trip(void **state)
{
    (void)state;
    ps_sweep_row row, orig;
    fixture_row(&row, "hgx-h200", 4, 2, 1, 0, true);
    orig = row;
    ps_error err;
    assert_int_equal(ps_report_canonicalize(&row, &err), PS_OK);
    assert_string_equal(row.platform, "hgx-h200");
    assert_int_equal(row.tp, 4);
    assert_int_equal(row.pp, 2);
    assert_string_equal(row.scenario, "max_throughput");
    assert_true(row.pred.fits);
    assert_true(fabs(row.pred.tpot_ms / orig.pred.tpot_ms - 1) < 5e-6);
    assert_true(fabs(row.pred.breakdown_ms[1][3] / orig.pred.breakdown_ms[1][3] - 1) < 5e-6);
    assert_true(fabs(row.pred.output_tok_s_per_gpu / orig.pred.output_tok_s_per_gpu - 1) < 5e-6);
    char *a = to_text(row_fn, &row);
    ps_sweep_row again = row;
    assert_int_equal(ps_report_canonicalize(&again, &err), PS_OK);
    char *b = to_text(row_fn, &again);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

static void test_not_fitting_row(void **state)
{
    (void)state;
    ps_sweep_row row;
    fixture_row(&row, "mesh8-h200", 1, 1, 8, 0, false);
    row.pred.error_pct = 12; /* set, but not a figure of a row that does not fit */
    ps_error err;
    assert_int_equal(ps_report_canonicalize(&row, &err), PS_OK);
    char *line = to_text(row_fn, &row);
    /* fits=false, memory and shortfall kept, every figure empty */
    assert_string_equal(line, "mesh8-h200,1,1,8,max_throughput,,,,,,,,,,,,,,,,,false,1.25e+11,3.5e+09,,"
                              "true,,,,,,,,,,,false,false,false,mesh,8,,,\n");
    assert_true(isnan(row.pred.tpot_ms));
    assert_true(isnan(row.pred.error_pct));
    free(line);
    /* a figure on a row that does not fit is refused */
    assert_int_equal(ps_report_csv_parse_row("mesh8-h200,1,1,8,max_throughput,1,,,,,,,,,,,,,,,,false,1,0,,"
                                             "true,,,,,,,,,,,false,false,false,mesh,8,,,\n", "s.csv:3", &row, &err),
                     PS_EINPUT);
    assert_string_equal(err.message, "s.csv:3: fits=false but ttft_ms has a value");
}

static void test_parse_errors(void **state)
{
    (void)state;
    ps_sweep_row row;
    fixture_row(&row, "my \"lab\", rack 2", 2, 1, 4, 1, true);
    char *line = to_text(row_fn, &row);
    assert_non_null(strstr(line, "\"my \"\"lab\"\", rack 2\",2,1,4,min_latency,"));
    ps_sweep_row back;
    ps_error err;
    assert_int_equal(ps_report_csv_parse_row(line, "s.csv:3", &back, &err), PS_OK);
    assert_string_equal(back.platform, "my \"lab\", rack 2");
    free(line);
    assert_int_equal(ps_report_csv_parse_row("a,1,2\n", "s.csv:4", &back, &err), PS_EINPUT);
    assert_string_equal(err.message, "s.csv:4: 3 fields, expected 44");
    assert_int_equal(ps_report_csv_parse_row("\"a,1,2\n", "s.csv:5", &back, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "s.csv:5: malformed CSV line"));
    fixture_row(&row, "p", 2, 1, 4, 1, true);
    line = to_text(row_fn, &row);
    char edited[PS_REPORT_LINE_BYTES];
    snprintf(edited, sizeof edited, "%s", line);
    free(line);
    memcpy(strstr(edited, ",true,"), ",yes!,", 6);
    assert_int_equal(ps_report_csv_parse_row(edited, "s.csv:6", &back, &err), PS_EINPUT);
    assert_string_equal(err.message, "s.csv:6: fits: expected true or false, got 'yes!'");
}

static void set_point(ps_sweep_row *row, const char *platform, int tp, double per_gpu, double per_user)
{
    fixture_row(row, platform, tp, 1, 8 / tp, 0, true);
    row->pred.output_tok_s_per_gpu = per_gpu;
    row->pred.output_tok_s_per_user = per_user;
}

/* Hand-made front on platform "a": A(10,1) B(5,5) C(1,10) are the front, D(4,4) is dominated by B,
 * E(10,1) equals A (both on the front; A, first, is the best for throughput), F does not fit. */
static void test_marks(void **state)
{
    (void)state;
    ps_sweep_row rows[8];
    set_point(&rows[0], "a", 1, 10, 1);
    set_point(&rows[1], "a", 2, 5, 5);
    set_point(&rows[2], "a", 4, 1, 10);
    set_point(&rows[3], "a", 8, 4, 4);
    set_point(&rows[4], "a", 8, 10, 1);
    fixture_row(&rows[5], "a", 8, 1, 1, 1, false);
    set_point(&rows[6], "b", 1, 1, 1);
    set_point(&rows[7], "b", 2, 0.5, 0.5);
    ps_report_mark(rows, 8);
    bool pareto[8] = {true, true, true, false, true, false, true, false};
    for (int i = 0; i < 8; i++)
        assert_int_equal(rows[i].pareto, pareto[i]);
    bool best_tp[8] = {true, false, false, false, false, false, true, false};
    bool best_lat[8] = {false, false, true, false, false, false, true, false};
    for (int i = 0; i < 8; i++) {
        assert_int_equal(rows[i].best_throughput, best_tp[i]);
        assert_int_equal(rows[i].best_latency, best_lat[i]);
    }
}

static void test_sort_order(void **state)
{
    (void)state;
    ps_sweep_row a, b;
    fixture_row(&a, "hgx-h200", 2, 4, 1, 0, true);
    fixture_row(&b, "hgx-h200", 2, 4, 1, 1, true);
    assert_true(ps_report_row_compare(&a, &b) < 0); /* max_throughput first */
    snprintf(b.scenario, sizeof b.scenario, "batch_8");
    assert_true(ps_report_row_compare(&a, &b) < 0);
    fixture_row(&b, "hgx-h200", 4, 1, 2, 0, true);
    assert_true(ps_report_row_compare(&a, &b) < 0);
    fixture_row(&b, "hgx-b200", 8, 1, 1, 0, true);
    assert_true(ps_report_row_compare(&a, &b) > 0);
}

static void test_json(void **state)
{
    (void)state;
    ps_sweep_row rows[2];
    fixture_row(&rows[0], "hgx-h200", 8, 1, 1, 0, true);
    fixture_row(&rows[1], "hgx-h200", 1, 1, 8, 0, false);
    ps_report_mark(rows, 2);
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    ps_report_info info = {"--model llama3.1-405b \"q\"", "0123456789abcdef"};
    ps_error err;
    assert_int_equal(ps_report_write_json(mem, &info, rows, 2, &err), PS_OK);
    fclose(mem);
    cJSON *doc = cJSON_Parse(text);
    assert_non_null(doc);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "sweep"), "args")->valuestring,
                        "--model llama3.1-405b \"q\"");
    cJSON *arr = cJSON_GetObjectItem(doc, "rows");
    assert_int_equal(cJSON_GetArraySize(arr), 2);
    size_t ncols;
    const ps_report_column *cols = ps_report_columns(&ncols);
    cJSON *first = cJSON_GetArrayItem(arr, 0), *item = first->child;
    for (size_t i = 0; i < ncols; i++, item = item->next)
        assert_string_equal(item->string, cols[i].name); /* same keys, same order as the CSV */
    assert_null(item);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(first, "best_throughput")));
    cJSON *second = cJSON_GetArrayItem(arr, 1);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(second, "tpot_ms")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(second, "fits")));
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(second, "memory_bytes_per_gpu")));
    cJSON_Delete(doc);
    free(text);
}

/* The link load's bytes for Llama 3.1 405B (hidden 16384, 126 layers, bf16 activations) on TP4xPP2 at
 * 64 sequences and a 50 ms TPOT, written out from the closed forms of sim/report/links.c. */
static void test_link_load(void **state)
{
    (void)state;
    const ps_model *m = ps_model_find_preset("llama3.1-405b");
    ps_precision prec = {.weights = PS_DTYPE_FP8, .act = PS_DTYPE_BF16, .kv = PS_DTYPE_BF16};
    ps_sweep_row row;
    fixture_row(&row, "mesh8-h200", 4, 2, 1, 0, true);
    row.pred.batch = 64;
    row.pred.tpot_ms = 50;
    double tp_bytes = 2.0 * 63 * 64 * 16384 * 2 * (2.0 * 3 / 4), pp_bytes = 64.0 * 16384 * 2;
    ps_link_platform mesh = {"mesh", 8, 1, 8, 450e9, 450e9 / 7, 0};
    ps_report_link_load(&row, &mesh, m, &prec);
    assert_string_equal(row.fabric, "mesh");
    assert_true(fabs(row.link_port_busy / ((tp_bytes + pp_bytes) / (450e9 * 0.05)) - 1) < 1e-12);
    assert_true(fabs(row.link_pair_busy / (tp_bytes / 3 / (450e9 / 7 * 0.05)) - 1) < 1e-12);
    assert_true(row.link_nic_busy == 0);
    ps_link_platform sw = {"nvswitch", 8, 1, 8, 450e9, 450e9, 0};
    ps_report_link_load(&row, &sw, m, &prec);
    assert_true(row.link_pair_busy == row.link_port_busy);
    /* two nodes of 4 GPUs with 50 GB/s NICs: TP4 stays in a node, the PP hand-off leaves it */
    ps_link_platform two = {"nvswitch", 4, 2, 8, 450e9, 450e9, 50e9};
    ps_report_link_load(&row, &two, m, &prec);
    assert_true(fabs(row.link_nic_busy / (pp_bytes / (50e9 * 0.05)) - 1) < 1e-12);
    assert_true(fabs(row.link_port_busy / (tp_bytes / (450e9 * 0.05)) - 1) < 1e-12);
    fixture_row(&row, "mesh8-h200", 1, 1, 8, 0, false);
    ps_report_link_load(&row, &mesh, m, &prec);
    assert_true(isnan(row.link_port_busy));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_order), cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_not_fitting_row), cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_marks), cmocka_unit_test(test_sort_order), cmocka_unit_test(test_json),
        cmocka_unit_test(test_link_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
