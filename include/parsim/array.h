/* parsim/array.h: one growable array for the whole project (libc only).
 *
 * Two shapes of the same growth rule (capacity doubles from 16; every size computation is
 * checked for overflow; the new tail is zeroed, so a pushed element starts as {0}):
 *   - ps_grow: grows a caller-owned (T *data, size_t cap) pair, for structs that already hold
 *     their own pointer and counts:  if (ps_grow(&v->items, &v->cap, v->len + 1, sizeof *v->items)) ...
 *   - ps_array: a self-describing array for new code:  T *x = ps_array_push(&a); ... ps_array_free(&a);
 * Both return/report failure (out of memory, or a size that would overflow size_t) without
 * touching the existing elements, which stay valid and owned by the caller.
 */
#ifndef PARSIM_ARRAY_H
#define PARSIM_ARRAY_H

#include <stddef.h>

/* Makes *data (a pointer to a T*, passed as void *) hold at least `need` elements of elem_size
 * bytes; *cap is the capacity in elements. 0 = ok, -1 = out of memory or overflow. */
int ps_grow(void *data, size_t *cap, size_t need, size_t elem_size);

typedef struct ps_array {
    void *data;
    size_t len;       /* elements in use */
    size_t cap;       /* elements allocated */
    size_t elem_size; /* bytes per element, set by ps_array_init */
} ps_array;

void ps_array_init(ps_array *a, size_t elem_size);
/* Appends one zeroed element and returns it; NULL when out of memory or on overflow. The pointer
 * is valid until the next push (the storage may move). */
void *ps_array_push(ps_array *a);
/* Element i (i < len), or NULL. */
void *ps_array_at(const ps_array *a, size_t i);
int ps_array_reserve(ps_array *a, size_t need); /* 0 / -1 as ps_grow */
void ps_array_free(ps_array *a);

#endif
