/* parsim sweep: every TP x PP x DP layout of N GPUs on one or more platforms, in two scenarios,
 * predicted as `parsim predict` would, with the best layouts and the Pareto front marked
 * (docs/sweep.md). One worker process per case (SimGrid runs one engine per process); shards
 * (--shard K/N) and their merge (--merge) spread a study over machines.
 *
 * The parent never loads a platform (a forked worker would inherit it): a probe worker per
 * platform reads its GPU count, nodes and link bandwidths, then a worker per case builds the
 * workload, loads the platform and calls ps_predict once.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xbt/log.h>

#include "commands.h"
#include "parsim/options.h"
#include "parsim/data.h"
#include "parsim/model.h"
#include "parsim/platform.h"
#include "parsim/report.h"
#include "parsim/sweep.h"
#include "parsim/util.h"
#include "serving_options.h"

#define MAX_PLATFORMS 64 /* the report draws up to 64 platforms (report_internal.h) */
#define MAX_SHARD_FILES 4096
#define MAX_BATCH (1 << 30)

typedef struct sweep_platform {
    const char *name;                   /* as given */
    char path[PS_DATA_PATH_BYTES];      /* resolved file */
    ps_link_platform link;
    int gpus;                           /* GPUs per layout on it */
    ps_layout *layouts;
    size_t nlayouts;
} sweep_platform;

typedef struct sweep_case {
    int platform, scenario;
    ps_layout layout;
} sweep_case;

typedef struct sweep_args {
    ps_workload_args workload;
    ps_cli_serving serving;
    const char *platforms, *csv, *html, *batch_text;
    int json, cross_node_tp, merge;
    int gpus, jobs;                     /* gpus 0 = every GPU of each platform */
    ps_shard shard;
    ps_strbuf canonical;                /* the arguments that define the sweep (for the digest) */
    char **files;                       /* --merge: the shard files (argc entries) */
    int nfiles;
} sweep_args;

typedef struct sweep_ctx {
    sweep_args *args;
    sweep_platform platforms[MAX_PLATFORMS];
    int nplatforms;
    ps_workload base;                   /* model and precision (no platform) */
    const char *scenario_name[2];
    const char *scenario_batch[2];
    char batch_name[PS_REPORT_SCENARIO_BYTES];
    sweep_case *cases;
    size_t ncases;
} sweep_ctx;

/* ---- arguments ---- */

static const char *const sweep_usage[] = {
    "parsim sweep (--model NAME | --model-file config.json) --platform P1[,P2...] [options]",
    "parsim sweep --merge SHARD.csv... [--csv FILE] [--json] [--html FILE]", NULL};
static const ps_command_help sweep_help = {
    .command = "parsim sweep",
    .usage = sweep_usage,
    .description = "Predicts every TP x PP x DP layout of N GPUs that the model and each platform allow (TP divides\n"
                   "the heads, TP inside a node, PP <= layers) in two scenarios, max_throughput (--batch max) and\n"
                   "min_latency (--batch 1), and marks per platform the best layout for throughput (tok/s per GPU),\n"
                   "for speed per user (tok/s per user) and the Pareto front of the two (docs/sweep.md).",
    .positional = true,
};

/* The workload options the sweep sets itself per case (the layout) or takes in its own sense
 * (--platform: a list, --gpus: per layout, --batch: the second scenario). */
static const char *workload_set_by_sweep[] = {"tp", "pp", "dp", "stage-layers", "platform", "gpus", "batch", NULL};

static int refuse_layout(const ps_option *opt, const char *value, ps_error *err)
{
    (void)value;
    return ps_error_set(err, PS_EINPUT, "--%s: the sweep varies the layout itself (see parsim sweep --help)",
                        opt->long_name);
}

static int parse_batch(const ps_option *opt, const char *value, ps_error *err)
{
    sweep_args *a = opt->data;
    int batch;
    if (ps_parse_int(value, "--batch", 1, MAX_BATCH, &batch, err))
        return ps_error_set(err, PS_EINPUT, "--batch: expected a number >= 1 (the second scenario; the first is max), "
                            "got '%s'", value);
    a->batch_text = value;
    return PS_OK;
}

static int parse_shard(const ps_option *opt, const char *value, ps_error *err)
{
    return ps_shard_parse(value, "--shard", &((sweep_args *)opt->data)->shard, err);
}

