/* tests/coll/coll_fixture.h: the collective tests' shared set-up: a shipped platform preset and a
 * collective context with that platform's calibration sidecar (as ps_coll_params_for_platform
 * finds it for the CLI). Include after <cmocka.h> (it asserts). */
#ifndef PARSIM_TESTS_COLL_FIXTURE_H
#define PARSIM_TESTS_COLL_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "parsim/coll.h"
#include "parsim/platform.h"

/* platforms/<name>.xml under $PARSIM_SOURCE_DIR (ctest sets it; "." otherwise). */
static void coll_fixture_load(const char *name, ps_platform **pf, ps_coll_ctx **ctx)
{
    char path[512];
    const char *src = getenv("PARSIM_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/platforms/%s.xml", src ? src : ".", name);
    ps_error err = {0, ""};
    assert_int_equal(ps_platform_load(path, pf, &err), PS_OK);
    ps_coll_params params;
    char used[600];
    assert_int_equal(ps_coll_params_for_platform(path, NULL, &params, used, sizeof used, &err), PS_OK);
    assert_int_equal(ps_coll_ctx_create(*pf, &params, ctx, &err), PS_OK);
}

#endif
