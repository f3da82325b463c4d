// SPDX-License-Identifier: GPL-2.0
/*
 * Slow and fast syscalls for the slow_syscall tests.
 *   slow_read [MS]          one read() on a pipe that blocks ~MS ms (default 300),
 *                           made in slow_pipe_read(); a child writes after MS ms
 *   slow_read --fast N      N fast syscalls (getppid) as quickly as possible
 *   slow_read --storm N US FILE
 *                           waits until FILE exists (polling with nanosleep),
 *                           then makes N clock_nanosleep calls of US microseconds
 */
/* FLAGS: -fno-optimize-sibling-calls */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/*
 * Calls libc's read(), a frameless leaf without frame pointers in Debian's
 * libc: the watcher must put this function back into the stack (its return
 * address is at the stack pointer). Not a tail call (FLAGS above), or there
 * would be nothing left of it to find.
 */
__attribute__((noinline)) static ssize_t slow_pipe_read(int fd, char *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	__asm__ volatile("" ::: "memory");
	return n;
}

static int slow(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	int fds[2];
	char buf[8];
	pid_t child;

	if (pipe(fds))
		return 1;
	child = fork();
	if (child == 0) {
		nanosleep(&ts, NULL);
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		_exit(0);
	}
	printf("slow_read: pid %d reading fd %d\n", getpid(), fds[0]);
	fflush(stdout);
	if (slow_pipe_read(fds[0], buf, sizeof(buf)) != 1)
		return 1;
	waitpid(child, NULL, 0);
	return 0;
}

static int fast(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}

/* nanosleep and clock_nanosleep as raw syscalls: the test tells them apart. */
static void sleep_us(long nr, long us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = us % 1000000 * 1000 };

	if (nr == SYS_clock_nanosleep)
		syscall(nr, CLOCK_MONOTONIC, 0, &ts, NULL);
	else
		syscall(nr, &ts, NULL);
}

static int storm(long n, long us, const char *go)
{
	printf("slow_read: pid %d storm of %ld\n", getpid(), n);
	fflush(stdout);
	while (access(go, F_OK))
		sleep_us(SYS_nanosleep, 10000);
	for (long i = 0; i < n; i++)
		sleep_us(SYS_clock_nanosleep, us);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 4 && !strcmp(argv[1], "--storm"))
		return storm(atol(argv[2]), atol(argv[3]), argv[4]);
	if (argc > 2 && !strcmp(argv[1], "--fast"))
		return fast(atol(argv[2]));
	return slow(argc > 1 ? atol(argv[1]) : 300);
}