/* What defines the sweep goes into the digest, in command-line order; outputs, --jobs and
 * --shard do not (shards of one sweep differ in them). */
static int record_canonical(const ps_option *seen, const char *value, ps_error *err)
{
    static const char *const not_defining[] = {"jobs", "shard", "merge", "csv", "json", "html"};
    for (size_t i = 0; i < sizeof not_defining / sizeof not_defining[0]; i++)
        if (seen->long_name && !strcmp(seen->long_name, not_defining[i]))
            return PS_OK;
    ps_strbuf *canonical = seen->data;
    if (ps_strbuf_appendf(canonical, "%s--%s%s%s", canonical->len ? " " : "", seen->long_name, value ? " " : "",
                          value ? value : ""))
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    return PS_OK;
}

static int check_merge(const sweep_args *a, ps_error *err)
{
    if (a->canonical.len || a->shard.count)
        return ps_error_set(err, PS_EINPUT, "--merge takes shard files and output options only (the sweep's "
                                            "arguments are in the shards)");
    if (a->nfiles == 0)
        return ps_error_set(err, PS_EINPUT, "--merge: give the shard CSV files (parsim sweep --shard K/N --csv FILE)");
    if (a->nfiles > MAX_SHARD_FILES)
        return ps_error_set(err, PS_EINPUT, "--merge: more than %d files", MAX_SHARD_FILES);
    /* the merged CSV over a shard replaced that shard (exit 0): a rerun then had one shard less */
    for (int i = 0; i < a->nfiles; i++) {
        const char *out = a->csv && ps_same_file(a->csv, a->files[i]) ? a->csv
                          : a->html && ps_same_file(a->html, a->files[i]) ? a->html : NULL;
        if (out)
            return ps_error_set(err, PS_EINPUT, "--merge: the output %s is the shard %s; write it elsewhere", out,
                                a->files[i]);
    }
    return PS_OK;
}

static int check_combination(const sweep_args *a, ps_error *err)
{
    /* both would be renamed onto one path: the HTML silently replaced the CSV (exit 0) */
    if (a->csv && a->html && (!strcmp(a->csv, a->html) || ps_same_file(a->csv, a->html)))
        return ps_error_set(err, PS_EINPUT, "--csv and --html name the same file '%s'", a->csv);
    if (a->merge)
        return check_merge(a, err);
    if (a->nfiles)
        return ps_error_set(err, PS_EINPUT, "'%s': unexpected argument (see parsim sweep --help)", a->files[0]);
    if (!a->platforms)
        return ps_error_set(err, PS_EINPUT, "--platform: give one or more platforms (files or presets, comma-separated)");
    if (!a->workload.model_name == !a->workload.model_file)
        return ps_error_set(err, PS_EINPUT, "--model / --model-file: give exactly one of them");
    if (a->shard.count && (!a->csv || a->json || a->html))
        return ps_error_set(err, PS_EINPUT, "--shard: a shard writes its rows with --csv FILE only (no --json "
                                            "or --html); join the shards with parsim sweep --merge");
    return ps_cli_serving_check(&a->serving, NULL, err);
}

