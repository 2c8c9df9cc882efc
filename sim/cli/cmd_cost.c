/* parsim cost: how long one compute op takes on one GPU, or many (--queries CSV), from a trace,
 * a table or the fitted model (docs/cost.md). --errors SPEC... prints the model's error table
 * against measured data (the table docs/validation.md shows).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "cost_cli.h"
#include "parsim/cost.h"
#include "parsim/util.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: parsim cost --gpu MODEL --op KIND [shape flags] [--dtype D] [--launch graph|eager]\n"
            "                   [--op-id ID] [--trace DIR...] [--coeffs FILE] [--json]\n"
            "       parsim cost --gpu MODEL --queries FILE.csv [-o OUT.csv] [--trace DIR...]\n"
            "       parsim cost --gpu MODEL --errors SPEC... [--coeffs FILE]\n\n"
            "Prices compute ops: trace (the exact op id in a --trace), table (log-log interpolation\n"
            "in a trace's points of that kind), or model (roofline with fitted efficiencies), with\n"
            "the held-out error of that source and whether the shape lies inside the fit data.\n\n"
            "  --op KIND        gemm, attention, rmsnorm, rope, silu_mul, residual, embedding, sampling\n"
            "  --m --n --k      gemm: [m x k] x [k x n]\n"
            "  --phase P        attention: prefill (default) or decode\n"
            "  --seqs --tokens --context --prefix --heads --kv-heads --head-dim\n"
            "                   attention (per GPU); tokens = query tokens in all, context = keys\n"
            "                   per query (prefill: prefix + tokens/seqs), prefix = cached tokens\n"
            "  --tokens --width other kinds (width: hidden size; FFN shard for silu_mul; (heads +\n"
            "                   kv_heads) x head_dim for rope; vocabulary for sampling)\n"
            "  --dtype D        bf16 (default), fp16, fp8\n"
            "  --launch L       graph (default: CUDA graphs, as serving engines run decode) or eager\n"
            "  --queries CSV    one op per row, columns as the flags (op or kind, op_id or id, m, n,\n"
            "                   k, phase, seqs, tokens, context, prefix, heads, kv_heads, head_dim,\n"
            "                   width, dtype, launch; `parsim plan --ops` output is read as it is);\n"
            "                   writes the rows back with time_us, source, scaled_from, fallback,\n"
            "                   bound, error_pct, in_envelope\n"
            "  -o FILE          where --queries output goes (atomically; default stdout)\n"
            "  --trace DIR      a parsim trace: its op ids (source trace) and points (table); repeatable\n"
            "  --coeffs FILE    coefficients (default: data/cost/<gpu>.cost via the data lookup)\n"
            "  --errors SPEC..  median and p90 |error| per op kind, source, GPU and launch against\n"
            "                   measured tables (SPEC as for calibrate --ops); markdown\n"
            "  --json           one JSON object (single op)\n");
}

/* Shape and mode flags, indexed by cost_field (cost_cli.h). */
static const struct option longs[] = {
    {"gpu", required_argument, 0, 'G'},      {"op", required_argument, 0, 'O'},
    {"dtype", required_argument, 0, 'D'},    {"launch", required_argument, 0, 'L'},
    {"op-id", required_argument, 0, 'I'},    {"m", required_argument, 0, 'm'},
    {"n", required_argument, 0, 'n'},        {"k", required_argument, 0, 'k'},
    {"phase", required_argument, 0, 'P'},    {"seqs", required_argument, 0, 's'},
    {"tokens", required_argument, 0, 't'},   {"context", required_argument, 0, 'c'},
    {"prefix", required_argument, 0, 'p'},   {"heads", required_argument, 0, 'H'},
    {"kv-heads", required_argument, 0, 'V'}, {"head-dim", required_argument, 0, 'd'},
    {"width", required_argument, 0, 'w'},    {"queries", required_argument, 0, 'Q'},
    {"output", required_argument, 0, 'o'},   {"trace", required_argument, 0, 'T'},
    {"coeffs", required_argument, 0, 'C'},   {"errors", required_argument, 0, 'E'},
    {"json", no_argument, 0, 'j'},           {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0}};

