/* sim/replay/sched_inflight.c: continuous (in-flight) batching as TensorRT-LLM and vLLM run it
 * (../shared/notes/serving.md; tags [T..], [V..], [B..] are its sources).
 *
 * The loop (runs inside the one simgrid_run, in the replay driver actor):
 *   every round, each of the m = pp microbatch slots (TRT num_micro_batches = pp [T3][T5], vLLM
 *   pp batches in flight [V7]) forms its batch: first its running decodes (one token each, up to
 *   max_batch_size), then prompt chunks FCFS in what is left of max_num_tokens [T2][V1]: with
 *   chunked prefill a prompt takes min(remaining, budget) tokens (TRT rounds a truncated chunk
 *   down to tokens_per_block [T2][T3]); without, a prompt must fit whole or the walk stops
 *   (head-of-line [T9]). New requests join a slot only when their KV fits: TRT GUARANTEED_NO_EVICT
 *   reserves prompt + OSL for every admitted request [T1]; vLLM admits when the next step's
 *   tokens fit and preempts the newest running request when the cache runs out [V1] (the KV is
 *   checked every round; preemptions are counted). A request keeps its slot until it finishes
 *   and advances one token (or one chunk) per round; a finished request frees its slot at once.
 *   The round's time is the steady-state period of the replayed mixed graph (graph_mixed.c) of
 *   the m slots' compositions.
 * Loads: --batch N keeps N requests in flight (closed loop); --batch max submits --requests R at
 *   t = 0 (trtllm-bench throughput [B1][B3]); --rate Q gives Poisson arrivals (--seed).
 * Shortcuts: a round's composition is replayed once and its period reused (cache key: per slot
 *   the decode count, the chunk tokens and count, the decode mean context in buckets of
 *   CTX_BUCKET tokens priced at the bucket's centre, the chunks' attention work in 2 % buckets);
 *   a slot decoding DEC_BUCKET or more sequences is replayed at the multiples of DEC_BUCKET
 *   around its count and the period interpolated linearly in the decode tokens (a step's GEMMs
 *   and attention are affine in them away from the smallest batches). PARSIM_REPLAY_FULL=1
 *   replays every exact composition; tests/replay bounds the difference at 0.5 %.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sched_mixed.h"

#define CTX_BUCKET 64
#define DEC_BUCKET 16
#define WORK_BUCKET 1.02
#define CACHE_MAX 65536

typedef enum { REQ_FUTURE = 0, REQ_WAITING, REQ_RUNNING, REQ_DONE } req_state;

typedef struct request {
    double arrival_s, first_s, end_s;
    int64_t prefilled, generated;
    int slot;
    req_state state;
    int64_t preempted;
} request;

typedef struct round_key {
    int64_t v[PS_PLAN_MAX_MICROBATCHES][5];
    int m;
} round_key;

typedef struct round_entry {
    round_key key;
    double period_s;
    double breakdown_ms[PS_PART_COUNT];
    bool has_prefill;
    double uses;           /* rounds it stood for (interpolated rounds count by their weight) */
    replay_graph sums;     /* the priced graph's sums only (no arrays): sources, errors */
    double tp_comm_s, allreduce_bytes, handoff_ms;
} round_entry;

typedef struct inflight {
    predict_case *pc;
    const ps_workload *wl;
    int64_t isl, osl, R, closed_n;     /* closed_n: --batch N (0: open loop) */
    int64_t max_batch, max_tokens, block;
    bool chunked, no_evict;
    int64_t kv_capacity;               /* tokens of KV per replica (worst stage) */
    int m;                             /* slots */
    request *req;
    int64_t issued, done, running_in_slot[PS_PLAN_MAX_MICROBATCHES];
    /* The live window (window_advance): below first_live every request is done; from admit_end on
     * none was ever admitted; from arrived_end on none has arrived. Arrivals are in index order
     * (Poisson times increase, a closed loop issues in order), so a round walks [first_live,
     * admit_end) for its running requests and on to arrived_end for new prompts, not all R. */
    int64_t first_live, admit_end, arrived_end;
    int64_t reserved;                  /* KV tokens reserved (no-evict) or in use (vLLM) */
    double clock;
    round_entry *cache;
    int ncache;
    int64_t rounds, preemptions, replayed_ops, activities;
    double sim_s;
    bool exact;
} inflight;

