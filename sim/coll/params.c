/* sim/coll/params.c: NCCL's default constants and the calibration sidecar files
 * (platforms/<name>.nccl.json).
 *
 * Sidecar format (docs/nccl.md): a JSON object
 *   {"format":"parsim-nccl-calibration 1", "source":"...", "command":"...", "fitted_on":[files],
 *    "rms_log_error":x,
 *    "ring":{"LL":{"base_us":..,"hop_us":..,"eff":..,"fill_us":..},"LL128":{..},"Simple":{..}},
 *    "nvls":{..}, "p2p":{..}, "ring_scale_all_reduce":[s2,s4,s8], "ring_scale_other":[..],
 *    "launch_us":x, "nvls_copy_GBps":x, "nvls_reduce_GBps":x}
 * Unknown keys are an error (a typo must not silently fall back to a default).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "coll_internal.h"
#include "parsim/array.h"
#include "parsim/json_read.h"
#include "parsim/util.h"
#include "parsim/data.h"

#define PROTO_NAME(i) ps_coll_proto_name((ps_coll_proto)(i))

/* ---- NCCL's own constants, the defaults when a platform has no sidecar -----------------------
 * Source: NVIDIA/nccl src/graph/tuning.cc and src/graph/topo.h at v2.29.2-1 (ebd1e929), as
 * transcribed in ../shared/notes/nccl-model.md section 2 (Hopper values unchanged up to HEAD).
 *   base_us: baseLatencies[Ring] = {LL 6.6, LL128 14.0, Simple 8.4}; NVLS base 0.
 *   hop_us:  hwLatencies[NVLink][Ring] = {0.6, 1.9, 3.4}; NVLS intraLat 25 us (paid once).
 *   eff (achieved / 450 GB/s Hopper link, the platform's NVLink port rate):
 *     Simple: NCCL's busBw = 18 links x 20.6 GB/s (SM90 NVLink constant) = 370.8 -> 0.824;
 *     LL128:  0.92 x 370.8 = 341 -> 0.758;
 *     LL:     llMaxBws Hopper 1 node = 141 GB/s (0.5 x busBw = 185 is larger) -> 0.313;
 *     NVLS:   16 channels x 20 GB/s (ASSUMPTION: the largest SM90 search speed <= 370.8/16) x
 *             nvlsEfficiency 0.85 x 15/16 x 2 = 510 busBw -> algBw 510 x 8/14 = 291 GB/s, moved
 *             as S per port -> 0.648.
 *   p2p: Ring LL latency for the launch (6.6 us), Simple efficiency.
 *   fill_us 0: NCCL's model has no pipeline-fill term; launch_us 0: no harness model;
 *   nvls_copy_gbps, nvls_reduce_gbps 0: NCCL's NVLS model has no copy or reduce-stage term
 *   (latency + bytes / bandwidth only).
 * Tree (all_reduce; nccl-model.md 2.3 and 2.4, v2.29.2):
 *   base_us: baseLatencies[Tree] = {6.8, 14.0, 8.4};
 *   hop_us:  hwLatencies[NVLink][Tree] = {0.6, 1.25, 4.0}; net_hop_us: hwLatencies[NET][Tree] =
 *            {5.0, 8.5, 14.0} (graph latencyInter is 0 on IB without a configured value);
 *   eff: NCCL's tree busBw is 0.92 x the ring's (Simple: 0.92 x 0.824 = 0.758), LL divides that by
 *        3.8 (0.1995), LL128 multiplies it by 120/128 on several nodes (0.711). NCCL then halves
 *        busBw into algBw; our flows carry the tree's real bytes (all_reduce.c), so the link
 *        loads play that part.
 * NVLSTree: baseLatencies 0, hwLatencies[NVLink][NVLSTree] 25 us (the NVLS part, once),
 *   hwLatencies[NET][NVLSTree] 20.9 us (v2.28+; 14 in v2.21-v2.27), eff = NVLS's 0.648 (the same
 *   kernel moves the same bytes on the NVLink ports; ASSUMPTION for the NIC flows).
 * Rings across nodes (NVIDIA/nccl src/graph/tuning.cc @ v2.30.7-1 5067397c, lines 171 and 385-412,
 *   the same in v2.23-v2.29): a step that crosses nodes costs hwLatencies[NET][Ring] = {2.7, 4.0,
 *   14.0} plus the net plugin's latency (engine_network.c ranks with it); every other step at
 *   least getNetOverhead(): 1 us on Intel or unknown hosts (2 on AMD, tuning.cc:228-233; parsim
 *   takes the Intel figure), x3 for Simple. */
