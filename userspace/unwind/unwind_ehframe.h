/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_UNWIND_EHFRAME_H
#define FAULTLINE_UNWIND_EHFRAME_H

#include <stddef.h>
#include <stdint.h>

/*
 * A reader of .eh_frame (and .debug_frame): walks its CIEs and FDEs and hands each FDE, with
 * the CIE it belongs to, to a callback. Every read is bounds-checked: a
 * truncated or malformed entry ends the walk with -EINVAL.
 */
struct ehframe_cie {
	uint64_t code_align;
	int64_t data_align;
	uint64_t ra_reg;
	uint8_t fde_enc;		/* DW_EH_PE_* of FDE addresses */
	int has_aug_data;		/* "z": FDEs carry an augmentation length */
	int signal_frame;		/* "S" */
	const uint8_t *insns;		/* initial instructions */
	size_t insns_len;
};

struct ehframe_fde {
	uint64_t pc_begin;		/* ELF virtual address */
	uint64_t pc_range;
	const uint8_t *insns;
	size_t insns_len;
};

typedef int (*ehframe_fde_fn)(void *ctx, const struct ehframe_cie *cie,
			      const struct ehframe_fde *fde);

/*
 * Walks @size bytes of .eh_frame loaded at virtual address @vaddr (for
 * pc-relative pointers). A non-zero return of @fn stops the walk and is
 * returned. FDEs whose CIE cannot be parsed are skipped and counted in
 * @skipped (may be NULL).
 */
int ehframe__walk(const uint8_t *data, size_t size, uint64_t vaddr, ehframe_fde_fn fn, void *ctx,
		  size_t *skipped);

/*
 * The same over a .debug_frame section (DWARF 2-4 CFI, 32-bit format): CIE id
 * ~0, CIE pointers as offsets from the section's start, FDE addresses as
 * absolute 8-byte addresses. What toolchains emit where .eh_frame is turned
 * off (-fno-asynchronous-unwind-tables with -g).
 */
int ehframe__walk_debug_frame(const uint8_t *data, size_t size, ehframe_fde_fn fn, void *ctx,
			      size_t *skipped);

/* LEB128 and DW_EH_PE pointer decoding over [*p, end); -EINVAL past the end. */
int ehframe__uleb(const uint8_t **p, const uint8_t *end, uint64_t *out);
int ehframe__sleb(const uint8_t **p, const uint8_t *end, int64_t *out);
int ehframe__pointer(const uint8_t **p, const uint8_t *end, uint8_t enc, uint64_t pc_vaddr,
		     uint64_t *out);

#endif
