/* parsim/plan.h: the parallel plan (tp, pp, dp, microbatches, stage split), the scenario
 * (batch, ISL, OSL) and the steps it is served in.
 *
 * Ranks are numbered tp-major inside a replica: rank = replica*tp*pp + stage*tp + tp_rank, so a
 * TP group is tp consecutive ranks and never straddles a node when tp <= GPUs per node.
 *
 * Invariants of a plan built by ps_plan_init (each broken rule is refused with a message naming
 * it, never rounded):
 *   - tp divides num_attention_heads and intermediate_size;
 *   - tp <= kv_heads: tp divides kv_heads; tp > kv_heads: kv_heads divides tp (each KV head is then
 *     replicated on tp / kv_heads ranks, as vLLM does);
 *   - 1 <= pp <= layers; stage_layers has pp entries >= 1 that sum to layers. Default: as even
 *     as possible, and the layers % pp stages that get one layer more are the middle ones first,
 *     then the first stage, then the last: the first stage also holds the embedding and the last
 *     the LM head (each 0.66 of a layer's parameters in Llama 3.1 405B). 126 layers on PP8 give
 *     15,16,16,16,16,16,16,15: 52.0 GB of fp8 weights on the busiest GPU instead of 55.2 GB for
 *     16,16,16,16,16,16,15,15 (which --stage-layers can still ask for);
 *   - tp * pp * dp <= GPUs available;
 *   - microbatches: 0 = default (pp), else 1..PS_PLAN_MAX_MICROBATCHES.
 *
 * Scenario: `batch` sequences per replica, each with an ISL-token prompt and OSL generated tokens.
 * It is served as prefill steps then OSL decode steps (ps_step). A prefill step prefills up to
 * microbatches x P prompts, P = max(1, prefill_tokens / ISL) whole prompts per microbatch (like
 * vLLM's max_num_batched_tokens), spread evenly over max(ceil(n / P), min(microbatches, n))
 * microbatches for its n prompts; a decode step generates one token for every
 * sequence, split over min(microbatches, batch) microbatches so that every stage has work.
 */
#ifndef PARSIM_PLAN_H
#define PARSIM_PLAN_H

#include <stdint.h>

#include "parsim/error.h"
#include "parsim/model.h"

#define PS_PLAN_MAX_PP 256
#define PS_PLAN_MAX_TP 1024
#define PS_PLAN_MAX_DP 4096
#define PS_PLAN_MAX_MICROBATCHES 256

typedef struct ps_plan {
    int tp, pp, dp;
    int microbatches;                        /* effective (>= 1; default pp) */
    int stage_layers[PS_PLAN_MAX_PP];        /* layers held by each stage */
    int stage_first_layer[PS_PLAN_MAX_PP];   /* global index of each stage's first layer */
    int64_t kv_heads_per_rank;               /* max(1, kv_heads / tp) */
    int64_t heads_per_rank;                  /* heads / tp */
    int64_t intermediate_per_rank;           /* intermediate / tp */
    int64_t vocab_per_rank;                  /* ceil(vocab / tp): the vocab is padded to tp shards */
} ps_plan;

/* stage_layers: NULL for the even split, else pp counts. gpus_available: 0 = tp*pp*dp. */
int ps_plan_init(ps_plan *plan, const ps_model *model, int tp, int pp, int dp, int microbatches,
                 const int *stage_layers, int gpus_available, ps_error *err);

int ps_plan_gpus(const ps_plan *plan); /* tp * pp * dp */
int ps_plan_rank(const ps_plan *plan, int replica, int stage, int tp_rank);
void ps_plan_coords(const ps_plan *plan, int rank, int *replica, int *stage, int *tp_rank);

/* ---- scenario ---- */

#define PS_BATCH_MAX (-1) /* batch = the largest that fits (see parsim/memory.h) */
#define PS_DEFAULT_PREFILL_TOKENS 8192 /* vLLM's max_num_batched_tokens for its OpenAI server */

typedef struct ps_scenario {
    int64_t batch;          /* sequences per replica, or PS_BATCH_MAX */
    int64_t isl;            /* prompt tokens per sequence */
    int64_t osl;            /* generated tokens per sequence */
    int64_t prefill_tokens; /* prompt tokens per prefill microbatch (whole prompts, >= 1 prompt) */
} ps_scenario;

/* Checks ranges (batch >= 1 or max, isl >= 1, osl >= 1, isl + osl <= max_position when known). */
int ps_scenario_validate(const ps_scenario *sc, const ps_model *model, ps_error *err);
int64_t ps_scenario_prompts_per_microbatch(const ps_scenario *sc); /* max(1, prefill_tokens / isl) */

/* ---- steps ---- */

typedef enum ps_phase { PS_PHASE_PREFILL = 0, PS_PHASE_DECODE = 1 } ps_phase;
const char *ps_phase_name(ps_phase phase); /* "prefill", "decode" */

/* One forward pass of the pipeline over some microbatches. For prefill, every sequence of a
 * microbatch brings `tokens_per_seq` = ISL tokens and attends causally over them (context = ISL);
 * for decode step d (0-based), every sequence brings one token that attends to context =
 * ISL + d + 1 cached tokens (its own included). */
typedef struct ps_step {
    ps_phase phase;
    int64_t index;                           /* prefill step or decode step number */
    int microbatches;
    int64_t seqs[PS_PLAN_MAX_MICROBATCHES];  /* sequences in each microbatch (all >= 1) */
    int64_t tokens_per_seq;
    int64_t context;
} ps_step;

/* Number of prefill steps for a batch: ceil(batch / (microbatches * prompts per microbatch)). */
int64_t ps_prefill_step_count(const ps_plan *plan, const ps_scenario *sc);
/* Fills step `index` of the prefill (0 <= index < ps_prefill_step_count) or of the decode
 * (0 <= index < osl). sc->batch must be a number (not PS_BATCH_MAX). */
int ps_step_prefill(const ps_plan *plan, const ps_scenario *sc, int64_t index, ps_step *step, ps_error *err);
int ps_step_decode(const ps_plan *plan, const ps_scenario *sc, int64_t index, ps_step *step, ps_error *err);
int64_t ps_step_sequences(const ps_step *step); /* sum of seqs[] */

#endif
