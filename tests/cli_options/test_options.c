/* parsim/options.h (core/util/options.c): the rules getopt_long gave every command (inline and separate values, unique
 * prefixes, interleaved positionals, "--"), the "given twice" rule, the one-line errors, and the
 * --help text generated from the same table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "parsim/options.h"

typedef struct parsed {
    int json, count;
    const char *output, *name;
    int calls;
    const char *last;
    ps_workload_args workload;
    char *positional[16];
    int npositional;
} parsed;

static int count_calls(const ps_option *opt, const char *value, ps_error *err)
{
    (void)err;
    parsed *p = opt->data;
    p->calls++;
    p->last = value;
    return PS_OK;
}

static const char *const usage_lines[] = {"parsim demo [options] FILE...", "parsim demo --list", NULL};

static int run(parsed *p, bool positional, int argc, char **argv, ps_error *err)
{
    memset(p, 0, sizeof *p);
    ps_workload_args_init(&p->workload, "parsim demo");
    const ps_option opts[] = {
        PS_OPT_GROUP("output"),
        PS_OPT_FLAG(0, "json", &p->json, "one JSON object"),
        PS_OPT_STRING('o', "output", &p->output, "FILE", "write to FILE\n(atomically)"),
        PS_OPT_STRING(0, "name", &p->name, "NAME", "a name"),
        PS_OPT_INT('n', "count", &p->count, "N", 1, 10, "how many"),
        PS_OPT_CALLBACK(0, "curve", "LOG", "repeatable", count_calls, p, PS_OPT_REPEATABLE),
        PS_OPT_WORKLOAD(&p->workload),
        PS_OPT_END(),
    };
    const ps_command_help help = {.command = "parsim demo", .usage = usage_lines, .description = "Demo.",
                                  .positional = positional};
    memset(err, 0, sizeof *err);
    return ps_options_parse(&help, opts, argc, argv, positional ? p->positional : NULL,
                            positional ? &p->npositional : NULL, err);
}

#define ARGV(...) (char *[]){"demo", __VA_ARGS__, NULL}
#define ARGC(...) ((int)(sizeof((char *[]){"demo", __VA_ARGS__}) / sizeof(char *)))
#define RUN(p, pos, err, ...) run(p, pos, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), err)

static void test_values(void **state)
{
    (void)state;
    parsed p;
    ps_error err;
    assert_int_equal(RUN(&p, true, &err, "--json", "-o", "out.txt", "--count=3", "a", "--tp", "4", "b",
                         "--curve", "x", "--curve=y", "--", "--json"),
                     PS_OK);
    assert_true(p.json);
    assert_string_equal(p.output, "out.txt");
    assert_int_equal(p.count, 3);
    assert_int_equal(p.workload.tp, 4);
    assert_int_equal(p.calls, 2); /* repeatable */
    assert_string_equal(p.last, "y");
    assert_int_equal(p.npositional, 3); /* interleaved, and "--json" after "--" is positional */
    assert_string_equal(p.positional[0], "a");
    assert_string_equal(p.positional[1], "b");
    assert_string_equal(p.positional[2], "--json");
    /* -oFILE, -n5, a value that starts with '-', a unique prefix */
    assert_int_equal(RUN(&p, false, &err, "-ofile", "-n5", "--name", "-x", "--jso", "--out", "o2"), PS_EINPUT);
    assert_string_equal(err.message, "-o/--output given twice (give each option once)");
    assert_int_equal(RUN(&p, false, &err, "-ofile", "-n5", "--name", "-x", "--jso"), PS_OK);
    assert_string_equal(p.output, "file");
    assert_int_equal(p.count, 5);
    assert_string_equal(p.name, "-x");
    assert_true(p.json);
}

