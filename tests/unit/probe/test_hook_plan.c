// SPDX-License-Identifier: GPL-2.0
/* Hook choice per capability from fixture feature sets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "probe/kernel_features.h"

/* A kernel like the test VMs: tracepoints yes, kprobes/fentry/hw cycles no. */
static void vm_like(struct features *f)
{
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < FEAT__COUNT; i++)
		f->feat[i].available = true;
	f->feat[FEAT_KPROBE].available = false;
	f->feat[FEAT_FENTRY].available = false;
	f->feat[FEAT_PERF_HW].available = false;
	for (int i = 0; features_tracepoints[i]; i++) {
		f->tp[i].name = features_tracepoints[i];
		f->tp[i].available = true;
		f->tp_count = i + 1;
	}
	for (int i = 0; features_tp_btf[i].name; i++) {
		f->tp_btf[i].name = features_tp_btf[i].name;
		f->tp_btf[i].available = true;
		f->tp_btf_count = i + 1;
	}
}

static const struct hook_plan *plan_for(const struct hook_plan *p, int n, const char *cap)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(p[i].capability, cap))
			return &p[i];
	fail_msg("no plan for %s", cap);
	return NULL;
}

static void set_tp(struct features *f, const char *name, bool ok)
{
	for (int i = 0; i < f->tp_count; i++)
		if (!strcmp(f->tp[i].name, name))
			f->tp[i].available = ok;
}

static void test_vm_kernel_uses_tracepoints_and_cpu_clock(void **state)
{
	struct hook_plan plans[FEATURES_MAX_PLANS];
	struct features f;
	int n;

	(void)state;
	vm_like(&f);
	n = features__plan(&f, plans, FEATURES_MAX_PLANS);
	assert_int_equal(n, 8);
	assert_string_equal(plan_for(plans, n, "profile")->hook, "perf_event cpu-clock (software)");
	assert_null(plan_for(plans, n, "profile")->fallback);
	assert_string_equal(plan_for(plans, n, "unwind")->hook,
			    "in-kernel .eh_frame tables (profile, watch, record)");
	/* What watch attaches, in its order: tp_btf first, classic tracepoints as fallback. */
	assert_string_equal(plan_for(plans, n, "signal")->hook,
			    "tp_btf signal_deliver, tp_btf signal_generate");
	assert_string_equal(plan_for(plans, n, "signal")->fallback,
			    "tracepoint signal:signal_deliver, tracepoint signal:signal_generate");
	assert_string_equal(plan_for(plans, n, "slow")->hook,
			    "tp_btf sys_enter, tp_btf sys_exit, tp_btf sched_switch");
	assert_string_equal(plan_for(plans, n, "slow")->fallback,
			    "tracepoint raw_syscalls:sys_enter, tracepoint raw_syscalls:sys_exit, "
			    "raw_tp sched_switch");
	assert_string_equal(plan_for(plans, n, "oom")->hook, "tp_btf mark_victim");
	assert_string_equal(plan_for(plans, n, "oom")->fallback, "tracepoint oom:mark_victim");
	assert_string_equal(plan_for(plans, n, "rss")->hook,
			    "tp_btf rss_stat, tp_btf sched_process_exit");
	assert_string_equal(plan_for(plans, n, "rss")->fallback,
			    "tracepoint kmem:rss_stat, tracepoint sched:sched_process_exit");
	/* kprobes absent: conn has no fallback */
	assert_null(plan_for(plans, n, "conn")->fallback);
}

/* A kernel where the in-kernel unwinder does not load: frame pointers. */
static void test_unwind_falls_back_to_frame_pointers(void **state)
{
	struct hook_plan plans[FEATURES_MAX_PLANS];
	struct features f;
	int n;

	(void)state;
	vm_like(&f);
	f.feat[FEAT_KERNEL_UNWIND].available = false;
	n = features__plan(&f, plans, FEATURES_MAX_PLANS);
	assert_string_equal(plan_for(plans, n, "unwind")->hook,
			    "frame pointers, DWARF stack copies where binaries lack them (profile: "
			    "-p targets; watch, record: per process)");
	assert_null(plan_for(plans, n, "unwind")->fallback);
}

static void test_hardware_cycles_preferred_when_present(void **state)
{
	struct hook_plan plans[FEATURES_MAX_PLANS];
	struct features f;
	int n;

	(void)state;
	vm_like(&f);
	f.feat[FEAT_PERF_HW].available = true;
	n = features__plan(&f, plans, FEATURES_MAX_PLANS);
	assert_string_equal(plan_for(plans, n, "profile")->hook, "perf_event cycles (hardware)");
	assert_string_equal(plan_for(plans, n, "profile")->fallback,
			    "perf_event cpu-clock (software)");
}

