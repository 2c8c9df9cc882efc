/* parsim replay: replays a recorded trace on a platform -- kernel durations and host gaps as
 * recorded, NCCL calls re-timed on the platform (sim/replay/trace_replay.c) -- and says what
 * changed against the recorded span. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "parsim/platform.h"
#include "parsim/util.h"
#include "replay/trace_replay.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: parsim replay TRACE_DIR --platform FILE|PRESET [--timeline OUT.json] [--json]\n\n"
                 "Replays exactly what the trace recorded: kernel durations and the host gaps between them\n"
                 "as measured, NCCL calls re-timed by the collective model on the platform (a what-if for\n"
                 "another fabric). Prints the replayed span beside the recorded one and the busy time of\n"
                 "every stream. Import Nsight or Kineto traces first (parsim import).\n\n"
                 "  --platform P       platform file or preset (parsim platform --list)\n"
                 "  --timeline FILE    Chrome trace of the replay (Perfetto)\n"
                 "  --json             one JSON object: trace, platform, ranks, recorded_span_ms, replayed_ms,\n"
                 "                     change_pct, kernel_ms, comm_recorded_ms, comm_replayed_ms, streams\n"
                 "  -h, --help         this help\n");
}

static int fail(ps_error *err)
{
    fprintf(stderr, "parsim replay: %s\n", err->message);
    return err->code == PS_EINPUT ? 2 : 1;
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
    printf("%-6s %-10s %12s\n", "rank", "stream", "busy_ms");
    for (int k = 0; k < r->ranks && k < TRACE_REPLAY_MAX_RANKS; k++)
        for (int s = 0; s < 3; s++)
            if (r->stream_id[k][s] >= 0)
                printf("%-6d %-10lld %12.3f\n", k, (long long)r->stream_id[k][s], r->busy_ms[k][s]);
}

int cmd_replay(int argc, char **argv)
{
    static const struct option longs[] = {{"platform", required_argument, 0, 'p'},
                                          {"timeline", required_argument, 0, 't'},
                                          {"json", no_argument, 0, 'j'},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    const char *platform = NULL, *timeline = NULL;
    int json = 0, c;
    ps_error err = {0, ""};
    optind = 1;
    opterr = 0;
    unsigned char seen[512] = {0};
    char twice[64];
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        if (c == '?' || c == ':') {
            ps_error_set(&err, PS_EINPUT, "%s: %s (see parsim replay --help)", argv[optind - 1],
                         c == '?' ? "unknown option" : "needs a value");
            return fail(&err);
        }
        if (ps_cli_repeated(longs, seen, c, twice, sizeof twice)) {
            ps_error_set(&err, PS_EINPUT, "%s given twice (give each option once)", twice);
            return fail(&err);
        }
        if (c == 'p')
            platform = optarg;
        else if (c == 't')
            timeline = optarg;
        else if (c == 'j')
            json = 1;
    }
    if (optind != argc - 1) {
        ps_error_set(&err, PS_EINPUT, "expected one trace directory (see parsim replay --help)");
        return fail(&err);
    }
    const char *dir = argv[optind];
    if (!platform) {
        ps_error_set(&err, PS_EINPUT, "--platform: a platform is needed (a file or a preset)");
        return fail(&err);
    }
    struct stat st;
    if (timeline && stat(timeline, &st) == 0 && !S_ISREG(st.st_mode)) {
        ps_error_set(&err, PS_EINPUT, "--timeline %s: not a regular file", timeline);
        return fail(&err);
    }
    ps_platform *pf = NULL;
    if (ps_platform_load(platform, &pf, &err)) {
        ps_error_prefix(&err, "--platform");
        return fail(&err);
    }
    static ps_trace_replay_result r;
    int rc = ps_trace_replay(dir, pf, timeline, &r, &err);
    if (!rc) {
        if (json)
            print_json(dir, ps_platform_path(pf), &r);
        else
            print_text(dir, ps_platform_path(pf), &r);
        if (fflush(stdout))
            rc = ps_error_set(&err, PS_EINTERNAL, "cannot write to stdout");
    }
    ps_platform_free(pf);
    return rc ? fail(&err) : 0;
}
