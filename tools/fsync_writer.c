// SPDX-License-Identifier: GPL-2.0
/*
 * Waits on the disk in a known place: ITERATIONS times, writes KB kilobytes
 * of new data to FILE and fsync()s it (write_and_sync -> do_fsync), timing
 * each fsync. Usage: fsync_writer FILE [ITERATIONS [KB]] (default 20 256);
 * prints its pid, waits for SIGUSR1 (send it once the profiler is ready),
 * then at exit "fsync_ms" (the time spent in fsync), "blocked_ms" (of that,
 * the time not running: fsync's wall time less the thread's CPU time in it)
 * and "fsyncs".
 */
/* FLAGS: -fno-optimize-sibling-calls */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double spent, blocked;

static double clock_ms(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* libc has no frame pointers: the call sits one noinline level below its site */
__attribute__((noinline)) static void do_fsync(int fd)
{
	double t = clock_ms(CLOCK_MONOTONIC), c = clock_ms(CLOCK_THREAD_CPUTIME_ID), wall;

	if (fsync(fd))
		exit(1);
	wall = clock_ms(CLOCK_MONOTONIC) - t;
	spent += wall;
	blocked += wall - (clock_ms(CLOCK_THREAD_CPUTIME_ID) - c);
}

__attribute__((noinline)) static void write_and_sync(int fd, char *buf, size_t len, int round)
{
	memset(buf, 'a' + round % 26, len);	/* new data: every page is dirty again */
	if (pwrite(fd, buf, len, 0) != (ssize_t)len)
		exit(1);
	do_fsync(fd);
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 20;
	size_t len = (argc > 3 ? atoi(argv[3]) : 256) * 1024UL;
	sigset_t set;
	char *buf;
	int fd, sig;

	if (argc < 2 || n <= 0 || !len) {
		fprintf(stderr, "usage: fsync_writer FILE [ITERATIONS [KB]]\n");
		return 2;
	}
	buf = malloc(len);
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (!buf || fd < 0)
		return 1;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("%d\n", getpid());
	fflush(stdout);
	sigwait(&set, &sig);
	for (int i = 0; i < n; i++)
		write_and_sync(fd, buf, len, i);
	printf("fsync_ms %.1f\nblocked_ms %.1f\nfsyncs %d\n", spent, blocked, n);
	close(fd);
	free(buf);
	return 0;
}
