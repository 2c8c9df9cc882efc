/* tests/util/ps_test.h: helpers shared by the cmocka tests (every unit test has tests/util on
 * its include path, see parsim_add_unit_test in tests/CMakeLists.txt). Header only; include it
 * after <cmocka.h>. */
#ifndef PARSIM_TEST_UTIL_H
#define PARSIM_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>

/* The whole file as a NUL-terminated string (the caller frees it); fails the test on any error. */
static inline char *ps_test_slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    long n = ftell(fp);
    assert_true(n >= 0);
    assert_int_equal(fseek(fp, 0, SEEK_SET), 0);
    char *text = malloc((size_t)n + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)n, fp), (size_t)n);
    text[n] = '\0';
    fclose(fp);
    return text;
}

#endif
