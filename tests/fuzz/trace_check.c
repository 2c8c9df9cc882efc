/* libFuzzer target: the whole-trace check (core/trace/trace_check.c) on a fuzzed comms.csv, where
 * the cross-row and cross-rank logic lives: seq order, group digests, the lockstep re-read that
 * names the first mismatching call, send/recv pairing. The trace directory is fixed apart from
 * comms.csv: meta.json with tp 4 (ranks 0-3) and the op graph of llama3.1-8b, and one activity.
 * Built and run by scripts/fuzz.sh (make fuzz). */
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "parsim/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256], name[300];

static int setup(void)
{
    const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof dir, "%s/parsim-fuzz-trace-check-%d", tmp, (int)getpid());
    snprintf(name, sizeof name, "%s/" PS_TRACE_COMMS_FILE, dir);
    ps_trace_meta meta;
    ps_trace_meta_init(&meta, PS_TRACE_SOURCE_SYNTHETIC);
    snprintf(meta.model, sizeof meta.model, "llama3.1-8b");
    meta.tp = 4;
    meta.pp = 1;
    meta.dp = 1;
    meta.batch = 8;
    meta.isl = 128;
    meta.osl = 4;
    ps_trace_writer *w;
    ps_error err = {0};
    if (ps_trace_writer_open(&w, dir, &meta, PS_TRACE_WRITE_OVERWRITE, &err))
        return -1;
    ps_trace_activity a = {.rank = 0, .device = 0, .stream = 7, .op_id = "decode/mb0/L000/qkv_gemm",
                           .kind = PS_TRACE_KERNEL, .name = "k", .start_ns = 0, .end_ns = 10};
    if (ps_trace_write_activity(w, &a, &err) || ps_trace_writer_close(w, &err))
        return -1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0] && setup() != 0)
        abort();
    FILE *fp = fopen(name, "wb");
    if (!fp)
        return 0;
    fwrite(data, 1, size, fp);
    fclose(fp);
    ps_trace_summary s;
    ps_error err = {0};
    int rc = ps_trace_check(dir, &s, &err);
    if (rc == PS_OK)
        ps_trace_summary_free(&s);
    fuzz_check_error(name, rc, &err); /* meta.json and activities.csv are valid: comms.csv is to blame */
    return 0;
}