/* Returns PS_OK to go on, PS_OPTIONS_HELP after --help, else the error code. */
static int parse_args(int argc, char **argv, sweep_args *a, ps_error *err)
{
    ps_workload_args_init(&a->workload, "parsim sweep");
    ps_cli_serving_init(&a->serving);
    a->jobs = ps_sweep_cpu_count();
    const ps_option opts[] = {
        PS_OPT_GROUP("sweep"),
        PS_OPT_STRING(0, "platform", &a->platforms, "P1,P2,..", "platform files or presets (parsim platform --list)"),
        PS_OPT_INT(0, "gpus", &a->gpus, "N", 1, PS_PLATFORM_MAX_GPUS, "GPUs per layout (default: all GPUs of each platform)"),
        PS_OPT_CALLBACK(0, "batch", "N", "the second scenario keeps N requests in flight (default 1: min_latency)",
                        parse_batch, a, 0),
        PS_OPT_FLAG(0, "allow-cross-node-tp", &a->cross_node_tp, "let a TP group span nodes"),
        PS_OPT_INT(0, "jobs", &a->jobs, "J", 1, 1024, "worker processes (default: the CPUs this process may use)"),
        PS_OPT_CALLBACK(0, "shard", "K/N", "run the K-th of N slices of the cases; writes a shard CSV (--csv)",
                        parse_shard, a, 0),
        PS_OPT_FLAG(0, "merge", &a->merge, "join the shard CSVs of one sweep (given as arguments) into its outputs"),
        PS_OPT_GROUP("output (default: a table on stdout)"),
        PS_OPT_STRING(0, "csv", &a->csv, "FILE", "one row per (platform, layout, scenario); columns in docs/sweep.md"),
        PS_OPT_FLAG(0, "json", &a->json, "the same rows as one JSON document on stdout"),
        PS_OPT_STRING(0, "html", &a->html, "FILE", "a self-contained report (table, charts as SVG)"),
        PS_OPT_WORKLOAD_EXCEPT(&a->workload, workload_set_by_sweep),
        PS_CLI_SERVING_OPTIONS(&a->serving),
        PS_OPT_TEXT("(--tp, --pp, --dp, --stage-layers are what the sweep varies: not accepted here)"),
        PS_OPT_CALLBACK(0, "tp", "N", NULL, refuse_layout, NULL, PS_OPT_HIDDEN | PS_OPT_EXACT),
        PS_OPT_CALLBACK(0, "pp", "N", NULL, refuse_layout, NULL, PS_OPT_HIDDEN | PS_OPT_EXACT),
        PS_OPT_CALLBACK(0, "dp", "N", NULL, refuse_layout, NULL, PS_OPT_HIDDEN | PS_OPT_EXACT),
        PS_OPT_CALLBACK(0, "stage-layers", "A,B,..", NULL, refuse_layout, NULL, PS_OPT_HIDDEN | PS_OPT_EXACT),
        PS_OPT_OBSERVER(record_canonical, &a->canonical),
        PS_OPT_END(),
    };
    int rc = ps_options_parse(&sweep_help, opts, argc, argv, a->files, &a->nfiles, err);
    if (rc)
        return rc;
    return check_combination(a, err);
}

/* ---- platforms ---- */

typedef struct probe_result {
    ps_link_platform link;
    char warning[PS_ERROR_MESSAGE_BYTES];
} probe_result;

static int probe_platform(void *vctx, size_t index, void *result, ps_error *err)
{
    sweep_ctx *c = vctx;
    const sweep_platform *sp = &c->platforms[index];
    probe_result *r = result;
    ps_platform *pl;
    if (ps_platform_load(sp->path, &pl, err))
        return ps_error_prefix(err, "--platform %s", sp->name);
    const ps_platform_fabric_info *f = ps_platform_fabric(pl);
    snprintf(r->link.fabric, sizeof r->link.fabric, "%s", ps_fabric_name(f->kind));
    r->link.gpus_per_node = f->gpus_per_node;
    r->link.node_count = f->node_count;
    r->link.gpu_count = ps_platform_gpu_count(pl);
    r->link.port_bytes_per_s = f->gpu_link_bytes_per_s;
    r->link.nic_bytes_per_s = f->nic_bytes_per_s;
    double latency_s;
    if (r->link.gpu_count > 1 && ps_platform_route(pl, 0, 1, &r->link.pair_bytes_per_s, &latency_s, err))
        return ps_error_prefix(err, "--platform %s", sp->name);
    const char *warning = ps_platform_warning(pl);
    snprintf(r->warning, sizeof r->warning, "%s", warning ? warning : "");
    return PS_OK;
}

static void describe_platform(void *vctx, size_t index, char *buf, size_t size)
{
    snprintf(buf, size, "--platform %s", ((sweep_ctx *)vctx)->platforms[index].name);
}

static int compare_platforms(const void *a, const void *b)
{
    return strcmp(((const sweep_platform *)a)->name, ((const sweep_platform *)b)->name);
}

