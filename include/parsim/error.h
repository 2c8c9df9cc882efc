/* parsim/error.h: how every library function reports failure.
 *
 * Library code never prints and never exits: it fills a ps_error and returns its code. The CLI
 * prints err.message as the one line on stderr and exits with the code. PS_EINPUT (2) is bad
 * usage or bad input (a flag, a file, an impossible plan); messages name the flag or FILE:LINE
 * and the rule that was broken, e.g. "plan.json:3: tp=3 does not divide 64 attention heads".
 * A message is always one line: control characters in it (say, from a quoted SQLite error) are
 * replaced by spaces.
 */
#ifndef PARSIM_ERROR_H
#define PARSIM_ERROR_H

#include <stddef.h>

enum ps_status {
    PS_OK = 0,
    PS_EINTERNAL = 1, /* a bug or out of memory */
    PS_EINPUT = 2,    /* bad usage or bad input, and a failed write (full disk, closed pipe, a
                         directory that cannot be created): the user can fix it, exit 2 */
};

#define PS_ERROR_MESSAGE_BYTES 512

typedef struct ps_error {
    int code;
    char message[PS_ERROR_MESSAGE_BYTES];
} ps_error;

/* Sets code and a printf-formatted message; returns code so that callers can write
 * `return ps_error_set(err, PS_EINPUT, "...", ...);`. err may be NULL. */
int ps_error_set(ps_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends "prefix: " to an existing message (e.g. a file name to a line-level reason). */
int ps_error_prefix(ps_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
