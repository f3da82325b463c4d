/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_SYM_SEARCH_H
#define FAULTLINE_SYM_SEARCH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Symbol tables (kallsyms, ELF, JIT maps) are arrays of records sorted by a
 * uint64_t start address at offset @key_off: the one that may hold @addr is
 * the last whose start is <= @addr. Its index, or -1 when every start is
 * above @addr. Whether @addr is inside it is the caller's rule (sizes differ).
 */
long sym_search_le(const void *base, size_t n, size_t stride, size_t key_off, uint64_t addr);

/* The record itself, or NULL. */
#define SYM_SEARCH_LE(arr, n, field, addr)                                              \
	({                                                                               \
		long __i = sym_search_le((arr), (n), sizeof(*(arr)),                     \
					 __builtin_offsetof(__typeof__(*(arr)), field),   \
					 (addr));                                         \
		__i < 0 ? NULL : &(arr)[__i];                                            \
	})

#endif
