/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PROFILE_SAMPLER_H
#define FAULTLINE_PROFILE_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "profile.h"

/*
 * The BPF side of `faultline profile`: loads profile.bpf.c with the filters
 * and map sizes, opens one sampling perf event per CPU and attaches to it, and
 * delivers process notifications (first sample, exit) to a callback.
 */
struct profile_sampler;
struct profile_python;

typedef void (*profile_event_fn)(void *ctx, const struct profile_event *e);

struct profile_sampler_opts {
	const int *tgids;	/* -p; NULL/0: every process */
	int ntgids;
	int tid;		/* --tid; 0: any */
	bool filter_cgroup;
	uint64_t cgroup_id;
	bool user, kernel;	/* which stacks to walk */
	bool include_idle;
	unsigned int freq_hz;	/* samples per second per CPU, or ... */
	uint64_t period_ns;	/* ... one sample per this much CPU time (cpu-clock) */
	const bool *cpus;	/* cpus[i]: sample CPU i; NULL: every online CPU */
	int ncpus;
	uint32_t stack_map_size;
	uint32_t counts_map_size;
	profile_event_fn on_event;
	void *ctx;
	/*
	 * User stacks walked in BPF with .eh_frame tables (unwind_kernel.h);
	 * when that cannot load and it is not required, unwind_dwarf decides.
	 */
	bool unwind_kernel;
	bool unwind_kernel_required;
	/* The run's shared tables (record: watch's too); NULL: the sampler makes its own. */
	struct unwind_kernel *kunwind;
	/* --off-cpu: time blocked at sched_switch instead of perf event samples */
	bool off_cpu;
	uint32_t off_cpu_states;	/* OFFCPU_STATE_* (offcpu.h) */
	uint64_t min_block_ns;		/* shorter waits are dropped in BPF */
	bool off_cpu_wakers;		/* --wakers: keyed also by the waking thread */
	/*
	 * --wall: perf event samples (cpu-clock by period_ns, each weighing its
	 * period) and off-CPU time in every state, keyed by state
	 */
	bool wall;
	/* --unwind dwarf: user stacks unwound in userspace (unwind_profile.h) */
	bool unwind_dwarf;
	uint32_t stack_bytes;	/* --stack-bytes, 0: default */
};

#define PROFILE_DEFAULT_STACK_MAP_SIZE	16384
#define PROFILE_DEFAULT_COUNTS_MAP_SIZE	32768

/* Opens and loads; -errno with the reason logged. Attaches nothing. */
int profile_sampler__new(const struct profile_sampler_opts *o, struct profile_sampler **out);
/* Process notifications first, then the perf events (sampling starts). */
int profile_sampler__attach(struct profile_sampler *s);
/* Delivers pending notifications, waiting up to @timeout_ms for one. */
int profile_sampler__poll(struct profile_sampler *s, int timeout_ms);
/* Brings counts_fd up to date while sampling goes on (DWARF mode counts in userspace). */
void profile_sampler__flush(struct profile_sampler *s);
/* Stops sampling; maps stay readable. */
void profile_sampler__detach(struct profile_sampler *s);
void profile_sampler__free(struct profile_sampler *s);	/* NULL-safe */

/*
 * Adds @tgid to the -p targets while sampling: room for as many as the
 * sampler started with (-E2BIG beyond). Only for a sampler started with -p.
 */
int profile_sampler__add_target(struct profile_sampler *s, int tgid);

int profile_sampler__counts_fd(const struct profile_sampler *s);
int profile_sampler__stacks_fd(const struct profile_sampler *s);
/* Stacks that collided in the stack map, keyed by ids with PROFILE_OVERFLOW_ID. */
int profile_sampler__overflow_fd(const struct profile_sampler *s);
/* Sums the per-CPU counters into @out[PC__COUNT]. */
int profile_sampler__counters(const struct profile_sampler *s, uint64_t *out);
/* --off-cpu: counts values are struct offcpu_value, and what one unit of period_ns is. */
bool profile_sampler__off_cpu(const struct profile_sampler *s);
/* --wall: counts keys are struct offcpu_wall_key, values struct offcpu_value. */
bool profile_sampler__wall(const struct profile_sampler *s);
/* --wakers: counts keys are struct offcpu_waker_key. */
bool profile_sampler__wakers(const struct profile_sampler *s);
/* --off-cpu: waits shorter than --min-block, dropped in BPF. */
uint64_t profile_sampler__short_waits(const struct profile_sampler *s);
/* "cpu-clock" or "cycles", and the CPU time one sample stands for (0: unknown). */
const char *profile_sampler__event(const struct profile_sampler *s);
uint64_t profile_sampler__period_ns(const struct profile_sampler *s);
int profile_sampler__ncpus_attached(const struct profile_sampler *s);
/* The in-kernel unwinder's tables, NULL when it is not used. */
struct unwind_kernel *profile_sampler__kernel_unwinder(const struct profile_sampler *s);
/* The DWARF unwinding side, NULL when walking frame pointers. */
struct unwind_profile *profile_sampler__dwarf(const struct profile_sampler *s);
/* CPython frames of the processes found to run it; NULL in modes without them. */
struct profile_python *profile_sampler__python(const struct profile_sampler *s);

/* Parses a CPU list ("0-3,6") into @mask[@max]; -EINVAL when malformed or out of range. */
int profile_parse_cpulist(const char *s, bool *mask, int max);

#endif
