/* parsim/model.h: the transformer being served: a Llama-family decoder and its numeric formats.
 *
 * A ps_model is the architecture only (what a Hugging Face config.json says); ps_precision says
 * how it is stored and run (weights fp8/bf16/fp16, activations and KV cache). Presets reproduce
 * the published config.json of each model (sources in core/workload/model.c); any other Llama-like
 * model comes from its config.json through ps_model_load_hf_config().
 *
 * Invariants of a valid model (ps_model_validate): every size > 0, kv_heads divides heads
 * (grouped-query attention), head_dim given explicitly (hidden / heads when the config omits it).
 * Parameter counts are exact integers (int64): Llama 3.1 405B = 405,853,388,800.
 *
 * Everything here is libc only except ps_model_load_hf_config (core/io/hf_config.c, needs cJSON,
 * lives in parsim_core, not in parsim_core_min).
 */
#ifndef PARSIM_MODEL_H
#define PARSIM_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "parsim/dtype.h"
#include "parsim/error.h"

/* Numeric formats (ps_dtype): parsim/dtype.h. */

#define PS_MODEL_NAME_BYTES 64

typedef struct ps_model {
    char name[PS_MODEL_NAME_BYTES];
    int64_t hidden;              /* hidden_size */
    int64_t intermediate;        /* intermediate_size (FFN width) */
    int64_t layers;              /* num_hidden_layers */
    int64_t heads;               /* num_attention_heads */
    int64_t kv_heads;            /* num_key_value_heads */
    int64_t head_dim;            /* head_dim, or hidden / heads */
    int64_t vocab;               /* vocab_size */
    int64_t max_position;        /* max_position_embeddings; 0 = unknown (no limit checked) */
    bool tie_word_embeddings;    /* LM head shares the embedding matrix */
} ps_model;

/* Presets, in a stable order: llama3.1-8b, llama3.1-70b, llama3.1-405b, llama2-7b, llama2-70b. */
int ps_model_preset_count(void);
const ps_model *ps_model_preset_at(int index);
const ps_model *ps_model_find_preset(const char *name); /* NULL when unknown */

/* Checks the invariants above; the message names the field and the rule. */
int ps_model_validate(const ps_model *model, ps_error *err);

/* Parameter counts (elements, not bytes). A decoder layer = the linear weights (QKV, O,
 * gate, up, down) plus two RMSNorm weight vectors. */
int64_t ps_model_layer_linear_params(const ps_model *model); /* what the layer GEMMs multiply */
int64_t ps_model_layer_params(const ps_model *model);        /* linear + 2 x hidden (norms) */
int64_t ps_model_embedding_params(const ps_model *model);    /* vocab x hidden */
int64_t ps_model_lm_head_params(const ps_model *model);      /* vocab x hidden, 0 when tied */
int64_t ps_model_params(const ps_model *model);              /* everything, final norm included */

/* How the model is stored and run.
 * weights: the layers' linear weights. The embedding, the LM head and the norms stay in
 * act_dtype when weights are fp8: vLLM's fp8 quantisation (Fp8LinearMethod) only replaces
 * linear layers, and Meta's Llama-3.1-405B-Instruct-FP8 lists lm_head in modules_to_not_convert. */
typedef struct ps_precision {
    ps_dtype weights;   /* bf16 | fp16 | fp8 */
    ps_dtype act;       /* activations: bf16, or fp16 for fp16 weights */
    ps_dtype kv;        /* KV cache: act by default, fp8 as an option */
} ps_precision;

/* Defaults for a weight dtype: act = fp16 when weights are fp16, else bf16; kv = act. */
int ps_precision_init(ps_precision *prec, ps_dtype weights, ps_error *err);
/* Storage dtype of the embedding, the LM head and the norms. */
ps_dtype ps_precision_embedding_dtype(const ps_precision *prec);

/* Reads a Hugging Face config.json (hidden_size, intermediate_size, num_hidden_layers,
 * num_attention_heads, num_key_value_heads [default: heads], vocab_size, head_dim [default:
 * hidden / heads], tie_word_embeddings [default: false], max_position_embeddings [optional]).
 * The model is named after the file's base name without ".json". Errors name FILE[:LINE] and the
 * field. Implemented in core/io/hf_config.c (parsim_core). */
int ps_model_load_hf_config(const char *path, ps_model *model, ps_error *err);
/* Same, from text already in memory; `what` names the source in messages. */
int ps_model_parse_hf_config(const char *text, const char *what, ps_model *model, ps_error *err);

#endif
