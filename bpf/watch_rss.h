/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_RSS_H
#define FAULTLINE_WATCH_RSS_H

#include "watch.h"

#define WATCH_RSS_STEP_DEFAULT (256 * 1024)	/* --rss-step */
#define WATCH_RSS_RECENT 32		/* runs of steps a process's given-back memory undoes */
#define WATCH_RSS_PROCS 8192		/* processes followed at once (LRU) */
#define WATCH_RSS_SITES 16384		/* (process, stack) pairs kept */

/* A growth site: one process and one hash of its user and kernel stacks. */
struct watch_rss_key {
	__u32 tgid;
	__u32 pad;
	__u64 hash;
};

struct watch_rss_site {
	__s64 bytes;		/* grown here, less what was given back since */
	__u64 grown;		/* the steps taken here, in bytes */
	__u64 steps;
};

/* The stacks of a site as the first step there saw them. */
struct watch_rss_stack {
	__u16 nr_user;
	__u16 nr_kernel;
	__u32 pad;
	struct watch_stacks stacks;
};

struct watch_rss_recent {
	__u64 hash;
	__u64 bytes;		/* of that step, not yet given back */
};

/* Per process: where its anonymous RSS stood at the last step, and its totals. */
struct watch_rss_proc {
	__u64 mm;		/* the address space: another one (exec) restarts the level */
	__u64 level;		/* anon RSS bytes at the last step: a multiple of the step */
	__u64 rss;		/* anon RSS bytes when last seen */
	__u64 grown;		/* bytes of all steps up */
	__u64 returned;		/* bytes of all steps down (the process unmapped them) */
	__u64 unmatched;	/* of @returned, bytes no recent step could take back */
	__u64 steps;
	__u32 head;		/* next slot of @recent */
	__u32 pad;
	struct watch_rss_recent recent[WATCH_RSS_RECENT];
};

#endif
