// SPDX-License-Identifier: GPL-2.0
/*
 * Dies of SIGSEGV in crash_here(), called from main through a second named
 * function, so a watcher's stack can be checked. Usage: segv [DELAY_MS]
 * (waits DELAY_MS first, default 200, the way a real service runs a while).
 */
/* FLAGS: -fno-optimize-sibling-calls */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* volatile: the compiler must not see that it is a bad address. */
static volatile int *volatile bad_ptr = (volatile int *)16;

/*
 * The calls around the store make GCC set up this function's frame before
 * the fault: a frameless (leaf, shrink-wrapped or tail-calling) function
 * hides its caller from a frame-pointer stack walk.
 */
__attribute__((noinline)) static void crash_here(volatile int *p)
{
	fflush(stdout);
	*p = 42;
	fflush(stdout);
}

__attribute__((noinline)) static void handle_request(volatile int *p)
{
	crash_here(p);
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 200;
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	printf("segv: pid %d\n", getpid());
	fflush(stdout);
	nanosleep(&ts, NULL);
	handle_request(bad_ptr);
	return 0;
}
