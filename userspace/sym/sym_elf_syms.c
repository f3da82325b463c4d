// SPDX-License-Identifier: GPL-2.0
/* Function symbols of one ELF symbol table: read, sorted, aliases and sizes fixed up. */
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "sym/sym_elf_internal.h"

static bool want_sym(const GElf_Sym *s)
{
	int type = GELF_ST_TYPE(s->st_info);

	if (type != STT_FUNC && type != STT_GNU_IFUNC)
		return false;
	return s->st_shndx != SHN_UNDEF && s->st_value != 0;
}

static uint8_t bind_rank(const GElf_Sym *s)
{
	switch (GELF_ST_BIND(s->st_info)) {
	case STB_GLOBAL:
		return 0;
	case STB_WEAK:
		return 1;
	default:
		return 2;
	}
}

/*
 * ".symtab" names of versioned definitions read "clock_gettime@@GLIBC_2.17";
 * show "clock_gettime", as the same function reads in .dynsym and in perf.
 * Mangled C++ and Rust names never contain '@', so cutting there is safe.
 */
static void strip_symbol_versions(char *strtab, size_t len)
{
	char *at = strtab;

	while ((at = memchr(at, '@', strtab + len - at)))
		*at++ = '\0';
}

static int copy_strtab(Elf *elf, size_t link, struct elf_file *f)
{
	Elf_Scn *scn = elf_getscn(elf, link);
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;

	if (!data || !data->d_buf || !data->d_size)
		return -ENOEXEC;
	f->strtab = malloc(data->d_size + 1);
	if (!f->strtab)
		return -ENOMEM;
	memcpy(f->strtab, data->d_buf, data->d_size);
	/* A corrupt table may lack its final NUL: names must never run past it. */
	f->strtab[data->d_size] = '\0';
	f->strtab_len = data->d_size;
	strip_symbol_versions(f->strtab, data->d_size);
	return 0;
}

/* Where each section ends: sizeless symbols must not run into the next section. */
static int read_section_ends(Elf *elf, struct elf_file *f)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	size_t n, i;

	free(f->sec_end);
	f->sec_end = NULL;
	f->nsec = 0;
	if (elf_getshdrnum(elf, &n) || !n)
		return 0;
	f->sec_end = calloc(n, sizeof(*f->sec_end));
	if (!f->sec_end)
		return -ENOMEM;
	f->nsec = n;
	while ((scn = elf_nextscn(elf, scn))) {
		i = elf_ndxscn(scn);
		if (i < n && gelf_getshdr(scn, &shdr) && (shdr.sh_flags & SHF_ALLOC))
			f->sec_end[i] = shdr.sh_addr + shdr.sh_size;
	}
	return 0;
}

static int read_syms(Elf_Data *data, size_t count, struct elf_file *f)
{
	GElf_Sym s;
	size_t i;

	f->syms = calloc(count ? count : 1, sizeof(*f->syms));
	if (!f->syms)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		if (!gelf_getsym(data, i, &s))
			break;
		if (!want_sym(&s) || s.st_name == 0 || s.st_name >= f->strtab_len)
			continue;
		f->syms[f->nsyms++] = (struct elf_sym){
			.start = s.st_value,
			.size = s.st_size,
			.name = s.st_name,
			.rank = bind_rank(&s),
			.shndx = s.st_shndx < f->nsec && s.st_shndx < SHNDX_NONE ? s.st_shndx
										  : SHNDX_NONE,
		};
	}
	return 0;
}

static size_t underscores(const char *s)
{
	size_t n = 0;

	while (s[n] == '_')
		n++;
	return n;
}

/* qsort has no context argument; the table being sorted is a thread-local. */
static __thread const char *sort_strtab;

static int sym_cmp(const void *a, const void *b)
{
	const struct elf_sym *x = a, *y = b;
	const char *nx = sort_strtab + x->name, *ny = sort_strtab + y->name;
	size_t ux, uy, lx, ly;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	ux = underscores(nx);
	uy = underscores(ny);
	if (ux != uy)
		return ux < uy ? -1 : 1;
	lx = strlen(nx);
	ly = strlen(ny);
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return strcmp(nx, ny);
}

/* A sizeless symbol reaches the next one, but not past the end of its section. */
static uint64_t implied_size(const struct elf_file *f, size_t i)
{
	const struct elf_sym *sym = &f->syms[i];
	uint64_t end = i + 1 < f->nsyms ? f->syms[i + 1].start : elf_seg_end(f, sym->start);

	if (sym->shndx != SHNDX_NONE && f->sec_end[sym->shndx] > sym->start &&
	    f->sec_end[sym->shndx] < end)
		end = f->sec_end[sym->shndx];
	return end > sym->start ? end - sym->start : 1;
}

void elf_fixup_syms(struct elf_file *f)
{
	size_t i, out = 0;

	if (!f->nsyms)
		return;
	sort_strtab = f->strtab;
	qsort(f->syms, f->nsyms, sizeof(*f->syms), sym_cmp);
	for (i = 0; i < f->nsyms; i++) {
		if (out && f->syms[out - 1].start == f->syms[i].start) {
			if (f->syms[i].size > f->syms[out - 1].size)
				f->syms[out - 1].size = f->syms[i].size;
			continue;
		}
		f->syms[out++] = f->syms[i];
	}
	f->nsyms = out;
	for (i = 0; i < f->nsyms; i++) {
		if (!f->syms[i].size)
			f->syms[i].size = implied_size(f, i);
	}
}

static Elf_Scn *find_table(Elf *elf, Elf64_Word type, GElf_Shdr *shdr)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		if (gelf_getshdr(scn, shdr) && shdr->sh_type == type)
			return scn;
	}
	return NULL;
}

int elf_read_syms(Elf *elf, Elf64_Word type, struct elf_file *f)
{
	Elf_Data *data;
	GElf_Shdr shdr;
	Elf_Scn *scn;
	size_t count;
	int err;

	scn = find_table(elf, type, &shdr);
	if (!scn || !shdr.sh_entsize || shdr.sh_type == SHT_NOBITS)
		return -ENOENT;
	data = elf_getdata(scn, NULL);
	if (!data || !data->d_buf)
		return -ENOEXEC;
	count = shdr.sh_size / shdr.sh_entsize;
	err = read_section_ends(elf, f);
	if (!err)
		err = copy_strtab(elf, shdr.sh_link, f);
	if (!err)
		err = read_syms(data, count, f);
	if (!err && !f->nsyms)
		err = -ENOENT;
	if (err) {
		free(f->syms);
		free(f->strtab);
		f->syms = NULL;
		f->strtab = NULL;
		f->nsyms = f->strtab_len = 0;
		return err;
	}
	return 0;
}
