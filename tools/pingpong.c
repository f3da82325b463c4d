// SPDX-License-Identifier: GPL-2.0
/*
 * Context-switch ping-pong: two processes pass one byte back and forth over
 * two pipes for SECONDS, each blocking in read() until the other answers, so
 * every round trip puts each of them to sleep once. Usage: pingpong SECONDS;
 * prints "round_trips N" and "round_trips_per_sec N".
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The child: echoes every byte until the pipe closes. */
static void echo(int in, int out)
{
	char c;

	while (read(in, &c, 1) == 1)
		if (write(out, &c, 1) != 1)
			break;
	_exit(0);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 0, start, end;
	int ping[2], pong[2];
	unsigned long n = 0;
	pid_t child;
	char c = 'x';

	if (secs <= 0) {
		fprintf(stderr, "usage: pingpong SECONDS\n");
		return 2;
	}
	if (pipe(ping) || pipe(pong))
		return 1;
	child = fork();
	if (child < 0)
		return 1;
	if (!child) {
		close(ping[1]);
		close(pong[0]);
		echo(ping[0], pong[1]);
	}
	close(ping[0]);
	close(pong[1]);
	start = now_s();
	end = start + secs;
	/* the clock is read every 256 round trips: it costs about as much as one */
	for (;;) {
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			return 1;
		if (!(++n & 255) && now_s() >= end)
			break;
	}
	end = now_s();
	close(ping[1]);
	waitpid(child, NULL, 0);
	printf("round_trips %lu\nround_trips_per_sec %.0f\n", n, n / (end - start));
	return 0;
}
