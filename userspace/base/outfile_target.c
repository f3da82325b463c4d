// SPDX-License-Identifier: GPL-2.0
/* What may be written at an output path, decided before writing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/outfile.h"

int outfile_target_check(const char *path, struct outfile_target *t)
{
	memset(t, 0, sizeof(*t));
	if (lstat(path, &t->st)) {
		if (errno == ENOENT)
			return 0;
		return -errno;
	}
	if (S_ISLNK(t->st.st_mode))
		return -OUTFILE_ESYMLINK;
	if (S_ISREG(t->st.st_mode)) {
		t->exists = true;
		return 0;
	}
	if (S_ISCHR(t->st.st_mode) || S_ISFIFO(t->st.st_mode)) {
		t->special = true;
		return 0;
	}
	return -OUTFILE_EDEVICE;
}

int outfile_target_adopt(const struct outfile_target *t, int fd)
{
	if (!t->exists)
		return 0;
	if ((t->st.st_uid != geteuid() || t->st.st_gid != getegid()) &&
	    fchown(fd, t->st.st_uid, t->st.st_gid))
		return -errno;
	return fchmod(fd, t->st.st_mode & 07777) ? -errno : 0;
}

/*
 * A name that was free when the output was opened must still be free: another
 * writer that took it meanwhile (a second `record -o` of the same file) keeps
 * its file, and this one is reported instead of silently replacing it.
 */
int outfile_target_rename(const struct outfile_target *t, const char *tmp_path,
			  const char *path)
{
	if (t->exists)
		return rename(tmp_path, path) ? -errno : 0;
	if (!renameat2(AT_FDCWD, tmp_path, AT_FDCWD, path, RENAME_NOREPLACE))
		return 0;
	if (errno == EEXIST)
		return -OUTFILE_EAPPEARED;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* Filesystems without RENAME_NOREPLACE: a hard link fails on a taken name too. */
	if (link(tmp_path, path))
		return errno == EEXIST ? -OUTFILE_EAPPEARED : -errno;
	unlink(tmp_path);
	return 0;
}

bool outfile_same_file(const char *out_path, const char *in_path)
{
	struct stat a, b;

	if (!out_path || !in_path || stat(out_path, &a) || stat(in_path, &b))
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

const char *outfile__strerror(int err)
{
	switch (-err) {
	case OUTFILE_ESYMLINK:
		return "it is a symbolic link; faultline does not write through links "
		       "(name the file it points to, or - for stdout)";
	case OUTFILE_EDEVICE:
		return "it is a directory or a block device";
	case OUTFILE_ENOTREG:
		return "it exists and is not a regular file";
	case OUTFILE_EINPUT:
		return "it is the input file";
	case OUTFILE_EAPPEARED:
		return "another process created it while faultline was writing; it was not replaced";
	case OUTFILE_EPARTIAL:
		return "its .partial file exists: another record is writing it, or one was cut "
		       "short (report the .partial file, or remove it)";
	default:
		return strerror(-err);
	}
}
