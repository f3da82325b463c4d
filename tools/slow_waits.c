// SPDX-License-Identifier: GPL-2.0
/*
 * Syscalls that block on something known, for the tests of where a slow
 * syscall waited. Each call is timed around the blocking syscall itself.
 *   slow_waits pipe MS [N]   N reads (default 1) on a pipe that a second
 *                            thread writes MS ms after each starts
 *                            (wait_on_pipe_read blocks, pipe_feeder writes)
 *   slow_waits mutex MS [N]  N locks of a mutex that a second thread holds
 *                            for MS ms (wait_on_mutex blocks in futex,
 *                            hold_the_lock holds it computing, on CPU, then
 *                            unlocks it)
 * The libc calls go through one more function each (take_lock, release_lock):
 * libc's frameless lock functions hide their caller from a frame-pointer walk,
 * so the named functions above stay in the stacks.
 * Prints "slow_waits: pid P tid T" first, then "blocked MS" per call, with
 * the milliseconds it measured. With "wait" as a fourth argument it waits
 * for SIGUSR1 after printing its pid (send it once the tracer is ready).
 */
/* FLAGS: -pthread -fno-optimize-sibling-calls */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static int pipefd[2];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t step_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t step = PTHREAD_COND_INITIALIZER;
static int steps_asked, steps_taken;
static long hold_ms;
static int use_mutex;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

__attribute__((noinline)) static void pipe_feeder(void)
{
	nap(hold_ms);
	if (write(pipefd[1], "x", 1) != 1)
		exit(1);
}

__attribute__((noinline)) static void release_lock(void)
{
	pthread_mutex_unlock(&lock);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void take_lock(void)
{
	pthread_mutex_lock(&lock);
	__asm__ volatile("" ::: "memory");
}

/* Busy for @ms of wall time: a critical section that computes. */
__attribute__((noinline)) static void compute(long ms)
{
	double end = now_ms() + ms;
	volatile unsigned long x = 0;

	while (now_ms() < end)
		for (int i = 0; i < 10000; i++)
			x += i;
}

/* Holds the lock MS ms: the main thread's futex wait ends when this unlocks. */
__attribute__((noinline)) static void hold_the_lock(void)
{
	compute(hold_ms);
	release_lock();
	__asm__ volatile("" ::: "memory");
}

/* Waits until the main thread asks for step @n (the lock is taken before it says so). */
static void *helper(void *arg)
{
	(void)arg;
	for (int n = 1;; n++) {
		pthread_mutex_lock(&step_lock);
		while (steps_asked < n)
			pthread_cond_wait(&step, &step_lock);
		pthread_mutex_unlock(&step_lock);
		if (use_mutex) {
			pthread_mutex_lock(&lock);
			pthread_mutex_lock(&step_lock);
			steps_taken = n;
			pthread_cond_signal(&step);
			pthread_mutex_unlock(&step_lock);
			hold_the_lock();
		} else {
			pipe_feeder();
		}
	}
	return NULL;
}

static void ask(int n)
{
	pthread_mutex_lock(&step_lock);
	steps_asked = n;
	pthread_cond_signal(&step);
	if (use_mutex)
		while (steps_taken < n)
			pthread_cond_wait(&step, &step_lock);
	pthread_mutex_unlock(&step_lock);
}

__attribute__((noinline)) static double wait_on_pipe_read(void)
{
	double t0 = now_ms();
	char c;

	if (read(pipefd[0], &c, 1) != 1)
		exit(1);
	return now_ms() - t0;
}

__attribute__((noinline)) static double wait_on_mutex(void)
{
	double t0 = now_ms(), t;

	take_lock();
	t = now_ms() - t0;
	pthread_mutex_unlock(&lock);
	return t;
}

int main(int argc, char **argv)
{
	pthread_t t;
	sigset_t usr1;
	int n, sig;

	if (argc < 3 || (strcmp(argv[1], "pipe") && strcmp(argv[1], "mutex"))) {
		fprintf(stderr, "usage: slow_waits pipe|mutex MS [N]\n");
		return 2;
	}
	use_mutex = !strcmp(argv[1], "mutex");
	hold_ms = atol(argv[2]);
	n = argc > 3 ? atoi(argv[3]) : 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);	/* before the helper inherits the mask */
	if (pipe(pipefd) || pthread_create(&t, NULL, helper, NULL))
		return 1;
	printf("slow_waits: pid %d tid %ld\n", getpid(), (long)syscall(SYS_gettid));
	if (argc > 4 && !strcmp(argv[4], "wait") && sigwait(&usr1, &sig))
		return 1;
	for (int i = 1; i <= n; i++) {
		ask(i);
		printf("blocked %.3f\n", use_mutex ? wait_on_mutex() : wait_on_pipe_read());
	}
	return 0;
}