/* CollNet (NVIDIA/nccl src/graph/tuning.cc @ v2.29.7-1, the version of the SHARP data below):
 *   base_us: baseLatencies[CollNetDirect] = baseLatencies[CollNetChain] = 0 (line 146);
 *   hop_us:  hwLatencies[NVLink] = 3.7 us (Direct) / 2.8 us (Chain), Simple only (line 153);
 *   net_hop_us: hwLatencies[NET] = 31 / 30 us (line 165), the one in-network step;
 *   NVLS across nodes (only with CollNet): hwLatencies[NET][NVLS] = 18 us (line 165) after the
 *   NVLS row's 25 us; its NICs reduce at sharp_eff_direct (ASSUMPTION: one head per NIC, the
 *   same in-network reduction as CollNetDirect; no public NVLS+SHARP run to fit it);
 *   Direct also pays 2 x (ppn-1) x 0.4 us of "arity serialization" (line 388, all_reduce.c);
 *   eff: NCCL takes CollNet's bandwidth from the CollNet graph's bwIntra, the same NVLink
 *        channel speed as the ring's (lines 284-285), so the NVLink side runs at the ring
 *        Simple's 0.824 (ASSUMPTION: NCCL's own extra factors, x0.85 on SM90+ for Direct and the
 *        GPU/NIC ratio, lines 314-323, are its ranking, tuner.c).
 *   sharp_eff_*: the NICs move the in-network reduction's bytes at sharp_eff x the network's
 *        bandwidth efficiency (model.c coll_call_eff). FITTED, one figure per algorithm, both on
 *        ONE node count: Together AI's "flapping-airplanes" B200 cluster, 4 x 8 GPUs, NCCL
 *        2.28.9, SHARP active, NCCL_ALGO forced, all_reduce at 32 GiB: CollnetChain 540.07 GB/s
 *        and CollnetDirect 605.90 GB/s busbw (togethercomputer/together-nccl-tests baselines/
 *        flapping-airplanes/2026-05-12_nccl_collective_scaling_report.md @6fd65d19; derived
 *        points in tests/platform/multinode, docs/data/multinode.md). With ib-ndr's 0.83 (41.5
 *        GB/s per NIC, fitted on an H100 cluster's ring) the NICs of that cluster reduce at
 *        35.1 GB/s (Chain) and 39.3 GB/s (Direct). Each solved from that one time, T = L + tb / f
 *        + 2 sqrt(1 us x tb / f) (L ~ 45 / 70 us, tb = S/8 over 41.5 GB/s; fit residual 0.0 %).
 *        Every other node count, size, cluster (MD1, NCCL 2.29.7) and op is held out
 *        (docs/validation.md "Multi-node and NVLS"). */
#define SHARP_EFF_DIRECT 0.948
#define SHARP_EFF_CHAIN 0.845

