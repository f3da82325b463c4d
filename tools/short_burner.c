// SPDX-License-Identifier: GPL-2.0
/*
 * A short-lived process in the middle of a longer profile:
 *
 *   short_burner DELAY BURN
 *
 * prints its pid, sleeps DELAY seconds, then starts a new process (fork +
 * exec of itself) that burns BURN seconds of CPU in short_lived_burn() and
 * exits; the parent waits for it and exits too. The child's frames can only
 * be named if its maps were read while it was alive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static volatile unsigned long sink;

static double cpu_secs(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

__attribute__((noinline, noclone)) static void short_lived_burn(double secs)
{
	double end = cpu_secs() + secs;

	while (cpu_secs() < end)
		for (int i = 0; i < 20000; i++)
			sink += i;
}

__attribute__((noinline, noclone)) static int child_main(double secs)
{
	short_lived_burn(secs);
	__asm__ volatile("" ::: "memory");
	return 0;
}

int main(int argc, char **argv)
{
	char self[4096];
	ssize_t n;
	pid_t child;
	int status;

	if (argc == 3 && !strcmp(argv[1], "--child"))
		return child_main(atof(argv[2]));
	if (argc != 3) {
		fprintf(stderr, "usage: short_burner DELAY BURN\n");
		return 2;
	}
	printf("%d\n", (int)getpid());
	fflush(stdout);
	usleep((useconds_t)(atof(argv[1]) * 1e6));
	/* By its real path, so the child's comm is short_burner, not "exe". */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 1;
	self[n] = '\0';
	child = fork();
	if (child == 0) {
		execl(self, argv[0], "--child", argv[2], (char *)NULL);
		_exit(127);
	}
	if (child < 0 || waitpid(child, &status, 0) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
