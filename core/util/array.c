/* The growable array (see parsim/array.h). */
#include "parsim/array.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_FIRST_CAP 16

int ps_grow(void *data, size_t *cap, size_t need, size_t elem_size)
{
    if (need <= *cap)
        return 0;
    if (elem_size == 0)
        return -1;
    /* The most elements whose bytes an allocation can hold: no object is larger than PTRDIFF_MAX
     * (C11 7.20.3; glibc and ASan refuse such sizes), so a request past it is an overflow. */
    size_t limit = (size_t)PTRDIFF_MAX / elem_size;
    if (need > limit)
        return -1;
    size_t grown_cap = *cap ? *cap : ARRAY_FIRST_CAP;
    if (grown_cap > limit) /* the first capacity too must fit (16 huge elements overflowed) */
        grown_cap = limit;
    while (grown_cap < need)
        grown_cap = grown_cap > limit / 2 ? limit : grown_cap * 2;
    void *old;
    memcpy(&old, data, sizeof old); /* data points at the caller's T*, whatever T is */
    void *grown = realloc(old, grown_cap * elem_size);
    if (!grown)
        return -1;
    memset((char *)grown + *cap * elem_size, 0, (grown_cap - *cap) * elem_size);
    memcpy(data, &grown, sizeof grown);
    *cap = grown_cap;
    return 0;
}

void ps_array_init(ps_array *a, size_t elem_size)
{
    memset(a, 0, sizeof *a);
    a->elem_size = elem_size;
}

int ps_array_reserve(ps_array *a, size_t need)
{
    return ps_grow(&a->data, &a->cap, need, a->elem_size);
}

void *ps_array_push(ps_array *a)
{
    if (a->len == SIZE_MAX || ps_array_reserve(a, a->len + 1))
        return NULL;
    return (char *)a->data + a->len++ * a->elem_size;
}

void *ps_array_at(const ps_array *a, size_t i)
{
    return i < a->len ? (char *)a->data + i * a->elem_size : NULL;
}

void ps_array_free(ps_array *a)
{
    free(a->data);
    size_t elem_size = a->elem_size;
    memset(a, 0, sizeof *a);
    a->elem_size = elem_size;
}
