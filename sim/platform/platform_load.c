/* sim/platform/platform_load.c: validates and loads a platform file into SimGrid, and answers
 * questions about it (GPUs in rank order, fabric, pair routes).
 *
 * Why a child process: SimGrid 3.32 aborts the process on a malformed file, an unknown link in a
 * route or a missing route (an uncaught C++ exception). ps_platform_validate forks; the child
 * loads the file with the same configuration; its stderr carries SimGrid's reason, which the
 * parent turns into "FILE: reason". Only then does the parent load the file into its own engine.
 * A missing route does not abort SimGrid (it yields an empty route, bandwidth -1), so the parent
 * checks every GPU pair and GPU-switch route after loading.
 *
 * Invariants: SimGrid has one engine per process, and one platform per engine: the two flags
 * below mirror that process-wide SimGrid state (they are the only mutable statics). The exact
 * network configuration is always set before a load, so it wins over a file's <config> block
 * (SimGrid ignores XML config keys that the program already set).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/link.h>
#include <simgrid/zone.h>
#include <xbt/config.h>
#include <xbt/log.h>

#include "parsim/data.h"
#include "parsim/gpu.h"
#include "parsim/platform.h"
#include "parsim/util.h"

struct ps_platform {
    char *path;
    int gpu_count;
    ps_platform_gpu *gpus;   /* rank order */
    sg_host_t *switch_hosts; /* per node, NULL where the node has none */
    ps_platform_fabric_info fabric;
    char *warning;           /* NULL or one line */
};

static bool engine_ready;    /* simgrid_init ran in this process (mirrors SimGrid's engine) */
static bool platform_loaded; /* a platform is in this process's engine */

/* ---- Engine and configuration --------------------------------------------------------------- */

static void apply_exact_config(void)
{
    /* Order matters: models must be chosen before the platform loads (simgrid.md section 1). */
    sg_cfg_set_string("host/model", "ptask_L07");
    sg_cfg_set_double("network/TCP-gamma", 0.0);
    sg_cfg_set_boolean("network/crosstraffic", "no");
}

/* simgrid_init with the caller's argv. Under sanitizers the thread context factory is injected
 * as a command-line option: SimGrid's raw contexts switch stacks under ASan's feet (simgrid.md,
 * sanitizer note), and measured here, setting contexts/factory with sg_cfg_set_string after
 * simgrid_init is too late (ASan still warns "ignoring __asan_handle_no_return"), while the
 * option given to simgrid_init takes effect. SimGrid removes the options it consumed; the
 * remaining arguments are copied back into the caller's argv. */
static int engine_setup(int *argc, char **argv)
{
    /* Keep SimGrid's INFO chatter about configuration ("Configuration change", "already defined
     * by user") off stderr; warnings and errors still show. A user's --log=... in argv is parsed
     * afterwards and wins. */
    xbt_log_control_set("xbt_cfg.thres:warning surf_parse.thres:warning");
    char **args = calloc((size_t)*argc + 2, sizeof *args);
    if (!args)
        return PS_EINTERNAL;
    int n = 0;
    args[n++] = argv[0];
#ifdef PARSIM_SANITIZED
    static char thread_factory[] = "--cfg=contexts/factory:thread";
    args[n++] = thread_factory;
#endif
    for (int i = 1; i < *argc; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    simgrid_init(&n, args);
    for (int i = 0; i < n; i++)
        argv[i] = args[i];
    argv[n] = NULL;
    *argc = n;
    free(args);
    apply_exact_config();
    engine_ready = true;
    return PS_OK;
}

int ps_platform_engine_init(int *argc, char **argv, ps_error *err)
{
    if (engine_ready)
        return ps_error_set(err, PS_EINTERNAL, "the SimGrid engine is already initialised");
    if (engine_setup(argc, argv))
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    return PS_OK;
}

static int ensure_engine(void)
{
    if (engine_ready)
        return PS_OK;
    char name[] = "parsim";
    char *argv[] = {name, NULL};
    int argc = 1;
    return engine_setup(&argc, argv);
}

/* ---- Host names ------------------------------------------------------------------------------ */

/* Parses a non-negative decimal (no sign, no leading zeros beyond "0", < 1e6); returns the
 * character after it or NULL. */
static const char *parse_index(const char *s, int *out)
{
    if (!isdigit((unsigned char)*s) || (s[0] == '0' && isdigit((unsigned char)s[1])))
        return NULL;
    long v = 0;
    while (isdigit((unsigned char)*s)) {
        v = v * 10 + (*s++ - '0');
        if (v >= 1000000)
            return NULL;
    }
    *out = (int)v;
    return s;
}

/* "n<node>g<local>" -> GPU (returns 1), "n<node>sw" -> switch (returns 2), else 0. */
static int parse_host_name(const char *name, int *node, int *local)
{
    const char *p = name[0] == 'n' ? parse_index(name + 1, node) : NULL;
    if (!p)
        return 0;
    if (p[0] == 'g') {
        const char *q = parse_index(p + 1, local);
        return q && *q == '\0' ? 1 : 0;
    }
    return !strcmp(p, "sw") ? 2 : 0;
}

/* ---- Validation in a child process ---------------------------------------------------------- */

/* The child: load, check every link, exit. Never returns. SimGrid takes a negative, zero or NaN
 * bandwidth and a negative latency (with at most a WARNING): a negative latency then ran with
 * exit 0, and a bad bandwidth surfaced as a misleading "no route". The reason goes to stderr with
 * the "/ERROR] " marker that extract_reason picks up, so the parent never loads such a file. */
static void child_check(const char *path)
{
    if (ensure_engine())
        _exit(1);
    simgrid_load_platform(path);
    sg_link_t *links = sg_link_list();
    for (size_t i = 0, n = sg_link_count(); links && i < n; i++) {
        double bw = sg_link_get_bandwidth(links[i]), lat = sg_link_get_latency(links[i]);
        if (!(bw > 0) || !isfinite(bw)) {
            fprintf(stderr, "\n/ERROR] link %s: bandwidth %g B/s must be positive and finite\n",
                    sg_link_get_name(links[i]), bw);
            _exit(1);
        }
        if (!(lat >= 0) || !isfinite(lat)) {
            fprintf(stderr, "\n/ERROR] link %s: latency %g s must be zero or positive\n", sg_link_get_name(links[i]),
                    lat);
            _exit(1);
        }
    }
    _exit(0);
}

/* Reads everything from fd (up to a cap) into sb. */
static void read_all(int fd, ps_strbuf *sb)
{
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0 && sb->len < 65536)
            ps_strbuf_appendf(sb, "%.*s", (int)n, buf);
}

