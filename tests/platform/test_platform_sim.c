/* tests/platform/test_platform_sim.c: SimGrid simulations on the shipped platforms (issue 3).
 *
 * One process per scenario (SimGrid has one engine per process): `test_platform_sim NAME` loads
 * platforms/NAME.xml (or, for "edited", a user-edited copy of hgx-h100) and runs phases of
 * concurrent transfers. Each transfer is a rendezvous put/get between an actor on the source GPU
 * and one on the destination; a phase starts all its transfers at once and ends when all arrived.
 * The expected bandwidth of every transfer is the hardware figure the issue states (450 GB/s
 * NVLink4 per GPU and direction, 450/7 on the mesh, 63 GB/s PCIe Gen5 x16, 50 GB/s = 400 Gb/s
 * NIC, 900 GB/s NVLink5), never a value read back from the code under test; the latency is the
 * route latency the loader reports. Expected end = latency + bytes / bandwidth.
 *
 * Tolerance: 1e-4 relative. SimGrid with the exact configuration is exact to ~1e-13
 * (../shared/notes/simgrid.md 2.2); the sharing solver's maxmin/precision default is 1e-5 of a
 * link's capacity, so 1e-4 bounds it with margin and stays far inside the 0.1 %.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/mailbox.h>
#include <simgrid/semaphore.h>

#include "parsim/platform.h"

#define REL_TOL 1e-4
#define GB 1e9
#define SW(node) (-1 - (node)) /* a flow endpoint that is the node's NVSwitch host */
#define MAX_FLOWS 160

typedef struct flow {
    int src, dst;              /* GPU ranks, or SW(node) */
    double bytes;
    double expect_bytes_per_s; /* the bandwidth the transfer must get */
    double end_s;              /* simulated, from the phase start */
} flow;

typedef struct phase {
    const char *name;
    int count;
    flow flows[MAX_FLOWS];
} phase;

typedef struct scenario {
    const char *name;
    const char *platform_file; /* relative to the source dir, or an absolute temp path */
    int phase_count;
    phase *phases;
    ps_platform *platform;
    double exec_s; /* simulated time of 1 ms worth of FLOPs on GPU 0 */
} scenario;

typedef struct flow_run {
    flow *f;
    sg_mailbox_t mailbox;
    sg_sem_t done;
    double t0;
} flow_run;

/* ---- actors ------------------------------------------------------------------------------ */

static void sender(int argc, char **argv)
{
    flow_run *run = sg_actor_self_get_data();
    static int payload; /* any non-NULL pointer: SimGrid refuses to send NULL */
    sg_mailbox_put(run->mailbox, &payload, (long)run->f->bytes);
}

static void receiver(int argc, char **argv)
{
    flow_run *run = sg_actor_self_get_data();
    (void)sg_mailbox_get(run->mailbox);
    run->f->end_s = simgrid_get_clock() - run->t0;
    sg_sem_release(run->done);
}

static sg_host_t endpoint(const scenario *sc, int who)
{
    if (who < 0)
        return ps_platform_switch_host(sc->platform, -1 - who);
    return ps_platform_gpu_at(sc->platform, who)->host;
}

static void spawn(const char *role, int p, int i, sg_host_t host, xbt_main_func_t code, flow_run *run)
{
    char name[64];
    snprintf(name, sizeof name, "%s-%d-%d", role, p, i);
    sg_actor_t actor = sg_actor_init(name, host);
    sg_actor_set_data(actor, run);
    sg_actor_start(actor, code, 0, NULL);
}

/* Runs the phases one after the other, each starting when the previous one finished. */
static void controller(int argc, char **argv)
{
    scenario *sc = sg_actor_self_get_data();
    /* Compute under ptask_L07 must stay exact too: 1 ms worth of the host's FLOP/s. */
    double start = simgrid_get_clock();
    sg_actor_execute(sg_host_get_speed(sg_host_self()) * 1e-3);
    sc->exec_s = simgrid_get_clock() - start;
    for (int p = 0; p < sc->phase_count; p++) {
        phase *ph = &sc->phases[p];
        flow_run runs[MAX_FLOWS];
        sg_sem_t done = sg_sem_init(0);
        double t0 = simgrid_get_clock();
        for (int i = 0; i < ph->count; i++) {
            char mb[64];
            snprintf(mb, sizeof mb, "flow-%d-%d", p, i);
            runs[i] = (flow_run){&ph->flows[i], sg_mailbox_by_name(mb), done, t0};
            spawn("send", p, i, endpoint(sc, ph->flows[i].src), sender, &runs[i]);
            spawn("recv", p, i, endpoint(sc, ph->flows[i].dst), receiver, &runs[i]);
        }
        for (int i = 0; i < ph->count; i++)
            sg_sem_acquire(done);
        sg_sem_destroy(done);
    }
}

