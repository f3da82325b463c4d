// SPDX-License-Identifier: GPL-2.0
/*
 * CPU burner without frame pointers, like most distribution binaries:
 * burn_three runs three times as long as burn_one, each reached through its
 * own caller (main -> run -> via_three -> burn_three, ... via_one -> burn_one).
 * Usage: cpu_ratio_nofp [SECONDS] (default 5)
 */
/* FLAGS: -fomit-frame-pointer -fno-inline -fno-optimize-sibling-calls */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Burns CPU for about @ms milliseconds of wall time. */
__attribute__((noinline)) static void spin(double ms)
{
	double end = now() + ms / 1000;
	unsigned long x = sink;

	while (now() < end) {
		for (int i = 0; i < 20000; i++)
			x = x * 6364136223846793005ul + 1442695040888963407ul;
	}
	sink = x;
}

__attribute__((noinline)) void burn_three(void)
{
	spin(30);
}

__attribute__((noinline)) void burn_one(void)
{
	spin(10);
}

__attribute__((noinline)) void via_three(void)
{
	burn_three();
	sink++;
}

__attribute__((noinline)) void via_one(void)
{
	burn_one();
	sink++;
}

__attribute__((noinline)) void run(double seconds)
{
	double end = now() + seconds;

	while (now() < end) {
		via_three();
		via_one();
	}
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 5;

	if (seconds <= 0) {
		fprintf(stderr, "usage: %s [SECONDS]\n", argv[0]);
		return 2;
	}
	run(seconds);
	return 0;
}