/* ---- engine limits -------------------------------------------------------------------------- */

/* trtllm-bench's tuning heuristic (serving.md 2.8, [B5][B6]) for --batch max without limits. */
static void trtllm_bench_limits(const inflight *s, const ps_memory_report *mem, int64_t *bs, int64_t *tok)
{
    const ps_workload *wl = s->wl;
    double gib = 1073741824.0;
    double kvb = ps_dtype_bytes(wl->precision.kv);
    int64_t heads = wl->plan.tp > wl->model.kv_heads ? wl->plan.tp : wl->model.kv_heads;
    double gb_per_token = 2.0 * (double)wl->model.layers * (double)heads * (double)wl->model.head_dim * kvb / gib;
    double total_gb = wl->gpu.spec.hbm_bytes / gib * wl->plan.tp * wl->plan.pp;
    double ckpt_gb = mem->weights_bytes_per_gpu * wl->plan.tp * wl->plan.pp / gib;
    double cache_gb = (total_gb - ckpt_gb) * wl->mem_fraction;
    double kv_max_reqs = cache_gb / (gb_per_token * (double)(s->isl + s->osl));
    double raw_bs = (kv_max_reqs < 4096 ? kv_max_reqs : 4096) / wl->plan.pp;
    double raw_tok = raw_bs * (1 + (double)s->isl / (double)s->osl);
    if (raw_tok > 32768)
        raw_tok = 32768;
    int64_t b = raw_bs < 256 ? (int64_t)(32 * ceil(raw_bs / 32)) : raw_bs < 1024 ? (int64_t)(128 * ceil(raw_bs / 128))
                                                                                : (int64_t)(256 * ceil(raw_bs / 256));
    if (raw_bs < 256 && b < 64)
        b = 64;
    int64_t t = raw_tok < 4096 ? (int64_t)(256 * ceil(raw_tok / 256)) : raw_tok < 8192 ? (int64_t)(512 * ceil(raw_tok / 512))
                                                                                      : (int64_t)(1024 * ceil(raw_tok / 1024));
    if (raw_tok < 4096 && t < 2048)
        t = 2048;
    *bs = b;
    *tok = t;
}

/* KV tokens per replica: per stage, the engine's KV budget over the KV bytes per token. TRT:
 * free_gpu_memory_fraction of what weights and activations leave [T4][T5]; vLLM:
 * gpu_memory_utilization of the whole memory minus weights and activations [V5]. Both fractions
 * are --mem-fraction (default 0.90: TRT's default; vLLM's is 0.92 in current code, 0.9 before). */
static int64_t kv_capacity(const inflight *s, const ps_memory_report *mem)
{
    const ps_workload *wl = s->wl;
    ps_scenario sc = wl->scenario;
    sc.prefill_tokens = s->max_tokens;
    double hbm = wl->gpu.spec.hbm_bytes, best = -1;
    for (int st = 0; st < mem->stages; st++) {
        double ws = ps_memory_workspace_bytes(&wl->model, &wl->precision, &wl->plan, &sc, st, s->max_batch);
        double w = mem->stage[st].weights_bytes, per_token = mem->stage[st].kv_bytes_per_token;
        double budget = s->pc->req->serving.engine == PS_ENGINE_VLLM ? wl->mem_fraction * hbm - w - ws : (hbm - w - ws) * wl->mem_fraction;
        double tokens = per_token > 0 ? budget / per_token : 0;
        if (best < 0 || tokens < best)
            best = tokens;
    }
    return best > 0 ? (int64_t)best : 0;
}

/* ---- arrivals -------------------------------------------------------------------------------- */

/* Deterministic Poisson arrivals: exponential gaps from a 64-bit LCG (Knuth's MMIX constants). */
static double next_uniform(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(*state >> 11) + 0.5) / 9007199254740992.0;
}