/* ---- phase builders ------------------------------------------------------------------------ */

static void add(phase *ph, int src, int dst, double bytes, double bw)
{
    assert_true(ph->count < MAX_FLOWS);
    ph->flows[ph->count++] = (flow){src, dst, bytes, bw, -1};
}

static void ring(phase *ph, int first, int n, double bw) /* first+i -> first+(i+1)%n */
{
    for (int i = 0; i < n; i++)
        add(ph, first + i, first + (i + 1) % n, GB, bw);
}

/* NVSwitch node of 8: the tests plus NVLS endpoints and both directions of a pair. */
static int nvswitch8(phase *ph, double port)
{
    ph[0] = (phase){.name = "one 1 GB transfer GPU0->GPU1"};
    add(&ph[0], 0, 1, GB, port);
    ph[1] = (phase){.name = "GPU0 -> GPU1..7 at once: each gets port/7"};
    for (int d = 1; d < 8; d++)
        add(&ph[1], 0, d, GB, port / 7);
    ph[2] = (phase){.name = "ring i -> i+1: each gets the full port"};
    ring(&ph[2], 0, 8, port);
    ph[3] = (phase){.name = "GPU0 <-> GPU1 both ways: directions are independent"};
    add(&ph[3], 0, 1, GB, port);
    add(&ph[3], 1, 0, GB, port);
    ph[4] = (phase){.name = "NVLS reduce: every GPU -> switch, each its own UP port"};
    for (int g = 0; g < 8; g++)
        add(&ph[4], g, SW(0), GB, port);
    ph[5] = (phase){.name = "NVLS multicast: switch -> every GPU, each its own DOWN port"};
    for (int g = 0; g < 8; g++)
        add(&ph[5], SW(0), g, GB, port);
    return 6;
}

static int build_phases(const char *name, phase *ph)
{
    const double nvl4 = 450 * GB;     /* NVLink4 per GPU per direction (hardware.md 3.2) */
    const double nvl5 = 900 * GB;     /* NVLink5 (hardware.md 3.5) */
    const double pcie5 = 63 * GB;     /* Gen5 x16 per direction (hardware.md 3.4) */
    const double nic = 400 * GB / 8;  /* 400 Gb/s ConnectX-7 (hardware.md 3.4) */
    if (!strcmp(name, "hgx-h100") || !strcmp(name, "hgx-h200") || !strcmp(name, "edited"))
        return nvswitch8(ph, nvl4);
    if (!strcmp(name, "hgx-b200"))
        return nvswitch8(ph, nvl5);
    if (!strcmp(name, "mesh8-h200")) {
        ph[0] = (phase){.name = "single pair: one private link, 450/7"};
        add(&ph[0], 0, 1, GB, nvl4 / 7);
        ph[1] = (phase){.name = "ring of 8: still 450/7 each (PP stage-to-stage case)"};
        ring(&ph[1], 0, 8, nvl4 / 7);
        ph[2] = (phase){.name = "fan-out to 7 peers: 7 links, 450/7 each"};
        for (int d = 1; d < 8; d++)
            add(&ph[2], 0, d, GB, nvl4 / 7);
        return 3;
    }
    if (!strcmp(name, "pcie8-h100")) {
        ph[0] = (phase){.name = "same PCIe switch: x16 both sides"};
        add(&ph[0], 0, 1, GB, pcie5);
        ph[1] = (phase){.name = "two GPUs of switch 0 to switch 1: share the switch uplink"};
        add(&ph[1], 0, 2, GB, pcie5 / 2);
        add(&ph[1], 1, 3, GB, pcie5 / 2);
        ph[2] = (phase){.name = "across CPU sockets: x16 still the bottleneck"};
        add(&ph[2], 0, 4, GB, pcie5);
        return 3;
    }
    if (!strcmp(name, "dgx-h100-x2")) {
        ph[0] = (phase){.name = "one inter-node transfer n0g0 -> n1g0: 400 Gb/s"};
        add(&ph[0], 0, 8, GB, nic);
        ph[1] = (phase){.name = "8 rails n0gi -> n1gi at 50 GB/s while both nodes run an NVLink ring"};
        for (int g = 0; g < 8; g++)
            add(&ph[1], g, 8 + g, GB, nic);
        ring(&ph[1], 0, 8, nvl4);
        ring(&ph[1], 8, 8, nvl4);
        ph[2] = (phase){.name = "same-rail and cross-rail flows from one GPU share its NIC fairly"};
        add(&ph[2], 0, 8, GB, nic / 2);
        add(&ph[2], 0, 9, GB, nic / 2);
        return 3;
    }
    if (!strcmp(name, "gb200-nvl72")) {
        ph[0] = (phase){.name = "any pair (0 -> 71): 900 GB/s"};
        add(&ph[0], 0, 71, GB, nvl5);
        ph[1] = (phase){.name = "ring of 72: 900 GB/s each"};
        ring(&ph[1], 0, 72, nvl5);
        return 2;
    }
    fail_msg("unknown scenario '%s'", name);
    return 0;
}

