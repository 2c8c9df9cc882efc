/* sim/cli/serving_options.h: the serving flags of the commands that run predictions (sweep,
 * validate), with the spelling and defaults of `parsim predict` (docs/predict.md), so that a sweep
 * row is the prediction `parsim predict` gives for the same flags.
 *
 * Each flag may be given once; `seen` (zeroed by the caller) records which were given.
 */
#ifndef PARSIM_CLI_SERVING_OPTIONS_H
#define PARSIM_CLI_SERVING_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "parsim/error.h"
#include "parsim/replay.h"

/* True when `name` (without "--") is a serving flag (all take a value). */
bool ps_cli_is_serving_option(const char *name);
int ps_cli_parse_serving_option(ps_serving *serving, unsigned *seen, const char *name, const char *value,
                                ps_error *err);
void ps_cli_serving_usage(FILE *out);

#endif
