// SPDX-License-Identifier: GPL-2.0
/*
 * CPU profiler: a perf_event program samples on-CPU stacks and counts them in
 * the kernel by (tgid, comm, user stack id, kernel stack id), so only unique
 * stacks cross into userspace. Process notifications (first sample, exit) let
 * userspace snapshot /proc/PID/maps while the process still exists.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "profile.h"

#define EEXIST	17
#define EFAULT	14
#define ENOMEM	12
#define ENOENT	2

/* Set by userspace before load. */
const volatile bool filter_tgids = false;	/* only tgids in target_tgids */
const volatile __u32 targ_tid = 0;
const volatile bool filter_cgroup = false;
const volatile __u64 targ_cgroup_id = 0;
const volatile bool want_user = true;
const volatile bool want_kernel = true;
const volatile bool include_idle = false;
/* faultline itself: its own work is not what anyone profiles, unless -p names it. */
const volatile __u32 self_tgid = 0;

/* max_entries of the maps below are resized by userspace before load. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PROFILE_MAX_DEPTH * sizeof(__u64));
	__uint(max_entries, 16384);
} stacks SEC(".maps");

/* Stacks that collided in @stacks, keyed by their own hash; allocated on use. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct profile_stack_buf);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} overflow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct profile_stack_buf);
	__uint(max_entries, 1);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct profile_key);
	__type(value, __u64);
	__uint(max_entries, 32768);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u8);
	__uint(max_entries, 1);
} target_tgids SEC(".maps");

/* tgids already announced; LRU so a busy host never fills it for good. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, struct profile_seen);
	__uint(max_entries, 16384);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, PC__COUNT);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

static __always_inline void count(enum profile_counter c)
{
	__u32 key = c;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);

	if (v)
		*v += 1;	/* per-CPU: no other writer */
}

static __always_inline void notify(__u32 kind, __u32 tgid)
{
	struct profile_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		count(PC_NOTIFY_LOST);
		return;
	}
	e->kind = kind;
	e->tgid = tgid;
	bpf_ringbuf_submit(e, 0);
}

static __always_inline bool wanted(__u32 tgid, __u32 pid)
{
	if (!include_idle && pid == 0)
		return false;
	if (targ_tid && pid != targ_tid)
		return false;
	if (filter_tgids && !bpf_map_lookup_elem(&target_tgids, &tgid))
		return false;
	if (!filter_tgids && !targ_tid && tgid == self_tgid)
		return false;
	if (filter_cgroup && bpf_get_current_cgroup_id() != targ_cgroup_id)
		return false;
	return true;
}

/*
 * Where the sample interrupted: user mode has no kernel stack to walk. The
 * kernel lives in the upper half of the address space (x86-64, arm64), and
 * ip, unlike cs, has the same type on every kernel.
 */
static __always_inline bool in_kernel_mode(struct bpf_perf_event_data *ctx)
{
	return (long)PT_REGS_IP(&ctx->regs) < 0;
}

/*
 * Stores @b in the overflow map under its FNV-1a hash and returns that id
 * (PROFILE_OVERFLOW_ID set); -ENOMEM when there is no room. Two different
 * stacks sharing 30 hash bits would merge; with a few thousand overflow
 * stacks that is about one chance in a million.
 */
static __always_inline __s32 store_overflow(struct profile_stack_buf *b)
{
	__u64 h = 0xcbf29ce484222325ULL;
	__u32 id;
	long err;

	for (int i = 0; i < PROFILE_MAX_DEPTH; i++) {
		if (i >= b->nr)
			break;
		h ^= b->ips[i];
		h *= 0x100000001b3ULL;
	}
	id = ((h ^ (h >> 32)) & (PROFILE_OVERFLOW_ID - 1)) | PROFILE_OVERFLOW_ID;
	err = bpf_map_update_elem(&overflow, &id, b, BPF_NOEXIST);
	if (err && err != -EEXIST)
		return -ENOMEM;
	return id;
}

