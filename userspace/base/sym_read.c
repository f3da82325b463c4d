// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/vec.h"
#include "base/sym_read.h"

#define READ_CHUNK 65536	/* /proc/kallsyms is megabytes: few, large reads */

static int read_fd(int fd, char **out, size_t *out_len)
{
	char *buf = NULL;
	size_t cap = 0, len = 0;
	ssize_t n;
	int err;

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
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
fail:
	free(buf);
	return err;
}

int sym_read_file(const char *path, char **buf, size_t *len)
{
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = read_fd(fd, buf, len);
	close(fd);
	return err;
}

double sym_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
