/* Model presets, dtypes and parameter counts (see parsim/model.h).
 *
 * Each preset copies the published Hugging Face config.json of the model (fields hidden_size,
 * intermediate_size, num_hidden_layers, num_attention_heads, num_key_value_heads, vocab_size,
 * max_position_embeddings, tie_word_embeddings; head_dim = hidden / heads for all five):
 *   llama3.1-8b   huggingface.co/meta-llama/Llama-3.1-8B/blob/main/config.json
 *   llama3.1-70b  huggingface.co/meta-llama/Llama-3.1-70B/blob/main/config.json
 *   llama3.1-405b huggingface.co/meta-llama/Llama-3.1-405B/blob/main/config.json
 *   llama2-7b     huggingface.co/meta-llama/Llama-2-7b-hf/blob/main/config.json
 *   llama2-70b    huggingface.co/meta-llama/Llama-2-70b-hf/blob/main/config.json
 * The parameter counts they give (8.03e9, 70.55e9, 405.85e9, 6.74e9, 68.98e9) match the model
 * cards (8B, 70B, 405B, 7B, 70B) and are checked by tests/workload/test_model.c.
 */
#include "parsim/model.h"

#include <string.h>

static const ps_model model_presets[] = {
    {.name = "llama3.1-8b", .hidden = 4096, .intermediate = 14336, .layers = 32, .heads = 32,
     .kv_heads = 8, .head_dim = 128, .vocab = 128256, .max_position = 131072,
     .tie_word_embeddings = false},
    {.name = "llama3.1-70b", .hidden = 8192, .intermediate = 28672, .layers = 80, .heads = 64,
     .kv_heads = 8, .head_dim = 128, .vocab = 128256, .max_position = 131072,
     .tie_word_embeddings = false},
    {.name = "llama3.1-405b", .hidden = 16384, .intermediate = 53248, .layers = 126, .heads = 128,
     .kv_heads = 8, .head_dim = 128, .vocab = 128256, .max_position = 131072,
     .tie_word_embeddings = false},
    {.name = "llama2-7b", .hidden = 4096, .intermediate = 11008, .layers = 32, .heads = 32,
     .kv_heads = 32, .head_dim = 128, .vocab = 32000, .max_position = 4096,
     .tie_word_embeddings = false},
    {.name = "llama2-70b", .hidden = 8192, .intermediate = 28672, .layers = 80, .heads = 64,
     .kv_heads = 8, .head_dim = 128, .vocab = 32000, .max_position = 4096,
     .tie_word_embeddings = false},
};

int ps_model_preset_count(void) { return (int)(sizeof model_presets / sizeof model_presets[0]); }

const ps_model *ps_model_preset_at(int index)
{
    if (index < 0 || index >= ps_model_preset_count())
        return NULL;
    return &model_presets[index];
}

const ps_model *ps_model_find_preset(const char *name)
{
    if (!name)
        return NULL;
    for (int i = 0; i < ps_model_preset_count(); i++)
        if (!strcmp(model_presets[i].name, name))
            return &model_presets[i];
    return NULL;
}

/* Upper bound on every size, so that products of two or three of them stay finite. */
#define MODEL_DIM_MAX 1000000
/* 1e15 parameters (2,500 x Llama 3.1 405B) keeps every int64 count below 9.2e18. */
#define MODEL_PARAMS_MAX 1e15

int ps_model_validate(const ps_model *m, ps_error *err)
{
    const struct {
        const char *field;
        int64_t value;
    } dims[] = {
        {"hidden_size", m->hidden},           {"intermediate_size", m->intermediate},
        {"num_hidden_layers", m->layers},     {"num_attention_heads", m->heads},
        {"num_key_value_heads", m->kv_heads}, {"head_dim", m->head_dim},
        {"vocab_size", m->vocab},
    };
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++)
        if (dims[i].value < 1 || dims[i].value > MODEL_DIM_MAX)
            return ps_error_set(err, PS_EINPUT, "%s = %lld must be in [1, %d]", dims[i].field,
                                (long long)dims[i].value, MODEL_DIM_MAX);
    if (m->heads % m->kv_heads)
        return ps_error_set(err, PS_EINPUT,
                            "num_key_value_heads = %lld must divide num_attention_heads = %lld",
                            (long long)m->kv_heads, (long long)m->heads);
    /* In double, so that an absurd config cannot overflow the int64 counts computed later. */
    double h = (double)m->hidden, hd = (double)m->head_dim;
    double layer = h * hd * (2.0 * (double)m->heads + 2.0 * (double)m->kv_heads) + 3 * h * (double)m->intermediate;
    double total = (double)m->layers * layer + 2 * (double)m->vocab * h;
    if (total > MODEL_PARAMS_MAX)
        return ps_error_set(err, PS_EINPUT, "the model would have %.3g parameters, more than %.0e", total,
                            MODEL_PARAMS_MAX);
    if (m->max_position < 0)
        return ps_error_set(err, PS_EINPUT, "max_position_embeddings must be >= 0");
    return PS_OK;
}

int64_t ps_model_layer_linear_params(const ps_model *m)
{
    int64_t q = m->hidden * m->heads * m->head_dim;
    int64_t kv = 2 * m->hidden * m->kv_heads * m->head_dim;
    int64_t o = m->heads * m->head_dim * m->hidden;
    int64_t mlp = 3 * m->hidden * m->intermediate; /* gate, up, down */
    return q + kv + o + mlp;
}

int64_t ps_model_layer_params(const ps_model *m) { return ps_model_layer_linear_params(m) + 2 * m->hidden; }

int64_t ps_model_embedding_params(const ps_model *m) { return m->vocab * m->hidden; }

int64_t ps_model_lm_head_params(const ps_model *m) { return m->tie_word_embeddings ? 0 : m->vocab * m->hidden; }

int64_t ps_model_params(const ps_model *m)
{
    return m->layers * ps_model_layer_params(m) + ps_model_embedding_params(m) + ps_model_lm_head_params(m) +
           m->hidden; /* final norm */
}

int ps_precision_init(ps_precision *prec, ps_dtype weights, ps_error *err)
{
    if (weights != PS_DTYPE_BF16 && weights != PS_DTYPE_FP16 && weights != PS_DTYPE_FP8)
        return ps_error_set(err, PS_EINPUT, "weights dtype %s: must be fp8, bf16 or fp16", ps_dtype_name(weights));
    prec->weights = weights;
    prec->act = weights == PS_DTYPE_FP16 ? PS_DTYPE_FP16 : PS_DTYPE_BF16;
    prec->kv = prec->act;
    return PS_OK;
}

ps_dtype ps_precision_embedding_dtype(const ps_precision *prec)
{
    return prec->weights == PS_DTYPE_FP8 ? prec->act : prec->weights;
}
