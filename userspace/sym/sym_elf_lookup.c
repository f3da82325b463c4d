// SPDX-License-Identifier: GPL-2.0
/* Address arithmetic and symbol lookup on a parsed ELF file. */
#include <stdlib.h>

#include "sym/sym_demangle.h"
#include "sym/sym_elf_internal.h"
#include "sym/sym_search.h"

#define PAGE_MASK_4K (~0xfffULL)

/* The PT_LOAD whose file bytes hold @off, executable ones first. */
static const struct elf_load *load_for_offset(const struct elf_file *f, uint64_t off, bool page)
{
	const struct elf_load *best = NULL, *l;
	uint64_t lo;
	size_t i;

	for (i = 0; i < f->nloads; i++) {
		l = &f->loads[i];
		lo = page ? l->offset & PAGE_MASK_4K : l->offset;
		if (off < lo || off >= l->offset + l->filesz)
			continue;
		if (!best || ((l->flags & PF_X) && !(best->flags & PF_X)))
			best = l;
	}
	return best;
}

bool elf_file__offset_to_vaddr(const struct elf_file *f, uint64_t off, uint64_t *vaddr)
{
	const struct elf_load *l = load_for_offset(f, off, false);

	if (!l)
		l = load_for_offset(f, off, true);
	if (!l)
		return false;
	*vaddr = off - l->offset + l->vaddr;
	return true;
}

bool elf_file__load_bias(const struct elf_file *f, uint64_t start, uint64_t pgoff,
			 uint64_t *bias)
{
	const struct elf_load *l = load_for_offset(f, pgoff, true);

	if (!l)
		return false;
	*bias = start - pgoff + l->offset - l->vaddr;
	return true;
}

/* End of the segment holding @vaddr: the limit for a last, sizeless symbol. */
uint64_t elf_seg_end(const struct elf_file *f, uint64_t vaddr)
{
	size_t i;

	for (i = 0; i < f->nloads; i++) {
		if (vaddr >= f->loads[i].vaddr && vaddr < f->loads[i].vaddr + f->loads[i].memsz)
			return f->loads[i].vaddr + f->loads[i].memsz;
	}
	return vaddr + 1;
}

const struct elf_sym *elf_file__find(const struct elf_file *f, uint64_t vaddr)
{
	const struct elf_sym *sym = f ? SYM_SEARCH_LE(f->syms, f->nsyms, start, vaddr) : NULL;

	return sym && vaddr - sym->start < sym->size ? sym : NULL;
}

const char *elf_file__sym_raw(const struct elf_file *f, const struct elf_sym *sym)
{
	return f->strtab + sym->name;
}

const char *elf_file__sym_name(struct elf_file *f, struct elf_sym *sym)
{
	if (!sym->demangled_done) {
		sym->demangled = sym_demangle(f->strtab + sym->name);
		sym->demangled_done = 1;
	}
	return sym->demangled ? sym->demangled : f->strtab + sym->name;
}