void ps_coll_params_default(ps_coll_params *p)
{
    memset(p, 0, sizeof *p);
    p->ring[PS_PROTO_LL] = (ps_coll_proto_params){6.6, 0.6, 0.313, 0};
    p->ring[PS_PROTO_LL128] = (ps_coll_proto_params){14.0, 1.9, 0.758, 0};
    p->ring[PS_PROTO_SIMPLE] = (ps_coll_proto_params){8.4, 3.4, 0.824, 0};
    p->nvls = (ps_coll_proto_params){25.0, 0, 0.648, 0};
    p->p2p = (ps_coll_proto_params){6.6, 0, 0.824, 0};
    p->tree[PS_PROTO_LL] = (ps_coll_proto_params){6.8, 0.6, 0.1995, 0};
    p->tree[PS_PROTO_LL128] = (ps_coll_proto_params){14.0, 1.25, 0.711, 0};
    p->tree[PS_PROTO_SIMPLE] = (ps_coll_proto_params){8.4, 4.0, 0.758, 0};
    p->tree_net_hop_us[PS_PROTO_LL] = 5.0;
    p->tree_net_hop_us[PS_PROTO_LL128] = 8.5;
    p->tree_net_hop_us[PS_PROTO_SIMPLE] = 14.0;
    p->nvls_tree = (ps_coll_proto_params){0, 25.0, 0.648, 0};
    p->nvls_tree_net_hop_us = 20.9;
    p->collnet_direct = (ps_coll_proto_params){0, 3.7, 0.824, 0};
    p->collnet_chain = (ps_coll_proto_params){0, 2.8, 0.824, 0};
    p->collnet_direct_net_hop_us = 31.0;
    p->collnet_chain_net_hop_us = 30.0;
    p->nvls_net_hop_us = 18.0;
    p->sharp_eff_direct = SHARP_EFF_DIRECT;
    p->sharp_eff_chain = SHARP_EFF_CHAIN;
    p->ring_net_hop_us[PS_PROTO_LL] = 2.7;
    p->ring_net_hop_us[PS_PROTO_LL128] = 4.0;
    p->ring_net_hop_us[PS_PROTO_SIMPLE] = 14.0;
    p->net_overhead_us = 1.0;
    for (int i = 0; i < PS_COLL_SCALE_POINTS; i++)
        p->ring_scale_ar[i] = p->ring_scale_other[i] = 1.0;
    p->launch_us = 0;
    snprintf(p->source, sizeof p->source, "NCCL v2.29.2 tuning.cc constants (no calibration)");
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static int get_number(const cJSON *obj, const char *key, double min, double max, double *out,
                      const char *path, ps_error *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!item)
        return PS_OK;
    if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble) || item->valuedouble < min ||
        item->valuedouble > max)
        return ps_error_set(err, PS_EINPUT, "%s: \"%s\" must be a number in [%g, %g]", path, key,
                            min, max);
    *out = item->valuedouble;
    return PS_OK;
}

