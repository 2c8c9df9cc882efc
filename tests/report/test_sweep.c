/* Sweep machinery: layout space, shards, shard files and their merge, worker processes. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "parsim/model.h"
#include "parsim/sweep.h"
#include "sweep_fixture.h"

static void test_layouts_405b(void **state)
{
    (void)state;
    const ps_model *m = ps_model_find_preset("llama3.1-405b");
    assert_non_null(m);
    ps_layout *l;
    size_t n;
    ps_error err;
    /* 128 heads, 8 KV heads, 126 layers: every divisor split of 8 GPUs is allowed. */
    assert_int_equal(ps_sweep_layouts(m, 8, 8, false, &l, &n, &err), PS_OK);
    int want[][3] = {{1, 1, 8}, {1, 2, 4}, {1, 4, 2}, {1, 8, 1}, {2, 1, 4},
                     {2, 2, 2}, {2, 4, 1}, {4, 1, 2}, {4, 2, 1}, {8, 1, 1}};
    assert_int_equal(n, 10);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(l[i].tp, want[i][0]);
        assert_int_equal(l[i].pp, want[i][1]);
        assert_int_equal(l[i].dp, want[i][2]);
    }
    free(l);
    /* 4 GPUs per node (dgx with 4 per node): TP8 would straddle two nodes */
    assert_int_equal(ps_sweep_layouts(m, 8, 4, false, &l, &n, &err), PS_OK);
    assert_int_equal(n, 9);
    assert_int_equal(l[n - 1].tp, 4);
    free(l);
    assert_int_equal(ps_sweep_layouts(m, 8, 4, true, &l, &n, &err), PS_OK);
    assert_int_equal(n, 10);
    free(l);
}

/* A model whose rules cut the space: 2 layers (pp <= 2), 6 heads and 2 KV heads (tp in 1, 2, 6). */
static void test_layouts_rules(void **state)
{
    (void)state;
    ps_model m = *ps_model_find_preset("llama3.1-8b");
    m.layers = 2;
    m.heads = 6;
    m.kv_heads = 2;
    m.intermediate = 6 * 1024;
    ps_layout *l;
    size_t n;
    ps_error err;
    assert_int_equal(ps_sweep_layouts(&m, 4, 4, false, &l, &n, &err), PS_OK);
    /* tp 1: pp 1, 2 (pp 4 > 2 layers); tp 2: pp 1, 2; tp 4 does not divide 6 heads */
    assert_int_equal(n, 4);
    assert_int_equal(l[3].tp, 2);
    assert_int_equal(l[3].pp, 2);
    free(l);
    assert_int_equal(ps_sweep_layouts(&m, 0, 4, false, &l, &n, &err), PS_EINPUT);
}

static void test_shard_parse(void **state)
{
    (void)state;
    ps_shard s;
    ps_error err;
    assert_int_equal(ps_shard_parse("2/3", "--shard", &s, &err), PS_OK);
    assert_int_equal(s.index, 2);
    assert_int_equal(s.count, 3);
    assert_int_equal(ps_shard_parse("4/3", "--shard", &s, &err), PS_EINPUT);
    assert_string_equal(err.message, "--shard: shard 4 of 3 is out of range (K goes from 1 to N)");
    assert_int_equal(ps_shard_parse("0/3", "--shard", &s, &err), PS_EINPUT);
    assert_int_equal(ps_shard_parse("3", "--shard", &s, &err), PS_EINPUT);
    assert_int_equal(ps_shard_parse("1/x", "--shard", &s, &err), PS_EINPUT);
    /* 10 cases in 3 shards: 4, 3, 3; every case in exactly one shard */
    size_t sizes[3] = {4, 3, 3};
    for (int k = 1; k <= 3; k++) {
        s = (ps_shard){k, 3};
        assert_int_equal(ps_shard_size(&s, 10), sizes[k - 1]);
    }
    for (size_t c = 0; c < 10; c++) {
        int holders = 0;
        for (int k = 1; k <= 3; k++)
            holders += ps_shard_holds(&(ps_shard){k, 3}, c);
        assert_int_equal(holders, 1);
    }
    s = (ps_shard){5, 5};
    assert_int_equal(ps_shard_size(&s, 3), 0);
}

#define NROWS 7
static void make_rows(ps_sweep_row *rows)
{
    int lay[][3] = {{1, 1, 8}, {2, 2, 2}, {8, 1, 1}};
    size_t i = 0;
    for (int p = 0; p < 2; p++)
        for (int l = 0; l < 3 && i < NROWS; l++)
            for (int s = 0; s < 2 && i < NROWS; s++)
                fixture_row(&rows[i++], p ? "mesh8-h200" : "hgx-h200", lay[l][0], lay[l][1], lay[l][2], s,
                            lay[l][0] != 1);
    ps_error err;
    for (i = 0; i < NROWS; i++)
        assert_int_equal(ps_report_canonicalize(&rows[i], &err), PS_OK);
}

static char *write_shard(const char *dir, int slot, int k, int n, const char *digest, const ps_sweep_row *rows)
{
    static char path[8][512];
    snprintf(path[slot], sizeof path[slot], "%s/shard%d.csv", dir, slot);
    FILE *fp = fopen(path[slot], "w");
    assert_non_null(fp);
    ps_shard s = {k, n};
    ps_sweep_row mine[NROWS];
    size_t count = 0;
    for (size_t c = 0; c < NROWS; c++)
        if (ps_shard_holds(&s, c))
            mine[count++] = rows[c];
    ps_error err;
    assert_int_equal(ps_shard_write(fp, &s, NROWS, digest, "--model x --gpus 8", mine, count, &err), PS_OK);
    fclose(fp);
    return path[slot];
}

