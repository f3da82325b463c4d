// SPDX-License-Identifier: GPL-2.0
/*
 * malloc()+free() pairs in a loop: the heap-overhead benchmark's workload.
 * Prints "pid N", waits for PATH to exist (so a tracer can attach to this
 * pid first), runs, then prints the mean ns per pair twice: wall-clock, and
 * this thread's CPU time (uprobe traps and their BPF programs run in this
 * thread's context). Usage: malloc_loop N SIZE PATH
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double ns_of(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e9 + (b->tv_nsec - a->tv_nsec);
}

int main(int argc, char **argv)
{
	struct timespec w0, w1, c0, c1;
	struct stat st;
	long n;
	size_t size;

	if (argc != 4 || (n = atol(argv[1])) <= 0 || !(size = atol(argv[2])))
		return 2;
	printf("pid %d\n", getpid());
	fflush(stdout);
	while (stat(argv[3], &st))
		usleep(10000);
	clock_gettime(CLOCK_MONOTONIC, &w0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	for (long i = 0; i < n; i++) {
		char *p = malloc(size);

		if (!p)
			return 1;
		*(volatile char *)p = 1;	/* used: the pair is not optimised away */
		free(p);
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	clock_gettime(CLOCK_MONOTONIC, &w1);
	printf("%.1f %.1f\n", ns_of(&w0, &w1) / n, ns_of(&c0, &c1) / n);
	return 0;
}
