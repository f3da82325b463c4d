/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_SLOW_WAIT_BPF_H
#define FAULTLINE_SLOW_WAIT_BPF_H

/*
 * Where a timed syscall slept. Without kprobes the stack taken at sys_exit is
 * the exit path; at sched_switch the sleeping thread's kernel stack is the
 * wait itself (pipe_read, futex_wait, io_schedule...). Only a thread with a
 * syscall in flight (an entry in `starts`, which the pid and cgroup filters
 * already gate) does any work at a switch; every other one costs a task
 * storage lookup. Included by watch_slow.bpf.c after its maps.
 */

/* The raw_tp fallback keys waits by thread id: its next task is no BTF pointer. */
const volatile bool wait_by_tid = false;

/* One syscall's sleeps: the stacks of the longest and of the current one. */
struct slow_wait {
	__u64 seq;		/* struct start's seq of the syscall they belong to */
	__u64 since_ns;		/* asleep since (0: running) */
	__u64 off_ns;		/* total asleep */
	__u64 best_ns;		/* the longest sleep */
	__u32 waits;
	__u32 cur_state, best_state;
	__u32 cur_slot, best_slot;
	__u32 nr[2];		/* frames in stack[slot] */
	__u64 stack[2][WATCH_MAX_FRAMES];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct slow_wait);
} waits SEC(".maps");

/* wait_by_tid only (max_entries 1 otherwise): threads asleep in timed syscalls. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct slow_wait);
} waits_by_tid SEC(".maps");

/* A zeroed value to insert into waits_by_tid (too big for the BPF stack); never written. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct slow_wait);
} wait_zero SEC(".maps");

/* @task is current or a BTF-typed task pointer. */
static __always_inline struct slow_wait *wait_get(struct task_struct *task, bool create)
{
	struct slow_wait *w, *fresh;
	__u32 tid = task->pid, zero = 0;

	if (!wait_by_tid)
		return bpf_task_storage_get(&waits, task, 0,
					    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	w = bpf_map_lookup_elem(&waits_by_tid, &tid);
	if (w || !create)
		return w;
	fresh = bpf_map_lookup_elem(&wait_zero, &zero);
	if (!fresh)
		return NULL;
	bpf_map_update_elem(&waits_by_tid, &tid, fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&waits_by_tid, &tid);
}

/*
 * Whether @nr's sleeps can end up in an event: not for syscalls never
 * reported, nor for futex, whose waits are by design unless --slow-all.
 */
static __always_inline bool wait_wanted(__u32 nr)
{
	const struct watch_slow_cfg *c;

	if (nr >= WATCH_SLOW_NR_MAX)
		return false;
	c = bpf_map_lookup_elem(&cfg, &nr);
	return c && c->threshold_ns && !(c->flags & WATCH_SLOW_FUTEX);
}

/* The current task @prev goes to sleep in @state inside a timed syscall: where. */
static __always_inline void wait_out(void *ctx, struct task_struct *prev, __u32 state)
{
	struct slow_wait *w;
	struct start *s;
	__u32 slot;
	long n;

	if (!(state & (WATCH_SLOW_STATE_S | WATCH_SLOW_STATE_D)))
		return;
	s = bpf_task_storage_get(&starts, prev, 0, 0);
	if (!s || !s->ts || !wait_wanted(s->nr))
		return;
	w = wait_get(prev, true);
	if (!w) {
		watch_count(WATCH_CNT_MAP_FULL);
		return;
	}
	if (w->seq != s->seq) {
		w->seq = s->seq;
		w->off_ns = w->best_ns = 0;
		w->waits = 0;
		w->best_slot = 1;
	}
	/* Into the slot that is not the longest so far: it survives. */
	slot = (w->best_slot ^ 1) & 1;
	w->nr[slot] = 0;
	if (capture_kernel_stack) {
		n = bpf_get_stack(ctx, w->stack[slot], sizeof(w->stack[slot]), 0);
		w->nr[slot] = n > 0 ? n / sizeof(__u64) : 0;
	}
	w->cur_slot = slot;
	w->cur_state = state & (WATCH_SLOW_STATE_S | WATCH_SLOW_STATE_D);
	w->since_ns = bpf_ktime_get_ns();
}

/* The thread of @w runs again. */
static __always_inline void wait_in(struct slow_wait *w)
{
	__u64 ns;

	if (!w || !w->since_ns)
		return;
	ns = bpf_ktime_get_ns() - w->since_ns;
	w->since_ns = 0;
	w->off_ns += ns;
	w->waits++;
	if (ns > w->best_ns) {
		w->best_ns = ns;
		w->best_slot = w->cur_slot;
		w->best_state = w->cur_state;
	}
}

SEC("?tp_btf/sched_switch")
int BPF_PROG(slow_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	if (!preempt)
		wait_out(ctx, prev, prev_state);
	wait_in(bpf_task_storage_get(&waits, next, 0, 0));
	return 0;
}

/* Fallback: prev is current; next is found by its thread id. */
SEC("?raw_tp/sched_switch")
int BPF_PROG(slow_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	__u32 tid = BPF_CORE_READ(next, pid);

	if (!preempt)
		wait_out(ctx, bpf_get_current_task_btf(), prev_state);
	wait_in(bpf_map_lookup_elem(&waits_by_tid, &tid));
	return 0;
}

/* At the exit of a reported syscall: its sleeps, the longest one's stack as the kernel's. */
static __always_inline void wait_report(struct watch_slow_event *e, struct task_struct *task,
					__u64 seq)
{
	struct slow_wait *w = wait_get(task, false);
	__u32 slot;

	e->off_cpu_ns = e->wait_ns = 0;
	e->waits = e->wait_state = 0;
	if (!w || w->seq != seq || !w->waits)
		return;
	e->off_cpu_ns = w->off_ns;
	e->wait_ns = w->best_ns;
	e->waits = w->waits;
	e->wait_state = w->best_state;
	slot = w->best_slot & 1;
	if (!capture_kernel_stack || !w->nr[slot])
		return;
	bpf_probe_read_kernel(e->stacks.kernel, sizeof(e->stacks.kernel), w->stack[slot]);
	e->hdr.nr_kernel = w->nr[slot] <= WATCH_MAX_FRAMES ? w->nr[slot] : WATCH_MAX_FRAMES;
}

#endif
