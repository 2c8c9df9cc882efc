/* tests/fuzz/fuzz_file.h: helpers for fuzz targets whose reader takes a path, not a buffer (the
 * platform loader hands the file to SimGrid; the calibration-sidecar reader opens it itself).
 *
 * The input is written to one scratch file per process (in $TMPDIR or /tmp, removed at exit), and
 * every rejection must be PS_EINPUT with exactly one printable line "PATH: reason" or
 * "PATH:LINE: reason": the promise of docs/platforms.md and docs/nccl.md. A violation traps (SIGILL), which
 * libFuzzer reports as a finding. Not abort(): SimGrid aborts on purpose in the platform
 * validator's forked child, and the platform target runs with -handle_abrt=0 so that the child
 * dies as in production instead of libFuzzer writing an artifact from it.
 */
#ifndef PARSIM_FUZZ_FILE_H
#define PARSIM_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parsim/error.h"

static char fuzz_path[512];

static void fuzz_remove_file(void) { unlink(fuzz_path); }

/* Writes data to the scratch file (named once, with `suffix`); aborts if it cannot. */
static const char *fuzz_write_file(const uint8_t *data, size_t size, const char *suffix)
{
    if (!fuzz_path[0]) {
        const char *dir = getenv("TMPDIR");
        snprintf(fuzz_path, sizeof fuzz_path, "%s/parsim-fuzz-%ld%s", dir && *dir ? dir : "/tmp",
                 (long)getpid(), suffix);
        atexit(fuzz_remove_file);
    }
    FILE *fp = fopen(fuzz_path, "wb");
    if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
        __builtin_trap();
    return fuzz_path;
}

/* The oracle for a rejection of the file at path. */
static void fuzz_check_file_error(const char *path, int rc, const char *message)
{
    if (rc == PS_OK)
        return;
    if (rc != PS_EINPUT)
        __builtin_trap();
    size_t n = strlen(path);
    if (strncmp(message, path, n) != 0 || message[n] != ':')
        __builtin_trap();
    const char *p = message + n + 1;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p[0] == ':')
        p++;
    if (p[0] != ' ' || p[1] == '\0')
        __builtin_trap();
    for (const char *q = message; *q; q++)
        if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f)
            __builtin_trap();
}

#endif
