/* parsim import: bring an Nsight Systems or PyTorch profiler trace into the parsim trace format.
 *   parsim import nsys FILE.sqlite -o DIR [options]
 *   parsim import kineto FILE.json -o DIR [options]
 * The importers live in sim/import/ (one file each, listed in sim/import/import.c); the format
 * names in --help and in the messages come from that table.
 *
 * parse_args (the option table) -> pick_importer (the two positional arguments) -> the import ->
 * print_stats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "parsim/options.h"
#include "parsim/dtype.h"
#include "parsim/import.h"
#include "parsim/util.h"

/* The phases a trace's meta.json may name (the trace writer's rule, core/trace/trace_write_rules.c). */
static const char *const phases[] = {"prefill", "decode", "mixed"};
#define PHASE_COUNT ((int)(sizeof phases / sizeof phases[0]))
#define MAX_SCENARIO (1 << 24) /* --batch/--isl/--osl: 16 M sequences or tokens, a typo guard */

typedef struct import_args {
    ps_import_options opts;
    const char *out_dir;
    int force;
    const char *format, *input; /* the positional arguments */
} import_args;

static const char *importer_name_at(int i) { return ps_importers[i]->name; }
static const char *phase_at(int i) { return phases[i]; }

/* The weight dtypes of parsim/dtype.h, the same spellings parsim plan's --dtype takes. */
static const char *weight_dtype_at(int i) { return ps_dtype_at(i)->weights ? ps_dtype_at(i)->name : NULL; }

/* Free text recorded in meta.json: short UTF-8 (the trace format's rule). */
static int copy_text(const ps_option *opt, const char *value, ps_error *err)
{
    if (strlen(value) > PS_TRACE_MAX_TEXT_BYTES || !ps_trace_text_valid(value, PS_TRACE_MAX_TEXT_BYTES, false))
        return ps_error_set(err, PS_EINPUT, "--%s: not short UTF-8 text (at most %d bytes)", opt->long_name,
                            PS_TRACE_MAX_TEXT_BYTES);
    snprintf(opt->data, PS_TRACE_MAX_TEXT_BYTES + 1, "%s", value);
    return PS_OK;
}

static int parse_dtype(const ps_option *opt, const char *value, ps_error *err)
{
    ps_dtype dt;
    if (!ps_dtype_parse(value, &dt) || !ps_dtype_info_of(dt)->weights) {
        char names[128];
        ps_options_join(names, sizeof names, weight_dtype_at, ps_dtype_count(), NULL);
        return ps_error_set(err, PS_EINPUT, "--dtype: '%s' is not a weight dtype (%s)", value, names);
    }
    return copy_text(opt, value, err);
}

static int parse_phase(const ps_option *opt, const char *value, ps_error *err)
{
    for (int i = 0; i < PHASE_COUNT; i++)
        if (!strcmp(value, phases[i]))
            return copy_text(opt, value, err);
    char names[64];
    ps_options_join(names, sizeof names, phase_at, PHASE_COUNT, " or ");
    return ps_error_set(err, PS_EINPUT, "--phase: '%s' is not %s", value, names);
}

static const char *const import_usage[] = {"parsim import <format> FILE -o DIR [options]", NULL};

/* Returns PS_OK to go on, PS_OPTIONS_HELP after --help, else the error code. */
static int parse_args(int argc, char **argv, import_args *a, char **positional, int *npositional, ps_error *err)
{
    *a = (import_args){0};
    ps_import_options_init(&a->opts);
    ps_import_options *o = &a->opts;
    const int max_ranks = PS_TRACE_MAX_RANK + 1;
    /* The description lists the formats from the importer table. */
    char description[1024];
    size_t used = (size_t)snprintf(description, sizeof description,
                                   "Converts a trace recorded by another tool into a parsim trace directory (docs/import.md)\n"
                                   "that `parsim trace check` validates, `parsim trace export` opens in Perfetto and the "
                                   "replay reads.\nPrints one summary line on success; exits 2 with one line FILE:WHERE: "
                                   "reason on bad input.\n\nformats:");
    for (int i = 0; i < ps_importer_count && used < sizeof description; i++)
        used += (size_t)snprintf(description + used, sizeof description - used, "\n  %-8s %s", ps_importers[i]->name,
                                 ps_importers[i]->input);
    const ps_command_help help = {
        .command = "parsim import",
        .usage = import_usage,
        .description = description,
        .positional = true,
    };
    char dtypes[128], dtype_help[192], phase_names[64], phase_help[128];
    ps_options_join(dtypes, sizeof dtypes, weight_dtype_at, ps_dtype_count(), NULL);
    snprintf(dtype_help, sizeof dtype_help, "weight dtype (%s)", dtypes);
    ps_options_join(phase_names, sizeof phase_names, phase_at, PHASE_COUNT, " or ");
    snprintf(phase_help, sizeof phase_help, "the phase recorded: %s", phase_names);
    const ps_option opts[] = {
        PS_OPT_GROUP("options"),
        PS_OPT_STRING('o', "output", &a->out_dir, "DIR", "trace directory to create (required)"),
        PS_OPT_FLAG(0, "force", &a->force, "replace DIR if it is an existing parsim trace"),
        PS_OPT_INT(0, "rank", &o->rank, "N", 0, PS_TRACE_MAX_RANK,
                   "rank of the (first) process in the file (kineto: default\n"
                   "distributedInfo.rank or 0; nsys: processes get N, N+1, ... by pid)"),
        PS_OPT_INT(0, "group-size", &o->group_size, "N", 1, max_ranks, "communicator size when the input does not record it"),
        PS_OPT_GROUP("metadata the input does not record (meta.json)"),
        PS_OPT_CALLBACK(0, "model", "NAME", "model preset or free text", copy_text, o->model, 0),
        PS_OPT_CALLBACK(0, "dtype", "T", dtype_help, parse_dtype, o->dtype, 0),
        PS_OPT_INT(0, "tp", &o->tp, "N", 1, max_ranks, "tensor-parallel degree the trace was recorded with"),
        PS_OPT_INT(0, "pp", &o->pp, "N", 1, max_ranks, "pipeline stages"),
        PS_OPT_INT(0, "dp", &o->dp, "N", 1, max_ranks, "data-parallel replicas (a plan given in part means 1 for\n"
                   "the rest: --tp 8 alone is TP8 x PP1 x DP1)"),
        PS_OPT_INT(0, "batch", &o->batch, "N", 1, MAX_SCENARIO, "scenario: sequences per batch"),
        PS_OPT_INT(0, "isl", &o->isl, "N", 1, MAX_SCENARIO, "input tokens per sequence"),
        PS_OPT_INT(0, "osl", &o->osl, "N", 1, MAX_SCENARIO, "output tokens per sequence"),
        PS_OPT_CALLBACK(0, "phase", "P", phase_help, parse_phase, o->phase, 0),
        PS_OPT_END(),
    };
    return ps_options_parse(&help, opts, argc, argv, positional, npositional, err);
}

