/* Parallel plan, scenario and steps (see parsim/plan.h for the rules and why). */
#include "parsim/plan.h"

#include <string.h>

static int check_tp(const ps_model *m, int tp, ps_error *err)
{
    if (m->heads % tp)
        return ps_error_set(err, PS_EINPUT, "--tp %d must divide the %lld attention heads of %s", tp,
                            (long long)m->heads, m->name);
    if (m->intermediate % tp)
        return ps_error_set(err, PS_EINPUT, "--tp %d must divide intermediate_size %lld of %s", tp,
                            (long long)m->intermediate, m->name);
    if (tp <= m->kv_heads && m->kv_heads % tp)
        return ps_error_set(err, PS_EINPUT, "--tp %d must divide the %lld KV heads of %s", tp,
                            (long long)m->kv_heads, m->name);
    if (tp > m->kv_heads && tp % m->kv_heads)
        return ps_error_set(err, PS_EINPUT,
                            "--tp %d must be a multiple of the %lld KV heads of %s (to replicate them)", tp,
                            (long long)m->kv_heads, m->name);
    return PS_OK;
}

static int split_stages(ps_plan *plan, const ps_model *m, const int *stage_layers, ps_error *err)
{
    int pp = plan->pp;
    if (!stage_layers) {
        /* The layers % pp extra layers go to the middle stages first, then to the first stage,
         * then to the last: the end stages also hold the embedding and the LM head. */
        int base = (int)(m->layers / pp), extra = (int)(m->layers % pp);
        for (int s = 0; s < pp; s++)
            plan->stage_layers[s] = base;
        for (int s = 1; s < pp - 1 && extra > 0; s++, extra--)
            plan->stage_layers[s]++;
        if (extra > 0) {
            plan->stage_layers[0]++;
            extra--;
        }
        if (extra > 0)
            plan->stage_layers[pp - 1]++;
    } else {
        int64_t sum = 0;
        for (int s = 0; s < pp; s++) {
            if (stage_layers[s] < 1)
                return ps_error_set(err, PS_EINPUT, "--stage-layers: stage %d has %d layers, every stage needs >= 1",
                                    s, stage_layers[s]);
            sum += stage_layers[s];
            plan->stage_layers[s] = stage_layers[s];
        }
        if (sum != m->layers)
            return ps_error_set(err, PS_EINPUT, "--stage-layers: the stages hold %lld layers, %s has %lld",
                                (long long)sum, m->name, (long long)m->layers);
    }
    int first = 0;
    for (int s = 0; s < pp; s++) {
        plan->stage_first_layer[s] = first;
        first += plan->stage_layers[s];
    }
    return PS_OK;
}

int ps_plan_init(ps_plan *plan, const ps_model *m, int tp, int pp, int dp, int microbatches,
                 const int *stage_layers, int gpus_available, ps_error *err)
{
    memset(plan, 0, sizeof *plan);
    if (tp < 1 || tp > PS_PLAN_MAX_TP)
        return ps_error_set(err, PS_EINPUT, "--tp %d must be in [1, %d]", tp, PS_PLAN_MAX_TP);
    if (pp < 1 || pp > PS_PLAN_MAX_PP)
        return ps_error_set(err, PS_EINPUT, "--pp %d must be in [1, %d]", pp, PS_PLAN_MAX_PP);
    if (dp < 1 || dp > PS_PLAN_MAX_DP)
        return ps_error_set(err, PS_EINPUT, "--dp %d must be in [1, %d]", dp, PS_PLAN_MAX_DP);
    if (microbatches < 0 || microbatches > PS_PLAN_MAX_MICROBATCHES)
        return ps_error_set(err, PS_EINPUT, "--microbatches %d must be in [1, %d]", microbatches,
                            PS_PLAN_MAX_MICROBATCHES);
    int rc = check_tp(m, tp, err);
    if (rc)
        return rc;
    if (pp > m->layers)
        return ps_error_set(err, PS_EINPUT, "--pp %d must not exceed the %lld layers of %s", pp,
                            (long long)m->layers, m->name);
    int gpus = tp * pp * dp; /* <= 1024 * 256 * 4096 = 2^30: fits an int */
    if (gpus_available > 0 && gpus > gpus_available)
        return ps_error_set(err, PS_EINPUT, "--gpus %d: the plan needs tp*pp*dp = %d*%d*%d = %d GPUs", gpus_available,
                            tp, pp, dp, gpus);
    plan->tp = tp;
    plan->pp = pp;
    plan->dp = dp;
    plan->microbatches = microbatches ? microbatches : pp;
    rc = split_stages(plan, m, stage_layers, err);
    if (rc)
        return rc;
    plan->heads_per_rank = m->heads / tp;
    plan->kv_heads_per_rank = m->kv_heads >= tp ? m->kv_heads / tp : 1;
    plan->intermediate_per_rank = m->intermediate / tp;
    plan->vocab_per_rank = (m->vocab + tp - 1) / tp;
    return PS_OK;
}

int ps_plan_gpus(const ps_plan *plan) { return plan->tp * plan->pp * plan->dp; }

int ps_plan_rank(const ps_plan *plan, int replica, int stage, int tp_rank)
{
    return replica * plan->tp * plan->pp + stage * plan->tp + tp_rank;
}

