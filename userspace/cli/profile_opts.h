/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PROFILE_OPTS_H
#define FAULTLINE_PROFILE_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "output/stack_profile.h"
#include "profile/profile_sampler.h"
#include "unwind/unwind_mode.h"

#define PROFILE_MAX_PIDS	256
#define PROFILE_MAX_CPUS	4096

/* The sampling options of profile, and of record's profile half (cli/opts.h parses them). */
struct profile_opts {
	int pids[PROFILE_MAX_PIDS];	/* -p, repeatable */
	int npids;
	int tid;
	const char *cgroup;
	unsigned int freq_hz;		/* -F; 0 when --period is used */
	uint64_t period_ns;
	const char *cpulist;		/* -C, validated by profile_opts_resolve() */
	bool cpus[PROFILE_MAX_CPUS];	/* -C as a mask, filled by profile_opts_resolve() */
	long duration_s;		/* 0: until Ctrl-C (or the -p processes exit) */
	bool kernel_only, user_only, include_idle;
	const char *out_path;
	enum output_format format;	/* OUTPUT_TOP without -o */
	bool format_given;
	bool pid_in_name;
	uint32_t stack_map_size, counts_map_size;
	enum unwind_mode unwind;	/* --unwind */
	uint32_t stack_bytes;		/* --stack-bytes, DWARF mode; 0: the default */
	bool off_cpu;			/* --off-cpu */
	bool wakers;			/* --wakers */
	bool wall;			/* --wall */
	long min_block_us;		/* --min-block */
	uint32_t off_cpu_states;	/* --state, OFFCPU_STATE_* */
};

/*
 * Checks what needs the running system (-p and --tid exist, --cgroup is a v2
 * directory, -C names CPUs there are; a -p thread stands for its process) and
 * fills @so's filters, rate, map sizes and unwinding from @o; on_event and ctx
 * are the caller's. 0, 1 after an error line, or EXIT_USAGE.
 */
int profile_opts_resolve(const char *cmd, struct profile_opts *o,
			 struct profile_sampler_opts *so);

#endif
