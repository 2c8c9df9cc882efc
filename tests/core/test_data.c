/* ps_data_find: PARSIM_DATA_DIR, then the source tree, then the install prefix; paths pass
 * through; a local file wins over a preset; a name found nowhere is refused naming the folders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parsim/data.h"

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/parsim-data-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    char path[512];
    snprintf(path, sizeof path, "%s/platforms", tmpdir);
    if (mkdir(path, 0755))
        return -1;
    snprintf(path, sizeof path, "%s/platforms/hgx-h200.xml", tmpdir);
    FILE *fp = fopen(path, "w");
    if (!fp)
        return -1;
    fputs("<platform/>\n", fp);
    return fclose(fp);
}

static int teardown(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/platforms/hgx-h200.xml", tmpdir);
    unlink(path);
    snprintf(path, sizeof path, "%s/platforms", tmpdir);
    rmdir(path);
    rmdir(tmpdir);
    unsetenv("PARSIM_DATA_DIR");
    return 0;
}

static void test_paths_pass_through(void **state)
{
    (void)state;
    char out[PS_DATA_PATH_BYTES];
    ps_error err = {0};
    assert_int_equal(ps_data_find(PS_DATA_PLATFORM, "platforms/no-such.xml", out, sizeof out, &err), PS_OK);
    assert_string_equal(out, "platforms/no-such.xml"); /* the loader says "No such file" */
    assert_int_equal(ps_data_find(PS_DATA_PLATFORM, "/abs/x.xml", out, sizeof out, &err), PS_OK);
    assert_string_equal(out, "/abs/x.xml");
    /* a file in the current directory wins over a preset of the same name (ctest runs in the
     * source tree, where CMakeLists.txt exists) */
    assert_int_equal(ps_data_find(PS_DATA_PLATFORM, "CMakeLists.txt", out, sizeof out, &err), PS_OK);
    assert_string_equal(out, "CMakeLists.txt");
    char tiny[8];
    assert_int_equal(ps_data_find(PS_DATA_PLATFORM, "/a/long/path.xml", tiny, sizeof tiny, &err), PS_EINPUT);
}

static void test_search_order(void **state)
{
    (void)state;
    char out[PS_DATA_PATH_BYTES], want[PS_DATA_PATH_BYTES];
    ps_error err = {0};
    const char *src = getenv("PARSIM_SOURCE_DIR");
    if (!src)
        skip();
    /* without PARSIM_DATA_DIR: the source tree */
    unsetenv("PARSIM_DATA_DIR");
    assert_int_equal(ps_data_find(PS_DATA_PLATFORM, "hgx-h200", out, sizeof out, &err), PS_OK);
    snprintf(want, sizeof want, "%s/platforms/hgx-h200.xml", src);
    assert_string_equal(out, want);
    /* the extension may be given */
    assert_int_equal(ps_data_find(PS_DATA_PLATFORM, "hgx-h200.xml", out, sizeof out, &err), PS_OK);
    assert_string_equal(out, want);
    /* the sidecar kind */
    assert_int_equal(ps_data_find(PS_DATA_NCCL_CALIBRATION, "hgx-h200", out, sizeof out, &err), PS_OK);
    snprintf(want, sizeof want, "%s/platforms/hgx-h200.nccl.json", src);
    assert_string_equal(out, want);
    /* the cost model's coefficients live in the source tree's data/cost/ */
    assert_int_equal(ps_data_find(PS_DATA_COST_MODEL, "h100-sxm", out, sizeof out, &err), PS_OK);
    snprintf(want, sizeof want, "%s/data/cost/h100-sxm.cost", src);
    assert_string_equal(out, want);
    /* PARSIM_DATA_DIR comes first ... */
    setenv("PARSIM_DATA_DIR", tmpdir, 1);
    assert_int_equal(ps_data_find(PS_DATA_PLATFORM, "hgx-h200", out, sizeof out, &err), PS_OK);
    snprintf(want, sizeof want, "%s/platforms/hgx-h200.xml", tmpdir);
    assert_string_equal(out, want);
    /* ... and what it lacks comes from the source tree */
    assert_int_equal(ps_data_find(PS_DATA_PLATFORM, "hgx-h100", out, sizeof out, &err), PS_OK);
    snprintf(want, sizeof want, "%s/platforms/hgx-h100.xml", src);
    assert_string_equal(out, want);
    char dir[PS_DATA_PATH_BYTES];
    assert_true(ps_data_dir(PS_DATA_PLATFORM, 0, dir, sizeof dir));
    snprintf(want, sizeof want, "%s/platforms", tmpdir);
    assert_string_equal(dir, want);
    assert_false(ps_data_dir(PS_DATA_PLATFORM, 3, dir, sizeof dir));
    unsetenv("PARSIM_DATA_DIR");
}

static void test_not_found(void **state)
{
    (void)state;
    char out[PS_DATA_PATH_BYTES];
    ps_error err = {0};
    unsetenv("PARSIM_DATA_DIR");
    assert_int_equal(ps_data_find(PS_DATA_PLATFORM, "hgx-h900", out, sizeof out, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "hgx-h900: no such file, and no platform preset hgx-h900.xml in "
                                        "$PARSIM_DATA_DIR (unset), "));
    assert_non_null(strstr(err.message, "/share/parsim/platforms"));
    /* with the extension it is a file name: the loader reports the missing file */
    assert_int_equal(ps_data_find(PS_DATA_PLATFORM, "hgx-h900.xml", out, sizeof out, &err), PS_OK);
    assert_string_equal(out, "hgx-h900.xml");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths_pass_through),
        cmocka_unit_test(test_search_order),
        cmocka_unit_test(test_not_found),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
