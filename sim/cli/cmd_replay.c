/* parsim replay: replays a recorded trace on a platform -- kernel durations and host gaps as
 * recorded, NCCL calls re-timed on the platform (sim/replay/trace_replay.c) -- and says what
 * changed against the recorded span. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "parsim/options.h"
#include "parsim/platform.h"
#include "parsim/trace.h"
#include "parsim/util.h"
#include "replay/trace_replay.h"

typedef struct replay_args {
    const char *trace, *platform, *timeline;
    int json;
} replay_args;

static const char *const replay_usage[] = {"parsim replay TRACE_DIR --platform FILE|PRESET [--timeline OUT.json] [--json]",
                                           NULL};
static const ps_command_help replay_help = {
    .command = "parsim replay",
    .usage = replay_usage,
    .description = "Replays exactly what the trace recorded: kernel durations and the host gaps between them\n"
                   "as measured, NCCL calls re-timed by the collective model on the platform (a what-if for\n"
                   "another fabric). Prints the replayed span beside the recorded one and the busy time of\n"
                   "every stream. Import Nsight or Kineto traces first (parsim import).",
    .help_column = 18,
    .positional = true,
};

/* Returns PS_OK to go on, PS_OPTIONS_HELP after --help, else the error code. */
static int parse_args(int argc, char **argv, replay_args *a, char **positional, ps_error *err)
{
    *a = (replay_args){0};
    const ps_option opts[] = {
        PS_OPT_STRING(0, "platform", &a->platform, "P", "platform file or preset (parsim platform --list)"),
        PS_OPT_STRING(0, "timeline", &a->timeline, "FILE", "Chrome trace of the replay (Perfetto)"),
        PS_OPT_FLAG(0, "json", &a->json, "one JSON object: trace, platform, ranks, recorded_span_ms, replayed_ms,\n"
                    "change_pct, kernel_ms, comm_recorded_ms, comm_replayed_ms, streams"),
        PS_OPT_END(),
    };
    int npositional = 0;
    int rc = ps_options_parse(&replay_help, opts, argc, argv, positional, &npositional, err);
    if (rc)
        return rc;
    if (npositional != 1)
        return ps_error_set(err, PS_EINPUT, "expected one trace directory (see parsim replay --help)");
    a->trace = positional[0];
    if (!a->platform)
        return ps_error_set(err, PS_EINPUT, "--platform: a platform is needed (a file or a preset)");
    return PS_OK;
}

static void print_json(const char *dir, const char *platform, const ps_trace_replay_result *r)
{
    double change = r->recorded_span_ms > 0 ? 100 * (r->replayed_ms / r->recorded_span_ms - 1) : 0;
    fputs("{\"trace\":", stdout);
    ps_json_write_string(stdout, dir);
    fputs(",\"platform\":", stdout);
    ps_json_write_string(stdout, platform);
    printf(",\"ranks\":%d,\"recorded_span_ms\":%.6g,\"replayed_ms\":%.6g,\"change_pct\":%.6g,\"kernel_ms\":%.6g,"
           "\"comm_recorded_ms\":%.6g,\"comm_replayed_ms\":%.6g,\"ops\":%lld,\"streams\":[",
           r->ranks, r->recorded_span_ms, r->replayed_ms, change, r->kernel_ms, r->comm_recorded_ms, r->comm_replayed_ms,
           (long long)r->ops);
    int first = 1;
    for (int k = 0; k < r->ranks && k < TRACE_REPLAY_MAX_RANKS; k++)
        for (int s = 0; s < 3; s++)
            if (r->stream_id[k][s] >= 0) {
                printf("%s{\"rank\":%d,\"stream\":%lld,\"busy_ms\":%.6g}", first ? "" : ",", k,
                       (long long)r->stream_id[k][s], r->busy_ms[k][s]);
                first = 0;
            }
    printf("]}\n");
}

static void print_text(const char *dir, const char *platform, const ps_trace_replay_result *r)
{
    double change = r->recorded_span_ms > 0 ? 100 * (r->replayed_ms / r->recorded_span_ms - 1) : 0;
    printf("trace              %s (%d ranks)\n", dir, r->ranks);
    printf("platform           %s\n", platform);
    printf("span               recorded %.3f ms, replayed %.3f ms (%+.1f %%)\n", r->recorded_span_ms, r->replayed_ms,
           change);
    printf("kernels            %.3f ms recorded (replayed as recorded)\n", r->kernel_ms);
    printf("NCCL calls         %.3f ms recorded, %.3f ms replayed on the platform\n", r->comm_recorded_ms,
           r->comm_replayed_ms);
    if (r->nccl_version > 0) { /* the model followed the trace's NCCL release (docs/nccl.md) */
        char nccl[16];
        ps_nccl_version_format(r->nccl_version, nccl, sizeof nccl);
        printf("NCCL modelled      %s (the trace's nccl_version)\n", nccl);
    }
    printf("%-6s %-10s %12s\n", "rank", "stream", "busy_ms");
    for (int k = 0; k < r->ranks && k < TRACE_REPLAY_MAX_RANKS; k++)
        for (int s = 0; s < 3; s++)
            if (r->stream_id[k][s] >= 0)
                printf("%-6d %-10lld %12.3f\n", k, (long long)r->stream_id[k][s], r->busy_ms[k][s]);
}

/* The atomic writer renames its temporary file over the path: never over a device or an input. */
static int check_timeline(const replay_args *a, const ps_platform *pf, ps_error *err)
{
    struct stat st;
    if (a->timeline && stat(a->timeline, &st) == 0 && !S_ISREG(st.st_mode))
        return ps_error_set(err, PS_EINPUT, "--timeline %s: not a regular file", a->timeline);
    /* --timeline TRACE/ops.csv replaced the trace being replayed */
    if (a->timeline && ps_trace_refuse_own_file(a->trace, a->timeline, "--timeline", err))
        return err->code;
    if (a->timeline && pf && ps_same_file(a->timeline, ps_platform_path(pf)))
        return ps_error_set(err, PS_EINPUT, "--timeline %s is an input of this command; write it elsewhere", a->timeline);
    return PS_OK;
}

static int run(const replay_args *a, ps_error *err)
{
    if (check_timeline(a, NULL, err))
        return err->code;
    ps_platform *pf = NULL;
    if (ps_platform_load(a->platform, &pf, err))
        return ps_error_prefix(err, "--platform");
    static ps_trace_replay_result r; /* per-rank stream tables: not on the stack */
    int rc = check_timeline(a, pf, err);
    if (!rc)
        rc = ps_trace_replay(a->trace, pf, a->timeline, &r, err);
    if (!rc && a->json)
        print_json(a->trace, ps_platform_path(pf), &r);
    else if (!rc)
        print_text(a->trace, ps_platform_path(pf), &r);
    ps_platform_free(pf);
    return rc;
}

int cmd_replay(int argc, char **argv, ps_error *err)
{
    replay_args a;
    char **positional = calloc((size_t)argc, sizeof *positional);
    int rc = positional ? parse_args(argc, argv, &a, positional, err) : ps_error_set(err, PS_EINTERNAL, "out of memory");
    if (rc == PS_OPTIONS_HELP)
        rc = PS_OK;
    else if (!rc)
        rc = run(&a, err);
    free(positional);
    return rc;
}
