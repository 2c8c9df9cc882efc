/* parsim/options.h: declarative option tables for the command lines (git's parse-options.h is the
 * model): one table per subcommand, from which both the parser and --help come, so that an option
 * cannot be parsed without being documented or documented without being parsed. libc only (core's
 * libc-only part, core/util/options.c): parsim's subcommands (sim/cli/) and parsim-record
 * (runtime/, built on GPU hosts without SimGrid, libcsv or cJSON) parse with the same rules.
 * The only output is --help, on stdout, when the command line asks for it.
 *
 *   static int json;
 *   static const char *output;
 *   const ps_option opts[] = {
 *       PS_OPT_WORKLOAD(&workload_args),                 (every workload flag, parsim/workload.h)
 *       PS_OPT_GROUP("output"),
 *       PS_OPT_FLAG(0, "json", &json, "one JSON object"),
 *       PS_OPT_STRING('o', "output", &output, "FILE", "write to FILE"),
 *       PS_OPT_END(),
 *   };
 *   int rc = ps_options_parse(&cmd, opts, argc, argv, &positional, err);
 *
 * Rules (the behaviour getopt_long gave every command before, made explicit):
 *   - "--name value", "--name=value", "-o value", "-ovalue"; a value may start with '-';
 *   - a unique prefix of a long name is that option ("--mod" is ambiguous: --model, --model-file);
 *   - options and positional arguments may be interleaved; "--" ends the options;
 *   - a value option given twice is refused ("--tp given twice (give each option once)") unless
 *     marked PS_OPT_REPEATABLE (its callback then sees every value); flags may repeat;
 *   - -h / --help prints the help (ps_options_parse prints ps_options_usage to stdout and
 *     returns PS_OPTIONS_HELP; the command exits 0);
 *   - PS_OPT_GREEDY: the arguments that follow such an option, up to the next option, are more
 *     values of it ("--ops a.csv b.csv --gpu x": a.csv and b.csv both go to --ops);
 *   - PS_OPT_EXACT: the option matches only its full name (a hidden refusal such as sweep's
 *     "--tp" must not take the prefixes of visible options: "--d" stays --dtype);
 *   - PS_OPT_WORKLOAD_EXCEPT(args, names): every workload option but the NULL-terminated
 *     `names`, in parsing and in --help (a command that sets them itself, e.g. sweep's --tp);
 *     PS_OPT_OBSERVER(fn, data):
 *     not an option: after every option parsed, fn gets a copy of this entry whose long_name is
 *     that option's long name (NULL for a short-only one), and the value (NULL for a flag), in
 *     command-line order (sweep records the arguments that define a sweep);
 *   - every error is PS_EINPUT with one line naming the argument and "(see parsim CMD --help)".
 * Help: "usage:" lines and a description from ps_command_help, then the table in order: groups
 * as "name:" lines, each option as "  LEFT  help" with LEFT padded to the command's help_column
 * (a help text's "\n" continues on the next line, aligned), the workload block from
 * ps_workload_usage, then "  -h, --help  this help" unless the table shows it itself.
 */
#ifndef PARSIM_OPTIONS_H
#define PARSIM_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "parsim/error.h"
#include "parsim/workload.h"

typedef enum ps_option_type {
    PS_OPTION_END = 0,
    PS_OPTION_GROUP,    /* a section title in --help */
    PS_OPTION_FLAG,     /* int *: set to 1 */
    PS_OPTION_STRING,   /* const char **: the argument (borrowed from argv) */
    PS_OPTION_INT,      /* int *: strict, within [min, max] */
    PS_OPTION_CALLBACK, /* callback(option, value, err) */
    PS_OPTION_WORKLOAD, /* every workload option, into a ps_workload_args * */
    PS_OPTION_TEXT,     /* a free help line (no option), e.g. a list generated elsewhere */
    PS_OPTION_OBSERVER, /* callback(copy, value, err) after every option parsed (no option) */
} ps_option_type;

#define PS_OPT_REPEATABLE 1 /* a value option that may be given more than once */
#define PS_OPT_HIDDEN 2     /* parsed, not shown by --help */
#define PS_OPT_EXACT 4      /* matched by its full long name only, never by a prefix */
#define PS_OPT_GREEDY 8     /* a repeatable option that also takes the arguments after it */

