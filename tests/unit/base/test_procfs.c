// SPDX-License-Identifier: GPL-2.0
/*
 * proc_running(): a child spinning on the CPU is listed, a sleeping one is
 * not, nor is the caller; a spinning thread of an otherwise sleeping process
 * lists its process.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/procfs.h"

static void *spin(void *arg)
{
	(void)arg;
	for (;;)
		;
	return NULL;
}

static pid_t child(bool spin_main, bool spin_thread)
{
	pid_t pid = fork();
	pthread_t t;

	if (pid)
		return pid;
	if (spin_thread)
		pthread_create(&t, NULL, spin, NULL);
	if (spin_main)
		spin(NULL);
	pause();
	_exit(0);
}

static bool listed(int pid)
{
	int pids[4096];
	int n = proc_running(getpid(), pids, 4096);

	for (int i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* Whether @pid shows up within a second (a busy machine may not run it at once). */
static bool listed_soon(int pid)
{
	struct timespec ms = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < 100; i++) {
		if (listed(pid))
			return true;
		nanosleep(&ms, NULL);
	}
	return false;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_running(void **state)
{
	pid_t busy = child(true, false), idle = child(false, false), thr = child(false, true);
	struct timespec settle = { 0, 200 * 1000 * 1000 };

	(void)state;
	nanosleep(&settle, NULL);
	assert_true(listed_soon(busy));
	assert_true(listed_soon(thr));
	assert_false(listed(idle));
	assert_false(listed(getpid()));
	stop(busy);
	stop(idle);
	stop(thr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_running),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