static void test_errors(void **state)
{
    (void)state;
    parsed p;
    ps_error err;
    const struct {
        int argc;
        char **argv;
        const char *message;
    } cases[] = {
        {ARGC("--speed"), ARGV("--speed"), "--speed: unknown option (see parsim demo --help)"},
        {ARGC("-z"), ARGV("-z"), "-z: unknown option (see parsim demo --help)"},
        {ARGC("--name"), ARGV("--name"), "--name: needs a value (see parsim demo --help)"},
        {ARGC("-o"), ARGV("-o"), "-o: needs a value (see parsim demo --help)"},
        {ARGC("--json=1"), ARGV("--json=1"), "--json=1: takes no value (see parsim demo --help)"},
        {ARGC("--count", "11"), ARGV("--count", "11"), "--count"},
        {ARGC("--name", "a", "--name", "b"), ARGV("--name", "a", "--name", "b"),
         "--name given twice (give each option once)"},
        {ARGC("--tp", "2", "--tp", "4"), ARGV("--tp", "2", "--tp", "4"), "--tp given twice (give each option once)"},
        {ARGC("--mo", "x"), ARGV("--mo", "x"), "--mo: ambiguous option (--model, --model-file) (see parsim demo --help)"},
        {ARGC("extra", "--json"), ARGV("extra", "--json"), "'extra': unexpected argument (see parsim demo --help)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(run(&p, false, cases[i].argc, cases[i].argv, &err), PS_EINPUT);
        assert_non_null(strstr(err.message, cases[i].message));
    }
    /* an option error comes before an unexpected argument, as with getopt's permutation */
    assert_int_equal(RUN(&p, false, &err, "extra", "--speed"), PS_EINPUT);
    assert_string_equal(err.message, "--speed: unknown option (see parsim demo --help)");
    /* flags may repeat */
    assert_int_equal(RUN(&p, false, &err, "--json", "--json"), PS_OK);
}

static void test_help(void **state)
{
    (void)state;
    parsed p;
    ps_error err;
    char *text = NULL;
    size_t size = 0;
    FILE *saved = stdout;
    stdout = open_memstream(&text, &size);
    assert_non_null(stdout);
    int rc = RUN(&p, false, &err, "--json", "-h", "--speed");
    fclose(stdout);
    stdout = saved;
    assert_int_equal(rc, PS_OPTIONS_HELP); /* help wins over what follows it */
    const char *want = "usage: parsim demo [options] FILE...\n"
                       "       parsim demo --list\n"
                       "\n"
                       "Demo.\n"
                       "\n"
                       "output:\n"
                       "  --json                one JSON object\n"
                       "  -o, --output FILE     write to FILE\n"
                       "                        (atomically)\n"
                       "  --name NAME           a name\n"
                       "  -n, --count N         how many\n"
                       "  --curve LOG           repeatable\n"
                       "model:\n";
    assert_int_equal(strncmp(text, want, strlen(want)), 0);
    assert_non_null(strstr(text, "  --mem-fraction F      share of GPU memory usable"));
    size_t len = strlen(text);
    const char *tail = "  -h, --help            this help\n";
    assert_true(len > strlen(tail));
    assert_string_equal(text + len - strlen(tail), tail);
    free(text);
}

/* PS_OPT_GREEDY, PS_OPT_EXACT, PS_OPT_WORKLOAD_EXCEPT and PS_OPT_OBSERVER (what sweep,
 * cost --errors and calibrate --ops need). */
typedef struct seen_log {
    char text[256];
} seen_log;

static int log_option(const ps_option *opt, const char *value, ps_error *err)
{
    (void)err;
    seen_log *log = opt->data;
    size_t len = strlen(log->text);
    snprintf(log->text + len, sizeof log->text - len, "%s%s=%s", len ? " " : "",
             opt->long_name ? opt->long_name : "?", value ? value : "(flag)");
    return PS_OK;
}

static int refuse(const ps_option *opt, const char *value, ps_error *err)
{
    (void)value;
    return ps_error_set(err, PS_EINPUT, "--%s: refused", opt->long_name);
}

static int run_extended(parsed *p, seen_log *log, int argc, char **argv, ps_error *err)
{
    memset(p, 0, sizeof *p);
    memset(log, 0, sizeof *log);
    ps_workload_args_init(&p->workload, "parsim demo");
    static const char *except[] = {"tp", "dp", NULL};
    const ps_option opts[] = {
        PS_OPT_FLAG(0, "json", &p->json, "one JSON object"),
        PS_OPT_CALLBACK(0, "list", "FILE...", "greedy", count_calls, p, PS_OPT_GREEDY),
        PS_OPT_CALLBACK(0, "tp", "N", "refused", refuse, NULL, PS_OPT_HIDDEN | PS_OPT_EXACT),
        PS_OPT_WORKLOAD_EXCEPT(&p->workload, except),
        PS_OPT_OBSERVER(log_option, log),
        PS_OPT_END(),
    };
    const ps_command_help help = {.command = "parsim demo", .usage = usage_lines};
    memset(err, 0, sizeof *err);
    return ps_options_parse(&help, opts, argc, argv, NULL, NULL, err);
}

#define RUN_EXT(p, log, err, ...) run_extended(p, log, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), err)

static void test_extensions(void **state)
{
    (void)state;
    parsed p;
    seen_log log;
    ps_error err;
    /* greedy: the arguments after --list are its values until the next option */
    assert_int_equal(RUN_EXT(&p, &log, &err, "--list", "a", "b", "--json", "--list=c", "d", "--isl", "64"), PS_OK);
    assert_int_equal(p.calls, 4);
    assert_string_equal(p.last, "d");
    assert_int_equal(p.workload.scenario.isl, 64);
    assert_string_equal(log.text, "list=a list=b json=(flag) list=c list=d isl=64");
    /* after another option, a bare argument is unexpected again */
    assert_int_equal(RUN_EXT(&p, &log, &err, "--list", "a", "--json", "b"), PS_EINPUT);
    assert_string_equal(err.message, "'b': unexpected argument (see parsim demo --help)");
    assert_int_equal(RUN_EXT(&p, &log, &err, "--list", "a", "--", "b"), PS_EINPUT);
    /* excepted workload options are unknown; the hidden exact one refuses with its own line */
    assert_int_equal(RUN_EXT(&p, &log, &err, "--dp", "2"), PS_EINPUT);
    assert_string_equal(err.message, "--dp: unknown option (see parsim demo --help)");
    assert_int_equal(RUN_EXT(&p, &log, &err, "--tp", "2"), PS_EINPUT);
    assert_string_equal(err.message, "--tp: refused");
    /* an exact-only option takes no prefix: "--t" is not --tp */
    assert_int_equal(RUN_EXT(&p, &log, &err, "--t", "2"), PS_EINPUT);
    assert_string_equal(err.message, "--t: unknown option (see parsim demo --help)");
    /* "--d" is --dtype alone (--dp is left out) */
    assert_int_equal(RUN_EXT(&p, &log, &err, "--d", "fp16"), PS_OK);
    assert_string_equal(log.text, "dtype=fp16");
}

static const char *const fruit[] = {"apple", NULL, "pear", "plum"};
static const char *fruit_at(int i) { return fruit[i]; }

/* ps_options_join: the value lists of --help and error lines. */
static void test_join(void **state)
{
    (void)state;
    char buf[64];
    ps_options_join(buf, sizeof buf, fruit_at, 4, NULL);
    assert_string_equal(buf, "apple, pear, plum"); /* NULL names are left out */
    ps_options_join(buf, sizeof buf, fruit_at, 4, " or ");
    assert_string_equal(buf, "apple, pear or plum");
    ps_options_join(buf, sizeof buf, fruit_at, 1, " or ");
    assert_string_equal(buf, "apple");
    ps_options_join(buf, sizeof buf, fruit_at, 2, " or "); /* one name: no separator */
    assert_string_equal(buf, "apple");
    ps_options_join(buf, sizeof buf, fruit_at, 0, NULL);
    assert_string_equal(buf, "");
    ps_options_join(buf, 8, fruit_at, 4, NULL); /* truncated, terminated */
    assert_string_equal(buf, "apple, ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_extensions),
        cmocka_unit_test(test_join),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
