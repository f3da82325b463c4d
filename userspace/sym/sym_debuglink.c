// SPDX-License-Identifier: GPL-2.0
/*
 * Separate debug files, searched like gdb does: by build-id under
 * /usr/lib/debug/.build-id/, then by .gnu_debuglink name next to the file,
 * in its .debug/ subdirectory and under /usr/lib/debug/<dir>/.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/file_read.h"
#include "sym/sym_elf_internal.h"

#define DEBUG_ROOT "/usr/lib/debug"

/* Reads the symbols of @path into @f if it is a debug file of the same build. */
static int try_debug_file(const char *path, struct elf_file *f)
{
	char id[ELF_BUILD_ID_HEX] = "";
	Elf *elf;
	int fd, err = -ENOENT;

	fd = file_open_regular(path, 0);
	if (fd < 0)
		return -ENOENT;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF)
		goto out;
	/* A debug file of another build would name the wrong functions. */
	if (f->build_id[0] && !elf_read_build_id(elf, id) && strcmp(id, f->build_id))
		goto out;
	err = elf_read_syms(elf, SHT_SYMTAB, f);
	if (!err) {
		f->debug_path = strdup(path);
		if (!f->debug_path)
			err = -ENOMEM;
	}
out:
	elf_end(elf);
	close(fd);
	return err == -ENOEXEC ? -ENOENT : err;
}

static int by_build_id(struct elf_file *f, const char *root)
{
	char path[PATH_MAX];

	if (strlen(f->build_id) < 4)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s" DEBUG_ROOT "/.build-id/%.2s/%s.debug", root,
		 f->build_id, f->build_id + 2);
	return try_debug_file(path, f);
}

/* The file name stored in .gnu_debuglink, or NULL. */
static const char *debuglink_name(Elf *elf)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	Elf_Data *data;
	GElf_Shdr shdr;
	const char *name;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &shdr))
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (!name || strcmp(name, ".gnu_debuglink"))
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf || !data->d_size ||
		    !memchr(data->d_buf, '\0', data->d_size))
			return NULL;
		return data->d_buf;
	}
	return NULL;
}

static int by_debuglink(Elf *elf, struct elf_file *f, const char *orig_path, const char *root)
{
	const char *link = debuglink_name(elf), *slash;
	char path[PATH_MAX];
	int dirlen, err;

	if (!link || !*link || strchr(link, '/'))
		return -ENOENT;
	slash = strrchr(orig_path, '/');
	dirlen = slash ? (int)(slash - orig_path) : 0;
	snprintf(path, sizeof(path), "%s%.*s/%s", root, dirlen, orig_path, link);
	err = try_debug_file(path, f);
	if (err != -ENOENT)
		return err;
	snprintf(path, sizeof(path), "%s%.*s/.debug/%s", root, dirlen, orig_path, link);
	err = try_debug_file(path, f);
	if (err != -ENOENT)
		return err;
	snprintf(path, sizeof(path), "%s" DEBUG_ROOT "%.*s/%s", root, dirlen, orig_path, link);
	err = try_debug_file(path, f);
	if (err != -ENOENT || !*root)
		return err;
	snprintf(path, sizeof(path), DEBUG_ROOT "%.*s/%s", dirlen, orig_path, link);
	return try_debug_file(path, f);
}

int elf_load_debug_file(Elf *elf, struct elf_file *f, const char *orig_path, const char *root)
{
	int err;

	err = by_build_id(f, "");
	if (err == -ENOENT && *root)
		err = by_build_id(f, root);
	if (err == -ENOENT)
		err = by_debuglink(elf, f, orig_path, root);
	return err;
}
