/* parsim trace: check a trace directory, export it to Perfetto / chrome://tracing.
 *
 *   parsim trace check DIR [--json]     every rule of docs/trace-format.md, then a summary
 *   parsim trace export DIR -o OUT.json Chrome trace-event JSON (parsim/timeline.h)
 *
 * Exit 0 when the trace is valid, 2 with one line "FILE:LINE: reason" on stderr when it is not
 * (or on bad usage), 1 on an internal error.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "parsim/timeline.h"
#include "parsim/trace.h"
#include "parsim/util.h"

static void usage(FILE *fp)
{
    fputs("usage: parsim trace check DIR [--json]\n"
          "       parsim trace export DIR -o OUT.json\n"
          "\n"
          "A trace is a directory (meta.json, activities.csv, comms.csv, optional ops.csv) in the\n"
          "format " PS_TRACE_FORMAT " (docs/trace-format.md).\n"
          "  check   runs every check (columns, numbers, times, stream overlap, op ids, matching of\n"
          "          collectives across ranks) and prints a summary; --json for scripts\n"
          "  export  writes Chrome trace-event JSON for ui.perfetto.dev or chrome://tracing: one\n"
          "          process per rank, one thread per stream, NCCL calls on their own tracks\n"
          "Exit: 0 valid, 2 invalid input or usage (one line FILE:LINE: reason), 1 internal error.\n",
          fp);
}

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

static int run_check(int argc, char **argv)
{
    bool json = false;
    static const struct option longopts[] = {{"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0; /* one line on stderr: ours, naming the option, not getopt's as well */
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'j')
            json = true;
        else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "parsim trace check: unknown option '%s' (see parsim trace --help)\n", argv[optind - 1]);
            return 2;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "parsim trace check: expected one trace directory (see parsim trace --help)\n");
        return 2;
    }
    const char *dir = argv[optind];
    ps_trace_summary summary;
    ps_error err = {0};
    int rc = ps_trace_check(dir, &summary, &err);
    if (rc) {
        fprintf(stderr, "parsim trace check: %s\n", err.message);
        return rc;
    }
    if (json)
        print_json(dir, &summary);
    else
        print_text(dir, &summary);
    ps_trace_summary_free(&summary);
    return 0;
}

static int run_export(int argc, char **argv)
{
    const char *out = NULL;
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        if (c == 'o' && out) {
            fprintf(stderr, "parsim trace export: -o given twice (give each option once)\n");
            return 2;
        }
        if (c == 'o')
            out = optarg;
        else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "parsim trace export: unknown or incomplete option '%s' (see parsim trace --help)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind + 1 != argc || !out) {
        fprintf(stderr, "parsim trace export: expected DIR and -o OUT.json (see parsim trace --help)\n");
        return 2;
    }
    /* Writing the export over one of the trace's own files would destroy the input. */
    static const char *const inputs[] = {"meta.json", "activities.csv", "comms.csv", "ops.csv"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char in[4096];
        snprintf(in, sizeof in, "%s/%s", argv[optind], inputs[i]);
        if (ps_same_file(out, in)) {
            fprintf(stderr, "parsim trace export: -o %s is the trace's own %s; write elsewhere\n", out, in);
            return 2;
        }
    }
    ps_error err = {0};
    uint64_t events = 0, skipped = 0;
    int rc = ps_timeline_export_trace(argv[optind], out, &events, &skipped, &err);
    if (rc) {
        fprintf(stderr, "parsim trace export: %s\n", err.message);
        return rc;
    }
    printf("wrote %s: %llu events", out, (unsigned long long)events);
    if (skipped)
        printf(", %llu comms without GPU times skipped (shard emulation)", (unsigned long long)skipped);
    printf("\n");
    return 0;
}

int cmd_trace(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "parsim trace: which action? check or export (see parsim trace --help)\n");
        return 2;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(sub, "check"))
        return run_check(argc - 1, argv + 1);
    if (!strcmp(sub, "export"))
        return run_export(argc - 1, argv + 1);
    fprintf(stderr, "parsim trace: unknown action '%s' (check or export; see parsim trace --help)\n", sub);
    return 2;
}
