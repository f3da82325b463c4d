/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WAIT_REASON_H
#define FAULTLINE_WAIT_REASON_H

/*
 * What a sleeping thread waited for, named from the kernel stack it went
 * off-CPU with (and nothing else: no stack, no name). Pure logic, shared by
 * watch's slow_syscall and report's off-CPU stacks.
 */
enum wait_reason {
	WAIT_UNKNOWN,		/* no kernel stack to tell */
	WAIT_OTHER,		/* a stack, but no wait this knows */
	WAIT_PIPE,
	WAIT_TCP,
	WAIT_UDP,
	WAIT_UNIX,
	WAIT_SOCKET,		/* a socket of another or unseen protocol */
	WAIT_FUTEX,
	WAIT_DISK,
	WAIT_PAGE_FAULT,
	WAIT_SLEEP,
	WAIT_POLL,
	WAIT__COUNT,
};

/* @frames: symbol names, leaf first; NULL entries are frames without a name. */
enum wait_reason wait_reason_classify(const char *const *frames, int n);

/* "pipe", "tcp", "futex", "disk_io", ...: the JSON value. */
const char *wait_reason_name(enum wait_reason r);
/* The reason for a JSON value, WAIT_UNKNOWN when none. */
enum wait_reason wait_reason_from_name(const char *name);
/* "waiting on a pipe", "waiting for a futex (a lock)": for text. */
const char *wait_reason_phrase(enum wait_reason r);
/* sched_switch's prev_state of a sleep: "S" (interruptible), "D" (not), NULL otherwise. */
const char *wait_state_name(unsigned int state);

#endif
