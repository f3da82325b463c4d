/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fd source of `faultline watch`: fd_exhausted (a syscall failed with
 * EMFILE/ENFILE), fd_pressure (a process crossed --fd-warn percent of its
 * RLIMIT_NOFILE) and the per-process table of still-open fds by creating
 * user stack that both events and the end-of-run report group into leak
 * sites. Shared by bpf/watch_fd.bpf.c and userspace/watch/sources/watch_fd.c.
 */
#ifndef FAULTLINE_WATCH_FD_H
#define FAULTLINE_WATCH_FD_H

#include "watch.h"

/* Syscall numbers are below this (x86_64: 462 in 6.18); the mask has one bit each. */
#define WATCH_FD_NR_MAX 512
#define WATCH_FD_MASK_WORDS (WATCH_FD_NR_MAX / 64)

/* x86_64 syscalls the BPF side decodes arguments of (the rest only by mask). */
#define WATCH_FD_NR_PIPE 22
#define WATCH_FD_NR_CLOSE 3
#define WATCH_FD_NR_DUP2 33
#define WATCH_FD_NR_SOCKETPAIR 53
#define WATCH_FD_NR_FCNTL 72
#define WATCH_FD_NR_DUP3 292
#define WATCH_FD_NR_PIPE2 293
#define WATCH_FD_NR_CLOSE_RANGE 436
#define WATCH_FD_NR_SOCKET 41
#define WATCH_FD_NR_ACCEPT 43
#define WATCH_FD_NR_ACCEPT4 288

/* WATCH_CNT_SOURCE0..3 of the fd object. */
#define WATCH_FD_CNT_FAILURES WATCH_CNT_SOURCE0	/* EMFILE/ENFILE failures seen */
#define WATCH_FD_CNT_UNTRACKED WATCH_CNT_SOURCE1	/* fds not tracked: fd map full */
#define WATCH_FD_CNT_NO_STACK WATCH_CNT_SOURCE2	/* fds tracked without a creating stack */
#define WATCH_FD_CNT_NO_PROC WATCH_CNT_SOURCE3	/* events lost: process table full */

/* fd_exhausted and fd_pressure (hdr.type tells which). */
struct watch_fd_event {
	struct watch_header hdr;
	__s32 syscall_nr;	/* the failing (exhausted) or crossing (pressure) syscall */
	__s32 err;		/* positive errno: EMFILE or ENFILE; 0 for pressure */
	__u64 limit;		/* RLIMIT_NOFILE soft limit */
	__u32 open_fds;		/* counted in the fdtable's open_fds bitmap */
	__u32 max_fds;		/* current fdtable size */
	__u32 suppressed;	/* failures rate-limited since this process's last event */
	__u32 warn_pct;
	struct watch_stacks stacks;
};

/* Key of the still-open fd table: one entry per tracked open fd. */
struct watch_fd_key {
	__u32 tgid;
	__s32 fd;
};

/* What an fd is: from the call that made it, for sockets the TCP states seen since. */
enum watch_fd_open_kind {
	WATCH_FD_KIND_OTHER,		/* a file, pipe, eventfd...: whatever the call makes */
	WATCH_FD_KIND_SOCKET,		/* from socket(): neither listening nor connected yet */
	WATCH_FD_KIND_LISTENER,		/* a socket that went to TCP_LISTEN */
	WATCH_FD_KIND_ACCEPTED,		/* from accept()/accept4(): a server's connection */
	WATCH_FD_KIND_CONNECTED,	/* from socket(), then connected out */
};

struct watch_fd_val {
	__u64 stack;		/* key of the creating user stack in "fd_stacks"; 0: none */
	__u64 open_ns;		/* bpf_ktime_get_ns() when it was created */
	__u64 sk;		/* its struct sock, for a socket; 0 otherwise */
	__u32 syscall_nr;
	__u8 kind;		/* enum watch_fd_open_kind */
	__u8 ended;		/* its TCP connection is over (peer closed, reset): fd still open */
	__u16 pad;
};

/* Key of the per-site counts: fds @tgid created from @stack. */
struct watch_fd_site_key {
	__u32 tgid;
	__u32 pad;
	__u64 stack;
};

/* Since tracking of the process began: how the count of a site evolved. */
struct watch_fd_site_val {
	__s64 open;		/* still open */
	__u64 opened;		/* created */
	__u64 closed;		/* closed (or replaced by dup2) */
};

/*
 * Stack keys that are not hashes (hashes are odd): no stack could be walked,
 * or none was, because the process held fewer than fd_stack_min fds (0 when
 * watch targets processes with -p: every fd gets its stack).
 */
#define WATCH_FD_STACK_NONE 0
#define WATCH_FD_STACK_UNWALKED 2

/* A creating user stack, leaf first. */
#define WATCH_FD_SITE_FRAMES WATCH_MAX_FRAMES
#define WATCH_FD_STACKS_MAX 16384	/* entries of the fd_stacks map */

struct watch_fd_stack {
	__u64 ips[WATCH_FD_SITE_FRAMES];
	__u32 nr;
	__u32 how;		/* enum kunwind_how: how @ips were walked */
	/* Words at the user stack pointer when first stored: the leaf-caller fixup. */
	__u64 user_sp[WATCH_SP_WORDS];
};

#endif
