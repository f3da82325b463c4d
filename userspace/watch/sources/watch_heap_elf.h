/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_HEAP_ELF_H
#define FAULTLINE_WATCH_HEAP_ELF_H

#include <stddef.h>
#include <stdint.h>

/* The allocator entry points heap hooks, in attach order. */
enum heap_fn {
	HEAP_FN_MALLOC,
	HEAP_FN_CALLOC,
	HEAP_FN_REALLOC,
	HEAP_FN_REALLOCARRAY,
	HEAP_FN_POSIX_MEMALIGN,
	HEAP_FN_ALIGNED_ALLOC,
	HEAP_FN_MEMALIGN,
	HEAP_FN_VALLOC,
	HEAP_FN_FREE,
	HEAP_FN__COUNT,
};

extern const char *const heap_fn_names[HEAP_FN__COUNT];

/*
 * The allocator process @pid maps, from /proc/PID/maps: jemalloc, tcmalloc
 * or mimalloc when one is mapped, else the C library. @path gets its path as
 * the process sees it. -ENOENT when none is mapped (a static binary), or
 * -errno reading the maps.
 */
int heap_find_allocator(uint32_t pid, char *path, size_t len);

/*
 * The file offsets of the heap_fn functions @path defines in .dynsym, by
 * default version (malloc@@GLIBC_2.2.5 rather than a hidden compat one);
 * 0 when not defined. -errno, -ENOEXEC for a file that is not usable ELF.
 */
int heap_resolve(const char *path, uint64_t offsets[HEAP_FN__COUNT]);

/* The maps line @line's path when it names one of the allocators above, else NULL. */
const char *heap_allocator_in_line(const char *line, int *rank);

#endif
