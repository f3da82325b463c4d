// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "base/file_read.h"
#include "base/vec.h"

#define READ_CHUNK 65536	/* /proc/kallsyms is megabytes: few, large reads */

int file_read_fd(int fd, size_t max, char **out, size_t *out_len, bool *truncated)
{
	char *buf = NULL;
	size_t cap = 0, len = 0;
	ssize_t n;
	int err;

	*truncated = false;
	for (;;) {
		if (len + 1 >= cap && (err = VEC_RESERVE(buf, cap, len + READ_CHUNK)))
			goto fail;
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
		if (len >= max) {
			*truncated = true;
			len = max;
			break;
		}
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
fail:
	free(buf);
	return err;
}

int file_open_regular(const char *path, int flags)
{
	struct stat st;
	int fd, err;

	/* O_NONBLOCK: a FIFO planted where a binary was must not hang the run. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | flags);
	if (fd < 0)
		return -errno;
	err = fstat(fd, &st) ? -errno : S_ISREG(st.st_mode) ? 0 : -ENOEXEC;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int file_read_all(const char *path, char **buf, size_t *len)
{
	bool truncated;
	int fd, err;

	fd = file_open_regular(path, 0);
	if (fd < 0)
		return fd;
	err = file_read_fd(fd, FILE_READ_MAX, buf, len, &truncated);
	close(fd);
	if (!err && truncated) {
		free(*buf);
		*buf = NULL;
		err = -EFBIG;
	}
	return err;
}

double monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
