/* parsim platform: write SimGrid platform files (presets or a general description), list the
 * presets, and describe a platform file (GPUs, fabric, pair bandwidth/latency matrix summary).
 * Thin layer over sim/platform/ (parsim/platform.h): parse_args (the option table, from which
 * --help comes; every value list is generated from the GPU catalogue, the fabric and network
 * tables) -> pick_mode -> list_presets / list_networks / describe / generate.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "parsim/options.h"
#include "parsim/gpu.h"
#include "parsim/platform.h"
#include "parsim/util.h"

typedef struct platform_args {
    const char *preset, *gpu, *fabric, *output, *describe, *network, *gpu_nic_path;
    const char *nccl_version; /* --nccl-version, NULL when not given */
    int gpus_per_node;                /* 0 = not given */
    int nodes;                        /* 0 = not given (1) */
    double nic_gbps, nic_latency_us;
    const char *nic_gbps_text, *nic_latency_text; /* as given, NULL when not */
    int json, list, list_networks, sharp;
} platform_args;

/* --nic-gbps / --nic-latency-us: a number in (0, 1e6], kept with its text for the messages.
 * 1e6 Gb/s is 1000 x today's fastest NIC (800G), 1e6 us is 1 s: typo guards that also keep
 * every derived bandwidth finite (1e300 wrote "inf" into a file the loader then refused); 0
 * would be an infinite NIC or a wire without latency. The rules that need the other flags (a
 * network needs --nodes 2 or more) are custom_spec's. */
static int parse_positive(const ps_option *opt, const char *value, ps_error *err)
{
    platform_args *a = opt->data;
    bool gbps = !strcmp(opt->long_name, "nic-gbps");
    double v;
    if (ps_parse_double(value, gbps ? "--nic-gbps" : "--nic-latency-us", &v, err))
        return err->code;
    *(gbps ? &a->nic_gbps : &a->nic_latency_us) = v;
    *(gbps ? &a->nic_gbps_text : &a->nic_latency_text) = value;
    return PS_OK;
}

/* The floor: 1e-3 us is SimGrid's 1 ns precision (a shorter latency is a SimGrid WARNING and
 * rounds to 0), and 1e-3 Gb/s a 1 Mb/s NIC; --nic-gbps 1e-300 wrote a platform whose transfers
 * took 1e300 s and more. */
static int check_positive(const char *flag, double v, const char *text, ps_error *err)
{
    if (!(v >= 1e-3) || v > 1e6)
        return ps_error_set(err, PS_EINPUT, "%s: must be in [0.001, 1e6], got '%s'", flag, text ? text : "the default");
    return PS_OK;
}

static const char *const platform_usage[] = {
    "parsim platform --preset NAME [-o FILE]",
    "parsim platform --gpu MODEL --gpus-per-node N [--nodes K] --fabric F",
    "                [--network KIND [--sharp]] [--nic-gbps G] [--nic-latency-us U] [--gpu-nic-path P]",
    "                [--nccl-version V] [-o FILE]",
    "parsim platform --preset NAME --nccl-version V [-o FILE]",
    "parsim platform --describe FILE [--json]",
    "parsim platform --list | --list-networks [--network KIND]",
    NULL,
};
static const ps_command_help platform_help = {
    .command = "parsim platform",
    .usage = platform_usage,
    .description = "Writes a SimGrid platform (XML) whose flows take exactly latency + bytes / bandwidth\n"
                   "(host/model ptask_L07, TCP-gamma 0), with GPU and fabric properties; to stdout\n"
                   "unless -o FILE. --describe loads a platform file and summarises its GPUs, fabric and\n"
                   "pair bandwidth/latency matrix (GB/s = 1e9 B/s per direction).",
};

static const char *gpu_name_at(int i) { return ps_gpu_catalog_at(i)->name; }
static const char *network_name_at(int i) { return ps_network_kind_at(i)->name; }
static const char *fabric_name_at(int i) { return ps_fabric_name((ps_fabric)i); }

/* One line per fabric: "nvswitch (non-blocking switch)". */
static void fabric_lines(char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < PS_FABRIC_COUNT && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "\n%s (%s)", ps_fabric_name((ps_fabric)i),
                                 ps_fabric_summary((ps_fabric)i));
}

