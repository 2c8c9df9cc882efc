/* Shared machinery of core/util: the growable array, the hash map and string set, the streaming
 * JSON writer, order statistics and the XML/HTML escaper. Each expected value is written out, not
 * recomputed with the code under test. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "parsim/array.h"
#include "parsim/json_writer.h"
#include "parsim/map.h"
#include "parsim/stats.h"
#include "parsim/util.h"

/* ---- array ---- */

static void test_array(void **state)
{
    (void)state;
    ps_array a;
    ps_array_init(&a, sizeof(int64_t));
    for (int64_t i = 0; i < 1000; i++) {
        int64_t *x = ps_array_push(&a);
        assert_non_null(x);
        assert_int_equal(*x, 0); /* pushed elements start zeroed */
        *x = i * i;
    }
    assert_int_equal(a.len, 1000);
    assert_true(a.cap >= 1000 && a.cap <= 2048);
    assert_int_equal(*(int64_t *)ps_array_at(&a, 999), 999 * 999);
    assert_null(ps_array_at(&a, 1000));
    ps_array_free(&a);
    assert_null(a.data);
    assert_int_equal(a.elem_size, sizeof(int64_t)); /* reusable after free */
}

static void test_grow_overflow(void **state)
{
    (void)state;
    double *v = NULL;
    size_t cap = 0;
    assert_int_equal(ps_grow(&v, &cap, 3, sizeof *v), 0);
    assert_int_equal(cap, 16);
    v[2] = 7;
    /* a size whose byte count overflows size_t is refused and leaves the array as it was */
    assert_int_equal(ps_grow(&v, &cap, SIZE_MAX / sizeof *v + 1, sizeof *v), -1);
    assert_int_equal(ps_grow(&v, &cap, SIZE_MAX, sizeof *v), -1);
    assert_int_equal(cap, 16);
    assert_true(v[2] == 7);
    /* within capacity nothing moves */
    double *before = v;
    assert_int_equal(ps_grow(&v, &cap, 16, sizeof *v), 0);
    assert_ptr_equal(v, before);
    assert_int_equal(ps_grow(&v, &cap, 17, sizeof *v), 0);
    assert_int_equal(cap, 32);
    assert_true(v[2] == 7 && v[31] == 0);
    free(v);
    ps_array a;
    ps_array_init(&a, SIZE_MAX / 2);
    assert_int_equal(ps_array_reserve(&a, 3), -1);
    /* 16 (the first capacity) elements of SIZE_MAX/4 bytes would overflow: refused before any
     * allocation is asked for (under ASan a request that large aborts instead of failing) */
    double *big = NULL;
    size_t big_cap = 0;
    assert_int_equal(ps_grow(&big, &big_cap, 5, SIZE_MAX / 4), -1);
    assert_null(big);
    assert_int_equal(big_cap, 0);
}

/* ---- map ---- */

static void test_u64map(void **state)
{
    (void)state;
    ps_u64map m = {0};
    int full = -1;
    for (uint64_t k = 0; k < 5000; k++) {
        int64_t *v = ps_u64map_get(&m, k * 7919, -1, &full);
        assert_non_null(v);
        assert_int_equal(full, 0);
        assert_int_equal(*v, -1);
        *v = (int64_t)k;
    }
    assert_int_equal(m.len, 5000);
    for (uint64_t k = 0; k < 5000; k++)
        assert_int_equal(*ps_u64map_find(&m, k * 7919), (int64_t)k);
    assert_null(ps_u64map_find(&m, 1));
    assert_int_equal(*ps_u64map_get(&m, 7919, 42, NULL), 1); /* present: init ignored */
    ps_u64map_free(&m);
    ps_u64map small = {.max = 3};
    for (uint64_t k = 0; k < 3; k++)
        assert_non_null(ps_u64map_get(&small, k, 0, &full));
    assert_null(ps_u64map_get(&small, 3, 0, &full));
    assert_int_equal(full, 1);
    ps_u64map_free(&small);
    assert_int_equal(small.max, 3);
}

