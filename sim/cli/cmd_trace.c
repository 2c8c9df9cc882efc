/* parsim trace: check a trace directory, export it to Perfetto / chrome://tracing.
 *
 *   parsim trace check DIR [--json]     every rule of docs/trace-format.md, then a summary
 *   parsim trace export DIR -o OUT.json Chrome trace-event JSON (parsim/timeline.h)
 *
 * Two actions, each a row of ps_trace_actions (parsim.c dispatches "parsim trace ACTION" and
 * prints "parsim trace ACTION: reason" once), each with its own option table and --help.
 * Exit 0 when the trace is valid, 2 with one line "FILE:LINE: reason" on stderr when it is not
 * (or on bad usage), 1 on an internal error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "parsim/options.h"
#include "parsim/timeline.h"
#include "parsim/trace.h"
#include "parsim/util.h"

#define TRACE_DESCRIPTION                                                                            \
    "A trace is a directory (meta.json, activities.csv, comms.csv, optional ops.csv) in the\n"      \
    "format " PS_TRACE_FORMAT " (docs/trace-format.md).\n"                                        \
    "Exit: 0 valid, 2 invalid input or usage (one line FILE:LINE: reason), 1 internal error."

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            printf("\\u%04x", (unsigned char)*s);
        else
            putchar(*s);
    }
    putchar('"');
}

static double fraction(int64_t part, int64_t whole) { return whole > 0 ? (double)part / (double)whole : 0.0; }

static void print_us(int64_t ns) { printf("%lld.%03lld", (long long)(ns / 1000), (long long)(ns % 1000)); }

static void print_text(const char *dir, const ps_trace_summary *s)
{
    const ps_trace_meta *m = &s->meta;
    int64_t span = s->last_ns - s->first_ns;
    printf("trace %s: ok (%s)\n", dir, ps_trace_format_name(m->format_version));
    printf("source %s%s, %s x%d, model %s %s, plan tp%d pp%d dp%d, batch %d isl %d osl %d %s\n",
           ps_trace_source_name(m->source), m->shard_emulation ? " (single-GPU shard emulation)" : "",
           m->gpu_name[0] ? m->gpu_name : "GPU ?", m->gpu_count, m->model[0] ? m->model : "?",
           m->dtype[0] ? m->dtype : "?", m->tp, m->pp, m->dp, m->batch, m->isl, m->osl,
           m->phase[0] ? m->phase : "-");
    printf("ranks %d, streams %d, kernels %llu, memcpys %llu, memsets %llu\n", s->ranks, s->streams,
           (unsigned long long)s->kernels, (unsigned long long)s->memcpys, (unsigned long long)s->memsets);
    printf("comms %llu (%llu collectives and p2p transfers), ops %llu, op ids checked against %s\n",
           (unsigned long long)s->comms, (unsigned long long)s->collectives, (unsigned long long)s->ops,
           s->op_id_check);
    printf("span ");
    print_us(span);
    printf(" us\n");
    printf("%-6s %8s %10s %8s %14s %6s\n", "rank", "streams", "kernels", "comms", "busy_us", "busy");
    for (int i = 0; i < s->ranks; i++) {
        const ps_trace_rank_summary *r = &s->per_rank[i];
        char busy[32];
        snprintf(busy, sizeof busy, "%lld.%03lld", (long long)(r->busy_ns / 1000), (long long)(r->busy_ns % 1000));
        printf("%-6d %8d %10llu %8llu %14s %6.3f\n", r->rank, r->streams, (unsigned long long)r->kernels,
               (unsigned long long)r->comms, busy, fraction(r->busy_ns, span));
    }
}

/* Key names are stable (docs/trace-format.md lists them). Integers are printed exactly. */
static void print_json(const char *dir, const ps_trace_summary *s)
{
    const ps_trace_meta *m = &s->meta;
    int64_t span = s->last_ns - s->first_ns;
    printf("{\"trace\": ");
    json_str(dir);
    printf(", \"ok\": true, \"format\": ");
    json_str(ps_trace_format_name(m->format_version));
    printf(", \"source\": ");
    json_str(ps_trace_source_name(m->source));
    printf(", \"shard_emulation\": %s, \"gpu_name\": ", m->shard_emulation ? "true" : "false");
    json_str(m->gpu_name);
    printf(", \"gpu_count\": %d, \"model\": ", m->gpu_count);
    json_str(m->model);
    printf(", \"tp\": %d, \"pp\": %d, \"dp\": %d, \"op_id_check\": \"%s\",\n", m->tp, m->pp, m->dp, s->op_id_check);
    printf(" \"ranks\": %d, \"streams\": %d, \"activities\": %llu, \"kernels\": %llu, \"memcpys\": %llu, "
           "\"memsets\": %llu, \"comms\": %llu, \"collectives\": %llu, \"ops\": %llu,\n",
           s->ranks, s->streams, (unsigned long long)s->activities, (unsigned long long)s->kernels,
           (unsigned long long)s->memcpys, (unsigned long long)s->memsets, (unsigned long long)s->comms,
           (unsigned long long)s->collectives, (unsigned long long)s->ops);
    printf(" \"first_ns\": %lld, \"last_ns\": %lld, \"span_ns\": %lld,\n \"per_rank\": [", (long long)s->first_ns,
           (long long)s->last_ns, (long long)span);
    for (int i = 0; i < s->ranks; i++) {
        const ps_trace_rank_summary *r = &s->per_rank[i];
        printf("%s\n  {\"rank\": %d, \"streams\": %d, \"kernels\": %llu, \"memcpys\": %llu, \"memsets\": %llu, "
               "\"comms\": %llu, \"first_ns\": %lld, \"last_ns\": %lld, \"busy_ns\": %lld, \"busy_fraction\": %.6f}",
               i ? "," : "", r->rank, r->streams, (unsigned long long)r->kernels, (unsigned long long)r->memcpys,
               (unsigned long long)r->memsets, (unsigned long long)r->comms, (long long)r->first_ns,
               (long long)r->last_ns, (long long)r->busy_ns, fraction(r->busy_ns, span));
    }
    printf("\n]}\n");
}