/* Splits --platform and resolves every name to a file (sorted by name, duplicates refused). */
static int split_platforms(sweep_ctx *c, char *list, ps_error *err)
{
    /* strtok_r skipped empty items: "a.xml," and ",a.xml" were taken for "a.xml" */
    size_t len = strlen(list);
    if (len == 0 || list[0] == ',' || list[len - 1] == ',' || strstr(list, ",,"))
        return ps_error_set(err, PS_EINPUT, "--platform: '%.200s' has an empty item (a comma too many?)", list);
    for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (c->nplatforms == MAX_PLATFORMS)
            return ps_error_set(err, PS_EINPUT, "--platform: more than %d platforms", MAX_PLATFORMS);
        if (strlen(tok) >= PS_REPORT_NAME_BYTES)
            return ps_error_set(err, PS_EINPUT, "--platform: '%.40s...' is longer than %d bytes", tok,
                                PS_REPORT_NAME_BYTES - 1);
        sweep_platform *sp = &c->platforms[c->nplatforms++];
        sp->name = tok;
        if (ps_data_find(PS_DATA_PLATFORM, tok, sp->path, sizeof sp->path, err))
            return ps_error_prefix(err, "--platform");
    }
    if (c->nplatforms == 0)
        return ps_error_set(err, PS_EINPUT, "--platform: no platform given");
    qsort(c->platforms, (size_t)c->nplatforms, sizeof c->platforms[0], compare_platforms);
    for (int i = 1; i < c->nplatforms; i++)
        if (!strcmp(c->platforms[i].name, c->platforms[i - 1].name))
            return ps_error_set(err, PS_EINPUT, "--platform: %s given twice", c->platforms[i].name);
    /* one file under two names (a preset and its path) was swept twice */
    for (int i = 0; i < c->nplatforms; i++)
        for (int j = i + 1; j < c->nplatforms; j++)
            if (ps_same_file(c->platforms[i].path, c->platforms[j].path))
                return ps_error_set(err, PS_EINPUT, "--platform: %s and %s are the same file", c->platforms[i].name,
                                    c->platforms[j].name);
    return PS_OK;
}

/* A probe worker per platform (the parent never loads one): GPU count, nodes, link bandwidths. */
static int probe_platforms(sweep_ctx *c, ps_error *err)
{
    probe_result *probes = calloc((size_t)c->nplatforms, sizeof *probes);
    size_t *idx = calloc((size_t)c->nplatforms, sizeof *idx);
    int rc = probes && idx ? PS_OK : ps_error_set(err, PS_EINTERNAL, "out of memory");
    for (int i = 0; !rc && i < c->nplatforms; i++)
        idx[i] = (size_t)i;
    ps_sweep_runner r = {probe_platform, describe_platform, NULL, c, c->args->jobs, sizeof(probe_result)};
    if (!rc)
        rc = ps_sweep_run(&r, idx, (size_t)c->nplatforms, probes, err);
    for (int i = 0; !rc && i < c->nplatforms; i++) {
        c->platforms[i].link = probes[i].link;
        if (probes[i].warning[0])
            fprintf(stderr, "parsim sweep: warning: %s\n", probes[i].warning);
    }
    free(probes);
    free(idx);
    return rc;
}

static int resolve_platforms(sweep_ctx *c, char *list, ps_error *err)
{
    if (split_platforms(c, list, err))
        return err->code;
    return probe_platforms(c, err);
}

/* ---- the case list ---- */

static int build_cases(sweep_ctx *c, ps_error *err)
{
    size_t total = 0;
    for (int p = 0; p < c->nplatforms; p++) {
        sweep_platform *sp = &c->platforms[p];
        int avail = sp->link.gpu_count;
        sp->gpus = c->args->gpus ? c->args->gpus : avail;
        if (sp->gpus > avail)
            return ps_error_set(err, PS_EINPUT, "--gpus %d: platform %s has %d GPUs", sp->gpus, sp->name, avail);
        if (ps_sweep_layouts(&c->base.model, sp->gpus, sp->link.gpus_per_node, c->args->cross_node_tp,
                             &sp->layouts, &sp->nlayouts, err))
            return err->code;
        if (sp->nlayouts == 0)
            return ps_error_set(err, PS_EINPUT,
                                "%s: no TP x PP x DP layout of %d GPUs for %s (TP must divide %lld heads%s, "
                                "PP <= %lld layers)%s", sp->name, sp->gpus, c->base.model.name,
                                (long long)c->base.model.heads,
                                c->args->cross_node_tp ? "" : " and the node's GPUs", (long long)c->base.model.layers,
                                c->args->cross_node_tp ? "" : "; --allow-cross-node-tp lets TP span nodes");
        total += sp->nlayouts * 2;
    }
    c->cases = calloc(total, sizeof *c->cases);
    if (!c->cases)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    for (int p = 0; p < c->nplatforms; p++)
        for (size_t l = 0; l < c->platforms[p].nlayouts; l++)
            for (int s = 0; s < 2; s++)
                c->cases[c->ncases++] = (sweep_case){p, s, c->platforms[p].layouts[l]};
    return PS_OK;
}