static int check_keys(const cJSON *obj, const char *const *allowed, const char *where,
                      const char *path, ps_error *err)
{
    for (const cJSON *it = obj->child; it; it = it->next) {
        bool ok = false;
        for (int i = 0; allowed[i]; i++)
            ok |= it->string && !strcmp(it->string, allowed[i]);
        if (!ok) {
            /* The key is quoted from the file: at most 64 bytes, anything outside printable
             * ASCII shown as '?', so the message stays one printable line (fuzz finding,
             * tests/fuzz/coll_params: a raw control byte in a key). */
            char key[68];
            size_t n = 0;
            for (const char *c = it->string ? it->string : ""; *c && n < 64; c++)
                key[n++] = (unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f ? '?' : *c;
            key[n] = '\0';
            return ps_error_set(err, PS_EINPUT, "%s: unknown key \"%s%s\" in %s", path, key,
                                it->string && strlen(it->string) > n ? "..." : "", where);
        }
    }
    return PS_OK;
}

/* One protocol row; `net_hop_us` (may be NULL: key refused) for the tree rows. */
static int read_row(const cJSON *obj, ps_coll_proto_params *row, double *net_hop_us,
                    const char *where, const char *path, ps_error *err)
{
    static const char *const keys[] = {"base_us", "hop_us", "eff", "fill_us", NULL};
    static const char *const tree_keys[] = {"base_us", "hop_us", "eff", "fill_us", "net_hop_us",
                                            NULL};
    if (!cJSON_IsObject(obj))
        return ps_error_set(err, PS_EINPUT, "%s: %s must be an object", path, where);
    int rc = check_keys(obj, net_hop_us ? tree_keys : keys, where, path, err);
    if (!rc && net_hop_us)
        rc = get_number(obj, "net_hop_us", 0, 1e6, net_hop_us, path, err);
    if (!rc) rc = get_number(obj, "base_us", 0, 1e6, &row->base_us, path, err);
    if (!rc) rc = get_number(obj, "hop_us", 0, 1e6, &row->hop_us, path, err);
    if (!rc) rc = get_number(obj, "eff", 1e-6, 1.0, &row->eff, path, err);
    if (!rc) rc = get_number(obj, "fill_us", 0, 1e6, &row->fill_us, path, err);
    return rc;
}

static int read_scale(const cJSON *root, const char *key, double *scale, const char *path,
                      ps_error *err)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!arr)
        return PS_OK;
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != PS_COLL_SCALE_POINTS)
        return ps_error_set(err, PS_EINPUT, "%s: \"%s\" must be an array of %d numbers (groups "
                            "of 2, 4, 8 GPUs)", path, key, PS_COLL_SCALE_POINTS);
    for (int i = 0; i < PS_COLL_SCALE_POINTS; i++) {
        const cJSON *v = cJSON_GetArrayItem(arr, i);
        if (!cJSON_IsNumber(v) || !(v->valuedouble > 0) || v->valuedouble > 10)
            return ps_error_set(err, PS_EINPUT, "%s: \"%s\"[%d] must be a number in (0, 10]",
                                path, key, i);
        scale[i] = v->valuedouble;
    }
    return PS_OK;
}