static char *csv_of(const ps_sweep_row *rows, size_t n)
{
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    ps_error err;
    assert_int_equal(ps_report_write_csv(mem, rows, n, &err), PS_OK);
    fclose(mem);
    return text;
}

static int merge_paths(const char **paths, size_t n, ps_sweep_row **rows, size_t *count, ps_error *err)
{
    ps_shard_file files[8];
    size_t read = 0;
    int rc = PS_OK;
    for (; read < n && rc == PS_OK; read++)
        rc = ps_shard_read(paths[read], &files[read], err);
    if (rc)
        read--;
    if (!rc)
        rc = ps_shard_merge(files, n, paths, rows, count, err);
    for (size_t i = 0; i < read; i++)
        ps_shard_file_free(&files[i]);
    return rc;
}

static void test_merge(void **state)
{
    (void)state;
    char dir[] = "/tmp/parsim-shardXXXXXX";
    assert_non_null(mkdtemp(dir));
    ps_sweep_row rows[NROWS];
    make_rows(rows);
    ps_sweep_row whole[NROWS];
    memcpy(whole, rows, sizeof whole);
    ps_report_mark(whole, NROWS);
    char *want = csv_of(whole, NROWS);

    const char *p[4];
    p[0] = write_shard(dir, 3, 3, 3, "00000000000000aa", rows); /* order of the files does not matter */
    p[1] = write_shard(dir, 1, 1, 3, "00000000000000aa", rows);
    p[2] = write_shard(dir, 2, 2, 3, "00000000000000aa", rows);
    ps_sweep_row *merged;
    size_t count;
    ps_error err;
    assert_int_equal(merge_paths(p, 3, &merged, &count, &err), PS_OK);
    assert_int_equal(count, NROWS);
    ps_report_mark(merged, count);
    char *got = csv_of(merged, count);
    assert_string_equal(got, want); /* byte for byte the unsharded CSV */
    free(got);
    free(merged);

    assert_int_equal(merge_paths(p, 2, &merged, &count, &err), PS_EINPUT);
    assert_string_equal(err.message, "--merge: shard 2/3 is missing (2 of 3 shards given)");
    const char *dup[3] = {p[0], p[1], p[1]};
    assert_int_equal(merge_paths(dup, 3, &merged, &count, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "duplicate of shard 1/3"));
    const char *other[3] = {p[0], p[1], write_shard(dir, 4, 2, 3, "00000000000000bb", rows)};
    assert_int_equal(merge_paths(other, 3, &merged, &count, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "shard of a different sweep"));

    /* a shard cut short, and a file that is not a shard */
    FILE *fp = fopen(p[1], "r+");
    assert_int_equal(ftruncate(fileno(fp), 900), 0);
    fclose(fp);
    assert_int_equal(merge_paths(p, 3, &merged, &count, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "shard1.csv"));
    fp = fopen(p[1], "w");
    fputs(want, fp);
    fclose(fp);
    assert_int_equal(merge_paths(p, 3, &merged, &count, &err), PS_EINPUT);
    assert_non_null(strstr(err.message, "shard1.csv:1: not a parsim sweep shard"));
    free(want);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- worker processes ---- */
typedef struct job_ctx {
    int fail_case, crash_case;
} job_ctx;

static int job_run(void *ctx, size_t c, void *result, ps_error *err)
{
    ps_prediction *out = result;
    const job_ctx *j = ctx;
    if ((int)c == j->crash_case)
        raise(SIGKILL);
    if ((int)c == j->fail_case)
        return ps_error_set(err, PS_EINPUT, "case %zu: impossible", c);
    printf("noise on stdout from case %zu\n", c); /* must not reach the sweep's stdout */
    fixture_prediction(out, 1 + (int)c % 4, 1 + (int)c % 3, (int)c % 2, true);
    out->gpus = (int)c; /* which case answered */
    return PS_OK;
}

static void job_describe(void *ctx, size_t c, char *buf, size_t size)
{
    (void)ctx;
    snprintf(buf, size, "case %zu", c);
}

static void test_workers(void **state)
{
    (void)state;
    enum { N = 23 };
    size_t cases[N];
    for (size_t i = 0; i < N; i++)
        cases[i] = 100 + i;
    job_ctx ctx = {-1, -1};
    ps_prediction one[N], three[N];
    ps_error err;
    ps_sweep_runner r = {job_run, job_describe, NULL, &ctx, 1, sizeof(ps_prediction)};
    assert_int_equal(ps_sweep_run(&r, cases, N, one, &err), PS_OK);
    r.jobs = 3;
    assert_int_equal(ps_sweep_run(&r, cases, N, three, &err), PS_OK);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(three[i].gpus, 100 + (int)i);
    assert_memory_equal(one, three, sizeof one); /* independent of the number of workers */

    ctx.fail_case = 107;
    assert_int_equal(ps_sweep_run(&r, cases, N, three, &err), PS_EINPUT);
    assert_string_equal(err.message, "case 107: impossible");
    ctx = (job_ctx){-1, 111};
    assert_int_equal(ps_sweep_run(&r, cases, N, three, &err), PS_EINTERNAL);
    assert_string_equal(err.message, "case 111: the prediction process died (signal 9, Killed)");
    assert_true(ps_sweep_cpu_count() >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layouts_405b), cmocka_unit_test(test_layouts_rules),
        cmocka_unit_test(test_shard_parse), cmocka_unit_test(test_merge), cmocka_unit_test(test_workers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
