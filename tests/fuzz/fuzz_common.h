/* tests/fuzz/fuzz_common.h: the oracle every trace-reader fuzz target applies.
 *
 * Beyond "no crash, no hang, no leak, memory bounded" (libFuzzer + ASan + UBSan, -rss_limit_mb),
 * every rejection must be PS_EINPUT with exactly one printable line "NAME:LINE: reason", LINE a
 * positive decimal number: the promise of docs/trace-format.md. A violation aborts, which
 * libFuzzer reports as a finding.
 */
#ifndef PARSIM_FUZZ_COMMON_H
#define PARSIM_FUZZ_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "parsim/error.h"

static void fuzz_check_error(const char *name, int rc, const ps_error *err)
{
    if (rc == PS_OK)
        return;
    if (rc != PS_EINPUT)
        abort(); /* only out-of-memory may give PS_EINTERNAL, and the inputs are small */
    size_t n = strlen(name);
    const char *m = err->message;
    if (strncmp(m, name, n) != 0 || m[n] != ':')
        abort();
    const char *p = m + n + 1;
    if (*p < '1' || *p > '9')
        abort();
    while (*p >= '0' && *p <= '9')
        p++;
    if (p[0] != ':' || p[1] != ' ' || p[2] == '\0')
        abort();
    for (const char *q = m; *q; q++)
        if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f)
            abort();
}

#endif