/* Picks SimGrid's reason out of the child's stderr: the parse error, or the uncaught
 * exception's message, or the first ERROR/CRITICAL log line. */
static void extract_reason(const char *log, char *out, size_t size)
{
    static const char *const markers[] = {"Parse error at ", "Uncaught exception ", "/CRITICAL] ",
                                          "/ERROR] "};
    for (size_t m = 0; m < sizeof markers / sizeof markers[0]; m++) {
        const char *hit = log ? strstr(log, markers[m]) : NULL;
        if (!hit)
            continue;
        const char *start = m == 0 ? hit : hit + strlen(markers[m]);
        if (m == 1) { /* "std::invalid_argument: Link not found: x" -> "Link not found: x" */
            const char *colon = strstr(start, ": ");
            const char *eol = strchr(start, '\n');
            if (colon && (!eol || colon < eol))
                start = colon + 2;
        }
        size_t len = strcspn(start, "\n");
        snprintf(out, size, "%.*s", (int)len, start);
        return;
    }
    snprintf(out, size, "SimGrid could not load it");
}

static int validate_file(const char *path, ps_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return ps_error_set(err, PS_EINPUT, "%s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return ps_error_set(err, PS_EINPUT, "%s: not a regular file", path);
    int fds[2];
    if (pipe(fds) != 0)
        return ps_error_set(err, PS_EINTERNAL, "%s: pipe: %s", path, strerror(errno));
    fflush(NULL); /* nothing buffered may be written twice by the child */
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return ps_error_set(err, PS_EINTERNAL, "%s: fork: %s", path, strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        dup2(fds[1], STDOUT_FILENO);
        close(fds[1]);
        child_check(path);
    }
    close(fds[1]);
    ps_strbuf log = {0};
    read_all(fds[0], &log);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    int rc = PS_OK;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char reason[PS_ERROR_MESSAGE_BYTES];
        extract_reason(log.data, reason, sizeof reason);
        rc = ps_error_set(err, PS_EINPUT, "%s: %s", path, reason);
    }
    ps_strbuf_free(&log);
    return rc;
}

/* ---- The <config> block: is the file exact on its own? -------------------------------------- */

/* Copies attribute `name` of the tag starting at tag (up to '>') into out; false if absent. */
static bool tag_attr(const char *tag, const char *name, char *out, size_t size)
{
    const char *end = strchr(tag, '>');
    size_t nlen = strlen(name);
    for (const char *p = tag; p && (!end || p < end); p = strstr(p + 1, name)) {
        p = strstr(p, name);
        if (!p || (end && p >= end))
            return false;
        const char *q = p + nlen;
        while (*q == ' ')
            q++;
        if (!isspace((unsigned char)p[-1]) || *q != '=')
            continue;
        q++;
        while (*q == ' ')
            q++;
        char quote = *q;
        if (quote != '"' && quote != '\'')
            return false;
        const char *close = strchr(q + 1, quote);
        if (!close)
            return false;
        snprintf(out, size, "%.*s", (int)(close - q - 1), q + 1);
        return true;
    }
    return false;
}

/* True when the file's own <config> makes flows exact (simgrid.md section 0): ptask_L07 with
 * TCP-gamma 0, or CM02 with TCP-gamma 0 and crosstraffic off. */