void ps_plan_coords(const ps_plan *plan, int rank, int *replica, int *stage, int *tp_rank)
{
    int per_replica = plan->tp * plan->pp;
    *replica = rank / per_replica;
    *stage = (rank % per_replica) / plan->tp;
    *tp_rank = rank % plan->tp;
}

/* ---- scenario ---- */

/* Bounds that keep every FLOP and byte count finite and exact enough in double: 1e6 tokens per
 * prompt and 1e7 sequences are far beyond any GPU's memory anyway. */
#define SCENARIO_LEN_MAX 10000000
#define SCENARIO_BATCH_MAX 10000000

int ps_scenario_validate(const ps_scenario *sc, const ps_model *m, ps_error *err)
{
    if (sc->batch != PS_BATCH_MAX && (sc->batch < 1 || sc->batch > SCENARIO_BATCH_MAX))
        return ps_error_set(err, PS_EINPUT, "--batch %lld must be 'max' or in [1, %d]", (long long)sc->batch,
                            SCENARIO_BATCH_MAX);
    if (sc->isl < 1 || sc->isl > SCENARIO_LEN_MAX)
        return ps_error_set(err, PS_EINPUT, "--isl %lld must be in [1, %d]", (long long)sc->isl, SCENARIO_LEN_MAX);
    if (sc->osl < 1 || sc->osl > SCENARIO_LEN_MAX)
        return ps_error_set(err, PS_EINPUT, "--osl %lld must be in [1, %d]", (long long)sc->osl, SCENARIO_LEN_MAX);
    if (sc->prefill_tokens < 1 || sc->prefill_tokens > SCENARIO_LEN_MAX)
        return ps_error_set(err, PS_EINPUT, "--prefill-tokens %lld must be in [1, %d]", (long long)sc->prefill_tokens,
                            SCENARIO_LEN_MAX);
    if (m->max_position > 0 && sc->isl + sc->osl > m->max_position)
        return ps_error_set(err, PS_EINPUT, "--isl + --osl = %lld exceeds the %lld positions of %s",
                            (long long)(sc->isl + sc->osl), (long long)m->max_position, m->name);
    return PS_OK;
}

int64_t ps_scenario_prompts_per_microbatch(const ps_scenario *sc)
{
    int64_t n = sc->prefill_tokens / sc->isl;
    return n < 1 ? 1 : n;
}

const char *ps_phase_name(ps_phase phase) { return phase == PS_PHASE_PREFILL ? "prefill" : "decode"; }

int64_t ps_prefill_step_count(const ps_plan *plan, const ps_scenario *sc)
{
    int64_t per_step = plan->microbatches * ps_scenario_prompts_per_microbatch(sc);
    return (sc->batch + per_step - 1) / per_step;
}

/* Spreads n sequences over k microbatches as evenly as possible, the first ones one larger. */
static void spread(ps_step *step, int64_t n, int k)
{
    step->microbatches = k;
    for (int i = 0; i < k; i++)
        step->seqs[i] = n / k + (i < n % k ? 1 : 0);
}

static int check_batch(const ps_scenario *sc, ps_error *err)
{
    if (sc->batch < 1)
        return ps_error_set(err, PS_EINPUT, "a step needs a batch of at least one sequence (got %lld)",
                            (long long)sc->batch);
    return PS_OK;
}

int ps_step_prefill(const ps_plan *plan, const ps_scenario *sc, int64_t index, ps_step *step, ps_error *err)
{
    int rc = check_batch(sc, err);
    if (rc)
        return rc;
    int64_t steps = ps_prefill_step_count(plan, sc);
    if (index < 0 || index >= steps)
        return ps_error_set(err, PS_EINPUT, "prefill step %lld: the batch has %lld prefill steps", (long long)index,
                            (long long)steps);
    memset(step, 0, sizeof *step);
    int64_t per_mb = ps_scenario_prompts_per_microbatch(sc);
    int64_t per_step = plan->microbatches * per_mb;
    int64_t left = sc->batch - index * per_step;
    int64_t n = left < per_step ? left : per_step;
    step->phase = PS_PHASE_PREFILL;
    step->index = index;
    step->tokens_per_seq = sc->isl;
    step->context = sc->isl;
    /* Enough microbatches to respect the prompt budget, and at least min(microbatches, n) so that
     * a small batch still keeps every pipeline stage busy. */
    int64_t k = (n + per_mb - 1) / per_mb, fill = n < plan->microbatches ? n : plan->microbatches;
    spread(step, n, (int)(k > fill ? k : fill));
    return PS_OK;
}

int ps_step_decode(const ps_plan *plan, const ps_scenario *sc, int64_t index, ps_step *step, ps_error *err)
{
    int rc = check_batch(sc, err);
    if (rc)
        return rc;
    if (index < 0 || index >= sc->osl)
        return ps_error_set(err, PS_EINPUT, "decode step %lld: there are %lld decode steps (OSL)", (long long)index,
                            (long long)sc->osl);
    memset(step, 0, sizeof *step);
    step->phase = PS_PHASE_DECODE;
    step->index = index;
    step->tokens_per_seq = 1;
    step->context = sc->isl + index + 1;
    int k = sc->batch < plan->microbatches ? (int)sc->batch : plan->microbatches;
    spread(step, sc->batch, k);
    return PS_OK;
}

int64_t ps_step_sequences(const ps_step *step)
{
    int64_t n = 0;
    for (int i = 0; i < step->microbatches; i++)
        n += step->seqs[i];
    return n;
}
