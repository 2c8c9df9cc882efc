/* parsim: the command-line entry point. It only dispatches: see commands.c for the table. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "parsim/error.h"

#ifndef PARSIM_VERSION
#define PARSIM_VERSION "0.1.0"
#endif

static void print_usage(FILE *out)
{
    fprintf(out, "usage: parsim <command> [options]   (parsim <command> --help for details)\n\n"
                 "Predicts tensor-, pipeline- and mixed-parallel LLM inference on NVLink platforms.\n\n"
                 "commands:\n");
    for (int i = 0; i < ps_command_count; i++)
        fprintf(out, "  %-10s %s\n", ps_commands[i].name, ps_commands[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        print_usage(stdout);
        return 0;
    }
    if (!strcmp(name, "--version")) {
        printf("parsim %s\n", PARSIM_VERSION);
        return 0;
    }
    for (int i = 0; i < ps_command_count; i++) {
        if (strcmp(name, ps_commands[i].name))
            continue;
        const ps_command *cmd = &ps_commands[i];
        ps_error err = {0};
        int rc = cmd->run_err ? cmd->run_err(argc - 1, argv + 1, &err) : cmd->run(argc - 1, argv + 1);
        if (cmd->run_err && rc) {
            /* the one place a converted command's error is printed */
            fprintf(stderr, "parsim %s: %s\n", name, err.message[0] ? err.message : "failed (no reason given)");
            return rc == PS_EXIT_CHECK_FAILED ? PS_EXIT_CHECK_FAILED : rc == PS_EINPUT ? 2 : 1;
        }
        /* A report lost on a full disk or closed pipe must not exit 0: check what stdio kept. */
        if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
            fprintf(stderr, "parsim %s: writing to stdout failed: %s\n", name, strerror(errno));
            return 2;
        }
        return rc;
    }
    fprintf(stderr, "parsim: '%s' is not a parsim command (see parsim --help)\n", name);
    return 2;
}
