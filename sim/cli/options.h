/* sim/cli/options.h: the option tables moved to core's libc-only part (parsim/options.h) so that
 * parsim-record parses with the same rules; the subcommands include it from here. */
#ifndef PARSIM_CLI_OPTIONS_H
#define PARSIM_CLI_OPTIONS_H

#include "parsim/options.h"

#endif