static void set_arrivals(inflight *s, double rate, uint64_t seed)
{
    uint64_t st = seed ^ 0x9E3779B97F4A7C15ULL;
    double t = 0;
    for (int64_t i = 0; i < s->R; i++) {
        if (rate > 0) {
            t += -log(next_uniform(&st)) / rate;
            s->req[i].arrival_s = t;
        } else {
            s->req[i].arrival_s = 0;
        }
        s->req[i].slot = -1;
    }
    /* closed loop: the first N arrive at 0, the others when one finishes (set then) */
    s->issued = s->closed_n > 0 ? (s->closed_n < s->R ? s->closed_n : s->R) : s->R;
}

/* ---- one round ------------------------------------------------------------------------------- */

static int64_t ctx_of(const inflight *s, const request *r) { return s->isl + r->generated; }

/* Forms slot k's batch. chunk_of[i] = tokens request i prefills this round (0: none), dec[i] = 1
 * when it decodes. */
static void form_slot(inflight *s, int k, mixed_mb *mb, int64_t *chunk_of, unsigned char *dec)
{
    memset(mb, 0, sizeof *mb);
    int64_t budget = s->max_tokens, count = 0, ctx_sum = 0;
    for (int64_t i = s->first_live; i < s->admit_end; i++) { /* running decodes first */
        request *r = &s->req[i];
        if (r->state != REQ_RUNNING || r->slot != k || r->prefilled < s->isl || count >= s->max_batch || budget < 1)
            continue;
        dec[i] = 1;
        count++;
        budget--;
        ctx_sum += ctx_of(s, r);
    }
    mb->decode_seqs = count;
    mb->decode_context = count ? ctx_sum / count : 0;
    for (int64_t i = s->first_live; i < s->arrived_end && budget > 0; i++) { /* then prompts, FCFS */
        request *r = &s->req[i];
        bool partial = r->state == REQ_RUNNING && r->slot == k && r->prefilled < s->isl;
        bool fresh = r->state == REQ_WAITING && r->arrival_s <= s->clock;
        if (!partial && !fresh)
            continue;
        if (count >= s->max_batch || mb->nchunks >= MIXED_MAX_CHUNKS)
            break;
        int64_t need = s->isl - r->prefilled, c = need < budget ? need : budget;
        if (!s->chunked && c < need)
            break; /* head-of-line: the prompt must fit whole */
        if (c < need && s->block > 1)
            c -= c % s->block; /* TRT: a truncated chunk is a multiple of tokens_per_block */
        if (c <= 0)
            break;
        if (fresh) {
            int64_t want = s->no_evict ? s->isl + s->osl : c;
            if (s->reserved + want > s->kv_capacity)
                break; /* FCFS: the first that does not fit stops admission [T1] */
            s->reserved += want;
            r->state = REQ_RUNNING;
            r->slot = k;
            s->running_in_slot[k]++;
            if (i >= s->admit_end)
                s->admit_end = i + 1;
        } else if (!s->no_evict) {
            s->reserved += c;
        }
        chunk_of[i] = c;
        mb->chunks[mb->nchunks++] = (mixed_chunk){c, r->prefilled};
        mb->chunk_tokens += c;
        mb->sampled += r->prefilled + c == s->isl;
        count++;
        budget -= c;
    }
    mb->sampled += mb->decode_seqs;
}

/* vLLM: the decodes' next tokens must fit; otherwise the newest running request is preempted
 * (its KV freed, recomputed from scratch later) [V1]. */
static void make_room(inflight *s)
{
    if (s->no_evict)
        return;
    int64_t growth = 0;
    for (int64_t i = s->first_live; i < s->admit_end; i++)
        growth += s->req[i].state == REQ_RUNNING && s->req[i].prefilled == s->isl;
    while (s->reserved + growth > s->kv_capacity) {
        int64_t victim = -1;
        for (int64_t i = s->first_live; i < s->admit_end; i++)
            if (s->req[i].state == REQ_RUNNING)
                victim = i;
        if (victim < 0)
            return;
        request *r = &s->req[victim];
        s->reserved -= r->prefilled + r->generated;
        growth -= r->prefilled == s->isl;
        s->running_in_slot[r->slot]--;
        r->state = REQ_WAITING;
        r->prefilled = r->generated = 0;
        r->slot = -1;
        r->preempted++;
        s->preemptions++;
    }
}

