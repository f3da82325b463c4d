// SPDX-License-Identifier: GPL-2.0
/*
 * signal: fatal signals at delivery, in the receiving thread's context, so
 * its user stack shows the code that faulted (or was running when killed).
 * signal_generate runs in the sender's context: remember who sent what to
 * whom, to name the sender at delivery. Optionally non-zero process exits.
 */
#define WATCH_RATE_LIMIT
#define WATCH_RATE_ENTRIES 4096
#include "watch_common.bpf.h"
#include "watch_signal.h"

#define SI_KERNEL 0x80
#define SIGKILL 9
#define SIGNAL_GROUP_EXIT 0x00000004	/* include/linux/sched/signal.h, stable */
#define PF_KTHREAD 0x00200000		/* include/linux/sched.h, stable */
#define DEDUP_WINDOW_NS (5ULL * 1000000000)

/*
 * Bit n set (by userspace): in report_mask, signal n is reported when its
 * default action applies (it ends or stops the process); in handled_mask,
 * also when a handler catches it (SIGSEGV, SIGBUS, ...); in ends_mask, its
 * default action ends the process (terminate or core dump).
 */
const volatile __u64 report_mask = 0;
const volatile __u64 handled_mask = 0;
const volatile __u64 ends_mask = 0;

/* Keyed by the target process (tp_btf) or thread (classic tracepoint). */
struct sender_key {
	__u32 tid;
	__s32 sig;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct sender_key);
	__type(value, struct watch_sender);
} senders SEC(".maps");

/* When each process last had a fatal signal reported: see first_of_group_exit(). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} reported SEC(".maps");

/*
 * A process dying as a group delivers SIGKILL to each of its threads: report
 * the first fatal delivery only, count the others in WATCH_CNT_SOURCE0. Only
 * fatal deliveries are remembered, so a handled signal just before cannot
 * hide the one that ends the process.
 */
static __always_inline bool first_of_group_exit(__u32 tgid, bool group_kill)
{
	__u64 now = bpf_ktime_get_ns(), *last;

	last = bpf_map_lookup_elem(&reported, &tgid);
	if (group_kill && last && now - *last < DEDUP_WINDOW_NS) {
		watch_count(WATCH_CNT_SOURCE0);
		return false;
	}
	if (bpf_map_update_elem(&reported, &tgid, &now, BPF_ANY))
		watch_count(WATCH_CNT_MAP_FULL);
	return true;
}

static __always_inline bool wanted_sig(int sig)
{
	return sig > 0 && sig < 64 && (report_mask & (1ULL << sig));
}

/*
 * A crash handler that caught a signal another process sent often raises it
 * again to die of it (redis, Python's faulthandler): the death is still that
 * sender's doing, not the process's own abort. True when the sender is the
 * target re-raising a signal it caught within the last seconds.
 */
static __always_inline bool reraised(const struct sender_key *key, __u64 id)
{
	struct watch_sender *old = bpf_map_lookup_elem(&senders, key);

	if (!old || !(old->flags & WATCH_SENDER_CAUGHT) ||
	    (key->tid != (__u32)(id >> 32) && key->tid != (__u32)id) ||
	    bpf_ktime_get_ns() - old->ktime_ns > DEDUP_WINDOW_NS)
		return false;
	old->flags = WATCH_SENDER_RERAISED;
	return true;
}

/* Keeps the sender of a signal the process caught: see reraised(). */
static __always_inline void remember_caught(const struct watch_signal_event *e)
{
	struct sender_key key = { .tid = e->hdr.tgid, .sig = e->sig };
	struct watch_sender s = e->sender;

	if (!(e->flags & WATCH_SIG_HANDLED) || !(e->flags & WATCH_SIG_HAVE_SENDER) ||
	    s.pid == e->hdr.tgid || (s.code > 0 && s.code != SI_KERNEL))
		return;
	s.flags = WATCH_SENDER_CAUGHT;
	s.ktime_ns = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&senders, &key, &s, BPF_ANY))
		watch_count(WATCH_CNT_MAP_FULL);
}