static void test_missing_tracepoint_names_it(void **state)
{
	struct hook_plan plans[FEATURES_MAX_PLANS];
	const struct hook_plan *p;
	struct features f;
	int n;

	(void)state;
	vm_like(&f);
	f.feat[FEAT_KPROBE].available = true;	/* no kprobe path is implemented */
	set_tp(&f, "tcp:tcp_send_reset", false);
	n = features__plan(&f, plans, FEATURES_MAX_PLANS);
	p = plan_for(plans, n, "conn");
	assert_null(p->hook);
	assert_non_null(strstr(p->missing, "tracepoint tcp:tcp_send_reset"));
}

static void test_no_tp_btf_falls_back_to_tracepoints(void **state)
{
	struct hook_plan plans[FEATURES_MAX_PLANS];
	struct features f;
	int n;

	(void)state;
	vm_like(&f);
	f.feat[FEAT_TP_BTF].available = false;
	n = features__plan(&f, plans, FEATURES_MAX_PLANS);
	assert_string_equal(plan_for(plans, n, "slow")->hook,
			    "tracepoint raw_syscalls:sys_enter, tracepoint raw_syscalls:sys_exit, "
			    "raw_tp sched_switch");
	assert_string_equal(plan_for(plans, n, "oom")->hook, "tracepoint oom:mark_victim");
	/* fd has no tracepoint variant: unavailable, and says why */
	assert_null(plan_for(plans, n, "fd")->hook);
	assert_non_null(strstr(plan_for(plans, n, "fd")->missing, "tp_btf"));
}

static void test_nothing_available_names_what_is_missing(void **state)
{
	struct hook_plan plans[FEATURES_MAX_PLANS];
	const struct hook_plan *p;
	struct features f;
	int n;

	(void)state;
	vm_like(&f);
	set_tp(&f, "signal:signal_deliver", false);
	n = features__plan(&f, plans, FEATURES_MAX_PLANS);
	p = plan_for(plans, n, "signal");
	assert_null(p->hook);
	assert_non_null(strstr(p->missing, "tracepoint signal:signal_deliver"));
}

static void test_no_tp_btf_uses_classic_tracepoints(void **state)
{
	struct hook_plan plans[FEATURES_MAX_PLANS];
	struct features f;
	int n;

	(void)state;
	vm_like(&f);
	f.feat[FEAT_TP_BTF].available = false;
	n = features__plan(&f, plans, FEATURES_MAX_PLANS);
	assert_string_equal(plan_for(plans, n, "oom")->hook, "tracepoint oom:mark_victim");
	assert_null(plan_for(plans, n, "oom")->fallback);
	assert_string_equal(plan_for(plans, n, "slow")->hook,
			    "tracepoint raw_syscalls:sys_enter, tracepoint raw_syscalls:sys_exit, "
			    "raw_tp sched_switch");
	assert_string_equal(plan_for(plans, n, "signal")->hook,
			    "tracepoint signal:signal_deliver, tracepoint signal:signal_generate");
	/* No ring buffer (before 5.8): watch has nothing to deliver events with. */
	f.feat[FEAT_RINGBUF].available = false;
	n = features__plan(&f, plans, FEATURES_MAX_PLANS);
	assert_null(plan_for(plans, n, "slow")->hook);
	assert_non_null(strstr(plan_for(plans, n, "slow")->missing, "ringbuf"));
}

/* A kernel before ~6.8: mark_victim is typed but passes only a pid. */
static void test_typed_tracepoint_without_its_arguments(void **state)
{
	struct hook_plan plan;
	struct features f;

	(void)state;
	vm_like(&f);
	for (int i = 0; i < f.tp_btf_count; i++)
		if (!strcmp(f.tp_btf[i].name, "mark_victim"))
			f.tp_btf[i].available = false;
	assert_int_equal(features__plan_one(&f, hook_capability("oom"), &plan), 1);
	assert_string_equal(plan.hook, "tracepoint oom:mark_victim");
	assert_null(plan.fallback);
	/* the other sources keep their typed tracepoints */
	assert_int_equal(features__plan_one(&f, hook_capability("slow"), &plan), 0);
	assert_null(hook_capability("nonesuch"));
}

static void test_plan_respects_max(void **state)
{
	struct hook_plan plans[2];
	struct features f;

	(void)state;
	vm_like(&f);
	assert_int_equal(features__plan(&f, plans, 2), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vm_kernel_uses_tracepoints_and_cpu_clock),
		cmocka_unit_test(test_unwind_falls_back_to_frame_pointers),
		cmocka_unit_test(test_hardware_cycles_preferred_when_present),
		cmocka_unit_test(test_missing_tracepoint_names_it),
		cmocka_unit_test(test_no_tp_btf_falls_back_to_tracepoints),
		cmocka_unit_test(test_nothing_available_names_what_is_missing),
		cmocka_unit_test(test_no_tp_btf_uses_classic_tracepoints),
		cmocka_unit_test(test_typed_tracepoint_without_its_arguments),
		cmocka_unit_test(test_plan_respects_max),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