static int64_t bucket_ctx(const inflight *s, int64_t c)
{
    return s->exact ? c : (c / CTX_BUCKET) * CTX_BUCKET + CTX_BUCKET / 2;
}

static int64_t bucket_work(const inflight *s, double w)
{
    return s->exact || w <= 0 ? (int64_t)w : (int64_t)floor(log(w) / log(WORK_BUCKET));
}

static void make_key(const inflight *s, const mixed_step *ms, round_key *key)
{
    memset(key, 0, sizeof *key);
    key->m = ms->microbatches;
    for (int k = 0; k < ms->microbatches; k++) {
        const mixed_mb *mb = &ms->mb[k];
        double work = 0; /* the chunks' attention work at bucketed prefixes (what is priced) */
        for (int c = 0; c < mb->nchunks; c++) {
            double p = mb->chunks[c].prefix > 0 ? (double)bucket_ctx(s, mb->chunks[c].prefix) : 0;
            work += (double)mb->chunks[c].tokens * (p + 0.5 * (double)mb->chunks[c].tokens);
        }
        int64_t *v = key->v[k];
        v[0] = mb->decode_seqs;
        v[1] = mb->chunk_tokens;
        v[2] = mb->nchunks * 4096 + mb->sampled;
        v[3] = mb->decode_seqs ? bucket_ctx(s, mb->decode_context) : 0;
        v[4] = bucket_work(s, work);
    }
}

/* The step as priced: decode contexts at their bucket's centre, chunk prefixes likewise (the
 * chunk sizes are exact); the first round with a key prices it for all. */
static void price_at_key(const inflight *s, const round_key *key, mixed_step *ms)
{
    if (s->exact)
        return;
    for (int k = 0; k < ms->microbatches; k++) {
        mixed_mb *mb = &ms->mb[k];
        if (mb->decode_seqs)
            mb->decode_context = key->v[k][3];
        for (int c = 0; c < mb->nchunks; c++)
            if (mb->chunks[c].prefix > 0)
                mb->chunks[c].prefix = bucket_ctx(s, mb->chunks[c].prefix);
    }
}

/* ---- simulating a round ------------------------------------------------------------------------ */

static int simulate_round(inflight *s, replay_engine *engine, mixed_step *ms, round_entry *e, ps_error *err)
{
    predict_case *pc = s->pc;
    bool prefill = false;
    for (int k = 0; k < ms->microbatches; k++)
        prefill |= ms->mb[k].nchunks > 0;
    price_at_key(s, &e->key, ms);
    ps_graph g;
    if (mixed_graph_build(s->wl, ms, &g, err))
        return err->code;
    replay_graph rg;
    pc->mixed = ms;
    pc->launch = prefill ? PS_LAUNCH_EAGER : pc->req->serving.launch;
    int rc = replay_graph_prepare(&g, &pc->costing, &rg, err);
    pc->mixed = NULL;
    if (rc) {
        ps_graph_free(&g);
        return rc;
    }
    rg.feedback = true;
    int reps = s->wl->plan.pp > 1 ? 3 : 1;
    const replay_graph *passes[3] = {&rg, &rg, &rg};
    replay_result res;
    rc = replay_run_passes(engine, passes, reps, &res, err);
    if (!rc) {
        e->period_s = reps > 1 ? res.pass_end_s[reps - 1] - res.pass_end_s[reps - 2] : res.pass_end_s[0] - res.start_s;
        predict_breakdown(&res, reps - 1, e->period_s, e->breakdown_ms);
        e->handoff_ms = predict_handoff_ms(&res, reps - 1);
        e->has_prefill = prefill;
        e->tp_comm_s = e->breakdown_ms[PS_PART_TP_COMM_EXPOSED] * 1e-3;
        e->allreduce_bytes = 0;
        const ps_rank_ops *ro = &g.ranks[0];
        for (size_t i = 0; i < ro->count && e->allreduce_bytes == 0; i++)
            if (ro->ops[i].kind == PS_OP_ALLREDUCE)
                e->allreduce_bytes = ro->ops[i].comm_bytes;
        e->sums = rg;
        e->sums.op_time_s = NULL;
        e->sums.op_gap_s = NULL;
        e->sums.streams = NULL;
        e->sums.graph = NULL;
        s->replayed_ops += res.ops;
        s->activities += res.activities;
        s->sim_s += res.pass_end_s[reps - 1] - res.start_s;
        replay_result_free(&res);
    }
    replay_graph_free(&rg);
    ps_graph_free(&g);
    return rc;
}

