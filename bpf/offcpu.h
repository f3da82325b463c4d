/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_OFFCPU_H
#define FAULTLINE_OFFCPU_H

/*
 * Shared by bpf/offcpu.bpf.c and userspace: off-CPU time aggregated in the
 * kernel by struct profile_key (profile.h), so profile's collection reads it.
 */

/* The sleeping states counted (prev_state of sched_switch). */
#define OFFCPU_STATE_INTERRUPTIBLE	0x1	/* TASK_INTERRUPTIBLE: S */
#define OFFCPU_STATE_UNINTERRUPTIBLE	0x2	/* TASK_UNINTERRUPTIBLE: D */

/* A counts map value. */
struct offcpu_value {
	__u64 ns;		/* blocked time */
	__u64 switches;		/* blocks that added to it */
};

enum offcpu_counter {
	OC_SWITCHES,		/* every sched_switch seen */
	OC_FILTERED,		/* blocked threads outside the pid/tid/cgroup/state filters */
	OC_SHORT,		/* waits shorter than --min-block, dropped in BPF */
	OC_STORAGE_FULL,	/* no task storage for the blocked thread: its wait not timed */
	OC_USER_FAULT,		/* user stack walk found no frames */
	OC_USER_OTHER,		/* user stack not saved: map full or collided */
	OC_KERN_FAULT,
	OC_KERN_OTHER,
	OC_COUNTS_FULL,		/* a wait that could not be counted at all */
	OC_NOTIFY_LOST,		/* ring buffer full: a process notification was dropped */
	OC__COUNT,
};

#endif
