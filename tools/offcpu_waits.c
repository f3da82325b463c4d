// SPDX-License-Identifier: GPL-2.0
/*
 * Blocks in three known ways, ITERATIONS times, and says how long each took,
 * measured around the blocking call: a pipe read fed by another thread after
 * 60 ms (wait_pipe), a mutex another thread holds for 40 ms (wait_mutex), and
 * a 100 ms nanosleep (wait_sleep). An off-CPU profile must charge each site
 * what it prints. Usage: offcpu_waits [ITERATIONS] (default 10); prints its
 * pid first, waits for SIGUSR1 (send it once the profiler is ready), then
 * prints "wait_pipe MS", "wait_mutex MS", "wait_sleep MS" at exit.
 */
/* FLAGS: -pthread -fno-optimize-sibling-calls */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int pipefd[2];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t go_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go = PTHREAD_COND_INITIALIZER;
static int phase;	/* 1: feed the pipe, 2: hold the mutex */
static double spent[3];

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

/*
 * The libc calls sit one noinline level below each site: libc has no frame
 * pointers, so a frame-pointer walk from inside it skips its direct caller.
 */
__attribute__((noinline)) static void blocking_read(void)
{
	char c;

	if (read(pipefd[0], &c, 1) != 1)
		exit(1);
}

__attribute__((noinline)) static void blocking_lock(void)
{
	pthread_mutex_lock(&lock);
	pthread_mutex_unlock(&lock);
}

__attribute__((noinline)) static void blocking_sleep(void)
{
	nap(100);
}

static void tell(int p)
{
	pthread_mutex_lock(&go_lock);
	phase = p;
	pthread_cond_signal(&go);
	pthread_mutex_unlock(&go_lock);
}

__attribute__((noinline)) static void wait_pipe(void)
{
	double t = now_ms();

	tell(1);
	blocking_read();
	spent[0] += now_ms() - t;
}

__attribute__((noinline)) static void wait_mutex(void)
{
	double t;

	tell(2);
	nap(5);		/* the helper takes the lock first */
	t = now_ms();
	blocking_lock();
	spent[1] += now_ms() - t;
}

__attribute__((noinline)) static void wait_sleep(void)
{
	double t = now_ms();

	blocking_sleep();
	spent[2] += now_ms() - t;
}

static void *helper(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&go_lock);
		while (!phase)
			pthread_cond_wait(&go, &go_lock);
		int p = phase;

		phase = 0;
		if (p == 2)
			pthread_mutex_lock(&lock);
		pthread_mutex_unlock(&go_lock);
		if (p == 1) {
			nap(60);
			if (write(pipefd[1], "x", 1) != 1)
				exit(1);
		} else {
			nap(40);
			pthread_mutex_unlock(&lock);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10, sig;
	sigset_t usr1;
	pthread_t t;

	/* Blocked in every thread before any exists, so sigwait() takes it. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (pthread_sigmask(SIG_BLOCK, &usr1, NULL) || pipe(pipefd) ||
	    pthread_create(&t, NULL, helper, NULL))
		return 1;
	printf("%d\n", getpid());
	fflush(stdout);
	if (sigwait(&usr1, &sig))
		return 1;
	for (int i = 0; i < n; i++) {
		wait_pipe();
		wait_mutex();
		wait_sleep();
	}
	printf("wait_pipe %.1f\nwait_mutex %.1f\nwait_sleep %.1f\n", spent[0], spent[1], spent[2]);
	return 0;
}
