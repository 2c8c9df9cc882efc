/* parsim/map.h: the project's hash map and string set (libc only), open addressing with linear
 * probing at load <= 1/2, capacity a power of two.
 *
 *   ps_u64map  uint64 -> int64 (ranks, stream keys, digests, CUPTI ids). Every key is valid:
 *              the slots mark "empty" with UINT64_MAX, so that one key's value is kept out of
 *              line (values[cap]); callers never shift keys (the "+1 so 0 can be empty" habit
 *              of the private maps this replaced wrapped UINT64_MAX onto the empty mark).
 *              As a set: store any value and test ps_u64map_find, or compare the returned
 *              value with the `init` passed (see ps_u64map_add).
 *   ps_strset  interned strings -> dense indexes 0..n-1 in insertion order (group ids, op ids).
 * Both start zeroed ({0}) and are bounded: `max` keys (0 = PS_MAP_DEFAULT_MAX_KEYS), so that a
 * hostile input cannot grow them without limit; the caller turns "full" into its own message.
 * A map fed by the program itself rather than by a user's file (the recorder's CUPTI ids) sets
 * max = PS_MAP_NO_LIMIT: it then fails only when memory does. Every size is checked for
 * overflow. ps_strset holds at most PS_STRSET_MAX_KEYS strings whatever `max` says (its slots
 * are 32-bit).
 * Iteration order of ps_strset is insertion order (deterministic); ps_u64map has no iteration.
 * Hash: FNV-1a over bytes, then the splitmix64 finaliser (spreads sequential keys).
 */
#ifndef PARSIM_MAP_H
#define PARSIM_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PS_MAP_DEFAULT_MAX_KEYS (1u << 20)
#define PS_MAP_NO_LIMIT SIZE_MAX
#define PS_STRSET_MAX_KEYS ((size_t)UINT32_MAX - 1)

uint64_t ps_hash_u64(uint64_t x);
uint64_t ps_hash_bytes(const void *data, size_t n);

typedef struct ps_u64map {
    uint64_t *keys;   /* cap slots, UINT64_MAX = empty */
    int64_t *values;  /* cap + 1: values[cap] is key UINT64_MAX's */
    size_t cap, len;  /* len counts key UINT64_MAX too */
    size_t max;       /* most keys; 0 = PS_MAP_DEFAULT_MAX_KEYS */
    bool has_max_key; /* key UINT64_MAX is present */
} ps_u64map;

/* Returns a pointer to the value of `key`, inserting `init` when absent; NULL when out of memory
 * or when the map is full (*full set to 1 then; full may be NULL). The pointer is valid until the
 * next insertion. */
int64_t *ps_u64map_get(ps_u64map *m, uint64_t key, int64_t init, int *full);
int64_t *ps_u64map_find(const ps_u64map *m, uint64_t key); /* NULL when absent */
/* Set semantics: 1 when `key` was inserted now, 0 when it was present, -1 out of memory or full
 * (*full as for ps_u64map_get). */
int ps_u64map_add(ps_u64map *m, uint64_t key, int *full);
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
