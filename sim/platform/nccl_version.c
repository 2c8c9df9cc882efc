/* sim/platform/nccl_version.c: the NCCL version a platform's collectives are modelled for.
 *
 * NCCL's behaviour that changes a collective's time differs between releases (the NVLS work split
 * across channels, the number of NVLS channels on Blackwell: sim/coll/model.c), so the version is
 * an input of the model: the zone property `nccl_version` of a platform file, or `parsim nccl
 * --nccl-version`. Spelled as NCCL prints it ("NCCL version 2.18.5+cuda12.2" in nccl-tests'
 * header, ncclGetVersion), MAJOR.MINOR[.PATCH]; coded as NCCL_VERSION_CODE is from 2.9 on,
 * major x 10000 + minor x 100 + patch (src/nccl.h.in). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "parsim/platform.h"

/* One decimal field of at most 3 digits; advances *text past it. */
static bool version_field(const char **text, int *out)
{
    const char *t = *text;
    int v = 0, digits = 0;
    while (isdigit((unsigned char)*t) && digits < 4) {
        v = v * 10 + (*t++ - '0');
        digits++;
    }
    if (digits == 0 || digits > 3)
        return false;
    *out = v;
    *text = t;
    return true;
}

int ps_nccl_version_parse(const char *text, int *code)
{
    int major = 0, minor = 0, patch = 0;
    const char *t = text;
    if (!t || !version_field(&t, &major) || *t++ != '.' || !version_field(&t, &minor))
        return PS_EINPUT;
    if (*t == '.' && (t++, !version_field(&t, &patch)))
        return PS_EINPUT;
    if (*t != '\0' || major != 2 || minor > 99 || patch > 99)
        return PS_EINPUT;
    int v = major * 10000 + minor * 100 + patch;
    if (v < PS_NCCL_VERSION_MIN)
        return PS_EINPUT;
    *code = v;
    return PS_OK;
}

void ps_nccl_version_format(int code, char *buf, size_t size)
{
    if (code <= 0)
        code = PS_NCCL_VERSION_DEFAULT;
    snprintf(buf, size, "%d.%d.%d", code / 10000, code / 100 % 100, code % 100);
}
