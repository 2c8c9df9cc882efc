/* tests/fuzz/import_nsys.c: libFuzzer harness for `parsim import nsys` (sim/import/nsys.c).
 * The oracle and the scratch-file handling are in fuzz_import.h.
 * Build (clang), from the repository root: clang -g -O1 -fsanitize=fuzzer,address,undefined -D_DEFAULT_SOURCE -std=c11 \
 *   -Iinclude -Isim tests/fuzz/import_nsys.c $(ls sim/import/?*.c core/trace/?*.c core/util/?*.c core/workload/?*.c) \
 *   $(pkg-config --cflags --libs libcjson sqlite3 zlib) -lcsv -lm -o build-fuzz/import_nsys
 * Run: build-fuzz/import_nsys -max_total_time=60 -max_len=65536 [corpus dir]
 */
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_import("nsys", "sqlite", data, size);
}
