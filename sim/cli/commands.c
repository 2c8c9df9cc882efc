/* The one table of parsim subcommands, in the order `parsim --help` lists them. */
#include <stdio.h>

#include "commands.h"

/* Rows are {name, summary, run}; a command made of actions is {name, summary, NULL, actions}
 * (the omitted actions field is NULL on purpose). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
const ps_command ps_commands[] = {
    {"plan", "model, parallel plan, memory per GPU, op graph (no simulation)", cmd_plan},
    {"platform", "write, list and describe SimGrid GPU platforms (NVLink, NVSwitch, PCIe, IB)", cmd_platform},
    {"nccl", "nccl-tests on a simulated platform; compare with a real nccl-tests log", cmd_nccl},
    {"calibrate", "fit the NCCL model's parameters to nccl-tests logs (writes PLATFORM.nccl.json)", cmd_calibrate},
    {"trace", "check a trace directory, export it to Perfetto / chrome://tracing", NULL, ps_trace_actions},
    {"replay", "replay a recorded trace on a platform: recorded kernels, re-timed collectives", cmd_replay},
    {"predict", "replay a plan on a platform: TTFT, TPOT, tok/s, where the time goes", cmd_predict},
    {"sweep", "every TP x PP x DP layout on one or more platforms: CSV, JSON, HTML report", cmd_sweep},
    {"validate", "measured against simulated for a trace: per op kind, per collective, end to end", cmd_validate},
    {"import", "convert an Nsight Systems (SQLite) or PyTorch/Kineto (JSON) trace to a parsim trace", cmd_import},
    {"cost", "how long a compute op takes on a GPU: trace, table or fitted roofline model, with its error", cmd_cost},
};
#pragma GCC diagnostic pop

const int ps_command_count = (int)(sizeof ps_commands / sizeof ps_commands[0]);