typedef struct cost_opts {
    const char *gpu, *queries, *output, *coeffs;
    const char *traces[64];
    int ntraces;
    char *errors[64];
    int nerrors;
    bool json;
    const char *field[COST_FIELD_COUNT]; /* single-op values, as text */
} cost_opts;

static int field_of_flag(int c)
{
    static const char flags[] = "ODLImnkPstcpHVdw";
    const char *at = strchr(flags, c);
    return at && c ? (int)(at - flags) : -1;
}

static int parse_args(int argc, char **argv, cost_opts *o, ps_error *err)
{
    unsigned char seen[512] = {0};
    char twice[64];
    int c, last_errors = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "-o:h", longs, NULL)) != -1) {
        if (c != 'T' && c != 'E' && c != 1 && ps_cli_repeated(longs, seen, c, twice, sizeof twice))
            return ps_error_set(err, PS_EINPUT, "%s given twice (give each option once)", twice);
        int f = field_of_flag(c);
        if (c != 1 && c != 'E')
            last_errors = 0;
        if (f >= 0) {
            o->field[f] = optarg;
            continue;
        }
        switch (c) {
        case 'G': o->gpu = optarg; break;
        case 'Q': o->queries = optarg; break;
        case 'o': o->output = optarg; break;
        case 'C': o->coeffs = optarg; break;
        case 'j': o->json = true; break;
        case 'T':
            if (o->ntraces == 64)
                return ps_error_set(err, PS_EINPUT, "more than 64 --trace");
            o->traces[o->ntraces++] = optarg;
            break;
        case 'E':
            last_errors = 1;
            /* fall through */
        case 1:
            if (!last_errors)
                return ps_error_set(err, PS_EINPUT, "unexpected argument '%s'", optarg);
            if (o->nerrors == 64)
                return ps_error_set(err, PS_EINPUT, "more than 64 --errors files");
            o->errors[o->nerrors++] = optarg;
            break;
        case 'h': return -1;
        default:
            return ps_error_set(err, PS_EINPUT, "unknown or incomplete option '%s' (see parsim cost --help)",
                                argv[optind - 1]);
        }
    }
    if (!o->gpu)
        return ps_error_set(err, PS_EINPUT, "--gpu is required (see parsim platform --list for the GPUs)");
    int modes = (o->queries != NULL) + (o->nerrors > 0) + (o->field[COST_F_OP] != NULL);
    if (modes != 1)
        return ps_error_set(err, PS_EINPUT, "give exactly one of --op, --queries and --errors");
    if (o->output && !o->queries)
        return ps_error_set(err, PS_EINPUT, "-o goes with --queries");
    if (o->json && !o->field[COST_F_OP])
        return ps_error_set(err, PS_EINPUT, "--json goes with --op (a single op)");
    if (!o->field[COST_F_OP])
        for (int f = 0; f < COST_FIELD_COUNT; f++)
            if (o->field[f])
                return ps_error_set(err, PS_EINPUT, "--%s goes with --op (with --queries it is a column)",
                                    longs[f + 1].name);
    return PS_OK;
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

int cmd_cost(int argc, char **argv)
{
    cost_opts o = {0};
    ps_error err = {0, ""};
    int rc = parse_args(argc, argv, &o, &err);
    if (rc < 0) {
        usage(stdout);
        return 0;
    }
    const ps_gpu_spec *gpu = rc ? NULL : ps_gpu_find(o.gpu);
    if (!rc && !gpu)
        rc = ps_error_set(&err, PS_EINPUT, "--gpu %s: unknown GPU (see parsim platform --list)", o.gpu);
    ps_cost_model *m = NULL;
    if (!rc)
        rc = ps_cost_model_create(gpu, o.coeffs, &m, &err);
    for (int i = 0; !rc && i < o.ntraces; i++)
        rc = ps_cost_model_add_trace(m, o.traces[i], &err);
    if (!rc && o.queries)
        rc = cost_cli_queries(m, o.queries, o.output, &err);
    else if (!rc && o.nerrors)
        rc = cost_cli_errors(m, o.errors, o.nerrors, &err);
    else if (!rc)
        rc = single_op(&o, m, &err);
    if (rc)
        fprintf(stderr, "parsim cost: %s\n", err.message);
    ps_cost_model_free(m);
    return rc;
}
