/* parsim/memory.h: memory per GPU for a model, plan and scenario, and the largest batch that fits.
 *
 * Per GPU of stage s (all GPUs of a stage hold the same, whatever their replica or TP rank):
 *   weights    = stage layers x layer params / tp          (linear weights in the weight dtype,
 *                norms in the activation dtype)
 *              + ceil(vocab / tp) x hidden                 on stage 0 (embedding)
 *              + ceil(vocab / tp) x hidden + hidden        on the last stage (LM head, final norm)
 *                (a tied LM head is not counted twice when one stage holds both; with pp > 1 the
 *                last stage keeps its own copy, as vLLM does)
 *   kv/token   = 2 x stage layers x kv_heads_per_rank x head_dim x kv dtype bytes
 *   kv         = batch x (ISL + OSL) x kv/token           (every sequence reserves its full context)
 *   workspace  = the live activations of one forward pass (see core/workload/memory.c for the
 *                formula and why), which grows with the tokens of the largest pass
 *   need       = weights + kv + workspace   <=   usable = mem_fraction x HBM bytes
 * The most loaded stage decides. max_batch is the largest batch that fits every stage (0 when
 * not even one sequence fits); a plan that does not fit reports shortfall_bytes = need - usable
 * on its worst stage.
 */
#ifndef PARSIM_MEMORY_H
#define PARSIM_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

#include "parsim/error.h"
#include "parsim/gpu.h"
#include "parsim/model.h"
#include "parsim/plan.h"

#define PS_DEFAULT_MEM_FRACTION 0.90 /* vLLM's default gpu_memory_utilization */
#define PS_MEMORY_MAX_BATCH 10000000  /* max_batch is capped here (the largest --batch accepted) */

typedef struct ps_stage_memory {
    int layers;
    bool has_embedding, has_lm_head;
    double weights_bytes;
    double kv_bytes_per_token;    /* per token of context, per GPU */
    double kv_bytes;              /* for the evaluated batch */
    double workspace_bytes;       /* for the evaluated batch */
    double total_bytes;
} ps_stage_memory;

typedef struct ps_memory_report {
    double gpu_bytes;             /* HBM of one GPU */
    double mem_fraction;
    double usable_bytes;          /* mem_fraction x gpu_bytes */
    int64_t context_tokens;       /* ISL + OSL reserved per sequence */
    int64_t batch;                /* the batch evaluated: the requested one, or max_batch (>= 1) */
    int64_t max_batch;            /* largest batch that fits; 0 = none */
    bool fits;                    /* the evaluated batch fits (for max: max_batch >= 1) */
    double shortfall_bytes;       /* need - usable on the worst stage when !fits, else 0 */
    int worst_stage;              /* the stage with the largest total */
    double weights_bytes_per_gpu; /* max over stages */
    double kv_bytes_per_token_per_gpu; /* max over stages */
    int stages;
    ps_stage_memory stage[PS_PLAN_MAX_PP];
} ps_memory_report;

/* Evaluates sc->batch (or, for PS_BATCH_MAX, finds max_batch and evaluates it; batch 1 when none
 * fits). mem_fraction must be in (0, 1]. Fails only on bad arguments. */
int ps_memory_plan(const ps_model *model, const ps_precision *prec, const ps_plan *plan, const ps_scenario *sc,
                   const ps_gpu_spec *gpu, double mem_fraction, ps_memory_report *report, ps_error *err);

/* Activation workspace of one GPU of `stage` for a batch (exposed for tests). */
double ps_memory_workspace_bytes(const ps_model *model, const ps_precision *prec, const ps_plan *plan,
                                 const ps_scenario *sc, int stage, int64_t batch);

#endif