/* ---- one case, in its worker process ---- */

static ps_platform *case_platform; /* the worker's one platform (SimGrid: one per process) */

static int keep_platform(const char *path, ps_workload_gpu *gpu, ps_error *err)
{
    if (ps_platform_load(path, &case_platform, err))
        return err->code;
    const ps_platform_gpu *g0 = ps_platform_gpu_at(case_platform, 0);
    if (!g0)
        return ps_error_set(err, PS_EINPUT, "%s: the platform has no GPU", path);
    if (ps_workload_gpu_from_properties(g0->gpu_model, g0->hbm_bytes, g0->hbm_bandwidth_bytes_per_s,
                                        g0->peak_flops_bf16, g0->peak_flops_fp8, g0->sm_count, &gpu->spec, err))
        return ps_error_prefix(err, "%s", path);
    gpu->gpus_available = ps_platform_gpu_count(case_platform);
    snprintf(gpu->platform_path, sizeof gpu->platform_path, "%s", ps_platform_path(case_platform));
    return PS_OK;
}

static void describe_case(void *vctx, size_t index, char *buf, size_t size)
{
    const sweep_ctx *c = vctx;
    const sweep_case *k = &c->cases[index];
    snprintf(buf, size, "%s TP%dxPP%dxDP%d %s", c->platforms[k->platform].name, k->layout.tp, k->layout.pp,
             k->layout.dp, c->scenario_name[k->scenario]);
}

static int run_case(void *vctx, size_t index, void *result, ps_error *err)
{
    /* SimGrid's INFO lines (numerical-accuracy notes of the replay) would repeat for every case;
     * errors come back through the pipe, crashes as the signal. */
    xbt_log_control_set("root.thres:critical");
    sweep_ctx *c = vctx;
    const sweep_case *k = &c->cases[index];
    ps_workload_args a = c->args->workload;
    char tp[16], pp[16], dp[16], name[200];
    snprintf(tp, sizeof tp, "%d", k->layout.tp);
    snprintf(pp, sizeof pp, "%d", k->layout.pp);
    snprintf(dp, sizeof dp, "%d", k->layout.dp);
    describe_case(vctx, index, name, sizeof name);
    static ps_predict_request req; /* large (trace paths): not on the stack */
    memset(&req, 0, sizeof req);
    const ps_workload_hooks hooks = {.model_file = ps_model_load_hf_config, .platform = keep_platform};
    if (ps_workload_parse_option(&a, "platform", c->platforms[k->platform].path, err) ||
        ps_workload_parse_option(&a, "tp", tp, err) || ps_workload_parse_option(&a, "pp", pp, err) ||
        ps_workload_parse_option(&a, "dp", dp, err) ||
        ps_workload_parse_option(&a, "batch", c->scenario_batch[k->scenario], err) ||
        ps_workload_build(&a, &hooks, &req.workload, err))
        return ps_error_prefix(err, "%s", name);
    req.serving = c->args->serving.serving;
    req.platform = case_platform;
    snprintf(req.platform_path, sizeof req.platform_path, "%s", req.workload.gpu.platform_path);
    if (ps_predict(&req, result, err))
        return ps_error_prefix(err, "%s", name);
    return PS_OK;
}

static void progress(void *vctx, size_t done, size_t total, double elapsed_s)
{
    (void)vctx;
    double left = done ? elapsed_s / (double)done * (double)(total - done) : 0;
    fprintf(stderr, "\rparsim sweep: %zu/%zu cases, %.1f s elapsed, ~%.0f s left   ", done, total, elapsed_s, left);
    if (done == total)
        fputc('\n', stderr);
}

/* ---- outputs ---- */

static int write_file(const char *path, int (*writer)(FILE *, const void *, ps_error *), const void *arg, ps_error *err)
{
    ps_atomic_file af;
    if (ps_atomic_open(&af, path, err))
        return err->code;
    if (writer(af.fp, arg, err)) {
        ps_atomic_abort(&af);
        return err->code;
    }
    return ps_atomic_commit(&af, err);
}

typedef struct output {
    const ps_report_info *info;
    const ps_sweep_row *rows;
    size_t count;
    const ps_shard *shard;
    size_t total_cases;
} output;

static int csv_writer(FILE *fp, const void *arg, ps_error *err)
{
    const output *o = arg;
    if (o->shard && o->shard->count)
        return ps_shard_write(fp, o->shard, o->total_cases, o->info->digest, o->info->args, o->rows, o->count, err);
    return ps_report_write_csv(fp, o->rows, o->count, err);
}

