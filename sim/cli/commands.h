/* sim/cli/commands.h: the parsim command table (git.c style).
 *
 * Every subcommand lives in its own file sim/cli/cmd_<name>.c, defines one function
 * `int cmd_<name>(int argc, char **argv, ps_error *err)` (argv[0] is the subcommand name) that
 * returns the exit code (0 ok, 2 bad usage or input, 1 internal) and fills err, which parsim.c
 * prints once; its options and --help come from one table (options.h). It is listed once in the
 * table in commands.c: {"name", "summary", cmd_name}. Adding a subcommand = adding one file
 * and one table row.
 */
#ifndef PARSIM_CLI_COMMANDS_H
#define PARSIM_CLI_COMMANDS_H

#include "parsim/error.h"

/* A check a command ran and that failed (validate --max-error): its message is printed like an
 * error's, the exit code is 3 so that CI tells "over the bound" from "bad input". */
#define PS_EXIT_CHECK_FAILED 3

/* Every command: returns the exit code (PS_OK, PS_EINPUT, PS_EINTERNAL, PS_EXIT_CHECK_FAILED)
 * with err filled on failure; parsim.c prints "parsim NAME: MESSAGE" once. Options come from a
 * declarative table (options.h), which also writes --help (the command then returns PS_OK). */
typedef int (*ps_command_fn)(int argc, char **argv, ps_error *err);

typedef struct ps_command {
    const char *name;
    const char *summary; /* one line for `parsim --help` */
    ps_command_fn run;   /* NULL for a command made of actions */
    /* A command made of actions (`parsim trace check DIR`): their rows ({name, summary, run},
     * ended by {NULL}); parsim.c picks the action from the next argument, lists them for
     * `parsim NAME --help`, and prints an action's error as "parsim NAME ACTION: reason". */
    const struct ps_command *actions;
} ps_command;

extern const ps_command ps_commands[];
extern const int ps_command_count;
extern const ps_command ps_trace_actions[]; /* cmd_trace.c */

/* Declarations of every subcommand (one line each). */
int cmd_plan(int argc, char **argv, ps_error *err);
int cmd_platform(int argc, char **argv, ps_error *err);
int cmd_nccl(int argc, char **argv, ps_error *err);
int cmd_calibrate(int argc, char **argv, ps_error *err);
int cmd_calibrate_ops(int argc, char **argv, ps_error *err); /* calibrate --ops, dispatched by cmd_calibrate */
int cmd_import(int argc, char **argv, ps_error *err);
int cmd_validate(int argc, char **argv, ps_error *err);
int cmd_sweep(int argc, char **argv, ps_error *err);
int cmd_predict(int argc, char **argv, ps_error *err);
int cmd_replay(int argc, char **argv, ps_error *err);
int cmd_cost(int argc, char **argv, ps_error *err);

#endif
