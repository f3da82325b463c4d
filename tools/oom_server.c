// SPDX-License-Identifier: GPL-2.0
/*
 * oom_server: a TCP server on 127.0.0.1:PORT that serves clients, then
 * after GROW_AFTER ms fills a cache (cache_fill, 4 MiB steps, pages touched
 * there) until the OOM killer kills it; run it in a memory cgroup with a
 * small limit. Clients are refused from then on. The scenario of
 * `faultline report`'s OOM test.
 *
 *   oom_server -p PORT [-g GROW_AFTER_MS] [-m MAX_MB]
 *
 * Prints "pid N port P" once listening; exits 3 if MAX_MB (default 4096) is
 * reached without being killed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define STEP (4UL << 20)

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Touches every page here, so the faulting allocation's stack names this function. */
__attribute__((noinline)) static void *cache_fill(size_t bytes)
{
	volatile char *p = malloc(bytes);

	for (size_t off = 0; p && off < bytes; off += 4096)
		p[off] = 0x5a;
	return (void *)p;
}

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 128)) {
		perror("oom_server: listen");
		exit(1);
	}
	return fd;
}

static void serve_pending(int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	while (poll(&p, 1, 20) > 0) {
		int c = accept(lfd, NULL, NULL);

		if (c >= 0) {
			if (write(c, "ok\n", 3) < 0)
				perror("oom_server: write");
			close(c);
		}
	}
}

int main(int argc, char **argv)
{
	long port = 0, grow_after = 1000, max_mb = 4096, filled = 0, start;
	int c, lfd;

	while ((c = getopt(argc, argv, "p:g:m:")) != -1) {
		switch (c) {
		case 'p': port = atol(optarg); break;
		case 'g': grow_after = atol(optarg); break;
		case 'm': max_mb = atol(optarg); break;
		default: return 2;
		}
	}
	if (port <= 0 || port > 65535) {
		fprintf(stderr, "usage: oom_server -p PORT [-g GROW_AFTER_MS] [-m MAX_MB]\n");
		return 2;
	}
	lfd = listen_on(port);
	printf("pid %d port %ld\n", getpid(), port);
	fflush(stdout);
	start = now_ms();
	while (filled < max_mb) {
		serve_pending(lfd);
		if (now_ms() - start >= grow_after && cache_fill(STEP))
			filled += STEP >> 20;
	}
	return 3;
}