/* The format and FILE, in the order the checks always ran: format, FILE, -o. */
static int pick_importer(import_args *a, char **positional, int n, const ps_importer **imp, ps_error *err)
{
    char names[128];
    ps_options_join(names, sizeof names, importer_name_at, ps_importer_count, " or ");
    if (n < 1)
        return ps_error_set(err, PS_EINPUT, "which format? (%s; see parsim import --help)", names);
    if (!(*imp = ps_importer_find(positional[0])))
        return ps_error_set(err, PS_EINPUT, "'%s' is not an import format (%s)", positional[0], names);
    if (n < 2)
        return ps_error_set(err, PS_EINPUT, "%s: which FILE? (parsim import %s FILE -o DIR)", (*imp)->name,
                            (*imp)->name);
    if (n > 2)
        return ps_error_set(err, PS_EINPUT, "one FILE at a time ('%s' is extra)", positional[2]);
    a->format = positional[0];
    a->input = positional[1];
    if (!a->out_dir)
        return ps_error_set(err, PS_EINPUT, "-o DIR is required (the trace directory to create)");
    return PS_OK;
}

static void print_stats(const ps_importer *imp, const ps_import_stats *s, const char *out_dir)
{
    printf("imported %s: %d rank%s, %llu kernels, %llu memcpys, %llu memsets, %llu NCCL kernels, "
           "%llu comms (%llu with sizes, %llu by kernel name, %llu skipped), op ids on %llu activities and "
           "%llu comms, %llu same-stream overlaps clipped, span %lld ns -> %s\n",
           imp->name, s->ranks, s->ranks == 1 ? "" : "s", (unsigned long long)s->kernels,
           (unsigned long long)s->memcpys, (unsigned long long)s->memsets, (unsigned long long)s->nccl_kernels,
           (unsigned long long)s->comms, (unsigned long long)s->comms_described,
           (unsigned long long)s->comms_from_names, (unsigned long long)s->comms_skipped,
           (unsigned long long)s->acts_with_op_id, (unsigned long long)s->comms_with_op_id,
           (unsigned long long)s->overlaps_clipped, (long long)s->span_ns, out_dir);
}

int cmd_import(int argc, char **argv, ps_error *err)
{
    import_args a;
    char **positional = calloc(argc > 0 ? (size_t)argc : 1, sizeof *positional);
    if (!positional)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    int n = 0;
    const ps_importer *imp = NULL;
    int rc = parse_args(argc, argv, &a, positional, &n, err);
    if (!rc)
        rc = pick_importer(&a, positional, n, &imp, err);
    free(positional);
    if (rc)
        return rc == PS_OPTIONS_HELP ? PS_OK : rc;
    a.opts.overwrite = a.force;
    /* A plan given in part means the rest is 1 (--tp 8 alone is TP8 x PP1 x DP1), as in parsim plan;
     * with no plan option at all the plan stays unknown (0). */
    if (a.opts.tp || a.opts.pp || a.opts.dp) {
        a.opts.tp = a.opts.tp ? a.opts.tp : 1;
        a.opts.pp = a.opts.pp ? a.opts.pp : 1;
        a.opts.dp = a.opts.dp ? a.opts.dp : 1;
    }
    ps_import_stats stats;
    if ((rc = imp->import(a.input, a.out_dir, &a.opts, &stats, err)))
        return rc;
    print_stats(imp, &stats, a.out_dir);
    return PS_OK;
}
