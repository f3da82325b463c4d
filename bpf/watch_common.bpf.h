/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers every watch_*.bpf.c shares: filters, the event header, stacks, the
 * per-process rate limit and the drop counters. Each BPF object includes this
 * once and so gets its own ring buffer ("events") and counters ("counters").
 *
 * Define WATCH_RATE_LIMIT before including to get watch_rate_allow().
 */
#ifndef FAULTLINE_WATCH_COMMON_BPF_H
#define FAULTLINE_WATCH_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "watch.h"
#include "unwind_capture.bpf.h"
/* The in-kernel walker (on when the kunwind rodata is): events keep WATCH_MAX_FRAMES. */
#define KUNWIND_KEEP_FRAMES WATCH_MAX_FRAMES
#include "kunwind.bpf.h"

/* Filters, set by userspace before load (0 entries / 0 id: no filter). */
const volatile __u32 targ_tgids[WATCH_MAX_PIDS] = {};
const volatile __u32 targ_ntgids = 0;
/* faultline itself: left out unless asked for with -p (its fds are BPF maps). */
const volatile __u32 self_tgid = 0;
const volatile __u64 targ_cgroup_id = 0;
const volatile __u32 targ_cgroup_level = 0;
/* >= 0: targ_cgroup_id is a cgroup v1 directory of this controller (enum cgroup_subsys_id). */
const volatile __s32 targ_cgroup_ssid = -1;
const volatile bool capture_user_stack = true;
const volatile bool capture_kernel_stack = true;
/* Per-process rate limit: first N events per second, the rest only counted. */
const volatile __u32 rate_limit_per_sec = 100;
/* DWARF mode: a struct watch_snapshot goes out with every captured stack. */
const volatile bool capture_snapshot = false;
const volatile __u32 snapshot_bytes = WATCH_STACK_BYTES_DEFAULT;

/* Resized by userspace (bpf_map__set_max_entries) before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WATCH_CNT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/*
 * Where a snapshot is assembled: too big for the BPF stack and for a per-CPU
 * array (32 KiB values at most), so one slot per CPU, sized by userspace (1
 * when DWARF mode is off). Events are emitted from tracepoints in task
 * context, which do not nest on a CPU for one object except from an
 * interrupt; such a rare overlap garbles a snapshot, which then does not
 * unwind or pair, and the event falls back to its frame-pointer stack.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct watch_snapshot);
} snapshot_scratch SEC(".maps");

static __always_inline void watch_count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &which);

	if (c)
		(*c)++;	/* per-CPU: no atomics needed */
}

static __always_inline bool watch_tgid_wanted(__u32 tgid)
{
	if (!targ_ntgids)
		return tgid != self_tgid;
	for (int i = 0; i < WATCH_MAX_PIDS; i++) {
		if (i >= targ_ntgids)
			break;
		if (targ_tgids[i] == tgid)
			return true;
	}
	return false;
}

#define WATCH_CGROUP_V1_DEPTH 16

/* In the target cgroup v1 directory (kernfs id) or below, on its controller's hierarchy. */
static __always_inline bool watch_cgroup_v1_wanted(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct cgroup *cg = BPF_CORE_READ(task, cgroups, subsys[targ_cgroup_ssid], cgroup);

	for (int i = 0; i < WATCH_CGROUP_V1_DEPTH && cg; i++) {
		if (BPF_CORE_READ(cg, kn, id) == targ_cgroup_id)
			return true;
		cg = BPF_CORE_READ(cg, self.parent, cgroup);
	}
	return false;
}

/* The current task is in the target cgroup or below it. */
static __always_inline bool watch_cgroup_wanted(void)
{
	if (!targ_cgroup_id)
		return true;
	if (targ_cgroup_ssid >= 0)
		return watch_cgroup_v1_wanted();
	return bpf_get_current_ancestor_cgroup_id(targ_cgroup_level) == targ_cgroup_id;
}

/* Both filters for the current task. */
static __always_inline bool watch_current_wanted(__u32 tgid)
{
	return watch_tgid_wanted(tgid) && watch_cgroup_wanted();
}

/*
 * At sched:sched_process_exit (the exiting task is current), true when it is
 * the last thread of its process. The group_dead field exists on 6.16+ only;
 * before it, do_exit() has already decremented signal->live to 0 for the last
 * thread (threads exiting at the same instant may both see 0: a rare
 * duplicate, which the consumers tolerate).
 */
