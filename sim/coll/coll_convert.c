/* The collective model's op names against the op graph's and the trace's (see parsim/coll.h):
 * one table, both directions. */
#include "parsim/coll.h"

static const struct {
    ps_trace_collective trace;
    ps_coll_op coll;
} trace_colls[] = {
    {PS_TRACE_ALLREDUCE, PS_COLL_ALL_REDUCE},         {PS_TRACE_ALLGATHER, PS_COLL_ALL_GATHER},
    {PS_TRACE_REDUCESCATTER, PS_COLL_REDUCE_SCATTER}, {PS_TRACE_BROADCAST, PS_COLL_BROADCAST},
    {PS_TRACE_ALLTOALL, PS_COLL_ALLTOALL},            {PS_TRACE_SEND, PS_COLL_SEND},
    {PS_TRACE_RECV, PS_COLL_SEND},
};
#define TRACE_COLL_COUNT (sizeof trace_colls / sizeof trace_colls[0])

bool ps_coll_op_from_trace_collective(ps_trace_collective coll, ps_coll_op *out)
{
    for (size_t i = 0; i < TRACE_COLL_COUNT; i++)
        if (trace_colls[i].trace == coll) {
            *out = trace_colls[i].coll;
            return true;
        }
    return false;
}

bool ps_coll_op_to_trace_collective(ps_coll_op op, ps_trace_collective *out)
{
    for (size_t i = 0; i < TRACE_COLL_COUNT; i++) /* the first row of a model op: send, not recv */
        if (trace_colls[i].coll == op) {
            *out = trace_colls[i].trace;
            return true;
        }
    return false;
}

bool ps_coll_op_from_op_kind(ps_op_kind kind, ps_coll_op *out)
{
    ps_trace_collective coll;
    return ps_op_kind_to_trace_collective(kind, &coll) && ps_coll_op_from_trace_collective(coll, out);
}