static int html_writer(FILE *fp, const void *arg, ps_error *err)
{
    const output *o = arg;
    return ps_report_write_html(fp, o->info, o->rows, o->count, err);
}

static void write_table(FILE *out, const ps_sweep_row *rows, size_t count)
{
    fprintf(out, "%-16s %-14s %-15s %4s %7s %9s %9s %10s %9s %9s %6s  %s\n", "platform", "layout", "scenario", "fits",
            "batch", "TTFT_ms", "TPOT_ms", "tok/s", "tok/s/GPU", "tok/s/usr", "err%", "marks");
    for (size_t i = 0; i < count; i++) {
        const ps_sweep_row *r = &rows[i];
        char label[64];
        snprintf(label, sizeof label, "TP%dxPP%dxDP%d", r->tp, r->pp, r->dp);
        fprintf(out, "%-16s %-14s %-15s %4s", r->platform, label, r->scenario, r->pred.fits ? "yes" : "no");
        if (r->pred.fits)
            fprintf(out, " %7.4g %9.4g %9.4g %10.4g %9.4g %9.4g %6.3g%s", r->pred.batch, r->pred.ttft_ms,
                    r->pred.tpot_ms, r->pred.output_tok_s, r->pred.output_tok_s_per_gpu, r->pred.output_tok_s_per_user,
                    r->pred.error_pct >= 0 ? r->pred.error_pct : NAN, r->pred.in_envelope ? " " : "!");
        else
            fprintf(out, " %7s %9s %9s %10s %9s %9s %6s ", "-", "-", "-", "-", "-", "-", "-");
        fprintf(out, " %s%s%s\n", r->best_throughput ? "best-throughput " : "", r->best_latency ? "best-latency " : "",
                r->pareto ? "pareto" : "");
    }
    fputs("(! = outside the validated envelope; err% = predict's error_pct)\n", out);
}

static int write_outputs(const sweep_args *a, const output *o, ps_error *err)
{
    if (a->csv && write_file(a->csv, csv_writer, o, err))
        return err->code;
    if (a->shard.count)
        return PS_OK;
    if (a->html && write_file(a->html, html_writer, o, err))
        return err->code;
    if (a->json)
        return ps_report_write_json(stdout, o->info, o->rows, o->count, err);
    if (!a->csv && !a->html)
        write_table(stdout, o->rows, o->count);
    return PS_OK;
}

/* ---- the two ways in: a sweep, or a merge of its shards ---- */

static int fill_rows(sweep_ctx *c, const size_t *mine, const ps_prediction *preds, size_t n, ps_sweep_row *rows,
                     ps_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const sweep_case *k = &c->cases[mine[i]];
        ps_sweep_row *r = &rows[i];
        memset(r, 0, sizeof *r);
        snprintf(r->platform, sizeof r->platform, "%s", c->platforms[k->platform].name);
        r->tp = k->layout.tp;
        r->pp = k->layout.pp;
        r->dp = k->layout.dp;
        snprintf(r->scenario, sizeof r->scenario, "%s", c->scenario_name[k->scenario]);
        r->pred = preds[i];
        ps_report_link_load(r, &c->platforms[k->platform].link, &c->base.model, &c->base.precision);
        if (ps_report_canonicalize(r, err))
            return err->code;
    }
    return PS_OK;
}

static int digest_of(sweep_ctx *c, char *out, ps_error *err)
{
    uint64_t h = ps_sweep_digest_bytes(PS_SWEEP_DIGEST_SEED, c->args->canonical.data, c->args->canonical.len);
    for (int p = 0; p < c->nplatforms; p++)
        if (ps_sweep_digest_file(&h, c->platforms[p].path, err))
            return err->code;
    snprintf(out, 17, "%016llx", (unsigned long long)h);
    return PS_OK;
}

/* The two scenarios: max_throughput (--batch max) and min_latency (--batch 1) or batch_N. */
static void set_scenarios(sweep_ctx *c)
{
    const char *batch = c->args->batch_text;
    c->scenario_name[0] = "max_throughput";
    c->scenario_batch[0] = "max";
    if (batch)
        snprintf(c->batch_name, sizeof c->batch_name, "batch_%s", batch);
    c->scenario_name[1] = batch ? c->batch_name : "min_latency";
    c->scenario_batch[1] = batch ? batch : "1";
}

