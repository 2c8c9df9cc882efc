/* Declarative option tables: parser and --help (see parsim/options.h). libc only. */
#include "parsim/options.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parsim/util.h"

#define DEFAULT_HELP_COLUMN 21
#define MAX_TABLE 128 /* options per table, workload options included */

/* One option as the parser sees it: a table entry, or one workload option (index into its table). */
typedef struct option_ref {
    const ps_option *opt;
    int workload_index; /* >= 0 for a workload option */
} option_ref;

typedef struct parser {
    const ps_command_help *cmd;
    const ps_option *opts;
    ps_workload_args *workload;
    const char *const *workload_except; /* workload options this command does not take */
    const ps_option *observer;          /* PS_OPTION_OBSERVER entry, or NULL */
    option_ref last;                    /* the option applied last (for PS_OPT_GREEDY) */
    unsigned char seen[MAX_TABLE];
} parser;

static bool workload_excepted(const parser *p, const char *name)
{
    for (const char *const *n = p->workload_except; n && *n; n++)
        if (!strcmp(*n, name))
            return true;
    return false;
}

static const char *command_name(const ps_command_help *cmd) { return cmd->command ? cmd->command : "parsim"; }

static int see_help(const parser *p, ps_error *err, const char *fmt, const char *arg)
{
    char reason[PS_ERROR_MESSAGE_BYTES];
    snprintf(reason, sizeof reason, fmt, arg);
    return ps_error_set(err, PS_EINPUT, "%s (see %s --help)", reason, command_name(p->cmd));
}

static bool takes_value(const option_ref *r)
{
    if (r->workload_index >= 0)
        return true;
    return r->opt->type == PS_OPTION_STRING || r->opt->type == PS_OPTION_INT || r->opt->type == PS_OPTION_CALLBACK;
}

/* Index of an option for the "given twice" rule: table entries first, workload options after. */
static int table_length(const ps_option *opts)
{
    int n = 0;
    while (opts[n].type != PS_OPTION_END)
        n++;
    return n;
}

/* Finds a long option: exact name first, else a unique prefix. 0 found, 1 unknown, 2 ambiguous
 * (both candidates named in `ambiguous`). */
static int find_long(const parser *p, const char *name, size_t len, option_ref *out, char *ambiguous, size_t size)
{
    int matches = 0;
    option_ref prefix = {NULL, -1};
    for (const ps_option *o = p->opts; o->type != PS_OPTION_END; o++) {
        if (o->type == PS_OPTION_WORKLOAD) {
            for (int w = 0; w < ps_workload_option_count(); w++) {
                const char *wn = ps_workload_option_name(w);
                if (strncmp(wn, name, len) || workload_excepted(p, wn))
                    continue;
                if (wn[len] == '\0') {
                    *out = (option_ref){o, w};
                    return 0;
                }
                if (matches++ == 0)
                    prefix = (option_ref){o, w};
                else
                    snprintf(ambiguous, size, "--%s, --%s",
                             prefix.workload_index >= 0 ? ps_workload_option_name(prefix.workload_index)
                                                        : prefix.opt->long_name,
                             wn);
            }
            continue;
        }
        if (!o->long_name || strncmp(o->long_name, name, len))
            continue;
        if (o->long_name[len] == '\0') {
            *out = (option_ref){o, -1};
            return 0;
        }
        if (o->flags & PS_OPT_EXACT)
            continue;
        if (matches++ == 0)
            prefix = (option_ref){o, -1};
        else
            snprintf(ambiguous, size, "--%s, --%s",
                     prefix.workload_index >= 0 ? ps_workload_option_name(prefix.workload_index) : prefix.opt->long_name,
                     o->long_name);
    }
    if (matches == 1) {
        *out = prefix;
        return 0;
    }
    return matches ? 2 : 1;
}

static bool find_short(const parser *p, char c, option_ref *out)
{
    for (const ps_option *o = p->opts; o->type != PS_OPTION_END; o++)
        if (o->short_name && o->short_name == c) {
            *out = (option_ref){o, -1};
            return true;
        }
    return false;
}

/* "--name" or "-o/--output" or "-o", as messages name an option. */
static void display_name(const option_ref *r, char *buf, size_t size)
{
    if (r->workload_index >= 0)
        snprintf(buf, size, "--%s", ps_workload_option_name(r->workload_index));
    else if (r->opt->short_name && r->opt->long_name)
        snprintf(buf, size, "-%c/--%s", r->opt->short_name, r->opt->long_name);
    else if (r->opt->long_name)
        snprintf(buf, size, "--%s", r->opt->long_name);
    else
        snprintf(buf, size, "-%c", r->opt->short_name);
}

