// SPDX-License-Identifier: GPL-2.0
/*
 * oom_kill: oom:mark_victim fires in the context of the task whose allocation
 * invoked the OOM killer (the trigger), with the chosen victim as argument.
 * The typed tp_btf hook gives the victim's task_struct, so its memory cgroup
 * and counters are read with CO-RE; the classic tracepoint is the fallback.
 */
#include "watch_common.bpf.h"
#include "watch_oom.h"

#define PAGE_KB 4		/* x86_64 pages */
#define PAGE_COUNTER_MAX_PAGES (0x7fffffffffffffffULL / 4096)

/* kernfs_node.parent became __parent in 6.15 (RCU-protected accessors). */
struct kernfs_node___old {
	struct kernfs_node *parent;
};

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

static __always_inline void memcg_names(struct watch_oom_event *e, struct kernfs_node *kn)
{
	for (int i = 0; i < WATCH_CG_LEVELS; i++) {
		struct kernfs_node *parent;

		if (!kn)
			return;
		parent = kn_parent(kn);
		if (!parent)	/* the root has no name worth showing */
			return;
		bpf_probe_read_kernel_str(e->memcg_names[i], WATCH_CG_NAME_LEN,
					  BPF_CORE_READ(kn, name));
		e->memcg_levels = i + 1;
		kn = parent;
	}
	if (kn && kn_parent(kn))
		e->flags |= WATCH_OOM_PATH_TRUNCATED;
}

/* True when @memcg or an ancestor has usage at its limit: a memcg OOM. */
static __always_inline bool memcg_at_limit(struct mem_cgroup *memcg)
{
	struct page_counter *pc = &memcg->memory;

	for (int i = 0; i < WATCH_CG_LEVELS && pc; i++) {
		__u64 max = BPF_CORE_READ(pc, max), usage = BPF_CORE_READ(pc, usage.counter);

		/* Charging fails once usage + the request exceeds max: allow slack. */
		if (max < PAGE_COUNTER_MAX_PAGES && usage + 64 >= max)
			return true;
		pc = BPF_CORE_READ(pc, parent);
	}
	return false;
}

static __always_inline void victim_memcg(struct watch_oom_event *e, struct task_struct *victim)
{
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct cgroup_subsys_state *css;
	struct mem_cgroup *memcg;
	struct kernfs_node *kn;

	if (id < 0 || id >= CGROUP_SUBSYS_COUNT)
		return;
	css = BPF_CORE_READ(victim, cgroups, subsys[id]);
	if (!css)
		return;
	memcg = container_of(css, struct mem_cgroup, css);
	kn = BPF_CORE_READ(css, cgroup, kn);
	e->flags |= WATCH_OOM_HAVE_MEMCG;
	e->memcg_id = BPF_CORE_READ(kn, id);
	e->memcg_limit_kb = BPF_CORE_READ(memcg, memory.max) * PAGE_KB;
	e->memcg_usage_kb = BPF_CORE_READ(memcg, memory.usage.counter) * PAGE_KB;
	if (memcg_at_limit(memcg))
		e->flags |= WATCH_OOM_MEMCG_AT_LIMIT;
	memcg_names(e, kn);
}

/* Per-CPU counter sums can be transiently negative; the tracepoint clamps too. */
static __always_inline __u64 pages_kb(__s64 pages)
{
	return pages > 0 ? (__u64)pages * PAGE_KB : 0;
}

static __always_inline void victim_counters(struct watch_oom_event *e, struct task_struct *victim)
{
	struct mm_struct *mm = BPF_CORE_READ(victim, mm);

	e->oom_score_adj = BPF_CORE_READ(victim, signal, oom_score_adj);
	if (!mm)
		return;
	e->total_vm_kb = BPF_CORE_READ(mm, total_vm) * PAGE_KB;
	/* rss_stat became percpu_counters in 6.2; .count is what get_mm_counter() reads. */
	e->file_rss_kb = pages_kb(BPF_CORE_READ(mm, rss_stat[MM_FILEPAGES].count));
	e->anon_rss_kb = pages_kb(BPF_CORE_READ(mm, rss_stat[MM_ANONPAGES].count));
	e->shmem_rss_kb = pages_kb(BPF_CORE_READ(mm, rss_stat[MM_SHMEMPAGES].count));
	e->pgtables_kb = (__u64)BPF_CORE_READ(mm, pgtables_bytes.counter) >> 10;
}

/* Before ~6.8 oom:mark_victim was TP_PROTO(int pid): its only field. */
struct trace_event_raw_mark_victim___old {
	struct trace_entry ent;
	int pid;
} __attribute__((preserve_access_index));

