/* sim/cli/commands.h: the parsim command table (git.c style).
 *
 * Every subcommand lives in its own file sim/cli/cmd_<name>.c, defines one function
 * `int cmd_<name>(int argc, char **argv, ps_error *err)` (argv[0] is the subcommand name) that
 * returns the exit code (0 ok, 2 bad usage or input, 1 internal) and fills err, which parsim.c
 * prints once; its options and --help come from one table (options.h). It is listed once in the
 * table in commands.c: {"name", NULL, "summary", cmd_name}. Adding a subcommand = adding one file
 * and one table row. (Older commands still use `int cmd_<name>(int argc, char **argv)`, print
 * their own error line and sit in the row's second field.)
 */
#ifndef PARSIM_CLI_COMMANDS_H
#define PARSIM_CLI_COMMANDS_H

#include <stdbool.h>

#include "parsim/error.h"

/* A check a command ran and that failed (validate --max-error): its message is printed like an
 * error's, the exit code is 3 so that CI tells "over the bound" from "bad input". */
#define PS_EXIT_CHECK_FAILED 3

/* Old convention: prints its own error line, returns the exit code. */
typedef int (*ps_command_fn)(int argc, char **argv);
/* The convention new and converted commands use: returns the exit code (PS_OK, PS_EINPUT,
 * PS_EINTERNAL) with err filled on failure; parsim.c prints "parsim NAME: MESSAGE" once.
 * Options come from a declarative table (options.h), which also writes --help. */
typedef int (*ps_command_err_fn)(int argc, char **argv, ps_error *err);

typedef struct ps_command {
    const char *name;
    ps_command_fn run;          /* old convention, or NULL */
    const char *summary;        /* one line for `parsim --help` */
    ps_command_err_fn run_err;  /* new convention, or NULL */
    /* A command made of actions (`parsim trace check DIR`): their rows ({name, NULL, summary,
     * run_err}, ended by {NULL}); parsim.c picks the action from the next argument, lists them
     * for `parsim NAME --help`, and prints an action's error as "parsim NAME ACTION: reason".
     * run and run_err are NULL then. */
    const struct ps_command *actions;
} ps_command;

extern const ps_command ps_commands[];
extern const int ps_command_count;
extern const ps_command ps_trace_actions[]; /* cmd_trace.c */

/* For getopt_long loops: 1 when an option that takes a value comes a second time (getopt lets the
 * last silently win, so "--tp 2 ... --tp 4" ran a plan the user may not have meant), with its
 * name ("--tp", "-b/--minbytes", or "-d" for a short-only option) in `name`; the caller prints the one line.
 * `seen` holds 512 flags, zeroed by the caller; `c` is getopt's return value for a known option.
 * Options meant to repeat (calibrate --nccl) are simply not passed in. */
#include <stddef.h>
struct option;
int ps_cli_repeated(const struct option *longs, unsigned char *seen, int c, char *name, size_t size);

/* Declarations of every subcommand (one line each). */
int cmd_plan(int argc, char **argv, ps_error *err);
int cmd_platform(int argc, char **argv, ps_error *err);
int cmd_nccl(int argc, char **argv, ps_error *err);
int cmd_calibrate(int argc, char **argv);
int cmd_calibrate_ops_err(int argc, char **argv, ps_error *err); /* calibrate --ops (new convention) */
int cmd_calibrate_ops(int argc, char **argv); /* the same for old-convention cmd_calibrate: prints its line */
int cmd_import(int argc, char **argv, ps_error *err);
int cmd_validate(int argc, char **argv, ps_error *err);
int cmd_sweep(int argc, char **argv, ps_error *err);
int cmd_predict(int argc, char **argv, ps_error *err);
int cmd_replay(int argc, char **argv, ps_error *err);
int cmd_cost(int argc, char **argv, ps_error *err);

#endif