/* Tells the observer (if any) about an option just parsed. */
static int observe(const parser *p, const option_ref *r, const char *value, ps_error *err)
{
    if (!p->observer)
        return PS_OK;
    ps_option seen = *p->observer;
    seen.long_name = r->workload_index >= 0 ? ps_workload_option_name(r->workload_index) : r->opt->long_name;
    seen.short_name = r->workload_index >= 0 ? 0 : r->opt->short_name;
    return p->observer->callback(&seen, value, err);
}

static int apply_option(parser *p, const option_ref *r, const char *value, ps_error *err);

static int apply(parser *p, const option_ref *r, const char *value, ps_error *err)
{
    p->last = *r;
    /* "--platform ''" reached the file readers as the path "": "parsim nccl: : No such file or
     * directory" named neither the flag nor a file. No option takes an empty value. */
    if (value && !value[0] && takes_value(r)) {
        char name[80];
        display_name(r, name, sizeof name);
        return ps_error_set(err, PS_EINPUT, "%s: the value is empty", name);
    }
    int rc = apply_option(p, r, value, err);
    return rc ? rc : observe(p, r, value, err);
}

static int apply_option(parser *p, const option_ref *r, const char *value, ps_error *err)
{
    if (r->workload_index >= 0)
        return ps_workload_parse_option(p->workload, ps_workload_option_name(r->workload_index), value, err);
    const ps_option *o = r->opt;
    int index = (int)(o - p->opts);
    if (takes_value(r) && !(o->flags & (PS_OPT_REPEATABLE | PS_OPT_GREEDY))) {
        if (p->seen[index]) {
            char name[80];
            display_name(r, name, sizeof name);
            return ps_error_set(err, PS_EINPUT, "%s given twice (give each option once)", name);
        }
        p->seen[index] = 1;
    }
    char what[80];
    display_name(r, what, sizeof what);
    const char *flag = strrchr(what, '/') ? strrchr(what, '/') + 1 : what;
    switch (o->type) {
    case PS_OPTION_FLAG: *(int *)o->value = 1; return PS_OK;
    case PS_OPTION_STRING: *(const char **)o->value = value; return PS_OK;
    case PS_OPTION_INT: return ps_parse_int(value, flag, o->min, o->max, (int *)o->value, err);
    case PS_OPTION_CALLBACK: return o->callback(o, value, err);
    default: break;
    }
    return ps_error_set(err, PS_EINTERNAL, "option %s has no parser", what);
}

/* A long option at argv[*i]; advances *i past its value. */
static int parse_long(parser *p, int argc, char **argv, int *i, ps_error *err)
{
    const char *arg = argv[*i], *name = arg + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    if (len == 4 && !strncmp(name, "help", 4))
        return PS_OPTIONS_HELP;
    option_ref r;
    char ambiguous[128] = "";
    int found = find_long(p, name, len, &r, ambiguous, sizeof ambiguous);
    if (found == 2) {
        char what[PS_ERROR_MESSAGE_BYTES];
        snprintf(what, sizeof what, "%%s: ambiguous option (%s)", ambiguous);
        return see_help(p, err, what, arg);
    }
    if (found)
        return see_help(p, err, "%s: unknown option", arg);
    const char *value = NULL;
    if (takes_value(&r)) {
        if (eq)
            value = eq + 1;
        else if (*i + 1 < argc)
            value = argv[++*i];
        else
            return see_help(p, err, "%s: needs a value", arg);
    } else if (eq) {
        return see_help(p, err, "%s: takes no value", arg);
    }
    return apply(p, &r, value, err);
}

/* A cluster of short options at argv[*i] ("-h", "-o FILE", "-oFILE"). */
static int parse_short(parser *p, int argc, char **argv, int *i, ps_error *err)
{
    const char *arg = argv[*i];
    for (const char *c = arg + 1; *c; c++) {
        if (*c == 'h')
            return PS_OPTIONS_HELP;
        option_ref r;
        if (!find_short(p, *c, &r)) {
            char unknown[3] = {'-', *c, '\0'};
            return see_help(p, err, "%s: unknown option", unknown);
        }
        if (!takes_value(&r)) {
            int rc = apply(p, &r, NULL, err);
            if (rc)
                return rc;
            continue;
        }
        const char *value = c[1] ? c + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
        if (!value) {
            char flag[3] = {'-', *c, '\0'};
            return see_help(p, err, "%s: needs a value", flag);
        }
        return apply(p, &r, value, err);
    }
    return PS_OK;
}

