/* parsim platform: write SimGrid platform files (presets or a general description), list the
 * presets, and describe a platform file (GPUs, fabric, pair bandwidth/latency matrix summary).
 * Thin layer over sim/platform/ (parsim/platform.h): parsing flags, printing, exit codes.
 */
#include <getopt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "parsim/gpu.h"
#include "parsim/platform.h"
#include "parsim/util.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: parsim platform --preset NAME [-o FILE]\n"
            "       parsim platform --gpu MODEL --gpus-per-node N [--nodes K] --fabric nvswitch|mesh|pcie\n"
            "                       [--network KIND] [--nic-gbps G] [--nic-latency-us U] [-o FILE]\n"
            "       parsim platform --describe FILE [--json]\n"
            "       parsim platform --list | --list-networks\n\n"
            "Writes a SimGrid platform (XML) whose flows take exactly latency + bytes / bandwidth\n"
            "(host/model ptask_L07, TCP-gamma 0), with GPU and fabric properties; to stdout\n"
            "unless -o FILE. --describe loads a platform file and summarises its GPUs, fabric and\n"
            "pair bandwidth/latency matrix (GB/s = 1e9 B/s per direction).\n\n"
            "options:\n"
            "  --preset NAME        one of the shipped platforms (see --list)\n"
            "  --gpu MODEL          GPU catalogue name:");
    for (int i = 0; i < ps_gpu_catalog_count(); i++)
        fprintf(out, " %s", ps_gpu_catalog_at(i)->name);
    fprintf(out, "\n"
                 "  --gpus-per-node N    GPUs in one scale-up domain (node)\n"
                 "  --nodes K            nodes (default 1); more than one adds per-GPU NICs and a\n"
                 "                       rail-optimised fat tree\n"
                 "  --fabric F           nvswitch (non-blocking switch), mesh (one link per pair),\n"
                 "                       pcie (PCIe switches and CPU sockets, no NVLink)\n"
                 "  --network KIND       scale-out network (needs --nodes > 1), one of:");
    for (int i = 0; i < ps_network_kind_count(); i++)
        fprintf(out, " %s", ps_network_kind_at(i)->name);
    fprintf(out, "\n"
                 "                       (figures and sources: --list-networks, docs/platforms.md)\n"
                 "  --nic-gbps G         NIC line rate in Gb/s per GPU (default: the network's, 400)\n"
                 "  --nic-latency-us U   one side of a NIC link, GPU to rail leaf (default: the\n"
                 "                       network's, 1.5)\n"
                 "  -o, --output FILE    write to FILE (atomically) instead of stdout\n"
                 "  --describe FILE      summarise a platform file\n"
                 "  --json               with --describe: JSON instead of text\n"
                 "  --list               list the presets\n"
                 "  --list-networks      list the network kinds and their figures\n"
                 "  -h, --help           this help\n");
}

static int fail(const ps_error *err)
{
    fprintf(stderr, "parsim platform: %s\n", err->message);
    return err->code ? err->code : 1;
}

static int list_presets(void)
{
    for (int i = 0; i < ps_platform_preset_count(); i++) {
        const ps_platform_spec *s = ps_platform_preset_at(i);
        printf("%-16s %4d GPUs  %-8s  %s\n", s->name, s->node_count * s->gpus_per_node,
               ps_fabric_name(s->fabric), s->summary);
    }
    return 0;
}

static int list_networks(void)
{
    printf("%-9s %6s %8s %8s %8s %8s %5s %4s  %-16s %s\n", "network", "Gb/s", "nic_us", "switch_us",
           "plugin", "proxy_us", "eff", "ch", "protocols", "summary");
    for (int i = 0; i < ps_network_kind_count(); i++) {
        const ps_network_kind *k = ps_network_kind_at(i);
        char protos[32];
        ps_network_protocols_format(k->protocols, protos, sizeof protos);
        printf("%-9s %6.6g %8.6g %9.6g %8.6g %8.6g %5.3g %4d  %-16s %s\n", k->name, k->nic_gbps,
               k->nic_latency_us, k->switch_latency_us, k->plugin_latency_us, k->proxy_step_us,
               k->bandwidth_efficiency, k->channels_per_nic, protos, k->summary);
    }
    return 0;
}

