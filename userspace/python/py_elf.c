// SPDX-License-Identifier: GPL-2.0
/* The few ELF reads Python detection makes, with libelf. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "python/py_elf.h"

struct py_elf {
	int fd;
	Elf *elf;
	Elf_Scn *dynsym;
	size_t dynsym_link;
};

static int find_dynsym(struct py_elf *e)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e->elf, scn))) {
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_DYNSYM) {
			e->dynsym = scn;
			e->dynsym_link = sh.sh_link;
			return 0;
		}
	}
	return -ENOENT;
}

int py_elf__open(const char *path, struct py_elf **out)
{
	struct py_elf *e;
	int err;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOEXEC;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (e->fd < 0) {
		err = -errno;
		free(e);
		return err;
	}
	e->elf = elf_begin(e->fd, ELF_C_READ_MMAP, NULL);
	if (!e->elf || elf_kind(e->elf) != ELF_K_ELF || gelf_getclass(e->elf) != ELFCLASS64) {
		py_elf__free(e);
		return -ENOEXEC;
	}
	err = find_dynsym(e);
	if (err) {
		py_elf__free(e);
		return err;
	}
	*out = e;
	return 0;
}

void py_elf__free(struct py_elf *e)
{
	if (!e)
		return;
	if (e->elf)
		elf_end(e->elf);
	close(e->fd);
	free(e);
}

int py_elf__sym(const struct py_elf *e, const char *name, uint64_t *addr, uint64_t *size)
{
	Elf_Data *d = elf_getdata(e->dynsym, NULL);
	GElf_Sym s;

	for (int i = 0; d && gelf_getsym(d, i, &s); i++) {
		const char *n = elf_strptr(e->elf, e->dynsym_link, s.st_name);

		if (n && s.st_shndx != SHN_UNDEF && !strcmp(n, name)) {
			*addr = s.st_value;
			*size = s.st_size;
			return 0;
		}
	}
	return -ENOENT;
}

int py_elf__read(const struct py_elf *e, uint64_t vaddr, void *buf, size_t n)
{
	size_t nph = 0;
	GElf_Phdr ph;

	if (elf_getphdrnum(e->elf, &nph))
		return -ENOEXEC;
	for (size_t i = 0; i < nph; i++) {
		if (!gelf_getphdr(e->elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr < ph.p_vaddr || vaddr + n > ph.p_vaddr + ph.p_filesz || vaddr + n < vaddr)
			continue;
		if (pread(e->fd, buf, n, ph.p_offset + (vaddr - ph.p_vaddr)) != (ssize_t)n)
			return -EIO;
		return 0;
	}
	return -ENOENT;
}

int py_elf__bias(const struct py_elf *e, uint64_t start, uint64_t pgoff, uint64_t *bias)
{
	size_t nph = 0;
	GElf_Phdr ph;

	if (elf_getphdrnum(e->elf, &nph))
		return -ENOEXEC;
	for (size_t i = 0; i < nph; i++) {
		uint64_t page;

		if (!gelf_getphdr(e->elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		page = ph.p_offset & ~0xfffULL;
		if (page != pgoff)
			continue;
		*bias = start - (ph.p_vaddr & ~0xfffULL);
		return 0;
	}
	return -ENOENT;
}