/* ---- the user-edited platform ---------------------------------------------------------------- */

/* Replaces the first occurrence of `from` in text (in place, text has room). */
static void replace(char *text, size_t cap, const char *from, const char *to)
{
    char *hit = strstr(text, from);
    assert_non_null(hit);
    size_t tail = strlen(hit + strlen(from));
    assert_true(strlen(text) - strlen(from) + strlen(to) < cap);
    memmove(hit + strlen(to), hit + strlen(from), tail + 1);
    memcpy(hit, to, strlen(to));
}

/* A copy of hgx-h100.xml as a user might edit it: no <config> block, n0g3's HBM changed, n0g5's
 * sm_count removed (the catalogue fills it in). Returns the temp path. */
static char *write_edited(const char *src_dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/platforms/hgx-h100.xml", src_dir);
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    size_t cap = 1 << 20;
    char *text = calloc(1, cap);
    assert_non_null(text);
    size_t n = fread(text, 1, cap - 1, in);
    fclose(in);
    text[n] = '\0';
    char *start = strstr(text, "  <config>"), *stop = strstr(text, "</config>\n");
    assert_true(start && stop);
    memmove(start, stop + strlen("</config>\n"), strlen(stop + strlen("</config>\n")) + 1);
    char *g3 = strstr(text, "<host id=\"n0g3\"");
    assert_non_null(g3);
    replace(g3, cap - (size_t)(g3 - text), "value=\"8e+10\"", "value=\"12345\"");
    char *g5 = strstr(text, "<host id=\"n0g5\"");
    assert_non_null(g5);
    replace(g5, cap - (size_t)(g5 - text), "<prop id=\"sm_count\" value=\"132\"/>", "");
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *out = malloc(4096);
    assert_non_null(out);
    snprintf(out, 4096, "%s/parsim-edited-XXXXXX", tmp);
    int fd = mkstemp(out);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    free(text);
    return out;
}

static void check_edited(const ps_platform *p)
{
    /* The warning is how the CLI learns it must tell the user; flows are still exact (phases). */
    assert_non_null(ps_platform_warning(p));
    assert_non_null(strstr(ps_platform_warning(p), "no exact network configuration"));
    assert_true(ps_platform_gpu_at(p, 3)->hbm_bytes == 12345);   /* file wins */
    assert_true(ps_platform_gpu_at(p, 2)->hbm_bytes == 80e9);    /* H100 SXM5 80 GB */
    assert_int_equal(ps_platform_gpu_at(p, 5)->sm_count, 132);   /* catalogue fills the gap */
}

/* ---- checks ------------------------------------------------------------------------------------ */

static double route_latency(const scenario *sc, int src, int dst)
{
    if (src >= 0 && dst >= 0) {
        double bw, lat;
        ps_error err = {0};
        assert_int_equal(ps_platform_route(sc->platform, src, dst, &bw, &lat, &err), PS_OK);
        return lat;
    }
    return sg_host_get_route_latency(endpoint(sc, src), endpoint(sc, dst));
}