/* ---- --describe ----------------------------------------------------------------------------- */

static cJSON *network_json(const ps_platform_fabric_info *f)
{
    const ps_platform_network *n = &f->network;
    if (f->node_count < 2)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    char protos[32];
    if (!o)
        return NULL;
    ps_network_protocols_format(n->protocols, protos, sizeof protos);
    cJSON_AddStringToObject(o, "kind", n->kind);
    cJSON_AddBoolToObject(o, "named", n->named);
    cJSON_AddNumberToObject(o, "nic_latency_us", n->nic_latency_us);
    cJSON_AddNumberToObject(o, "switch_latency_us", n->switch_latency_us);
    cJSON_AddNumberToObject(o, "plugin_latency_us", n->plugin_latency_us);
    cJSON_AddNumberToObject(o, "proxy_step_us", n->proxy_step_us);
    cJSON_AddNumberToObject(o, "bandwidth_efficiency", n->bandwidth_efficiency);
    cJSON_AddNumberToObject(o, "channels_per_nic", n->channels_per_nic);
    cJSON_AddStringToObject(o, "protocols", protos);
    return o;
}

static cJSON *range_json(const ps_platform_range *r, bool present, double scale)
{
    if (!present)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    if (o) {
        cJSON_AddNumberToObject(o, "min", r->min * scale);
        cJSON_AddNumberToObject(o, "max", r->max * scale);
    }
    return o;
}

static int describe_json(const ps_platform *p, const ps_platform_summary *s)
{
    const ps_platform_fabric_info *f = ps_platform_fabric(p);
    const ps_platform_gpu *g0 = ps_platform_gpu_at(p, 0);
    const char *warning = ps_platform_warning(p);
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return 1;
    cJSON_AddStringToObject(o, "file", ps_platform_path(p));
    cJSON_AddNumberToObject(o, "gpus", s->gpu_count);
    cJSON_AddStringToObject(o, "gpu_model", s->gpu_model);
    cJSON_AddNumberToObject(o, "nodes", f->node_count);
    cJSON_AddNumberToObject(o, "gpus_per_node", f->gpus_per_node);
    cJSON_AddStringToObject(o, "fabric", ps_fabric_name(f->kind));
    cJSON_AddBoolToObject(o, "nvls", f->nvls_capable);
    cJSON_AddNumberToObject(o, "nvlink_generation", f->nvlink_generation);
    cJSON_AddNumberToObject(o, "nvlink_links_per_gpu", f->nvlink_links_per_gpu);
    cJSON_AddNumberToObject(o, "gpu_link_bandwidth_gbps", f->gpu_link_bytes_per_s / 1e9);
    if (f->node_count > 1)
        cJSON_AddNumberToObject(o, "nic_bandwidth_gbps", f->nic_bytes_per_s / 1e9);
    else
        cJSON_AddNullToObject(o, "nic_bandwidth_gbps");
    cJSON_AddItemToObject(o, "network", network_json(f));
    cJSON_AddNumberToObject(o, "hbm_bytes", g0->hbm_bytes);
    cJSON_AddNumberToObject(o, "hbm_bandwidth_gbps", g0->hbm_bandwidth_bytes_per_s / 1e9);
    cJSON_AddNumberToObject(o, "peak_tflops_bf16", g0->peak_flops_bf16 / 1e12);
    cJSON_AddNumberToObject(o, "peak_tflops_fp8", g0->peak_flops_fp8 / 1e12);
    cJSON_AddNumberToObject(o, "sm_count", g0->sm_count);
    cJSON_AddItemToObject(o, "pair_bandwidth_gbps", range_json(&s->pair_bandwidth_bytes_per_s, s->has_pairs, 1e-9));
    cJSON_AddItemToObject(o, "intra_node_pair_bandwidth_gbps",
                          range_json(&s->intra_bandwidth_bytes_per_s, s->has_intra, 1e-9));
    cJSON_AddItemToObject(o, "inter_node_pair_bandwidth_gbps",
                          range_json(&s->inter_bandwidth_bytes_per_s, s->has_inter, 1e-9));
    cJSON_AddItemToObject(o, "pair_latency_us", range_json(&s->pair_latency_s, s->has_pairs, 1e6));
    cJSON_AddItemToObject(o, "intra_node_pair_latency_us", range_json(&s->intra_latency_s, s->has_intra, 1e6));
    cJSON_AddItemToObject(o, "inter_node_pair_latency_us", range_json(&s->inter_latency_s, s->has_inter, 1e6));
    if (warning)
        cJSON_AddStringToObject(o, "warning", warning);
    else
        cJSON_AddNullToObject(o, "warning");
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text)
        return 1;
    printf("%s\n", text);
    free(text);
    return 0;
}

