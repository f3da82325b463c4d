/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PROFILE_OFFCPU_BPF_H
#define FAULTLINE_PROFILE_OFFCPU_BPF_H

/*
 * profile --off-cpu: at sched_switch, a thread going to sleep has its stacks
 * taken (the same walkers as CPU samples, the in-kernel unwinder included)
 * and its time kept in task storage; when it runs again, the time it was
 * away is added in the kernel to its (process, thread, comm, stacks).
 * Preempted threads are still runnable, not waiting, and are not counted.
 *
 * --wall: the same for every way a target thread leaves the CPU (preempted
 * too), plus the perf event samples of its running time, in one map keyed
 * also by state. Waits going on at the start and at the end are charged by
 * a task iterator, so a thread's states add up to the profile's duration.
 *
 * Included by profile.bpf.c after its maps, helpers and the unwinder.
 */
#include "offcpu.h"

const volatile __u32 offcpu_states = OFFCPU_STATE_INTERRUPTIBLE | OFFCPU_STATE_UNINTERRUPTIBLE;
const volatile __u64 offcpu_min_block_ns = 1000;
const volatile bool offcpu_wakers = false;
const volatile bool wall = false;
/* --wall's task iterator: 0 at the start, else the end of the profile (ktime ns). */
__u64 wall_end_ns = 0;

/* max_entries resized by userspace: counts_map_size with --off-cpu, else 1. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct profile_key);
	__type(value, struct offcpu_value);
	__uint(max_entries, 1);
} offcpu_counts SEC(".maps");

/* --wakers: the same time keyed also by who woke the thread. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct offcpu_waker_key);
	__type(value, struct offcpu_value);
	__uint(max_entries, 1);
} offcpu_waker_counts SEC(".maps");

/* --wall: running samples and off-CPU time by (key, state). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct offcpu_wall_key);
	__type(value, struct offcpu_value);
	__uint(max_entries, 1);
} wall_counts SEC(".maps");

/* Where and since when a thread sleeps, and (--wakers) who woke it. */
struct offcpu_blocked {
	__u64 since_ns;		/* 0: not blocked (or not wanted) */
	__u32 state;		/* OFFCPU_STATE_* it left the CPU in */
	__u32 pad;
	struct offcpu_waker_key k;	/* .blocked: where it sleeps */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct offcpu_blocked);
} offcpu_blocked SEC(".maps");

/*
 * How a thread left the CPU: prev_state 0 (TASK_RUNNING) is a thread that
 * is still runnable (yield, or a signal arrived as it went to sleep).
 */
static __always_inline __u32 offcpu_class(bool preempt, unsigned int prev_state)
{
	if (preempt || !(prev_state & 0xff))
		return OFFCPU_STATE_RUNNABLE;
	if (prev_state & 0x1)	/* TASK_INTERRUPTIBLE */
		return OFFCPU_STATE_INTERRUPTIBLE;
	if (prev_state & 0x2)	/* TASK_UNINTERRUPTIBLE, TASK_KILLABLE, TASK_IDLE */
		return OFFCPU_STATE_UNINTERRUPTIBLE;
	return OFFCPU_STATE_OTHER;
}

/* Adds @ns to @key in @counts (offcpu_counts, offcpu_waker_counts or wall_counts). */
static __always_inline void offcpu_add(void *counts, const void *key, __u64 ns)
{
	struct offcpu_value *v, first = { .ns = ns, .switches = 1 };

	v = bpf_map_lookup_elem(counts, key);
	if (!v && !bpf_map_update_elem(counts, key, &first, BPF_NOEXIST))
		return;
	if (!v)
		v = bpf_map_lookup_elem(counts, key);	/* another CPU inserted it */
	if (!v) {
		count(PC_COUNTS_FULL);
		return;
	}
	__sync_fetch_and_add(&v->ns, ns);
	__sync_fetch_and_add(&v->switches, 1);
}

/* --wall: @ns of @key's thread spent in @state. */
static __always_inline void wall_add(const struct profile_key *key, __u32 state, __u64 ns)
{
	struct offcpu_wall_key wk;

	__builtin_memset(&wk, 0, sizeof(wk));
	wk.k = *key;
	wk.state = state;
	offcpu_add(&wall_counts, &wk, ns);
}

