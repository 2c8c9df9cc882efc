/* sim/cli/serving_options.h: the serving flags of the commands that run predictions (predict,
 * sweep), defined once (names, help, value lists, ranges, the rules between them) so that the two
 * commands cannot drift: a sweep row is the prediction `parsim predict` gives for the same flags
 * (docs/predict.md).
 *
 *   ps_cli_serving s;
 *   ps_cli_serving_init(&s);             (predict's defaults; fills the generated help texts)
 *   const ps_option opts[] = {..., PS_CLI_SERVING_OPTIONS(&s), PS_CLI_ARRIVAL_OPTIONS(&s), ...};
 *   ps_options_parse(...);  then  ps_cli_serving_check(&s, &workload_args, err);
 *
 * PS_CLI_SERVING_OPTIONS: --scheduler --engine --allreduce --max-batch-size --max-num-tokens
 * --chunked-prefill --requests --launch. PS_CLI_ARRIVAL_OPTIONS: --rate --seed (predict only:
 * a sweep's second scenario is a closed loop of --batch N, which --rate would contradict).
 * Value lists in --help come from the enums' name functions (replay.h, cost.h), never typed.
 */
#ifndef PARSIM_CLI_SERVING_OPTIONS_H
#define PARSIM_CLI_SERVING_OPTIONS_H

#include <stdbool.h>

#include "parsim/options.h"
#include "parsim/error.h"
#include "parsim/replay.h"
#include "parsim/workload.h"

#define PS_CLI_SERVING_HELP_BYTES 512

typedef struct ps_cli_serving {
    ps_serving serving;
    unsigned given; /* one bit per serving option given (serving_options.c's index) */
    /* --help texts with value lists generated from the enums (ps_cli_serving_init) */
    char scheduler_help[PS_CLI_SERVING_HELP_BYTES], engine_help[PS_CLI_SERVING_HELP_BYTES],
        allreduce_help[PS_CLI_SERVING_HELP_BYTES], launch_help[PS_CLI_SERVING_HELP_BYTES];
} ps_cli_serving;

void ps_cli_serving_init(ps_cli_serving *s);
/* The callback of every serving option (opt->data is the ps_cli_serving, opt->long_name the flag). */
int ps_cli_serving_option(const ps_option *opt, const char *value, ps_error *err);
/* The rules between serving flags and the workload's: --scheduler static takes no in-flight
 * limit; --rate and --batch N both set the load. */
int ps_cli_serving_check(const ps_cli_serving *s, const ps_workload_args *workload, ps_error *err);

#define PS_CLI_SERVING_OPT(name, arg, help, s) PS_OPT_CALLBACK(0, name, arg, help, ps_cli_serving_option, (s), 0)
#define PS_CLI_SERVING_OPTIONS(s)                                                                                   \
    PS_OPT_GROUP("serving (the same for parsim predict and parsim sweep; docs/predict.md)"),                      \
        PS_CLI_SERVING_OPT("scheduler", "S", (s)->scheduler_help, s),                                            \
        PS_CLI_SERVING_OPT("engine", "E", (s)->engine_help, s),                                                  \
        PS_CLI_SERVING_OPT("allreduce", "A", (s)->allreduce_help, s),                                            \
        PS_CLI_SERVING_OPT("max-batch-size", "N", "sequences per microbatch (vllm: max_num_seqs, all microbatches)", \
                           s),                                                                                   \
        PS_CLI_SERVING_OPT("max-num-tokens", "N", "tokens per iteration (decode tokens + prompt chunks)", s),     \
        PS_CLI_SERVING_OPT("chunked-prefill", "on|off", "split prompts over iterations (default: the engine's)", s), \
        PS_CLI_SERVING_OPT("requests", "R", "requests in the run (default 1000; --batch N: 4N, at most 1000)", s), \
        PS_CLI_SERVING_OPT("launch", "L", (s)->launch_help, s)
#define PS_CLI_ARRIVAL_OPTIONS(s)                                                                                   \
    PS_CLI_SERVING_OPT("rate", "Q", "Poisson arrivals at Q requests/s instead of a closed loop", s),             \
        PS_CLI_SERVING_OPT("seed", "S", "seed of the arrivals (default 0)", s)

#endif
