/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_KERNEL_FEATURES_H
#define FAULTLINE_KERNEL_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

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

/* A BTF-typed tracepoint a hook uses, and how many of its arguments it reads. */
struct tp_btf_need {
	const char *name;	/* without "btf_trace_" */
	int nargs;
};

struct features {
	struct feature_result feat[FEAT__COUNT];
	struct tracepoint_result tp[FEATURES_MAX_TRACEPOINTS];
	int tp_count;
	/* Each BTF-typed tracepoint of features_tp_btf: loads, attaches, has the arguments. */
	struct tracepoint_result tp_btf[FEATURES_MAX_TRACEPOINTS];
	int tp_btf_count;
};

/* The capabilities and the hook each would use on this kernel. */
struct hook_plan {
	const char *capability;
	const char *hook;	/* NULL when no candidate is available */
	const char *fallback;	/* next available candidate, or NULL */
	char missing[160];	/* when hook is NULL: what is missing */
};

#define FEATURES_MAX_PLANS 12

const char *feature_name(enum feature_id id);
const char *feature_description(enum feature_id id);

/* The tracepoints faultline may attach to, NULL-terminated. */
extern const char *const features_tracepoints[];
/* The BTF-typed tracepoints the hooks use, ending with an empty entry. */
extern const struct tp_btf_need features_tp_btf[];

/* Loads the profiler with the in-kernel .eh_frame unwinder (probe_unwind.c). */
void features__probe_kernel_unwind(struct feature_result *r);

/* Probes everything; attaches nothing that outlives the call. */
void features__probe(struct features *f);

/* Looks up a probed tracepoint by "category:name". */
bool features__has_tracepoint(const struct features *f, const char *name);
/* Looks up a probed BTF-typed tracepoint by name ("sys_enter"). */
bool features__has_tp_btf(const struct features *f, const char *name);

/* Pure: picks the hook per capability from @f; returns the number of plans. */
int features__plan(const struct features *f, struct hook_plan *plans, int max);

/* ---- the hook table (hook_plan.c): what `probe` plans and `watch` loads ---- */

#define HOOK_MAX_REQ 4

/* A way to implement a capability and everything it needs. */
struct hook_candidate {
	const char *label;	/* what probe plans and watch prints as attached */
	const char *brief;	/* its short name when skipped */
	const char *lost;	/* what falling back from it loses, or NULL */
	const char *tracepoints[HOOK_MAX_REQ];	/* "category:name", must exist */
	const char *tp_btf[HOOK_MAX_REQ];	/* BTF-typed tracepoints it attaches */
	const char *programs[HOOK_MAX_REQ];	/* the BPF programs it enables */
	enum feature_id features[HOOK_MAX_REQ];
	int nfeatures;
};

struct hook_capability {
	const char *name;
	struct hook_candidate candidates[3];	/* in the order they are tried */
	int ncandidates;
};

/* The capability called @name ("oom", "slow", ...), or NULL. */
const struct hook_capability *hook_capability(const char *name);

/* Pure: true when @c can be used on @f; otherwise @missing names what is not there. */
bool hook_candidate_usable(const struct features *f, const struct hook_candidate *c,
			   char *missing, size_t len);

/* Pure: fills @plan for @cap on @f; returns the index of the hook's candidate, or -1. */
int features__plan_one(const struct features *f, const struct hook_capability *cap,
		       struct hook_plan *plan);

/*
 * Probes only what the candidates of @caps[0..@n) need (the features,
 * tracepoints and BTF-typed tracepoints they list); the rest stays unavailable.
 */
void features__probe_capabilities(struct features *f, const struct hook_capability *const *caps,
				  int n);

#endif