/* Returns PS_OK to go on, PS_OPTIONS_HELP after --help, else the error code. */
static int parse_args(int argc, char **argv, platform_args *a, ps_error *err)
{
    *a = (platform_args){.nic_gbps = 400}; /* ConnectX-7 NDR, the DGX H100 compute NIC (hardware.md 3.4) */
    char gpus[512], networks[256], fabrics[512];
    ps_options_join(gpus, sizeof gpus, gpu_name_at, ps_gpu_catalog_count(), NULL);
    ps_options_join(networks, sizeof networks, network_name_at, ps_network_kind_count(), NULL);
    fabric_lines(fabrics, sizeof fabrics);
    char gpu_help[640], network_help[512], fabric_help[640];
    snprintf(gpu_help, sizeof gpu_help, "GPU catalogue name:\n%s", gpus);
    snprintf(network_help, sizeof network_help,
             "scale-out network (needs --nodes > 1):\n%s\n(figures and sources: --list-networks, docs/platforms.md)",
             networks);
    snprintf(fabric_help, sizeof fabric_help, "scale-up fabric:%s", fabrics);
    const ps_option opts[] = {
        PS_OPT_GROUP("a shipped platform"),
        PS_OPT_STRING(0, "preset", &a->preset, "NAME", "one of the shipped platforms (see --list)"),
        PS_OPT_GROUP("the general form"),
        PS_OPT_STRING(0, "gpu", &a->gpu, "MODEL", gpu_help),
        PS_OPT_INT(0, "gpus-per-node", &a->gpus_per_node, "N", 1, PS_PLATFORM_MAX_GPUS,
                   "GPUs in one scale-up domain (node)"),
        PS_OPT_INT(0, "nodes", &a->nodes, "K", 1, PS_PLATFORM_MAX_GPUS,
                   "nodes (default 1); more than one adds per-GPU NICs and a\nrail-optimised fat tree"),
        PS_OPT_STRING(0, "fabric", &a->fabric, "F", fabric_help),
        PS_OPT_STRING(0, "network", &a->network, "KIND", network_help),
        PS_OPT_CALLBACK(0, "nic-gbps", "G", "NIC line rate in Gb/s per GPU (default: the network's, 400)",
                        parse_positive, a, 0),
        PS_OPT_CALLBACK(0, "nic-latency-us", "U",
                        "one side of a NIC link, GPU to rail leaf (default: the\nnetwork's, 1.5)", parse_positive,
                        a, 0),
        PS_OPT_FLAG(0, "sharp", &a->sharp, "with --network ib-ndr: the switches reduce in the network\n"
                    "(SHARP) and NCCL runs CollNet (collnet_direct, collnet_chain)"),
        PS_OPT_STRING(0, "gpu-nic-path", &a->gpu_nic_path, "P",
                      "with --network: the GPU-NIC PCIe path, pix|pxb|pxn|phb|sys\n(NCCL's "
                      "\"type NVL/PIX\"; default: the network's). phb and sys\nturn NCCL's "
                      "default LL128 off across nodes"),
        PS_OPT_STRING(0, "nccl-version", &a->nccl_version, "V",
                      "the NCCL release the collectives are modelled for\n(2.MINOR[.PATCH], 2.17.1 "
                      "or later), written as the\nzone property nccl_version (default: none, "
                      "i.e. 2.29.2)"),
        PS_OPT_STRING('o', "output", &a->output, "FILE", "write to FILE (atomically) instead of stdout"),
        PS_OPT_GROUP("reading"),
        PS_OPT_STRING(0, "describe", &a->describe, "FILE", "summarise a platform file (or preset)"),
        PS_OPT_FLAG(0, "json", &a->json, "with --describe: JSON instead of text"),
        PS_OPT_FLAG(0, "list", &a->list, "list the presets"),
        PS_OPT_FLAG(0, "list-networks", &a->list_networks, "list the network kinds and their figures\n(with --network KIND: that kind's figures and their sources)"),
        PS_OPT_END(),
    };
    return ps_options_parse(&platform_help, opts, argc, argv, NULL, NULL, err);
}