/* @prev, the current task, goes to sleep in @state: its stacks, and since when. */
static __always_inline void offcpu_out(void *ctx, struct task_struct *prev, __u32 state)
{
	__u32 tgid = prev->tgid, tid = prev->pid;
	struct offcpu_blocked *b;

	if (!(state & offcpu_states) || !wanted(tgid, tid) || (!include_idle && !prev->mm)) {
		count(PC_FILTERED);
		return;
	}
	b = bpf_task_storage_get(&offcpu_blocked, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!b) {
		count(PC_OFF_STORAGE_FULL);
		return;
	}
	b->k.blocked.tgid = tgid;
	b->k.blocked.pid = tid;
	bpf_get_current_comm(b->k.blocked.comm, sizeof(b->k.blocked.comm));
	b->k.blocked.user_stack_id = PROFILE_STACK_NONE;
	b->k.blocked.kernel_stack_id = PROFILE_STACK_NONE;
	if (want_user && prev->mm) {
		b->k.blocked.user_stack_id = kunwind ? kunwind_user_stack(ctx, prev, tgid) : -ENOENT;
		if (b->k.blocked.user_stack_id == -ENOENT)
			b->k.blocked.user_stack_id = stack_id(ctx, BPF_F_USER_STACK, PC_USER_COLLISION);
	}
	/* The first two kernel frames are this program and bpf_trace_run4(). */
	if (want_kernel)
		b->k.blocked.kernel_stack_id = stack_id(ctx, 2 & BPF_F_SKIP_FIELD_MASK,
						  PC_KERN_COLLISION);
	__builtin_memset(&b->k.waker, 0, sizeof(b->k.waker));
	b->state = state;
	b->since_ns = bpf_ktime_get_ns();
	announce(tgid);
}

/* @next runs again: the time since it went to sleep was spent off-CPU. */
static __always_inline void offcpu_in(struct task_struct *next)
{
	struct offcpu_blocked *b = bpf_task_storage_get(&offcpu_blocked, next, 0, 0);
	__u64 ns;

	if (!b || !b->since_ns)
		return;
	ns = bpf_ktime_get_ns() - b->since_ns;
	b->since_ns = 0;
	if (ns < offcpu_min_block_ns) {
		count(PC_OFF_SHORT);
		return;
	}
	if (wall)
		wall_add(&b->k.blocked, b->state, ns);
	else if (offcpu_wakers)
		offcpu_add(&offcpu_waker_counts, &b->k, ns);
	else
		offcpu_add(&offcpu_counts, &b->k.blocked, ns);
}

/*
 * Whether this runs in an interrupt (hard IRQ, or softirqs run on its exit)
 * rather than for @task: those run on the CPU's IRQ stack, not on the task's
 * own. (The preempt count would say it too, but its per-CPU address is not
 * in every kernel's kallsyms.) Softirqs a task runs itself, on re-enabling
 * bottom halves, stay on its stack and count as its work.
 */
#define OFFCPU_TASK_STACK_MAX	(32 * 1024)	/* THREAD_SIZE, with KASAN's doubling */

static __always_inline bool offcpu_in_interrupt(struct task_struct *task)
{
	volatile __u64 here = 0;
	__u64 base = (__u64)task->stack;

	return (__u64)&here - base >= OFFCPU_TASK_STACK_MAX;
}

/*
 * --wakers: @p, asleep and tracked, is being woken by the current task: its
 * stacks say what ended the wait (the writer of a pipe, the holder of a lock,
 * a timer's interrupt). Counted only for threads whose wait is timed.
 */
SEC("?tp_btf/sched_waking")
int BPF_PROG(profile_offcpu_waking, struct task_struct *p)
{
	struct offcpu_blocked *b = bpf_task_storage_get(&offcpu_blocked, p, 0, 0);
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 id = bpf_get_current_pid_tgid();
	struct profile_key *w;

	if (!b || !b->since_ns || b->k.waker.tgid || b->k.waker.comm[0])
		return 0;	/* not timed, or already woken once in this wait */
	w = &b->k.waker;
	w->user_stack_id = PROFILE_STACK_NONE;
	w->kernel_stack_id = PROFILE_STACK_NONE;
	/*
	 * From an interrupt (a timer, a device, the network), current is whoever
	 * was interrupted: not the waker. Only the kernel stack says who it was.
	 */
	if (offcpu_in_interrupt(task)) {
		__builtin_memcpy(w->comm, "[interrupt]", sizeof("[interrupt]"));
		w->tgid = w->pid = 0;
		task = NULL;
	} else {
		w->tgid = id >> 32;
		w->pid = (__u32)id;
		bpf_get_current_comm(w->comm, sizeof(w->comm));
	}
	if (want_user && task && task->mm && w->pid) {
		w->user_stack_id = kunwind ? kunwind_user_stack(ctx, task, w->tgid) : -ENOENT;
		if (w->user_stack_id == -ENOENT)
			w->user_stack_id = stack_id(ctx, BPF_F_USER_STACK, PC_USER_COLLISION);
	}
	/* The first two kernel frames are this program and bpf_trace_run1(). */
	if (want_kernel)
		w->kernel_stack_id = stack_id(ctx, 2 & BPF_F_SKIP_FIELD_MASK, PC_KERN_COLLISION);
	if (w->tgid)
		announce(w->tgid);
	return 0;
}