static bool config_is_exact(const char *text)
{
    const char *start = strstr(text, "<config");
    const char *stop = start ? strstr(start, "</config>") : NULL;
    char host_model[64] = "", net_model[64] = "", gamma[64] = "", cross[64] = "";
    for (const char *p = start; p && p < stop; p = strstr(p + 1, "<prop")) {
        char id[128], value[64];
        if (strncmp(p, "<prop", 5) || !tag_attr(p, "id", id, sizeof id) ||
            !tag_attr(p, "value", value, sizeof value))
            continue;
        if (!strcmp(id, "host/model"))
            snprintf(host_model, sizeof host_model, "%s", value);
        else if (!strcmp(id, "network/model"))
            snprintf(net_model, sizeof net_model, "%s", value);
        else if (!strcmp(id, "network/TCP-gamma") || !strcmp(id, "network/TCP_gamma"))
            snprintf(gamma, sizeof gamma, "%s", value);
        else if (!strcmp(id, "network/crosstraffic"))
            snprintf(cross, sizeof cross, "%s", value);
    }
    char *end;
    double g = strtod(gamma, &end);
    bool gamma_zero = gamma[0] && *end == '\0' && g == 0;
    bool cross_off = !strcmp(cross, "0") || !strcmp(cross, "no") || !strcmp(cross, "false") ||
                     !strcmp(cross, "off");
    if (!strcmp(host_model, "ptask_L07"))
        return gamma_zero;
    return !strcmp(net_model, "CM02") && gamma_zero && cross_off && !host_model[0];
}

/* The network_* zone properties fill_network reads. Any other network_* id is a typo (SimGrid
 * stores every property, fill_network asks for the ones it knows: network_nic_latncy_us was
 * skipped and the kind's default used, without a word). */
static const char *const network_props[] = {
    "network_nic_latency_us", "network_switch_latency_us", "network_plugin_latency_us",
    "network_proxy_step_us", "network_bandwidth_efficiency", "network_channels_per_nic",
    "network_min_channels", "network_max_channels", "network_pxn", "network_protocols",
    "network_algorithms", "network_gpu_nic_path",
    "network_sharp"};

static bool known_network_prop(const char *id)
{
    if (strncmp(id, "network_", 8))
        return true; /* not a network_* figure: other rules */
    for (size_t i = 0; i < sizeof network_props / sizeof network_props[0]; i++)
        if (!strcmp(id, network_props[i]))
            return true;
    return false;
}

static int unknown_network_prop(const char *path, long line, const char *id, ps_error *err)
{
    ps_strbuf known = {0};
    for (size_t i = 0; i < sizeof network_props / sizeof network_props[0]; i++)
        ps_strbuf_appendf(&known, "%s%s", i ? ", " : "", network_props[i]);
    int rc = ps_error_set(err, PS_EINPUT, "%s:%ld: unknown property '%.64s' (network figures: %s)", path, line, id,
                          known.data ? known.data : "see docs/platforms.md");
    ps_strbuf_free(&known);
    return rc;
}

/* The <prop> tags: no element gives an id twice (SimGrid keeps one of the two silently: a
 * second network_nic_latency_us of 900 after 1.5, or a host's hbm_bytes twice, gave no sign),
 * and no network_* id is unknown (known_network_prop). The props of one element are the <prop>
 * tags between two other tags (comments aside). */
static int check_props(const char *path, const char *text, ps_error *err)
{
    enum { RUN_MAX = 256 };
    char run[RUN_MAX][128];
    int nrun = 0;
    long line = 1;
    const char *counted = text;
    for (const char *t = strchr(text, '<'); t; t = strchr(t + 1, '<')) {
        if (!strncmp(t, "<!--", 4)) {
            const char *end = strstr(t + 4, "-->");
            if (!end)
                break; /* SimGrid's parser reports the open comment */
            t = end;
            continue;
        }
        if (strncmp(t, "<prop", 5) || isalnum((unsigned char)t[5]) || t[5] == '_') {
            nrun = 0;
            continue;
        }
        char id[128];
        if (!tag_attr(t, "id", id, sizeof id))
            continue;
        for (; counted < t; counted++)
            line += *counted == '\n';
        if (!known_network_prop(id))
            return unknown_network_prop(path, line, id, err);
        for (int i = 0; i < nrun; i++)
            if (!strcmp(run[i], id))
                return ps_error_set(err, PS_EINPUT, "%s:%ld: property '%.64s' given twice in one element (SimGrid "
                                    "keeps one of them: which one is meant?)", path, line, id);
        if (nrun < RUN_MAX)
            snprintf(run[nrun++], sizeof run[0], "%s", id);
    }
    return PS_OK;
}

static int read_text(const char *path, char **out, ps_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return ps_error_set(err, PS_EINPUT, "%s: %s", path, strerror(errno));
    ps_strbuf sb = {0};
    char buf[65536];
    size_t n;
    int rc = PS_OK;
    while (rc == PS_OK && (n = fread(buf, 1, sizeof buf, fp)) > 0)
        rc = ps_strbuf_appendf(&sb, "%.*s", (int)n, buf);
    fclose(fp);
    if (rc || !sb.data) {
        ps_strbuf_free(&sb);
        return rc ? ps_error_set(err, PS_EINTERNAL, "%s: out of memory", path)
                  : ps_error_set(err, PS_EINPUT, "%s: empty file", path);
    }
    *out = sb.data;
    return PS_OK;
}

/* ---- Properties ------------------------------------------------------------------------------ */

static int prop_double(const char *path, const char *owner, const char *text, const char *key,
                       double *out, ps_error *err)
{
    if (ps_parse_double(text, key, out, err) || !(*out >= 0))
        return ps_error_set(err, PS_EINPUT, "%s: %s: property %s='%s' is not a number >= 0", path,
                            owner, key, text);
    return PS_OK;
}