int ps_options_parse(const ps_command_help *cmd, const ps_option *opts, int argc, char **argv, char **positional,
                     int *npositional, ps_error *err)
{
    parser p = {.cmd = cmd, .opts = opts};
    int n = table_length(opts);
    if (n > MAX_TABLE)
        return ps_error_set(err, PS_EINTERNAL, "%s: option table longer than %d", command_name(cmd), MAX_TABLE);
    for (int k = 0; k < n; k++) {
        if (opts[k].type == PS_OPTION_WORKLOAD) {
            p.workload = opts[k].value;
            p.workload_except = opts[k].data;
        }
        if (opts[k].type == PS_OPTION_OBSERVER)
            p.observer = &opts[k];
    }
    int npos = 0;
    option_ref greedy = {NULL, -1}; /* the PS_OPT_GREEDY option whose values are being read */
    const char *first_extra = NULL; /* reported after the options, as getopt's permutation did */
    bool options_end = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int rc = PS_OK;
        if (options_end || arg[0] != '-' || arg[1] == '\0') {
            int rc_value = !options_end && greedy.opt ? apply(&p, &greedy, arg, err) : -1;
            if (rc_value > 0)
                return rc_value;
            if (rc_value == PS_OK)
                continue;
            if (positional && cmd->positional)
                positional[npos++] = argv[i];
            else if (!first_extra)
                first_extra = arg;
            continue;
        }
        if (!strcmp(arg, "--")) {
            options_end = true;
            continue;
        }
        p.last = (option_ref){NULL, -1};
        rc = arg[1] == '-' ? parse_long(&p, argc, argv, &i, err) : parse_short(&p, argc, argv, &i, err);
        bool is_greedy = p.last.opt && p.last.workload_index < 0 && (p.last.opt->flags & PS_OPT_GREEDY);
        greedy = is_greedy ? p.last : (option_ref){NULL, -1};
        if (rc == PS_OPTIONS_HELP) {
            ps_options_usage(stdout, cmd, opts);
            return PS_OPTIONS_HELP;
        }
        if (rc)
            return rc;
    }
    if (first_extra)
        return ps_error_set(err, PS_EINPUT, "'%s': unexpected argument (see %s --help)", first_extra,
                            command_name(cmd));
    if (npositional)
        *npositional = npos;
    return PS_OK;
}

/* ---- help ---- */

static void help_line(FILE *out, int column, const char *left, const char *help)
{
    const char *line = help ? help : "";
    for (;;) {
        size_t len = strcspn(line, "\n");
        if ((int)strlen(left) > column && *line) { /* a long left column takes its own line */
            fprintf(out, "  %s\n", left);
            left = "";
        }
        fprintf(out, "  %-*s %.*s\n", column, left, (int)len, line);
        if (!line[len])
            break;
        line += len + 1;
        left = "";
    }
}

static void option_left(const ps_option *o, char *buf, size_t size)
{
    const char *arg = o->arg_name ? o->arg_name : "";
    const char *space = o->arg_name ? " " : "";
    if (o->short_name && o->long_name)
        snprintf(buf, size, "-%c, --%s%s%s", o->short_name, o->long_name, space, arg);
    else if (o->long_name)
        snprintf(buf, size, "--%s%s%s", o->long_name, space, arg);
    else
        snprintf(buf, size, "-%c%s%s", o->short_name, space, arg);
}

void ps_options_usage(FILE *out, const ps_command_help *cmd, const ps_option *opts)
{
    int column = cmd->help_column > 0 ? cmd->help_column : DEFAULT_HELP_COLUMN;
    for (int i = 0; cmd->usage && cmd->usage[i]; i++)
        fprintf(out, "%s%s\n", i ? "       " : "usage: ", cmd->usage[i]);
    if (cmd->description)
        fprintf(out, "\n%s\n", cmd->description);
    fputc('\n', out);
    bool shows_help = false;
    for (const ps_option *o = opts; o->type != PS_OPTION_END; o++) {
        char left[96];
        switch (o->type) {
        case PS_OPTION_GROUP: fprintf(out, "%s:\n", o->help); break;
        case PS_OPTION_TEXT: fprintf(out, "%s\n", o->help); break;
        case PS_OPTION_WORKLOAD: ps_workload_usage_except(out, o->data); break;
        case PS_OPTION_OBSERVER: break;
        default:
            if (o->flags & PS_OPT_HIDDEN)
                break;
            option_left(o, left, sizeof left);
            help_line(out, column, left, o->help);
            shows_help |= o->long_name && !strcmp(o->long_name, "help");
        }
    }
    if (!shows_help)
        help_line(out, column, "-h, --help", "this help");
}

void ps_options_join(char *buf, size_t size, ps_option_name_fn name, int n, const char *last_sep)
{
    if (size == 0)
        return;
    buf[0] = '\0';
    int last = -1, count = 0; /* the last index that has a name, and how many have one */
    for (int i = 0; i < n; i++)
        if (name(i)) {
            last = i;
            count++;
        }
    size_t used = 0;
    int written = 0;
    for (int i = 0; i < n && used < size; i++) {
        const char *v = name(i);
        if (!v)
            continue;
        const char *sep = written == 0 ? "" : i == last && count > 1 && last_sep ? last_sep : ", ";
        int k = snprintf(buf + used, size - used, "%s%s", sep, v);
        if (k < 0)
            break;
        used += (size_t)k;
        written++;
    }
}
