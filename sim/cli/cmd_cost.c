/* parsim cost: how long one compute op takes on one GPU, or many (--queries CSV), from a trace,
 * a table or the fitted model (docs/cost.md). --errors SPEC... prints the model's error table
 * against measured data (the table docs/validation.md shows).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "cost_cli.h"
#include "parsim/options.h"
#include "parsim/cost.h"
#include "parsim/util.h"

#define MAX_TRACES 64
#define MAX_ERROR_SPECS 64

typedef struct cost_opts {
    const char *gpu, *queries, *output, *coeffs;
    const char *traces[MAX_TRACES];
    int ntraces;
    const char *errors[MAX_ERROR_SPECS];
    int nerrors;
    int json;
    const char *field[COST_FIELD_COUNT]; /* single-op values, as text (cost_cli_query parses them) */
} cost_opts;

/* The single-op flags, one per query field (cost_cli.h's order). help NULL: generated (the
 * field's value list, cost_cli_value_list). */
static const struct {
    const char *flag, *arg, *help;
} field_options[COST_FIELD_COUNT] = {
    [COST_F_OP] = {"op", "KIND", NULL},
    [COST_F_DTYPE] = {"dtype", "D", NULL},
    [COST_F_LAUNCH] = {"launch", "L", NULL},
    [COST_F_OP_ID] = {"op-id", "ID", "the op id in a --trace (source trace: the time it measured)"},
    [COST_F_M] = {"m", "N", "gemm: [m x k] x [k x n]; m = tokens (rows)"},
    [COST_F_N] = {"n", "N", "gemm: output columns"},
    [COST_F_K] = {"k", "N", "gemm: the reduced dimension"},
    [COST_F_PHASE] = {"phase", "P", NULL},
    [COST_F_SEQS] = {"seqs", "N", "attention: sequences (default 1)"},
    [COST_F_TOKENS] = {"tokens", "N", "query tokens in all (attention decode: seqs; gemm: m); rows of\n"
                                      "the other kinds"},
    [COST_F_CONTEXT] = {"context", "N", "attention: keys per query (prefill: prefix + tokens/seqs)"},
    [COST_F_PREFIX] = {"prefix", "N", "attention: cached tokens before the query tokens (default 0)"},
    [COST_F_HEADS] = {"heads", "N", "attention: query heads on this GPU"},
    [COST_F_KV_HEADS] = {"kv-heads", "N", "attention: KV heads on this GPU"},
    [COST_F_HEAD_DIM] = {"head-dim", "N", "attention: (default 128)"},
    [COST_F_WIDTH] = {"width", "N", "other kinds: hidden size; FFN shard for silu_mul; (heads +\n"
                                    "kv_heads) x head_dim for rope; vocabulary for sampling"},
};

/* Generated help texts (value lists from the code's tables). */
typedef struct cost_help_text {
    char gpu[512], field[COST_FIELD_COUNT][256];
} cost_help_text;

static void fill_help(cost_help_text *h)
{
    h->gpu[0] = '\0';
    for (int i = 0; i < ps_gpu_catalog_count(); i++)
        snprintf(h->gpu + strlen(h->gpu), sizeof h->gpu - strlen(h->gpu), "%s%s", i ? " " : "the GPU: ",
                 ps_gpu_catalog_at(i)->name);
    char list[200];
    cost_cli_value_list(COST_F_OP, list, sizeof list, ", ");
    snprintf(h->field[COST_F_OP], sizeof h->field[0], "%s", list);
    cost_cli_value_list(COST_F_DTYPE, list, sizeof list, " or ");
    snprintf(h->field[COST_F_DTYPE], sizeof h->field[0], "%s (default %s)", list, ps_dtype_name(PS_DTYPE_BF16));
    cost_cli_value_list(COST_F_LAUNCH, list, sizeof list, " or ");
    snprintf(h->field[COST_F_LAUNCH], sizeof h->field[0], "%s (default %s: CUDA graphs, as serving engines run decode)",
             list, ps_launch_mode_name(PS_LAUNCH_GRAPH));
    cost_cli_value_list(COST_F_PHASE, list, sizeof list, " or ");
    snprintf(h->field[COST_F_PHASE], sizeof h->field[0], "attention: %s (default %s)", list,
             ps_phase_name(PS_PHASE_PREFILL));
}

static const char *const cost_usage[] = {
    "parsim cost --gpu MODEL --op KIND [shape flags] [--dtype D] [--launch graph|eager]",
    "            [--op-id ID] [--trace DIR...] [--coeffs FILE] [--json]",
    "parsim cost --gpu MODEL --queries FILE.csv [-o OUT.csv] [--trace DIR...]",
    "parsim cost --gpu MODEL --errors SPEC... [--coeffs FILE]", NULL};