/* A host property, else the catalogue's value, else an error naming both. */
static int gpu_field(const char *path, sg_host_t host, const ps_gpu_spec *cat, const char *key,
                     double cat_value, double *out, ps_error *err)
{
    const char *text = sg_host_get_property_value(host, key);
    char owner[96];
    snprintf(owner, sizeof owner, "host %s", sg_host_get_name(host));
    if (text)
        return prop_double(path, owner, text, key, out, err);
    if (!cat)
        return ps_error_set(err, PS_EINPUT, "%s: host %s: no property %s and no catalogue GPU "
                            "(gpu_model) to take it from", path, sg_host_get_name(host), key);
    *out = cat_value;
    return PS_OK;
}

static int fill_gpu(const char *path, ps_platform_gpu *g, const char *zone_model, ps_error *err)
{
    const char *model = sg_host_get_property_value(g->host, "gpu_model");
    if (!model)
        model = zone_model;
    const ps_gpu_spec *cat = ps_gpu_find(model);
    g->gpu_model = model ? model : "custom";
    double sm = 0;
    int rc;
    if ((rc = gpu_field(path, g->host, cat, "hbm_bytes", cat ? cat->hbm_bytes : 0, &g->hbm_bytes, err)) ||
        (rc = gpu_field(path, g->host, cat, "hbm_bandwidth_bytes_per_s",
                        cat ? cat->hbm_bandwidth_bytes_per_s : 0, &g->hbm_bandwidth_bytes_per_s, err)) ||
        (rc = gpu_field(path, g->host, cat, "peak_flops_bf16", cat ? cat->peak_flops_bf16 : 0,
                        &g->peak_flops_bf16, err)) ||
        (rc = gpu_field(path, g->host, cat, "peak_flops_fp8", cat ? cat->peak_flops_fp8 : 0,
                        &g->peak_flops_fp8, err)) ||
        (rc = gpu_field(path, g->host, cat, "sm_count", cat ? cat->sm_count : 0, &sm, err)))
        return rc;
    if (sm > INT_MAX)
        return ps_error_set(err, PS_EINPUT, "%s: host %s: sm_count out of range", path, g->host_name);
    /* A GPU without memory, bandwidth, bf16 throughput or SMs cannot run a layer: 0 was read as
     * "not given" by the workload (the catalogue's value was used) while --describe printed 0;
     * 13.5 SMs were truncated to 13. peak_flops_fp8 may be 0 (no fp8 tensor cores: A100). */
    const char *const positive[] = {"hbm_bytes", "hbm_bandwidth_bytes_per_s", "peak_flops_bf16", "sm_count"};
    const double value[] = {g->hbm_bytes, g->hbm_bandwidth_bytes_per_s, g->peak_flops_bf16, sm};
    for (size_t i = 0; i < sizeof positive / sizeof positive[0]; i++)
        if (!(value[i] > 0)) {
            const char *text = sg_host_get_property_value(g->host, positive[i]);
            return ps_error_set(err, PS_EINPUT, "%s: host %s: property %s='%s' must be above 0", path, g->host_name,
                                positive[i], text ? text : "0");
        }
    if (sm != floor(sm))
        return ps_error_set(err, PS_EINPUT, "%s: host %s: property sm_count='%s' is not a whole number", path,
                            g->host_name, sg_host_get_property_value(g->host, "sm_count"));
    g->sm_count = (int)sm;
    return PS_OK;
}

/* A zone property as an int, or the default when absent. */
static int zone_int(const char *path, const char *key, int dflt, int *out, ps_error *err)
{
    const char *text = sg_zone_get_property_value(sg_zone_get_root(), key);
    if (!text) {
        *out = dflt;
        return PS_OK;
    }
    char what[160];
    snprintf(what, sizeof what, "%s: zone property %s", path, key);
    return ps_parse_int(text, what, 0, 1000000, out, err);
}

static int zone_double(const char *path, const char *key, double dflt, double *out, ps_error *err)
{
    const char *text = sg_zone_get_property_value(sg_zone_get_root(), key);
    if (!text) {
        *out = dflt;
        return PS_OK;
    }
    return prop_double(path, "zone", text, key, out, err);
}

/* ---- Building the platform struct ----------------------------------------------------------- */

/* Finds the GPU and switch hosts and lays the GPUs out in rank order. */
static int collect_hosts(ps_platform *p, ps_error *err)
{
    size_t count = sg_host_count();
    sg_host_t *hosts = sg_host_list();
    int nodes = 0, gpn = 0, gpus = 0, node, local;
    for (size_t i = 0; i < count; i++)
        if (parse_host_name(sg_host_get_name(hosts[i]), &node, &local) == 1) {
            nodes = node + 1 > nodes ? node + 1 : nodes;
            gpn = local + 1 > gpn ? local + 1 : gpn;
            gpus++;
        }
    if (gpus == 0) {
        free(hosts);
        return ps_error_set(err, PS_EINPUT, "%s: no GPU hosts (GPUs are hosts named n<node>g<local>)",
                            p->path);
    }
    if ((long)nodes * gpn != gpus) {
        free(hosts);
        return ps_error_set(err, PS_EINPUT, "%s: GPU hosts n<node>g<local> do not form a complete "
                            "grid (%d GPUs for %d nodes x %d per node)", p->path, gpus, nodes, gpn);
    }
    p->gpu_count = gpus;
    p->fabric.node_count = nodes;
    p->fabric.gpus_per_node = gpn;
    p->gpus = calloc((size_t)gpus, sizeof *p->gpus);
    p->switch_hosts = calloc((size_t)nodes, sizeof *p->switch_hosts);
    if (!p->gpus || !p->switch_hosts) {
        free(hosts);
        return ps_error_set(err, PS_EINTERNAL, "%s: out of memory", p->path);
    }
    for (size_t i = 0; i < count; i++) {
        int kind = parse_host_name(sg_host_get_name(hosts[i]), &node, &local);
        if (kind == 1) {
            ps_platform_gpu *g = &p->gpus[node * gpn + local];
            g->rank = node * gpn + local;
            g->node = node;
            g->local_index = local;
            g->host = hosts[i];
            g->host_name = sg_host_get_name(hosts[i]);
        } else if (kind == 2 && node < nodes) {
            p->switch_hosts[node] = hosts[i];
        }
    }
    free(hosts);
    return PS_OK;
}