static int parse_params(const cJSON *root, ps_coll_params *p, const char *path, ps_error *err)
{
    static const char *const keys[] = {"format", "source", "command", "fitted_on",
                                       "rms_log_error", "ring", "nvls", "p2p", "tree",
                                       "nvls_tree",
                                       "ring_scale_all_reduce", "ring_scale_other", "launch_us",
                                       "nvls_copy_GBps", "nvls_reduce_GBps", NULL};
    if (!cJSON_IsObject(root))
        return ps_error_set(err, PS_EINPUT, "%s: not a JSON object", path);
    int rc = check_keys(root, keys, "the top level", path, err);
    if (rc)
        return rc;
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "parsim-nccl-calibration 1"))
        return ps_error_set(err, PS_EINPUT, "%s: \"format\" must be \"parsim-nccl-calibration 1\"",
                            path);
    const cJSON *ring = cJSON_GetObjectItemCaseSensitive(root, "ring");
    if (ring) {
        if (!cJSON_IsObject(ring))
            return ps_error_set(err, PS_EINPUT, "%s: \"ring\" must be an object", path);
        rc = check_keys(ring, (const char *const[]){"LL", "LL128", "Simple", NULL}, "\"ring\"",
                        path, err);
        for (int i = 0; !rc && i < PS_PROTO_COUNT; i++) {
            const cJSON *row = cJSON_GetObjectItemCaseSensitive(ring, PROTO_NAME(i));
            if (row)
                rc = read_row(row, &p->ring[i], NULL, PROTO_NAME(i), path, err);
        }
        if (rc)
            return rc;
    }
    const cJSON *tree = cJSON_GetObjectItemCaseSensitive(root, "tree");
    if (tree) {
        if (!cJSON_IsObject(tree))
            return ps_error_set(err, PS_EINPUT, "%s: \"tree\" must be an object", path);
        rc = check_keys(tree, (const char *const[]){"LL", "LL128", "Simple", NULL}, "\"tree\"",
                        path, err);
        for (int i = 0; !rc && i < PS_PROTO_COUNT; i++) {
            const cJSON *r = cJSON_GetObjectItemCaseSensitive(tree, PROTO_NAME(i));
            if (r)
                rc = read_row(r, &p->tree[i], &p->tree_net_hop_us[i], PROTO_NAME(i), path, err);
        }
        if (rc)
            return rc;
    }
    const cJSON *row = cJSON_GetObjectItemCaseSensitive(root, "nvls");
    if (row && (rc = read_row(row, &p->nvls, NULL, "\"nvls\"", path, err)))
        return rc;
    row = cJSON_GetObjectItemCaseSensitive(root, "nvls_tree");
    if (row && (rc = read_row(row, &p->nvls_tree, &p->nvls_tree_net_hop_us, "\"nvls_tree\"",
                              path, err)))
        return rc;
    row = cJSON_GetObjectItemCaseSensitive(root, "p2p");
    if (row && (rc = read_row(row, &p->p2p, NULL, "\"p2p\"", path, err)))
        return rc;
    if ((rc = read_scale(root, "ring_scale_all_reduce", p->ring_scale_ar, path, err)) ||
        (rc = read_scale(root, "ring_scale_other", p->ring_scale_other, path, err)) ||
        (rc = get_number(root, "launch_us", 0, 1e6, &p->launch_us, path, err)) ||
        (rc = get_number(root, "nvls_copy_GBps", 0, 1e6, &p->nvls_copy_gbps, path, err)) ||
        (rc = get_number(root, "nvls_reduce_GBps", 0, 1e6, &p->nvls_reduce_gbps, path, err)))
        return rc;
    /* 0 = not fitted (no copy / reduce term). A positive rate below 0.1 GB/s (a tenth of the
     * smallest start of calibrate's fit bounds, 1 and 0.5 GB/s) priced an 8 GiB NVLS all_reduce
     * at 6.9e30 us from 1e-300 with exit 0 (found by qa4). */
    const char *const nvls_rates[] = {"nvls_copy_GBps", "nvls_reduce_GBps"};
    const double nvls_values[] = {p->nvls_copy_gbps, p->nvls_reduce_gbps};
    for (int i = 0; i < 2; i++)
        if (nvls_values[i] > 0 && nvls_values[i] < 0.1)
            return ps_error_set(err, PS_EINPUT, "%s: \"%s\" must be 0 (not fitted) or a number in [0.1, 1e+06]", path,
                                nvls_rates[i]);
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(root, "source");
    snprintf(p->source, sizeof p->source, "%s%s%s", path,
             cJSON_IsString(src) ? ": " : "", cJSON_IsString(src) ? src->valuestring : "");
    return PS_OK;
}

#define PARAMS_MAX_BUFFER_BYTES ((size_t)1 << 25)