static void print_range(const char *label, const ps_platform_range *r, bool present, double scale,
                        const char *unit)
{
    if (!present)
        printf("%-28s -\n", label);
    else if (r->min == r->max)
        printf("%-28s %.6g %s\n", label, r->min * scale, unit);
    else
        printf("%-28s %.6g .. %.6g %s\n", label, r->min * scale, r->max * scale, unit);
}

static void describe_text(const ps_platform *p, const ps_platform_summary *s)
{
    const ps_platform_fabric_info *f = ps_platform_fabric(p);
    const ps_platform_gpu *g0 = ps_platform_gpu_at(p, 0);
    printf("%-28s %s\n", "platform", ps_platform_path(p));
    printf("%-28s %d x %s (%d node%s x %d)\n", "gpus", s->gpu_count, s->gpu_model, f->node_count,
           f->node_count == 1 ? "" : "s", f->gpus_per_node);
    printf("%-28s %.6g GB HBM, %.6g GB/s, %.6g / %.6g TFLOP/s bf16 / fp8, %d SMs\n", "gpu 0",
           g0->hbm_bytes / 1e9, g0->hbm_bandwidth_bytes_per_s / 1e9, g0->peak_flops_bf16 / 1e12,
           g0->peak_flops_fp8 / 1e12, g0->sm_count);
    if (f->nvlink_generation > 0)
        printf("%-28s %s, NVLink%d, %d links per GPU, %.6g GB/s per GPU per direction, NVLS %s\n",
               "fabric", ps_fabric_name(f->kind), f->nvlink_generation, f->nvlink_links_per_gpu,
               f->gpu_link_bytes_per_s / 1e9, f->nvls_capable ? "yes" : "no");
    else
        printf("%-28s %s, no NVLink, %.6g GB/s per GPU per direction\n", "fabric",
               ps_fabric_name(f->kind), f->gpu_link_bytes_per_s / 1e9);
    if (f->node_count > 1)
        printf("%-28s %.6g GB/s (%.6g Gb/s) per GPU per direction\n", "nic", f->nic_bytes_per_s / 1e9,
               f->nic_bytes_per_s * 8 / 1e9);
    else
        printf("%-28s -\n", "nic");
    if (f->node_count > 1) {
        const ps_platform_network *n = &f->network;
        char protos[32];
        ps_network_protocols_format(n->protocols, protos, sizeof protos);
        printf("%-28s %s%s: NIC %.6g us + switch %.6g us per side, plugin latency %.6g us, proxy "
               "%.6g us per step,\n%-28s %.6g of line rate, %d channels per NIC, protocols %s\n",
               "network", n->kind, n->named ? "" : " (none named)", n->nic_latency_us,
               n->switch_latency_us, n->plugin_latency_us, n->proxy_step_us, "",
               n->bandwidth_efficiency, n->channels_per_nic, protos);
    }
    print_range("pair bandwidth", &s->pair_bandwidth_bytes_per_s, s->has_pairs, 1e-9, "GB/s");
    print_range("  intra-node", &s->intra_bandwidth_bytes_per_s, s->has_intra, 1e-9, "GB/s");
    print_range("  inter-node", &s->inter_bandwidth_bytes_per_s, s->has_inter, 1e-9, "GB/s");
    print_range("pair latency", &s->pair_latency_s, s->has_pairs, 1e6, "us");
    print_range("  intra-node", &s->intra_latency_s, s->has_intra, 1e6, "us");
    print_range("  inter-node", &s->inter_latency_s, s->has_inter, 1e6, "us");
}

