// SPDX-License-Identifier: GPL-2.0
/*
 * "name@plt" symbols for x86-64 PLT stubs, as perf and objdump show them:
 * the i-th .rela.plt jump slot is the i-th stub of .plt.sec (IBT builds) or
 * the (i+1)-th of .plt, whose first entry is the resolver trampoline.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sym/sym_elf_internal.h"

#define PLT_ENTRY 16

struct plt_ctx {
	Elf *elf;
	Elf_Data *rela, *dynsym;
	size_t nrela, dynstr;
	uint64_t base;		/* address of the stub of relocation 0 */
	uint64_t end;
};

static Elf_Scn *section_by_name(Elf *elf, const char *want, GElf_Shdr *shdr)
{
	Elf_Scn *scn = NULL;
	const char *name;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, shdr) || shdr->sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, shdr->sh_name);
		if (name && !strcmp(name, want))
			return scn;
	}
	return NULL;
}

static int plt_setup(Elf *elf, struct plt_ctx *c)
{
	GElf_Shdr rela, plt, sym;
	Elf_Scn *scn, *symscn;

	c->elf = elf;
	scn = section_by_name(elf, ".rela.plt", &rela);
	if (!scn || rela.sh_type != SHT_RELA || !rela.sh_entsize)
		return -ENOENT;
	c->rela = elf_getdata(scn, NULL);
	c->nrela = rela.sh_size / rela.sh_entsize;
	symscn = elf_getscn(elf, rela.sh_link);
	if (!c->rela || !symscn || !gelf_getshdr(symscn, &sym))
		return -ENOENT;
	c->dynsym = elf_getdata(symscn, NULL);
	c->dynstr = sym.sh_link;
	if (section_by_name(elf, ".plt.sec", &plt)) {
		c->base = plt.sh_addr;
	} else if (section_by_name(elf, ".plt", &plt)) {
		c->base = plt.sh_addr + PLT_ENTRY;
	} else {
		return -ENOENT;
	}
	c->end = plt.sh_addr + plt.sh_size;
	return c->dynsym ? 0 : -ENOENT;
}

/* The symbol name of jump slot @i, or NULL. */
static const char *slot_name(const struct plt_ctx *c, size_t i)
{
	GElf_Rela r;
	GElf_Sym s;

	if (!gelf_getrela(c->rela, i, &r) || GELF_R_TYPE(r.r_info) != R_X86_64_JUMP_SLOT)
		return NULL;
	if (!gelf_getsym(c->dynsym, GELF_R_SYM(r.r_info), &s) || !s.st_name)
		return NULL;
	return elf_strptr(c->elf, c->dynstr, s.st_name);
}

static int grow(struct elf_file *f, size_t nsyms, size_t nbytes)
{
	struct elf_sym *syms;
	char *strtab;

	syms = reallocarray(f->syms, f->nsyms + nsyms + 1, sizeof(*syms));
	if (!syms)
		return -ENOMEM;
	f->syms = syms;
	/* offset 0 stays the empty name, as in any ELF string table */
	strtab = realloc(f->strtab, (f->strtab ? f->strtab_len + 1 : 1) + nbytes);
	if (!strtab)
		return -ENOMEM;
	if (!f->strtab)
		strtab[0] = '\0';
	f->strtab = strtab;
	return 0;
}

static void add(struct elf_file *f, uint64_t addr, const char *name)
{
	size_t off = f->strtab_len + 1, len = strlen(name);

	memcpy(f->strtab + off, name, len);
	memcpy(f->strtab + off + len, "@plt", 5);
	f->strtab_len = off + len + 4;
	f->syms[f->nsyms++] = (struct elf_sym){
		.start = addr, .size = PLT_ENTRY, .name = off, .rank = 3, .shndx = SHNDX_NONE,
	};
}

int elf_add_plt_syms(Elf *elf, struct elf_file *f)
{
	struct plt_ctx c;
	size_t i, n = 0, bytes = 0;
	const char *name;
	int err;

	if (plt_setup(elf, &c))
		return 0;
	for (i = 0; i < c.nrela && c.base + (i + 1) * PLT_ENTRY <= c.end; i++) {
		name = slot_name(&c, i);
		if (name) {
			n++;
			bytes += strlen(name) + sizeof("@plt");
		}
	}
	if (!n)
		return 0;
	err = grow(f, n, bytes);
	for (i = 0; !err && i < c.nrela && c.base + (i + 1) * PLT_ENTRY <= c.end; i++) {
		name = slot_name(&c, i);
		if (name)
			add(f, c.base + i * PLT_ENTRY, name);
	}
	return err;
}
