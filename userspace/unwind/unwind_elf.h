/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_UNWIND_ELF_H
#define FAULTLINE_UNWIND_ELF_H

#include <stddef.h>
#include <stdint.h>

/*
 * One ELF file as the DWARF unwinder needs it: its loadable segments (to
 * turn a virtual address into file bytes) and its .eh_frame_hdr binary
 * search table. The file is mapped read-only, so the page cache is shared
 * with the profiled processes and only touched pages cost memory.
 */
struct unwind_elf {
	const uint8_t *data;	/* the whole file (or the vdso image) */
	size_t size;
	int mapped;		/* data is our mmap (else borrowed memory) */
	struct unwind_seg {
		uint64_t vaddr, offset, filesz;
	} *segs;
	size_t nsegs;
	uint64_t hdr_vaddr;	/* .eh_frame_hdr, 0 when absent */
	uint64_t table_vaddr;	/* its sorted (initial location, FDE) table */
	uint64_t fde_count;
	uint64_t dev, ino;	/* cache key */
};

/* Opens @path (read-only mapping); -errno, -ENOEXEC when it is not a usable ELF. */
int unwind_elf__open(const char *path, struct unwind_elf **out);
/* Wraps an ELF image already in memory (the vdso); @data must outlive the result. */
int unwind_elf__from_memory(const void *data, size_t size, struct unwind_elf **out);
void unwind_elf__free(struct unwind_elf *e);	/* NULL-safe */

/* Copies @len bytes at link-time address @vaddr from the file; -EFAULT when not in it. */
int unwind_elf__read(const struct unwind_elf *e, uint64_t vaddr, void *buf, size_t len);

/* Load bias of a mapping of this file at @map_start with file offset @pgoff. */
int unwind_elf__bias(const struct unwind_elf *e, uint64_t map_start, uint64_t pgoff,
		     uint64_t *bias);

/*
 * Looks @vaddr up in .eh_frame_hdr: the start of the function whose FDE
 * covers it (as the table says) and the FDE address. -ENOENT when no entry
 * precedes @vaddr, -ENODATA when the file has no usable table.
 */
int unwind_elf__find_fde(const struct unwind_elf *e, uint64_t vaddr, uint64_t *func_vaddr,
			 uint64_t *fde_vaddr);

/* Up to 32 functions sampled from .eh_frame_hdr: how many start with push %rbp; mov %rsp,%rbp. */
int unwind_elf__fp_prologues(const struct unwind_elf *e, int *sampled, int *with_fp);

#endif
