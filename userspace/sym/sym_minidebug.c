// SPDX-License-Identifier: GPL-2.0
/*
 * MiniDebugInfo (gdb's name for it): a ".gnu_debugdata" section holding an
 * xz-compressed ELF whose .symtab lists the functions .dynsym lacks (the
 * static ones), as Fedora and others ship stripped binaries. Its symbols are
 * merged with .dynsym's.
 *
 * The section is chosen by the binary's owner and read as root: the output
 * and the decoder's memory are capped, and anything wrong with it means no
 * symbols from it, with one reason kept for the log, never a crash.
 */
#include <errno.h>
#include <lzma.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sym/sym_elf_internal.h"

#define DEBUGDATA_MAX_OUT ((size_t)64 << 20)
/* Enough for xz -9's 64 MiB dictionary; more is refused, not allocated. */
#define DEBUGDATA_MEMLIMIT ((uint64_t)80 << 20)

static Elf_Data *debugdata_section(Elf *elf)
{
	Elf_Scn *scn = NULL;
	const char *name;
	GElf_Shdr shdr;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (name && !strcmp(name, ".gnu_debugdata"))
			return elf_getdata(scn, NULL);
	}
	return NULL;
}

static const char *xz_error(lzma_ret ret)
{
	switch (ret) {
	case LZMA_FORMAT_ERROR:
		return "not xz data";
	case LZMA_OPTIONS_ERROR:
		return "unsupported xz options";
	case LZMA_DATA_ERROR:
		return "corrupt xz data";
	case LZMA_BUF_ERROR:
		return "truncated xz data";
	case LZMA_MEMLIMIT_ERROR:
		return "xz data needs more than 80 MiB to decompress";
	case LZMA_MEM_ERROR:
		return "out of memory";
	default:
		return "xz decoder failed";
	}
}

/* Doubles the output buffer up to the cap; -EFBIG beyond it. */
static int grow_output(lzma_stream *s, char **buf, size_t *cap)
{
	size_t used = *cap, next = *cap ? *cap * 2 : 65536;
	char *bigger;

	if (used >= DEBUGDATA_MAX_OUT)
		return -EFBIG;
	if (next > DEBUGDATA_MAX_OUT)
		next = DEBUGDATA_MAX_OUT;
	bigger = realloc(*buf, next);
	if (!bigger)
		return -ENOMEM;
	*buf = bigger;
	*cap = next;
	s->next_out = (uint8_t *)bigger + used;
	s->avail_out = next - used;
	return 0;
}

static int inflate_xz(const void *in, size_t len, char **out, size_t *outlen, const char **why)
{
	lzma_stream s = LZMA_STREAM_INIT;
	size_t cap = 0;
	char *buf = NULL;
	lzma_ret ret;
	int err = 0;

	ret = lzma_stream_decoder(&s, DEBUGDATA_MEMLIMIT, 0);
	if (ret != LZMA_OK) {
		*why = xz_error(ret);
		return -ENOMEM;
	}
	s.next_in = in;
	s.avail_in = len;
	do {
		if (!s.avail_out && (err = grow_output(&s, &buf, &cap)))
			break;
		ret = lzma_code(&s, LZMA_FINISH);
	} while (ret == LZMA_OK);
	if (err == -EFBIG)
		*why = "more than 64 MiB decompressed";
	else if (!err && ret != LZMA_STREAM_END)
		*why = xz_error(ret);
	if (!err && ret != LZMA_STREAM_END)
		err = ret == LZMA_MEM_ERROR ? -ENOMEM : -ENOEXEC;
	if (err == -ENOMEM)
		*why = "out of memory";
	*outlen = cap - s.avail_out;
	lzma_end(&s);
	if (err) {
		free(buf);
		return err;
	}
	*out = buf;
	return 0;
}

/*
 * Sizeless symbols are bounded by their section's end: keep a symbol's
 * section only when it ends at the same address in the outer file (the
 * inner one is made by objcopy --only-keep-debug, which keeps the indices).
 */
static uint16_t outer_section(const struct elf_file *f, const struct elf_file *m, uint16_t i)
{
	if (i == SHNDX_NONE || i >= f->nsec || i >= m->nsec || f->sec_end[i] != m->sec_end[i])
		return SHNDX_NONE;
	return i;
}

/* Appends @m's symbols and names to @f's; @m is left empty. */
static int merge(struct elf_file *f, struct elf_file *m)
{
	size_t base = f->strtab ? f->strtab_len + 1 : 1, i;
	struct elf_sym *syms;
	char *strtab;

	if (base + m->strtab_len >= UINT32_MAX)
		return -EFBIG;
	syms = reallocarray(f->syms, f->nsyms + m->nsyms, sizeof(*syms));
	if (!syms)
		return -ENOMEM;
	f->syms = syms;
	strtab = realloc(f->strtab, base + m->strtab_len + 1);
	if (!strtab)
		return -ENOMEM;
	if (!f->strtab)
		strtab[0] = '\0';
	f->strtab = strtab;
	memcpy(strtab + base, m->strtab, m->strtab_len + 1);
	f->strtab_len = base + m->strtab_len;
	for (i = 0; i < m->nsyms; i++) {
		syms[f->nsyms] = m->syms[i];
		syms[f->nsyms].name += base;
		syms[f->nsyms].shndx = outer_section(f, m, m->syms[i].shndx);
		f->nsyms++;
	}
	return 0;
}

static void release(struct elf_file *m)
{
	free(m->syms);
	free(m->strtab);
	free(m->sec_end);
}

/* The inner ELF's function symbols, merged into @f. */
static int read_inner(char *image, size_t size, struct elf_file *f, const char **why)
{
	struct elf_file m = { 0 };
	Elf *inner;
	int err;

	inner = elf_memory(image, size);
	if (!inner || elf_kind(inner) != ELF_K_ELF) {
		elf_end(inner);
		*why = "not an ELF file inside";
		return -ENOEXEC;
	}
	err = elf_read_syms(inner, SHT_SYMTAB, &m);
	elf_end(inner);
	if (err == -ENOEXEC)
		*why = "corrupt symbol table inside";
	if (!err)
		err = merge(f, &m);
	if (err == -ENOMEM || err == -EFBIG)
		*why = err == -ENOMEM ? "out of memory" : "symbol names too large";
	release(&m);
	return err;
}

int elf_add_debugdata_syms(Elf *elf, struct elf_file *f)
{
	Elf_Data *data = debugdata_section(elf);
	const char *why = NULL;
	size_t size;
	char *image;
	int err;

	if (!data || !data->d_buf || !data->d_size)
		return -ENOENT;
	err = inflate_xz(data->d_buf, data->d_size, &image, &size, &why);
	if (!err) {
		err = read_inner(image, size, f, &why);
		free(image);
	}
	f->debugdata_err = why;
	return err;
}