/* Every key is a key: UINT64_MAX (the slots' empty mark) and 0 (the empty mark of the private
 * maps the shared one replaced) are stored and found like any other, across growth. */
static void test_u64map_every_key(void **state)
{
    (void)state;
    ps_u64map m = {.max = PS_MAP_NO_LIMIT};
    int full = -1;
    assert_null(ps_u64map_find(&m, UINT64_MAX));
    assert_int_equal(ps_u64map_add(&m, UINT64_MAX, &full), 1);
    assert_int_equal(full, 0);
    assert_int_equal(ps_u64map_add(&m, UINT64_MAX, &full), 0);
    *ps_u64map_get(&m, UINT64_MAX, 0, NULL) = -7;
    *ps_u64map_get(&m, 0, 0, NULL) = 11;
    assert_int_equal(m.len, 2);
    /* 3000 more keys, from both ends of the range: the table grows (64 -> 8192 slots) and
     * moves UINT64_MAX's out-of-line value with it */
    for (uint64_t k = 1; k <= 1500; k++) {
        assert_int_equal(ps_u64map_add(&m, k, &full), 1);
        assert_int_equal(ps_u64map_add(&m, UINT64_MAX - k, &full), 1);
    }
    assert_int_equal(m.len, 3002);
    assert_true(m.cap >= 2 * 3002);
    assert_int_equal(*ps_u64map_find(&m, UINT64_MAX), -7);
    assert_int_equal(*ps_u64map_find(&m, 0), 11);
    assert_non_null(ps_u64map_find(&m, UINT64_MAX - 1500));
    assert_null(ps_u64map_find(&m, UINT64_MAX - 1501));
    assert_null(ps_u64map_find(&m, 1501));
    ps_u64map_free(&m);
    assert_null(ps_u64map_find(&m, UINT64_MAX)); /* freed: empty again, max kept */
    assert_true(m.max == PS_MAP_NO_LIMIT);
    /* the limit counts the out-of-line key like the others */
    ps_u64map two = {.max = 2};
    assert_int_equal(ps_u64map_add(&two, UINT64_MAX, &full), 1);
    assert_int_equal(ps_u64map_add(&two, 5, &full), 1);
    assert_int_equal(ps_u64map_add(&two, 6, &full), -1);
    assert_int_equal(full, 1);
    assert_int_equal(ps_u64map_add(&two, UINT64_MAX, &full), 0); /* present: not "full" */
    assert_int_equal(full, 0);
    ps_u64map_free(&two);
}

static void test_strset(void **state)
{
    (void)state;
    ps_strset set = {0};
    char name[32];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "group-%d", i);
        assert_int_equal(ps_strset_index(&set, name, 1), i);
    }
    assert_int_equal(ps_strset_index(&set, "group-17", 0), 17);
    assert_int_equal(ps_strset_index(&set, "group-17", 1), 17);
    assert_int_equal(ps_strset_index(&set, "nope", 0), PS_STRSET_ABSENT);
    assert_string_equal(ps_strset_at(&set, 299), "group-299"); /* insertion order */
    assert_null(ps_strset_at(&set, 300));
    ps_strset_free(&set);
    ps_strset two = {.max = 2};
    assert_int_equal(ps_strset_index(&two, "a", 1), 0);
    assert_int_equal(ps_strset_index(&two, "b", 1), 1);
    assert_int_equal(ps_strset_index(&two, "c", 1), PS_STRSET_FULL);
    ps_strset_free(&two);
    /* the hash is FNV-1a + splitmix64: pinned so that digests written by one version match */
    assert_true(ps_hash_bytes("", 0) == ps_hash_u64(UINT64_C(14695981039346656037)));
    assert_true(ps_hash_u64(0) == 0);
    assert_true(ps_hash_u64(1) == UINT64_C(0x5692161d100b05e5));
}

/* ---- JSON writer ---- */

/* Output captured in memory: capture_begin opens it, capture_end closes it; text then holds
 * what was written (the caller frees it). */
typedef struct capture {
    FILE *fp;
    char *text;
    size_t size;
} capture;

