// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "base/outfile.h"

struct outfile {
	FILE *stream;
	char *path;
	char *tmp_path;	/* NULL for stdout */
};

struct outfile *outfile__open(const char *path)
{
	struct outfile *out;
	int fd, err;

	out = calloc(1, sizeof(*out));
	if (!out)
		return NULL;
	out->path = strdup(path);
	if (!out->path)
		goto err_free;
	if (!strcmp(path, "-")) {
		out->stream = stdout;
		return out;
	}
	if (asprintf(&out->tmp_path, "%s.tmp.XXXXXX", path) < 0) {
		out->tmp_path = NULL;
		errno = ENOMEM;
		goto err_free;
	}
	fd = mkstemp(out->tmp_path);
	if (fd < 0)
		goto err_free;
	/* mkstemp makes it 0600; outputs are meant to be shared like any file. */
	fchmod(fd, 0644 & ~umask(umask(0)));
	out->stream = fdopen(fd, "w");
	if (!out->stream) {
		err = errno;
		close(fd);
		unlink(out->tmp_path);
		errno = err;
		goto err_free;
	}
	return out;

err_free:
	err = errno;
	free(out->tmp_path);
	free(out->path);
	free(out);
	errno = err;
	return NULL;
}

FILE *outfile__stream(struct outfile *out)
{
	return out->stream;
}

const char *outfile__path(const struct outfile *out)
{
	return out->path;
}

static void outfile_free(struct outfile *out)
{
	free(out->tmp_path);
	free(out->path);
	free(out);
}

int outfile__commit(struct outfile *out)
{
	int err = 0;

	if (!out->tmp_path) {
		if (fflush(out->stream))
			err = -errno;
		outfile_free(out);
		return err;
	}
	if (fflush(out->stream) || fsync(fileno(out->stream)))
		err = -errno;
	if (fclose(out->stream) && !err)
		err = -errno;
	if (!err && rename(out->tmp_path, out->path))
		err = -errno;
	if (err)
		unlink(out->tmp_path);
	outfile_free(out);
	return err;
}

void outfile__abort(struct outfile *out)
{
	if (!out)
		return;
	if (out->tmp_path) {
		fclose(out->stream);
		unlink(out->tmp_path);
	}
	outfile_free(out);
}