static const ps_command_help cost_help = {
    .command = "parsim cost",
    .usage = cost_usage,
    .description = "Prices compute ops: trace (the exact op id in a --trace), table (log-log interpolation\n"
                   "in a trace's points of that kind), or model (roofline with fitted efficiencies), with\n"
                   "the held-out error of that source and whether the shape lies inside the fit data.",
    .help_column = 16,
};

static int add_trace(const ps_option *opt, const char *value, ps_error *err)
{
    cost_opts *o = opt->data;
    if (o->ntraces == MAX_TRACES)
        return ps_error_set(err, PS_EINPUT, "more than %d --trace", MAX_TRACES);
    o->traces[o->ntraces++] = value;
    return PS_OK;
}

static int add_error_spec(const ps_option *opt, const char *value, ps_error *err)
{
    cost_opts *o = opt->data;
    if (o->nerrors == MAX_ERROR_SPECS)
        return ps_error_set(err, PS_EINPUT, "more than %d --errors files", MAX_ERROR_SPECS);
    o->errors[o->nerrors++] = value;
    return PS_OK;
}

/* The table: --gpu, the single-op fields, then the other modes and outputs. */
static void build_table(cost_opts *o, const cost_help_text *h, ps_option *opts)
{
    int n = 0;
    opts[n++] = (ps_option)PS_OPT_STRING(0, "gpu", &o->gpu, "MODEL", h->gpu);
    opts[n++] = (ps_option)PS_OPT_GROUP("one op (--op)");
    for (int f = 0; f < COST_FIELD_COUNT; f++)
        opts[n++] = (ps_option)PS_OPT_STRING(0, field_options[f].flag, &o->field[f], field_options[f].arg,
                                              field_options[f].help ? field_options[f].help : h->field[f]);
    opts[n++] = (ps_option)PS_OPT_FLAG(0, "json", &o->json, "one JSON object (single op)");
    opts[n++] = (ps_option)PS_OPT_GROUP("many ops (--queries)");
    opts[n++] = (ps_option)PS_OPT_STRING(0, "queries", &o->queries, "CSV",
        "one op per row, columns as the flags (op or kind, op_id or id, m, n,\n"
        "k, phase, seqs, tokens, context, prefix, heads, kv_heads, head_dim,\n"
        "width, dtype, launch; `parsim plan --ops` output is read as it is);\n"
        "writes the rows back with time_us, source, scaled_from, fallback,\n"
        "bound, error_pct, in_envelope (an empty cell is a field left out)");
    opts[n++] = (ps_option)PS_OPT_STRING('o', "output", &o->output, "FILE",
                                         "where --queries output goes (atomically; default stdout)");
    opts[n++] = (ps_option)PS_OPT_GROUP("error table (--errors)");
    opts[n++] = (ps_option)PS_OPT_CALLBACK(0, "errors", "SPEC...", "median and p90 |error| per op kind, source, GPU and launch against\n"
        "measured tables (SPEC as for calibrate --ops); markdown", add_error_spec, o, PS_OPT_GREEDY);
    opts[n++] = (ps_option)PS_OPT_GROUP("data");
    opts[n++] = (ps_option)PS_OPT_CALLBACK(0, "trace", "DIR", "a parsim trace: its op ids (source trace) and points (table); repeatable",
                                           add_trace, o, PS_OPT_REPEATABLE);
    opts[n++] = (ps_option)PS_OPT_STRING(0, "coeffs", &o->coeffs, "FILE",
                                         "coefficients (default: data/cost/<gpu>.cost via the data lookup)");
    opts[n] = (ps_option)PS_OPT_END();
}

#define TABLE_SIZE (COST_FIELD_COUNT + 16)

/* Which mode, and that its flags go together. */
static int check_modes(const cost_opts *o, ps_error *err)
{
    if (!o->gpu)
        return ps_error_set(err, PS_EINPUT, "--gpu is required (see parsim platform --list for the GPUs)");
    int modes = (o->queries != NULL) + (o->nerrors > 0) + (o->field[COST_F_OP] != NULL);
    if (modes != 1)
        return ps_error_set(err, PS_EINPUT, "give exactly one of --op, --queries and --errors");
    if (o->output && !o->queries)
        return ps_error_set(err, PS_EINPUT, "-o goes with --queries");
    if (o->json && !o->field[COST_F_OP])
        return ps_error_set(err, PS_EINPUT, "--json goes with --op (a single op)");
    /* the error table prices measured points with the fitted model alone: a --trace was ignored */
    if (o->nerrors && o->ntraces)
        return ps_error_set(err, PS_EINPUT, "--trace does not go with --errors (the table is the fitted model's "
                            "error; see parsim cost --help)");
    /* without a trace the op id has nothing to be looked up in: it was ignored */
    if (o->field[COST_F_OP_ID] && o->ntraces == 0)
        return ps_error_set(err, PS_EINPUT, "--op-id names an op of a --trace DIR: give the trace");
    if (!o->field[COST_F_OP])
        for (int f = 0; f < COST_FIELD_COUNT; f++)
            if (o->field[f])
                return ps_error_set(err, PS_EINPUT, "--%s goes with --op (with --queries it is a column)",
                                    field_options[f].flag);
    return PS_OK;
}

