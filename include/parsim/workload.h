/* parsim/workload.h: the workload bundle {model, precision, plan, scenario, GPU} and the one
 * option parser every program uses for it (plan, predict, sweep, replay, validate, trace check,
 * parsim-record), so that the simulator and the recorder can never accept different spellings of
 * the same flag.
 *
 * libc only (core/workload/workload.c, in parsim_core_min). Options that need more than libc are
 * hooks plugged in by the layer that has the library:
 *   --model-file needs cJSON:    hooks.model_file = ps_model_load_hf_config (parsim_core);
 *   --platform needs SimGrid:    hooks.platform = ps_platform_workload_gpu (parsim_sim, platform.h).
 * A program without a hook (the CUDA recorder on a bare GPU host) refuses that option with exit 2
 * and says why.
 *
 * Use: ps_workload_args_init; for every option the program's parser meets, ps_workload_is_option
 * then ps_workload_parse_option (an option given twice is refused); then ps_workload_build, which
 * checks the rules in a fixed order (model, precision, GPU and platform, stage split, plan,
 * scenario) and stops at the first broken one with a message naming the flag.
 *
 * Flags (defaults in brackets; `ps_workload_usage` prints them, generated from the option table
 * and, for the value lists, from the model presets and the GPU catalogue):
 *   --model NAME | --model-file config.json     --dtype fp8|bf16|fp16 [bf16]   --kv-dtype T [act]
 *   --tp N --pp N --dp N [1]  --microbatches N [pp]  --stage-layers A,B,..  --gpu NAME [h100-sxm]
 *   --gpus N [tp*pp*dp]  --platform FILE|PRESET  --batch N|max [max]  --isl N [2048]
 *   --osl N [128]  --prefill-tokens N [8192]  --mem-fraction F [0.90]
 *
 * Trace metadata <-> workload: ps_workload_from_trace_meta rebuilds the workload a trace was
 * recorded for (refusing an unknown dtype: a replay in the wrong precision is a wrong answer);
 * ps_workload_to_trace_meta fills the fields a recorder writes.
 */
#ifndef PARSIM_WORKLOAD_H
#define PARSIM_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "parsim/error.h"
#include "parsim/gpu.h"
#include "parsim/model.h"
#include "parsim/plan.h"
#include "parsim/trace.h"

#define PS_WORKLOAD_PATH_BYTES 1024

/* The GPU a workload runs on: a catalogue entry, possibly with a platform file's overrides
 * (HBM capacity, bandwidth, peak FLOP/s, SMs as the platform's host properties say). */
typedef struct ps_workload_gpu {
    ps_gpu_spec spec;        /* the catalogue entry with overrides applied (name points into it) */
    int gpus_available;      /* GPUs on the platform; 0 = not known (no platform) */
    char platform_path[PS_WORKLOAD_PATH_BYTES]; /* resolved platform file, or "" */
    char platform_warning[PS_ERROR_MESSAGE_BYTES]; /* the platform loader's warning, or "" */
} ps_workload_gpu;

typedef struct ps_workload {
    ps_model model;
    ps_precision precision;
    ps_plan plan;
    ps_scenario scenario;    /* as given: batch may still be PS_BATCH_MAX (memory.h decides) */
    ps_workload_gpu gpu;
    double mem_fraction;
} ps_workload;

/* What was given on the command line, before the workload is built (ps_workload_build).
 * Pointers are borrowed from argv. */
typedef struct ps_workload_args {
    const char *command;     /* names the program in messages: "parsim plan" -> "see parsim plan --help" */
    const char *model_name, *model_file, *gpu_name, *stage_layers, *platform;
    bool gpu_set, gpus_set, kv_set;
    ps_dtype weights, kv;
    int tp, pp, dp, microbatches, gpus;
    ps_scenario scenario;
    double mem_fraction;
    uint32_t seen;           /* one bit per option of the table: refuses an option given twice */
} ps_workload_args;

/* Hooks: set by the layer that has the library (NULL = not available in this program). */
typedef int (*ps_workload_model_file_fn)(const char *path, ps_model *out, ps_error *err);
/* Resolves a platform path or preset name; fills gpu (spec with overrides, GPU count, path,
 * warning). Its message names the file; ps_workload_build prefixes "--platform: ". */
