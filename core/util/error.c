#include "parsim/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Messages are one line by contract (the CLI prints exactly one line per error), but they quote
 * text from outside: file contents, SQLite's and SimGrid's own messages, which may hold newlines
 * or other control characters. Each such byte becomes a space. */
static void keep_on_one_line(char *message)
{
    for (unsigned char *p = (unsigned char *)message; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = ' ';
}

int ps_error_set(ps_error *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    keep_on_one_line(err->message);
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
    keep_on_one_line(err->message);
    return err->code;
}
