// SPDX-License-Identifier: GPL-2.0
/* An ELF file's load segments, build-id and function symbols (libelf). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "base/file_read.h"
#include "sym/sym_elf_internal.h"

static int read_loads(Elf *elf, struct elf_file *f)
{
	GElf_Phdr phdr;
	size_t i, n;

	if (elf_getphdrnum(elf, &n))
		return 0;
	f->loads = calloc(n ? n : 1, sizeof(*f->loads));
	if (!f->loads)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, i, &phdr) || phdr.p_type != PT_LOAD)
			continue;
		f->loads[f->nloads++] = (struct elf_load){
			.offset = phdr.p_offset,
			.vaddr = phdr.p_vaddr,
			.filesz = phdr.p_filesz,
			.memsz = phdr.p_memsz,
			.flags = phdr.p_flags,
		};
	}
	return 0;
}

/* .dynsym, plus the static functions a MiniDebugInfo section names. */
static int read_stripped_syms(Elf *elf, struct elf_file *f)
{
	int err, mini;

	f->source = ".dynsym";
	err = elf_read_syms(elf, SHT_DYNSYM, f);
	if (err && err != -ENOENT && err != -ENOEXEC)
		return err;
	mini = elf_add_debugdata_syms(elf, f);
	if (mini == -ENOMEM)
		return mini;
	if (mini)
		return err;
	f->source = ".gnu_debugdata";
	return 0;
}

static int parse(Elf *elf, const char *orig_path, const char *root, struct elf_file *f)
{
	GElf_Ehdr ehdr;
	int err;

	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &ehdr))
		return -ENOEXEC;
	f->type = ehdr.e_type;
	err = read_loads(elf, f);
	if (err)
		return err;
	elf_read_build_id(elf, f->build_id);
	f->source = ".symtab";
	err = elf_read_syms(elf, SHT_SYMTAB, f);
	if (err == -ENOENT && orig_path) {
		f->source = "debug file";
		err = elf_load_debug_file(elf, f, orig_path, root);
	}
	if (err == -ENOENT)
		err = read_stripped_syms(elf, f);
	if (err == -ENOENT || err == -ENOEXEC) {
		/* Still useful: load segments give module offsets and a build-id. */
		f->source = "none";
		err = 0;
	}
	if (!err && ehdr.e_machine == EM_X86_64)
		err = elf_add_plt_syms(elf, f);
	if (!err)
		elf_fixup_syms(f);
	free(f->sec_end);
	f->sec_end = NULL;
	f->nsec = 0;
	return err;
}

static int open_elf(Elf *elf, const char *orig_path, const char *root, uid_t owner,
		    struct elf_file **out)
{
	struct elf_file *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return -ENOMEM;
	f->owner = owner;
	err = parse(elf, orig_path, root, f);
	if (err) {
		elf_file__free(f);
		return err;
	}
	*out = f;
	return 0;
}

int elf_file__open(const char *path, const char *orig_path, const char *root,
		   struct elf_file **out)
{
	struct stat st;
	Elf *elf;
	int fd, err;

	if (elf_lib_init())
		return -ENOSYS;
	fd = file_open_regular(path, 0);
	if (fd < 0)
		return fd;
	elf = fstat(fd, &st) ? NULL : elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		close(fd);
		return -ENOEXEC;
	}
	err = open_elf(elf, orig_path ? orig_path : path, root ? root : "", st.st_uid, out);
	elf_end(elf);
	close(fd);
	return err;
}

int elf_file__from_memory(const void *image, size_t size, struct elf_file **out)
{
	char *copy;
	Elf *elf;
	int err;

	if (elf_lib_init())
		return -ENOSYS;
	/* elf_memory() wants a writable buffer; names are copied out before it goes. */
	copy = malloc(size);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, image, size);
	elf = elf_memory(copy, size);
	if (!elf) {
		free(copy);
		return -ENOEXEC;
	}
	err = open_elf(elf, NULL, "", (uid_t)-1, out);
	elf_end(elf);
	free(copy);
	return err;
}

void elf_file__free(struct elf_file *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nsyms; i++)
		free(f->syms[i].demangled);
	free(f->syms);
	free(f->strtab);
	free(f->loads);
	free(f->debug_path);
	free(f->sec_end);
	free(f);
}
