// SPDX-License-Identifier: GPL-2.0
/*
 * Separate debug files, searched like gdb does: by build-id under
 * /usr/lib/debug/.build-id/, then by .gnu_debuglink name next to the file,
 * in its .debug/ subdirectory and under /usr/lib/debug/<dir>/.
 *
 * The binary's owner chooses its debuglink and the directory it sits in, and
 * faultline reads as root: a debug file is believed only when it is the same
 * build (build-id, else the debuglink's CRC), and one outside the host's own
 * /usr/lib/debug only when no symbolic link leads to it and its owner is the
 * binary's, or root with the file readable by anyone. Otherwise a planted
 * link would print the symbols of a file its planter cannot read.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <zlib.h>

#include "base/file_read.h"
#include "base/log.h"
#include "sym/sym_elf_internal.h"

#define DEBUG_ROOT "/usr/lib/debug"

struct debug_want {
	const char *root;	/* "" or e.g. /proc/PID/root: paths resolve inside it */
	bool has_crc;		/* no build-id: the debuglink's CRC decides */
	uint32_t crc;
};

/* @path inside @root, following no symbolic link (or none out of @root). */
static int open_confined(const char *root, const char *path)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY };
	int dirfd = AT_FDCWD, fd;

	if (*root) {
		dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			return -errno;
		how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	} else {
		how.resolve = RESOLVE_NO_SYMLINKS;
	}
	fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)	/* before 5.6: at least not the last component */
		fd = openat(dirfd, path, how.flags | O_NOFOLLOW);
	if (fd < 0)
		fd = -errno;
	if (dirfd >= 0)
		close(dirfd);
	return fd;
}

static bool owner_may_read(const struct stat *st, uid_t owner)
{
	if (!S_ISREG(st->st_mode))
		return false;
	if (st->st_uid == owner)
		return true;
	return st->st_uid == 0 && (st->st_mode & S_IROTH);
}

static int open_debug_file(const char *path, const struct debug_want *w, uid_t owner)
{
	bool trusted = !*w->root && !strncmp(path, DEBUG_ROOT "/", sizeof(DEBUG_ROOT));
	struct stat st;
	int fd;

	if (trusted)
		return file_open_regular(path, 0);
	fd = open_confined(w->root, path);
	if (fd < 0)
		return fd == -ELOOP || fd == -EXDEV ? -ENOENT : fd;
	if (fstat(fd, &st) || !owner_may_read(&st, owner)) {
		pr_debug("symbolizer: not using %s%s: owned by uid %u, the binary by uid %d\n",
			 w->root, path, (unsigned)st.st_uid, (int)owner);
		close(fd);
		return -ENOENT;
	}
	return fd;
}

static uint32_t file_crc(int fd, bool *ok)
{
	unsigned char buf[65536];
	uLong crc = crc32(0L, Z_NULL, 0);
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		crc = crc32(crc, buf, n);
	*ok = n == 0;
	return (uint32_t)crc;
}

/* Whether the debug file in @elf (fd @fd) is of the same build as @f. */
static bool same_build(Elf *elf, int fd, const struct elf_file *f, const struct debug_want *w)
{
	char id[ELF_BUILD_ID_HEX] = "";
	bool ok;

	if (f->build_id[0])
		return !elf_read_build_id(elf, id) && !strcmp(id, f->build_id);
	if (!w->has_crc)
		return false;
	return file_crc(fd, &ok) == w->crc && ok;
}

/* Reads the symbols of @path into @f if it is a debug file of the same build. */
static int try_debug_file(const char *path, struct elf_file *f, const struct debug_want *w)
{
	Elf *elf = NULL;
	int fd, err = -ENOENT;

	fd = open_debug_file(path, w, f->owner);
	if (fd < 0)
		return -ENOENT;
	if (lseek(fd, 0, SEEK_SET) || !(elf = elf_begin(fd, ELF_C_READ_MMAP, NULL)) ||
	    elf_kind(elf) != ELF_K_ELF || !same_build(elf, fd, f, w))
		goto out;
	err = elf_read_syms(elf, SHT_SYMTAB, f);
	if (!err && asprintf(&f->debug_path, "%s%s", w->root, path) < 0) {
		f->debug_path = NULL;
		err = -ENOMEM;
	}
out:
	elf_end(elf);
	close(fd);
	return err == -ENOEXEC ? -ENOENT : err;
}

static int by_build_id(struct elf_file *f, const struct debug_want *w)
{
	char path[PATH_MAX];

	if (strlen(f->build_id) < 4)
		return -ENOENT;
	snprintf(path, sizeof(path), DEBUG_ROOT "/.build-id/%.2s/%s.debug", f->build_id,
		 f->build_id + 2);
	return try_debug_file(path, f, w);
}

/* The file name stored in .gnu_debuglink and the CRC after it, or NULL. */
static const char *debuglink_name(Elf *elf, struct debug_want *w)
{
	size_t shstrndx, end;
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
		/* The name, NUL, padding to 4 bytes, then the CRC32 of the debug file. */
		end = (strlen(data->d_buf) + 4) & ~(size_t)3;
		if (end + 4 <= data->d_size) {
			memcpy(&w->crc, (const char *)data->d_buf + end, 4);
			w->has_crc = true;
		}
		return data->d_buf;
	}
	return NULL;
}

static int by_debuglink(Elf *elf, struct elf_file *f, const char *orig_path,
			struct debug_want *w)
{
	const char *link = debuglink_name(elf, w), *slash;
	const char *fmt[] = { "%.*s/%s", "%.*s/.debug/%s", DEBUG_ROOT "%.*s/%s" };
	char path[PATH_MAX];
	int dirlen, err = -ENOENT;

	if (!link || !*link || strchr(link, '/'))
		return -ENOENT;
	slash = strrchr(orig_path, '/');
	dirlen = slash ? (int)(slash - orig_path) : 0;
	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]) && err == -ENOENT; i++) {
		snprintf(path, sizeof(path), fmt[i], dirlen, orig_path, link);
		err = try_debug_file(path, f, w);
	}
	if (err == -ENOENT && *w->root) {
		/* The host's own debug tree, for a container's copy of a host package. */
		struct debug_want host = *w;

		host.root = "";
		snprintf(path, sizeof(path), DEBUG_ROOT "%.*s/%s", dirlen, orig_path, link);
		err = try_debug_file(path, f, &host);
	}
	return err;
}

int elf_load_debug_file(Elf *elf, struct elf_file *f, const char *orig_path, const char *root)
{
	struct debug_want w = { .root = "" };
	int err;

	err = by_build_id(f, &w);
	if (err == -ENOENT && *root) {
		w.root = root;
		err = by_build_id(f, &w);
	}
	if (err == -ENOENT) {
		w.root = root;
		err = by_debuglink(elf, f, orig_path, &w);
	}
	return err;
}
