/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_UNWIND_TABLE_H
#define FAULTLINE_UNWIND_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "kunwind.h"

/*
 * One ELF file's x86-64 call frame information compiled into rows for the
 * in-kernel unwinder (bpf/kunwind.h): each row holds from its pc up to the
 * next row's. The DWARF CFA program of every FDE is interpreted for the
 * registers a stack walk needs (CFA, rbp, return address); rules it cannot
 * express become KUNWIND_CFA_UNSUPPORTED rows, and addresses between FDEs
 * KUNWIND_CFA_GAP rows. Sorted by pc, no two neighbours with equal rules.
 */
struct unwind_row {
	uint64_t pc;		/* ELF virtual address */
	int32_t cfa_off;
	int16_t rbp_off;
	uint8_t cfa_rule;	/* enum kunwind_cfa_rule */
	uint8_t rbp_rule;	/* enum kunwind_rbp_rule */
};

#define UNWIND_TABLE_SEGS	8

struct unwind_table {
	struct unwind_row *rows;
	size_t n, cap;
	size_t fdes;		/* FDEs interpreted */
	size_t bad_fdes;	/* FDEs that could not be parsed (skipped) */
	bool from_debug_frame;	/* the file has no .eh_frame: rows from .debug_frame */
	size_t unsupported;	/* rows with KUNWIND_CFA_UNSUPPORTED */
	/* unwind_table__from_elf(): the loadable segments, to place mappings */
	struct unwind_table_seg {
		uint64_t vaddr, offset, filesz;
	} segs[UNWIND_TABLE_SEGS];
	size_t nsegs;
};

/*
 * Compiles the .eh_frame of @path (.debug_frame is not read). -ENODATA when
 * it has none, -ENOEXEC when it is not an x86-64 ELF file, -errno else.
 */
int unwind_table__from_elf(const char *path, struct unwind_table *t);
/* The same from .eh_frame bytes loaded at @vaddr. */
int unwind_table__from_ehframe(const uint8_t *data, size_t size, uint64_t vaddr,
			       struct unwind_table *t);
/* The same from a .debug_frame section (its addresses are absolute). */
int unwind_table__from_debug_frame(const uint8_t *data, size_t size, struct unwind_table *t);
/*
 * The bias (runtime address - ELF virtual address) of a mapping of the
 * file at @start with file offset @pgoff, from @segs; -ENOENT when no
 * segment holds @pgoff.
 */
int unwind_table__bias(const struct unwind_table_seg *segs, size_t nsegs, uint64_t start,
		       uint64_t pgoff, uint64_t *bias);
/* The row covering @pc, NULL before the first row. */
const struct unwind_row *unwind_table__find(const struct unwind_table *t, uint64_t pc);
/*
 * @r in the kernel's 8-byte form (bpf/kunwind.h): CFA offsets beyond 16 bits
 * as multiples of 8 when they are, rbp offsets in eighths; what the form
 * cannot hold becomes unsupported (CFA) or unknown (rbp). @r->pc must fit 32 bits.
 */
struct kunwind_row unwind_table__pack(const struct unwind_row *r);
void unwind_table__clear(struct unwind_table *t);	/* NULL-safe */

#endif
