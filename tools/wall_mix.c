// SPDX-License-Identifier: GPL-2.0
/*
 * One thread whose wall-clock time is known: CYCLES times, it burns BURN_MS
 * of its own CPU time (burn) and then waits on a pipe that a child process
 * answers WAIT_MS later (wait_pipe -> blocking_read). Usage:
 * wall_mix [CYCLES [BURN_MS [WAIT_MS]]] (default 5 300 700); prints its pid,
 * waits for SIGUSR1 (send it once the profiler is ready), then at exit:
 * "wall_ms", "cpu_ms" (its CPU time), "burn_ms" (wall time burning, CPU time
 * plus time preempted) and "wait_ms" (time in the pipe read).
 */
/* FLAGS: -fno-optimize-sibling-calls */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static int req[2], resp[2];

static double clock_ms(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The child: answers each request @ms later, until the pipe closes. */
static void answer(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	char c;

	while (read(req[0], &c, 1) == 1) {
		nanosleep(&ts, NULL);
		if (write(resp[1], &c, 1) != 1)
			break;
	}
	_exit(0);
}

__attribute__((noinline)) static void burn(double ms)
{
	double end = clock_ms(CLOCK_THREAD_CPUTIME_ID) + ms;
	volatile unsigned long x = 0;

	while (clock_ms(CLOCK_THREAD_CPUTIME_ID) < end)
		for (int i = 0; i < 10000; i++)
			x += i;
}

__attribute__((noinline)) static void blocking_read(void)
{
	char c = 0;

	if (write(req[1], &c, 1) != 1 || read(resp[0], &c, 1) != 1)
		exit(1);
}

__attribute__((noinline)) static double wait_pipe(void)
{
	double t = clock_ms(CLOCK_MONOTONIC);

	blocking_read();
	return clock_ms(CLOCK_MONOTONIC) - t;
}

int main(int argc, char **argv)
{
	int cycles = argc > 1 ? atoi(argv[1]) : 5;
	double burn_ms = argc > 2 ? atof(argv[2]) : 300, waited = 0, burnt = 0, t0, c0, t;
	long wait_ms = argc > 3 ? atol(argv[3]) : 700;
	sigset_t set;
	pid_t child;
	int sig;

	if (pipe(req) || pipe(resp))
		return 1;
	child = fork();
	if (child < 0)
		return 1;
	if (!child) {
		close(req[1]);
		close(resp[0]);
		answer(wait_ms);
	}
	close(req[0]);
	close(resp[1]);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("%d\n", getpid());
	fflush(stdout);
	sigwait(&set, &sig);
	t0 = clock_ms(CLOCK_MONOTONIC);
	c0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
	for (int i = 0; i < cycles; i++) {
		t = clock_ms(CLOCK_MONOTONIC);
		burn(burn_ms);
		burnt += clock_ms(CLOCK_MONOTONIC) - t;
		waited += wait_pipe();
	}
	printf("wall_ms %.1f\ncpu_ms %.1f\nburn_ms %.1f\nwait_ms %.1f\n",
	       clock_ms(CLOCK_MONOTONIC) - t0, clock_ms(CLOCK_THREAD_CPUTIME_ID) - c0, burnt, waited);
	fflush(stdout);
	close(req[1]);
	waitpid(child, NULL, 0);
	return 0;
}
