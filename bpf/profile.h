/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PROFILE_H
#define FAULTLINE_PROFILE_H

/*
 * Shared by bpf/profile.bpf.c and userspace: the aggregation key, the
 * counters and the process notifications. Fixed-size fields only.
 */

#define PROFILE_MAX_DEPTH	127	/* the kernel's default perf_event_max_stack */
#define PROFILE_COMM_LEN	16

/* A stack id that was not asked for (user stack of a kernel thread, ...). */
#define PROFILE_STACK_NONE	(-0x10000)

/*
 * Ids with this bit name a stack in the overflow map: one that collided in
 * the stack-trace map (which has no chaining) and was stored by its own hash
 * instead. Stack-trace map ids stay below it (map sizes are capped).
 */
#define PROFILE_OVERFLOW_ID	0x40000000

/* An overflow map value: unlike the stack-trace map's, not zero-filled. */
struct profile_stack_buf {
	__u32 nr;			/* frames in ips */
	__u32 pad;
	__u64 ips[PROFILE_MAX_DEPTH];	/* leaf first */
};

struct profile_key {
	__u32 tgid;
	__u32 pid;		/* 0: threads of a process are merged */
	__s32 user_stack_id;	/* >= 0, PROFILE_STACK_NONE or -errno of get_stackid */
	__s32 kernel_stack_id;
	char comm[PROFILE_COMM_LEN];
};

enum profile_counter {
	PC_SAMPLES,		/* every time the program ran */
	PC_FILTERED,		/* samples outside the pid/tid/cgroup/mode filters */
	PC_USER_COLLISION,	/* -EEXIST (bucket holds another stack) and no overflow room */
	PC_USER_FAULT,		/* -EFAULT: the walk found no frames */
	PC_USER_FULL,		/* -ENOMEM: no free stack map entry */
	PC_USER_OTHER,
	PC_KERN_COLLISION,
	PC_KERN_FAULT,
	PC_KERN_FULL,
	PC_KERN_OTHER,
	PC_COUNTS_FULL,		/* the sample could not be counted at all */
	PC_NOTIFY_LOST,		/* ring buffer full: a process notification was dropped */
	PC_COLLISION_SAVED,	/* collisions stored in the overflow map instead */
	PC_OFF_SHORT,		/* --off-cpu: waits under --min-block, dropped */
	PC_OFF_STORAGE_FULL,	/* --off-cpu: no task storage for a sleeping thread */
	PC_PY_STACKS,		/* samples of Python processes that carry Python frames */
	PC_PY_NONE,		/* ... whose thread had no Python frame (no thread state) */
	PC_PY_READ,		/* ... whose walk stopped at an unreadable frame (kept so far) */
	PC_PY_TRUNCATED,	/* ... deeper than PYFRAMES_MAX_DEPTH (the leafmost kept) */
	PC_PY_STORE,		/* ... whose Python frames could not be stored (map full, busy) */
	PC__COUNT,
};

/*
 * A sampled process is announced again after this long, then after twice
 * its announced age: maps read at its first sample may predate libraries
 * loaded later (ld.so, dlopen). O(log lifetime) reads per process.
 */
#define PROFILE_RENOTIFY_MIN_NS	500000000ULL

struct profile_seen {
	__u64 first_ns;
	__u64 last_ns;
};

enum profile_event_kind {
	PROFILE_EV_NEW = 1,	/* first sample of a tgid, after its exec, or a refresh */
	PROFILE_EV_EXIT = 2,	/* a sampled or targeted process is exiting */
};

struct profile_event {
	__u32 kind;
	__u32 tgid;
};

#endif
