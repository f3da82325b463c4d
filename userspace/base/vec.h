/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_VEC_H
#define FAULTLINE_VEC_H

#include <stddef.h>

/*
 * Makes room for @need elements of @elem_size in the heap array *@items of
 * capacity *@cap. The capacity doubles (from 16) so appends stay amortised
 * O(1). On failure *@items and *@cap are left as they were, so the caller
 * still owns and frees the old array. Returns 0, -ENOMEM (also when the size
 * overflows) or -EINVAL for a zero @elem_size.
 */
int vec_reserve(void **items, size_t *cap, size_t need, size_t elem_size);

/* vec_reserve() for a typed array pointer @v with a size_t capacity @cap. */
#define VEC_RESERVE(v, cap, need) vec_reserve((void **)&(v), &(cap), (need), sizeof(*(v)))

#endif