typedef int (*ps_workload_platform_fn)(const char *path_or_preset, ps_workload_gpu *gpu, ps_error *err);
typedef struct ps_workload_hooks {
    ps_workload_model_file_fn model_file;
    ps_workload_platform_fn platform;
} ps_workload_hooks;

/* Defaults: bf16, tp = pp = dp = 1, gpu h100-sxm, batch max, ISL 2048, OSL 128,
 * prefill tokens PS_DEFAULT_PREFILL_TOKENS, mem fraction PS_DEFAULT_MEM_FRACTION.
 * `command` may be NULL ("parsim"). */
void ps_workload_args_init(ps_workload_args *args, const char *command);

/* The option table, in --help order: every workload option takes a value. */
int ps_workload_option_count(void);
const char *ps_workload_option_name(int index); /* without "--"; NULL out of range */

/* True when `name` (without the leading "--") is a workload option; sets *takes_value. */
bool ps_workload_is_option(const char *name, bool *takes_value);
/* Parses one workload option (`name` without "--", `value` NULL when missing). PS_EINPUT names
 * the flag; an option given twice is refused ("--tp given twice (give each option once)"). */
int ps_workload_parse_option(ps_workload_args *args, const char *name, const char *value, ps_error *err);
/* Builds and validates the bundle (model, precision, GPU, plan rules, scenario ranges; the memory
 * fit is memory.h's). Refuses --model-file / --platform with PS_EINPUT when the hook is NULL.
 * `out` is filled as far as the rules passed (its gpu.platform_warning is set once the platform
 * was accepted, even when a later rule fails). hooks may be NULL (no hooks). */
int ps_workload_build(const ps_workload_args *args, const ps_workload_hooks *hooks, ps_workload *out,
                      ps_error *err);
/* The help lines of the workload options (same text in every program): sections "model:",
 * "plan:", "scenario:", one option per line, value lists from the presets and the catalogue. */
void ps_workload_usage(FILE *out);
/* The same without the lines of the options in `except` (NULL-terminated; a line that shows
 * several options, "--tp N --pp N --dp N", is left out with its first): a command that sets
 * those itself (sweep: the layout). */
void ps_workload_usage_except(FILE *out, const char *const *except);

/* The platform GPU from a platform's first GPU: the catalogue entry `gpu_model` with the host
 * properties the platform file gives (a user-edited file wins over the catalogue; a property <= 0
 * keeps the catalogue value). PS_EINPUT when the model is not in the catalogue. Every GPU of a
 * platform is assumed alike. Used by the platform hook; libc only so that tests need no SimGrid. */
int ps_workload_gpu_from_properties(const char *gpu_model, double hbm_bytes, double hbm_bandwidth_bytes_per_s,
                                    double peak_flops_bf16, double peak_flops_fp8, int sm_count,
                                    ps_gpu_spec *out, ps_error *err);

/* ---- trace metadata <-> workload ---- */

/* True when the metadata names a model preset with a plan (tp) and a scenario (batch, isl,
 * osl): the workload can be rebuilt from it. */
bool ps_workload_trace_meta_complete(const ps_trace_meta *meta);
/* Rebuilds the workload of a complete meta (pp 0 = 1, dp 0 = 1, microbatches the default,
 * default prefill tokens and mem fraction, GPU from the catalogue when meta->gpu_name is a
 * catalogue name, else the default). dtype "" is bf16 (the recorder's default); an unknown dtype
 * is refused. PS_EINPUT with one line without a file prefix (the caller adds "DIR/meta.json:1: "):
 * "dtype 'x' is not one of bf16 fp16 fp8", "plan tp 3 pp 1 dp 1 does not fit model M: reason",
 * "scenario batch B isl I osl O: reason", or what is missing. */
int ps_workload_from_trace_meta(const ps_trace_meta *meta, ps_workload *out, ps_error *err);
/* Fills model (its name), dtype, tp, pp, dp, batch, isl, osl and gpu_name of `meta` from `w`
 * (the rest is the recorder's). PS_EINPUT when a value does not fit the meta fields (a model
 * name too long, a batch past INT_MAX). */
int ps_workload_to_trace_meta(const ps_workload *w, ps_trace_meta *meta, ps_error *err);

#endif
