/* sim/replay/sched_mixed.h: mixed iterations (graph_mixed.c) for the in-flight scheduler.
 * Not a public header. */
#ifndef PARSIM_SCHED_MIXED_H
#define PARSIM_SCHED_MIXED_H

#include "predict_internal.h"

#define MIXED_MAX_CHUNKS 64 /* prompt chunks per microbatch per iteration */

typedef struct mixed_chunk {
    int64_t tokens;  /* query tokens of the chunk */
    int64_t prefix;  /* tokens of the same prompt already in the KV cache */
} mixed_chunk;

typedef struct mixed_mb {
    int64_t decode_seqs;     /* sequences decoding one token */
    int64_t decode_context;  /* their mean KV length (keys per query) */
    int nchunks;
    mixed_chunk chunks[MIXED_MAX_CHUNKS];
    int64_t chunk_tokens;    /* sum of the chunks' tokens */
    int64_t sampled;         /* sequences that sample a token: decodes + prompts that finish */
} mixed_mb;

typedef struct mixed_step {
    int microbatches;
    mixed_mb mb[PS_PLAN_MAX_MICROBATCHES];
} mixed_step;

int mixed_graph_build(const ps_workload *wl, const mixed_step *step, ps_graph *graph, ps_error *err);
int mixed_attention_cost(const ps_cost_model *cost, const ps_workload *wl, const mixed_mb *mb,
                         ps_launch_mode launch, replay_op_cost *out, ps_error *err);

#endif
