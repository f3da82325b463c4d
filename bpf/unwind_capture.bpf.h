/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a DWARF unwinder in userspace needs from BPF, shared by the profiler
 * (profile_dwarf.bpf.c) and watch (watch_common.bpf.h): the user registers
 * and a bounded copy of the top of the user stack. Include after vmlinux.h
 * and the libbpf headers.
 */
#ifndef FAULTLINE_UNWIND_CAPTURE_BPF_H
#define FAULTLINE_UNWIND_CAPTURE_BPF_H

#include "unwind.h"

#define UNWIND_PAGE_SIZE 4096
#define UNWIND_MAX_PAGES (UNWIND_STACK_MAX / UNWIND_PAGE_SIZE + 1)

/* The user registers saved at kernel entry (task_pt_regs). */
static __always_inline void unwind_task_regs(struct task_struct *task, __u64 *ip, __u64 *sp,
					     __u64 *bp)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

	*ip = BPF_CORE_READ(regs, ip);
	*sp = BPF_CORE_READ(regs, sp);
	*bp = BPF_CORE_READ(regs, bp);
}

/*
 * How much to copy: @max_bytes, but never past the main thread's initial
 * stack pointer (mm->start_stack, where argc is): above it are only argv,
 * the environment and the auxv, which no unwinder reads; often kilobytes.
 */
static __always_inline __u32 unwind_stack_want(struct task_struct *task, __u64 sp,
					       __u32 max_bytes)
{
	__u64 top = BPF_CORE_READ(task, mm, start_stack);
	__u32 want = max_bytes;

	if (want > UNWIND_STACK_MAX)
		want = UNWIND_STACK_MAX;
	if (sp < top && top - sp + 64 < want)
		want = top - sp + 64;
	return want;
}

/*
 * Page by page: when the whole read faults (the stack VMA ends less than
 * @want above SP), keep every readable page below the fault instead of
 * sending nothing.
 */
static __always_inline __u32 unwind_copy_pages(__u8 *stack, __u64 sp, __u32 want)
{
	__u64 off = 0, n;
	int i;

	for (i = 0; i < UNWIND_MAX_PAGES; i++) {
		if (off >= want || off > UNWIND_STACK_MAX - UNWIND_PAGE_SIZE)
			break;
		n = UNWIND_PAGE_SIZE - ((sp + off) & (UNWIND_PAGE_SIZE - 1));
		if (n > want - off)
			n = want - off;
		/* keep the verifier's bounds on n through the compiler's choices */
		barrier_var(n);
		if (n > UNWIND_PAGE_SIZE)
			break;
		if (bpf_probe_read_user(&stack[off], n, (void *)(sp + off)))
			break;
		off += n;
	}
	return off;
}

/*
 * Copies up to @want bytes from @sp into @stack (UNWIND_STACK_MAX bytes of
 * room); returns how many are valid.
 */
static __always_inline __u32 unwind_copy_stack(__u8 *stack, __u64 sp, __u32 want)
{
	if (want && want <= UNWIND_STACK_MAX && !bpf_probe_read_user(stack, want, (void *)sp))
		return want;
	return unwind_copy_pages(stack, sp, want);
}

#endif
