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

#include "unwind.h"	/* UNWIND_STACK_MAX, enum unwind_sample_flags */

#define WATCH_COMM_LEN 16
#define WATCH_MAX_FRAMES 64
#define WATCH_MAX_PIDS 16
#define WATCH_PATH_LEN 256
#define WATCH_SP_WORDS 8
#define WATCH_STACK_BYTES_DEFAULT (8 * 1024)	/* --stack-bytes of watch's DWARF mode */

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
	WATCH_EV_CONN_DROPPED,	/* a listener's full accept queue dropped connections (polled) */
	WATCH_EV_HEAP_SUMMARY,	/* live heap by allocation stack (polled from BPF maps) */
	WATCH_EV_RSS_GROWTH,	/* anonymous RSS growth by stack (polled from BPF maps) */
	/* Internal notices (never printed), e.g. "pid N just exec'd". */
	WATCH_EV_NOTICE,
	/* Internal: the registers and stack copy of the next event (DWARF mode). */
	WATCH_EV_SNAPSHOT,
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
	WATCH_CNT_SNAPSHOT_LOST,	/* DWARF mode: an event went out without its snapshot */
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
	__u8 nr_user;		/* frames in stacks.user; 0 when none */
	__u8 user_how;		/* enum kunwind_how: how stacks.user was walked */
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

/*
 * DWARF mode (--unwind dwarf|auto): sent just before the event whose stacks
 * are captured, in the same ring buffer, so userspace can unwind the user
 * stack with the binaries' .eh_frame. The event itself keeps its layout;
 * userspace pairs the two by thread, IP and the words at SP (which the event
 * carries in stacks.user[0] and stacks.user_sp). Only hdr.size bytes travel:
 * the header and @stack_len bytes of @stack.
 */
struct watch_snapshot {
	struct watch_header hdr;	/* type WATCH_EV_SNAPSHOT */
	__u64 ip;
	__u64 sp;
	__u64 bp;
	__u32 stack_len;	/* bytes of @stack copied from @sp upwards */
	__u32 flags;		/* UNWIND_F_STACK_SHORT: a fault ended the copy early */
	__u8 stack[UNWIND_STACK_MAX];
};

#define WATCH_SNAPSHOT_HDR_LEN ((unsigned long)&((struct watch_snapshot *)0)->stack)

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
	WATCH_NOTICE_UNWIND,	/* a stack of this process was walked without its unwind
				 * tables (not loaded yet, or code mapped since): load them */
};

struct watch_notice {
	struct watch_header hdr;
	__u32 kind;
	__u32 pad;
};

#endif