static bool key_equal(const round_key *a, const round_key *b)
{
    return a->m == b->m && !memcmp(a->v, b->v, sizeof(a->v[0]) * (size_t)a->m);
}

static int round_time(inflight *s, replay_engine *engine, mixed_step *ms, round_entry **out, ps_error *err)
{
    round_key key;
    make_key(s, ms, &key);
    for (int i = s->ncache - 1; i >= 0; i--)
        if (key_equal(&s->cache[i].key, &key)) {
            *out = &s->cache[i];
            return PS_OK;
        }
    if (s->ncache == CACHE_MAX)
        return ps_error_set(err, PS_EINTERNAL, "in-flight scheduler: more than %d distinct iterations", CACHE_MAX);
    round_entry *e = &s->cache[s->ncache];
    memset(e, 0, sizeof *e);
    e->key = key;
    int rc = simulate_round(s, engine, ms, e, err);
    if (rc)
        return rc;
    s->ncache++;
    *out = e;
    return PS_OK;
}

/* The round's period: exact, or interpolated between the compositions whose decode counts are
 * the multiples of DEC_BUCKET around each slot's (see the header). */
static int interpolated_round(inflight *s, replay_engine *engine, const mixed_step *ms, double *period, ps_error *err)
{
    static mixed_step lo, hi; /* large (256 microbatches); one driver per process: copy the used ones */
    lo.microbatches = hi.microbatches = ms->microbatches;
    memcpy(lo.mb, ms->mb, sizeof ms->mb[0] * (size_t)ms->microbatches);
    memcpy(hi.mb, ms->mb, sizeof ms->mb[0] * (size_t)ms->microbatches);
    int64_t d = 0, dl = 0, dh = 0;
    for (int k = 0; k < ms->microbatches && !s->exact; k++) {
        int64_t n = ms->mb[k].decode_seqs, r = n % DEC_BUCKET;
        if (n < DEC_BUCKET || r == 0)
            continue;
        lo.mb[k].decode_seqs = n - r;
        hi.mb[k].decode_seqs = n - r + DEC_BUCKET;
        lo.mb[k].sampled -= r;
        hi.mb[k].sampled += DEC_BUCKET - r;
        d += n;
        dl += n - r;
        dh += n - r + DEC_BUCKET;
    }
    round_entry *a, *b;
    int rc = round_time(s, engine, &lo, &a, err);
    if (rc)
        return rc;
    if (dh == dl) {
        a->uses += 1;
        *period = a->period_s;
        return PS_OK;
    }
    if ((rc = round_time(s, engine, &hi, &b, err)))
        return rc;
    double t = (double)(d - dl) / (double)(dh - dl);
    a->uses += 1 - t;
    b->uses += t;
    *period = a->period_s + t * (b->period_s - a->period_s);
    return PS_OK;
}

/* ---- the loop ---------------------------------------------------------------------------------- */

static void finish_request(inflight *s, int64_t i)
{
    request *r = &s->req[i];
    r->state = REQ_DONE;
    r->end_s = s->clock;
    s->done++;
    s->running_in_slot[r->slot]--;
    s->reserved -= s->no_evict ? s->isl + s->osl : r->prefilled + r->generated;
    if (s->closed_n > 0 && s->issued < s->R) { /* closed loop: the client sends its next request */
        s->req[s->issued].arrival_s = s->clock;
        s->req[s->issued].state = REQ_WAITING;
        s->issued++;
    }
}

static void apply_round(inflight *s, const int64_t *chunk_of, const unsigned char *dec)
{
    for (int64_t i = s->first_live; i < s->admit_end; i++) {
        request *r = &s->req[i];
        if (dec[i]) {
            r->generated++;
            if (!s->no_evict)
                s->reserved++;
        } else if (chunk_of[i] > 0) {
            r->prefilled += chunk_of[i];
            if (r->prefilled == s->isl) {
                r->generated = 1; /* the last chunk's pass samples the first token */
                r->first_s = s->clock;
                if (!s->no_evict)
                    s->reserved++;
            }
        } else {
            continue;
        }
        if (r->prefilled == s->isl && r->generated >= s->osl)
            finish_request(s, i);
    }
}

