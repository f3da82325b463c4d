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
/* --wall only: the other ways a thread's time goes (these are not kernel state bits). */
#define OFFCPU_STATE_RUNNABLE		0x4	/* preempted or yielded: waiting for a CPU */
#define OFFCPU_STATE_OTHER		0x8	/* stopped, traced, parked... */
#define OFFCPU_STATE_RUNNING		0x10	/* on a CPU: perf event samples */
#define OFFCPU_STATE_WALL		0x1f

/*
 * A stack id (user) for a wait that began before the profile: its state and
 * kernel stack are read then, but the user stack of a thread that is not
 * running cannot be walked.
 */
#define OFFCPU_STACK_BEFORE		(-0x10001)

/* --wakers: the key of offcpu_waker_counts, the wait and the thread that ended it. */
struct offcpu_waker_key {
	struct profile_key blocked;
	struct profile_key waker;	/* tgid 0, comm "[interrupt]": woken by an interrupt */
};

/* --wall: the key of wall_counts; running (sampled) and off-CPU time apart by state. */
struct offcpu_wall_key {
	struct profile_key k;
	__u32 state;		/* one OFFCPU_STATE_* bit */
	__u32 pad;
};

/* An offcpu_counts value (and wall_counts': ns is then on-CPU samples' periods too). */
struct offcpu_value {
	__u64 ns;		/* blocked time */
	__u64 switches;		/* waits that added to it */
};

#endif
