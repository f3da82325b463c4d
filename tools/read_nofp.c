// SPDX-License-Identifier: GPL-2.0
/*
 * Spends its time in read(2) of /dev/zero, called from a named function of
 * a binary without frame pointers: the profile must show read_zeros between
 * libc's read and main, which a frame-pointer walk skips.
 * Usage: read_nofp [SECONDS] (default 5)
 */
/* FLAGS: -fomit-frame-pointer -fno-inline -fno-optimize-sibling-calls */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static char buf[CHUNK];

__attribute__((noinline)) long read_zeros(int fd, time_t end)
{
	long total = 0;
	ssize_t n;

	while (time(NULL) < end) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return -1;
		total += n;
	}
	return total;
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 5;
	int fd = open("/dev/zero", O_RDONLY);

	if (fd < 0 || seconds <= 0) {
		fprintf(stderr, "usage: %s [SECONDS]\n", argv[0]);
		return 2;
	}
	if (read_zeros(fd, time(NULL) + seconds) < 0)
		return 1;
	close(fd);
	return 0;
}
