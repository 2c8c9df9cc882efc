/* The one table of parsim subcommands, in the order `parsim --help` lists them. */
#include "commands.h"

const ps_command ps_commands[] = {
    {"plan", cmd_plan, "model, parallel plan, memory per GPU, op graph (no simulation)"},
    {"platform", cmd_platform, "write, list and describe SimGrid GPU platforms (NVLink, NVSwitch, PCIe, IB)"},
    {"nccl", cmd_nccl, "nccl-tests on a simulated platform; compare with a real nccl-tests log"},
    {"calibrate", cmd_calibrate, "fit the NCCL model's parameters to nccl-tests logs (writes PLATFORM.nccl.json)"},
    {"trace", cmd_trace, "check a trace directory, export it to Perfetto / chrome://tracing"},
    {"import", cmd_import, "convert an Nsight Systems (SQLite) or PyTorch/Kineto (JSON) trace to a parsim trace"},
};

const int ps_command_count = (int)(sizeof ps_commands / sizeof ps_commands[0]);