/* The next arrival after `clock` among waiting requests (open loop), or -1: arrivals are in
 * index order, so it is the first request past the arrived ones. */
static double next_arrival(const inflight *s)
{
    return s->arrived_end < s->issued ? s->req[s->arrived_end].arrival_s : -1;
}

/* Moves the live window (struct inflight) to the clock: past the done requests at its start, on
 * to the requests that have arrived by now. */
static void window_advance(inflight *s)
{
    while (s->first_live < s->issued && s->req[s->first_live].state == REQ_DONE)
        s->first_live++;
    if (s->admit_end < s->first_live)
        s->admit_end = s->first_live;
    if (s->arrived_end < s->admit_end)
        s->arrived_end = s->admit_end;
    while (s->arrived_end < s->issued && s->req[s->arrived_end].arrival_s <= s->clock)
        s->arrived_end++;
}

static int inflight_driver(replay_engine *engine, void *arg, ps_error *err)
{
    inflight *s = arg;
    int64_t *chunk_of = calloc((size_t)s->R, sizeof *chunk_of);
    unsigned char *dec = calloc((size_t)s->R, 1);
    static mixed_step ms; /* large; one driver per process */
    int rc = chunk_of && dec ? PS_OK : ps_error_set(err, PS_EINTERNAL, "out of memory");
    for (int64_t i = 0; i < s->issued; i++)
        s->req[i].state = REQ_WAITING;
    while (!rc && s->done < s->R) {
        window_advance(s);
        /* what earlier rounds set lies in [first_live, admit_end): only admitted requests are
         * ever marked, and the prompts this round admits past admit_end were never marked */
        size_t live = (size_t)(s->admit_end - s->first_live);
        memset(chunk_of + s->first_live, 0, sizeof *chunk_of * live);
        memset(dec + s->first_live, 0, live);
        make_room(s);
        ms.microbatches = 0; /* form_slot clears each microbatch it forms */
        for (int k = 0; k < s->m; k++) {
            form_slot(s, k, &ms.mb[ms.microbatches], chunk_of, dec);
            if (ms.mb[ms.microbatches].decode_seqs + ms.mb[ms.microbatches].chunk_tokens > 0)
                ms.microbatches++;
        }
        if (ms.microbatches == 0) {
            double t = next_arrival(s);
            if (t < 0) {
                rc = ps_error_set(err, PS_EINPUT, "in-flight scheduler: no request can start: one needs %lld KV "
                                  "tokens (prompt + output), the cache holds %lld (what the weights and the "
                                  "workspace of max-batch-size %lld, max-num-tokens %lld leave)",
                                  (long long)(s->isl + s->osl), (long long)s->kv_capacity, (long long)s->max_batch,
                                  (long long)s->max_tokens);
                break;
            }
            s->clock = t;
            continue;
        }
        double period;
        rc = interpolated_round(s, engine, &ms, &period, err);
        if (rc)
            break;
        s->clock += period;
        s->rounds++;
        apply_round(s, chunk_of, dec);
    }
    free(chunk_of);
    free(dec);
    return rc;
}

/* ---- setup and results ------------------------------------------------------------------------- */

