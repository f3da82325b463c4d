/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_HEAP_H
#define FAULTLINE_WATCH_HEAP_H

#include "watch.h"

#define WATCH_HEAP_STACK_DEPTH 127	/* PERF_MAX_STACK_DEPTH: a stack map value */
#define WATCH_HEAP_LIVE_DEFAULT 262144	/* live allocations tracked (map entries) */
#define WATCH_HEAP_STACKS_DEFAULT 16384	/* distinct allocation stacks kept */

/* A live allocation: the process and the address malloc returned. */
struct watch_heap_key {
	__u32 tgid;
	__u32 pad;
	__u64 addr;
};

struct watch_heap_obj {
	__u64 size;		/* bytes asked for */
	__u64 ktime_ns;		/* when it was allocated (CLOCK_MONOTONIC) */
	__s32 stack_id;		/* "stacks" map, or "walked" with WATCH_HEAP_WALKED; < 0: not kept */
	__u32 pad;
};

/*
 * Stack ids of stacks walked in the kernel with .eh_frame tables: kept in
 * the "walked" map under their hash, this bit set (a stack map's ids stay
 * under its size).
 */
#define WATCH_HEAP_WALKED (1U << 30)

struct watch_heap_walked {
	__u32 nr;		/* frames in ips, leaf (the call site) first */
	__u32 how;		/* enum kunwind_how */
	__u64 ips[WATCH_MAX_FRAMES];
};

/*
 * Per process since the watch began: every successful allocation's bytes
 * (exact, sampled or not), and the bytes of tracked allocations freed (with
 * --heap-sample, each sampled allocation of size < S counts S: an estimate).
 */
struct watch_heap_stats {
	__u64 alloc_bytes;
	__u64 alloc_count;
	__u64 free_bytes;
	__u64 free_count;
};

#endif
