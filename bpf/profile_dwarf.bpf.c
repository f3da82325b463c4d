// SPDX-License-Identifier: GPL-2.0
/*
 * CPU samples for DWARF unwinding (profile --unwind dwarf). Frame-pointer
 * walking cannot be done for binaries built without frame pointers (most of
 * Debian), so instead of walking the user stack here we ship what a DWARF
 * unwinder needs: the user IP/SP/BP and a copy of the top of the user stack.
 * Userspace unwinds it with the binaries' .eh_frame. The kernel stack is
 * still walked in the kernel, into a stack map, as in the FP profiler.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "unwind_capture.bpf.h"

const volatile __u32 targ_tid;		/* 0: any thread */
const volatile __u64 targ_cgroup;	/* cgroup v2 id, 0: any */
const volatile bool filter_pids;	/* only tgids in the pids map */
const volatile bool include_idle;
const volatile __u32 self_tgid;		/* faultline: left out unless -p names it */
const volatile bool user_only;		/* no kernel stacks, no kernel threads */
const volatile bool kernel_only;	/* kernel-mode samples only, no user stacks */
const volatile __u32 stack_bytes = UNWIND_STACK_DEFAULT;
const volatile __u64 wakeup_bytes = 256 * 1024;

__u64 counters[UNWIND_CNT_NR];

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} pids SEC(".maps");

/* tgids already sampled; LRU so a busy host never fills it for good */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 127 * sizeof(__u64));
} kstacks SEC(".maps");

/* Sized by userspace; samples are variable-length (header + copied bytes). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} samples SEC(".maps");

/*
 * The sample is assembled here: it is too big for the BPF stack, and for a
 * per-CPU array (32 KiB values at most), so one slot per CPU, sized by
 * userspace. perf_event programs do not nest on a CPU.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct unwind_sample);
} scratch SEC(".maps");

static __always_inline void count(enum unwind_bpf_counter c)
{
	__sync_fetch_and_add(&counters[c], 1);
}

static __always_inline bool sample_wanted(__u32 tgid, __u32 tid)
{
	if (!tid && !include_idle)
		return false;
	if (targ_tid && tid != targ_tid)
		return false;
	if (filter_pids && !bpf_map_lookup_elem(&pids, &tgid))
		return false;
	if (!filter_pids && !targ_tid && tgid == self_tgid)
		return false;
	if (targ_cgroup && bpf_get_current_cgroup_id() != targ_cgroup)
		return false;
	return true;
}

/* The kernel lives in the upper half of the address space. */
static __always_inline bool in_kernel_mode(struct bpf_perf_event_data *ctx)
{
	return (long)PT_REGS_IP(&ctx->regs) < 0;
}

/*
 * The user registers: the sample's own when it interrupted user mode, else
 * the ones saved at kernel entry (task_pt_regs).
 */
static __always_inline void user_regs(struct bpf_perf_event_data *ctx, struct task_struct *task,
				      struct unwind_sample *s)
{
	if (!(s->flags & UNWIND_F_IN_KERNEL)) {
		s->ip = PT_REGS_IP(&ctx->regs);
		s->sp = PT_REGS_SP(&ctx->regs);
		s->bp = PT_REGS_FP(&ctx->regs);
		return;
	}
	unwind_task_regs(task, &s->ip, &s->sp, &s->bp);
}

static __always_inline void copy_stack(struct task_struct *task, struct unwind_sample *s)
{
	__u32 want = unwind_stack_want(task, s->sp, stack_bytes);

	s->stack_len = unwind_copy_stack(s->stack, s->sp, want);
	if (s->stack_len < want)
		s->flags |= UNWIND_F_STACK_SHORT;
	if (!s->stack_len)
		count(UNWIND_CNT_NO_STACK);
}

/*
 * Waking the reader for every sample costs a context switch per sample and,
 * measured on 6.18 with cpu-clock, cut the effective rate to a tenth: wake it
 * once a batch is waiting (it also polls on a timer), or at once for the
 * first sample of a process, whose maps must be read while it still lives.
 */
static __always_inline __u64 wakeup_flags(__u32 tgid)
{
	__u8 one = 1;

	if (tgid && !bpf_map_update_elem(&seen, &tgid, &one, BPF_NOEXIST))
		return BPF_RB_FORCE_WAKEUP;
	return bpf_ringbuf_query(&samples, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
		       BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

SEC("perf_event")
int profile_dwarf(struct bpf_perf_event_data *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id, cpu, len;
	bool kmode = in_kernel_mode(ctx);
	struct unwind_sample *s;

	count(UNWIND_CNT_SAMPLES);
	/* --kernel-only counts kernel time only; --user-only skips kernel threads */
	if (!sample_wanted(tgid, tid) || (kernel_only && !kmode) || (user_only && !task->mm)) {
		count(UNWIND_CNT_FILTERED);
		return 0;
	}
	cpu = bpf_get_smp_processor_id();
	s = bpf_map_lookup_elem(&scratch, &cpu);
	if (!s)
		return 0;
	s->tgid = tgid;
	s->tid = tid;
	s->time_ns = bpf_ktime_get_ns();
	s->cpu = cpu;
	s->flags = kmode ? UNWIND_F_IN_KERNEL : 0;
	s->stack_len = 0;
	s->ip = s->sp = s->bp = 0;
	bpf_get_current_comm(s->comm, sizeof(s->comm));
	s->kstack_id = UNWIND_KSTACK_NONE;
	if (kmode && !user_only)
		s->kstack_id = bpf_get_stackid(ctx, &kstacks, 0);
	/* kernel threads and tasks past exit_mm() have no user stack */
	if (!task->mm)
		s->flags |= UNWIND_F_KERNEL_THREAD;
	else if (!kernel_only) {
		user_regs(ctx, task, s);
		copy_stack(task, s);
	}

	len = s->stack_len;
	if (len > UNWIND_STACK_MAX)
		len = UNWIND_STACK_MAX;
	if (bpf_ringbuf_output(&samples, s, UNWIND_SAMPLE_HDR_LEN + len, wakeup_flags(tgid)))
		count(UNWIND_CNT_RINGBUF_FULL);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
