// SPDX-License-Identifier: GPL-2.0
/*
 * One slow read() on a pipe (a child writes after MS ms, default 300), made
 * two named functions below main in a binary without frame pointers: watch's
 * slow_syscall stack must name nofp_slow_read and nofp_request and reach
 * main, which a frame-pointer walk cannot.
 * Usage: slow_read_nofp [MS]
 */
/* FLAGS: -fomit-frame-pointer -fno-inline -fno-optimize-sibling-calls */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

__attribute__((noinline)) ssize_t nofp_slow_read(int fd, char *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	__asm__ volatile("" ::: "memory");
	return n;
}

__attribute__((noinline)) int nofp_request(int fd)
{
	char buf[64];

	return nofp_slow_read(fd, buf, sizeof(buf)) > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 300;
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };
	int p[2], ret;
	pid_t child;

	if (ms <= 0 || pipe(p)) {
		fprintf(stderr, "usage: %s [MS]\n", argv[0]);
		return 2;
	}
	child = fork();
	if (child < 0)
		return 1;
	if (!child) {
		nanosleep(&ts, NULL);
		_exit(write(p[1], "x", 1) == 1 ? 0 : 1);
	}
	ret = nofp_request(p[0]);
	waitpid(child, NULL, 0);
	return ret;
}
