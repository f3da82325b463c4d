// SPDX-License-Identifier: GPL-2.0
/*
 * rss: anonymous RSS growth by stack, without uprobes. kmem:rss_stat fires
 * each time a process's page counters change (faults, unmaps, reclaim), for
 * the mm concerned, which need not be current's. Each time current's own
 * anonymous RSS crosses a multiple of step_bytes upwards, the stacks of that
 * moment take the step; each time it crosses one downwards (munmap, free),
 * the process's most recent steps give it back, last first, so memory
 * faulted and returned (churn) does not stay counted. Multiples rather than
 * a distance from the last step: a block of exactly one step, faulted in and
 * unmapped, crosses exactly one in each direction. Reclaim, swap-out and
 * exit (another task, or an mm being torn down) only move the level.
 */
#include "watch_common.bpf.h"
#include "watch_rss.h"

#define PAGE_SHIFT 12		/* x86_64 */
#define FNV_PRIME 0x100000001b3ULL

const volatile __u64 step_bytes = WATCH_RSS_STEP_DEFAULT;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WATCH_RSS_PROCS);
	__type(key, __u32);
	__type(value, struct watch_rss_proc);
} procs SEC(".maps");

/* Full: a step's bytes stay in its process's totals only (WATCH_CNT_SOURCE0). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, WATCH_RSS_SITES);
	__type(key, struct watch_rss_key);
	__type(value, struct watch_rss_site);
} sites SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, WATCH_RSS_SITES);
	__type(key, struct watch_rss_key);
	__type(value, struct watch_rss_stack);
} site_stacks SEC(".maps");

/* Too big for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct watch_rss_stack);
} stack_scratch SEC(".maps");

/*
 * Per CPU: the process that last ran here and the band of anonymous RSS in
 * which none of its faults crosses a multiple (or that it is not watched):
 * most faults end at this check, without a hash lookup. A thread on another
 * CPU can move the process's level meanwhile; a crossing missed that way is
 * taken by the next fault outside the band, wherever it runs.
 */
struct rss_band {
	__u64 mm;
	__u64 lo, hi;		/* nothing to do while lo <= RSS < hi */
	__u32 tgid;
	__u32 unwanted;		/* filtered out: nothing to do at all */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rss_band);
} band SEC(".maps");

/* All zeros, never written: a new process's first value. */
struct watch_rss_proc zero_proc = {};

static __always_inline void send_notice(__u32 kind)
{
	struct watch_notice *n = watch_reserve(sizeof(*n));

	if (!n)
		return;
	watch_fill_header(&n->hdr, WATCH_EV_NOTICE, sizeof(*n));
	n->kind = kind;
	n->pad = 0;
	watch_submit(n);
}

static __always_inline __u64 stack_hash(const struct watch_rss_stack *st)
{
	__u64 h = 0xcbf29ce484222325ULL ^ st->nr_user;

	for (int i = 0; i < WATCH_MAX_FRAMES; i++) {
		if (i >= st->nr_user)
			break;
		h = (h ^ st->stacks.user[i]) * FNV_PRIME;
	}
	h = (h ^ st->nr_kernel) * FNV_PRIME;
	for (int i = 0; i < WATCH_MAX_FRAMES; i++) {
		if (i >= st->nr_kernel)
			break;
		h = (h ^ st->stacks.kernel[i]) * FNV_PRIME;
	}
	return h;
}

/* The current stacks' site of @tgid, created with its stacks the first time. */
static __always_inline struct watch_rss_site *site_here(void *ctx, struct watch_rss_key *key)
{
	struct watch_rss_site zero = {}, *site;
	struct watch_header h = {};
	struct watch_rss_stack *st;
	__u32 slot = 0;

	st = bpf_map_lookup_elem(&stack_scratch, &slot);
	if (!st)
		return NULL;
	watch_capture_fp_stacks(ctx, &h, &st->stacks);
	st->nr_user = h.nr_user < WATCH_MAX_FRAMES ? h.nr_user : WATCH_MAX_FRAMES;
	st->nr_kernel = h.nr_kernel < WATCH_MAX_FRAMES ? h.nr_kernel : WATCH_MAX_FRAMES;
	key->hash = stack_hash(st);
	site = bpf_map_lookup_elem(&sites, key);
	if (site)
		return site;
	if (bpf_map_update_elem(&site_stacks, key, st, BPF_NOEXIST) ||
	    bpf_map_update_elem(&sites, key, &zero, BPF_NOEXIST)) {
		bpf_map_delete_elem(&site_stacks, key);
		watch_count(WATCH_CNT_SOURCE0);
		return NULL;
	}
	return bpf_map_lookup_elem(&sites, key);
}

/*
 * Consecutive steps at one stack are one run in @p->recent, so a block of
 * any size given back at once finds all of its steps.
 */
static __always_inline void step_up(void *ctx, struct watch_rss_proc *p, __u32 tgid, __u64 grow)
{
	struct watch_rss_key key = { .tgid = tgid };
	struct watch_rss_recent *last = &p->recent[(p->head - 1) % WATCH_RSS_RECENT];
	struct watch_rss_site *site;
	__u32 i = p->head % WATCH_RSS_RECENT;

	if (!p->steps)
		send_notice(WATCH_NOTICE_EXEC);	/* userspace keeps its maps from now on */
	p->grown += grow;
	p->steps++;
	site = site_here(ctx, &key);
	if (!site)
		return;
	__sync_fetch_and_add(&site->bytes, grow);
	__sync_fetch_and_add(&site->grown, grow);
	__sync_fetch_and_add(&site->steps, 1);
	if (p->head && last->hash == key.hash && last->bytes) {
		last->bytes += grow;
		return;
	}
	p->recent[i].hash = key.hash;
	p->recent[i].bytes = grow;
	p->head++;
}

