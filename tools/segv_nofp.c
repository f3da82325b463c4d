// SPDX-License-Identifier: GPL-2.0
/*
 * Dies of SIGSEGV two named functions below main, in a binary without frame
 * pointers: watch's signal stack must name nofp_crash and nofp_handle and
 * reach main. Waits MS ms first (default 300) so a watcher can see it start.
 * Usage: segv_nofp [MS]
 */
/* FLAGS: -fomit-frame-pointer -fno-inline -fno-optimize-sibling-calls */
#include <stdlib.h>
#include <time.h>

volatile int *nofp_target;

__attribute__((noinline)) int nofp_crash(int v)
{
	*nofp_target = v;	/* NULL: the fault */
	__asm__ volatile("" ::: "memory");
	return v;
}

__attribute__((noinline)) int nofp_handle(int v)
{
	return nofp_crash(v + 1) + 1;
}

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 300;
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };

	nanosleep(&ts, NULL);
	return nofp_handle(argc);
}
