/* Hugging Face config.json reader (see ps_model_load_hf_config in parsim/model.h).
 *
 * Reads the fields of a Llama-family config (transformers' LlamaConfig) with its defaults:
 * num_key_value_heads defaults to num_attention_heads (multi-head attention, as in Llama 2 7B),
 * head_dim to hidden_size / num_attention_heads, tie_word_embeddings to false. Every integer must
 * be a JSON number with an integral value; a string "4096" is refused, not guessed. The model is
 * then checked by ps_model_validate. Errors name the file (and the line for JSON syntax errors).
 */
#include "parsim/json_read.h"
#include "parsim/model.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HF_CONFIG_MAX_BYTES (16 * 1024 * 1024) /* config.json files are a few KB */

/* Reads an integer field; *out is left unchanged when the field is absent and not required. */
static int get_int(const cJSON *root, const char *what, const char *field, bool required, int64_t *out,
                   ps_error *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, field);
    if (!item || cJSON_IsNull(item)) {
        if (required)
            return ps_error_set(err, PS_EINPUT, "%s: %s: missing", what, field);
        return PS_OK;
    }
    double v = item->valuedouble;
    if (!cJSON_IsNumber(item) || v != floor(v) || v < 0 || v > 1e15)
        return ps_error_set(err, PS_EINPUT, "%s: %s: expected a non-negative integer", what, field);
    *out = (int64_t)v;
    return PS_OK;
}

static int line_of(const char *text, const char *at)
{
    int line = 1;
    for (const char *c = text; at && c < at && *c; c++)
        line += *c == '\n';
    return line;
}

static void name_from(const char *what, char *name, size_t size)
{
    const char *base = strrchr(what, '/');
    base = base ? base + 1 : what;
    size_t n = strlen(base);
    if (n > 5 && !strcmp(base + n - 5, ".json"))
        n -= 5;
    if (n >= size)
        n = size - 1;
    memcpy(name, base, n);
    name[n] = '\0';
}

int ps_model_parse_hf_config(const char *text, const char *what, ps_model *model, ps_error *err)
{
    memset(model, 0, sizeof *model);
    name_from(what, model->name, sizeof model->name);
    cJSON *root = cJSON_Parse(text);
    if (!root)
        return ps_error_set(err, PS_EINPUT, "%s:%d: invalid JSON", what, line_of(text, cJSON_GetErrorPtr()));
    int rc = PS_OK;
    if (!cJSON_IsObject(root)) {
        rc = ps_error_set(err, PS_EINPUT, "%s: expected a JSON object", what);
        goto done;
    }
    const cJSON *twice = ps_json_first_duplicate_key(root);
    if (twice) {
        rc = ps_error_set(err, PS_EINPUT, "%s: key \"%.80s\" given twice (which one is meant?)", what, twice->string);
        goto done;
    }
    const struct {
        const char *field;
        int64_t *out;
        bool required;
    } fields[] = {
        {"hidden_size", &model->hidden, true},
        {"intermediate_size", &model->intermediate, true},
        {"num_hidden_layers", &model->layers, true},
        {"num_attention_heads", &model->heads, true},
        {"vocab_size", &model->vocab, true},
        {"num_key_value_heads", &model->kv_heads, false},
        {"head_dim", &model->head_dim, false},
        {"max_position_embeddings", &model->max_position, false},
    };
    model->kv_heads = model->head_dim = -1; /* "absent" until read */
    for (size_t i = 0; i < sizeof fields / sizeof fields[0] && !rc; i++)
        rc = get_int(root, what, fields[i].field, fields[i].required, fields[i].out, err);
    if (rc)
        goto done;
    if (model->kv_heads < 0)
        model->kv_heads = model->heads;
    /* transformers derives head_dim = hidden_size // num_attention_heads; 4097 / 32 heads was
     * truncated to 128 here and priced as a 4096-wide attention without a word */
    if (model->head_dim < 0 && model->heads > 0 && model->hidden % model->heads) {
        rc = ps_error_set(err, PS_EINPUT, "%s: hidden_size = %lld is not a multiple of num_attention_heads = %lld "
                          "(give head_dim)", what, (long long)model->hidden, (long long)model->heads);
        goto done;
    }
    if (model->head_dim < 0)
        model->head_dim = model->heads > 0 ? model->hidden / model->heads : 0;
    /* A mixture-of-experts config has the Llama fields too (Mixtral, Qwen2-MoE, DeepSeek): read
     * as a dense model, every token would pay for all experts' FFN, silently. */
    static const char *const experts[] = {"num_local_experts", "num_experts", "n_routed_experts"};
    for (size_t i = 0; i < sizeof experts / sizeof experts[0]; i++) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, experts[i]);
        if (cJSON_IsNumber(e) && e->valuedouble > 1) {
            rc = ps_error_set(err, PS_EINPUT, "%s: %s = %g: a mixture-of-experts model; parsim models dense "
                              "Llama-family decoders", what, experts[i], e->valuedouble);
            goto done;
        }
    }
    const cJSON *tie = cJSON_GetObjectItemCaseSensitive(root, "tie_word_embeddings");
    if (tie && !cJSON_IsBool(tie)) {
        rc = ps_error_set(err, PS_EINPUT, "%s: tie_word_embeddings: expected true or false", what);
        goto done;
    }
    model->tie_word_embeddings = tie && cJSON_IsTrue(tie);
    rc = ps_model_validate(model, err);
    if (rc)
        ps_error_prefix(err, "%s", what);
done:
    cJSON_Delete(root);
    return rc;
}

int ps_model_load_hf_config(const char *path, ps_model *model, ps_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return ps_error_set(err, PS_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    char *text = malloc(HF_CONFIG_MAX_BYTES + 1);
    if (!text) {
        fclose(fp);
        return ps_error_set(err, PS_EINTERNAL, "%s: out of memory", path);
    }
    size_t n = fread(text, 1, HF_CONFIG_MAX_BYTES + 1, fp);
    int bad = ferror(fp);
    fclose(fp);
    int rc;
    if (bad)
        rc = ps_error_set(err, PS_EINPUT, "%s: read error", path);
    else if (n > HF_CONFIG_MAX_BYTES)
        rc = ps_error_set(err, PS_EINPUT, "%s: larger than %d bytes, not a config.json", path, HF_CONFIG_MAX_BYTES);
    else if (memchr(text, '\0', n))
        rc = ps_error_set(err, PS_EINPUT, "%s: contains a NUL byte, not a config.json", path);
    else {
        text[n] = '\0';
        rc = ps_model_parse_hf_config(text, path, model, err);
    }
    free(text);
    return rc;
}