static int fill_fabric(ps_platform *p, ps_error *err)
{
    ps_platform_fabric_info *f = &p->fabric;
    const char *kind = sg_zone_get_property_value(sg_zone_get_root(), "fabric");
    if (!kind)
        return ps_error_set(err, PS_EINPUT, "%s: zone property 'fabric' (nvswitch|mesh|pcie) is "
                            "missing", p->path);
    if (ps_fabric_parse(kind, &f->kind))
        return ps_error_set(err, PS_EINPUT, "%s: zone property fabric='%s': expected nvswitch, mesh "
                            "or pcie", p->path, kind);
    int nodes, gpn, nvls, rc;
    if ((rc = zone_int(p->path, "nodes", f->node_count, &nodes, err)) ||
        (rc = zone_int(p->path, "gpus_per_node", f->gpus_per_node, &gpn, err)))
        return rc;
    if (nodes != f->node_count || gpn != f->gpus_per_node)
        return ps_error_set(err, PS_EINPUT, "%s: zone properties say %d nodes x %d GPUs, the hosts "
                            "are %d x %d", p->path, nodes, gpn, f->node_count, f->gpus_per_node);
    const ps_gpu_spec *cat = ps_gpu_find(p->gpus[0].gpu_model);
    bool nvlink = f->kind != PS_FABRIC_PCIE && cat;
    bool all_switches = true;
    for (int n = 0; n < f->node_count; n++)
        all_switches &= p->switch_hosts[n] != NULL;
    int dflt_links = !nvlink ? 0 : f->kind == PS_FABRIC_MESH ? gpn - 1 : cat->nvlink_links;
    double dflt_link = !cat ? 0 : f->kind == PS_FABRIC_PCIE ? cat->pcie_bytes_per_s
                                                            : cat->nvlink_bytes_per_s;
    double dflt_nic = 0;
    if (f->node_count > 1) /* the route of a same-rail pair is NIC up, NIC down */
        dflt_nic = sg_host_get_route_bandwidth(p->gpus[0].host, p->gpus[gpn].host);
    bool dflt_nvls = f->kind == PS_FABRIC_NVSWITCH && nvlink && cat->nvlink_generation >= 4 &&
                     all_switches;
    if ((rc = zone_int(p->path, "nvls", dflt_nvls, &nvls, err)) ||
        (rc = zone_int(p->path, "nvlink_generation", nvlink ? cat->nvlink_generation : 0,
                       &f->nvlink_generation, err)) ||
        (rc = zone_int(p->path, "nvlink_links_per_gpu", dflt_links, &f->nvlink_links_per_gpu, err)) ||
        (rc = zone_double(p->path, "gpu_link_bytes_per_s", dflt_link, &f->gpu_link_bytes_per_s, err)) ||
        (rc = zone_double(p->path, "nic_bytes_per_s", dflt_nic, &f->nic_bytes_per_s, err)))
        return rc;
    f->nvls_capable = nvls != 0;
    if (f->nvls_capable && !all_switches)
        return ps_error_set(err, PS_EINPUT, "%s: nvls=1 needs a switch host n<node>sw on every node",
                            p->path);
    return PS_OK;
}

/* A zone double property within [lo, hi], or the default when absent. */
static int zone_double_in(const char *path, const char *key, double dflt, double lo, double hi,
                          double *out, ps_error *err)
{
    int rc = zone_double(path, key, dflt, out, err);
    if (rc)
        return rc;
    if (!(*out >= lo && *out <= hi))
        return ps_error_set(err, PS_EINPUT, "%s: zone: property %s='%s' is out of range [%g, %g]",
                            path, key, sg_zone_get_property_value(sg_zone_get_root(), key), lo, hi);
    return PS_OK;
}

/* The scale-out network: the kind the file names (default generic) and its network_* overrides.
 * Without a network_nic_latency_us / network_switch_latency_us property they are read off the
 * routes (half the same-rail pair latency; half the extra of a cross-rail pair), so they describe
 * the links the flows really use, as nic_bytes_per_s does. */