/* Memory given back undoes the latest runs of steps first: what was just faulted is what goes. */
static __always_inline void step_down(struct watch_rss_proc *p, __u32 tgid, __u64 shrink)
{
	struct watch_rss_key key = { .tgid = tgid };
	struct watch_rss_site *site;

	p->returned += shrink;
	for (int k = 1; k <= WATCH_RSS_RECENT && shrink; k++) {
		struct watch_rss_recent *r = &p->recent[(p->head - k) % WATCH_RSS_RECENT];
		__u64 take = r->bytes < shrink ? r->bytes : shrink;

		if (!take)
			continue;
		key.hash = r->hash;
		site = bpf_map_lookup_elem(&sites, &key);
		if (site)
			__sync_fetch_and_add(&site->bytes, -(__s64)take);
		r->bytes -= take;
		shrink -= take;
	}
	p->unmatched += shrink;
}

/* Current's own anonymous RSS is now @bytes (in address space @mm). */
static __always_inline int rss_now(void *ctx, __u64 mm, __u64 bytes)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, zero = 0;
	struct rss_band *b = bpf_map_lookup_elem(&band, &zero);
	struct watch_rss_proc *p;
	__u64 level;

	if (!b)
		return 0;
	if (b->mm == mm && b->tgid == tgid && (b->unwanted || (bytes >= b->lo && bytes < b->hi)))
		return 0;
	b->mm = mm;
	b->tgid = tgid;
	b->unwanted = !watch_current_wanted(tgid);
	b->lo = b->hi = 0;
	if (b->unwanted)
		return 0;
	p = bpf_map_lookup_elem(&procs, &tgid);
	if (!p) {
		bpf_map_update_elem(&procs, &tgid, &zero_proc, BPF_NOEXIST);
		p = bpf_map_lookup_elem(&procs, &tgid);
		if (!p) {
			watch_count(WATCH_CNT_MAP_FULL);
			return 0;
		}
	}
	level = bytes / step_bytes * step_bytes;
	p->rss = bytes;
	if (p->mm != mm) {	/* first seen, or exec'd: growth counts from here */
		p->mm = mm;
		p->level = level;
	} else if (level > p->level) {
		step_up(ctx, p, tgid, level - p->level);
		p->level = level;
	} else if (level < p->level) {
		step_down(p, tgid, p->level - level);
		p->level = level;
	}
	b->lo = level;
	b->hi = level + step_bytes;
	return 0;
}

/*
 * Another task changed @tgid's counters (reclaim, swap-out, the OOM reaper,
 * or the process exiting, whose mm is no longer current's): the level
 * follows, the sites keep what they grew.
 */
static __always_inline void rss_moved(__u32 tgid, __u64 mm, __u64 bytes)
{
	struct watch_rss_proc *p = bpf_map_lookup_elem(&procs, &tgid);

	if (p && p->mm == mm) {
		p->level = bytes / step_bytes * step_bytes;
		p->rss = bytes;
	}
}

/*
 * The counter's global part: the per-CPU parts are folded in by batches of
 * 32 pages, so the level is seen to within 128 KiB per CPU, which a step
 * (256 KiB by default) absorbs; exact sums would take the counter's lock.
 */
SEC("?tp_btf/rss_stat")
int BPF_PROG(rss_stat_btf, struct mm_struct *mm, int member)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__s64 pages;

	if (member != MM_ANONPAGES)
		return 0;
	pages = mm->rss_stat[MM_ANONPAGES].count;
	pages = pages > 0 ? pages : 0;
	if (task->mm == mm)
		return rss_now(ctx, (__u64)mm, (__u64)pages << PAGE_SHIFT);
	if (bpf_core_field_exists(mm->owner) && mm->owner)
		rss_moved(mm->owner->tgid, (__u64)mm, (__u64)pages << PAGE_SHIFT);
	return 0;
}

/* Without typed tracepoints: the event's exact size, and no owner for other mms. */
SEC("?tp/kmem/rss_stat")
int rss_stat_tp(struct trace_event_raw_rss_stat *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (ctx->member != MM_ANONPAGES || !ctx->curr)
		return 0;
	return rss_now(ctx, (__u64)task->mm, ctx->size > 0 ? (__u64)ctx->size : 0);
}

/* A process that grew is gone: userspace says what it grew, then forgets it. */
static __always_inline int process_gone(bool group_dead)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct watch_rss_proc *p;

	if (!group_dead)
		return 0;
	p = bpf_map_lookup_elem(&procs, &tgid);
	if (!p)
		return 0;
	if (p->steps)
		send_notice(WATCH_NOTICE_EXIT);
	else
		bpf_map_delete_elem(&procs, &tgid);
	return 0;
}

SEC("?tp_btf/sched_process_exit")
int BPF_PROG(rss_exit_btf, struct task_struct *task, bool group_dead)
{
	return process_gone(group_dead);
}

SEC("?tp/sched/sched_process_exit")
int rss_exit_tp(struct trace_event_raw_sched_process_exit *ctx)
{
	return process_gone(watch_group_dead(ctx));
}