/* The model (no platform: the parent never loads one), the platforms and the case list. */
static int prepare(sweep_ctx *c, char *platform_list, ps_error *err)
{
    set_scenarios(c);
    const ps_workload_hooks hooks = {.model_file = ps_model_load_hf_config, .platform = NULL};
    if (ps_workload_build(&c->args->workload, &hooks, &c->base, err))
        return err->code;
    if (resolve_platforms(c, platform_list, err))
        return err->code;
    return build_cases(c, err);
}

/* The cases of this shard (all without --shard), their predictions and their rows. */
typedef struct sweep_results {
    size_t *mine;
    ps_prediction *preds;
    ps_sweep_row *rows;
    size_t n;
} sweep_results;

static int run_cases(sweep_ctx *c, sweep_results *r, ps_error *err)
{
    r->mine = calloc(c->ncases, sizeof *r->mine);
    r->preds = calloc(c->ncases, sizeof *r->preds);
    r->rows = calloc(c->ncases, sizeof *r->rows);
    if (!r->mine || !r->preds || !r->rows)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    for (size_t i = 0; i < c->ncases; i++)
        if (ps_shard_holds(&c->args->shard, i))
            r->mine[r->n++] = i;
    ps_sweep_runner runner = {run_case, describe_case, isatty(STDERR_FILENO) ? progress : NULL, c, c->args->jobs,
                              sizeof(ps_prediction)};
    return r->n ? ps_sweep_run(&runner, r->mine, r->n, r->preds, err) : PS_OK;
}

static int report(sweep_ctx *c, sweep_results *r, ps_error *err)
{
    char digest[17];
    if (fill_rows(c, r->mine, r->preds, r->n, r->rows, err) || digest_of(c, digest, err))
        return err->code;
    if (!c->args->shard.count)
        ps_report_mark(r->rows, r->n);
    ps_report_info info = {c->args->canonical.data, digest};
    output o = {&info, r->rows, r->n, &c->args->shard, c->ncases};
    return write_outputs(c->args, &o, err);
}

static int run_sweep(sweep_args *a, ps_error *err)
{
    static sweep_ctx c; /* 64 platforms: not on the stack */
    memset(&c, 0, sizeof c);
    c.args = a;
    sweep_results r = {0};
    char *list = strdup(a->platforms);
    int rc = list ? prepare(&c, list, err) : ps_error_set(err, PS_EINTERNAL, "out of memory");
    if (!rc)
        rc = run_cases(&c, &r, err);
    if (!rc)
        rc = report(&c, &r, err);
    for (int p = 0; p < c.nplatforms; p++)
        free(c.platforms[p].layouts);
    free(c.cases);
    free(list);
    free(r.mine);
    free(r.preds);
    free(r.rows);
    return rc;
}

static int run_merge(sweep_args *a, ps_error *err)
{
    ps_shard_file *files = calloc((size_t)a->nfiles, sizeof *files);
    if (!files)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    int rc = PS_OK, nread = 0;
    for (; nread < a->nfiles && !rc; nread++)
        rc = ps_shard_read(a->files[nread], &files[nread], err);
    ps_sweep_row *rows = NULL;
    size_t count = 0;
    if (!rc)
        rc = ps_shard_merge(files, (size_t)a->nfiles, (const char *const *)a->files, &rows, &count, err);
    if (!rc) {
        ps_report_mark(rows, count);
        ps_report_info info = {files[0].args, files[0].digest};
        output o = {&info, rows, count, NULL, count};
        rc = write_outputs(a, &o, err);
    }
    for (int i = 0; i < nread; i++)
        ps_shard_file_free(&files[i]);
    free(files);
    free(rows);
    return rc;
}

int cmd_sweep(int argc, char **argv, ps_error *err)
{
    static sweep_args a; /* the serving help texts: not on the stack */
    memset(&a, 0, sizeof a);
    a.files = calloc((size_t)argc, sizeof *a.files);
    int rc = a.files ? parse_args(argc, argv, &a, err) : ps_error_set(err, PS_EINTERNAL, "out of memory");
    if (rc == PS_OPTIONS_HELP)
        rc = PS_OK;
    else if (!rc)
        rc = a.merge ? run_merge(&a, err) : run_sweep(&a, err);
    ps_strbuf_free(&a.canonical);
    free(a.files);
    return rc;
}
