// SPDX-License-Identifier: GPL-2.0
/*
 * getppid() in a loop: the syscall-overhead benchmark's workload. Prints the
 * mean ns per call twice: wall-clock, and this thread's CPU time. BPF
 * programs on the syscall path run in this thread's context, so CPU time
 * includes their cost but not the time other tenants of a shared machine
 * preempt us. Usage: getppid_loop [N] (default 5,000,000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static double ns_of(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e9 + (b->tv_nsec - a->tv_nsec);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 5000000;
	struct timespec w0, w1, c0, c1;

	if (n <= 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &w0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	clock_gettime(CLOCK_MONOTONIC, &w1);
	printf("%.1f %.1f\n", ns_of(&w0, &w1) / n, ns_of(&c0, &c1) / n);
	return 0;
}