static __always_inline bool watch_group_dead(struct trace_event_raw_sched_process_exit *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (bpf_core_field_exists(ctx->group_dead))
		return BPF_CORE_READ(ctx, group_dead);
	return BPF_CORE_READ(task, signal, live.counter) == 0;
}

/* Reserves @size bytes of the ring buffer, counting the failure. */
static __always_inline void *watch_reserve(__u64 size)
{
	void *e = bpf_ringbuf_reserve(&events, size, 0);

	if (!e)
		watch_count(WATCH_CNT_RINGBUF_FULL);
	return e;
}

static __always_inline void watch_submit(void *e)
{
	watch_count(WATCH_CNT_SUBMITTED);
	bpf_ringbuf_submit(e, 0);
}

/* Fills @h for the current task. */
static __always_inline void watch_fill_header(struct watch_header *h, __u32 type, __u32 size)
{
	__u64 id = bpf_get_current_pid_tgid();

	h->type = type;
	h->tgid = id >> 32;
	h->tid = (__u32)id;
	h->uid = (__u32)bpf_get_current_uid_gid();
	h->ktime_ns = bpf_ktime_get_ns();
	h->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	h->nr_user = 0;
	h->user_how = KUNWIND_HOW_FP;
	h->nr_kernel = 0;
	h->size = size;
}

/* Processes that asked for their unwind tables, and when: one ask per interval. */
#define WATCH_UNWIND_ASK_NS 200000000ULL

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} unwind_asked SEC(".maps");

/*
 * A stack of @tgid was walked without its tables (not loaded yet, or code
 * mapped since): a notice asks userspace to load them, at most once per
 * WATCH_UNWIND_ASK_NS, so the process's next stacks are whole.
 */
static __always_inline void watch_unwind_ask(__u32 tgid)
{
	__u64 now = bpf_ktime_get_ns(), *last = bpf_map_lookup_elem(&unwind_asked, &tgid);
	struct watch_notice *n;

	if (last && now - *last < WATCH_UNWIND_ASK_NS)
		return;
	if (last)
		*last = now;
	else
		bpf_map_update_elem(&unwind_asked, &tgid, &now, BPF_ANY);
	/* not an event: neither submitted nor lost in the source's counters */
	n = bpf_ringbuf_reserve(&events, sizeof(*n), 0);
	if (!n)
		return;
	watch_fill_header(&n->hdr, WATCH_EV_NOTICE, sizeof(*n));
	n->kind = WATCH_NOTICE_UNWIND;
	n->pad = 0;
	bpf_ringbuf_submit(n, 0);
}

/*
 * The current task's user stack walked in the kernel into @ips
 * (WATCH_MAX_FRAMES of room): the number of frames, and in *@how how they
 * were walked; -1 when nothing could be walked.
 */
static __always_inline int watch_walk_user(__u64 *ips, __u8 *how)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct kunwind_state *st;
	int walked = kunwind_walk(tgid);
	__u32 nr;

	st = kunwind_state();
	if (walked < 0 || !st)
		return -1;
	if (walked == KUNWIND_HOW_FP_CHECKED)
		watch_unwind_ask(tgid);
	nr = st->buf.nr;
	if (nr > WATCH_MAX_FRAMES)
		nr = WATCH_MAX_FRAMES;
	if (bpf_probe_read_kernel(ips, WATCH_MAX_FRAMES * sizeof(__u64), st->buf.ips))
		return -1;
	*how = walked;
	return nr;
}

/* The words at the user stack pointer, for the leaf-caller fixup in userspace. */
static __always_inline void watch_capture_user_sp(struct watch_stacks *s)
{
	struct pt_regs *regs;
	__u64 sp;

	__builtin_memset(s->user_sp, 0, sizeof(s->user_sp));
	if (!capture_user_stack)
		return;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	sp = BPF_CORE_READ(regs, sp);
	if (sp && bpf_probe_read_user(s->user_sp, sizeof(s->user_sp), (void *)sp))
		__builtin_memset(s->user_sp, 0, sizeof(s->user_sp));
}

