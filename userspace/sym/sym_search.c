// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "sym/sym_search.h"

static uint64_t key_at(const void *base, size_t i, size_t stride, size_t key_off)
{
	uint64_t key;

	/* Records are not all naturally aligned for a plain load through a cast. */
	memcpy(&key, (const char *)base + i * stride + key_off, sizeof(key));
	return key;
}

long sym_search_le(const void *base, size_t n, size_t stride, size_t key_off, uint64_t addr)
{
	size_t lo = 0, hi = n, mid;

	if (!base || !n || addr < key_at(base, 0, stride, key_off))
		return -1;
	/* Invariant: key[lo] <= addr, and every index >= hi is above addr. */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (key_at(base, mid, stride, key_off) <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return (long)lo;
}