static int set_limits(inflight *s, ps_error *err)
{
    const ps_serving *sv = &s->pc->req->serving;
    bool vllm = sv->engine == PS_ENGINE_VLLM, max_load = s->wl->scenario.batch == PS_BATCH_MAX || s->closed_n == 0;
    if (vllm) {
        /* vLLM V1 on a >= 70 GiB GPU (not A100), offline LLM class: max_num_seqs 1024,
         * max_num_batched_tokens 16384, chunked prefill on [V2][V3]; chunks are exact [V1] */
        s->max_batch = 1024;
        s->max_tokens = 16384;
        s->chunked = true;
        s->block = 1;
        s->no_evict = false;
    } else {
        /* TensorRT-LLM LLM API: max_batch_size 2048, max_num_tokens 8192, chunked prefill off,
         * tokens_per_block 32 [T7]; GUARANTEED_NO_EVICT [T12] */
        s->max_batch = 2048;
        s->max_tokens = 8192;
        s->chunked = false;
        s->block = 32;
        s->no_evict = true;
        if (max_load && !sv->max_batch_size && !sv->max_num_tokens)
            trtllm_bench_limits(s, &s->pc->mem, &s->max_batch, &s->max_tokens);
    }
    if (sv->max_batch_size)
        s->max_batch = sv->max_batch_size;
    if (sv->max_num_tokens)
        s->max_tokens = sv->max_num_tokens;
    if (sv->chunked_prefill >= 0)
        s->chunked = sv->chunked_prefill == 1;
    if (!vllm && !s->chunked && max_load && !sv->max_num_tokens && s->max_tokens < s->isl + s->max_batch)
        s->max_tokens = s->isl + s->max_batch; /* trtllm-bench without chunking [B4] */
    if (vllm && s->m > 1) /* max_num_seqs caps the whole running set [V1], shared by the pp batches */
        s->max_batch = (s->max_batch + s->m - 1) / s->m;
    if (!s->chunked && s->max_tokens < s->isl)
        return ps_error_set(err, PS_EINPUT, "--max-num-tokens %lld is below --isl %lld with chunked prefill off: no "
                            "prompt fits an iteration (use --chunked-prefill on)", (long long)s->max_tokens,
                            (long long)s->isl);
    /* form_slot rounds a truncated chunk down to a whole KV block: below one block no chunk of a
     * longer prompt is ever scheduled (the walk used to end in a misleading "cache holds" error) */
    if (s->chunked && s->block > 1 && s->max_tokens < s->block && s->max_tokens < s->isl)
        return ps_error_set(err, PS_EINPUT, "--max-num-tokens %lld is below TensorRT-LLM's KV block of %lld tokens: "
                            "a chunk of a longer prompt is a whole number of blocks, so no prompt of %lld tokens "
                            "can start", (long long)s->max_tokens, (long long)s->block, (long long)s->isl);
    return PS_OK;
}

static void fill_result(inflight *s, ps_prediction *out, double *ttft, double *tpot, double *e2e)
{
    predict_case *pc = s->pc;
    double first = -1, last = 0, sum_e2e = 0;
    for (int64_t i = 0; i < s->R; i++) {
        const request *r = &s->req[i];
        ttft[i] = (r->first_s - r->arrival_s) * 1e3;
        e2e[i] = (r->end_s - r->arrival_s) * 1e3;
        tpot[i] = s->osl > 1 ? (e2e[i] - ttft[i]) / (double)(s->osl - 1) : 0;
        if (first < 0 || r->arrival_s < first)
            first = r->arrival_s;
        if (r->end_s > last)
            last = r->end_s;
        sum_e2e += r->end_s - r->arrival_s;
    }
    double span = last - first;
    predict_request_stats(ttft, tpot, e2e, s->R, out);
    out->output_tok_s = span > 0 ? (double)pc->wl.plan.dp * (double)s->R * (double)s->osl / span : 0;
    out->output_tok_s_per_gpu = out->output_tok_s / out->gpus;
    out->batch = span > 0 ? sum_e2e / span : 0; /* Little's law, trtllm-bench's concurrency [B8] */
    out->requests = s->R;
    out->iterations = (double)s->rounds;
    double w[2] = {0, 0};
    for (int i = 0; i < s->ncache; i++) {
        round_entry *e = &s->cache[i];
        int ph = e->has_prefill ? PS_PHASE_PREFILL : PS_PHASE_DECODE;
        for (int k = 0; k < PS_PART_COUNT; k++)
            out->breakdown_ms[ph][k] += e->uses * e->breakdown_ms[k];
        out->handoff_transfer_ms[ph] += e->uses * e->handoff_ms;
        w[ph] += e->uses;
        predict_account_graph(pc, &e->sums, e->uses);
        double comm = e->uses * e->tp_comm_s;
        pc->comm_s += comm;
        if (e->allreduce_bytes < (1 << 20))
            pc->comm_small_s += comm;
    }
    for (int ph = 0; ph < 2; ph++) {
        for (int k = 0; k < PS_PART_COUNT && w[ph] > 0; k++)
            out->breakdown_ms[ph][k] /= w[ph];
        if (w[ph] > 0)
            out->handoff_transfer_ms[ph] /= w[ph];
    }
    pc->sim_seconds += s->clock;
    pc->replayed_ops += s->replayed_ops;
    pc->activities += s->activities;
    out->preemptions = s->preemptions;
    out->distinct_iterations = s->ncache;
    out->max_batch_size = s->max_batch;
    out->max_num_tokens = s->max_tokens;
    out->chunked_prefill = s->chunked;
    out->kv_capacity_tokens = s->kv_capacity;
}

