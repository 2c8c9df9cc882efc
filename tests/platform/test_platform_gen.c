/* tests/platform/test_platform_gen.c: the platform generator and the forked validator.
 *
 * Nothing here loads a platform into this process's SimGrid engine (ps_platform_validate loads
 * in a child), so one process can check many files, good and bad.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "parsim/platform.h"

typedef struct tmpdir {
    char path[4096];
} tmpdir;

static char *generate_text(const ps_platform_spec *spec, size_t *len)
{
    char *text = NULL;
    FILE *fp = open_memstream(&text, len);
    assert_non_null(fp);
    ps_error err = {0};
    assert_int_equal(ps_platform_generate(spec, fp, &err), PS_OK);
    assert_int_equal(fclose(fp), 0);
    return text;
}

static int count_of(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Every preset is valid, deterministic, carries the exact network configuration, and has one
 * host per GPU plus one switch host per NVSwitch node, and one route per unordered GPU pair
 * (plus the GPU-switch routes). */
static void test_presets(void **state)
{
    assert_true(ps_platform_preset_count() >= 9);
    for (int i = 0; i < ps_platform_preset_count(); i++) {
        const ps_platform_spec *s = ps_platform_preset_at(i);
        ps_error err = {0};
        assert_int_equal(ps_platform_spec_check(s, &err), PS_OK);
        assert_ptr_equal(ps_platform_preset_find(s->name), s);
        size_t len1, len2;
        char *a = generate_text(s, &len1), *b = generate_text(s, &len2);
        assert_int_equal(len1, len2);
        assert_memory_equal(a, b, len1);
        assert_non_null(strstr(a, "<prop id=\"host/model\" value=\"ptask_L07\"/>"));
        assert_non_null(strstr(a, "<prop id=\"network/TCP-gamma\" value=\"0\"/>"));
        int gpus = s->node_count * s->gpus_per_node;
        int switches = s->fabric == PS_FABRIC_NVSWITCH ? s->node_count : 0;
        assert_int_equal(count_of(a, "<host id="), gpus + switches);
        assert_int_equal(count_of(a, "<route "), gpus * (gpus - 1) / 2 + switches * s->gpus_per_node);
        /* Only multi-node platforms have NICs, and inter-node routes never use an NVLink port. */
        assert_int_equal(count_of(a, "<link id=\"nic_"), s->node_count > 1 ? gpus : 0);
        free(a);
        free(b);
    }
    assert_null(ps_platform_preset_find("hgx-h999"));
}

static void test_spec_check(void **state)
{
    ps_error err = {0};
    ps_platform_spec s = {.gpu_model = "h100-sxm", .node_count = 1, .gpus_per_node = 8,
                          .fabric = PS_FABRIC_NVSWITCH};
    assert_int_equal(ps_platform_spec_check(&s, &err), PS_OK);
    s.gpu_model = "h100-pcie";
    assert_int_equal(ps_platform_spec_check(&s, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "no NVLink"));
    s.fabric = PS_FABRIC_PCIE;
    assert_int_equal(ps_platform_spec_check(&s, &err), PS_OK);
    s.gpu_model = "tpu-v5";
    assert_int_equal(ps_platform_spec_check(&s, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "unknown GPU model 'tpu-v5'"));
    s.gpu_model = "h100-sxm";
    s.node_count = 0;
    assert_int_equal(ps_platform_spec_check(&s, &err), PS_EINPUT);
    s.node_count = 2;
    assert_int_equal(ps_platform_spec_check(&s, &err), PS_EINPUT); /* no NIC bandwidth */
    assert_non_null(strstr(err.message, "NIC"));
    s.nic_bytes_per_s = 50e9;
    assert_int_equal(ps_platform_spec_check(&s, &err), PS_OK);
    s.node_count = PS_PLATFORM_MAX_GPUS / 8 + 1;
    assert_int_equal(ps_platform_spec_check(&s, &err), PS_EINPUT);
}

static void test_fabric_names(void **state)
{
    ps_fabric f;
    const ps_fabric all[] = {PS_FABRIC_NVSWITCH, PS_FABRIC_MESH, PS_FABRIC_PCIE};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(ps_fabric_parse(ps_fabric_name(all[i]), &f), PS_OK);
        assert_int_equal(f, all[i]);
    }
    assert_int_equal(ps_fabric_parse("torus", &f), PS_EINPUT);
    assert_int_equal(ps_fabric_parse(NULL, &f), PS_EINPUT);
}

