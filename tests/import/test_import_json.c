/* tests/import/test_import_json.c: the strict streaming JSON reader (sim/import/json_stream.c):
 * exact microsecond -> nanosecond conversion and the rejections a trace importer relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "import/json_stream.h"

/* Parses `text` as one value; returns the status and leaves the message in err. */
static int parse(const char *text, ps_arena *arena, ps_jv **out, ps_error *err)
{
    FILE *fp = fmemopen((void *)text, strlen(text), "r");
    assert_non_null(fp);
    ps_json_reader *r = malloc(sizeof *r);
    assert_non_null(r);
    ps_json_open(r, fp, "in.json");
    int rc = ps_json_value(r, arena, out, err);
    if (!rc)
        rc = ps_json_finish(r, err);
    free(r);
    fclose(fp);
    return rc;
}

static int64_t us_ns(const char *text, bool *ok)
{
    ps_arena a = {0};
    ps_jv *v;
    ps_error err = {0};
    assert_int_equal(parse(text, &a, &v, &err), PS_OK);
    int64_t ns = 0;
    *ok = ps_jv_us_to_ns(v, &ns);
    ps_arena_free(&a);
    return ns;
}

static void test_us_to_ns_exact(void **state)
{
    (void)state;
    bool ok;
    /* Kineto prints ts with 3 decimals: the ns digits must survive even on epoch microseconds,
     * where a double (53-bit mantissa) would lose them: 1790857026123456.789 us. */
    assert_int_equal(us_ns("1790857026123456.789", &ok), INT64_C(1790857026123456789));
    assert_true(ok);
    assert_int_equal(us_ns("1790857026123456.790", &ok) - us_ns("1790857026123456.789", &ok), 1);
    assert_int_equal(us_ns("1.5", &ok), 1500);
    assert_int_equal(us_ns("-2.25", &ok), -2250);
    assert_int_equal(us_ns("0", &ok), 0);
    assert_int_equal(us_ns("1e3", &ok), 1000000);
    assert_int_equal(us_ns("1.23456789e2", &ok), 123457); /* 123456.789 ns rounds half up */
    assert_int_equal(us_ns("0.0005", &ok), 1);            /* 0.5 ns: half away from zero */
    assert_int_equal(us_ns("0.0004", &ok), 0);
    assert_int_equal(us_ns("-0.0005", &ok), -1);
    assert_int_equal(us_ns("9223372036854775.807", &ok), INT64_MAX);
    assert_true(ok);
    us_ns("9223372036854775.808", &ok);
    assert_false(ok);
    us_ns("1e400", &ok);
    assert_false(ok);
    assert_int_equal(us_ns("1e-400", &ok), 0);
    assert_true(ok);
}

static void test_integers(void **state)
{
    (void)state;
    ps_arena a = {0};
    ps_jv *v;
    ps_error err = {0};
    int64_t x;
    assert_int_equal(parse("[12, -7, 1.0, 9223372036854775808, \"3\"]", &a, &v, &err), PS_OK);
    const ps_jv *e = v->child;
    assert_true(ps_jv_to_i64(e, &x));
    assert_int_equal(x, 12);
    assert_true(ps_jv_to_i64(e->next, &x));
    assert_int_equal(x, -7);
    assert_false(ps_jv_to_i64(e->next->next, &x));             /* a fraction is not an integer */
    assert_false(ps_jv_to_i64(e->next->next->next, &x));       /* beyond int64 */
    assert_false(ps_jv_to_i64(e->next->next->next->next, &x)); /* a string */
    ps_arena_free(&a);
}

static void test_strings_and_objects(void **state)
{
    (void)state;
    ps_arena a = {0};
    ps_jv *v;
    ps_error err = {0};
    assert_int_equal(parse("{\"a\\u00e9\": \"x\\n\\ud83d\\ude00\", \"b\": [true, null, {}]}", &a, &v, &err), PS_OK);
    const ps_jv *m = ps_jv_get(v, "a\xc3\xa9");
    assert_non_null(m);
    assert_string_equal(m->text, "x\n\xf0\x9f\x98\x80");
    const ps_jv *b = ps_jv_get(v, "b");
    assert_int_equal(b->type, PS_JV_ARRAY);
    assert_int_equal(b->child->type, PS_JV_BOOL);
    assert_int_equal(b->child->next->type, PS_JV_NULL);
    assert_int_equal(b->child->next->next->type, PS_JV_OBJECT);
    assert_null(ps_jv_get(v, "c"));
    ps_arena_free(&a);
}

/* Every malformed input is rejected with "in.json:LINE: reason". */
static void expect_reject(const char *text, const char *line_prefix, const char *reason)
{
    ps_arena a = {0};
    ps_jv *v;
    ps_error err = {0};
    assert_int_equal(parse(text, &a, &v, &err), PS_EINPUT);
    if (strncmp(err.message, line_prefix, strlen(line_prefix)) || !strstr(err.message, reason))
        fail_msg("input %s: got '%s', want prefix '%s' and '%s'", text, err.message, line_prefix, reason);
    ps_arena_free(&a);
}

static void test_rejections(void **state)
{
    (void)state;
    expect_reject("[1,]", "in.json:1:", "trailing comma");
    expect_reject("{\"a\":1,}", "in.json:1:", "trailing comma");
    expect_reject("[1 2]", "in.json:1:", "expected ',' or ']'");
    expect_reject("{\"a\" 1}", "in.json:1:", "':'");
    expect_reject("{1:2}", "in.json:1:", "member name");
    expect_reject("[01]", "in.json:1:", "leading zero");
    expect_reject("[1.]", "in.json:1:", "after '.'");
    expect_reject("[1e]", "in.json:1:", "exponent");
    expect_reject("[-]", "in.json:1:", "invalid number");
    expect_reject("[NaN]", "in.json:1:", "expected a value");
    expect_reject("[tru]", "in.json:1:", "literal");
    expect_reject("\"a\\x\"", "in.json:1:", "invalid escape");
    expect_reject("\"\\ud800\"", "in.json:1:", "surrogate");
    expect_reject("\"\\udc00\"", "in.json:1:", "surrogate");
    expect_reject("\"a\tb\"", "in.json:1:", "control character");
    expect_reject("\"\xc3\x28\"", "in.json:1:", "UTF-8");
    expect_reject("\"\xe0\x80\xaf\"", "in.json:1:", "UTF-8"); /* overlong '/' */
    expect_reject("\"\xed\xa0\x80\"", "in.json:1:", "UTF-8"); /* encoded surrogate */
    expect_reject("[1] 2", "in.json:1:", "after the end");
    expect_reject("{\"traceEvents\": [\n{\"ph\": \"X\",\n", "in.json:3:", "end of file");
    expect_reject("\"abc", "in.json:1:", "end of file");
    expect_reject("", "in.json:1:", "end of file");
    char deep[200];
    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    expect_reject(deep, "in.json:1:", "nesting deeper than 64");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_us_to_ns_exact),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_strings_and_objects),
        cmocka_unit_test(test_rejections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