static void capture_begin(capture *c)
{
    c->fp = open_memstream(&c->text, &c->size);
    assert_non_null(c->fp);
}

static void capture_end(capture *c) { fclose(c->fp); }

/* A JSON writer into a capture; json_capture_end returns ps_json_writer_finish's code. */
static void json_capture_begin(capture *c, ps_json_writer *w, int indent)
{
    capture_begin(c);
    ps_json_writer_init(w, c->fp, indent);
}

static int json_capture_end(capture *c, ps_json_writer *w, ps_error *err)
{
    int rc = ps_json_writer_finish(w, err);
    capture_end(c);
    return rc;
}

static void test_json_compact_and_indented(void **state)
{
    (void)state;
    for (int indent = 0; indent <= 2; indent += 2) {
        capture out;
        ps_json_writer w;
        ps_error err = {0};
        json_capture_begin(&out, &w, indent);
        ps_json_begin_object(&w);
        ps_json_key_string(&w, "name", "a \"b\"\n");
        ps_json_key(&w, "rows");
        ps_json_begin_array(&w);
        ps_json_int(&w, 3);
        ps_json_number(&w, 0.1);
        ps_json_null(&w);
        ps_json_end_array(&w);
        ps_json_key(&w, "empty");
        ps_json_begin_object(&w);
        ps_json_end_object(&w);
        ps_json_key_bool(&w, "ok", true);
        ps_json_end_object(&w);
        assert_int_equal(json_capture_end(&out, &w, &err), PS_OK);
        if (indent == 0)
            assert_string_equal(out.text, "{\"name\":\"a \\\"b\\\"\\n\",\"rows\":[3,0.1,null],\"empty\":{},\"ok\":true}\n");
        else
            assert_string_equal(out.text, "{\n  \"name\": \"a \\\"b\\\"\\n\",\n  \"rows\": [\n    3,\n    0.1,\n    null\n  ],\n"
                                      "  \"empty\": {},\n  \"ok\": true\n}\n");
        free(out.text);
    }
}

