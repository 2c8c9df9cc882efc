/* tests/fuzz/fuzz_import.h: the body shared by the importer fuzz targets (import_<format>.c).
 *
 * Every input must either import or fail with PS_EINPUT and a one-line message; a crash, a hang,
 * a leak or PS_EINTERNAL (other than out of memory) is a bug. Importers read a path, so each
 * input is written to a scratch file first (/dev/shm when present); a successful import's output
 * directory is removed again.
 */
#ifndef PARSIM_FUZZ_IMPORT_H
#define PARSIM_FUZZ_IMPORT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parsim/import.h"

static int fuzz_import(const char *format, const char *suffix, const uint8_t *data, size_t size)
{
    static char in[256], out[256];
    if (!in[0]) {
        const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(in, sizeof in, "%s/parsim-fuzz-import-%s-%d.%s", tmp, format, (int)getpid(), suffix);
        snprintf(out, sizeof out, "%s/parsim-fuzz-import-%s-%d.trace", tmp, format, (int)getpid());
    }
    FILE *fp = fopen(in, "wb");
    if (!fp)
        return 0;
    fwrite(data, 1, size, fp);
    fclose(fp);
    ps_import_options opts;
    ps_import_options_init(&opts);
    opts.overwrite = true;
    ps_import_stats stats;
    ps_error err = {0};
    int rc = ps_importer_find(format)->import(in, out, &opts, &stats, &err);
    if (rc == PS_EINTERNAL && !strstr(err.message, "out of memory")) {
        fprintf(stderr, "internal error on fuzz input: %s\n", err.message);
        abort();
    }
    if (rc && (!err.message[0] || strchr(err.message, '\n'))) {
        fprintf(stderr, "bad error message: '%s'\n", err.message);
        abort();
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", out);
    if (rc == PS_OK && system(cmd) != 0)
        abort();
    return 0;
}

#endif
