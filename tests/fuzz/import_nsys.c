/* tests/fuzz/import_nsys.c: libFuzzer harness for `parsim import nsys` (sim/import/nsys.c).
 * Every input must either import or fail with PS_EINPUT and a one-line message; a crash, a hang,
 * a leak or PS_EINTERNAL (other than out of memory) is a bug. The importer reads a path, so each
 * input is written to a scratch file first (/dev/shm when present).
 * Build (clang), from the repository root: clang -g -O1 -fsanitize=fuzzer,address,undefined -D_DEFAULT_SOURCE -std=c11 \
 *   -Iinclude -Isim tests/fuzz/import_nsys.c $(ls sim/import/?*.c core/trace/?*.c core/util/?*.c core/workload/?*.c) \
 *   $(pkg-config --cflags --libs libcjson sqlite3) -lcsv -lm -o build-fuzz/import_nsys
 * Run: build-fuzz/import_nsys -max_total_time=60 -max_len=65536 [corpus dir]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parsim/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char in[256], out[256];
    if (!in[0]) {
        const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(in, sizeof in, "%s/parsim-fuzz-import-nsys-%d.sqlite", tmp, (int)getpid());
        snprintf(out, sizeof out, "%s/parsim-fuzz-import-nsys-%d.trace", tmp, (int)getpid());
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
    int rc = ps_importer_find("nsys")->import(in, out, &opts, &stats, &err);
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
