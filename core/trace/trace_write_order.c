/* Cross-row ordering rules of a trace and the small containers they need (libc only: the
 * writer enforces the same rules as the readers, see trace_internal.h).
 */
#include "trace_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "parsim/trace.h"

const ps_meta_field ps_trace_meta_fields[] = {
    {"format", PS_META_FORMAT, offsetof(ps_trace_meta, format_version), 1},
    {"source", PS_META_SOURCE, offsetof(ps_trace_meta, source), 1},
    {"shard_emulation", PS_META_BOOL, offsetof(ps_trace_meta, shard_emulation), 1},
    {"gpu_name", PS_META_STRING, offsetof(ps_trace_meta, gpu_name), 1},
    {"gpu_count", PS_META_INT, offsetof(ps_trace_meta, gpu_count), 1},
    {"sm_clock_mhz", PS_META_INT, offsetof(ps_trace_meta, sm_clock_mhz), 1},
    {"mem_clock_mhz", PS_META_INT, offsetof(ps_trace_meta, mem_clock_mhz), 1},
    {"driver_version", PS_META_STRING, offsetof(ps_trace_meta, driver_version), 1},
    {"cuda_version", PS_META_STRING, offsetof(ps_trace_meta, cuda_version), 1},
    {"nccl_version", PS_META_STRING, offsetof(ps_trace_meta, nccl_version), 1},
    {"cupti_version", PS_META_STRING, offsetof(ps_trace_meta, cupti_version), 1},
    {"recorder_version", PS_META_STRING, offsetof(ps_trace_meta, recorder_version), 1},
    {"host", PS_META_STRING, offsetof(ps_trace_meta, host), 1},
    {"date", PS_META_STRING, offsetof(ps_trace_meta, date), 1},
    {"model", PS_META_STRING, offsetof(ps_trace_meta, model), 1},
    {"dtype", PS_META_STRING, offsetof(ps_trace_meta, dtype), 1},
    {"tp", PS_META_INT, offsetof(ps_trace_meta, tp), 1},
    {"pp", PS_META_INT, offsetof(ps_trace_meta, pp), 1},
    {"dp", PS_META_INT, offsetof(ps_trace_meta, dp), 1},
    {"batch", PS_META_INT, offsetof(ps_trace_meta, batch), 1},
    {"isl", PS_META_INT, offsetof(ps_trace_meta, isl), 1},
    {"osl", PS_META_INT, offsetof(ps_trace_meta, osl), 1},
    {"phase", PS_META_STRING, offsetof(ps_trace_meta, phase), 1},
    {"clock", PS_META_STRING, offsetof(ps_trace_meta, clock), 1},
    {"kv_dtype", PS_META_STRING, offsetof(ps_trace_meta, kv_dtype), 2},
    {"microbatches", PS_META_INT, offsetof(ps_trace_meta, microbatches), 2},
    {"launch_mode", PS_META_STRING, offsetof(ps_trace_meta, launch_mode), 2},
    {"warmup_iterations", PS_META_INT, offsetof(ps_trace_meta, warmup_iterations), 2},
    {"measured_iterations", PS_META_INT, offsetof(ps_trace_meta, measured_iterations), 2},
    {"emulated_rank", PS_META_RANK, offsetof(ps_trace_meta, emulated_rank), 2},
    {"layer_first", PS_META_INT, offsetof(ps_trace_meta, layer_first), 2},
    {"layer_count", PS_META_INT, offsetof(ps_trace_meta, layer_count), 2},
    {"platform", PS_META_STRING, offsetof(ps_trace_meta, platform), 2},
};
const int ps_trace_meta_field_count = (int)(sizeof ps_trace_meta_fields / sizeof ps_trace_meta_fields[0]);

/* ---- ordering rules ------------------------------------------------------------------------- */

void ps_trace_order_init(ps_trace_order *o)
{
    memset(o, 0, sizeof *o);
    o->groups.max = PS_TRACE_MAX_GROUPS;
}

void ps_trace_order_free(ps_trace_order *o)
{
    ps_u64map_free(&o->rank_last_start);
    ps_u64map_free(&o->stream_last_end);
    ps_u64map_free(&o->comm_last_seq);
    ps_strset_free(&o->groups);
}

static int no_room(int full, const char *what, ps_error *err)
{
    if (full)
        return ps_error_set(err, PS_EINPUT, "more than %u distinct %s: not a plausible trace", PS_TRACE_MAX_KEYS,
                            what);
    return ps_error_set(err, PS_EINTERNAL, "out of memory");
}

int ps_trace_order_activity(ps_trace_order *o, const ps_trace_activity *a, ps_error *err)
{
    int full;
    int64_t *last_start = ps_u64map_get(&o->rank_last_start, (uint64_t)a->rank, -1, &full);
    if (!last_start)
        return no_room(full, "ranks", err);
    int64_t *last_end =
        ps_u64map_get(&o->stream_last_end, ps_trace_stream_key(a->rank, a->device, a->stream), -1, &full);
    if (!last_end)
        return no_room(full, "streams", err);
    if (a->start_ns < *last_start)
        return ps_error_set(err, PS_EINPUT,
                            "rank %d: activities must be in start order, start_ns %lld is before the "
                            "previous row's %lld",
                            a->rank, (long long)a->start_ns, (long long)*last_start);
    if (a->start_ns < *last_end)
        return ps_error_set(err, PS_EINPUT,
                            "rank %d stream %lld: overlaps the previous activity on this stream "
                            "(start_ns %lld < its end_ns %lld)",
                            a->rank, (long long)a->stream, (long long)a->start_ns, (long long)*last_end);
    *last_start = a->start_ns;
    *last_end = a->end_ns;
    return PS_OK;
}

long ps_trace_order_group(ps_trace_order *o, const char *group_id)
{
    return ps_strset_index(&o->groups, group_id, 0);
}

int ps_trace_order_comm(ps_trace_order *o, const ps_trace_comm *c, ps_error *err)
{
    long g = ps_strset_index(&o->groups, c->group_id, 1);
    if (g == -3)
        return ps_error_set(err, PS_EINPUT, "more than %u distinct group ids: not a plausible trace",
                            PS_TRACE_MAX_GROUPS);
    if (g < 0)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    /* Collectives count per (group, rank); send and recv per direction and peer, like NCCL's
     * per-peer p2p sequence. Key: group (20 bits) | direction (1) | rank (17) | peer + 1 (17). */
    bool p2p = ps_trace_collective_is_p2p(c->collective);
    uint64_t dir = c->collective == PS_TRACE_RECV;
    uint64_t peer = p2p ? (uint64_t)c->peer + 1 : 0;
    uint64_t key = ((uint64_t)g << 35) | (dir << 34) | ((uint64_t)c->rank << 17) | peer;
    int full;
    int64_t *last = ps_u64map_get(&o->comm_last_seq, key, -1, &full);
    if (!last)
        return no_room(full, "communicators", err);
    if ((int64_t)c->seq <= *last) {
        if (p2p)
            return ps_error_set(err, PS_EINPUT,
                                "rank %d group %s: %s seq %llu with peer %d does not increase (previous %lld)",
                                c->rank, c->group_id, ps_trace_collective_name(c->collective),
                                (unsigned long long)c->seq, c->peer, (long long)*last);
        return ps_error_set(err, PS_EINPUT, "rank %d group %s: seq %llu does not increase (previous %lld)",
                            c->rank, c->group_id, (unsigned long long)c->seq, (long long)*last);
    }
    *last = (int64_t)c->seq;
    return PS_OK;
}
