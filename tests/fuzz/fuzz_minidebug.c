// SPDX-License-Identifier: GPL-2.0
/*
 * MiniDebugInfo: a stripped binary's .gnu_debugdata section, inflated and
 * read as an ELF symbol table, merged with the binary's own. The input's
 * first byte picks what the rest is:
 *   even: the inner ELF image, which is xz-compressed here (so mutations hit
 *         the symbol table reader, not only the xz decoder's checks);
 *   odd:  the section's bytes as they are (the xz decoder and its caps).
 * The section is put into a small ELF built here, beside a .text section
 * that inner symbols may claim as theirs.
 */
#include <fcntl.h>
#include <gelf.h>
#include <lzma.h>

#include "fuzz_common.h"

#include "sym/sym_elf.h"

#define MAX_NAMES 64	/* demangle this many: bounds the time per input */

static const char shstrtab[] = "\0.text\0.gnu_debugdata\0.shstrtab";
static unsigned char text[64];

static void add_section(Elf *e, const char *name, Elf64_Word type, const void *buf, size_t len,
			Elf64_Addr addr)
{
	Elf_Scn *scn = elf_newscn(e);
	Elf_Data *d = scn ? elf_newdata(scn) : NULL;
	Elf64_Shdr *sh = scn ? elf64_getshdr(scn) : NULL;

	if (!d || !sh)
		abort();
	d->d_buf = (void *)buf;
	d->d_size = len;
	d->d_type = ELF_T_BYTE;
	d->d_align = 1;
	sh->sh_name = memmem(shstrtab, sizeof(shstrtab), name, strlen(name) + 1) -
		      (const void *)shstrtab;
	sh->sh_type = type;
	sh->sh_addr = addr;
	sh->sh_flags = addr ? SHF_ALLOC | SHF_EXECINSTR : 0;
}

/* The outer binary, written to @fd: .text, .gnu_debugdata holding @sec, .shstrtab. */
static void write_outer(int fd, const void *sec, size_t len)
{
	Elf *e = elf_begin(fd, ELF_C_WRITE, NULL);
	Elf64_Ehdr *eh = e ? elf64_newehdr(e) : NULL;

	if (!eh)
		abort();
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	add_section(e, ".text", SHT_PROGBITS, text, sizeof(text), 0x1000);
	add_section(e, ".gnu_debugdata", SHT_PROGBITS, sec, len, 0);
	add_section(e, ".shstrtab", SHT_STRTAB, shstrtab, sizeof(shstrtab), 0);
	eh->e_shstrndx = 3;
	if (elf_update(e, ELF_C_WRITE) < 0)
		abort();
	elf_end(e);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	elf_version(EV_CURRENT);
	return 0;
}

static void use(struct elf_file *f)
{
	size_t i;

	for (i = 0; i < f->nsyms; i++) {
		if (elf_file__find(f, f->syms[i].start + f->syms[i].size / 2) && i < MAX_NAMES)
			elf_file__sym_name(f, &f->syms[i]);
		elf_file__sym_raw(f, &f->syms[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = size + size / 2 + 4096, len = 0;
	uint8_t *xz = NULL;
	struct elf_file *f;
	char path[64];
	int fd;

	if (!size)
		return 0;
	if (!(data[0] & 1)) {
		xz = malloc(cap);
		if (!xz || lzma_easy_buffer_encode(0, LZMA_CHECK_CRC64, NULL, data + 1, size - 1,
						   xz, &len, cap) != LZMA_OK)
			abort();
	}
	fd = fuzz_memfd("outer", NULL, 0, path, sizeof(path));
	write_outer(fd, xz ? (const void *)xz : data + 1, xz ? len : size - 1);
	if (!elf_file__open(path, NULL, "", &f)) {
		use(f);
		elf_file__free(f);
	}
	close(fd);
	free(xz);
	return 0;
}