/* Parses an action's options and its one positional argument, the trace directory: *dir stays
 * NULL unless exactly one was given. */
static int parse_dir(const ps_command_help *help, const ps_option *opts, int argc, char **argv, const char **dir,
                     ps_error *err)
{
    char **positional = calloc(argc > 0 ? (size_t)argc : 1, sizeof *positional);
    if (!positional)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    int n = 0;
    int rc = ps_options_parse(help, opts, argc, argv, positional, &n, err);
    if (!rc && n == 1)
        *dir = positional[0];
    free(positional);
    return rc;
}

/* ---- check ---- */

static const char *const check_usage[] = {"parsim trace check DIR [--json]", NULL};
static const ps_command_help check_help = {
    .command = "parsim trace check",
    .usage = check_usage,
    .description = "Runs every check (columns, numbers, times, stream overlap, op ids, matching of\n"
                   "collectives across ranks) and prints a summary.\n\n" TRACE_DESCRIPTION,
    .help_column = 22,
    .positional = true,
};

static int trace_check(int argc, char **argv, ps_error *err)
{
    int json = 0;
    const ps_option opts[] = {
        PS_OPT_FLAG(0, "json", &json, "one JSON object (keys in docs/trace-format.md), for scripts"),
        PS_OPT_END(),
    };
    const char *dir = NULL;
    int rc = parse_dir(&check_help, opts, argc, argv, &dir, err);
    if (rc)
        return rc == PS_OPTIONS_HELP ? PS_OK : rc;
    if (!dir)
        return ps_error_set(err, PS_EINPUT, "expected one trace directory (see parsim trace --help)");
    ps_trace_summary summary;
    if ((rc = ps_trace_check(dir, &summary, err)))
        return rc;
    if (json)
        print_json(dir, &summary);
    else
        print_text(dir, &summary);
    ps_trace_summary_free(&summary);
    return PS_OK;
}

/* ---- export ---- */

static const char *const export_usage[] = {"parsim trace export DIR -o OUT.json", NULL};
static const ps_command_help export_help = {
    .command = "parsim trace export",
    .usage = export_usage,
    .description = "Writes Chrome trace-event JSON for ui.perfetto.dev or chrome://tracing: one\n"
                   "process per rank, one thread per stream, NCCL calls on their own tracks.\n\n" TRACE_DESCRIPTION,
    .help_column = 22,
    .positional = true,
};

static int trace_export(int argc, char **argv, ps_error *err)
{
    const char *out = NULL;
    const ps_option opts[] = {
        PS_OPT_STRING('o', "output", &out, "OUT.json", "the Chrome trace-event JSON to write (atomically)"),
        PS_OPT_END(),
    };
    const char *dir = NULL;
    int rc = parse_dir(&export_help, opts, argc, argv, &dir, err);
    if (rc)
        return rc == PS_OPTIONS_HELP ? PS_OK : rc;
    if (!dir || !out)
        return ps_error_set(err, PS_EINPUT, "expected DIR and -o OUT.json (see parsim trace --help)");
    if ((rc = ps_trace_refuse_own_file(dir, out, "-o", err)))
        return rc;
    uint64_t events = 0, skipped = 0;
    if ((rc = ps_timeline_export_trace(dir, out, &events, &skipped, err)))
        return rc;
    printf("wrote %s: %llu events", out, (unsigned long long)events);
    if (skipped)
        printf(", %llu comms without GPU times skipped (shard emulation)", (unsigned long long)skipped);
    printf("\n");
    return PS_OK;
}

/* The actions of `parsim trace`, in the order its --help lists them (parsim.c dispatches). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
const ps_command ps_trace_actions[] = {
    {"check", "run every check of the trace format and print a summary (--json for scripts)", trace_check},
    {"export", "write Chrome trace-event JSON for ui.perfetto.dev or chrome://tracing", trace_export},
    {NULL},
};
#pragma GCC diagnostic pop
