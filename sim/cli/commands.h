/* sim/cli/commands.h: the parsim command table (git.c style).
 *
 * Every subcommand lives in its own file sim/cli/cmd_<name>.c, defines one function
 * `int cmd_<name>(int argc, char **argv)` (argv[0] is the subcommand name) that returns the exit
 * code (0 ok, 2 bad usage or input, 1 internal), handles its own --help, and is listed once in
 * the table in commands.c. Adding a subcommand = adding one file and one table row.
 */
#ifndef PARSIM_CLI_COMMANDS_H
#define PARSIM_CLI_COMMANDS_H

typedef int (*ps_command_fn)(int argc, char **argv);

typedef struct ps_command {
    const char *name;
    ps_command_fn run;
    const char *summary; /* one line for `parsim --help` */
} ps_command;

extern const ps_command ps_commands[];
extern const int ps_command_count;

/* For getopt_long loops: 1 when an option that takes a value comes a second time (getopt lets the
 * last silently win, so "--tp 2 ... --tp 4" ran a plan the user may not have meant), with its
 * name ("--tp", "-b/--minbytes", or "-d" for a short-only option) in `name`; the caller prints the one line.
 * `seen` holds 512 flags, zeroed by the caller; `c` is getopt's return value for a known option.
 * Options meant to repeat (calibrate --nccl) are simply not passed in. */
#include <stddef.h>
struct option;
int ps_cli_repeated(const struct option *longs, unsigned char *seen, int c, char *name, size_t size);

/* Declarations of every subcommand (one line each). */
int cmd_plan(int argc, char **argv);
int cmd_platform(int argc, char **argv);
int cmd_nccl(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_calibrate_ops(int argc, char **argv); /* calibrate --ops, dispatched by cmd_calibrate */
int cmd_trace(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_cost(int argc, char **argv);

#endif