/* ---- validation of bad files (each in a forked SimGrid child) ---------------------------------- */

static int setup_dir(void **state)
{
    tmpdir *d = calloc(1, sizeof *d);
    if (!d)
        return -1;
    snprintf(d->path, sizeof d->path, "%s/parsim-platform-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(d->path))
        return -1;
    *state = d;
    return 0;
}

static int teardown_dir(void **state)
{
    tmpdir *d = *state;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->path);
    int rc = system(cmd);
    free(d);
    return rc == 0 ? 0 : -1;
}

/* Writes the hgx-h100 preset with `edit` applied (replace first `from` by `to`) to dir/name. */
static void write_variant(const tmpdir *d, const char *name, const char *from, const char *to,
                          char *path, size_t size)
{
    size_t len;
    char *text = generate_text(ps_platform_preset_find("hgx-h100"), &len);
    snprintf(path, size, "%s/%s", d->path, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    char *hit = from ? strstr(text, from) : NULL;
    if (from)
        assert_non_null(hit);
    if (hit) {
        fwrite(text, 1, (size_t)(hit - text), fp);
        fputs(to, fp);
        fputs(hit + strlen(from), fp);
    } else {
        fputs(text, fp);
    }
    assert_int_equal(fclose(fp), 0);
    free(text);
}

static void expect_invalid(const char *path, const char *reason)
{
    ps_error err = {0};
    assert_int_equal(ps_platform_validate(path, &err), PS_EINPUT);
    /* "FILE: reason": the message starts with the file and carries SimGrid's reason. */
    assert_memory_equal(err.message, path, strlen(path));
    if (!strstr(err.message, reason))
        fail_msg("message '%s' lacks '%s'", err.message, reason);
}

static void test_validate(void **state)
{
    tmpdir *d = *state;
    char path[4300];
    ps_error err = {0};

    write_variant(d, "good.xml", NULL, NULL, path, sizeof path);
    assert_int_equal(ps_platform_validate(path, &err), PS_OK);

    write_variant(d, "truncated.xml", "  </zone>\n</platform>\n", "", path, sizeof path);
    expect_invalid(path, "Parse error at");

    write_variant(d, "badlink.xml", "<link_ctn id=\"nvl_n0g1\"", "<link_ctn id=\"nvl_nope\"", path,
                  sizeof path);
    expect_invalid(path, "Link not found: nvl_nope");

    /* A duplicate route (here: a GPU-GPU route turned into a second GPU-switch route). */
    write_variant(d, "duproute.xml", "<route src=\"n0g0\" dst=\"n0g1\">",
                  "<route src=\"n0g0\" dst=\"n0sw\">", path, sizeof path);
    expect_invalid(path, "The route between n0g0 and n0sw already exists");

    snprintf(path, sizeof path, "%s/missing.xml", d->path);
    expect_invalid(path, "No such file or directory");

    expect_invalid(d->path, "not a regular file");
}

static void test_generate_file(void **state)
{
    tmpdir *d = *state;
    char path[4300];
    ps_error err = {0};
    ps_platform_spec s = {.gpu_model = "a100-sxm", .node_count = 2, .gpus_per_node = 4,
                          .fabric = PS_FABRIC_MESH, .nic_bytes_per_s = 25e9};
    snprintf(path, sizeof path, "%s/custom.xml", d->path);
    assert_int_equal(ps_platform_generate_file(&s, path, &err), PS_OK);
    assert_int_equal(ps_platform_validate(path, &err), PS_OK);
    s.gpu_model = "nope";
    assert_int_equal(ps_platform_generate_file(&s, path, &err), PS_EINPUT);
    snprintf(path, sizeof path, "%s/no/such/dir/x.xml", d->path);
    s.gpu_model = "h100-sxm";
    assert_int_equal(ps_platform_generate_file(&s, path, &err), PS_EINPUT);
}

/* The network kinds table: names unique and findable, "generic" first with the generator's
 * historical link latencies (so files without a kind describe what they carry), every figure in
 * the range the loader accepts, Simple always allowed (NCCL's network P2P is Simple-only). */
static void test_network_kinds(void **state)
{
    (void)state;
    assert_true(ps_network_kind_count() >= 7);
    const ps_network_kind *g = ps_network_kind_at(0);
    assert_string_equal(g->name, "generic");
    assert_true(g->nic_latency_us == 1.5 && g->switch_latency_us == 0.5);
    assert_true(g->plugin_latency_us == 0 && g->proxy_step_us == 0 && g->bandwidth_efficiency == 1);
    for (int i = 0; i < ps_network_kind_count(); i++) {
        const ps_network_kind *k = ps_network_kind_at(i);
        assert_ptr_equal(ps_network_kind_find(k->name), k);
        assert_true(k->nic_gbps > 0 && k->nic_latency_us > 0 && k->switch_latency_us >= 0);
        assert_true(k->plugin_latency_us >= 0 && k->proxy_step_us >= 0);
        assert_true(k->bandwidth_efficiency > 0 && k->bandwidth_efficiency <= 1);
        assert_true(k->channels_per_nic >= 1 && k->channels_per_nic <= 64);
        assert_true(k->protocols & PS_NET_PROTO_SIMPLE);
        /* The loader's own ranges (a shipped kind must load): 0..64 channels, min <= max. */
        assert_true(k->min_channels >= 0 && k->min_channels <= 64);
        assert_true(k->max_channels >= 0 && k->max_channels <= 64);
        assert_true(!k->min_channels || !k->max_channels || k->min_channels <= k->max_channels);
        assert_true(k->pxn == 0 || k->pxn == 1);
        assert_non_null(k->sources); /* --list-networks --network KIND prints them */
        assert_true(strlen(k->sources) > 0 && k->sources[strlen(k->sources) - 1] == '\n');
    }
    /* NCCL's defaults where no profile changes them; Google's TCPX profile sets
     * NCCL_MIN_NCHANNELS = NCCL_MAX_NCHANNELS = 12 and NCCL_P2P_PXN_LEVEL=0 (network.c). */
    assert_true(g->min_channels == 0 && g->max_channels == 0 && g->pxn == 1);
    assert_true(ps_network_kind_find("tcpx")->max_channels == 12 && ps_network_kind_find("tcpx")->pxn == 0);
    assert_null(ps_network_kind_find("infiniband"));
    assert_null(ps_network_kind_at(ps_network_kind_count()));
    /* What AWS and Google publish (sim/platform/network.c cites the lines). */
    assert_true(ps_network_kind_find("efa-p5")->plugin_latency_us == 75);
    assert_int_equal(ps_network_kind_find("tcpxo")->protocols, PS_NET_PROTO_LL128 | PS_NET_PROTO_SIMPLE);
    /* Google's TCPX profile: NCCL_ALGO=Ring, NCCL_PROTO=Simple (network.c cites it). */
    assert_int_equal(ps_network_kind_find("tcpx")->algorithms, PS_NET_ALGO_RING);
    assert_int_equal(ps_network_kind_find("tcpx")->protocols, PS_NET_PROTO_SIMPLE);
    assert_int_equal(ps_network_kind_find("ib-ndr")->algorithms, PS_NET_ALGO_ALL);
}

static void test_network_algorithms(void **state)
{
    (void)state;
    char buf[32];
    unsigned set = 0;
    for (unsigned m = 1; m <= PS_NET_ALGO_ALL; m++) {
        ps_network_algorithms_format(m, buf, sizeof buf);
        assert_int_equal(ps_network_algorithms_parse(buf, &set), PS_OK);
        assert_int_equal(set, m);
    }
    assert_int_equal(ps_network_algorithms_parse("NVLSTree,Ring", &set), PS_OK);
    assert_int_equal(set, PS_NET_ALGO_RING | PS_NET_ALGO_NVLS_TREE);
    static const char *const bad[] = {"", ",", "Ring,", "ring", "Ring,Ring", "NVLS", "Tree;Ring",
                                      "Ring,,Tree", "CollNet"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ps_network_algorithms_parse(bad[i], &set), PS_EINPUT);
}

static void test_network_protocols(void **state)
{
    (void)state;
    char buf[32];
    unsigned set = 0;
    for (unsigned m = 1; m <= PS_NET_PROTO_ALL; m++) {
        ps_network_protocols_format(m, buf, sizeof buf);
        assert_int_equal(ps_network_protocols_parse(buf, &set), PS_OK);
        assert_int_equal(set, m);
    }
    assert_int_equal(ps_network_protocols_parse("Simple,LL", &set), PS_OK);
    assert_int_equal(set, PS_NET_PROTO_LL | PS_NET_PROTO_SIMPLE);
    static const char *const bad[] = {"", ",", "LL,", ",LL", "LL,,Simple", "ll", "LL,LL", "Simple ",
                                      "LL128x", "LL;Simple"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ps_network_protocols_parse(bad[i], &set), PS_EINPUT);
    ps_network_protocols_format(PS_NET_PROTO_ALL, buf, 6); /* truncates, stays terminated */
    assert_string_equal(buf, "LL,LL");
}

/* A named kind writes its properties; --nic-latency-us moves the NIC links; an unnamed spec
 * writes none (the byte-identical files of before). */
/* NCCL's LL128 default across nodes (tuning.cc, sim/platform/network.c): PIX / PXB on every
 * architecture, PXN from sm90 only, PHB / SYS never; the names parse back and nothing else does. */
static void test_gpu_nic_path(void **state)
{
    (void)state;
    static const bool hopper[] = {true, true, true, false, false};
    static const bool ampere[] = {true, true, false, false, false};
    for (int i = 0; i < PS_GPU_NIC_PATH_COUNT; i++) {
        ps_gpu_nic_path back = PS_GPU_NIC_SYS;
        assert_int_equal(ps_gpu_nic_path_parse(ps_gpu_nic_path_name((ps_gpu_nic_path)i), &back), PS_OK);
        assert_int_equal(back, i);
        assert_int_equal(ps_network_ll128_by_default((ps_gpu_nic_path)i, "hopper"), hopper[i]);
        assert_int_equal(ps_network_ll128_by_default((ps_gpu_nic_path)i, "blackwell"), hopper[i]);
        assert_int_equal(ps_network_ll128_by_default((ps_gpu_nic_path)i, "ampere"), ampere[i]);
    }
    ps_gpu_nic_path out;
    const char *bad[] = {"PIX", "node", "", "pix ", NULL};
    for (int i = 0; i < 5; i++)
        assert_int_equal(ps_gpu_nic_path_parse(bad[i], &out), PS_EINPUT);
    /* Every kind keeps LL128 on Hopper by its path: a shipped kind losing it would move the
     * validated multi-node numbers (docs/validation.md), so it must be a deliberate change here. */
    for (int i = 0; i < ps_network_kind_count(); i++)
        assert_true(ps_network_ll128_by_default(ps_network_kind_at(i)->gpu_nic_path, "hopper"));
}

static void test_network_spec(void **state)
{
    (void)state;
    ps_platform_spec s = {.gpu_model = "h100-sxm", .node_count = 2, .gpus_per_node = 2,
                          .fabric = PS_FABRIC_NVSWITCH, .nic_bytes_per_s = 50e9,
                          .network = "efa-p5"};
    size_t len;
    char *a = generate_text(&s, &len);
    assert_non_null(strstr(a, "<prop id=\"network\" value=\"efa-p5\"/>"));
    assert_non_null(strstr(a, "<prop id=\"network_plugin_latency_us\" value=\"75\"/>"));
    assert_non_null(strstr(a, "id=\"nic_n0g0\" bandwidth=\"5e+01GBps\" latency=\"1500ns\""));
    free(a);
    s.nic_latency_us = 2.5;
    a = generate_text(&s, &len);
    assert_non_null(strstr(a, "id=\"nic_n0g0\" bandwidth=\"5e+01GBps\" latency=\"2500ns\""));
    assert_non_null(strstr(a, "<prop id=\"network_nic_latency_us\" value=\"2.5\"/>"));
    free(a);
    s.network = NULL;
    s.nic_latency_us = 0;
    a = generate_text(&s, &len);
    assert_null(strstr(a, "<prop id=\"network\""));
    assert_null(strstr(a, "<prop id=\"network_"));
    free(a);
    ps_error err = {0};
    s.network = "myrinet";
    assert_int_equal(ps_platform_spec_check(&s, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "unknown network kind 'myrinet'"));
    s.network = NULL;
    s.nic_latency_us = -1;
    assert_int_equal(ps_platform_spec_check(&s, &err), PS_EINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_presets),
        cmocka_unit_test(test_spec_check),
        cmocka_unit_test(test_fabric_names),
        cmocka_unit_test(test_network_kinds),
        cmocka_unit_test(test_network_protocols),
        cmocka_unit_test(test_network_algorithms),
        cmocka_unit_test(test_network_spec),
        cmocka_unit_test(test_gpu_nic_path),
        cmocka_unit_test_setup_teardown(test_validate, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_generate_file, setup_dir, teardown_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
