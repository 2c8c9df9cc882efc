/* parsim/workload.h: the workload bundle {model, precision, plan, scenario, GPU} and the one
 * option parser every program uses for it (plan, predict, sweep, replay, validate, trace check,
 * parsim-record), so that the simulator and the recorder can never accept different spellings of
 * the same flag.
 *
 * libc only (lives in parsim_core_min). Options that need more than libc are hooks plugged in by
 * the layer that has the library: --model-file needs cJSON (parsim_core plugs
 * ps_workload_hook_model_file), --platform needs SimGrid (the CLI plugs ps_workload_hook_platform).
 * A program without a hook (the CUDA recorder on a bare GPU host) refuses that option with exit 2
 * and says why.
 *
 * Flags (defaults in brackets; `ps_workload_usage` prints them):
 *   --model NAME | --model-file config.json     --dtype fp8|bf16|fp16 [bf16]   --kv-dtype T [act]
 *   --tp N --pp N --dp N [1]  --microbatches N [pp]  --stage-layers A,B,..  --gpu NAME [h100-sxm]
 *   --gpus N [tp*pp*dp]  --platform FILE|PRESET  --batch N|max [max]  --isl N [2048]
 *   --osl N [128]  --prefill-tokens N [8192]  --mem-fraction F [0.90]
 */
#ifndef PARSIM_WORKLOAD_H
#define PARSIM_WORKLOAD_H

#include <stdbool.h>
#include <stdio.h>

#include "parsim/error.h"
#include "parsim/gpu.h"
#include "parsim/model.h"
#include "parsim/plan.h"

#define PS_WORKLOAD_PATH_BYTES 1024

/* The GPU a workload runs on: a catalogue entry, possibly with a platform file's overrides
 * (HBM capacity, bandwidth, peak FLOP/s as the platform's host properties say). */
typedef struct ps_workload_gpu {
    ps_gpu_spec spec;        /* the catalogue entry with overrides applied (name points into it) */
    int gpus_available;      /* GPUs on the platform; 0 = not known (no platform) */
    char platform_path[PS_WORKLOAD_PATH_BYTES]; /* resolved platform file, or "" */
} ps_workload_gpu;

typedef struct ps_workload {
    ps_model model;
    ps_precision precision;
    ps_plan plan;
    ps_scenario scenario;
    ps_workload_gpu gpu;
    double mem_fraction;
} ps_workload;

/* What was given on the command line, before the workload is built (ps_workload_build). */
typedef struct ps_workload_args {
    const char *model_name, *model_file, *gpu_name, *stage_layers, *platform;
    bool gpu_set, gpus_set, kv_set;
    ps_dtype weights, kv;
    int tp, pp, dp, microbatches, gpus;
    ps_scenario scenario;
    double mem_fraction;
} ps_workload_args;

/* Hooks: set by the layer that has the library (NULL = not available in this program). */
typedef int (*ps_workload_model_file_fn)(const char *path, ps_model *out, ps_error *err);
/* Resolves a platform path or preset name; fills gpu (spec with overrides, GPU count, path). */
typedef int (*ps_workload_platform_fn)(const char *path_or_preset, const char *gpu_name_or_null,
                                       ps_workload_gpu *gpu, ps_error *err);
typedef struct ps_workload_hooks {
    ps_workload_model_file_fn model_file;
    ps_workload_platform_fn platform;
} ps_workload_hooks;

void ps_workload_args_init(ps_workload_args *args);

/* 1 when `name` (without the leading "--") is a workload option; sets *takes_value. */
bool ps_workload_is_option(const char *name, bool *takes_value);
/* Parses one workload option (`name` without "--", `value` NULL for flags). PS_EINPUT names the
 * flag; an option given twice is refused. */
int ps_workload_parse_option(ps_workload_args *args, const char *name, const char *value, ps_error *err);
/* Builds and validates the bundle (model, precision, plan rules, scenario ranges, GPU).
 * Refuses --model-file / --platform with PS_EINPUT when the hook is NULL. */
int ps_workload_build(const ps_workload_args *args, const ps_workload_hooks *hooks, ps_workload *out,
                      ps_error *err);
/* The help lines of the workload options (same text in every program). */
void ps_workload_usage(FILE *out);

#endif
