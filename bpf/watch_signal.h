/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_SIGNAL_H
#define FAULTLINE_WATCH_SIGNAL_H

#include "watch.h"

/* Who sent a signal (from signal:signal_generate, in the sender's context). */
struct watch_sender {
	__u32 pid;		/* tgid of the sender */
	__u32 tid;
	__u32 uid;
	__s32 code;		/* si_code at generation */
	char comm[WATCH_COMM_LEN];	/* the sender process's (group leader's) name */
	char thread_comm[WATCH_COMM_LEN];	/* the sending thread's */
	__u64 ktime_ns;
	__s32 syscall;		/* the sender's system call (kill, tgkill, write...); -1: none */
	__u32 flags;		/* enum watch_sender_flags */
};

enum watch_sender_flags {
	/* The target's handler caught it: a re-raise by the target keeps this sender. */
	WATCH_SENDER_CAUGHT = 1 << 0,
	/* The target caught it and raised it again itself (a crash handler's raise()). */
	WATCH_SENDER_RERAISED = 1 << 1,
};

enum watch_signal_flags {
	WATCH_SIG_HAVE_SENDER = 1 << 0,
	WATCH_SIG_HANDLED = 1 << 1,	/* a handler is installed: not fatal by itself */
	WATCH_SIG_NO_FAULT_ADDR = 1 << 2, /* the classic tracepoint: fault_addr unknown */
	/*
	 * Delivered as the SIGKILL the kernel queues to every thread of a process
	 * that is dying of a fatal signal: sig is the signal that started the
	 * group exit (signal->group_exit_code), code the sender's si_code.
	 */
	WATCH_SIG_GROUP_EXIT = 1 << 3,
	WATCH_SIG_CODE_UNKNOWN = 1 << 4,	/* group exit with no sender seen: code unknown */
	WATCH_SIG_FATAL = 1 << 5,	/* the default action ends the process */
};

/*
 * Receiving thread in the header, except comm: the process's (group leader's)
 * name, the thread's in thread_comm. Stacks are the thread's at delivery.
 */
struct watch_signal_event {
	struct watch_header hdr;
	char thread_comm[WATCH_COMM_LEN];
	__s32 sig;
	__s32 code;		/* si_code */
	__s32 err;		/* si_errno */
	__u32 flags;		/* enum watch_signal_flags */
	__u64 handler;		/* sa_handler at delivery */
	__u64 fault_addr;	/* si_addr for SIGSEGV/SIGBUS/SIGILL/SIGFPE */
	struct watch_sender sender;
	struct watch_stacks stacks;
};

/* A process exit with a non-zero status (--exits); comm: the group leader's. */
struct watch_exit_event {
	struct watch_header hdr;
	__u32 exit_code;	/* wait status: (status << 8) | signal | 0x80 core */
	__u32 pad;
	__u64 start_ns;		/* the process's start time (monotonic) */
};

#endif
