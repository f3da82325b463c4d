// SPDX-License-Identifier: GPL-2.0
/*
 * Opening ELF files and reading their build-id: what both sym_elf.c and
 * sym_debuglink.c stand on, so neither needs the other's internals.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "sym/sym_elf_internal.h"

int elf_lib_init(void)
{
	static int ready;

	if (!ready && elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	ready = 1;
	return 0;
}

static void hexify(const unsigned char *id, size_t len, char out[ELF_BUILD_ID_HEX])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	if (len > (ELF_BUILD_ID_HEX - 1) / 2)
		len = (ELF_BUILD_ID_HEX - 1) / 2;
	for (i = 0; i < len; i++) {
		out[2 * i] = hex[id[i] >> 4];
		out[2 * i + 1] = hex[id[i] & 0xf];
	}
	out[2 * len] = '\0';
}

static int note_build_id(Elf_Data *data, char out[ELF_BUILD_ID_HEX])
{
	size_t off = 0, next, name_off, desc_off;
	GElf_Nhdr nhdr;

	while (off < data->d_size &&
	       (next = gelf_getnote(data, off, &nhdr, &name_off, &desc_off)) > 0) {
		if (nhdr.n_type == NT_GNU_BUILD_ID && nhdr.n_namesz == 4 && nhdr.n_descsz &&
		    !memcmp((char *)data->d_buf + name_off, "GNU", 4)) {
			hexify((unsigned char *)data->d_buf + desc_off, nhdr.n_descsz, out);
			return 0;
		}
		off = next;
	}
	return -ENOENT;
}

/* Section notes first (debug files keep them), then PT_NOTE (stripped sections). */
int elf_read_build_id(Elf *elf, char out[ELF_BUILD_ID_HEX])
{
	Elf_Scn *scn = NULL;
	Elf_Data *data;
	GElf_Shdr shdr;
	GElf_Phdr phdr;
	size_t i, n;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (data && data->d_buf && !note_build_id(data, out))
			return 0;
	}
	if (elf_getphdrnum(elf, &n))
		return -ENOENT;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, i, &phdr) || phdr.p_type != PT_NOTE)
			continue;
		data = elf_getdata_rawchunk(elf, phdr.p_offset, phdr.p_filesz, ELF_T_NHDR);
		if (data && data->d_buf && !note_build_id(data, out))
			return 0;
	}
	return -ENOENT;
}

int elf_build_id_fd(int fd, char out[ELF_BUILD_ID_HEX])
{
	Elf *elf;
	int err;

	if (elf_lib_init())
		return -ENOSYS;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return -ENOEXEC;
	err = elf_kind(elf) == ELF_K_ELF ? elf_read_build_id(elf, out) : -ENOEXEC;
	elf_end(elf);
	return err;
}
