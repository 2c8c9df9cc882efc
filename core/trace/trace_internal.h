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
#define PS_TRACE_MAX_KEYS (1u << 20)
#define PS_TRACE_MAX_GROUPS (1u << 16)

/* Open-addressing map uint64 -> int64. Key UINT64_MAX is reserved (empty slot). */
typedef struct ps_u64map {
    uint64_t *keys;
    int64_t *values;
    size_t cap, len;
} ps_u64map;

/* Returns a pointer to the value of `key`, inserting `init` when absent; NULL when out of memory
 * or when the map holds PS_TRACE_MAX_KEYS keys (*full set then). */
int64_t *ps_u64map_get(ps_u64map *m, uint64_t key, int64_t init, int *full);
int64_t *ps_u64map_find(const ps_u64map *m, uint64_t key);
void ps_u64map_free(ps_u64map *m);

/* Interned strings -> dense indexes 0..n-1 (group ids, op ids). */
typedef struct ps_strset {
    char **strings; /* by index */
    uint32_t *slots; /* hash slots: index + 1, 0 = empty */
    size_t cap, len, max;
} ps_strset;

/* Index of `s`, inserting it when absent (unless insert is false: then -1 when absent).
 * -2 = out of memory, -3 = more than set->max strings. */
long ps_strset_index(ps_strset *set, const char *s, int insert);
void ps_strset_free(ps_strset *set);

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

/* Hash used by the maps (FNV-1a then a 64-bit finaliser). */
uint64_t ps_trace_hash_bytes(const void *data, size_t n);
uint64_t ps_trace_hash_u64(uint64_t x);

/* Key of a stream: rank (16 bits), device (10 bits), stream id (32 bits). */
static inline uint64_t ps_trace_stream_key(int rank, int device, int64_t stream)
{
    return ((uint64_t)rank << 42) | ((uint64_t)device << 32) | (uint64_t)stream;
}

#endif
