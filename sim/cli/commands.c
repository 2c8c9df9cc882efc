/* The one table of parsim subcommands, in the order `parsim --help` lists them. */
#include <getopt.h>
#include <stdio.h>

#include "commands.h"

/* Rows of old-convention commands have three fields ({name, run, summary}); converted ones add
 * the fourth ({name, NULL, summary, run_err}), commands made of actions the fifth ({name, NULL,
 * summary, NULL, actions}). The omitted fields are NULL on purpose. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
const ps_command ps_commands[] = {
    {"plan", NULL, "model, parallel plan, memory per GPU, op graph (no simulation)", cmd_plan},
    {"platform", NULL, "write, list and describe SimGrid GPU platforms (NVLink, NVSwitch, PCIe, IB)", cmd_platform},
    {"nccl", NULL, "nccl-tests on a simulated platform; compare with a real nccl-tests log", cmd_nccl},
    {"calibrate", cmd_calibrate, "fit the NCCL model's parameters to nccl-tests logs (writes PLATFORM.nccl.json)"},
    {"trace", NULL, "check a trace directory, export it to Perfetto / chrome://tracing", NULL, ps_trace_actions},
    {"replay", NULL, "replay a recorded trace on a platform: recorded kernels, re-timed collectives", cmd_replay},
    {"predict", NULL, "replay a plan on a platform: TTFT, TPOT, tok/s, where the time goes", cmd_predict},
    {"sweep", NULL, "every TP x PP x DP layout on one or more platforms: CSV, JSON, HTML report", cmd_sweep},
    {"validate", NULL, "measured against simulated for a trace: per op kind, per collective, end to end", cmd_validate},
    {"import", NULL, "convert an Nsight Systems (SQLite) or PyTorch/Kineto (JSON) trace to a parsim trace", cmd_import},
    {"cost", NULL, "how long a compute op takes on a GPU: trace, table or fitted roofline model, with its error", cmd_cost},
};
#pragma GCC diagnostic pop

const int ps_command_count = (int)(sizeof ps_commands / sizeof ps_commands[0]);

int ps_cli_repeated(const struct option *longs, unsigned char *seen, int c, char *name, size_t size)
{
    const struct option *o = longs;
    while (o->name && o->val != c)
        o++;
    if (c < 0 || c >= 512 || (o->name && o->has_arg == no_argument))
        return 0; /* flags may repeat harmlessly */
    if (!seen[c]) {
        seen[c] = 1;
        return 0;
    }
    if (o->name && c < 128)
        snprintf(name, size, "-%c/--%s", c, o->name); /* a short option with a long name */
    else if (o->name)
        snprintf(name, size, "--%s", o->name);
    else
        snprintf(name, size, "-%c", c);
    return 1;
}
