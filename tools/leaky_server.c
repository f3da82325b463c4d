// SPDX-License-Identifier: GPL-2.0
/*
 * leaky_server: a TCP server on *:PORT (all addresses) that checks a "backend
 * connection" out of a pool for each client (pool_checkout) and never gives
 * it back, under a low RLIMIT_NOFILE it sets itself. It leaks one socket per
 * client until pool_checkout fails with EMFILE; after --give-up failures it
 * exits (status 3) like a server that cannot reach its backend, and clients
 * are then refused. The scenario of `faultline report`'s fd-leak test.
 *
 *   leaky_server --port PORT [--limit N] [--give-up N]
 *
 * Prints "pid N port P" once listening, "leaked N" and "failures N" at exit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int pool[65536];
static int npool;

/*
 * socket(2) issued right here, not through the C library: libc's wrapper has
 * no frame pointer, and a frame-pointer stack walk from inside it would skip
 * its caller (this function), which is the frame the test looks for.
 */
static inline int raw_socket(void)
{
	long ret;

	asm volatile("syscall" : "=a"(ret) : "a"((long)SYS_socket), "D"((long)AF_INET),
		     "S"((long)SOCK_STREAM), "d"(0L) : "rcx", "r11", "memory");
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return (int)ret;
}

/* The leak: a connection taken from the pool is never returned. */
__attribute__((noinline)) static int pool_checkout(void)
{
	int fd = raw_socket();

	if (fd >= 0 && npool < (int)(sizeof(pool) / sizeof(pool[0])))
		pool[npool++] = fd;
	return fd;
}

__attribute__((noinline)) static int serve_client(int client)
{
	static const char reply[] = "ok\n";
	int backend = pool_checkout();

	if (backend < 0)
		return -errno;
	if (write(client, reply, sizeof(reply) - 1) < 0)
		return -errno;
	return 0;
}

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	/* every address: clients of the host's own address see the refusals too */
	a.sin_addr.s_addr = htonl(INADDR_ANY);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 128)) {
		perror("leaky_server: listen");
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	long port = 0, limit = 64, give_up = 20, failures = 0;
	struct rlimit rl;
	int c, lfd;

	while ((c = getopt(argc, argv, "p:l:g:")) != -1) {
		switch (c) {
		case 'p': port = atol(optarg); break;
		case 'l': limit = atol(optarg); break;
		case 'g': give_up = atol(optarg); break;
		default: return 2;
		}
	}
	if (port <= 0 || port > 65535 || limit < 8) {
		fprintf(stderr, "usage: leaky_server -p PORT [-l FD_LIMIT] [-g GIVE_UP]\n");
		return 2;
	}
	rl.rlim_cur = rl.rlim_max = limit;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		perror("leaky_server: setrlimit");
		return 1;
	}
	lfd = listen_on(port);
	printf("pid %d port %ld\n", getpid(), port);
	fflush(stdout);
	while (failures < give_up) {
		int client = accept(lfd, NULL, NULL);

		if (client < 0) {
			failures += errno == EMFILE || errno == ENFILE;
			usleep(10000);
			continue;
		}
		if (serve_client(client) == -EMFILE)
			failures++;
		close(client);
	}
	printf("leaked %d\nfailures %ld\n", npool, failures);
	fprintf(stderr, "leaky_server: no backend connection left, giving up\n");
	return 3;
}
