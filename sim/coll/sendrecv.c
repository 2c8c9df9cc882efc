/* sim/coll/sendrecv.c: point-to-point transfers, the PP path.
 *
 * sendrecv is nccl-tests' sendrecv_perf pattern: every rank sends S to rank+1 and receives S from
 * rank-1 at once (busbw factor 1). send is one transfer, member 0 -> member 1 of a pair group, as
 * a pipeline stage hands activations to the next. NCCL moves p2p data in 512 KiB chunks on
 * NVLink (nccl-model.md 2.6); the chunking is inside the fitted p2p efficiency and fill.
 */
#include "coll_internal.h"

static bool shape_sendrecv(ps_coll_algo algo, const coll_topo *topo, coll_shape *out)
{
    (void)topo;
    if (algo != PS_ALGO_P2P)
        return false;
    *out = (coll_shape){.pattern = PAT_SENDRECV, .steps = 1, .arc_frac = 1.0};
    return true;
}

static bool shape_send(ps_coll_algo algo, const coll_topo *topo, coll_shape *out)
{
    if (algo != PS_ALGO_P2P || topo->n != 2)
        return false;
    *out = (coll_shape){.pattern = PAT_SEND, .steps = 1, .arc_frac = 1.0};
    return true;
}

const ps_coll_model ps_coll_model_sendrecv = {
    .op = PS_COLL_SENDRECV,
    .name = "sendrecv",
    .nccl_test = true,
    .redop = "sum",
    .root = -1,
    .per_rank_count = false,
    .busbw_factor = coll_busbw_whole_buffer, /* nccl-tests SendRecvGetBw: busbw = algbw */
    .ring_family = false,
    .ring_scale = COLL_RING_SCALE_NONE,
    .shape = shape_sendrecv,
};

/* The PP transfer: no nccl-tests binary (`parsim nccl --op send` is refused). */
const ps_coll_model ps_coll_model_send = {
    .op = PS_COLL_SEND,
    .name = "send",
    .nccl_test = false,
    .redop = "none",
    .root = -1,
    .per_rank_count = false,
    .busbw_factor = coll_busbw_whole_buffer, /* as sendrecv (no nccl-tests binary) */
    .ring_family = false,
    .ring_scale = COLL_RING_SCALE_NONE,
    .shape = shape_send,
};