static int list_presets(void)
{
    for (int i = 0; i < ps_platform_preset_count(); i++) {
        const ps_platform_spec *s = ps_platform_preset_at(i);
        printf("%-16s %4d GPUs  %-8s  %s\n", s->name, s->node_count * s->gpus_per_node,
               ps_fabric_name(s->fabric), s->summary);
    }
    return PS_OK;
}

/* --list-networks --network KIND: one kind's figures, each with where it comes from. */
static int list_network_sources(const char *name, ps_error *err)
{
    const ps_network_kind *k = ps_network_kind_find(name);
    if (!k)
        return ps_error_set(err, PS_EINPUT, "--network: unknown network kind '%s' (see --list-networks)", name);
    char protos[32], algos[32];
    ps_network_protocols_format(k->protocols, protos, sizeof protos);
    ps_network_algorithms_format(k->algorithms, algos, sizeof algos);
    printf("network %s: %s\n", k->name, k->summary);
    printf("  nic %.6g Gb/s per GPU, NIC %.6g us + switch %.6g us per side, plugin latency %.6g us, "
           "proxy %.6g us per step,\n  efficiency %.6g, %d channels per NIC, channels min %d max %d "
           "(0 = NCCL's), PXN %s,\n  protocols %s, algorithms %s, GPU-NIC path %s\n",
           k->nic_gbps, k->nic_latency_us, k->switch_latency_us, k->plugin_latency_us,
           k->proxy_step_us, k->bandwidth_efficiency, k->channels_per_nic, k->min_channels,
           k->max_channels, k->pxn ? "on" : "off", protos, algos, ps_gpu_nic_path_name(k->gpu_nic_path));
    printf("sources (sim/platform/network.c and docs/platforms.md cite them in full):\n");
    for (const char *line = k->sources; line && *line;) {
        size_t len = strcspn(line, "\n");
        printf("  - %.*s\n", (int)len, line);
        line += len + (line[len] == '\n');
    }
    return PS_OK;
}

static int list_networks(void)
{
    printf("%-9s %6s %8s %8s %8s %8s %5s %4s %7s %3s %4s  %-16s %-18s %s\n", "network", "Gb/s",
           "nic_us", "switch_us", "plugin", "proxy_us", "eff", "ch", "min/max", "pxn", "path",
           "protocols", "algorithms", "summary");
    for (int i = 0; i < ps_network_kind_count(); i++) {
        const ps_network_kind *k = ps_network_kind_at(i);
        char protos[32], algos[32];
        ps_network_protocols_format(k->protocols, protos, sizeof protos);
        ps_network_algorithms_format(k->algorithms, algos, sizeof algos);
        char minmax[16];
        snprintf(minmax, sizeof minmax, "%d/%d", k->min_channels, k->max_channels);
        printf("%-9s %6.6g %8.6g %9.6g %8.6g %8.6g %5.3g %4d %7s %3d %4s  %-16s %-18s %s\n",
               k->name, k->nic_gbps, k->nic_latency_us, k->switch_latency_us,
               k->plugin_latency_us, k->proxy_step_us, k->bandwidth_efficiency,
               k->channels_per_nic, minmax, k->pxn, ps_gpu_nic_path_name(k->gpu_nic_path), protos,
               algos, k->summary);
    }
    return 0;
}

/* ---- --describe ----------------------------------------------------------------------------- */

/* Why LL128 runs or not on a ring / tree across nodes (NCCL's default, tuning.cc; network.c,
 * and sim/coll/engine_network.c for the PCIe-only node). */
static const char *ll128_words(const ps_platform_fabric_info *f)
{
    const ps_platform_network *n = &f->network;
    if (!(n->protocols & PS_NET_PROTO_LL128))
        return "off (network_protocols, NCCL_PROTO)";
    if (n->protocols == PS_NET_PROTO_ALL && f->kind == PS_FABRIC_PCIE)
        return "off (a PCIe-only node: NCCL's default needs NVLink between the GPUs)";
    if (n->ll128_default_off)
        return "off (NCCL's default needs a path within PXB, PXN from sm90)";
    if (n->protocols != PS_NET_PROTO_ALL)
        return "on (network_protocols lists it: NCCL_PROTO)";
    return "on (NCCL's default)";
}

