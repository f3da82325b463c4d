/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_KERNEL_FEATURES_H
#define FAULTLINE_KERNEL_FEATURES_H

#include <stdbool.h>

/* What the running kernel offers, each found by trying it (see probe.bpf.c). */
enum feature_id {
	FEAT_BTF,
	FEAT_TRACEFS,
	FEAT_TRACEPOINT,
	FEAT_TP_BTF,
	FEAT_RAW_TP,
	FEAT_KPROBE,
	FEAT_FENTRY,
	FEAT_UPROBE,
	FEAT_PERF_HW,
	FEAT_PERF_SW,
	FEAT_USER_STACK,
	FEAT_RINGBUF,
	FEAT_TASK_STORAGE,
	FEAT_ITER_TASK,
	FEAT_CGROUP_V2,
	FEAT_MEMCG,
	FEAT_KERNEL_UNWIND,
	FEAT__COUNT,
};

struct feature_result {
	bool available;
	char detail[160];	/* why not, or what exactly was found */
};

/* A tracepoint the project uses, as "category:name". */
struct tracepoint_result {
	const char *name;
	bool available;
	char detail[96];
};

#define FEATURES_MAX_TRACEPOINTS 24

struct features {
	struct feature_result feat[FEAT__COUNT];
	struct tracepoint_result tp[FEATURES_MAX_TRACEPOINTS];
	int tp_count;
};

/* The capabilities and the hook each would use on this kernel. */
struct hook_plan {
	const char *capability;
	const char *hook;	/* NULL when no candidate is available */
	const char *fallback;	/* next available candidate, or NULL */
	char missing[160];	/* when hook is NULL: what is missing */
};

#define FEATURES_MAX_PLANS 8

const char *feature_name(enum feature_id id);
const char *feature_description(enum feature_id id);

/* The tracepoints faultline may attach to, NULL-terminated. */
extern const char *const features_tracepoints[];

/* Loads the profiler with the in-kernel .eh_frame unwinder (probe_unwind.c). */
void features__probe_kernel_unwind(struct feature_result *r);

/* Probes everything; attaches nothing that outlives the call. */
void features__probe(struct features *f);

/* Looks up a probed tracepoint by "category:name". */
bool features__has_tracepoint(const struct features *f, const char *name);

/* Pure: picks the hook per capability from @f; returns the number of plans. */
int features__plan(const struct features *f, struct hook_plan *plans, int max);

#endif
