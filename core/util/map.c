/* The hash map and string set (see parsim/map.h). Moved from core/trace/trace_write_order.c,
 * where the trace checker and the writer's ordering rules were their only users. */
#include "parsim/map.h"

#include "parsim/array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

uint64_t ps_hash_u64(uint64_t x)
{
    /* splitmix64 finaliser: spreads sequential keys (ranks, streams) over the table. */
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

uint64_t ps_hash_bytes(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(1099511628211);
    }
    return ps_hash_u64(h);
}

/* ---- u64 -> i64 map --------------------------------------------------------------------------- */

#define U64MAP_EMPTY UINT64_MAX
#define U64MAP_FIRST_CAP 64

static int u64map_grow(ps_u64map *m)
{
    size_t cap = m->cap ? m->cap * 2 : U64MAP_FIRST_CAP;
    /* cap + 1 values, cap keys: refuse a table whose bytes would not fit an object (C11 7.20.3) */
    if (cap < m->cap || cap >= (size_t)PTRDIFF_MAX / sizeof(uint64_t))
        return -1;
    uint64_t *keys = malloc(cap * sizeof *keys);
    int64_t *values = malloc((cap + 1) * sizeof *values);
    if (!keys || !values) {
        free(keys);
        free(values);
        return -1;
    }
    memset(keys, 0xff, cap * sizeof *keys); /* every slot U64MAP_EMPTY */
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] == U64MAP_EMPTY)
            continue;
        size_t j = ps_hash_u64(m->keys[i]) & (cap - 1);
        while (keys[j] != U64MAP_EMPTY)
            j = (j + 1) & (cap - 1);
        keys[j] = m->keys[i];
        values[j] = m->values[i];
    }
    values[cap] = m->has_max_key ? m->values[m->cap] : 0;
    free(m->keys);
    free(m->values);
    m->keys = keys;
    m->values = values;
    m->cap = cap;
    return 0;
}

/* The slot of `key` (not U64MAP_EMPTY), or the empty slot where it would go. */
static size_t u64map_slot(const ps_u64map *m, uint64_t key)
{
    size_t j = ps_hash_u64(key) & (m->cap - 1);
    while (m->keys[j] != U64MAP_EMPTY && m->keys[j] != key)
        j = (j + 1) & (m->cap - 1);
    return j;
}

int64_t *ps_u64map_find(const ps_u64map *m, uint64_t key)
{
    if (!m->cap)
        return NULL;
    if (key == U64MAP_EMPTY)
        return m->has_max_key ? &m->values[m->cap] : NULL;
    size_t j = u64map_slot(m, key);
    return m->keys[j] == key ? &m->values[j] : NULL;
}

int64_t *ps_u64map_get(ps_u64map *m, uint64_t key, int64_t init, int *full)
{
    if (full)
        *full = 0;
    int64_t *found = ps_u64map_find(m, key);
    if (found)
        return found;
    if (m->len >= (m->max ? m->max : PS_MAP_DEFAULT_MAX_KEYS)) {
        if (full)
            *full = 1;
        return NULL;
    }
    if ((m->len + 1) * 2 > m->cap && u64map_grow(m) != 0)
        return NULL;
    m->len++;
    if (key == U64MAP_EMPTY) {
        m->has_max_key = true;
        m->values[m->cap] = init;
        return &m->values[m->cap];
    }
    size_t j = u64map_slot(m, key);
    m->keys[j] = key;
    m->values[j] = init;
    return &m->values[j];
}

int ps_u64map_add(ps_u64map *m, uint64_t key, int *full)
{
    size_t before = m->len;
    if (!ps_u64map_get(m, key, 0, full))
        return -1;
    return m->len > before;
}

void ps_u64map_free(ps_u64map *m)
{
    free(m->keys);
    free(m->values);
    size_t max = m->max;
    memset(m, 0, sizeof *m);
    m->max = max;
}

/* ---- interned strings ----------------------------------------------------------------------- */

static size_t strset_slot(const ps_strset *set, const char *s)
{
    size_t j = ps_hash_bytes(s, strlen(s)) & (set->cap - 1);
    while (set->slots[j] && strcmp(set->strings[set->slots[j] - 1], s) != 0)
        j = (j + 1) & (set->cap - 1);
    return j;
}

static int strset_grow(ps_strset *set)
{
    size_t cap = set->cap ? set->cap * 2 : 64;
    size_t strings_cap = set->cap / 2; /* strings[] holds cap / 2: the load stays <= 1/2 */
    if (cap < set->cap || ps_grow(&set->strings, &strings_cap, cap / 2, sizeof *set->strings))
        return -1;
    uint32_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    free(set->slots);
    set->slots = slots;
    set->cap = cap;
    for (size_t i = 0; i < set->len; i++)
        set->slots[strset_slot(set, set->strings[i])] = (uint32_t)i + 1;
    return 0;
}

long ps_strset_index(ps_strset *set, const char *s, int insert)
{
    if (set->cap) {
        size_t j = strset_slot(set, s);
        if (set->slots[j])
            return (long)set->slots[j] - 1;
    }
    if (!insert)
        return PS_STRSET_ABSENT;
    size_t max = set->max ? set->max : PS_MAP_DEFAULT_MAX_KEYS;
    if (set->len >= (max < PS_STRSET_MAX_KEYS ? max : PS_STRSET_MAX_KEYS))
        return PS_STRSET_FULL;
    if ((set->len + 1) * 2 > set->cap && strset_grow(set) != 0)
        return PS_STRSET_NOMEM;
    char *copy = strdup(s);
    if (!copy)
        return PS_STRSET_NOMEM;
    set->strings[set->len] = copy;
    set->slots[strset_slot(set, s)] = (uint32_t)set->len + 1;
    return (long)set->len++;
}

const char *ps_strset_at(const ps_strset *set, size_t index)
{
    return index < set->len ? set->strings[index] : NULL;
}

void ps_strset_free(ps_strset *set)
{
    for (size_t i = 0; i < set->len; i++)
        free(set->strings[i]);
    free(set->strings);
    free(set->slots);
    size_t max = set->max;
    memset(set, 0, sizeof *set);
    set->max = max;
}