static int fill_network(ps_platform *p, ps_error *err)
{
    ps_platform_network *net = &p->fabric.network;
    sg_netzone_t root = sg_zone_get_root();
    /* One node has no scale-out network: its network figures were ignored without a word
     * (parsim platform refuses --network with one node likewise). */
    for (size_t i = 0; p->fabric.node_count == 1 && i <= sizeof network_props / sizeof network_props[0]; i++) {
        const char *id = i ? network_props[i - 1] : "network";
        if (sg_zone_get_property_value(root, id))
            return ps_error_set(err, PS_EINPUT, "%s: zone: property %s is for a platform of 2 or more nodes (this one "
                                "has 1: no scale-out network)", p->path, id);
    }
    const char *name = sg_zone_get_property_value(root, "network");
    const ps_network_kind *k = ps_network_kind_find(name ? name : "generic");
    if (!k) {
        ps_strbuf known = {0};
        for (int i = 0; i < ps_network_kind_count(); i++)
            ps_strbuf_appendf(&known, "%s%s", i ? ", " : "", ps_network_kind_at(i)->name);
        int rc = ps_error_set(err, PS_EINPUT, "%s: zone property network='%s': expected one of %s",
                              p->path, name, known.data ? known.data : "the known kinds");
        ps_strbuf_free(&known);
        return rc;
    }
    snprintf(net->kind, sizeof net->kind, "%s", k->name);
    net->named = name != NULL;
    double nic_us = k->nic_latency_us, switch_us = k->switch_latency_us;
    int gpn = p->fabric.gpus_per_node;
    if (p->fabric.node_count > 1) {
        double same = sg_host_get_route_latency(p->gpus[0].host, p->gpus[gpn].host);
        /* Rounded to 1 ps: the sums of link latencies carry binary noise (0.50000000000000033). */
        nic_us = round(same / 2 * 1e12) / 1e6;
        if (gpn > 1) {
            double cross = sg_host_get_route_latency(p->gpus[0].host, p->gpus[gpn + 1].host);
            switch_us = cross > same ? round((cross - same) / 2 * 1e12) / 1e6 : 0;
        }
    }
    double channels = 0;
    int rc;
    /* Ranges: latencies up to 1 s and 64 channels per NIC (NCCL's MAXCHANNELS) are typo guards. */
    if ((rc = zone_double_in(p->path, "network_nic_latency_us", nic_us, 0, 1e6, &net->nic_latency_us, err)) ||
        (rc = zone_double_in(p->path, "network_switch_latency_us", switch_us, 0, 1e6,
                             &net->switch_latency_us, err)) ||
        (rc = zone_double_in(p->path, "network_plugin_latency_us", k->plugin_latency_us, 0, 1e6,
                             &net->plugin_latency_us, err)) ||
        (rc = zone_double_in(p->path, "network_proxy_step_us", k->proxy_step_us, 0, 1e6,
                             &net->proxy_step_us, err)) ||
        (rc = zone_double_in(p->path, "network_bandwidth_efficiency", k->bandwidth_efficiency, 1e-3, 1,
                             &net->bandwidth_efficiency, err)) ||
        (rc = zone_double_in(p->path, "network_channels_per_nic", k->channels_per_nic, 1, 64,
                             &channels, err)))
        return rc;
    if (channels != (int)channels)
        return ps_error_set(err, PS_EINPUT, "%s: zone: property network_channels_per_nic='%s' is not "
                            "a whole number", p->path,
                            sg_zone_get_property_value(root, "network_channels_per_nic"));
    net->channels_per_nic = (int)channels;
    /* NCCL_MIN/MAX_NCHANNELS (0 = unset; NCCL's MAXCHANNELS is 64), PXN on/off and SHARP (CollNet)
     * on/off. */
    static const struct { const char *prop; double max; } whole[] = {
        {"network_min_channels", 64}, {"network_max_channels", 64}, {"network_pxn", 1},
        {"network_sharp", 1}};
    /* network_sharp: off unless the file says so (no kind implies SHARP; NCCL's own default is
     * NCCL_COLLNET_ENABLE=0). */
    const double defaults[] = {k->min_channels, k->max_channels, k->pxn, 0};
    int *dest[] = {&net->min_channels, &net->max_channels, &net->pxn, &net->sharp};
    for (int i = 0; i < 4; i++) {
        double v = 0;
        if ((rc = zone_double_in(p->path, whole[i].prop, defaults[i], 0, whole[i].max, &v, err)))
            return rc;
        if (v != (int)v)
            return ps_error_set(err, PS_EINPUT, "%s: zone: property %s='%s' is not a whole number",
                                p->path, whole[i].prop,
                                sg_zone_get_property_value(root, whole[i].prop));
        *dest[i] = (int)v;
    }
    if (net->min_channels && net->max_channels && net->min_channels > net->max_channels)
        return ps_error_set(err, PS_EINPUT, "%s: zone: network_min_channels=%d is above "
                            "network_max_channels=%d", p->path, net->min_channels,
                            net->max_channels);
    const char *protos = sg_zone_get_property_value(root, "network_protocols");
    net->protocols = k->protocols;
    if (protos && ps_network_protocols_parse(protos, &net->protocols))
        return ps_error_set(err, PS_EINPUT, "%s: zone: property network_protocols='%s': expected a "
                            "comma-separated list of LL, LL128, Simple (each once)", p->path, protos);
    if (protos && !(net->protocols & PS_NET_PROTO_SIMPLE))
        return ps_error_set(err, PS_EINPUT, "%s: zone: property network_protocols='%s': Simple is "
                            "required (NCCL's network send/recv run Simple only)", p->path, protos);
    const char *algos = sg_zone_get_property_value(root, "network_algorithms");
    net->algorithms = k->algorithms;
    if (algos && ps_network_algorithms_parse(algos, &net->algorithms))
        return ps_error_set(err, PS_EINPUT, "%s: zone: property network_algorithms='%s': expected a "
                            "comma-separated list of Ring, Tree, NVLSTree (each once)", p->path, algos);
    if (algos && !(net->algorithms & PS_NET_ALGO_RING))
        return ps_error_set(err, PS_EINPUT, "%s: zone: property network_algorithms='%s': Ring is "
                            "required (all_gather and reduce_scatter run Ring only)", p->path, algos);
    const char *path = sg_zone_get_property_value(root, "network_gpu_nic_path");
    net->gpu_nic_path = k->gpu_nic_path;
    if (path && ps_gpu_nic_path_parse(path, &net->gpu_nic_path))
        return ps_error_set(err, PS_EINPUT, "%s: zone: property network_gpu_nic_path='%s': expected "
                            "one of pix, pxb, pxn, phb, sys", p->path, path);
    /* NCCL's LL128 default across nodes (network.c): it applies only while NCCL_PROTO is unset,
     * which network_protocols says by listing all three protocols. */
    const ps_gpu_spec *gpu = ps_gpu_find(p->gpus[0].gpu_model);
    net->ll128_default_off = p->fabric.node_count > 1 && net->protocols == PS_NET_PROTO_ALL &&
                             !ps_network_ll128_by_default(net->gpu_nic_path,
                                                          gpu ? gpu->architecture : NULL);
    return PS_OK;
}

