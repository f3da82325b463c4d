// SPDX-License-Identifier: GPL-2.0
/* Which hook each capability uses, given what the kernel offers. Pure logic. */
#include <stdio.h>
#include <string.h>

#include "probe/kernel_features.h"

/*
 * In the order each command tries them; the labels are what `watch -v` and
 * the watch summary print as attached. Every watch source needs the BPF ring
 * buffer; tp_btf hooks need their tracepoint too. `watch` loads exactly the
 * programs of the candidate chosen here (see watch_choose_hook()).
 */
static const struct hook_capability capabilities[] = {
	{ "profile", {
		{ "perf_event cycles (hardware)", .features = { FEAT_PERF_HW, FEAT_PERF_SW },
		  .nfeatures = 2 },
		{ "perf_event cpu-clock (software)", .features = { FEAT_PERF_SW }, .nfeatures = 1 },
	}, 2 },
	/* profile, watch and record --unwind auto: the first that loads */
	{ "unwind", {
		{ "in-kernel .eh_frame tables (profile, watch, record)",
		  .features = { FEAT_KERNEL_UNWIND }, .nfeatures = 1 },
		{ "frame pointers, DWARF stack copies where binaries lack them (profile: -p "
		  "targets; watch, record: per process)",
		  .features = { FEAT_USER_STACK }, .nfeatures = 1 },
	}, 2 },
	{ "oom", {
		{ "tp_btf mark_victim", "tp_btf mark_victim", "no victim memory cgroup",
		  { "oom:mark_victim" }, { "mark_victim" }, { "oom_mark_victim_btf" },
		  { FEAT_TP_BTF, FEAT_RINGBUF }, 2 },
		{ "tracepoint oom:mark_victim", "tracepoint oom:mark_victim", NULL,
		  { "oom:mark_victim" }, {}, { "oom_mark_victim_tp" },
		  { FEAT_TRACEPOINT, FEAT_RINGBUF }, 2 },
	}, 2 },
	{ "fd", {
		/* fd counts come from the fdtable bitmap via CO-RE, so no iterator. */
		{ "tp_btf sys_exit, tp_btf sched_process_exit, tp_btf inet_sock_set_state", NULL, NULL,
		  { "raw_syscalls:sys_exit", "sched:sched_process_exit", "sock:inet_sock_set_state" },
		  { "sys_exit", "sched_process_exit", "inet_sock_set_state" },
		  { "fd_sys_exit", "fd_process_exit", "fd_sock_state" },
		  { FEAT_TP_BTF, FEAT_RINGBUF }, 2 },
	}, 1 },
	{ "conn", {
		{ "tracepoint syscalls:sys_enter_connect, tracepoint syscalls:sys_exit_connect, "
		  "tracepoint sock:inet_sock_set_state, tracepoint tcp:tcp_send_reset", NULL, NULL,
		  { "syscalls:sys_enter_connect", "syscalls:sys_exit_connect",
		    "sock:inet_sock_set_state", "tcp:tcp_send_reset" }, {},
		  { "conn_enter", "conn_exit", "conn_state", "conn_send_reset" }, {}, 0 },
	}, 1 },
	{ "slow", {
		{ "tp_btf sys_enter, tp_btf sys_exit, tp_btf sched_switch",
		  "tp_btf sys_enter/sys_exit/sched_switch", NULL,
		  { "raw_syscalls:sys_enter", "raw_syscalls:sys_exit", "sched:sched_switch" },
		  { "sys_enter", "sys_exit", "sched_switch" },
		  { "slow_enter", "slow_exit", "slow_switch" },
		  { FEAT_TP_BTF, FEAT_TASK_STORAGE, FEAT_RINGBUF }, 3 },
		{ "tracepoint raw_syscalls:sys_enter, tracepoint raw_syscalls:sys_exit, "
		  "raw_tp sched_switch",
		  "tracepoint raw_syscalls:sys_enter/sys_exit, raw_tp sched_switch", NULL,
		  { "raw_syscalls:sys_enter", "raw_syscalls:sys_exit", "sched:sched_switch" },
		  {}, { "slow_enter_tp", "slow_exit_tp", "slow_switch_raw" },
		  { FEAT_TRACEPOINT, FEAT_RAW_TP, FEAT_TASK_STORAGE, FEAT_RINGBUF }, 4 },
	}, 2 },
	{ "signal", {
		{ "tp_btf signal_deliver, tp_btf signal_generate",
		  "tp_btf signal_deliver/signal_generate", "no fault address",
		  { "signal:signal_deliver", "signal:signal_generate" },
		  { "signal_deliver", "signal_generate" }, { "signal_deliver", "signal_generate" },
		  { FEAT_TP_BTF, FEAT_RINGBUF }, 2 },
		{ "tracepoint signal:signal_deliver, tracepoint signal:signal_generate",
		  "tracepoint signal:signal_deliver/signal_generate", NULL,
		  { "signal:signal_deliver", "signal:signal_generate" },
		  {}, { "signal_deliver_tp", "signal_generate_tp" },
		  { FEAT_TRACEPOINT, FEAT_RINGBUF }, 2 },
	}, 2 },
	{ "rss", {
		{ "tp_btf rss_stat, tp_btf sched_process_exit", "tp_btf rss_stat/sched_process_exit",
		  "reclaim and swap-out count as memory given back",
		  { "kmem:rss_stat", "sched:sched_process_exit" },
		  { "rss_stat", "sched_process_exit" }, { "rss_stat_btf", "rss_exit_btf" },
		  { FEAT_TP_BTF, FEAT_RINGBUF }, 2 },
		{ "tracepoint kmem:rss_stat, tracepoint sched:sched_process_exit",
		  "tracepoint kmem:rss_stat/sched_process_exit", NULL,
		  { "kmem:rss_stat", "sched:sched_process_exit" },
		  {}, { "rss_stat_tp", "rss_exit_tp" },
		  { FEAT_TRACEPOINT, FEAT_RINGBUF }, 2 },
	}, 2 },
};

