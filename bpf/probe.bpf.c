// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal programs that `faultline probe` loads and attaches one at a time to
 * learn, by trying, which hook types this kernel accepts. All are optional
 * ("?") so the loader enables exactly the one under test.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define PROBE_STACK_DEPTH 32

/* Runs counted so a probe can tell "attached" from "attached and fired". */
__u64 hits;
__s64 user_stack_bytes;
__u32 target_tgid;

SEC("?tp")
int probe_tracepoint(void *ctx)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

SEC("?tp_btf/sched_process_exit")
int BPF_PROG(probe_tp_btf, struct task_struct *p)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

SEC("?raw_tp/sched_process_exit")
int probe_raw_tp(void *ctx)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

SEC("?kprobe/vfs_read")
int probe_kprobe(void *ctx)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

SEC("?fentry/vfs_read")
int BPF_PROG(probe_fentry)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

SEC("?uprobe")
int probe_uprobe(void *ctx)
{
	if ((bpf_get_current_pid_tgid() >> 32) == target_tgid)
		__sync_fetch_and_add(&hits, 1);
	return 0;
}

SEC("?perf_event")
int probe_perf_event(struct bpf_perf_event_data *ctx)
{
	__u64 stack[PROBE_STACK_DEPTH];
	long n;

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	__sync_fetch_and_add(&hits, 1);
	n = bpf_get_stack(ctx, stack, sizeof(stack), BPF_F_USER_STACK);
	if (n > user_stack_bytes)
		user_stack_bytes = n;
	return 0;
}

SEC("?iter/task")
int probe_iter_task(struct bpf_iter__task *ctx)
{
	if (ctx->task)
		__sync_fetch_and_add(&hits, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