/* Every ordered GPU pair, and every GPU to its node's switch host, needs a route: SimGrid
 * answers an empty route (bandwidth -1) for a missing one and would fail only mid-simulation. */
static int check_routes(const ps_platform *p, ps_error *err)
{
    for (int a = 0; a < p->gpu_count; a++) {
        const ps_platform_gpu *ga = &p->gpus[a];
        sg_host_t sw = p->switch_hosts[ga->node];
        for (int b = 0; b < p->gpu_count; b++)
            if (a != b && !(sg_host_get_route_bandwidth(ga->host, p->gpus[b].host) > 0))
                return ps_error_set(err, PS_EINPUT, "%s: no route from %s to %s", p->path,
                                    ga->host_name, p->gpus[b].host_name);
        if (sw && !(sg_host_get_route_bandwidth(ga->host, sw) > 0 &&
                    sg_host_get_route_bandwidth(sw, ga->host) > 0))
            return ps_error_set(err, PS_EINPUT, "%s: no route between %s and %s", p->path,
                                ga->host_name, sg_host_get_name(sw));
    }
    return PS_OK;
}

/* The NCCL version the file's collectives are modelled for (nccl_version.c), default
 * PS_NCCL_VERSION_DEFAULT. */
static int fill_nccl_version(ps_platform *p, ps_error *err)
{
    const char *text = sg_zone_get_property_value(sg_zone_get_root(), "nccl_version");
    p->fabric.nccl_version = PS_NCCL_VERSION_DEFAULT;
    p->fabric.nccl_version_named = text != NULL;
    if (text && ps_nccl_version_parse(text, &p->fabric.nccl_version))
        return ps_error_set(err, PS_EINPUT, "%s: zone: property nccl_version='%.64s': expected "
                            "NCCL's MAJOR.MINOR[.PATCH], 2.17.1 (NVLS's first release) or later, "
                            "e.g. 2.18.5", p->path, text);
    return PS_OK;
}

static int build(ps_platform *p, ps_error *err)
{
    int rc = collect_hosts(p, err);
    if (rc)
        return rc;
    const char *zone_model = sg_zone_get_property_value(sg_zone_get_root(), "gpu_model");
    for (int r = 0; r < p->gpu_count; r++)
        if ((rc = fill_gpu(p->path, &p->gpus[r], zone_model, err)))
            return rc;
    if ((rc = check_routes(p, err)))
        return rc;
    if ((rc = fill_fabric(p, err)) || (rc = fill_nccl_version(p, err)))
        return rc;
    return fill_network(p, err);
}

static int load_file(const char *path_or_preset, ps_platform **out, ps_error *err)
{
    *out = NULL;
    /* A preset name ("hgx-h200") works wherever a path does (parsim/data.h). */
    char path[PS_DATA_PATH_BYTES];
    if (ps_data_find(PS_DATA_PLATFORM, path_or_preset, path, sizeof path, err))
        return err->code;
    if (platform_loaded)
        return ps_error_set(err, PS_EINTERNAL, "%s: a platform is already loaded in this process "
                            "(SimGrid allows one)", path);
    if (ensure_engine())
        return ps_error_set(err, PS_EINTERNAL, "%s: out of memory", path);
    char *text = NULL;
    int rc = validate_file(path, err);
    if (rc || (rc = read_text(path, &text, err)))
        return rc;
    if ((rc = check_props(path, text, err))) {
        free(text);
        return rc;
    }
    ps_platform *p = calloc(1, sizeof *p);
    if (!p || !(p->path = strdup(path))) {
        free(p);
        free(text);
        return ps_error_set(err, PS_EINTERNAL, "%s: out of memory", path);
    }
    if (!config_is_exact(text)) {
        ps_strbuf sb = {0};
        ps_strbuf_appendf(&sb, "%s: no exact network configuration in <config> (host/model "
                          "ptask_L07 and network/TCP-gamma 0); parsim applied it, flows are exact",
                          path);
        p->warning = sb.data; /* NULL if that allocation failed: the warning is then lost */
    }
    free(text);
    simgrid_load_platform(path);
    platform_loaded = true;
    if ((rc = build(p, err))) {
        ps_platform_free(p);
        return rc;
    }
    *out = p;
    return PS_OK;
}

