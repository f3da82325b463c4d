/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_SLOW_H
#define FAULTLINE_WATCH_SLOW_H

#include "watch.h"

#define WATCH_SLOW_NR_MAX 512		/* syscall numbers covered by the maps */
#define WATCH_HIST_SLOTS 32		/* log2 buckets of microseconds */
#define WATCH_FD_NAME_LEN 64
#define WATCH_SLOW_PATH_LEN 256		/* a power of two: the BPF side masks offsets */
#define WATCH_SLOW_PATHS 2		/* rename's old and new path */

/* Per-syscall configuration (array map indexed by syscall number). */
enum watch_slow_flags {
	WATCH_SLOW_FD_ARG0 = 1 << 0,	/* arg0 is a file descriptor: describe it */
	WATCH_SLOW_FUTEX = 1 << 1,	/* futex: waits block by design */
	WATCH_SLOW_URING = 1 << 2,	/* io_uring_enter: GETEVENTS waits by design */
	WATCH_SLOW_SOCK_READ = 1 << 3,	/* read/readv: on a socket it waits for the peer */
};

struct watch_slow_cfg {
	__u64 threshold_ns;	/* 0: never reported */
	__u32 flags;		/* enum watch_slow_flags */
	/* 1 + the index of each path argument (0: none), and of its directory fd (0: cwd). */
	__u8 path_arg[WATCH_SLOW_PATHS];
	__u8 dirfd_arg[WATCH_SLOW_PATHS];
};

/* What the fd in arg0 referred to when the syscall returned. */
enum watch_fd_kind {
	WATCH_FD_NONE = 0,	/* not an fd syscall, or no file at that number */
	WATCH_FD_FILE,
	WATCH_FD_DIR,
	WATCH_FD_PIPE,
	WATCH_FD_SOCKET,
	WATCH_FD_ANON,		/* anon_inode: eventfd, epoll, timerfd, ... */
	WATCH_FD_OTHER,
};

struct watch_slow_event {
	struct watch_header hdr;
	__u64 duration_ns;
	__u64 args[6];
	__s64 ret;
	__u32 nr;
	__u32 fd_kind;		/* enum watch_fd_kind */
	__u64 fd_ino;
	char fd_name[WATCH_FD_NAME_LEN];	/* the dentry's name (leaf only) */
	/*
	 * The fd's whole path from the host's root, walked up its dentries and
	 * mounts when the syscall returned; "" when not a file or directory. A
	 * path too long for it starts with "...".
	 */
	char fd_path[WATCH_SLOW_PATH_LEN];
	char paths[WATCH_SLOW_PATHS][WATCH_SLOW_PATH_LEN];	/* path arguments, as passed */
	/*
	 * Sleeps within the call (sched_switch of the thread in state S or D;
	 * preemption is not a wait). When @waits > 0, stacks.kernel is where the
	 * longest of them went off-CPU, not the exit path.
	 */
	__u64 off_cpu_ns;	/* total time asleep */
	__u64 wait_ns;		/* the longest sleep */
	__u32 waits;		/* sleeps counted */
	__u32 wait_state;	/* the longest sleep's prev_state: enum watch_slow_state */
	struct watch_stacks stacks;
};

/* prev_state bits of sched_switch that are sleeps (TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE). */
enum watch_slow_state {
	WATCH_SLOW_STATE_S = 0x1,
	WATCH_SLOW_STATE_D = 0x2,
};

struct watch_hist {
	/* slot 0: < 1 us; slot i > 0: [2^(i-1), 2^i) us; the last one also holds longer */
	__u64 slots[WATCH_HIST_SLOTS];
	__u64 total_ns;
};

#endif