#define WATCH_CGROUP_DEPTH 16

/* @victim is in the --cgroup directory or below it (v2, or v1 of its controller). */
static __always_inline bool victim_cgroup_wanted(struct task_struct *victim)
{
	struct cgroup *cg;

	if (!targ_cgroup_id)
		return true;
	if (targ_cgroup_ssid >= 0)
		cg = BPF_CORE_READ(victim, cgroups, subsys[targ_cgroup_ssid], cgroup);
	else
		cg = BPF_CORE_READ(victim, cgroups, dfl_cgrp);
	for (int i = 0; i < WATCH_CGROUP_DEPTH && cg; i++) {
		if (BPF_CORE_READ(cg, kn, id) == targ_cgroup_id)
			return true;
		cg = BPF_CORE_READ(cg, self.parent, cgroup);
	}
	return false;
}

/*
 * The filters apply to the victim (what was killed), or, with -p, to either
 * side. Without the victim's task (the classic tracepoint), --cgroup can only
 * test the trigger, which a memcg OOM shares the memory cgroup with.
 */
static __always_inline struct watch_oom_event *begin(void *ctx, __u32 victim_pid,
						     struct task_struct *victim)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct watch_oom_event *e;

	if (!watch_tgid_wanted(tgid) && !watch_tgid_wanted(victim_pid))
		return NULL;
	if (victim ? !victim_cgroup_wanted(victim) : !watch_cgroup_wanted())
		return NULL;
	e = watch_reserve(sizeof(*e));
	if (!e)
		return NULL;
	__builtin_memset(&e->victim_pid, 0,
			 sizeof(*e) - sizeof(e->hdr) - sizeof(e->stacks));
	watch_fill_header(&e->hdr, WATCH_EV_OOM_KILL, sizeof(*e));
	watch_capture_stacks(ctx, &e->hdr, &e->stacks);
	return e;
}

/* Optional: on kernels before ~6.8 its argument is an int pid, and loading fails. */
SEC("?tp_btf/mark_victim")
int BPF_PROG(oom_mark_victim_btf, struct task_struct *victim, uid_t uid)
{
	struct watch_oom_event *e = begin(ctx, victim->tgid, victim);

	if (!e)
		return 0;
	e->flags = WATCH_OOM_FROM_TP_BTF;
	e->victim_pid = victim->tgid;
	e->victim_tid = victim->pid;
	e->victim_uid = uid;
	bpf_probe_read_kernel_str(e->victim_comm, sizeof(e->victim_comm), victim->comm);
	victim_counters(e, victim);
	victim_memcg(e, victim);
	watch_submit(e);
	return 0;
}

/* The extra fields of the 6.8+ tracepoint, each read only where it exists. */
static __always_inline void tp_fields(struct watch_oom_event *e,
				      struct trace_event_raw_mark_victim *args)
{
	unsigned int loc;

	if (!bpf_core_field_exists(args->total_vm)) {
		e->flags |= WATCH_OOM_NO_COUNTERS;
		return;
	}
	e->victim_uid = BPF_CORE_READ(args, uid);
	loc = BPF_CORE_READ(args, __data_loc_comm) & 0xffff;
	bpf_probe_read_kernel_str(e->victim_comm, sizeof(e->victim_comm), (void *)args + loc);
	e->total_vm_kb = BPF_CORE_READ(args, total_vm);
	e->anon_rss_kb = BPF_CORE_READ(args, anon_rss);
	e->file_rss_kb = BPF_CORE_READ(args, file_rss);
	e->shmem_rss_kb = BPF_CORE_READ(args, shmem_rss);
	e->pgtables_kb = BPF_CORE_READ(args, pgtables);
	e->oom_score_adj = BPF_CORE_READ(args, oom_score_adj);
}

/*
 * Fallback: the classic tracepoint. Its pid is the victim thread's id
 * (task_pid_nr): userspace resolves the process, and on kernels before 6.8,
 * where pid is all there is, the comm too.
 */
SEC("?tp/oom/mark_victim")
int oom_mark_victim_tp(struct trace_event_raw_mark_victim *args)
{
	__u32 tid = BPF_CORE_READ((struct trace_event_raw_mark_victim___old *)args, pid);
	struct watch_oom_event *e = begin(args, tid, NULL);

	if (!e)
		return 0;
	e->flags = WATCH_OOM_TID_ONLY;
	e->victim_pid = tid;
	e->victim_tid = tid;
	tp_fields(e, args);
	watch_submit(e);
	return 0;
}