/* Error messages quote the file (property values, host names, SimGrid's parse error with the
 * offending byte): any byte outside printable ASCII becomes '?', so the message stays ONE
 * printable line whatever the file holds (found by tests/fuzz/platform_load: a raw 0xa0 byte). */
static int printable(int rc, ps_error *err)
{
    if (rc && err)
        for (char *c = err->message; *c; c++)
            if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
                *c = '?';
    return rc;
}

int ps_platform_validate(const char *path, ps_error *err)
{
    return printable(validate_file(path, err), err);
}

int ps_platform_load(const char *path_or_preset, ps_platform **out, ps_error *err)
{
    return printable(load_file(path_or_preset, out, err), err);
}

void ps_platform_free(ps_platform *platform)
{
    if (!platform)
        return;
    free(platform->gpus);
    free(platform->switch_hosts);
    free(platform->warning);
    free(platform->path);
    free(platform);
}

/* ---- Queries --------------------------------------------------------------------------------- */

int ps_platform_gpu_count(const ps_platform *platform) { return platform->gpu_count; }

const ps_platform_gpu *ps_platform_gpu_at(const ps_platform *platform, int rank)
{
    if (rank < 0 || rank >= platform->gpu_count)
        return NULL;
    return &platform->gpus[rank];
}

const ps_platform_fabric_info *ps_platform_fabric(const ps_platform *platform)
{
    return &platform->fabric;
}

sg_host_t ps_platform_switch_host(const ps_platform *platform, int node)
{
    if (node < 0 || node >= platform->fabric.node_count || !platform->fabric.nvls_capable)
        return NULL;
    return platform->switch_hosts[node];
}

const char *ps_platform_warning(const ps_platform *platform) { return platform->warning; }

const char *ps_platform_path(const ps_platform *platform) { return platform->path; }

int ps_platform_route(const ps_platform *platform, int src_rank, int dst_rank,
                      double *bandwidth_bytes_per_s, double *latency_s, ps_error *err)
{
    if (src_rank < 0 || src_rank >= platform->gpu_count || dst_rank < 0 ||
        dst_rank >= platform->gpu_count)
        return ps_error_set(err, PS_EINPUT, "%s: no GPU pair %d -> %d (the platform has %d GPUs)",
                            platform->path, src_rank, dst_rank, platform->gpu_count);
    sg_host_t a = platform->gpus[src_rank].host, b = platform->gpus[dst_rank].host;
    if (bandwidth_bytes_per_s)
        *bandwidth_bytes_per_s = sg_host_get_route_bandwidth(a, b);
    if (latency_s)
        *latency_s = sg_host_get_route_latency(a, b);
    return PS_OK;
}

int ps_platform_check_gpu_count(const ps_platform *platform, int needed, bool exact, ps_error *err)
{
    if (needed > platform->gpu_count || (exact && needed != platform->gpu_count))
        return ps_error_set(err, PS_EINPUT, "%s: the plan needs %d GPUs, the platform has %d",
                            platform->path, needed, platform->gpu_count);
    return PS_OK;
}

/* ---- Pair matrix summary --------------------------------------------------------------------- */

static void widen(ps_platform_range *r, double v, bool first)
{
    if (first || v < r->min)
        r->min = v;
    if (first || v > r->max)
        r->max = v;
}

int ps_platform_summarize(const ps_platform *platform, ps_platform_summary *out, ps_error *err)
{
    memset(out, 0, sizeof *out);
    out->gpu_count = platform->gpu_count;
    out->gpu_model = platform->gpus[0].gpu_model;
    for (int r = 1; r < platform->gpu_count; r++)
        if (strcmp(platform->gpus[r].gpu_model, out->gpu_model))
            out->gpu_model = "mixed";
    bool first_intra = true, first_inter = true;
    for (int a = 0; a < platform->gpu_count; a++)
        for (int b = 0; b < platform->gpu_count; b++) {
            if (a == b)
                continue;
            double bw, lat;
            int rc = ps_platform_route(platform, a, b, &bw, &lat, err);
            if (rc)
                return rc;
            widen(&out->pair_bandwidth_bytes_per_s, bw, !out->has_pairs);
            widen(&out->pair_latency_s, lat, !out->has_pairs);
            out->has_pairs = true;
            if (platform->gpus[a].node == platform->gpus[b].node) {
                widen(&out->intra_bandwidth_bytes_per_s, bw, first_intra);
                widen(&out->intra_latency_s, lat, first_intra);
                first_intra = false;
                out->has_intra = true;
            } else {
                widen(&out->inter_bandwidth_bytes_per_s, bw, first_inter);
                widen(&out->inter_latency_s, lat, first_inter);
                first_inter = false;
                out->has_inter = true;
            }
        }
    return PS_OK;
}
