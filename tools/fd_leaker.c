// SPDX-License-Identifier: GPL-2.0
/*
 * fd_leaker: leaks file descriptors from one named function (leak_fd) until
 * the process hits EMFILE under an RLIMIT_NOFILE it sets itself, so a tracer
 * can be checked for the failing call, the pressure warning before it and the
 * leak site. A few balanced open/close pairs run alongside so the leak site
 * has to be told apart from call sites that do not leak.
 *
 *   fd_leaker [--limit N] [--kind file|socket|pipe] [--storm N] [--hold MS]
 *             [--wait-file PATH] [--delay-us US] [--cycles N --release-to PCT]
 *
 * --cycles repeats the leak to EMFILE, first closing leaked fds until the
 * process holds PCT percent of its limit: the pressure warning must re-arm
 * only when that falls far enough below its threshold.
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
	long cycles;		/* leak to EMFILE this many times... */
	long release_pct;	/* ...closing down to this share of the limit in between */
	const char *wait_file;
};

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * The leak: every descriptor opened here is forgotten. It calls the C library
 * directly, as real code does; libc's wrappers keep no frame pointer, so a
 * tracer has to put this function back into the stack itself. syscall(2),
 * socket(2) and pipe(2) at least leave %rbp alone (the open(2) wrapper uses
 * it as a scratch register, which ends a frame-pointer walk right there).
 */
static __attribute__((noinline)) int leak_fd(enum kind kind)
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

/* Opens and closes again: must never show up as a leak site. */
static __attribute__((noinline)) void balanced_open(void)
{
	int fd = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);

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
		   "[--hold MS] [--wait-file PATH] [--delay-us US]\n"
		   "                 [--cycles N --release-to PERCENT]\n");
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
		{ "cycles", required_argument, NULL, 'c' },
		{ "release-to", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "l:k:s:H:w:D:c:r:h", longopts, NULL)) != -1) {
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
		case 'c': o->cycles = atol(optarg); break;
		case 'r': o->release_pct = atol(optarg); break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	return o->limit >= 16 && o->cycles >= 1 && o->release_pct >= 0 && o->release_pct < 100
	       ? 0 : -1;
}

/*
 * Leaks until EMFILE, recording what it leaked in @fds; returns 0, or -1
 * when opening failed for another reason.
 */
static int leak_until_full(const struct opts *o, int *fds, long *nfds, long *opened)
{
	int fd;

	for (;;) {
		if (*opened % 16 == 0)
			balanced_open();
		fd = leak_fd(o->kind);
		if (fd < 0)
			break;
		if (*nfds < o->limit)
			fds[(*nfds)++] = fd;
		(*opened)++;
		if (o->delay_us)
			sleep_us(o->delay_us);
	}
	if (errno == EMFILE || errno == ENFILE)
		return 0;
	fprintf(stderr, "fd_leaker: open failed: %s\n", strerror(errno));
	return -1;
}

/* Closes leaked fds until the process holds @pct percent of its limit. */
static void release_to(const struct opts *o, int *fds, long *nfds, long pct)
{
	long base = o->limit - *nfds;	/* open before the leak: stdio and inherited */

	while (*nfds > 0 && base + *nfds > o->limit * pct / 100)
		close(fds[--(*nfds)]);
}

int main(int argc, char **argv)
{
	struct opts o = { .limit = 256, .kind = KIND_FILE, .cycles = 1 };
	long opened = 0, failures = 0, nfds = 0;
	int err, *fds;

	if (parse_opts(argc, argv, &o) < 0) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fds = calloc(o.limit, sizeof(*fds));
	err = fds ? set_limit(o.limit) : -ENOMEM;
	if (err) {
		fprintf(stderr, "fd_leaker: setup: %s\n", strerror(-err));
		return 1;
	}
	printf("pid %d\n", getpid());
	wait_for_file(o.wait_file);
	for (long c = 0; c < o.cycles; c++) {
		if (c)
			release_to(&o, fds, &nfds, o.release_pct);
		if (leak_until_full(&o, fds, &nfds, &opened) < 0)
			return 1;
		failures++;
		for (long i = 0; i < o.storm; i++)
			if (leak_fd(o.kind) < 0 && (errno == EMFILE || errno == ENFILE))
				failures++;
	}
	printf("opened %ld\nfailures %ld\n", opened, failures);
	if (o.hold_ms)
		sleep_us(o.hold_ms * 1000);
	free(fds);
	return 0;
}
