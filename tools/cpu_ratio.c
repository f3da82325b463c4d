// SPDX-License-Identifier: GPL-2.0
/*
 * Burns CPU in two functions in a known 3:1 ratio through distinct callers
 * (main -> run_heavy -> burn_a, main -> run_light -> burn_b), for profiler
 * tests: a correct profile shows burn_a with three times burn_b's samples.
 *
 *   cpu_ratio SECONDS [--count]
 *
 * Prints its pid first. The ratio holds in CPU time whatever the machine's
 * load, because each round burns until a per-thread CPU-time budget is spent.
 * --count prints the work units done per second of wall time and per second
 * of its own CPU time at the end (throughput figures for overhead benchmarks;
 * the second is what a profiler's interrupt-time work takes from it, whatever
 * else runs on the machine).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SLICE_NS 4000000ULL	/* 4 ms of CPU per light round, 12 ms per heavy one */

static volatile unsigned long sink;
static unsigned long long units;

static unsigned long long cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

static unsigned long long wall_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

/* noinline, noclone, distinct bodies: each keeps its own frame and plain name. */
__attribute__((noinline, noclone)) static void burn_a(unsigned long long budget)
{
	unsigned long long end = cpu_ns() + budget;

	do {
		for (int i = 0; i < 200000; i++)
			sink += i * 3;
		units++;
	} while (cpu_ns() < end);
}

__attribute__((noinline, noclone)) static void burn_b(unsigned long long budget)
{
	unsigned long long end = cpu_ns() + budget;

	do {
		for (int i = 0; i < 200000; i++)
			sink ^= i * 7;
		units++;
	} while (cpu_ns() < end);
}

__attribute__((noinline, noclone)) static void run_heavy(void)
{
	burn_a(3 * SLICE_NS);
	__asm__ volatile("" ::: "memory");	/* keep this frame: no tail call */
}

__attribute__((noinline, noclone)) static void run_light(void)
{
	burn_b(SLICE_NS);
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	unsigned long long start, end;
	double secs;

	if (argc < 2 || (secs = atof(argv[1])) <= 0) {
		fprintf(stderr, "usage: cpu_ratio SECONDS [--count]\n");
		return 2;
	}
	printf("%d\n", (int)getpid());
	fflush(stdout);
	start = wall_ns();
	end = start + (unsigned long long)(secs * 1e9);
	while (wall_ns() < end) {
		run_heavy();
		run_light();
	}
	if (argc > 2 && !strcmp(argv[2], "--count")) {
		struct timespec t;

		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
		printf("units_per_sec %.1f\n", units / ((wall_ns() - start) / 1e9));
		printf("units_per_cpu_sec %.1f\n", units / (t.tv_sec + t.tv_nsec / 1e9));
	}
	return 0;
}
