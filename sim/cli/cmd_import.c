/* parsim import: bring an Nsight Systems or PyTorch profiler trace into the parsim trace format.
 *   parsim import nsys FILE.sqlite -o DIR [options]
 *   parsim import kineto FILE.json -o DIR [options]
 * The importers live in sim/import/ (one file each, listed in sim/import/import.c). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "parsim/dtype.h"
#include "parsim/import.h"
#include "parsim/util.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: parsim import <format> FILE -o DIR [options]\n"
            "\n"
            "Converts a trace recorded by another tool into a parsim trace directory (docs/import.md)\n"
            "that `parsim trace check` validates, `parsim trace export` opens in Perfetto and the replay reads.\n"
            "\n"
            "formats:\n");
    for (int i = 0; i < ps_importer_count; i++)
        fprintf(out, "  %-8s %s\n", ps_importers[i]->name, ps_importers[i]->input);
    fprintf(out,
            "\n"
            "options:\n"
            "  -o, --output DIR     trace directory to create (required)\n"
            "      --force          replace DIR if it is an existing parsim trace\n"
            "      --rank N         rank of the (first) process in the file (kineto: default\n"
            "                       distributedInfo.rank or 0; nsys: processes get N, N+1, ... by pid)\n"
            "      --group-size N   communicator size when the input does not record it\n"
            "      --model NAME     model preset or free text, recorded in the metadata\n"
            "      --dtype T        weight dtype (bf16, fp16, fp8)\n"
            "      --tp N --pp N --dp N             parallel plan the trace was recorded with\n"
            "      --batch N --isl N --osl N        scenario\n"
            "      --phase P        prefill, decode or mixed\n"
            "  -h, --help           this help\n"
            "\n"
            "Prints one summary line on success; exits 2 with one line FILE:WHERE: reason on bad input.\n");
}

static int parse_range(const char *text, const char *flag, int min, int max, int *out)
{
    ps_error err = {0};
    if (ps_parse_int(text, flag, min, max, out, &err)) {
        fprintf(stderr, "parsim import: %s\n", err.message);
        return 2;
    }
    return 0;
}

static int parse_count(const char *text, const char *flag, int max, int *out)
{
    return parse_range(text, flag, 0, max, out);
}

static int copy_opt(char *dst, const char *text, const char *flag)
{
    if (strlen(text) > PS_TRACE_MAX_TEXT_BYTES || !ps_trace_text_valid(text, PS_TRACE_MAX_TEXT_BYTES, false)) {
        fprintf(stderr, "parsim import: %s: not short UTF-8 text (at most %d bytes)\n", flag, PS_TRACE_MAX_TEXT_BYTES);
        return 2;
    }
    snprintf(dst, PS_TRACE_MAX_TEXT_BYTES + 1, "%s", text);
    return 0;
}

int cmd_import(int argc, char **argv)
{
    enum { OPT_FORCE = 256, OPT_RANK, OPT_GROUP, OPT_MODEL, OPT_DTYPE, OPT_TP, OPT_PP, OPT_DP, OPT_BATCH,
           OPT_ISL, OPT_OSL, OPT_PHASE };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"force", no_argument, NULL, OPT_FORCE},
        {"rank", required_argument, NULL, OPT_RANK}, {"group-size", required_argument, NULL, OPT_GROUP},
        {"model", required_argument, NULL, OPT_MODEL}, {"dtype", required_argument, NULL, OPT_DTYPE},
        {"tp", required_argument, NULL, OPT_TP}, {"pp", required_argument, NULL, OPT_PP},
        {"dp", required_argument, NULL, OPT_DP}, {"batch", required_argument, NULL, OPT_BATCH},
        {"isl", required_argument, NULL, OPT_ISL}, {"osl", required_argument, NULL, OPT_OSL},
        {"phase", required_argument, NULL, OPT_PHASE}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    ps_import_options opts;
    ps_import_options_init(&opts);
    const char *out_dir = NULL;
    int c, rc = 0;
    optind = 1;
    opterr = 0;
    unsigned char seen[512] = {0};
    char twice[64];
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1 && !rc) {
        const int max_ranks = PS_TRACE_MAX_RANK + 1;
        if (c != '?' && ps_cli_repeated(longopts, seen, c, twice, sizeof twice)) {
            fprintf(stderr, "parsim import: %s given twice (give each option once)\n", twice);
            return 2;
        }
        switch (c) {
        case 'o': out_dir = optarg; break;
        case 'h': usage(stdout); return 0;
        case OPT_FORCE: opts.overwrite = true; break;
        case OPT_RANK: rc = parse_count(optarg, "--rank", PS_TRACE_MAX_RANK, &opts.rank); break;
        case OPT_GROUP: rc = parse_count(optarg, "--group-size", max_ranks, &opts.group_size); break;
        case OPT_MODEL: rc = copy_opt(opts.model, optarg, "--model"); break;
        case OPT_DTYPE: {
            ps_dtype dt;
            if (!ps_dtype_parse(optarg, &dt) || !ps_dtype_info_of(dt)->weights) {
                fprintf(stderr, "parsim import: --dtype: '%s' is not a weight dtype (bf16, fp16, fp8)\n", optarg);
                return 2;
            }
            rc = copy_opt(opts.dtype, optarg, "--dtype");
            break;
        }
        case OPT_TP: rc = parse_range(optarg, "--tp", 1, max_ranks, &opts.tp); break;
        case OPT_PP: rc = parse_range(optarg, "--pp", 1, max_ranks, &opts.pp); break;
        case OPT_DP: rc = parse_range(optarg, "--dp", 1, max_ranks, &opts.dp); break;
        case OPT_BATCH: rc = parse_count(optarg, "--batch", 1 << 24, &opts.batch); break;
        case OPT_ISL: rc = parse_count(optarg, "--isl", 1 << 24, &opts.isl); break;
        case OPT_OSL: rc = parse_count(optarg, "--osl", 1 << 24, &opts.osl); break;
        case OPT_PHASE:
            if (strcmp(optarg, "prefill") && strcmp(optarg, "decode") && strcmp(optarg, "mixed")) {
                fprintf(stderr, "parsim import: --phase: '%s' is not prefill, decode or mixed\n", optarg);
                return 2;
            }
            rc = copy_opt(opts.phase, optarg, "--phase");
            break;
        default:
            fprintf(stderr, "parsim import: unknown or incomplete option '%s' (see parsim import --help)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (rc)
        return rc;
    /* A plan given in part means the rest is 1 (--tp 8 alone is TP8 x PP1 x DP1), as in parsim plan;
     * with no plan option at all the plan stays unknown (0). */
    if (opts.tp || opts.pp || opts.dp) {
        opts.tp = opts.tp ? opts.tp : 1;
        opts.pp = opts.pp ? opts.pp : 1;
        opts.dp = opts.dp ? opts.dp : 1;
    }
    /* GNU getopt permutes: options may come before or after the two operands (format, FILE). */
    if (argc - optind < 1) {
        fprintf(stderr, "parsim import: which format? (nsys or kineto; see parsim import --help)\n");
        return 2;
    }
    const ps_importer *imp = ps_importer_find(argv[optind]);
    if (!imp) {
        fprintf(stderr, "parsim import: '%s' is not an import format (nsys or kineto)\n", argv[optind]);
        return 2;
    }
    if (argc - optind < 2) {
        fprintf(stderr, "parsim import %s: which FILE?\n", imp->name);
        return 2;
    }
    if (argc - optind > 2) {
        fprintf(stderr, "parsim import: one FILE at a time ('%s' is extra)\n", argv[optind + 2]);
        return 2;
    }
    const char *input = argv[optind + 1];
    if (!out_dir) {
        fprintf(stderr, "parsim import: -o DIR is required (the trace directory to create)\n");
        return 2;
    }
    ps_import_stats stats;
    ps_error err = {0};
    rc = imp->import(input, out_dir, &opts, &stats, &err);
    if (rc) {
        fprintf(stderr, "parsim import: %s\n", err.message);
        return rc == PS_EINPUT ? 2 : 1;
    }
    printf("imported %s: %d rank%s, %llu kernels, %llu memcpys, %llu memsets, %llu NCCL kernels, "
           "%llu comms (%llu with sizes, %llu by kernel name, %llu skipped), op ids on %llu activities and "
           "%llu comms, %llu same-stream overlaps clipped, span %lld ns -> %s\n",
           imp->name, stats.ranks, stats.ranks == 1 ? "" : "s", (unsigned long long)stats.kernels,
           (unsigned long long)stats.memcpys, (unsigned long long)stats.memsets,
           (unsigned long long)stats.nccl_kernels, (unsigned long long)stats.comms,
           (unsigned long long)stats.comms_described, (unsigned long long)stats.comms_from_names,
           (unsigned long long)stats.comms_skipped, (unsigned long long)stats.acts_with_op_id,
           (unsigned long long)stats.comms_with_op_id, (unsigned long long)stats.overlaps_clipped,
           (long long)stats.span_ns, out_dir);
    return 0;
}