/*
 * A collided stack, walked again and stored under its hash: the collision
 * costs one more walk instead of the sample. -EEXIST when there is no room.
 */
static __always_inline __s32 save_collided(void *ctx, __u64 flags)
{
	struct profile_stack_buf *b;
	__u32 zero = 0;
	__s32 id;
	long len;

	b = bpf_map_lookup_elem(&scratch, &zero);
	if (!b)
		return -EEXIST;
	len = bpf_get_stack(ctx, b->ips, sizeof(b->ips), flags);
	if (len <= 0)
		return -EEXIST;
	b->nr = len / sizeof(b->ips[0]);
	id = store_overflow(b);
	if (id < 0)
		return -EEXIST;
	count(PC_COLLISION_SAVED);
	return id;
}

/* Stack id, or -errno counted under @first (collision, fault, full, other). */
static __always_inline __s32 stack_id(void *ctx, __u64 flags,
				      enum profile_counter first)
{
	long id = bpf_get_stackid(ctx, &stacks, flags);

	if (id >= 0)
		return id;
	if (id == -EEXIST)
		id = save_collided(ctx, flags);
	if (id >= 0)
		return id;
	if (id == -EEXIST)
		count(first);
	else if (id == -EFAULT)
		count(first + 1);
	else if (id == -ENOMEM)
		count(first + 2);
	else
		count(first + 3);
	return id;
}

static __always_inline void add_sample(struct profile_key *key)
{
	__u64 one = 1, *v;
	long err;

	v = bpf_map_lookup_elem(&counts, key);
	if (v) {
		__sync_fetch_and_add(v, 1);
		return;
	}
	err = bpf_map_update_elem(&counts, key, &one, BPF_NOEXIST);
	if (!err)
		return;
	/* Another CPU inserted the same key between lookup and update. */
	v = bpf_map_lookup_elem(&counts, key);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		count(PC_COUNTS_FULL);
}

#include "kunwind.bpf.h"
#include "pyframes.bpf.h"

_Static_assert(sizeof(struct kunwind_frames) == sizeof(struct profile_stack_buf),
	       "walked stacks are stored as overflow stacks");

/*
 * The sample's own address is in none of the mappings loaded: code mapped
 * since (dlopen). Announce the process again now rather than at its next
 * doubling interval, at most every PROFILE_RENOTIFY_MIN_NS.
 */
static __always_inline void kunwind_stale(__u32 tgid)
{
	struct profile_seen *s = bpf_map_lookup_elem(&seen, &tgid);
	__u64 now = bpf_ktime_get_ns();

	if (!s || now - s->last_ns < PROFILE_RENOTIFY_MIN_NS)
		return;
	s->last_ns = now;
	notify(PROFILE_EV_NEW, tgid);
}

/*
 * The user stack of the current task (@task), walked with the tables (or
 * with frame pointers, checked, while they are not loaded), stored like a
 * collided frame-pointer stack; -ENOENT when nothing could be walked (the
 * caller's bpf_get_stackid() then counts why). Incomplete stacks end with
 * KUNWIND_TRUNCATED_IP at the root.
 */
static __always_inline __s32 kunwind_user_stack(void *ctx, struct task_struct *task, __u32 tgid)
{
	struct kunwind_state *st;
	__s32 id;

	if (kunwind_walk(tgid) < 0)
		return -ENOENT;
	st = kunwind_state();
	if (!st)
		return -ENOENT;
	if (st->start_end == KUNWIND_END_NO_MAPPING)
		kunwind_stale(tgid);
	id = store_overflow((struct profile_stack_buf *)&st->buf);
	if (id < 0) {
		kunwind_count(KUNWIND_END_STORE);
		count(PC_USER_FULL);	/* a lost sample like a full stack map's */
	}
	return id;
}