static void test_json_numbers(void **state)
{
    (void)state;
    char buf[40];
    static const struct {
        double value;
        const char *text;
    } cases[] = {
        {0, "0"}, {-0.0, "0"}, {3, "3"}, {-42, "-42"}, {1e15, "1000000000000000"},
        {9007199254740992.0, "9007199254740992"}, {0.1, "0.1"}, {1.0 / 3, "0.3333333333333333"},
        {2.0 / 3, "0.6666666666666666"}, {1e300, "1e+300"}, {0.1 + 0.2, "0.30000000000000004"}, {1.5e-7, "1.5e-07"},
        {NAN, "null"}, {INFINITY, "null"}, {-INFINITY, "null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ps_json_format_number(cases[i].value, buf, sizeof buf);
        assert_string_equal(buf, cases[i].text);
        if (isfinite(cases[i].value))
            assert_true(strtod(buf, NULL) == cases[i].value); /* reads back exactly */
    }
}

static void check_misuse(void (*calls)(ps_json_writer *), const char *want)
{
    capture out;
    ps_json_writer w;
    ps_error err = {0};
    json_capture_begin(&out, &w, 0);
    calls(&w);
    assert_int_equal(json_capture_end(&out, &w, &err), PS_EINTERNAL);
    assert_string_equal(err.message, want);
    free(out.text);
}

static void value_without_key(ps_json_writer *w)
{
    ps_json_begin_object(w);
    ps_json_int(w, 1);
}
static void key_in_array(ps_json_writer *w)
{
    ps_json_begin_array(w);
    ps_json_key(w, "k");
}
static void left_open(ps_json_writer *w) { ps_json_begin_array(w); }
static void wrong_end(ps_json_writer *w)
{
    ps_json_begin_array(w);
    ps_json_end_object(w);
}
static void dangling_key(ps_json_writer *w)
{
    ps_json_begin_object(w);
    ps_json_key(w, "k");
    ps_json_end_object(w);
}
static void two_values(ps_json_writer *w)
{
    ps_json_int(w, 1);
    ps_json_int(w, 2);
}
static void too_deep(ps_json_writer *w)
{
    for (int i = 0; i <= PS_JSON_MAX_DEPTH; i++)
        ps_json_begin_array(w);
}
static void nothing(ps_json_writer *w) { (void)w; }

static void test_json_misuse(void **state)
{
    (void)state;
    check_misuse(value_without_key, "JSON writer: a value in an object without its key");
    check_misuse(key_in_array, "JSON writer: a key outside an object");
    check_misuse(left_open, "JSON writer: an object or array left open");
    check_misuse(wrong_end, "JSON writer: an object end without its begin");
    check_misuse(dangling_key, "JSON writer: a key without its value");
    check_misuse(two_values, "JSON writer: a second top-level value");
    check_misuse(too_deep, "JSON writer: nesting deeper than PS_JSON_MAX_DEPTH");
    check_misuse(nothing, "JSON writer: no value written");
}

/* ---- stats ---- */

static void test_percentiles(void **state)
{
    (void)state;
    ps_error err = {0};
    double out;
    const double odd[] = {5, 1, 3};
    assert_int_equal(ps_median(odd, 3, &out, &err), PS_OK);
    assert_true(out == 3);
    assert_true(odd[0] == 5); /* input untouched */
    const double even[] = {4, 1, 3, 2};
    assert_int_equal(ps_median(even, 4, &out, &err), PS_OK);
    assert_true(out == 2.5);
    /* numpy.percentile([1, 2, 3, 4], 90) = 3.7; [15, 20, 35, 40, 50] p40 = 29 */
    assert_int_equal(ps_percentile(even, 4, 90, &out, &err), PS_OK);
    assert_true(fabs(out - 3.7) < 1e-12);
    const double five[] = {15, 20, 35, 40, 50};
    assert_int_equal(ps_percentile(five, 5, 40, &out, &err), PS_OK);
    assert_true(fabs(out - 29) < 1e-12);
    assert_int_equal(ps_percentile(five, 5, 0, &out, &err), PS_OK);
    assert_true(out == 15);
    assert_int_equal(ps_percentile(five, 5, 100, &out, &err), PS_OK);
    assert_true(out == 50);
    assert_int_equal(ps_percentile(five, 1, 73, &out, &err), PS_OK);
    assert_true(out == 15);
    assert_int_equal(ps_percentile(five, 0, 50, &out, &err), PS_EINPUT);
    assert_int_equal(ps_percentile(five, 5, 101, &out, &err), PS_EINPUT);
    const double with_nan[] = {1, NAN};
    assert_int_equal(ps_median(with_nan, 2, &out, &err), PS_EINPUT);
    assert_string_equal(err.message, "percentile: value 1 is NaN");
}

/* ---- escaping ---- */

static void test_xml_escape(void **state)
{
    (void)state;
    capture out;
    capture_begin(&out);
    ps_xml_write_escaped(out.fp, "void k<float, 2>(\"a\" & 'b')\x01\tµ");
    ps_xml_write_escaped(out.fp, NULL);
    capture_end(&out);
    const char *want = "void k&lt;float, 2&gt;(&quot;a&quot; &amp; &#39;b&#39;)&#xFFFD;\tµ";
    assert_string_equal(out.text, want);
    free(out.text);
    ps_strbuf sb = {0};
    assert_int_equal(ps_strbuf_append_xml_escaped(&sb, "void k<float, 2>(\"a\" & 'b')\x01\tµ"), PS_OK);
    assert_string_equal(sb.data, want);
    ps_strbuf_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_array),         cmocka_unit_test(test_grow_overflow),
        cmocka_unit_test(test_u64map),        cmocka_unit_test(test_u64map_every_key),
        cmocka_unit_test(test_strset),
        cmocka_unit_test(test_json_compact_and_indented), cmocka_unit_test(test_json_numbers),
        cmocka_unit_test(test_json_misuse),   cmocka_unit_test(test_percentiles),
        cmocka_unit_test(test_xml_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
