/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events of `faultline watch`, shared by the BPF programs and userspace.
 * Fixed-size, no pointers: every event is { struct watch_header; type fields;
 * struct watch_stacks (when it has stacks) } written whole into a ring buffer.
 * Stacks travel inline: events are rare, and a stack map would let one hot
 * stack evict the one an event refers to.
 */
#ifndef FAULTLINE_WATCH_H
#define FAULTLINE_WATCH_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define WATCH_COMM_LEN 16
#define WATCH_MAX_FRAMES 64
#define WATCH_MAX_PIDS 16
#define WATCH_PATH_LEN 256
#define WATCH_SP_WORDS 8

enum watch_event_type {
	WATCH_EV_NONE = 0,
	WATCH_EV_OOM_KILL,
	WATCH_EV_FD_EXHAUSTED,
	WATCH_EV_FD_PRESSURE,
	WATCH_EV_CONN_REFUSED,
	WATCH_EV_CONN_ERROR,
	WATCH_EV_SLOW_SYSCALL,
	WATCH_EV_SIGNAL,
	WATCH_EV_PROCESS_EXIT,
	/* Internal notices (never printed), e.g. "pid N just exec'd". */
	WATCH_EV_NOTICE,
	WATCH_EV__COUNT,
};

/* Per-object counters (a per-CPU array indexed by these), summed by userspace. */
enum watch_counter {
	WATCH_CNT_SUBMITTED,	/* events written to the ring buffer */
	WATCH_CNT_RINGBUF_FULL,	/* events lost: bpf_ringbuf_reserve failed */
	WATCH_CNT_RATE_LIMITED,	/* events suppressed by the per-process rate limit */
	WATCH_CNT_MAP_FULL,	/* state lost: a hash map update failed */
	WATCH_CNT_SOURCE0,	/* first of four counters each source defines */
	WATCH_CNT_SOURCE1,
	WATCH_CNT_SOURCE2,
	WATCH_CNT_SOURCE3,
	WATCH_CNT__COUNT,
};

/* Who and when; always the first member of an event. */
struct watch_header {
	__u32 type;		/* enum watch_event_type */
	__u32 tgid;		/* process (what users call the pid) */
	__u32 tid;
	__u32 uid;
	__u64 ktime_ns;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 cgroup_id;	/* cgroup v2 id of the task */
	char comm[WATCH_COMM_LEN];
	__u16 nr_user;		/* frames in stacks.user; 0 when none */
	__u16 nr_kernel;	/* frames in stacks.kernel */
	__u32 size;		/* sizeof the whole event: userspace drops (and counts as
				 * undecodable) a record of another size */
};

/* Leaf first, like bpf_get_stack() writes them. */
struct watch_stacks {
	__u64 user[WATCH_MAX_FRAMES];
	__u64 kernel[WATCH_MAX_FRAMES];
	/*
	 * The words at the user stack pointer (0 when unreadable): a frameless
	 * leaf function (libc's syscall wrappers, memcpy...) keeps its return
	 * address there, which a frame-pointer walk skips. Userspace puts it
	 * back when it is a validated return address (see watch_leaf.c).
	 */
	__u64 user_sp[WATCH_SP_WORDS];
};

/* Per-process rate limiter state (BPF map value). */
struct watch_rate {
	__u64 window_start_ns;
	__u32 count;
	__u32 pad;
};

/* WATCH_EV_NOTICE payloads. */
enum watch_notice_kind {
	WATCH_NOTICE_EXEC = 1,	/* a process exec'd: snapshot its maps while it lives */
	WATCH_NOTICE_EXIT,	/* a process is gone: its snapshot may be dropped */
};

struct watch_notice {
	struct watch_header hdr;
	__u32 kind;
	__u32 pad;
};

#endif
