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
#define SIGNAL_GROUP_EXIT 0x00000004	/* include/linux/sched/signal.h, stable */
#define DEDUP_WINDOW_NS (5ULL * 1000000000)

/* Bit n set: signal n is reported (SIGSEGV, SIGBUS, ... set by userspace). */
const volatile __u64 fatal_mask = 0;

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
 * the first delivery only, count the others in WATCH_CNT_SOURCE0.
 */
static __always_inline bool first_of_group_exit(__u32 tgid)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 now = bpf_ktime_get_ns(), *last;

	last = bpf_map_lookup_elem(&reported, &tgid);
	if (last && (task->signal->flags & SIGNAL_GROUP_EXIT) && now - *last < DEDUP_WINDOW_NS) {
		watch_count(WATCH_CNT_SOURCE0);
		return false;
	}
	if (bpf_map_update_elem(&reported, &tgid, &now, BPF_ANY))
		watch_count(WATCH_CNT_MAP_FULL);
	return true;
}

static __always_inline bool wanted_sig(int sig)
{
	return sig > 0 && sig < 64 && (fatal_mask & (1ULL << sig));
}

SEC("tp_btf/signal_generate")
int BPF_PROG(signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	struct sender_key key = { .sig = sig };
	struct watch_sender s = {};
	__u64 id;

	if (!wanted_sig(sig) || !task)
		return 0;
	if (!watch_tgid_wanted(task->tgid))
		return 0;
	id = bpf_get_current_pid_tgid();
	key.tid = task->pid;
	s.pid = id >> 32;
	s.tid = (__u32)id;
	s.uid = (__u32)bpf_get_current_uid_gid();
	/* SEND_SIG_NOINFO/PRIV are small integers, not pointers. */
	s.code = (unsigned long)info > 2 ? BPF_CORE_READ(info, si_code) : (info ? SI_KERNEL : 0);
	s.ktime_ns = bpf_ktime_get_ns();
	bpf_get_current_comm(s.comm, sizeof(s.comm));
	if (bpf_map_update_elem(&senders, &key, &s, BPF_ANY))
		watch_count(WATCH_CNT_MAP_FULL);
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

SEC("tp_btf/signal_deliver")
int BPF_PROG(signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct watch_signal_event *e;
	__u64 handler = 0;

	if (!wanted_sig(sig) || !watch_current_wanted(tgid))
		return 0;
	if (ka)
		handler = (__u64)BPF_CORE_READ(ka, sa.sa_handler);
	/*
	 * A handled signal does not end the process and can repeat thousands of
	 * times a second (a runtime's SIGSEGV-driven GC): rate-limit those. A
	 * fatal delivery happens once per process and is always reported.
	 */
	if (handler > 1 && !watch_rate_allow(tgid, bpf_ktime_get_ns()))
		return 0;
	if (!first_of_group_exit(tgid))
		return 0;
	e = watch_reserve(sizeof(*e));
	if (!e)
		return 0;
	__builtin_memset(&e->sig, 0, sizeof(*e) - sizeof(e->hdr) - sizeof(e->stacks));
	watch_fill_header(&e->hdr, WATCH_EV_SIGNAL, sizeof(*e));
	e->sig = sig;
	e->handler = handler;
	if (handler > 1)	/* neither SIG_DFL nor SIG_IGN */
		e->flags |= WATCH_SIG_HANDLED;
	if (info) {
		e->code = BPF_CORE_READ(info, si_code);
		e->err = BPF_CORE_READ(info, si_errno);
		if (e->code > 0 && e->code < SI_KERNEL)
			e->fault_addr = (__u64)BPF_CORE_READ(info, _sifields._sigfault._addr);
	} else {
		e->code = SI_KERNEL;
	}
	find_sender(e);
	watch_capture_stacks(ctx, &e->hdr, &e->stacks);
	watch_submit(e);
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
	e->exit_code = code;
	e->pad = 0;
	e->start_ns = start_ns;
	watch_submit(e);
	return 0;
}