static cJSON *network_json(const ps_platform_fabric_info *f)
{
    const ps_platform_network *n = &f->network;
    if (f->node_count < 2)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    char protos[32], algos[32];
    if (!o)
        return NULL;
    ps_network_protocols_format(n->protocols, protos, sizeof protos);
    ps_network_algorithms_format(n->algorithms, algos, sizeof algos);
    cJSON_AddStringToObject(o, "kind", n->kind);
    cJSON_AddBoolToObject(o, "named", n->named);
    cJSON_AddNumberToObject(o, "nic_latency_us", n->nic_latency_us);
    cJSON_AddNumberToObject(o, "switch_latency_us", n->switch_latency_us);
    cJSON_AddNumberToObject(o, "plugin_latency_us", n->plugin_latency_us);
    cJSON_AddNumberToObject(o, "proxy_step_us", n->proxy_step_us);
    cJSON_AddNumberToObject(o, "bandwidth_efficiency", n->bandwidth_efficiency);
    cJSON_AddNumberToObject(o, "channels_per_nic", n->channels_per_nic);
    cJSON_AddStringToObject(o, "protocols", protos);
    cJSON_AddStringToObject(o, "algorithms", algos);
    cJSON_AddNumberToObject(o, "min_channels", n->min_channels);
    cJSON_AddNumberToObject(o, "max_channels", n->max_channels);
    cJSON_AddBoolToObject(o, "pxn", n->pxn != 0);
    cJSON_AddStringToObject(o, "gpu_nic_path", ps_gpu_nic_path_name(n->gpu_nic_path));
    cJSON_AddBoolToObject(o, "ll128_across_nodes", !strncmp(ll128_words(f), "on ", 3));
    if (n->sharp) /* only when on: the descriptions of the other networks are as before */
        cJSON_AddBoolToObject(o, "sharp", true);
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

static int describe_json(const ps_platform *p, const ps_platform_summary *s, ps_error *err)
{
    const ps_platform_fabric_info *f = ps_platform_fabric(p);
    const ps_platform_gpu *g0 = ps_platform_gpu_at(p, 0);
    const char *warning = ps_platform_warning(p);
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
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
    char nccl[16];
    ps_nccl_version_format(f->nccl_version, nccl, sizeof nccl);
    cJSON_AddStringToObject(o, "nccl_version", nccl);
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
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    printf("%s\n", text);
    free(text);
    return PS_OK;
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
    char nccl[16];
    ps_nccl_version_format(f->nccl_version, nccl, sizeof nccl);
    printf("%-28s %s (%s)\n", "nccl modelled", nccl,
           f->nccl_version_named ? "zone property nccl_version"
                                 : "default: the NCCL of the shipped sidecars");
    if (f->node_count > 1)
        printf("%-28s %.6g GB/s (%.6g Gb/s) per GPU per direction\n", "nic", f->nic_bytes_per_s / 1e9,
               f->nic_bytes_per_s * 8 / 1e9);
    else
        printf("%-28s -\n", "nic");
    if (f->node_count > 1) {
        const ps_platform_network *n = &f->network;
        char protos[32], algos[32];
        ps_network_protocols_format(n->protocols, protos, sizeof protos);
        ps_network_algorithms_format(n->algorithms, algos, sizeof algos);
        printf("%-28s %s%s: NIC %.6g us + switch %.6g us per side, plugin latency %.6g us, proxy "
               "%.6g us per step,\n%-28s %.6g of line rate, %d channels per NIC, protocols %s, "
               "algorithms %s,\n%-28s channels min %d max %d (0 = NCCL's), PXN %s,\n%-28s GPU-NIC "
               "path %s: LL128 across nodes %s\n",
               "network", n->kind, n->named ? "" : " (none named)", n->nic_latency_us,
               n->switch_latency_us, n->plugin_latency_us, n->proxy_step_us, "",
               n->bandwidth_efficiency, n->channels_per_nic, protos, algos, "", n->min_channels,
               n->max_channels, n->pxn ? "on" : "off", "", ps_gpu_nic_path_name(n->gpu_nic_path),
               ll128_words(f));
    if (n->sharp)
            printf("%-28s on: in-network reduction, CollNetDirect and CollNetChain "
                   "(NCCL_COLLNET_ENABLE=1)\n", "sharp");
    }
    print_range("pair bandwidth", &s->pair_bandwidth_bytes_per_s, s->has_pairs, 1e-9, "GB/s");
    print_range("  intra-node", &s->intra_bandwidth_bytes_per_s, s->has_intra, 1e-9, "GB/s");
    print_range("  inter-node", &s->inter_bandwidth_bytes_per_s, s->has_inter, 1e-9, "GB/s");
    print_range("pair latency", &s->pair_latency_s, s->has_pairs, 1e6, "us");
    print_range("  intra-node", &s->intra_latency_s, s->has_intra, 1e6, "us");
    print_range("  inter-node", &s->inter_latency_s, s->has_inter, 1e6, "us");
}

static int describe(const char *path, bool json, ps_error *err)
{
    ps_platform *p = NULL;
    ps_platform_summary s;
    int rc = ps_platform_load(path, &p, err);
    if (rc)
        return rc;
    if (ps_platform_warning(p))
        fprintf(stderr, "parsim platform: warning: %s\n", ps_platform_warning(p));
    rc = ps_platform_summarize(p, &s, err);
    if (!rc && json)
        rc = describe_json(p, &s, err);
    else if (!rc)
        describe_text(p, &s);
    ps_platform_free(p);
    return rc;
}

/* ---- generation ----------------------------------------------------------------------------- */

static int generate(const ps_platform_spec *spec, const char *output, ps_error *err)
{
    int rc = output ? ps_platform_generate_file(spec, output, err) : ps_platform_generate(spec, stdout, err);
    if (!rc && !output && fflush(stdout) != 0)
        rc = ps_error_set(err, PS_EINPUT, "writing to stdout failed: %s", strerror(errno));
    return rc;
}

static bool general_form(const platform_args *a)
{
    return a->gpu || a->gpus_per_node || a->nodes || a->fabric || a->nic_gbps_text || a->network ||
           a->nic_latency_text || a->gpu_nic_path || a->sharp;
}

/* Builds the spec of the general form from the flags. */
static int custom_spec(const platform_args *a, ps_platform_spec *spec, ps_error *err)
{
    if (!a->gpu || !a->gpus_per_node || !a->fabric)
        return ps_error_set(err, PS_EINPUT, "give --preset NAME, or --gpu, --gpus-per-node and "
                            "--fabric (see --help)");
    *spec = (ps_platform_spec){.gpu_model = a->gpu, .gpus_per_node = a->gpus_per_node,
                               .node_count = a->nodes ? a->nodes : 1};
    const ps_network_kind *kind = a->network ? ps_network_kind_find(a->network) : NULL;
    if (a->network && !kind)
        return ps_error_set(err, PS_EINPUT, "--network: unknown network kind '%s' (see --list-networks)", a->network);
    if ((a->network || a->nic_latency_text) && spec->node_count < 2)
        return ps_error_set(err, PS_EINPUT, "%s: a network joins nodes, give --nodes 2 or more",
                            a->network ? "--network" : "--nic-latency-us");
    ps_gpu_nic_path path;
    if (a->gpu_nic_path && !a->network)
        return ps_error_set(err, PS_EINPUT, "--gpu-nic-path: give --network KIND too (the path is "
                            "written with the network's figures)");
    if (a->gpu_nic_path && ps_gpu_nic_path_parse(a->gpu_nic_path, &path))
        return ps_error_set(err, PS_EINPUT, "--gpu-nic-path: expected pix, pxb, pxn, phb or sys, "
                            "got '%s'", a->gpu_nic_path);
    spec->gpu_nic_path = a->gpu_nic_path;
    int rc;
    if (a->nic_latency_text && (rc = check_positive("--nic-latency-us", a->nic_latency_us, a->nic_latency_text, err)))
        return rc;
    double nic_gbps = kind && !a->nic_gbps_text ? kind->nic_gbps : a->nic_gbps;
    /* SHARP is InfiniBand's (Quantum switches; NCCL reaches it through the SHARP collnet plugin):
     * no other kind has in-network reduction. A hand-written file may still set network_sharp. */
    if (a->sharp && (!kind || strcmp(kind->name, "ib-ndr")))
        return ps_error_set(err, PS_EINPUT, "--sharp: SHARP is InfiniBand's in-network reduction, "
                            "give --network ib-ndr");
    spec->network = a->network;
    spec->sharp = a->sharp;
    spec->nccl_version = a->nccl_version;
    spec->nic_latency_us = a->nic_latency_text ? a->nic_latency_us : 0;
    if ((rc = check_positive("--nic-gbps", nic_gbps, a->nic_gbps_text, err)))
        return rc;
    if (ps_fabric_parse(a->fabric, &spec->fabric)) {
        char names[128];
        ps_options_join(names, sizeof names, fabric_name_at, PS_FABRIC_COUNT, " or ");
        return ps_error_set(err, PS_EINPUT, "--fabric: expected %s, got '%s'", names, a->fabric);
    }
    spec->nic_bytes_per_s = nic_gbps * 1e9 / 8;
    if (!ps_gpu_find(a->gpu))
        return ps_error_set(err, PS_EINPUT, "--gpu: unknown GPU model '%s' (see --help)", a->gpu);
    return ps_platform_spec_check(spec, err);
}

/* Exactly one mode, and the flags that go with it. */
static int check_mode(const platform_args *a, ps_error *err)
{
    /* --list-networks --network KIND prints one kind's sourced figures: not the general form. */
    bool kind_sources = a->list_networks && a->network && !a->gpu && !a->gpus_per_node && !a->nodes &&
                        !a->fabric && !a->nic_gbps_text && !a->nic_latency_text && !a->sharp;
    int modes = (a->preset != NULL) + (!kind_sources && general_form(a)) + (a->describe != NULL) +
                a->list + a->list_networks;
    if (modes != 1)
        return ps_error_set(err, PS_EINPUT, "give exactly one of --preset, the general form (--gpu ...), "
                            "--describe, --list or --list-networks (see --help)");
    if (a->json && !a->describe)
        return ps_error_set(err, PS_EINPUT, "--json goes with --describe");
    if (a->output && (a->describe || a->list || a->list_networks))
        return ps_error_set(err, PS_EINPUT, "-o goes with --preset or the general form");
    if (a->nccl_version && (a->describe || a->list || a->list_networks))
        return ps_error_set(err, PS_EINPUT, "--nccl-version goes with --preset or the general form");
    int code;
    if (a->nccl_version && ps_nccl_version_parse(a->nccl_version, &code))
        return ps_error_set(err, PS_EINPUT, "--nccl-version: expected 2.MINOR[.PATCH], 2.17.1 or later "
                            "(NVLS's first release), got '%.64s'", a->nccl_version);
    return PS_OK;
}

static int run(const platform_args *a, ps_error *err)
{
    if (a->list)
        return list_presets();
    if (a->list_networks && a->network)
        return list_network_sources(a->network, err);
    if (a->list_networks)
        return list_networks();
    if (a->describe)
        return describe(a->describe, a->json, err);
    if (a->preset) {
        const ps_platform_spec *spec = ps_platform_preset_find(a->preset);
        if (!spec)
            return ps_error_set(err, PS_EINPUT, "--preset: unknown platform '%s' (see --list)", a->preset);
        ps_platform_spec with_version = *spec;
        with_version.nccl_version = a->nccl_version;
        return generate(&with_version, a->output, err);
    }
    ps_platform_spec spec;
    int rc = custom_spec(a, &spec, err);
    return rc ? rc : generate(&spec, a->output, err);
}

int cmd_platform(int argc, char **argv, ps_error *err)
{
    platform_args a;
    int rc = parse_args(argc, argv, &a, err);
    if (rc == PS_OPTIONS_HELP)
        return PS_OK;
    if (rc || (rc = check_mode(&a, err)))
        return rc;
    return run(&a, err);
}
