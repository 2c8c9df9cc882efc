/* sim/replay/allreduce_engine.c: the serving engines' own all-reduce kernels (--allreduce
 * trtllm|vllm), beside NCCL's.
 *
 * Both engines send small TP all-reduces through their own kernels over NVLink peer memory
 * instead of NCCL:
 *   one-shot ("1stage"): every rank reads the whole buffer of every peer and reduces locally:
 *       each GPU receives (n - 1) x S bytes, two flag barriers (start, end);
 *   two-shot ("2stage"): reduce-scatter then all-gather through the peers' buffers: each GPU
 *       receives 2 (n - 1) / n x S bytes, three barriers.
 * Switch-over rules, from the engines' sources:
 *   TensorRT-LLM (cpp/tensorrt_llm/kernels/communicationKernels/allReduceFusionKernels.cu,
 *       use_oneshot: token_num <= kOneShotMaxToken = 128): one-shot up to 128 tokens, two-shot
 *       above;
 *   vLLM (csrc/custom_all_reduce.cuh, CustomAllreduce::allreduce): two-stage when the GPUs are
 *       fully NVLink-connected and the message is at least 512 KiB (world size <= 4) or 256 KiB
 *       (<= 8), one-stage otherwise; custom all-reduce only on full NVLink (or two GPUs), messages
 *       up to max_size = 8 MiB (vllm/distributed/device_communicators/custom_all_reduce.py),
 *       NCCL beyond.
 *   TensorRT-LLM's own upper limit (its AUTO strategy's workspace) is not modelled: parsim uses
 *   vLLM's 8 MiB for both (stated in docs/predict.md; unvalidated).
 * Time model: the flows are an alltoall pattern on the group's GPUs (one SimGrid parallel task,
 * so they contend with everything else on the links), with the platform's calibrated p2p
 * efficiency (the NCCL sidecar's p2p row: NVLink peer transfers on this platform); latency = one
 * kernel launch as the cost model prices a graph-launched kernel (its fixed cost) plus one route
 * latency per barrier. No measurement of these kernels validates it: predictions using them are
 * outside the envelope.
 */
#include <stdlib.h>
#include <string.h>

#include "replay_internal.h"

struct replay_custom_ar {
    ps_allreduce_impl impl;
    ps_coll_ctx *ctx[2];          /* [0] one-shot, [1] two-shot latency rows */
    ps_coll_group **groups[2];    /* [shot][graph group] */
    int ngroups;
    int tp;
    bool full_nvlink;
    double hidden_bytes_per_token;
};

#define CUSTOM_AR_MAX_BYTES (8.0 * 1024 * 1024)

void replay_custom_ar_free(replay_custom_ar *c)
{
    if (!c)
        return;
    for (int s = 0; s < 2; s++) {
        for (int g = 0; c->groups[s] && g < c->ngroups; g++)
            ps_coll_group_free(c->groups[s][g]);
        free(c->groups[s]);
        ps_coll_ctx_free(c->ctx[s]);
    }
    free(c);
}

int replay_custom_ar_create(const replay_custom_ar_config *cfg, replay_custom_ar **out, ps_error *err)
{
    *out = NULL;
    const ps_plan *plan = cfg->plan;
    if (cfg->impl != PS_ALLREDUCE_TRTLLM && cfg->impl != PS_ALLREDUCE_VLLM)
        return PS_OK;
    if (plan->tp < 2)
        return PS_OK;
    replay_custom_ar *c = calloc(1, sizeof *c);
    if (!c)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    const ps_platform_fabric_info *fab = ps_platform_fabric(cfg->platform);
    c->impl = cfg->impl;
    c->tp = plan->tp;
    c->full_nvlink = fab->kind != PS_FABRIC_PCIE && fab->node_count == 1;
    c->hidden_bytes_per_token = cfg->hidden_bytes_per_token;
    c->ngroups = plan->dp * plan->pp;
    double lat_s = 0, bw;
    int rc = ps_platform_route(cfg->platform, 0, 1, &bw, &lat_s, err);
    for (int s = 0; s < 2 && !rc; s++) {
        ps_coll_params p = *cfg->nccl_params;
        int barriers = s == 0 ? 2 : 3;
        /* the alltoall shape pays one step of route latency; the other barriers go in base */
        p.p2p = (ps_coll_proto_params){cfg->launch_us + (barriers - 1) * lat_s * 1e6, 0, cfg->nccl_params->p2p.eff, 0};
        c->groups[s] = calloc((size_t)c->ngroups, sizeof *c->groups[s]);
        if (!c->groups[s])
            rc = ps_error_set(err, PS_EINTERNAL, "out of memory");
        if (!rc)
            rc = ps_coll_ctx_create(cfg->platform, &p, &c->ctx[s], err);
        int ranks[PS_PLAN_MAX_TP];
        for (int g = 0; g < c->ngroups && !rc; g++) {
            int first = ps_plan_rank(plan, g / plan->pp, g % plan->pp, 0);
            for (int i = 0; i < plan->tp; i++)
                ranks[i] = first + i;
            rc = ps_coll_group_create(c->ctx[s], plan->tp, ranks, &c->groups[s][g], err);
        }
    }
    if (rc) {
        replay_custom_ar_free(c);
        return rc;
    }
    *out = c;
    return PS_OK;
}

/* The engine's choice for an all-reduce of `bytes`: 0 one-shot, 1 two-shot, -1 NCCL. */
static int choose(const replay_custom_ar *c, double bytes)
{
    if (bytes > CUSTOM_AR_MAX_BYTES)
        return -1;
    if (c->impl == PS_ALLREDUCE_TRTLLM) {
        double tokens = c->hidden_bytes_per_token > 0 ? bytes / c->hidden_bytes_per_token : 0;
        return tokens <= 128 ? 0 : 1;
    }
    if (!c->full_nvlink)
        return c->tp == 2 ? 0 : -1;
    if ((c->tp <= 4 && bytes >= 512.0 * 1024) || (c->tp <= 8 && c->tp > 4 && bytes >= 256.0 * 1024))
        return 1;
    return c->tp > 8 ? -1 : 0;
}

bool replay_custom_ar_call(const replay_custom_ar *c, int group, double bytes, ps_coll_group **out_group,
                           ps_coll_call *call)
{
    if (!c || group < 0 || group >= c->ngroups)
        return false;
    int shot = choose(c, bytes);
    if (shot < 0)
        return false;
    *out_group = c->groups[shot][group];
    /* alltoall size = n x the per-pair block: one-shot moves S per pair, two-shot 2 S / n */
    double total = shot == 0 ? c->tp * bytes : 2 * bytes;
    *call = (ps_coll_call){PS_COLL_ALLTOALL, total, 0, PS_ALGO_P2P, PS_PROTO_SIMPLE};
    return true;
}