/* First sample of @tgid, or time to read its maps again (see profile.h). */
static __always_inline void announce(__u32 tgid)
{
	struct profile_seen *s, fresh = {};
	__u64 now = bpf_ktime_get_ns(), wait;

	s = bpf_map_lookup_elem(&seen, &tgid);
	if (!s) {
		fresh.first_ns = fresh.last_ns = now;
		if (!bpf_map_update_elem(&seen, &tgid, &fresh, BPF_NOEXIST))
			notify(PROFILE_EV_NEW, tgid);
		return;
	}
	wait = s->last_ns - s->first_ns;
	if (wait < PROFILE_RENOTIFY_MIN_NS)
		wait = PROFILE_RENOTIFY_MIN_NS;
	if (now - s->last_ns < wait)
		return;
	s->last_ns = now;	/* racing CPUs at worst announce twice */
	notify(PROFILE_EV_NEW, tgid);
}

#include "profile_offcpu.bpf.h"

SEC("perf_event")
int profile_sample(struct bpf_perf_event_data *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 id = bpf_get_current_pid_tgid();
	struct profile_key key = {};
	bool kmode = in_kernel_mode(ctx);

	key.tgid = id >> 32;
	count(PC_SAMPLES);
	/*
	 * --kernel-only counts kernel time only (but --wall all of it, kernel stacks
	 * only); --user-only skips kernel threads.
	 */
	if (!wanted(key.tgid, (__u32)id) || (!want_user && !kmode && !wall) ||
	    (!want_kernel && !task->mm)) {
		count(PC_FILTERED);
		return 0;
	}
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	if (wall)
		key.pid = (__u32)id;	/* the wall clock is a thread's: off-CPU keys have it */
	key.user_stack_id = PROFILE_STACK_NONE;
	key.kernel_stack_id = PROFILE_STACK_NONE;
	/* Kernel threads and tasks past exit_mm() have no user stack. */
	if (want_user && task->mm) {
		key.user_stack_id = kunwind ? kunwind_user_stack(ctx, task, key.tgid) : -ENOENT;
		/* Tables not loaded yet (or not wanted): the frame-pointer walk. */
		if (key.user_stack_id == -ENOENT)
			key.user_stack_id = stack_id(ctx, BPF_F_USER_STACK, PC_USER_COLLISION);
		if (key.user_stack_id >= 0 && bpf_map_lookup_elem(&py_procs, &key.tgid))
			key.user_stack_id = pyframes_user_stack(ctx, key.tgid, key.user_stack_id);
	}
	if (want_kernel && kmode)
		key.kernel_stack_id = stack_id(ctx, 0, PC_KERN_COLLISION);
	if (wall)
		wall_add(&key, OFFCPU_STATE_RUNNING, ctx->sample_period);
	else
		add_sample(&key);
	if (key.tgid)
		announce(key.tgid);
	return 0;
}

/* A new image: its maps differ, so the next sample announces the tgid again. */
SEC("tp/sched/sched_process_exec")
int profile_exec(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	bpf_map_delete_elem(&seen, &tgid);
	bpf_map_delete_elem(&kunwind_procs, &tgid);
	bpf_map_delete_elem(&py_procs, &tgid);
	return 0;
}

SEC("tp/sched/sched_process_exit")
int profile_exit(struct trace_event_raw_sched_process_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	bool last;

	/* group_dead (6.16+) is exact; before it, the leader's exit stands in. */
	if (bpf_core_field_exists(ctx->group_dead))
		last = BPF_CORE_READ(ctx, group_dead);
	else
		last = tgid == (__u32)id;
	if (!last)
		return 0;
	bpf_map_delete_elem(&kunwind_procs, &tgid);
	bpf_map_delete_elem(&py_procs, &tgid);
	if (bpf_map_delete_elem(&seen, &tgid) && !bpf_map_lookup_elem(&target_tgids, &tgid))
		return 0;
	notify(PROFILE_EV_EXIT, tgid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
