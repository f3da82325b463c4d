// SPDX-License-Identifier: GPL-2.0
/*
 * Leaks fds through libc's open() from a named function (nofp_leak_open,
 * called by nofp_leak_loop, called by main) in a binary without frame
 * pointers, until EMFILE under an RLIMIT_NOFILE of LIMIT (default 96), one
 * open every DELAY_US (default 2000) microseconds; then holds them for a
 * second, as a leaking server would (a tracer reads the process's state
 * when it reports the failure), and exits 3. A leak
 * site walked with .eh_frame names nofp_leak_open and main; a frame-pointer
 * walk from libc's open does not reach them. With WAIT_FILE, it prints its
 * pid and waits for that file to exist before it starts.
 * Usage: fd_leak_nofp [LIMIT [DELAY_US [WAIT_FILE]]]
 */
/* FLAGS: -fomit-frame-pointer -fno-inline -fno-optimize-sibling-calls */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

__attribute__((noinline)) int nofp_leak_open(const char *path)
{
	int fd = open(path, O_RDONLY);

	__asm__ volatile("" ::: "memory");
	return fd;
}

__attribute__((noinline)) long nofp_leak_loop(long delay_us)
{
	long opened = 0;

	while (nofp_leak_open("/dev/null") >= 0) {
		opened++;
		usleep(delay_us);
	}
	return errno == EMFILE ? opened : -1;
}

int main(int argc, char **argv)
{
	long limit = argc > 1 ? atol(argv[1]) : 96, delay = argc > 2 ? atol(argv[2]) : 2000;
	struct rlimit rl = { .rlim_cur = limit, .rlim_max = limit };
	long opened;

	if (limit < 8 || delay < 0 || setrlimit(RLIMIT_NOFILE, &rl)) {
		fprintf(stderr, "usage: %s [LIMIT >= 8 [DELAY_US [WAIT_FILE]]]\n", argv[0]);
		return 2;
	}
	printf("pid %d\n", getpid());
	fflush(stdout);
	while (argc > 3 && access(argv[3], F_OK))
		usleep(10000);
	opened = nofp_leak_loop(delay);
	sleep(1);
	printf("opened %ld\n", opened);
	return opened < 0 ? 1 : 3;
}
