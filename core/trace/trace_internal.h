/* core/trace/trace_internal.h: pieces shared by the trace writer and the readers, private to
 * core/trace/ (libc only).
 *
 * - the metadata key table (one list of keys, in file order, for writing and strict reading);
 * - ps_trace_order: the per-file ordering rules that need state across rows (per-rank start
 *   order, no overlap on a stream, increasing seq per communicator). Its memory grows with the
 *   number of distinct ranks / streams / groups, which are capped, never with the rows.
 */
#ifndef PARSIM_TRACE_INTERNAL_H
#define PARSIM_TRACE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "parsim/map.h"
#include "parsim/trace.h"

/* PS_META_RANK: an integer >= -1 (-1 = none). */
typedef enum ps_meta_type {
    PS_META_STRING,
    PS_META_INT,
    PS_META_RANK,
    PS_META_BOOL,
    PS_META_FORMAT,
    PS_META_SOURCE
} ps_meta_type;

typedef struct ps_meta_field {
    const char *key;
    ps_meta_type type;
    size_t offset; /* offsetof(ps_trace_meta, ...) */
    int since;     /* first format version that has this key */
} ps_meta_field;

extern const ps_meta_field ps_trace_meta_fields[];
extern const int ps_trace_meta_field_count;

/* Caps on the cross-row state: beyond them a file is rejected as implausible (no real trace has
 * 2^20 streams or communicators), which keeps memory bounded on hostile input. */
#define PS_TRACE_MAX_KEYS PS_MAP_DEFAULT_MAX_KEYS
#define PS_TRACE_MAX_GROUPS (1u << 16)

typedef struct ps_trace_order {
    ps_u64map rank_last_start; /* rank -> start_ns of its previous activity */
    ps_u64map stream_last_end; /* (rank, device, stream) -> end_ns of its previous activity */
    ps_u64map comm_last_seq;   /* (group, direction, rank, peer) -> previous seq */
    ps_strset groups;
} ps_trace_order;

void ps_trace_order_init(ps_trace_order *o);
void ps_trace_order_free(ps_trace_order *o);
/* The cross-row rules for one more row (already validated by ps_trace_*_validate). */
int ps_trace_order_activity(ps_trace_order *o, const ps_trace_activity *a, ps_error *err);
int ps_trace_order_comm(ps_trace_order *o, const ps_trace_comm *c, ps_error *err);
/* Index of a group id in o->groups (interned by ps_trace_order_comm), -1 if never seen. */
long ps_trace_order_group(ps_trace_order *o, const char *group_id);

/* The digests of trace check hash with the maps' hash (parsim/map.h). */
#define ps_trace_hash_bytes ps_hash_bytes
#define ps_trace_hash_u64 ps_hash_u64

/* Key of a stream: rank (16 bits), device (10 bits), stream id (32 bits). */
static inline uint64_t ps_trace_stream_key(int rank, int device, int64_t stream)
{
    return ((uint64_t)rank << 42) | ((uint64_t)device << 32) | (uint64_t)stream;
}

#endif
