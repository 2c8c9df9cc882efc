/* parsim/map.h: the project's hash map and string set (libc only), open addressing with linear
 * probing at load <= 1/2, capacity a power of two.
 *
 *   ps_u64map  uint64 -> int64 (ranks, stream keys, digests). Key UINT64_MAX is reserved.
 *   ps_strset  interned strings -> dense indexes 0..n-1 in insertion order (group ids, op ids).
 * Both start zeroed ({0}) and are bounded: `max` keys (0 = PS_MAP_DEFAULT_MAX_KEYS), so that a
 * hostile input cannot grow them without limit; the caller turns "full" into its own message.
 * Iteration order of ps_strset is insertion order (deterministic); ps_u64map has no iteration.
 * Hash: FNV-1a over bytes, then the splitmix64 finaliser (spreads sequential keys).
 */
#ifndef PARSIM_MAP_H
#define PARSIM_MAP_H

#include <stddef.h>
#include <stdint.h>

#define PS_MAP_DEFAULT_MAX_KEYS (1u << 20)

uint64_t ps_hash_u64(uint64_t x);
uint64_t ps_hash_bytes(const void *data, size_t n);

typedef struct ps_u64map {
    uint64_t *keys;
    int64_t *values;
    size_t cap, len;
    size_t max; /* most keys; 0 = PS_MAP_DEFAULT_MAX_KEYS */
} ps_u64map;

/* Returns a pointer to the value of `key`, inserting `init` when absent; NULL when out of memory
 * or when the map is full (*full set to 1 then; full may be NULL). The pointer is valid until the
 * next insertion. */
int64_t *ps_u64map_get(ps_u64map *m, uint64_t key, int64_t init, int *full);
int64_t *ps_u64map_find(const ps_u64map *m, uint64_t key); /* NULL when absent */
void ps_u64map_free(ps_u64map *m);

typedef struct ps_strset {
    char **strings;  /* by index: owned copies */
    uint32_t *slots; /* hash slots: index + 1, 0 = empty */
    size_t cap, len;
    size_t max;      /* most strings; 0 = PS_MAP_DEFAULT_MAX_KEYS */
} ps_strset;

#define PS_STRSET_ABSENT (-1L)
#define PS_STRSET_NOMEM (-2L)
#define PS_STRSET_FULL (-3L)
/* Index of `s`, inserting a copy when absent and `insert` is nonzero; PS_STRSET_ABSENT when absent
 * and not inserting, PS_STRSET_NOMEM, PS_STRSET_FULL. */
long ps_strset_index(ps_strset *set, const char *s, int insert);
const char *ps_strset_at(const ps_strset *set, size_t index); /* NULL out of range */
void ps_strset_free(ps_strset *set);

#endif
