// SPDX-License-Identifier: GPL-2.0
/*
 * fd_leaker: leaks file descriptors from one named function (leak_fd) until
 * the process hits EMFILE under an RLIMIT_NOFILE it sets itself, so a tracer
 * can be checked for the failing call, the pressure warning before it and the
 * leak site. A few balanced open/close pairs run alongside so the leak site
 * has to be told apart from call sites that do not leak.
 *
 *   fd_leaker [--limit N] [--kind file|socket|pipe] [--storm N] [--hold MS]
 *             [--wait-file PATH] [--delay-us US]
 *
 * Prints "pid N" first, then "opened N", "failures N" (every EMFILE seen,
 * the first one included) when done.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum kind { KIND_FILE, KIND_SOCKET, KIND_PIPE };

struct opts {
	long limit;
	enum kind kind;
	long storm;
	long hold_ms;
	long delay_us;
	const char *wait_file;
};

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * The call into libc sits one frame below the function a stack should name:
 * libc keeps no frame pointers, so a frame-pointer walk from inside it skips
 * its direct caller; syscall(2) and socket(2) at least leave %rbp alone (the
 * open(2) wrapper uses it as a scratch register and ends the walk).
 */
static __attribute__((noinline)) int open_one(enum kind kind)
{
	int p[2], fd;

	switch (kind) {
	case KIND_SOCKET:
		fd = socket(AF_INET, SOCK_STREAM, 0);
		break;
	case KIND_PIPE:
		fd = pipe(p) < 0 ? -1 : p[0];
		break;
	default:
		fd = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);
		break;
	}
	__asm__ volatile("" ::: "memory");	/* keep the frame: no tail call */
	return fd;
}

/* The leak: every descriptor opened here is forgotten. */
static __attribute__((noinline)) int leak_fd(enum kind kind)
{
	int fd = open_one(kind);

	__asm__ volatile("" ::: "memory");	/* keep the frame, no tail call */
	return fd;
}

/* Opens and closes again: must never show up as a leak site. */
static __attribute__((noinline)) void balanced_open(void)
{
	int fd = open_one(KIND_FILE);

	if (fd >= 0)
		close(fd);
	__asm__ volatile("" ::: "memory");
}

static int set_limit(long limit)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	rl.rlim_cur = (rlim_t)limit;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	return 0;
}

static void wait_for_file(const char *path)
{
	struct stat st;

	while (path && stat(path, &st) < 0)
		sleep_us(10000);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: fd_leaker [--limit N] [--kind file|socket|pipe] [--storm N] "
		   "[--hold MS] [--wait-file PATH] [--delay-us US]\n");
}

static int parse_kind(const char *s, enum kind *k)
{
	if (!strcmp(s, "file"))
		*k = KIND_FILE;
	else if (!strcmp(s, "socket"))
		*k = KIND_SOCKET;
	else if (!strcmp(s, "pipe"))
		*k = KIND_PIPE;
	else
		return -1;
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "limit", required_argument, NULL, 'l' },
		{ "kind", required_argument, NULL, 'k' },
		{ "storm", required_argument, NULL, 's' },
		{ "hold", required_argument, NULL, 'H' },
		{ "wait-file", required_argument, NULL, 'w' },
		{ "delay-us", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "l:k:s:H:w:D:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': o->limit = atol(optarg); break;
		case 'k':
			if (parse_kind(optarg, &o->kind) < 0)
				return -1;
			break;
		case 's': o->storm = atol(optarg); break;
		case 'H': o->hold_ms = atol(optarg); break;
		case 'w': o->wait_file = optarg; break;
		case 'D': o->delay_us = atol(optarg); break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	return o->limit >= 16 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct opts o = { .limit = 256, .kind = KIND_FILE };
	long opened = 0, failures = 0;
	int err;

	if (parse_opts(argc, argv, &o) < 0) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	err = set_limit(o.limit);
	if (err) {
		fprintf(stderr, "fd_leaker: setrlimit: %s\n", strerror(-err));
		return 1;
	}
	printf("pid %d\n", getpid());
	wait_for_file(o.wait_file);
	for (;;) {
		if (opened % 16 == 0)
			balanced_open();
		if (leak_fd(o.kind) < 0)
			break;
		opened++;
		if (o.delay_us)
			sleep_us(o.delay_us);
	}
	if (errno != EMFILE && errno != ENFILE) {
		fprintf(stderr, "fd_leaker: open failed: %s\n", strerror(errno));
		return 1;
	}
	failures = 1;
	for (long i = 0; i < o.storm; i++)
		if (leak_fd(o.kind) < 0 && (errno == EMFILE || errno == ENFILE))
			failures++;
	printf("opened %ld\nfailures %ld\n", opened, failures);
	if (o.hold_ms)
		sleep_us(o.hold_ms * 1000);
	return 0;
}
