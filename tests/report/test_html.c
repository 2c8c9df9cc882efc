/* The HTML report on synthetic rows: counts of the SVG elements against the rows, escaping.
 * With an argument it only writes the report there (tests/report/check-html.sh parses it with
 * xmllint and renders it in headless Chromium). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "parsim/report.h"
#include "sweep_fixture.h"

#define NROWS 43

/* Two platforms of ten 8-GPU layouts in two scenarios (the 405B space), TP1 rows do not fit, TP8
 * rows are outside the envelope (fixture), and a third platform whose rows all fail to fit. */
static size_t make_rows(ps_sweep_row *rows)
{
    int lay[10][3] = {{1, 1, 8}, {1, 2, 4}, {1, 4, 2}, {1, 8, 1}, {2, 1, 4},
                      {2, 2, 2}, {2, 4, 1}, {4, 1, 2}, {4, 2, 1}, {8, 1, 1}};
    static const char *const plat[] = {"hgx-h200", "mesh8-h200 <&>"};
    size_t n = 0;
    for (int p = 0; p < 2; p++)
        for (int l = 0; l < 10; l++)
            for (int s = 0; s < 2 && n < NROWS - 3; s++) {
                fixture_row(&rows[n], plat[p], lay[l][0], lay[l][1], lay[l][2], s, lay[l][0] > 1);
                if (p == 1) { /* the mesh: slower hand-offs */
                    rows[n].pred.output_tok_s_per_gpu *= 0.8 - 0.05 * lay[l][1];
                    rows[n].pred.output_tok_s_per_user *= 0.9 - 0.05 * lay[l][1];
                }
                n++;
            }
    for (int l = 0; l < 3; l++)
        fixture_row(&rows[n++], "pcie8-h100", 1, 1 << l, 8 >> l, 0, false);
    ps_error err;
    for (size_t i = 0; i < n; i++)
        if (ps_report_canonicalize(&rows[i], &err))
            fail_msg("%s", err.message);
    ps_report_mark(rows, n);
    return n;
}

static char *html_of(const ps_sweep_row *rows, size_t n)
{
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    ps_report_info info = {"--model llama3.1-405b --dtype fp8 --platform hgx-h200,mesh8-h200", "0123456789abcdef"};
    ps_error err;
    assert_int_equal(ps_report_write_html(mem, &info, rows, n, &err), PS_OK);
    fclose(mem);
    return text;
}

static size_t count_of(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *c = strstr(text, needle); c; c = strstr(c + 1, needle))
        n++;
    return n;
}

static void test_counts(void **state)
{
    (void)state;
    ps_sweep_row rows[NROWS];
    size_t n = make_rows(rows);
    size_t fit = 0, out_env = 0, errbars = 0;
    for (size_t i = 0; i < n; i++) {
        fit += rows[i].pred.fits;
        out_env += rows[i].pred.fits && !rows[i].pred.in_envelope;
        errbars += rows[i].pred.fits && rows[i].pred.error_pct > 0;
    }
    char *html = html_of(rows, n);
    assert_int_equal(fit, 2 * (20 - 8));
    assert_int_equal(count_of(html, "class=\"point\""), fit);
    assert_int_equal(count_of(html, "class=\"out-of-envelope\""), out_env);
    assert_int_equal(count_of(html, "class=\"errorbar\""), errbars);
    assert_int_equal(count_of(html, "class=\"pareto\""), 2); /* pcie8-h100 has no row that fits */
    assert_int_equal(count_of(html, "class=\"bar-compute\""), fit);
    assert_int_equal(count_of(html, "<tr"), n + 1);
    assert_int_equal(count_of(html, "class=\"label\""), fit);
    /* a link panel per platform with a best layout: 2 gauges x 3 */
    assert_int_equal(count_of(html, "class=\"gauge\""), 2 * 3);
    /* the platform name is escaped everywhere */
    assert_null(strstr(html, "h200 <&>"));
    assert_non_null(strstr(html, "mesh8-h200 &lt;&amp;&gt;"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<link"));
    free(html);
}

static void test_deterministic(void **state)
{
    (void)state;
    ps_sweep_row rows[NROWS];
    size_t n = make_rows(rows);
    char *a = html_of(rows, n), *b = html_of(rows, n);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

int main(int argc, char **argv)
{
    if (argc == 2) {
        ps_sweep_row rows[NROWS];
        size_t n = make_rows(rows);
        FILE *fp = fopen(argv[1], "w");
        ps_report_info info = {"(synthetic rows of tests/report/test_html.c)", "0000000000000000"};
        ps_error err;
        if (!fp || ps_report_write_html(fp, &info, rows, n, &err) || fclose(fp))
            return 1;
        return 0;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_counts), cmocka_unit_test(test_deterministic)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