int sched_inflight_run(predict_case *pc, ps_prediction *out, ps_error *err)
{
    const ps_serving *sv = &pc->req->serving;
    inflight s = {.pc = pc, .wl = &pc->wl, .isl = pc->wl.scenario.isl, .osl = pc->wl.scenario.osl,
                  .m = pc->wl.plan.microbatches, .exact = pc->full_replay};
    bool closed = pc->req->workload.scenario.batch != PS_BATCH_MAX && sv->rate_per_s <= 0;
    s.closed_n = closed ? pc->wl.scenario.batch : 0;
    s.R = sv->requests > 0 ? sv->requests : closed ? (4 * s.closed_n < 1000 ? 4 * s.closed_n : 1000) : 1000;
    if (s.closed_n > s.R)
        s.R = s.closed_n;
    if (s.m > PS_PLAN_MAX_MICROBATCHES)
        s.m = PS_PLAN_MAX_MICROBATCHES;
    int rc = set_limits(&s, err);
    if (rc)
        return rc;
    s.kv_capacity = kv_capacity(&s, &pc->mem);
    /* One request's prompt + output must fit the cache. vLLM preempts the newest running request
     * when the cache runs out (make_room): such a request preempted itself and started over,
     * forever; vLLM itself refuses to start then (max_model_len above the KV cache's tokens).
     * TRT's no-evict admission reserves prompt + output, so with an empty cache no request could
     * start (the driver's "no request can start"). Either way the plan does not fit: the
     * prediction says so with the reason (ps_prediction.not_fit_reason) and nothing runs. */
    if (s.isl + s.osl > s.kv_capacity) {
        if (s.no_evict)
            snprintf(out->not_fit_reason, sizeof out->not_fit_reason,
                     "in-flight scheduler: no request can start: one needs %lld KV tokens (prompt + output), the "
                     "cache holds %lld (what the weights and the workspace of max-batch-size %lld, max-num-tokens "
                     "%lld leave)", (long long)(s.isl + s.osl), (long long)s.kv_capacity, (long long)s.max_batch,
                     (long long)s.max_tokens);
        else
            snprintf(out->not_fit_reason, sizeof out->not_fit_reason,
                     "in-flight scheduler: a request needs %lld KV tokens (prompt + output), the cache holds %lld "
                     "(what the weights and the workspace of max-batch-size %lld, max-num-tokens %lld leave): vLLM "
                     "refuses to start (max_model_len above the KV cache)", (long long)(s.isl + s.osl),
                     (long long)s.kv_capacity, (long long)s.max_batch, (long long)s.max_tokens);
        out->fits = false;
        out->shortfall_bytes = (double)(s.isl + s.osl - s.kv_capacity) * pc->mem.kv_bytes_per_token_per_gpu;
        return PS_OK;
    }
    s.req = calloc((size_t)s.R, sizeof *s.req);
    s.cache = calloc(CACHE_MAX, sizeof *s.cache);
    double *ttft = calloc((size_t)s.R, sizeof(double)), *tpot = calloc((size_t)s.R, sizeof(double));
    double *e2e = calloc((size_t)s.R, sizeof(double));
    if (!s.req || !s.cache || !ttft || !tpot || !e2e)
        rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
    if (!rc) {
        set_arrivals(&s, closed ? 0 : sv->rate_per_s, sv->seed);
        rc = replay_simulate(pc->engine, inflight_driver, &s, err);
    }
    if (!rc)
        fill_result(&s, out, ttft, tpot, e2e);
    free(s.req);
    free(s.cache);
    free(ttft);
    free(tpot);
    free(e2e);
    return rc;
}
