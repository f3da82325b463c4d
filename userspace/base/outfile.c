// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "base/outfile.h"

struct outfile {
	FILE *stream;
	char *path;
	bool direct;		/* stdout, a device or a FIFO: written in place */
	bool unnamed;		/* O_TMPFILE: no name until commit */
	char *tmp_path;		/* the O_EXCL fallback's name */
	struct outfile_target target;
};

static bool is_stdout(const char *path)
{
	return !strcmp(path, "-") || !strcmp(path, "/dev/stdout");
}

/* A device or FIFO checked by outfile_target_check(): open it without blocking. */
static int open_special(struct outfile *out)
{
	struct stat st;
	int fd, flags;

	fd = open(out->path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENXIO ? -EPIPE : -errno;	/* a FIFO nobody reads */
	if (fstat(fd, &st) || st.st_ino != out->target.st.st_ino ||
	    st.st_dev != out->target.st.st_dev) {
		close(fd);
		return -OUTFILE_ENOTREG;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)) {
		close(fd);
		return -errno;
	}
	out->direct = true;
	return fd;
}

static int open_unnamed(struct outfile *out)
{
	char *copy = strdup(out->path);
	mode_t mode = 0644 & ~umask(umask(0));
	int fd;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
	free(copy);
	if (fd >= 0) {
		out->unnamed = true;
		return fd;
	}
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -errno;
	/* No O_TMPFILE on this filesystem: an O_EXCL name, which mkstemp gives. */
	if (asprintf(&out->tmp_path, "%s.tmp.XXXXXX", out->path) < 0) {
		out->tmp_path = NULL;
		return -ENOMEM;
	}
	fd = mkstemp(out->tmp_path);
	if (fd < 0)
		return -errno;
	fchmod(fd, mode);
	return fd;
}

static int open_fd(struct outfile *out)
{
	int fd, err;

	if (is_stdout(out->path)) {
		out->direct = true;
		return STDOUT_FILENO;
	}
	err = outfile_target_check(out->path, &out->target);
	if (err)
		return err;
	if (out->target.special)
		return open_special(out);
	fd = open_unnamed(out);
	if (fd < 0)
		return fd;
	err = outfile_target_adopt(&out->target, fd);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static void outfile_free(struct outfile *out)
{
	if (out->tmp_path)
		unlink(out->tmp_path);
	free(out->tmp_path);
	free(out->path);
	free(out);
}

int outfile__open(const char *path, struct outfile **res)
{
	struct outfile *out = calloc(1, sizeof(*out));
	int fd;

	if (!out || !(out->path = strdup(path))) {
		free(out);
		return -ENOMEM;
	}
	fd = open_fd(out);
	if (fd < 0) {
		outfile_free(out);
		return fd;
	}
	out->stream = fd == STDOUT_FILENO ? stdout : fdopen(fd, "w");
	if (!out->stream) {
		close(fd);
		outfile_free(out);
		return -ENOMEM;
	}
	*res = out;
	return 0;
}

FILE *outfile__stream(struct outfile *out)
{
	return out->stream;
}

const char *outfile__path(const struct outfile *out)
{
	return out->path;
}

/*
 * A name nobody can predict: names planted in advance in a shared directory
 * would otherwise make every try fail (they are never followed or replaced).
 */
static uint64_t unpredictable(void)
{
	uint64_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == sizeof(v))
		return v;
	return (uint64_t)random() << 32 ^ (uint64_t)getpid() << 16 ^ (uint64_t)time(NULL);
}

/* Gives the unnamed file a unique temporary name beside its final one. */
static int name_unnamed(struct outfile *out)
{
	char proc[64];
	int i;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fileno(out->stream));
	for (i = 0; i < 100; i++) {
		free(out->tmp_path);
		if (asprintf(&out->tmp_path, "%s.tmp.%016llx", out->path,
			     (unsigned long long)unpredictable()) < 0) {
			out->tmp_path = NULL;
			return -ENOMEM;
		}
		if (!linkat(AT_FDCWD, proc, AT_FDCWD, out->tmp_path, AT_SYMLINK_FOLLOW))
			return 0;
		if (errno != EEXIST) {
			free(out->tmp_path);
			out->tmp_path = NULL;
			return -errno;
		}
	}
	return -EEXIST;
}

static int commit_direct(struct outfile *out)
{
	int err = fflush(out->stream) ? -errno : 0;

	if (out->stream != stdout && fclose(out->stream) && !err)
		err = -errno;
	return err;
}

int outfile__commit(struct outfile *out)
{
	int err;

	if (out->direct) {
		err = commit_direct(out);
		outfile_free(out);
		return err;
	}
	err = fflush(out->stream) || fsync(fileno(out->stream)) ? -errno : 0;
	if (!err && out->unnamed)
		err = name_unnamed(out);
	if (fclose(out->stream) && !err)
		err = -errno;
	if (!err)
		err = outfile_target_rename(&out->target, out->tmp_path, out->path);
	if (!err) {
		free(out->tmp_path);	/* renamed: nothing to unlink */
		out->tmp_path = NULL;
	}
	outfile_free(out);
	return err;
}

void outfile__abort(struct outfile *out)
{
	if (!out)
		return;
	if (out->stream != stdout)
		fclose(out->stream);
	outfile_free(out);
}
