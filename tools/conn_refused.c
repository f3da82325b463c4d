// SPDX-License-Identifier: GPL-2.0
/*
 * conn_refused: connects to a loopback TCP port nobody listens on, so the
 * kernel answers the SYN with a RST and the connect is refused, blocking
 * (connect() fails with ECONNREFUSED) or non-blocking (connect() says
 * EINPROGRESS and the refusal arrives later, read back with SO_ERROR).
 *
 *   conn_refused [-4|-6] [--mode blocking|nonblocking|both] [--port N]
 *                [--addr ADDR] [--count N] [--wait-file PATH]
 *
 * Without --port it picks a free port by binding one and closing it again.
 * --addr connects elsewhere than loopback, e.g. to an unreachable address to
 * get a timeout or "no route" instead of a refusal.
 * Prints "pid N" and "port N" first, then one line per attempt:
 * "refused blocking" / "refused nonblocking", or "result MODE ERRNO-NAME".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct target {
	struct sockaddr_storage addr;
	socklen_t len;
	int family;
};

/* @host NULL: loopback. -1 when @host is not an address of @family. */
static int make_target(int family, const char *host, int port, struct target *t)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&t->addr;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&t->addr;

	memset(t, 0, sizeof(*t));
	t->family = family;
	if (family == AF_INET6) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		a6->sin6_addr = in6addr_loopback;
		t->len = sizeof(*a6);
		return host && inet_pton(AF_INET6, host, &a6->sin6_addr) != 1 ? -1 : 0;
	}
	a4->sin_family = AF_INET;
	a4->sin_port = htons(port);
	a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	t->len = sizeof(*a4);
	return host && inet_pton(AF_INET, host, &a4->sin_addr) != 1 ? -1 : 0;
}

/* A port that was free a moment ago: bound, read back, closed. */
static int pick_closed_port(int family)
{
	struct target t;
	int fd, port = -1;

	make_target(family, NULL, 0, &t);
	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&t.addr, t.len) == 0 &&
	    getsockname(fd, (struct sockaddr *)&t.addr, &t.len) == 0)
		port = family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&t.addr)->sin6_port)
					  : ntohs(((struct sockaddr_in *)&t.addr)->sin_port);
	close(fd);
	return port;
}

/* Returns the errno the connect ended with (0 when it connected). */
static __attribute__((noinline)) int connect_blocking(const struct target *t)
{
	int fd = socket(t->family, SOCK_STREAM, 0), err = 0;

	if (fd < 0)
		return errno;
	if (connect(fd, (const struct sockaddr *)&t->addr, t->len) < 0)
		err = errno;
	close(fd);
	return err;
}

static __attribute__((noinline)) int connect_nonblocking(const struct target *t)
{
	int fd = socket(t->family, SOCK_STREAM | SOCK_NONBLOCK, 0), err = 0;
	socklen_t len = sizeof(err);
	struct pollfd p;

	if (fd < 0)
		return errno;
	if (connect(fd, (const struct sockaddr *)&t->addr, t->len) == 0)
		goto out;
	err = errno;
	if (err != EINPROGRESS)
		goto out;
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, 20000) != 1) {
		err = ETIMEDOUT;
		goto out;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
out:
	close(fd);
	return err;
}

static void report(const char *mode, int err)
{
	if (err == ECONNREFUSED)
		printf("refused %s\n", mode);
	else
		printf("result %s %s\n", mode, err ? strerror(err) : "connected");
}

static void wait_for_file(const char *path)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct stat st;

	while (path && stat(path, &st) < 0)
		nanosleep(&ts, NULL);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: conn_refused [-4|-6] [--mode blocking|nonblocking|both] "
		   "[--port N] [--addr ADDR] [--count N] [--wait-file PATH]\n");
}

struct opts {
	int family, port, count;
	const char *mode, *wait_file, *host;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "port", required_argument, NULL, 'p' },
		{ "addr", required_argument, NULL, 'a' },
		{ "count", required_argument, NULL, 'c' },
		{ "wait-file", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "46m:p:a:c:w:h", longopts, NULL)) != -1) {
		switch (c) {
		case '4': o->family = AF_INET; break;
		case '6': o->family = AF_INET6; break;
		case 'm': o->mode = optarg; break;
		case 'p': o->port = atoi(optarg); break;
		case 'a': o->host = optarg; break;
		case 'c': o->count = atoi(optarg); break;
		case 'w': o->wait_file = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (strcmp(o->mode, "blocking") && strcmp(o->mode, "nonblocking") &&
	    strcmp(o->mode, "both"))
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .family = AF_INET, .count = 1, .mode = "both" };
	struct target t;

	if (parse_opts(argc, argv, &o) < 0) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!o.port)
		o.port = pick_closed_port(o.family);
	if (o.port <= 0) {
		fprintf(stderr, "conn_refused: no free port: %s\n", strerror(errno));
		return 1;
	}
	if (make_target(o.family, o.host, o.port, &t)) {
		fprintf(stderr, "conn_refused: '%s' is not an IPv%c address\n", o.host,
			o.family == AF_INET6 ? '6' : '4');
		return 2;
	}
	printf("pid %d\nport %d\n", getpid(), o.port);
	wait_for_file(o.wait_file);
	for (int i = 0; i < o.count; i++) {
		if (strcmp(o.mode, "nonblocking"))
			report("blocking", connect_blocking(&t));
		if (strcmp(o.mode, "blocking"))
			report("nonblocking", connect_nonblocking(&t));
	}
	return 0;
}