/* Returns PS_OK to go on, PS_OPTIONS_HELP after --help, else the error code. */
static int parse_args(int argc, char **argv, cost_opts *o, ps_error *err)
{
    static cost_help_text help; /* generated lists: not on the stack */
    fill_help(&help);
    ps_option opts[TABLE_SIZE];
    build_table(o, &help, opts);
    int rc = ps_options_parse(&cost_help, opts, argc, argv, NULL, NULL, err);
    if (rc)
        return rc;
    return check_modes(o, err);
}

static void print_answer(const char *what, const ps_cost_answer *a, bool json)
{
    if (json) {
        printf("{\"op\":");
        ps_json_write_string(stdout, what);
        printf(",\"time_us\":%.6g,\"source\":\"%s\",\"scaled_from\":", a->time_us, ps_cost_source_name(a->source));
        ps_json_write_string(stdout, a->scaled_from);
        printf(",\"fallback\":");
        ps_json_write_string(stdout, a->fallback);
        printf(",\"flops\":%.6g,\"bytes\":%.6g,\"bound\":\"%s\",\"error_pct\":", a->flops, a->bytes,
               ps_cost_bound_name(a->bound));
        if (a->error_pct >= 0)
            printf("%.3g", a->error_pct);
        else
            printf("null");
        printf(",\"in_envelope\":%s}\n", a->in_envelope ? "true" : "false");
        return;
    }
    printf("op           %s\n", what);
    printf("time_us      %.6g\n", a->time_us);
    printf("source       %s%s%s\n", ps_cost_source_name(a->source), a->scaled_from[0] ? ", scaled from " : "",
           a->scaled_from);
    if (a->fallback[0])
        printf("fallback     %s\n", a->fallback);
    printf("flops        %.6g\n", a->flops);
    printf("bytes        %.6g\n", a->bytes);
    printf("bound        %s\n", ps_cost_bound_name(a->bound));
    static const char *const why[] = {"spread of the op's occurrences in the trace",
                                      "leave-one-out error of table interpolation",
                                      "held-out median |error| of the model for this op kind"};
    if (a->error_pct >= 0)
        printf("error_pct    %.3g (%s)\n", a->error_pct, why[a->source]);
    else
        printf("error_pct    unknown (no held-out data for this op kind)\n");
    printf("in_envelope  %s\n", a->in_envelope ? "true" : "false (shape, dtype or GPU outside the fit data)");
}

static int single_op(const cost_opts *o, ps_cost_model *m, ps_error *err)
{
    ps_cost_query q;
    int rc = cost_cli_query(o->field, "", &q, err);
    if (rc)
        return rc;
    ps_cost_answer a;
    rc = ps_cost_estimate(m, &q, &a, err);
    if (rc)
        return rc;
    char what[128];
    cost_cli_describe(&q, what, sizeof what);
    print_answer(what, &a, o->json);
    return PS_OK;
}

static int run(const cost_opts *o, ps_error *err)
{
    const ps_gpu_spec *gpu = ps_gpu_find(o->gpu);
    if (!gpu)
        return ps_error_set(err, PS_EINPUT, "--gpu %s: unknown GPU (see parsim platform --list)", o->gpu);
    ps_cost_model *m = NULL;
    int rc = ps_cost_model_create(gpu, o->coeffs, &m, err);
    for (int i = 0; !rc && i < o->ntraces; i++)
        rc = ps_cost_model_add_trace(m, o->traces[i], err);
    if (!rc && o->queries)
        rc = cost_cli_queries(m, o->queries, o->output, err);
    else if (!rc && o->nerrors)
        rc = cost_cli_errors(m, o->errors, o->nerrors, err);
    else if (!rc)
        rc = single_op(o, m, err);
    ps_cost_model_free(m);
    return rc;
}

int cmd_cost(int argc, char **argv, ps_error *err)
{
    cost_opts o = {0};
    int rc = parse_args(argc, argv, &o, err);
    if (rc == PS_OPTIONS_HELP)
        return PS_OK;
    return rc ? rc : run(&o, err);
}