static void check_phase(const scenario *sc, const phase *ph)
{
    for (int i = 0; i < ph->count; i++) {
        const flow *f = &ph->flows[i];
        double lat = route_latency(sc, f->src, f->dst);
        double want = lat + f->bytes / f->expect_bytes_per_s;
        double got = f->end_s;
        double rate = f->bytes / (got - lat);
        printf("  %-70s %3d->%-3d %9.4f GB/s  %.9f s (want %.9f)\n", i == 0 ? ph->name : "",
               f->src, f->dst, rate / GB, got, want);
        if (!(got > 0) || (got - want > REL_TOL * want) || (want - got > REL_TOL * want))
            fail_msg("%s: %s: flow %d->%d ended at %.12g s, want %.12g s", sc->name, ph->name,
                     f->src, f->dst, got, want);
    }
}

static void test_scenario(void **state)
{
    scenario *sc = *state;
    ps_error err = {0};
    char path[4096];
    char *edited = NULL;
    const char *src = getenv("PARSIM_SOURCE_DIR") ? getenv("PARSIM_SOURCE_DIR") : ".";
    if (!strcmp(sc->name, "edited")) {
        edited = write_edited(src);
        sc->platform_file = edited;
    } else {
        snprintf(path, sizeof path, "%s/platforms/%s.xml", src, sc->name);
        sc->platform_file = path;
    }
    sc->phase_count = build_phases(sc->name, sc->phases);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = ps_platform_load(sc->platform_file, &sc->platform, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc)
        fail_msg("%s", err.message);
    double load_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    printf("%s: loaded %s (%d GPUs) in %.3f s\n", sc->name, sc->platform_file,
           ps_platform_gpu_count(sc->platform), load_s);
#ifndef PARSIM_SANITIZED
    /* The issue asks that gb200-nvl72 loads in under a second. Measured ~0.05 s here (validation
     * child included), so the bound has a 20x margin for a loaded CI machine; sanitizer builds
     * are 2-10x slower and skip it. Load speed itself is tracked by bench/bench_platform_load. */
    if (!strcmp(sc->name, "gb200-nvl72"))
        assert_true(load_s < 1.0);
#endif
    /* A plan needing more GPUs than the platform has is refused, naming both counts. */
    int n = ps_platform_gpu_count(sc->platform);
    assert_int_equal(ps_platform_check_gpu_count(sc->platform, n + 1, false, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "GPUs, the platform has"));
    assert_int_equal(ps_platform_check_gpu_count(sc->platform, n - 1, true, &err), PS_EINPUT);
    assert_int_equal(ps_platform_check_gpu_count(sc->platform, n - 1, false, &err), PS_OK);
    double bw, lat;
    assert_int_equal(ps_platform_route(sc->platform, 0, n, &bw, &lat, &err), PS_EINPUT);
    if (!strcmp(sc->name, "edited"))
        check_edited(sc->platform);
    else
        assert_null(ps_platform_warning(sc->platform));
    sg_actor_t ctl = sg_actor_init("controller", ps_platform_gpu_at(sc->platform, 0)->host);
    sg_actor_set_data(ctl, sc);
    sg_actor_start(ctl, controller, 0, NULL);
    simgrid_run();
    assert_true(sc->exec_s > 1e-3 * (1 - REL_TOL) && sc->exec_s < 1e-3 * (1 + REL_TOL));
    assert_true(sg_host_get_speed(ps_platform_gpu_at(sc->platform, 0)->host) ==
                ps_platform_gpu_at(sc->platform, 0)->peak_flops_bf16);
    for (int p = 0; p < sc->phase_count; p++)
        check_phase(sc, &sc->phases[p]);
    ps_platform_free(sc->platform);
    if (edited) {
        unlink(edited);
        free(edited);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_platform_sim SCENARIO\n");
        return 2;
    }
    static phase phases[8];
    scenario sc = {.name = argv[1], .phases = phases};
    const struct CMUnitTest tests[] = {cmocka_unit_test_prestate(test_scenario, &sc)};
    return cmocka_run_group_tests_name(sc.name, tests, NULL, NULL);
}
