// SPDX-License-Identifier: GPL-2.0
/*
 * Takes COUNT handled SIGSEGVs (a handler that jumps back), the way runtimes
 * with SIGSEGV-driven safepoints or GCs do, then exits 0. With NAME, first
 * renames itself (prctl PR_SET_NAME, any bytes) so a watcher's rendering of
 * hostile names can be checked. Usage: segv_storm [COUNT [NAME]] (default 3000).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static sigjmp_buf back;
static volatile int *volatile bad_ptr = (volatile int *)16;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(back, 1);
}

int main(int argc, char **argv)
{
	long count = argc > 1 ? atol(argv[1]) : 3000;
	struct sigaction sa;
	volatile long taken = 0;

	if (argc > 2 && prctl(PR_SET_NAME, argv[2], 0, 0, 0)) {
		perror("segv_storm: prctl");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL)) {
		perror("segv_storm: sigaction");
		return 1;
	}
	printf("segv_storm: pid %d\n", getpid());
	fflush(stdout);
	while (taken < count) {
		if (!sigsetjmp(back, 1))
			*bad_ptr = 42;
		taken++;
	}
	printf("segv_storm: %ld handled\n", (long)taken);
	return 0;
}