/*
 * BTF-typed: prev and next are task pointers the task storage can key on. A
 * classic tracepoint fallback would need another way to find next's start;
 * kernels with task storage (5.11) all have tp_btf (5.5), so there is none.
 */
SEC("?tp_btf/sched_switch")
int BPF_PROG(profile_offcpu_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	count(PC_SAMPLES);
	offcpu_out(ctx, prev, offcpu_class(preempt, prev_state));
	offcpu_in(next);
	return 0;
}

/* 2f064a59a11f (5.14) renamed task_struct's state to __state, an unsigned int. */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

static __always_inline unsigned int task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

/*
 * @task's kernel stack, though it is not the current task (the stack-trace
 * map only walks the current one): stored as a collided stack would be.
 */
static __always_inline __s32 task_kernel_stack(struct task_struct *task)
{
	struct profile_stack_buf *b;
	__u32 zero = 0;
	long len;
	__s32 id;

	b = bpf_map_lookup_elem(&scratch, &zero);
	if (!b)
		return -ENOMEM;
	len = bpf_get_task_stack(task, b->ips, sizeof(b->ips), 0);
	if (len <= 0) {
		count(PC_KERN_FAULT);
		return -EFAULT;
	}
	b->nr = len / sizeof(b->ips[0]);
	id = store_overflow(b);
	if (id < 0)
		count(PC_KERN_FULL);
	return id;
}

/*
 * --wall, at the start: a target thread off the CPU is timed from now, in
 * the state it is in; its user stack cannot be walked from here (another
 * task's memory), so it is marked as unknown. Threads sched_switch already
 * times, and running ones, are left alone.
 */
static __always_inline void wall_begin(struct task_struct *task)
{
	__u32 tgid = task->tgid, tid = task->pid;
	struct offcpu_blocked *b;

	if (!wanted(tgid, tid) || task->on_cpu || (!include_idle && !task->mm))
		return;
	b = bpf_task_storage_get(&offcpu_blocked, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!b) {
		count(PC_OFF_STORAGE_FULL);
		return;
	}
	if (b->since_ns)
		return;
	__builtin_memset(&b->k, 0, sizeof(b->k));
	b->k.blocked.tgid = tgid;
	b->k.blocked.pid = tid;
	bpf_probe_read_kernel_str(b->k.blocked.comm, sizeof(b->k.blocked.comm), task->comm);
	b->k.blocked.user_stack_id = want_user ? OFFCPU_STACK_BEFORE : PROFILE_STACK_NONE;
	b->k.blocked.kernel_stack_id = want_kernel ? task_kernel_stack(task) : PROFILE_STACK_NONE;
	b->state = offcpu_class(false, task_state(task));
	b->since_ns = bpf_ktime_get_ns();
	announce(tgid);
}

/* --wall, at the end: a wait still going on counts up to wall_end_ns. */
static __always_inline void wall_flush(struct task_struct *task)
{
	struct offcpu_blocked *b = bpf_task_storage_get(&offcpu_blocked, task, 0, 0);
	__u64 since;

	if (!b || !b->since_ns)
		return;
	since = b->since_ns;
	b->since_ns = 0;
	if (wall_end_ns > since)
		wall_add(&b->k.blocked, b->state, wall_end_ns - since);
}

SEC("?iter/task")
int profile_wall_iter(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (!task)
		return 0;
	if (wall_end_ns)
		wall_flush(task);
	else
		wall_begin(task);
	return 0;
}

#endif
