/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_UNWIND_H
#define FAULTLINE_UNWIND_H

/*
 * One CPU sample for DWARF unwinding, sent by bpf/profile_dwarf.bpf.c through
 * the ring buffer: the user registers the unwinder starts from, a copy of the
 * top of the user stack and the id of the kernel stack (kernel stacks stay on
 * the in-kernel walker). Only @stack_len bytes of @stack follow the header on
 * the wire, so a shallow stack moves few bytes.
 */
#define UNWIND_STACK_MAX	(64 * 1024)	/* --stack-bytes upper bound */
#define UNWIND_STACK_DEFAULT	(16 * 1024)
#define UNWIND_COMM_LEN		16

enum unwind_sample_flags {
	UNWIND_F_KERNEL_THREAD = 1 << 0,	/* no user context at all */
	UNWIND_F_STACK_SHORT = 1 << 1,		/* a fault ended the copy before the size asked */
	UNWIND_F_IN_KERNEL = 1 << 2,		/* the sample interrupted kernel mode */
};

/* kstack_id of a sample whose kernel stack was not asked for (user mode, --user-only). */
#define UNWIND_KSTACK_NONE	(-0x10000)

enum unwind_bpf_counter {
	UNWIND_CNT_SAMPLES,		/* every run of the program */
	UNWIND_CNT_FILTERED,		/* of those, outside the pid/tid/cgroup/mode filters */
	UNWIND_CNT_RINGBUF_FULL,	/* dropped: no room in the ring buffer */
	UNWIND_CNT_NO_STACK,		/* user stack unreadable: sent with stack_len 0 */
	UNWIND_CNT_NR,
};

struct unwind_sample {
	__u32 tgid;
	__u32 tid;
	__u64 ip;
	__u64 sp;
	__u64 bp;
	__u64 time_ns;		/* bpf_ktime_get_ns() */
	__s32 kstack_id;	/* bpf_get_stackid(): id, -errno, or UNWIND_KSTACK_NONE */
	__u32 stack_len;	/* bytes of @stack that are valid, copied from @sp upwards */
	__u32 flags;		/* enum unwind_sample_flags */
	__u32 cpu;
	char comm[UNWIND_COMM_LEN];
	__u8 stack[UNWIND_STACK_MAX];
};

#define UNWIND_SAMPLE_HDR_LEN	((unsigned long)&((struct unwind_sample *)0)->stack)

#endif
