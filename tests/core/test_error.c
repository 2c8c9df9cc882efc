/* ps_error: messages are one line whatever text they quote (a fuzzer found SQLite's "malformed
 * database schema" message carrying the schema's own newline into the CLI's error line). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "parsim/error.h"

static void test_set_keeps_one_line(void **state)
{
    (void)state;
    ps_error err = {0};
    int rc = ps_error_set(&err, PS_EINPUT, "%s: not a valid SQLite database (%s)", "r.sqlite",
                          "malformed database schema (\nCREATE T\r\x01\x7f)");
    assert_int_equal(rc, PS_EINPUT);
    assert_int_equal(err.code, PS_EINPUT);
    assert_string_equal(err.message, "r.sqlite: not a valid SQLite database (malformed database schema ( CREATE T   ))");
}

static void test_prefix_keeps_one_line(void **state)
{
    (void)state;
    ps_error err = {0};
    ps_error_set(&err, PS_EINPUT, "bad value");
    ps_error_prefix(&err, "file\nname");
    assert_string_equal(err.message, "file name: bad value");
}

static void test_utf8_survives(void **state)
{
    (void)state;
    ps_error err = {0};
    ps_error_set(&err, PS_EINPUT, "%s", "kernel \xc2\xb5s name"); /* "µs": bytes >= 0x80 stay */
    assert_string_equal(err.message, "kernel \xc2\xb5s name");
}

static void test_long_message_truncates(void **state)
{
    (void)state;
    char long_text[2 * PS_ERROR_MESSAGE_BYTES];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    ps_error err = {0};
    ps_error_set(&err, PS_EINPUT, "%s", long_text);
    assert_int_equal(strlen(err.message), PS_ERROR_MESSAGE_BYTES - 1);
    ps_error_prefix(&err, "prefix");
    assert_int_equal(strlen(err.message), PS_ERROR_MESSAGE_BYTES - 1);
    assert_memory_equal(err.message, "prefix: xxx", 11);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_keeps_one_line),
        cmocka_unit_test(test_prefix_keeps_one_line),
        cmocka_unit_test(test_utf8_survives),
        cmocka_unit_test(test_long_message_truncates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
