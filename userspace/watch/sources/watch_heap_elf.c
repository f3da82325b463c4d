// SPDX-License-Identifier: GPL-2.0
/*
 * Where heap's uprobes go: the allocator library a process maps, and the
 * file offsets of its entry points from .dynsym. The symbolizer indexes
 * symbols by address with one name per address; here names are looked up,
 * with their versions, so libelf is read directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "watch/sources/watch_heap_elf.h"

#define VERSYM_HIDDEN 0x8000

const char *const heap_fn_names[HEAP_FN__COUNT] = {
	[HEAP_FN_MALLOC] = "malloc",
	[HEAP_FN_CALLOC] = "calloc",
	[HEAP_FN_REALLOC] = "realloc",
	[HEAP_FN_REALLOCARRAY] = "reallocarray",
	[HEAP_FN_POSIX_MEMALIGN] = "posix_memalign",
	[HEAP_FN_ALIGNED_ALLOC] = "aligned_alloc",
	[HEAP_FN_MEMALIGN] = "memalign",
	[HEAP_FN_VALLOC] = "valloc",
	[HEAP_FN_FREE] = "free",
};

/* Replacement allocators rank before the C library: they interpose on it. */
static const char *const allocators[] = {
	"libjemalloc.so", "libtcmalloc.so", "libtcmalloc_minimal.so", "libmimalloc.so",
	"libc.so.6",
};

const char *heap_allocator_in_line(const char *line, int *rank)
{
	const char *path = strchr(line, '/'), *base;
	size_t n = sizeof(allocators) / sizeof(allocators[0]);

	if (!path)
		return NULL;
	base = strrchr(path, '/') + 1;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(allocators[i]);

		/* libjemalloc.so.2, libc.so.6 */
		if (!strncmp(base, allocators[i], len) &&
		    (base[len] == '\0' || base[len] == '.' || base[len] == '\n')) {
			*rank = i;
			return path;
		}
	}
	return NULL;
}

int heap_find_allocator(uint32_t pid, char *path, size_t len)
{
	char maps[64], *line = NULL;
	size_t cap = 0;
	int best = -1, rank;
	const char *p;
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%u/maps", pid);
	f = fopen(maps, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		p = heap_allocator_in_line(line, &rank);
		if (!p || (best >= 0 && rank >= best) || strstr(p, " (deleted)"))
			continue;
		best = rank;
		snprintf(path, len, "%.*s", (int)strcspn(p, "\n"), p);
	}
	free(line);
	fclose(f);
	return best < 0 ? -ENOENT : 0;
}

/* ELF virtual address to file offset, through the PT_LOAD holding it. */
static uint64_t vaddr_to_offset(Elf *e, uint64_t vaddr)
{
	size_t n = 0;
	GElf_Phdr ph;

	if (elf_getphdrnum(e, &n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!gelf_getphdr(e, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_filesz)
			return vaddr - ph.p_vaddr + ph.p_offset;
	}
	return 0;
}

static Elf_Scn *find_section(Elf *e, uint32_t type, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn)))
		if (gelf_getshdr(scn, sh) && sh->sh_type == type)
			return scn;
	return NULL;
}

static int fn_index(const char *name)
{
	for (int i = 0; i < HEAP_FN__COUNT; i++)
		if (!strcmp(name, heap_fn_names[i]))
			return i;
	return -1;
}

static int scan_dynsym(Elf *e, uint64_t offsets[HEAP_FN__COUNT])
{
	GElf_Shdr sh, vsh;
	Elf_Scn *scn = find_section(e, SHT_DYNSYM, &sh);
	Elf_Scn *vscn = find_section(e, SHT_GNU_versym, &vsh);
	Elf_Data *data, *vdata = vscn ? elf_getdata(vscn, NULL) : NULL;
	GElf_Sym sym;
	GElf_Versym ver;

	if (!scn || !(data = elf_getdata(scn, NULL)) || !sh.sh_entsize)
		return -ENOEXEC;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		const char *name;
		int fn;

		if (!gelf_getsym(data, i, &sym) || sym.st_shndx == SHN_UNDEF ||
		    GELF_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		name = elf_strptr(e, sh.sh_link, sym.st_name);
		fn = name ? fn_index(name) : -1;
		if (fn < 0 || offsets[fn])
			continue;
		/* a hidden version is an old binary's compat symbol, not the default */
		if (vdata && gelf_getversym(vdata, i, &ver) && (ver & VERSYM_HIDDEN))
			continue;
		offsets[fn] = vaddr_to_offset(e, sym.st_value);
	}
	return 0;
}

int heap_resolve(const char *path, uint64_t offsets[HEAP_FN__COUNT])
{
	int fd, err;
	Elf *e;

	memset(offsets, 0, HEAP_FN__COUNT * sizeof(offsets[0]));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOEXEC;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	e = elf_begin(fd, ELF_C_READ, NULL);
	err = e && elf_kind(e) == ELF_K_ELF ? scan_dynsym(e, offsets) : -ENOEXEC;
	elf_end(e);
	close(fd);
	return err;
}