/* Remembers who sent @sig to @target (in the sender's context). */
static __always_inline void remember_sender(int sig, __u32 target, int code, int result)
{
	struct sender_key key = { .tid = target, .sig = sig };
	struct task_struct *task = bpf_get_current_task_btf();
	struct watch_sender s = {};
	__u64 id = bpf_get_current_pid_tgid();

	/* Ignored, or already pending: the first sender is the one that counts. */
	if (result != TRACE_SIGNAL_DELIVERED && result != TRACE_SIGNAL_LOSE_INFO)
		return;
	if (reraised(&key, id))
		return;
	s.pid = id >> 32;
	s.tid = (__u32)id;
	s.uid = (__u32)bpf_get_current_uid_gid();
	s.code = code;
	s.ktime_ns = bpf_ktime_get_ns();
	bpf_get_current_comm(s.thread_comm, sizeof(s.thread_comm));
	BPF_CORE_READ_STR_INTO(&s.comm, task, group_leader, comm);
	/*
	 * kill() and tgkill() versus the kernel sending in the sender's name
	 * (SIGPIPE from write(): also SI_USER): the system call tells them apart.
	 */
	s.syscall = -1;
	if (!(task->flags & PF_KTHREAD))
		s.syscall = BPF_CORE_READ((struct pt_regs *)bpf_task_pt_regs(task), orig_ax);
	if (bpf_map_update_elem(&senders, &key, &s, BPF_ANY))
		watch_count(WATCH_CNT_MAP_FULL);
}

SEC("?tp_btf/signal_generate")
int BPF_PROG(signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	if (!wanted_sig(sig) || !task || !watch_tgid_wanted(task->tgid))
		return 0;
	/* SEND_SIG_NOINFO/PRIV are small integers, not pointers. */
	remember_sender(sig, task->tgid,
			(unsigned long)info > 2 ? BPF_CORE_READ(info, si_code) : (info ? SI_KERNEL : 0),
			result);
	return 0;
}

/* Fallback: the target is known by thread id only; -p then matches its leader. */
SEC("?tp/signal/signal_generate")
int signal_generate_tp(struct trace_event_raw_signal_generate *args)
{
	if (!wanted_sig(args->sig) || !watch_tgid_wanted(args->pid))
		return 0;
	remember_sender(args->sig, args->pid, args->code, args->result);
	return 0;
}

static __always_inline void find_sender(struct watch_signal_event *e)
{
	struct sender_key key = { .tid = e->hdr.tid, .sig = e->sig };
	struct watch_sender *s = bpf_map_lookup_elem(&senders, &key);

	if (!s) {
		key.tid = e->hdr.tgid;	/* kill(pid): sent to the group, delivered here */
		s = bpf_map_lookup_elem(&senders, &key);
	}
	if (!s)
		return;
	e->sender = *s;
	e->flags |= WATCH_SIG_HAVE_SENDER;
	bpf_map_delete_elem(&senders, &key);
}

/* What the delivery hook knows about the signal. */
struct delivery {
	int sig;
	int code;
	int err;
	__u64 handler;
	__u64 fault_addr;
	__u32 flags;		/* enum watch_signal_flags known at delivery */
};

/*
 * The kernel ends a process on a fatal signal by queueing SIGKILL to all its
 * threads (complete_signal() for most signals, zap_process() after a core
 * dump, zap_other_threads() for exit_group() and exec); get_signal() then
 * delivers that SIGKILL without siginfo. Put back the signal that started it,
 * from signal->group_exit_code. Returns false for deliveries that are not a
 * death by signal (a sibling's exit_group() or exec()), counted in SOURCE1.
 */
static __always_inline bool resolve_group_kill(struct delivery *d)
{
	struct signal_struct *sig = bpf_get_current_task_btf()->signal;
	int orig;

	if (d->sig != SIGKILL)
		return true;
	if (!(sig->flags & SIGNAL_GROUP_EXIT)) {
		if (!sig->group_exec_task)
			return true;
		watch_count(WATCH_CNT_SOURCE1);
		return false;
	}
	orig = sig->group_exit_code & 0x7f;
	if (!orig) {
		watch_count(WATCH_CNT_SOURCE1);
		return false;
	}
	d->sig = orig;
	d->code = 0;
	d->err = 0;
	d->fault_addr = 0;
	d->handler = 0;
	d->flags |= WATCH_SIG_GROUP_EXIT | WATCH_SIG_CODE_UNKNOWN | WATCH_SIG_FATAL;
	return true;
}

/* Whether to report, by disposition: see report_mask and handled_mask. */
static __always_inline bool deliver_wanted(const struct delivery *d, __u32 tgid)
{
	struct sender_key key = { .tid = tgid, .sig = d->sig };

	if (!watch_current_wanted(tgid))
		return false;
	if (d->handler > 1 && !(handled_mask & (1ULL << d->sig))) {
		/* Caught (a graceful SIGTERM): its sender must not name a later death. */
		bpf_map_delete_elem(&senders, &key);
		key.tid = (__u32)bpf_get_current_pid_tgid();
		bpf_map_delete_elem(&senders, &key);
		return false;
	}
	/*
	 * A handled signal does not end the process and can repeat thousands of
	 * times a second (a runtime's SIGSEGV-driven GC); a stop can repeat too:
	 * rate-limit those. A fatal delivery happens once per process and is
	 * always reported.
	 */
	if (!(d->flags & WATCH_SIG_FATAL) && !watch_rate_allow(tgid, bpf_ktime_get_ns()))
		return false;
	return !(d->flags & WATCH_SIG_FATAL) ||
	       first_of_group_exit(tgid, d->flags & WATCH_SIG_GROUP_EXIT);
}