#define NCAPS (int)(sizeof(capabilities) / sizeof(capabilities[0]))

const struct hook_capability *hook_capability(const char *name)
{
	for (int i = 0; i < NCAPS; i++)
		if (!strcmp(capabilities[i].name, name))
			return &capabilities[i];
	return NULL;
}

bool hook_candidate_usable(const struct features *f, const struct hook_candidate *c,
			   char *missing, size_t len)
{
	int i;

	for (i = 0; i < HOOK_MAX_REQ && c->tracepoints[i]; i++) {
		if (!features__has_tracepoint(f, c->tracepoints[i])) {
			snprintf(missing, len, "tracepoint %s", c->tracepoints[i]);
			return false;
		}
	}
	for (i = 0; i < c->nfeatures; i++) {
		if (!f->feat[c->features[i]].available) {
			snprintf(missing, len, "%s", feature_name(c->features[i]));
			return false;
		}
	}
	for (i = 0; i < HOOK_MAX_REQ && c->tp_btf[i]; i++) {
		if (!features__has_tp_btf(f, c->tp_btf[i])) {
			snprintf(missing, len, "tp_btf %s", c->tp_btf[i]);
			return false;
		}
	}
	return true;
}

int features__plan_one(const struct features *f, const struct hook_capability *cap,
		       struct hook_plan *plan)
{
	char why[96];
	int i, chosen = -1;

	memset(plan, 0, sizeof(*plan));
	plan->capability = cap->name;
	for (i = 0; i < cap->ncandidates; i++) {
		const struct hook_candidate *c = &cap->candidates[i];

		if (!hook_candidate_usable(f, c, why, sizeof(why))) {
			if (!plan->hook)
				snprintf(plan->missing + strlen(plan->missing),
					 sizeof(plan->missing) - strlen(plan->missing), "%s%s",
					 plan->missing[0] ? ", " : "no ", why);
			continue;
		}
		if (!plan->hook) {
			plan->hook = c->label;
			chosen = i;
		} else if (!plan->fallback) {
			plan->fallback = c->label;
		}
	}
	if (plan->hook)
		plan->missing[0] = '\0';
	return chosen;
}

int features__plan(const struct features *f, struct hook_plan *plans, int max)
{
	int i;

	for (i = 0; i < NCAPS && i < max; i++)
		features__plan_one(f, &capabilities[i], &plans[i]);
	return i;
}

bool features__has_tracepoint(const struct features *f, const char *name)
{
	for (int i = 0; i < f->tp_count; i++)
		if (!strcmp(f->tp[i].name, name))
			return f->tp[i].available;
	return false;
}

bool features__has_tp_btf(const struct features *f, const char *name)
{
	for (int i = 0; i < f->tp_btf_count; i++)
		if (!strcmp(f->tp_btf[i].name, name))
			return f->tp_btf[i].available;
	return false;
}

static const struct {
	const char *name;
	const char *description;
} feature_info[FEAT__COUNT] = {
	[FEAT_BTF] = { "btf", "kernel BTF (CO-RE)" },
	[FEAT_TRACEFS] = { "tracefs", "tracefs mounted" },
	[FEAT_TRACEPOINT] = { "tracepoint", "tracepoint programs" },
	[FEAT_TP_BTF] = { "tp_btf", "BTF-typed tracepoints" },
	[FEAT_RAW_TP] = { "raw_tp", "raw tracepoints" },
	[FEAT_KPROBE] = { "kprobe", "kprobes" },
	[FEAT_FENTRY] = { "fentry", "fentry/fexit trampolines" },
	[FEAT_UPROBE] = { "uprobe", "uprobes" },
	[FEAT_PERF_HW] = { "perf_hw", "hardware cycles event" },
	[FEAT_PERF_SW] = { "perf_sw", "software cpu-clock event + perf_event program" },
	[FEAT_USER_STACK] = { "user_stack", "user stacks from bpf_get_stack" },
	[FEAT_RINGBUF] = { "ringbuf", "BPF ring buffer" },
	[FEAT_TASK_STORAGE] = { "task_storage", "task local storage" },
	[FEAT_ITER_TASK] = { "iter_task", "BPF task iterators" },
	[FEAT_CGROUP_V2] = { "cgroup_v2", "cgroup v2 hierarchy" },
	[FEAT_MEMCG] = { "memcg", "memory cgroup controller" },
	[FEAT_KERNEL_UNWIND] = { "kernel_unwind", "user stacks walked in BPF from .eh_frame" },
};

const char *feature_name(enum feature_id id)
{
	return id < FEAT__COUNT ? feature_info[id].name : "?";
}

const char *feature_description(enum feature_id id)
{
	return id < FEAT__COUNT ? feature_info[id].description : "?";
}
