/* libFuzzer target: the strict reader of meta.json (core/trace/trace_meta_read.c). Built and run
 * by scripts/fuzz.sh (make fuzz). A meta.json it accepts must also pass the writer's rules. */
#include <stdint.h>
#include <stdio.h>

#include "fuzz_common.h"
#include "parsim/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char name[] = "meta.json";
    ps_trace_meta meta;
    ps_error err = {0};
    int rc = ps_trace_parse_meta(name, (const char *)data, size, &meta, &err);
    fuzz_check_error(name, rc, &err);
    if (rc == PS_OK && ps_trace_meta_validate(&meta, &err) != PS_OK)
        abort();
    return 0;
}