static __always_inline void fill_signal(struct watch_signal_event *e, const struct delivery *d)
{
	struct task_struct *task = bpf_get_current_task_btf();

	__builtin_memset(&e->thread_comm, 0,
			 sizeof(*e) - sizeof(e->hdr) - sizeof(e->stacks));
	watch_fill_header(&e->hdr, WATCH_EV_SIGNAL, sizeof(*e));
	__builtin_memcpy(e->thread_comm, e->hdr.comm, sizeof(e->thread_comm));
	BPF_CORE_READ_STR_INTO(&e->hdr.comm, task, group_leader, comm);
	e->sig = d->sig;
	e->code = d->code;
	e->err = d->err;
	e->fault_addr = d->fault_addr;
	e->handler = d->handler;
	e->flags = d->flags;
	if (d->handler > 1)	/* neither SIG_DFL nor SIG_IGN */
		e->flags |= WATCH_SIG_HANDLED;
	find_sender(e);
	remember_caught(e);
	if ((e->flags & WATCH_SIG_CODE_UNKNOWN) && (e->flags & WATCH_SIG_HAVE_SENDER)) {
		e->code = e->sender.code;
		e->flags &= ~WATCH_SIG_CODE_UNKNOWN;
	}
}

static __always_inline void deliver(void *ctx, struct delivery *d)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct watch_signal_event *e;

	if (!resolve_group_kill(d) || !wanted_sig(d->sig))
		return;
	if (d->handler == 0 && (ends_mask & (1ULL << d->sig)))
		d->flags |= WATCH_SIG_FATAL;
	if (!deliver_wanted(d, tgid))
		return;
	e = watch_reserve(sizeof(*e));
	if (!e)
		return;
	fill_signal(e, d);
	watch_capture_stacks(ctx, &e->hdr, &e->stacks);
	watch_submit(e);
}

SEC("?tp_btf/signal_deliver")
int BPF_PROG(signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	struct delivery d = { .sig = sig, .code = SI_KERNEL };

	if (info) {
		d.code = BPF_CORE_READ(info, si_code);
		d.err = BPF_CORE_READ(info, si_errno);
		if (d.code > 0 && d.code < SI_KERNEL)
			d.fault_addr = (__u64)BPF_CORE_READ(info, _sifields._sigfault._addr);
	}
	if (ka)
		d.handler = (__u64)BPF_CORE_READ(ka, sa.sa_handler);
	deliver(ctx, &d);
	return 0;
}

/* Fallback: the tracepoint's fields carry no fault address. */
SEC("?tp/signal/signal_deliver")
int signal_deliver_tp(struct trace_event_raw_signal_deliver *args)
{
	struct delivery d = {
		.sig = args->sig, .code = args->code, .err = args->errno,
		.handler = args->sa_handler, .flags = WATCH_SIG_NO_FAULT_ADDR,
	};

	deliver(args, &d);
	return 0;
}

/* Processes whose exit was reported: tgid -> start time (see watch_group_dead()). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} exited SEC(".maps");

static __always_inline bool first_exit(__u32 tgid, __u64 start_ns)
{
	__u64 *seen = bpf_map_lookup_elem(&exited, &tgid);

	if (seen && *seen == start_ns)
		return false;
	if (bpf_map_update_elem(&exited, &tgid, &start_ns, BPF_ANY))
		watch_count(WATCH_CNT_MAP_FULL);
	return true;
}

SEC("?tp/sched/sched_process_exit")
int signal_exit(struct trace_event_raw_sched_process_exit *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct watch_exit_event *e;
	__u64 start_ns;
	__u32 code;

	if (!watch_group_dead(ctx))
		return 0;
	code = BPF_CORE_READ(task, exit_code);
	if (!code || !watch_current_wanted(task->tgid))
		return 0;
	/* The process's start time: the leader's, whichever thread exits last. */
	start_ns = BPF_CORE_READ(task, group_leader, start_time);
	if (!first_exit(task->tgid, start_ns))
		return 0;
	e = watch_reserve(sizeof(*e));
	if (!e)
		return 0;
	watch_fill_header(&e->hdr, WATCH_EV_PROCESS_EXIT, sizeof(*e));
	/* The last thread to exit may be any thread: name the process. */
	BPF_CORE_READ_STR_INTO(&e->hdr.comm, task, group_leader, comm);
	e->exit_code = code;
	e->pad = 0;
	e->start_ns = start_ns;
	watch_submit(e);
	return 0;
}
