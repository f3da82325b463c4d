// SPDX-License-Identifier: GPL-2.0
/*
 * scenario_client: N client processes, each connecting to ADDR:PORT (default
 * 127.0.0.1) every INTERVAL ms for SECONDS, reading the reply, closing.
 * Prints the connections that succeeded and those refused (ECONNREFUSED) in
 * total.
 *
 *   scenario_client -p PORT [-a IPV4] [-n CLIENTS] [-i INTERVAL_MS] [-s SECONDS]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct in_addr target;

static int connect_once(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr = target };
	char buf[16];
	int fd = socket(AF_INET, SOCK_STREAM, 0), err = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
		err = -errno;
	else if (read(fd, buf, sizeof(buf)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* One client: exit status = refused connections (capped at 255). */
static int client(int port, long interval_ms, long seconds)
{
	time_t end = time(NULL) + seconds;
	int refused = 0;

	while (time(NULL) < end) {
		refused += connect_once(port) == -ECONNREFUSED;
		usleep(interval_ms * 1000);
	}
	return refused > 255 ? 255 : refused;
}

int main(int argc, char **argv)
{
	long port = 0, n = 4, interval = 100, seconds = 5, refused = 0;
	int c, status;

	target.s_addr = htonl(INADDR_LOOPBACK);
	while ((c = getopt(argc, argv, "p:a:n:i:s:")) != -1) {
		switch (c) {
		case 'p': port = atol(optarg); break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &target) != 1)
				return 2;
			break;
		case 'n': n = atol(optarg); break;
		case 'i': interval = atol(optarg); break;
		case 's': seconds = atol(optarg); break;
		default: return 2;
		}
	}
	if (port <= 0 || port > 65535 || n < 1 || n > 256) {
		fprintf(stderr, "usage: scenario_client -p PORT [-a IPV4] [-n CLIENTS] [-i MS] "
			"[-s SECONDS]\n");
		return 2;
	}
	for (long i = 0; i < n; i++)
		if (fork() == 0)
			_exit(client(port, interval, seconds));
	while (wait(&status) > 0)
		refused += WIFEXITED(status) ? WEXITSTATUS(status) : 0;
	printf("refused %ld\n", refused);
	return 0;
}