static char *slurp(const char *path, ps_error *err)
{
    FILE *f = ps_open_text_input(path, err); /* a directory read as "tests:1: malformed JSON" */
    if (!f)
        return NULL;
    /* Read in chunks into a buffer that doubles from 4 KiB; a file that fills 32 MiB is refused
     * (a parameter file is a few KiB). */
    size_t cap = 0, len = 0;
    char *buf = NULL;
    for (;;) {
        if (len + 1 >= cap && (cap >= PARAMS_MAX_BUFFER_BYTES || ps_grow(&buf, &cap, len + 4096, 1))) {
            free(buf);
            buf = NULL;
            break;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
    }
    fclose(f);
    if (!buf) {
        ps_error_set(err, PS_EINPUT, "%s: too large or out of memory", path);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

int ps_coll_params_load(const char *path, ps_coll_params *params, ps_error *err)
{
    char *text = slurp(path, err);
    if (!text)
        return err ? err->code : PS_EINPUT;
    cJSON *root = cJSON_Parse(text);
    int rc;
    if (!root) {
        /* cJSON gives a pointer to where parsing stopped: turn it into a line number. */
        const char *at = cJSON_GetErrorPtr();
        int line = 1;
        for (const char *c = text; at && c < at && *c; c++)
            line += *c == '\n';
        rc = ps_error_set(err, PS_EINPUT, "%s:%d: malformed JSON", path, line);
    } else if (ps_json_first_duplicate_key(root)) {
        char key[68]; /* quoted from the file: printable ASCII, at most 64 bytes (as check_keys) */
        size_t n = 0;
        for (const char *c = ps_json_first_duplicate_key(root)->string; *c && n < 64; c++)
            key[n++] = (unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f ? '?' : *c;
        key[n] = '\0';
        rc = ps_error_set(err, PS_EINPUT, "%s: key \"%s\" given twice (which one is meant?)", path, key);
    } else {
        ps_coll_params tmp = *params;
        rc = parse_params(root, &tmp, path, err);
        if (!rc)
            *params = tmp;
    }
    cJSON_Delete(root);
    free(text);
    return rc;
}

static cJSON *row_json(const ps_coll_proto_params *r, const double *net_hop_us)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    /* Rounded to 4 significant digits: fitted numbers, not exact ones; keeps files diffable. */
    char buf[32];
    double v[4] = {r->base_us, r->hop_us, r->eff, r->fill_us};
    const char *k[4] = {"base_us", "hop_us", "eff", "fill_us"};
    for (int i = 0; i < 5; i++) {
        if (i == 4 && !net_hop_us)
            break;
        snprintf(buf, sizeof buf, "%.4g", i == 4 ? *net_hop_us : v[i]);
        if (!cJSON_AddNumberToObject(o, i == 4 ? "net_hop_us" : k[i], strtod(buf, NULL))) {
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}

static double round4(double v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.4g", v);
    return strtod(buf, NULL);
}

/* The tree rows are written only where they differ from NCCL's defaults (no data fits them), so
 * sidecars fitted before tree existed keep their bytes. */
static bool add_tree_rows(cJSON *root, const ps_coll_params *p)
{
    ps_coll_params d;
    ps_coll_params_default(&d);
    if (memcmp(p->tree, d.tree, sizeof d.tree) ||
        memcmp(p->tree_net_hop_us, d.tree_net_hop_us, sizeof d.tree_net_hop_us)) {
        cJSON *tree = cJSON_CreateObject();
        if (!tree || !cJSON_AddItemToObject(root, "tree", tree)) {
            cJSON_Delete(tree);
            return false;
        }
        for (int i = 0; i < PS_PROTO_COUNT; i++) {
            cJSON *r = row_json(&p->tree[i], &p->tree_net_hop_us[i]);
            if (!r || !cJSON_AddItemToObject(tree, PROTO_NAME(i), r)) {
                cJSON_Delete(r);
                return false;
            }
        }
    }
    if (memcmp(&p->nvls_tree, &d.nvls_tree, sizeof d.nvls_tree) ||
        p->nvls_tree_net_hop_us != d.nvls_tree_net_hop_us) {
        cJSON *r = row_json(&p->nvls_tree, &p->nvls_tree_net_hop_us);
        if (!r || !cJSON_AddItemToObject(root, "nvls_tree", r)) {
            cJSON_Delete(r);
            return false;
        }
    }
    return true;
}

int ps_coll_params_write(const char *path, const ps_coll_params *p, const char *command,
                         const char *const *data_files, int data_file_count, double rms,
                         ps_error *err)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *ring = cJSON_CreateObject();
    cJSON *files = cJSON_CreateArray();
    bool ok = root && ring && files;
    ok = ok && cJSON_AddStringToObject(root, "format", "parsim-nccl-calibration 1");
    ok = ok && cJSON_AddStringToObject(root, "source",
                                       "fitted by parsim calibrate (least squares on log time, "
                                       "deterministic coordinate search) on the files below");
    ok = ok && cJSON_AddStringToObject(root, "command", command ? command : "");
    for (int i = 0; ok && i < data_file_count; i++) {
        const char *base = strrchr(data_files[i], '/');
        cJSON *s = cJSON_CreateString(base ? base + 1 : data_files[i]);
        ok = s && cJSON_AddItemToArray(files, s);
    }
    if (ok) {
        cJSON_AddItemToObject(root, "fitted_on", files);
        files = NULL;
    }
    ok = ok && cJSON_AddNumberToObject(root, "rms_log_error", round4(rms));
    for (int i = 0; ok && i < PS_PROTO_COUNT; i++) {
        cJSON *r = row_json(&p->ring[i], NULL);
        ok = r && cJSON_AddItemToObject(ring, PROTO_NAME(i), r);
    }
    if (ok) {
        cJSON_AddItemToObject(root, "ring", ring);
        ring = NULL;
    }
    cJSON *nv = ok ? row_json(&p->nvls, NULL) : NULL, *pp = ok ? row_json(&p->p2p, NULL) : NULL;
    ok = ok && nv && cJSON_AddItemToObject(root, "nvls", nv);
    ok = ok && pp && cJSON_AddItemToObject(root, "p2p", pp);
    ok = ok && add_tree_rows(root, p);
    double s_ar[PS_COLL_SCALE_POINTS], s_o[PS_COLL_SCALE_POINTS];
    for (int i = 0; i < PS_COLL_SCALE_POINTS; i++) {
        s_ar[i] = round4(p->ring_scale_ar[i]);
        s_o[i] = round4(p->ring_scale_other[i]);
    }
    cJSON *a1 = ok ? cJSON_CreateDoubleArray(s_ar, PS_COLL_SCALE_POINTS) : NULL;
    ok = ok && a1 && cJSON_AddItemToObject(root, "ring_scale_all_reduce", a1);
    cJSON *a2 = ok ? cJSON_CreateDoubleArray(s_o, PS_COLL_SCALE_POINTS) : NULL;
    ok = ok && a2 && cJSON_AddItemToObject(root, "ring_scale_other", a2);
    ok = ok && cJSON_AddNumberToObject(root, "launch_us", round4(p->launch_us));
    ok = ok && cJSON_AddNumberToObject(root, "nvls_copy_GBps", round4(p->nvls_copy_gbps));
    ok = ok && cJSON_AddNumberToObject(root, "nvls_reduce_GBps", round4(p->nvls_reduce_gbps));
    char *text = ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    cJSON_Delete(ring);
    cJSON_Delete(files);
    if (!text)
        return ps_error_set(err, PS_EINTERNAL, "out of memory writing %s", path);
    ps_atomic_file af;
    int rc = ps_atomic_open(&af, path, err);
    if (!rc) {
        fputs(text, af.fp);
        fputc('\n', af.fp);
        rc = ps_atomic_commit(&af, err);
    }
    free(text);
    return rc;
}

int ps_coll_params_for_platform(const char *platform_path, const char *override_path,
                                ps_coll_params *params, char *used, size_t used_size,
                                ps_error *err)
{
    ps_coll_params_default(params);
    if (used_size)
        used[0] = '\0';
    if (override_path) {
        snprintf(used, used_size, "%s", override_path);
        return ps_coll_params_load(override_path, params, err);
    }
    if (!platform_path)
        return PS_OK;
    /* The sidecar sits beside the platform file, also when the platform was named as a preset. */
    char resolved[PS_DATA_PATH_BYTES];
    if (ps_data_find(PS_DATA_PLATFORM, platform_path, resolved, sizeof resolved, err))
        return err->code;
    platform_path = resolved;
    size_t len = strlen(platform_path);
    const char *ext = len >= 4 ? platform_path + len - 4 : "";
    size_t stem = !strcmp(ext, ".xml") ? len - 4 : len;
    char *side = malloc(stem + sizeof ".nccl.json");
    if (!side)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    memcpy(side, platform_path, stem);
    memcpy(side + stem, ".nccl.json", sizeof ".nccl.json");
    struct stat st;
    int rc = PS_OK;
    if (stat(side, &st) == 0) {
        snprintf(used, used_size, "%s", side);
        rc = ps_coll_params_load(side, params, err);
    }
    free(side);
    return rc;
}
