/* parsim: the command-line entry point. It only dispatches: see commands.c for the table. A
 * command with actions (parsim trace check, parsim trace export) is dispatched one level further
 * from its row's action table, and its errors are printed as "parsim trace check: reason". */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "parsim/error.h"

#ifndef PARSIM_VERSION
#define PARSIM_VERSION "0.1.0"
#endif

static bool is_help(const char *arg) { return !strcmp(arg, "--help") || !strcmp(arg, "-h") || !strcmp(arg, "help"); }

static void print_usage(FILE *out)
{
    fprintf(out, "usage: parsim <command> [options]   (parsim <command> --help for details)\n\n"
                 "Predicts tensor-, pipeline- and mixed-parallel LLM inference on NVLink platforms.\n\n"
                 "commands:\n");
    for (int i = 0; i < ps_command_count; i++)
        fprintf(out, "  %-10s %s\n", ps_commands[i].name, ps_commands[i].summary);
}

static void print_actions_usage(FILE *out, const ps_command *cmd)
{
    fprintf(out, "usage: parsim %s <action> [options]   (parsim %s <action> --help for details)\n\n%s\n\nactions:\n",
            cmd->name, cmd->name, cmd->summary);
    for (const ps_command *a = cmd->actions; a->name; a++)
        fprintf(out, "  %-8s %s\n", a->name, a->summary);
}

/* "check or export" (", " between the others). */
static void action_names(const ps_command *cmd, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (const ps_command *a = cmd->actions; a->name && used < size; a++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", a == cmd->actions ? "" : a[1].name ? ", " : " or ",
                                 a->name);
}

static int find_action(const ps_command *cmd, int argc, char **argv, const ps_command **out, ps_error *err)
{
    char names[256];
    action_names(cmd, names, sizeof names);
    if (argc < 2)
        return ps_error_set(err, PS_EINPUT, "which action? %s (see parsim %s --help)", names, cmd->name);
    for (const ps_command *a = cmd->actions; a->name; a++)
        if (!strcmp(argv[1], a->name)) {
            *out = a;
            return PS_OK;
        }
    return ps_error_set(err, PS_EINPUT, "unknown action '%s' (%s; see parsim %s --help)", argv[1], names, cmd->name);
}

/* argv[0] is the command's name. */
static int run_command(const ps_command *cmd, int argc, char **argv)
{
    const char *name = cmd->name;
    char label[96];
    snprintf(label, sizeof label, "parsim %s", name);
    ps_error err = {0};
    if (cmd->actions) {
        if (argc >= 2 && is_help(argv[1])) {
            print_actions_usage(stdout, cmd);
            return 0;
        }
        const ps_command *action = NULL;
        if (find_action(cmd, argc, argv, &action, &err)) {
            fprintf(stderr, "%s: %s\n", label, err.message);
            return 2;
        }
        snprintf(label, sizeof label, "parsim %s %s", name, action->name);
        cmd = action;
        argc--;
        argv++;
    }
    int rc = cmd->run(argc, argv, &err);
    if (rc) {
        /* the one place a converted command's error is printed */
        fprintf(stderr, "%s: %s\n", label, err.message[0] ? err.message : "failed (no reason given)");
        return rc == PS_EXIT_CHECK_FAILED ? PS_EXIT_CHECK_FAILED : rc == PS_EINPUT ? 2 : 1;
    }
    /* A report lost on a full disk or closed pipe must not exit 0: check what stdio kept. */
    if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
        fprintf(stderr, "parsim %s: writing to stdout failed: %s\n", name, strerror(errno));
        return 2;
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (is_help(name)) {
        print_usage(stdout);
        return 0;
    }
    if (!strcmp(name, "--version")) {
        printf("parsim %s\n", PARSIM_VERSION);
        return 0;
    }
    for (int i = 0; i < ps_command_count; i++)
        if (!strcmp(name, ps_commands[i].name))
            return run_command(&ps_commands[i], argc - 1, argv + 1);
    fprintf(stderr, "parsim: '%s' is not a parsim command (see parsim --help)\n", name);
    return 2;
}