struct ps_option;
typedef int (*ps_option_fn)(const struct ps_option *opt, const char *value, ps_error *err);

typedef struct ps_option {
    ps_option_type type;
    char short_name;       /* 0 when none */
    const char *long_name; /* without "--"; NULL when none */
    void *value;
    const char *arg_name;  /* "FILE", "N"; NULL for flags */
    const char *help;
    int flags;
    int min, max;          /* PS_OPTION_INT */
    ps_option_fn callback; /* PS_OPTION_CALLBACK */
    void *data;            /* for the callback; PS_OPTION_WORKLOAD: the names left out, or NULL */
} ps_option;

#define PS_OPT_END() {PS_OPTION_END, 0, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL}
#define PS_OPT_GROUP(title) {PS_OPTION_GROUP, 0, NULL, NULL, NULL, (title), 0, 0, 0, NULL, NULL}
#define PS_OPT_TEXT(line) {PS_OPTION_TEXT, 0, NULL, NULL, NULL, (line), 0, 0, 0, NULL, NULL}
#define PS_OPT_FLAG(s, l, v, h) {PS_OPTION_FLAG, (s), (l), (v), NULL, (h), 0, 0, 0, NULL, NULL}
#define PS_OPT_STRING(s, l, v, a, h) {PS_OPTION_STRING, (s), (l), (v), (a), (h), 0, 0, 0, NULL, NULL}
#define PS_OPT_INT(s, l, v, a, lo, hi, h) {PS_OPTION_INT, (s), (l), (v), (a), (h), 0, (lo), (hi), NULL, NULL}
#define PS_OPT_CALLBACK(s, l, a, h, fn, d, f) {PS_OPTION_CALLBACK, (s), (l), NULL, (a), (h), (f), 0, 0, (fn), (d)}
#define PS_OPT_WORKLOAD(args) {PS_OPTION_WORKLOAD, 0, NULL, (args), NULL, NULL, 0, 0, 0, NULL, NULL}
/* `names`: a `const char *[]` ending in NULL (a non-const array: data is void *). */
#define PS_OPT_WORKLOAD_EXCEPT(args, names) {PS_OPTION_WORKLOAD, 0, NULL, (args), NULL, NULL, 0, 0, 0, NULL, (names)}
#define PS_OPT_OBSERVER(fn, d) {PS_OPTION_OBSERVER, 0, NULL, NULL, NULL, NULL, 0, 0, 0, (fn), (d)}

/* What --help shows besides the table, and how messages name the command. */
typedef struct ps_command_help {
    const char *command;            /* "parsim plan" */
    const char *const *usage;       /* usage lines, NULL-terminated: the first after "usage: " */
    const char *description;        /* paragraph(s) after the usage lines, or NULL */
    int help_column;                /* width of the left column (default 21) */
    bool positional;                /* positional arguments allowed (else each is refused) */
} ps_command_help;

#define PS_OPTIONS_HELP (-1) /* --help was printed: exit 0 */

/* Parses argv[1..argc-1] against the table. Positional arguments, in order, go to
 * positional[0..*npositional-1] (an array of argc entries owned by the caller; NULL when the
 * command takes none). Returns PS_OK, PS_OPTIONS_HELP, or PS_EINPUT / PS_EINTERNAL with err set. */
int ps_options_parse(const ps_command_help *cmd, const ps_option *opts, int argc, char **argv, char **positional,
                     int *npositional, ps_error *err);

void ps_options_usage(FILE *out, const ps_command_help *cmd, const ps_option *opts);

/* A value list for --help and for error lines, generated from the table that parses the values
 * (so that adding a row there needs no CLI edit): name(0) .. name(n-1) joined by ", ", the last
 * one by `last_sep` (", " when NULL; " or " gives "nsys or kineto"). An index whose name is NULL
 * is left out (a filter: only weight dtypes, only names that differ). Truncated to size, always
 * terminated. */
typedef const char *(*ps_option_name_fn)(int index);
void ps_options_join(char *buf, size_t size, ps_option_name_fn name, int n, const char *last_sep);

#endif
