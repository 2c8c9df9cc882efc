/* libFuzzer target: the strict reader of ops.csv (core/trace/trace_read.c). Built and run by
 * scripts/fuzz.sh (make fuzz). Each input is one whole file, read to the end or the first error. */
#include <stdint.h>
#include <stdio.h>

#include "fuzz_common.h"
#include "parsim/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char name[] = "ops.csv";
    FILE *fp = size ? fmemopen((void *)data, size, "rb") : fopen("/dev/null", "rb");
    if (!fp)
        return 0;
    ps_trace_reader *r = NULL;
    ps_error err = {0};
    int rc = ps_trace_reader_open_stream(&r, fp, name, PS_TRACE_TABLE_OPS, &err);
    for (bool done = false; !rc && !done;) {
        ps_trace_op row;
        rc = ps_trace_next_op(r, &row, &done, &err);
    }
    fuzz_check_error(name, rc, &err);
    ps_trace_reader_close(r);
    return 0;
}
