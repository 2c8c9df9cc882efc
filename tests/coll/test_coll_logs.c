/* tests/coll/test_coll_logs.c: the nccl-tests log reader on the corpus of real-world layouts in
 * tests/coll/logs/ (synthetic logs in the layouts public logs have; make_corpus.py says which and
 * writes, for each NAME.log, NAME.expect: the exact reading -- every test's op, GPU count, -g,
 * type, 0-byte rows skipped, and every size with its out-of-place time -- or the one-line error).
 * A regression in any layout changes a dump and fails here. Each "run gpus=N" block of an
 * .expect reads the log once with that --gpus (0: none).
 */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parsim/coll.h"

#define MAX_DUMP (1 << 20)

static char dir[512];

static void append(char *buf, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *len, MAX_DUMP - *len, fmt, ap);
    va_end(ap);
    if (w > 0)
        *len += (size_t)w < MAX_DUMP - *len ? (size_t)w : MAX_DUMP - *len - 1;
}

/* The reading of `name` with --gpus `gpus`, as the .expect files write it. */
static void dump(const char *name, int gpus, char *out)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%.600s", dir, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    ps_nccl_log log;
    ps_error err = {0, ""};
    size_t len = 0;
    out[0] = '\0';
    if (ps_nccl_log_read_stream(f, name, gpus, &log, &err)) {
        append(out, &len, "error: %s\n", err.message);
    } else {
        for (int i = 0; i < log.n_curves; i++) {
            const ps_nccl_curve *c = &log.curves[i];
            append(out, &len, "test %d line %d op %s modelled %d gpus %d gpt %d type %d zero %d "
                   "rows %d\n", c->section, c->line, c->op_name[0] ? c->op_name : "-",
                   c->has_op ? 1 : 0, c->gpus, c->gpus_per_thread, c->type_bytes, c->zero_rows,
                   c->n_rows);
            for (int r = 0; r < c->n_rows; r++)
                append(out, &len, "%.0f %.10g\n", c->size_bytes[r], c->time_us[r]);
        }
        ps_nccl_log_free(&log);
    }
    fclose(f);
}

/* Compares every run block of NAME.expect; returns the number of mismatches (printed). */
static int check_expect(const char *expect_name)
{
    char path[1200], log_name[512];
    snprintf(path, sizeof path, "%s/%.600s", dir, expect_name);
    snprintf(log_name, sizeof log_name, "%.*s.log", (int)(strlen(expect_name) - 7) & 255,
             expect_name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char want[MAX_DUMP], got[MAX_DUMP];
    char line[4096];
    int bad = 0, gpus = -1, runs = 0;
    size_t wlen = 0;
    for (bool more = true; more;) {
        more = fgets(line, sizeof line, f) != NULL;
        bool run = more && !strncmp(line, "run gpus=", 9);
        if ((run || !more) && gpus >= 0) { /* the previous block is complete */
            dump(log_name, gpus, got);
            if (strcmp(want, got)) {
                printf("%s (--gpus %d): reading differs\n--- expected\n%s--- read\n%s", log_name,
                       gpus, want, got);
                bad++;
            }
            runs++;
        }
        if (run) {
            gpus = atoi(line + 9);
            wlen = 0;
            want[0] = '\0';
        } else if (more && line[0] != '#' && gpus >= 0) {
            append(want, &wlen, "%s", line);
        }
    }
    fclose(f);
    if (runs == 0) {
        printf("%s: no run block\n", expect_name);
        bad++;
    }
    return bad;
}

static void test_corpus(void **state)
{
    (void)state;
    DIR *d = opendir(dir);
    assert_non_null(d);
    int files = 0, bad = 0;
    char names[256][256];
    for (struct dirent *e; (e = readdir(d)) && files < 256;) {
        size_t n = strlen(e->d_name);
        if (n > 7 && !strcmp(e->d_name + n - 7, ".expect"))
            snprintf(names[files++], sizeof names[0], "%s", e->d_name);
    }
    closedir(d);
    for (int i = 0; i < files; i++)
        bad += check_expect(names[i]);
    printf("%d logs, %d mismatches\n", files, bad);
    assert_true(files >= 21); /* the corpus is there (make_corpus.py writes 21) */
    assert_int_equal(bad, 0);
}

int main(void)
{
    const char *src = getenv("PARSIM_SOURCE_DIR");
    snprintf(dir, sizeof dir, "%s/tests/coll/logs", src ? src : ".");
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_corpus)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
