/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_OOM_H
#define FAULTLINE_WATCH_OOM_H

#include "watch.h"

#define WATCH_CG_LEVELS 8
#define WATCH_CG_NAME_LEN 64

enum watch_oom_flags {
	WATCH_OOM_HAVE_MEMCG = 1 << 0,	/* memcg_* fields are valid */
	WATCH_OOM_MEMCG_AT_LIMIT = 1 << 1, /* the victim's memcg (or an ancestor) was full */
	WATCH_OOM_PATH_TRUNCATED = 1 << 2, /* deeper than WATCH_CG_LEVELS */
	WATCH_OOM_FROM_TP_BTF = 1 << 3,	/* typed tp_btf hook (else the classic tracepoint) */
	WATCH_OOM_TID_ONLY = 1 << 4,	/* victim_pid is the victim's thread id: find its tgid */
	WATCH_OOM_NO_COUNTERS = 1 << 5,	/* pre-6.8 tracepoint: no comm, uid, sizes, score */
};

/*
 * The header describes the triggering task (current at oom:mark_victim: the
 * task whose allocation invoked the OOM killer); stacks are its stacks.
 */
struct watch_oom_event {
	struct watch_header hdr;
	__u32 victim_pid;		/* tgid */
	__u32 victim_tid;
	__u32 victim_uid;
	__s32 oom_score_adj;
	char victim_comm[WATCH_COMM_LEN];
	__u64 total_vm_kb;
	__u64 anon_rss_kb;
	__u64 file_rss_kb;
	__u64 shmem_rss_kb;
	__u64 pgtables_kb;
	__u32 flags;			/* enum watch_oom_flags */
	__u32 memcg_levels;		/* names filled in memcg_names, leaf first */
	__u64 memcg_id;			/* kernfs id of the victim's memory cgroup */
	__u64 memcg_limit_kb;		/* its own limit (memory.max / limit_in_bytes) */
	__u64 memcg_usage_kb;
	char memcg_names[WATCH_CG_LEVELS][WATCH_CG_NAME_LEN];
	struct watch_stacks stacks;
};

#endif