static int describe(const char *path, bool json)
{
    ps_error err = {0};
    ps_platform *p = NULL;
    ps_platform_summary s;
    if (ps_platform_load(path, &p, &err))
        return fail(&err);
    if (ps_platform_warning(p))
        fprintf(stderr, "parsim platform: warning: %s\n", ps_platform_warning(p));
    int rc = ps_platform_summarize(p, &s, &err);
    if (rc) {
        ps_platform_free(p);
        return fail(&err);
    }
    rc = json ? describe_json(p, &s) : (describe_text(p, &s), 0);
    ps_platform_free(p);
    return rc;
}

/* ---- generation ----------------------------------------------------------------------------- */

static int generate(const ps_platform_spec *spec, const char *output)
{
    ps_error err = {0};
    int rc = output ? ps_platform_generate_file(spec, output, &err)
                    : ps_platform_generate(spec, stdout, &err);
    if (!rc && !output && fflush(stdout) != 0)
        rc = ps_error_set(&err, PS_EINPUT, "writing to stdout failed: %s", strerror(errno));
    return rc ? fail(&err) : 0;
}

enum { OPT_PRESET = 256, OPT_GPU, OPT_GPN, OPT_NODES, OPT_FABRIC, OPT_NIC, OPT_DESCRIBE, OPT_JSON, OPT_LIST,
       OPT_NETWORK, OPT_NIC_LATENCY, OPT_LIST_NETWORKS };

typedef struct options {
    const char *preset, *gpu, *fabric, *output, *describe;
    const char *gpn, *nodes, *nic, *network, *nic_latency;
    bool json, list, list_networks;
} options;

