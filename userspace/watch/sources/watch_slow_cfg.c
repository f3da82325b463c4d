// SPDX-License-Identifier: GPL-2.0
/* Which syscalls slow_syscall reports, and above what threshold. Pure logic. */
#include <string.h>

#include "base/syscall_names.h"
#include "watch/sources/watch_slow_cfg.h"

/* Syscalls whose job is to wait: slow by design, reported only with --slow-all. */
static const char *const blocking[] = {
	"poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_wait_old", "epoll_pwait",
	"epoll_pwait2", "nanosleep", "clock_nanosleep", "wait4", "waitid", "pause",
	"rt_sigtimedwait", "rt_sigsuspend", "accept", "accept4", "io_getevents",
	"io_pgetevents", "msgrcv", "semop", "semtimedop", "mq_timedreceive", "futex_wait",
	"futex_waitv", "restart_syscall", "recvfrom", "recvmsg", "recvmmsg", NULL,
};

/* Reads that wait by design when the fd is a socket (told apart in BPF). */
static const char *const socket_reads[] = { "read", "readv", NULL };

/* Syscalls whose first argument is a file descriptor worth naming. */
static const char *const fd_arg0[] = {
	"read", "write", "pread64", "pwrite64", "readv", "writev", "preadv", "pwritev",
	"preadv2", "pwritev2", "close", "fsync", "fdatasync", "sync_file_range", "ioctl",
	"fcntl", "flock", "ftruncate", "fallocate", "getdents64", "lseek", "sendto",
	"recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "connect", "shutdown",
	"splice", "tee", "copy_file_range", "fstat", "newfstatat", "syncfs", "fadvise64",
	"accept", "accept4", "sendfile", NULL,
};

/* Syscalls that take paths: 1 + the argument index of each, and of its directory fd. */
static const struct {
	const char *name;
	__u8 path[WATCH_SLOW_PATHS], dirfd[WATCH_SLOW_PATHS];
} path_args[] = {
	{ "open", { 1 }, { 0 } }, { "creat", { 1 }, { 0 } }, { "openat", { 2 }, { 1 } },
	{ "openat2", { 2 }, { 1 } }, { "truncate", { 1 }, { 0 } }, { "unlink", { 1 }, { 0 } },
	{ "unlinkat", { 2 }, { 1 } }, { "mkdir", { 1 }, { 0 } }, { "mkdirat", { 2 }, { 1 } },
	{ "rmdir", { 1 }, { 0 } }, { "stat", { 1 }, { 0 } }, { "lstat", { 1 }, { 0 } },
	{ "newfstatat", { 2 }, { 1 } }, { "statx", { 2 }, { 1 } }, { "access", { 1 }, { 0 } },
	{ "faccessat", { 2 }, { 1 } }, { "faccessat2", { 2 }, { 1 } }, { "chmod", { 1 }, { 0 } },
	{ "chown", { 1 }, { 0 } }, { "readlink", { 1 }, { 0 } }, { "mknod", { 1 }, { 0 } },
	{ "rename", { 1, 2 }, { 0, 0 } }, { "renameat", { 2, 4 }, { 1, 3 } },
	{ "renameat2", { 2, 4 }, { 1, 3 } }, { "link", { 1, 2 }, { 0, 0 } },
	{ "linkat", { 2, 4 }, { 1, 3 } },
};

static void mark_paths(struct watch_slow_cfg *cfg, int max)
{
	for (size_t i = 0; i < sizeof(path_args) / sizeof(path_args[0]); i++) {
		int nr = syscall_nr(path_args[i].name);

		if (nr < 0 || nr >= max)
			continue;
		memcpy(cfg[nr].path_arg, path_args[i].path, sizeof(cfg[nr].path_arg));
		memcpy(cfg[nr].dirfd_arg, path_args[i].dirfd, sizeof(cfg[nr].dirfd_arg));
	}
}

static void mark(struct watch_slow_cfg *cfg, int max, const char *const *names,
		 void (*fn)(struct watch_slow_cfg *c))
{
	for (int i = 0; names[i]; i++) {
		int nr = syscall_nr(names[i]);

		if (nr >= 0 && nr < max)
			fn(&cfg[nr]);
	}
}

static void exclude(struct watch_slow_cfg *c)
{
	c->threshold_ns = 0;
}

static void fd_flag(struct watch_slow_cfg *c)
{
	c->flags |= WATCH_SLOW_FD_ARG0;
}

static void sock_read_flag(struct watch_slow_cfg *c)
{
	c->flags |= WATCH_SLOW_SOCK_READ;
}

uint64_t watch_slow_build_cfg(const struct watch_opts *o, struct watch_slow_cfg *cfg, int max)
{
	uint64_t min = UINT64_MAX;
	int nr;

	for (int i = 0; i < max; i++) {
		memset(&cfg[i], 0, sizeof(cfg[i]));
		cfg[i].threshold_ns = o->slow_threshold_ns;
	}
	if (!o->slow_all) {
		mark(cfg, max, blocking, exclude);
		nr = syscall_nr("futex");
		if (nr >= 0 && nr < max)
			cfg[nr].flags |= WATCH_SLOW_FUTEX;
		nr = syscall_nr("io_uring_enter");
		if (nr >= 0 && nr < max)
			cfg[nr].flags |= WATCH_SLOW_URING;
		mark(cfg, max, socket_reads, sock_read_flag);
	}
	mark(cfg, max, fd_arg0, fd_flag);
	mark_paths(cfg, max);
	/* A threshold named for a syscall asks for it, socket reads and futex waits included. */
	for (int i = 0; i < o->nslow_overrides; i++)
		if (o->slow_overrides[i].nr < max) {
			cfg[o->slow_overrides[i].nr].threshold_ns = o->slow_overrides[i].threshold_ns;
			cfg[o->slow_overrides[i].nr].flags &=
				~(WATCH_SLOW_SOCK_READ | WATCH_SLOW_FUTEX | WATCH_SLOW_URING);
		}
	for (int i = 0; i < max; i++)
		if (cfg[i].threshold_ns && cfg[i].threshold_ns < min)
			min = cfg[i].threshold_ns;
	return min;
}
