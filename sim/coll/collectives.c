/* sim/coll/collectives.c: the one table of collectives, and every lookup built from it.
 *
 * Each collective is one file (all_reduce.c, all_gather.c, ...) that fills one ps_coll_model with
 * designated initialisers: its names, nccl-tests columns, busbw factor, size semantics, which
 * calibrated rows it uses, and the shapes of its algorithms. Adding a collective is adding that
 * file, one enum value in parsim/coll.h and one row below; names, parsing, busbw factors, the
 * nccl-tests table columns and the calibration's parameter families all come from here.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "coll_internal.h"

/* Indexed by ps_coll_op: the enum order is the table order (test_coll_unit checks it). */
static const ps_coll_model *const models[PS_COLL_OP_COUNT] = {
    [PS_COLL_ALL_REDUCE] = &ps_coll_model_all_reduce,
    [PS_COLL_ALL_GATHER] = &ps_coll_model_all_gather,
    [PS_COLL_REDUCE_SCATTER] = &ps_coll_model_reduce_scatter,
    [PS_COLL_ALLTOALL] = &ps_coll_model_alltoall,
    [PS_COLL_SENDRECV] = &ps_coll_model_sendrecv,
    [PS_COLL_SEND] = &ps_coll_model_send,
    [PS_COLL_BROADCAST] = &ps_coll_model_broadcast,
};

const ps_coll_model *ps_coll_model_of(ps_coll_op op)
{
    return (op >= 0 && op < PS_COLL_OP_COUNT) ? models[op] : NULL;
}

const char *ps_coll_op_name(ps_coll_op op)
{
    const ps_coll_model *m = ps_coll_model_of(op);
    return m ? m->name : "unknown";
}

int ps_coll_op_parse(const char *text, ps_coll_op *out)
{
    for (int i = 0; text && i < PS_COLL_OP_COUNT; i++)
        if (!strcmp(text, models[i]->name)) {
            *out = (ps_coll_op)i;
            return PS_OK;
        }
    return PS_EINPUT;
}

double ps_coll_busbw_factor(ps_coll_op op, int n)
{
    const ps_coll_model *m = ps_coll_model_of(op);
    return (m && n >= 1) ? m->busbw_factor(n) : 0;
}

const char *ps_coll_op_redop(ps_coll_op op)
{
    const ps_coll_model *m = ps_coll_model_of(op);
    return m ? m->redop : "none";
}

int ps_coll_op_root(ps_coll_op op)
{
    const ps_coll_model *m = ps_coll_model_of(op);
    return m ? m->root : -1;
}

bool ps_coll_op_has_nccl_test(ps_coll_op op)
{
    const ps_coll_model *m = ps_coll_model_of(op);
    return m && m->nccl_test;
}

void ps_coll_op_list(char *buf, size_t size, bool nccl_tests_only)
{
    size_t len = 0;
    if (size)
        buf[0] = '\0';
    for (int i = 0; i < PS_COLL_OP_COUNT && len < size; i++) {
        if (nccl_tests_only && !models[i]->nccl_test)
            continue;
        int w = snprintf(buf + len, size - len, "%s%s", len ? ", " : "", models[i]->name);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

/* ---- algorithms and protocols (NCCL_ALGO / NCCL_PROTO spellings) ---------------------------- */

static const char *const algo_names[PS_ALGO_COUNT] = {
    [PS_ALGO_RING] = "ring", [PS_ALGO_NVLS] = "nvls", [PS_ALGO_P2P] = "p2p",
    [PS_ALGO_TREE] = "tree", [PS_ALGO_NVLS_TREE] = "nvls_tree",
    /* NCCL_ALGO's CollNetDirect / CollNetChain, in parsim's spelling (as nvls_tree) */
    [PS_ALGO_COLLNET_DIRECT] = "collnet_direct", [PS_ALGO_COLLNET_CHAIN] = "collnet_chain",
    /* the engines' own all_reduce (allreduce_trtllm.c, allreduce_vllm.c) */
    [PS_ALGO_TRTLLM] = "trtllm", [PS_ALGO_VLLM] = "vllm"};
static const char *const proto_names[PS_PROTO_COUNT] = {
    [PS_PROTO_LL] = "LL", [PS_PROTO_LL128] = "LL128", [PS_PROTO_SIMPLE] = "Simple"};

const char *ps_coll_algo_name(ps_coll_algo algo)
{
    return (algo >= 0 && algo < PS_ALGO_COUNT) ? algo_names[algo] : "auto";
}

int ps_coll_algo_parse(const char *text, ps_coll_algo *out)
{
    for (int i = 0; text && i < PS_ALGO_COUNT; i++)
        if (!strcasecmp(text, algo_names[i])) {
            *out = (ps_coll_algo)i;
            return PS_OK;
        }
    return PS_EINPUT;
}

const char *ps_coll_proto_name(ps_coll_proto proto)
{
    return (proto >= 0 && proto < PS_PROTO_COUNT) ? proto_names[proto] : "auto";
}

int ps_coll_proto_parse(const char *text, ps_coll_proto *out)
{
    for (int i = 0; text && i < PS_PROTO_COUNT; i++)
        if (!strcasecmp(text, proto_names[i])) {
            *out = (ps_coll_proto)i;
            return PS_OK;
        }
    return PS_EINPUT;
}