/*
 * DWARF mode: the user registers and the top of the user stack, sent ahead
 * of the event being built (see struct watch_snapshot). Only here, when an
 * event is emitted: the per-syscall paths never copy stacks.
 */
static __always_inline void watch_send_snapshot(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 cpu = bpf_get_smp_processor_id(), want, len;
	struct watch_snapshot *s;

	if (!capture_snapshot || !capture_user_stack)
		return;
	if (!task->mm)
		return;	/* a kernel thread, or a task past exit_mm(): no user stack */
	s = bpf_map_lookup_elem(&snapshot_scratch, &cpu);
	if (!s) {
		watch_count(WATCH_CNT_SNAPSHOT_LOST);
		return;
	}
	watch_fill_header(&s->hdr, WATCH_EV_SNAPSHOT, 0);
	unwind_task_regs(task, &s->ip, &s->sp, &s->bp);
	want = unwind_stack_want(task, s->sp, snapshot_bytes);
	len = unwind_copy_stack(s->stack, s->sp, want);
	if (len > UNWIND_STACK_MAX)
		len = UNWIND_STACK_MAX;
	s->stack_len = len;
	s->flags = len < want ? UNWIND_F_STACK_SHORT : 0;
	s->hdr.size = WATCH_SNAPSHOT_HDR_LEN + len;
	if (bpf_ringbuf_output(&events, s, WATCH_SNAPSHOT_HDR_LEN + len, 0))
		watch_count(WATCH_CNT_SNAPSHOT_LOST);
}

/*
 * The stacks without the DWARF snapshot, for an event prepared ahead of
 * time (conn, at the SYN) that is emitted only sometimes: its emitter calls
 * watch_send_snapshot() if and when it emits from the same task and syscall.
 */
static __always_inline void watch_capture_fp_stacks(void *ctx, struct watch_header *h,
						    struct watch_stacks *s)
{
	long n;

	if (capture_kernel_stack) {
		n = bpf_get_stack(ctx, s->kernel, sizeof(s->kernel), 0);
		h->nr_kernel = n > 0 ? n / sizeof(__u64) : 0;
	}
	if (capture_user_stack) {
		n = kunwind ? watch_walk_user(s->user, &h->user_how) : -1;
		if (n < 0) {
			n = bpf_get_stack(ctx, s->user, sizeof(s->user), BPF_F_USER_STACK);
			n = n > 0 ? n / sizeof(__u64) : 0;
			h->user_how = KUNWIND_HOW_FP;
		}
		h->nr_user = n;
	}
	watch_capture_user_sp(s);
}

/* Captures the current task's stacks (as enabled) straight into the event. */
static __always_inline void watch_capture_stacks(void *ctx, struct watch_header *h,
						 struct watch_stacks *s)
{
	watch_capture_fp_stacks(ctx, h, s);
	watch_send_snapshot();
}

#ifdef WATCH_RATE_LIMIT
#ifndef WATCH_RATE_ENTRIES
#define WATCH_RATE_ENTRIES 8192
#endif
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WATCH_RATE_ENTRIES);
	__type(key, __u32);
	__type(value, struct watch_rate);
} rate SEC(".maps");

/*
 * True for the first rate_limit_per_sec events of @key (a tgid, or a tgid
 * mixed with a sub-kind) in each one-second window; the rest are counted in
 * WATCH_CNT_RATE_LIMITED. Racy across CPUs by design: an extra event or two
 * per window is cheaper than a lock.
 */
static __always_inline bool watch_rate_allow(__u32 key, __u64 now)
{
	struct watch_rate *r, fresh = { .window_start_ns = now, .count = 1 };

	if (!rate_limit_per_sec)
		return true;
	r = bpf_map_lookup_elem(&rate, &key);
	if (!r) {
		if (bpf_map_update_elem(&rate, &key, &fresh, BPF_ANY))
			watch_count(WATCH_CNT_MAP_FULL);
		return true;
	}
	if (now - r->window_start_ns >= 1000000000ULL) {
		r->window_start_ns = now;
		r->count = 1;
		return true;
	}
	if (r->count < rate_limit_per_sec) {
		r->count++;
		return true;
	}
	watch_count(WATCH_CNT_RATE_LIMITED);
	return false;
}
#endif

char LICENSE[] SEC("license") = "GPL";

#endif
