// SPDX-License-Identifier: GPL-2.0
/*
 * Process lifecycle notices for the watch pipeline itself (never printed):
 * exec, so userspace snapshots a new process's maps while it is alive (a
 * process that crashes or is OOM-killed has no maps left when its event is
 * decoded), and exit, so those snapshots are dropped again later.
 */
#include "watch_common.bpf.h"

static __always_inline int notice(__u32 kind)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct watch_notice *n;

	if (!watch_current_wanted(tgid))
		return 0;
	n = watch_reserve(sizeof(*n));
	if (!n)
		return 0;
	watch_fill_header(&n->hdr, WATCH_EV_NOTICE, sizeof(*n));
	n->kind = kind;
	n->pad = 0;
	watch_submit(n);
	return 0;
}

SEC("tp/sched/sched_process_exec")
int proc_exec(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	/* The old image's mappings must not walk the new one's stacks. */
	if (kunwind)
		bpf_map_delete_elem(&kunwind_procs, &tgid);
	return notice(WATCH_NOTICE_EXEC);
}

/*
 * A forked process has its parent's mappings: it gets a copy of the
 * parent's unwind tables entry at once, so its first events (a pre-forked
 * server's workers) are walked whole without waiting for userspace. Threads
 * share their process's entry. Loaded only with the in-kernel walk.
 */
SEC("?tp_btf/sched_process_fork")
int BPF_PROG(proc_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct kunwind_proc *p;

	if (ctgid == ptgid || !watch_tgid_wanted(ctgid) || !watch_cgroup_wanted())
		return 0;
	p = bpf_map_lookup_elem(&kunwind_procs, &ptgid);
	if (p)
		bpf_map_update_elem(&kunwind_procs, &ctgid, p, BPF_NOEXIST);
	return 0;
}

SEC("tp/sched/sched_process_exit")
int proc_exit(struct trace_event_raw_sched_process_exit *ctx)
{
	if (!watch_group_dead(ctx))
		return 0;
	return notice(WATCH_NOTICE_EXIT);
}
