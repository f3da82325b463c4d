// SPDX-License-Identifier: GPL-2.0
/*
 * Off-CPU profiler: at sched_switch, a thread going to sleep has its stacks
 * taken and its time noted (task storage); when it is switched back in, the
 * time it was away is added in the kernel to (tgid, tid, comm, user stack,
 * kernel stack). Preempted threads (still runnable) are not waiting and are
 * not counted. Only the keys and totals cross into userspace.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "profile.h"
#include "offcpu.h"

/* Set by userspace before load. */
const volatile bool filter_tgids = false;
const volatile __u32 targ_tid = 0;
const volatile bool filter_cgroup = false;
const volatile __u64 targ_cgroup_id = 0;
const volatile bool want_user = true;
const volatile bool want_kernel = true;
const volatile bool include_kthreads = false;
const volatile __u32 state_mask = OFFCPU_STATE_INTERRUPTIBLE | OFFCPU_STATE_UNINTERRUPTIBLE;
const volatile __u64 min_block_ns = 1000;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PROFILE_MAX_DEPTH * sizeof(__u64));
	__uint(max_entries, 16384);
} stacks SEC(".maps");

/* Never written: profile's collection reads an overflow map, empty here. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct profile_stack_buf);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} overflow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct profile_key);
	__type(value, struct offcpu_value);
	__uint(max_entries, 32768);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u8);
	__uint(max_entries, 1);
} target_tgids SEC(".maps");

/* Where and since when a thread sleeps. */
struct blocked {
	__u64 since_ns;		/* 0: not blocked (or not wanted) */
	struct profile_key key;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct blocked);
} blocked SEC(".maps");

/* tgids already announced to userspace, which reads their maps. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, __u8);
	__uint(max_entries, 16384);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, OC__COUNT);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

static __always_inline void count(enum offcpu_counter c)
{
	__u32 key = c;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);

	if (v)
		*v += 1;
}

static __always_inline void announce(__u32 tgid)
{
	struct profile_event *e;
	__u8 one = 1;

	if (bpf_map_update_elem(&seen, &tgid, &one, BPF_NOEXIST))
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(OC_NOTIFY_LOST);
		return;
	}
	e->kind = PROFILE_EV_NEW;
	e->tgid = tgid;
	bpf_ringbuf_submit(e, 0);
}

static __always_inline bool wanted(struct task_struct *t, __u32 tgid, __u32 tid)
{
	if (tid == 0 || (!include_kthreads && !t->mm))
		return false;
	if (targ_tid && tid != targ_tid)
		return false;
	if (filter_tgids && !bpf_map_lookup_elem(&target_tgids, &tgid))
		return false;
	/* The switch runs on the sleeping thread: current's cgroup is its own. */
	if (filter_cgroup && bpf_get_current_cgroup_id() != targ_cgroup_id)
		return false;
	return true;
}

static __always_inline __s32 stack_id(void *ctx, __u64 flags, enum offcpu_counter fault)
{
	long id = bpf_get_stackid(ctx, &stacks, flags);

	if (id >= 0)
		return id;
	count(id == -14 /* EFAULT */ ? fault : fault + 1);
	return id;
}

/* @prev, the current task, goes to sleep in @state. */
static __always_inline void switch_out(void *ctx, struct task_struct *prev, __u32 state)
{
	__u32 tgid = prev->tgid, tid = prev->pid;
	struct blocked *b;

	if (!(state & state_mask) || !wanted(prev, tgid, tid)) {
		count(OC_FILTERED);
		return;
	}
	b = bpf_task_storage_get(&blocked, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!b) {
		count(OC_STORAGE_FULL);
		return;
	}
	b->key.tgid = tgid;
	b->key.pid = tid;
	bpf_get_current_comm(b->key.comm, sizeof(b->key.comm));
	b->key.user_stack_id = PROFILE_STACK_NONE;
	b->key.kernel_stack_id = PROFILE_STACK_NONE;
	if (want_user && prev->mm)
		b->key.user_stack_id = stack_id(ctx, BPF_F_USER_STACK, OC_USER_FAULT);
	/* The first two kernel frames are this program and bpf_trace_run4(). */
	if (want_kernel)
		b->key.kernel_stack_id = stack_id(ctx, 2 & BPF_F_SKIP_FIELD_MASK, OC_KERN_FAULT);
	b->since_ns = bpf_ktime_get_ns();
	announce(tgid);
}

static __always_inline void add_time(const struct profile_key *key, __u64 ns)
{
	struct offcpu_value *v, first = { .ns = ns, .switches = 1 };

	v = bpf_map_lookup_elem(&counts, key);
	if (!v && !bpf_map_update_elem(&counts, key, &first, BPF_NOEXIST))
		return;
	if (!v)
		v = bpf_map_lookup_elem(&counts, key);	/* another CPU inserted it */
	if (!v) {
		count(OC_COUNTS_FULL);
		return;
	}
	__sync_fetch_and_add(&v->ns, ns);
	__sync_fetch_and_add(&v->switches, 1);
}

/* @next runs again: the time since it blocked was spent off-CPU. */
static __always_inline void switch_in(struct task_struct *next)
{
	struct blocked *b = bpf_task_storage_get(&blocked, next, 0, 0);
	__u64 now, ns;

	if (!b || !b->since_ns)
		return;
	now = bpf_ktime_get_ns();
	ns = now - b->since_ns;
	b->since_ns = 0;
	if (ns < min_block_ns) {
		count(OC_SHORT);
		return;
	}
	add_time(&b->key, ns);
}

static __always_inline int on_switch(void *ctx, struct task_struct *prev,
				     struct task_struct *next, __u32 prev_state)
{
	count(OC_SWITCHES);
	switch_out(ctx, prev, prev_state);
	switch_in(next);
	return 0;
}

/*
 * BTF-typed: prev and next are task pointers the task storage can key on. A
 * classic tracepoint fallback would need another way to find next's start;
 * kernels with task storage (5.11) all have tp_btf (5.5), so there is none.
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(offcpu_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	return on_switch(ctx, prev, next, preempt ? 0 : prev_state);
}

SEC("tp/sched/sched_process_exit")
int offcpu_exit(struct trace_event_raw_sched_process_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct profile_event *e;

	if (tgid != (__u32)id || bpf_map_delete_elem(&seen, &tgid))
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(OC_NOTIFY_LOST);
		return 0;
	}
	e->kind = PROFILE_EV_EXIT;
	e->tgid = tgid;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
