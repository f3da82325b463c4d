// SPDX-License-Identifier: GPL-2.0
/*
 * Burns CPU inside a SIGALRM handler, in a binary without frame pointers:
 * unwinding must cross the signal frame (libc's __restore_rt) back to the
 * interrupted loop and main. The handler runs about half of the time.
 * Usage: signal_nofp [SECONDS] (default 5)
 */
/* FLAGS: -fomit-frame-pointer -fno-inline -fno-optimize-sibling-calls */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static volatile unsigned long sink;
static volatile sig_atomic_t done;

__attribute__((noinline)) static void burn(long iterations)
{
	unsigned long x = sink;

	for (long i = 0; i < iterations; i++)
		x = x * 6364136223846793005ul + 1442695040888963407ul;
	sink = x;
}

__attribute__((noinline)) void handler_work(void)
{
	burn(3 * 1000 * 1000);
}

static void on_alarm(int sig)
{
	(void)sig;
	handler_work();
}

__attribute__((noinline)) void wait_loop(time_t end)
{
	while (time(NULL) < end)
		burn(1000);
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 5;
	struct itimerval it = { .it_interval = { 0, 10000 }, .it_value = { 0, 10000 } };
	struct sigaction sa = { .sa_handler = on_alarm };

	if (seconds <= 0) {
		fprintf(stderr, "usage: %s [SECONDS]\n", argv[0]);
		return 2;
	}
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) || setitimer(ITIMER_REAL, &it, NULL)) {
		perror("signal_nofp");
		return 1;
	}
	wait_loop(time(NULL) + seconds);
	done = 1;
	return 0;
}