static int parse_options(int argc, char **argv, options *o)
{
    static const struct option longopts[] = {
        {"preset", required_argument, NULL, OPT_PRESET},
        {"gpu", required_argument, NULL, OPT_GPU},
        {"gpus-per-node", required_argument, NULL, OPT_GPN},
        {"nodes", required_argument, NULL, OPT_NODES},
        {"fabric", required_argument, NULL, OPT_FABRIC},
        {"nic-gbps", required_argument, NULL, OPT_NIC},
        {"describe", required_argument, NULL, OPT_DESCRIBE},
        {"json", no_argument, NULL, OPT_JSON},
        {"list", no_argument, NULL, OPT_LIST},
        {"network", required_argument, NULL, OPT_NETWORK},
        {"nic-latency-us", required_argument, NULL, OPT_NIC_LATENCY},
        {"list-networks", no_argument, NULL, OPT_LIST_NETWORKS},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    optind = 1;
    unsigned char seen[512] = {0};
    char twice[64];
    while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        if (c != '?' && c != ':' && ps_cli_repeated(longopts, seen, c, twice, sizeof twice)) {
            fprintf(stderr, "parsim platform: %s given twice (give each option once)\n", twice);
            return 2;
        }
        switch (c) {
        case OPT_PRESET: o->preset = optarg; break;
        case OPT_GPU: o->gpu = optarg; break;
        case OPT_GPN: o->gpn = optarg; break;
        case OPT_NODES: o->nodes = optarg; break;
        case OPT_FABRIC: o->fabric = optarg; break;
        case OPT_NIC: o->nic = optarg; break;
        case OPT_DESCRIBE: o->describe = optarg; break;
        case OPT_JSON: o->json = true; break;
        case OPT_LIST: o->list = true; break;
        case OPT_NETWORK: o->network = optarg; break;
        case OPT_NIC_LATENCY: o->nic_latency = optarg; break;
        case OPT_LIST_NETWORKS: o->list_networks = true; break;
        case 'o': o->output = optarg; break;
        case 'h': usage(stdout); return -1;
        case ':':
            fprintf(stderr, "parsim platform: %s needs a value (see --help)\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "parsim platform: unknown option '%s' (see --help)\n", argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "parsim platform: unexpected argument '%s' (see --help)\n", argv[optind]);
        return 2;
    }
    return 0;
}

/* Builds the spec of the general form from the flags. */
static int custom_spec(const options *o, ps_platform_spec *spec, ps_error *err)
{
    double nic_gbps = 400; /* ConnectX-7 NDR, the DGX H100 compute NIC (hardware.md 3.4) */
    double nic_latency_us = 0;
    int rc;
    if (!o->gpu || !o->gpn || !o->fabric)
        return ps_error_set(err, PS_EINPUT, "give --preset NAME, or --gpu, --gpus-per-node and "
                            "--fabric (see --help)");
    memset(spec, 0, sizeof *spec);
    spec->gpu_model = o->gpu;
    spec->node_count = 1;
    if ((rc = ps_parse_int(o->gpn, "--gpus-per-node", 1, PS_PLATFORM_MAX_GPUS, &spec->gpus_per_node, err)) ||
        (o->nodes && (rc = ps_parse_int(o->nodes, "--nodes", 1, PS_PLATFORM_MAX_GPUS, &spec->node_count, err))) ||
        (o->nic && (rc = ps_parse_double(o->nic, "--nic-gbps", &nic_gbps, err))) ||
        (o->nic_latency && (rc = ps_parse_double(o->nic_latency, "--nic-latency-us", &nic_latency_us, err))))
        return rc;
    const ps_network_kind *kind = o->network ? ps_network_kind_find(o->network) : NULL;
    if (o->network && !kind)
        return ps_error_set(err, PS_EINPUT, "--network: unknown network kind '%s' (see --list-networks)",
                            o->network);
    if ((o->network || o->nic_latency) && spec->node_count < 2)
        return ps_error_set(err, PS_EINPUT, "%s: a network joins nodes, give --nodes 2 or more",
                            o->network ? "--network" : "--nic-latency-us");
    /* Upper bound 1e6 us (1 s): a typo guard; 0 would be a wire without latency. */
    if (o->nic_latency && (!(nic_latency_us > 0) || nic_latency_us > 1e6))
        return ps_error_set(err, PS_EINPUT, "--nic-latency-us: must be > 0 and at most 1e6, got '%s'",
                            o->nic_latency);
    if (kind && !o->nic)
        nic_gbps = kind->nic_gbps;
    spec->network = o->network;
    spec->nic_latency_us = nic_latency_us;
    /* Upper bound 1e6 Gb/s, 1000 x today's fastest NIC (800G): a typo guard that also keeps
     * every derived bandwidth finite (1e300 wrote "inf" into a file the loader then refused). */
    if (!(nic_gbps > 0) || nic_gbps > 1e6)
        return ps_error_set(err, PS_EINPUT, "--nic-gbps: must be > 0 and at most 1e6, got '%s'", o->nic);
    if (ps_fabric_parse(o->fabric, &spec->fabric))
        return ps_error_set(err, PS_EINPUT, "--fabric: expected nvswitch, mesh or pcie, got '%s'", o->fabric);
    spec->nic_bytes_per_s = nic_gbps * 1e9 / 8;
    if (!ps_gpu_find(o->gpu))
        return ps_error_set(err, PS_EINPUT, "--gpu: unknown GPU model '%s' (see --help)", o->gpu);
    return ps_platform_spec_check(spec, err);
}

int cmd_platform(int argc, char **argv)
{
    options o = {0};
    int rc = parse_options(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    ps_error err = {0};
    bool general = o.gpu || o.gpn || o.nodes || o.fabric || o.nic || o.network || o.nic_latency;
    int modes = (o.preset != NULL) + general + (o.describe != NULL) + o.list + o.list_networks;
    if (modes != 1) {
        fprintf(stderr, "parsim platform: give exactly one of --preset, the general form (--gpu ...), "
                        "--describe, --list or --list-networks (see --help)\n");
        return 2;
    }
    if (o.json && !o.describe) {
        fprintf(stderr, "parsim platform: --json goes with --describe\n");
        return 2;
    }
    if (o.output && (o.describe || o.list || o.list_networks)) {
        fprintf(stderr, "parsim platform: -o goes with --preset or the general form\n");
        return 2;
    }
    if (o.list)
        return list_presets();
    if (o.list_networks)
        return list_networks();
    if (o.describe)
        return describe(o.describe, o.json);
    if (o.preset) {
        const ps_platform_spec *spec = ps_platform_preset_find(o.preset);
        if (!spec) {
            ps_error_set(&err, PS_EINPUT, "--preset: unknown platform '%s' (see --list)", o.preset);
            return fail(&err);
        }
        return generate(spec, o.output);
    }
    ps_platform_spec spec;
    if ((rc = custom_spec(&o, &spec, &err)))
        return fail(&err);
    return generate(&spec, o.output);
}
