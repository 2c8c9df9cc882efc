#include "parsim/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ps_error_set(ps_error *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

int ps_error_prefix(ps_error *err, const char *fmt, ...)
{
    if (!err)
        return PS_EINTERNAL;
    char prefix[PS_ERROR_MESSAGE_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* Build "prefix: message" in a buffer large enough for both, then truncate into place. */
    char joined[2 * PS_ERROR_MESSAGE_BYTES + 4];
    snprintf(joined, sizeof joined, "%s: %s", prefix, err->message);
    size_t keep = strnlen(joined, sizeof err->message - 1);
    memcpy(err->message, joined, keep);
    err->message[keep] = '\0';
    return err->code;
}
