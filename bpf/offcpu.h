/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_OFFCPU_H
#define FAULTLINE_OFFCPU_H

/*
 * Shared by bpf/profile_offcpu.bpf.h and userspace: off-CPU time aggregated
 * in the kernel by struct profile_key (profile.h), so profile's collection
 * reads it like CPU samples.
 */

/* The sleeping states counted (prev_state of sched_switch). */
#define OFFCPU_STATE_INTERRUPTIBLE	0x1	/* TASK_INTERRUPTIBLE: S */
#define OFFCPU_STATE_UNINTERRUPTIBLE	0x2	/* TASK_UNINTERRUPTIBLE: D */

/* --wakers: the key of offcpu_waker_counts, the wait and the thread that ended it. */
struct offcpu_waker_key {
	struct profile_key blocked;
	struct profile_key waker;	/* tgid 0, comm "[interrupt]": woken by an interrupt */
};

/* An offcpu_counts value. */
struct offcpu_value {
	__u64 ns;		/* blocked time */
	__u64 switches;		/* waits that added to it */
};

#endif
