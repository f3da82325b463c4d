/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PROFILE_OPTS_H
#define FAULTLINE_PROFILE_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "output/stack_profile.h"
#include "unwind/unwind_mode.h"

#define PROFILE_MAX_PIDS	256
#define PROFILE_MAX_CPUS	4096

struct profile_opts {
	int pids[PROFILE_MAX_PIDS];	/* -p, repeatable */
	int npids;
	int tid;
	const char *cgroup;
	unsigned int freq_hz;		/* -F; 0 when --period is used */
	uint64_t period_ns;
	const char *cpulist;		/* -C, validated when sampling starts */
	long duration_s;		/* 0: until Ctrl-C (or the -p processes exit) */
	bool kernel_only, user_only, include_idle;
	const char *out_path;
	enum output_format format;	/* OUTPUT_TOP without -o */
	bool format_given;
	bool pid_in_name;
	uint32_t stack_map_size, counts_map_size;
	enum unwind_mode unwind;	/* --unwind */
	uint32_t stack_bytes;		/* --stack-bytes, DWARF mode */
	bool off_cpu;			/* --off-cpu */
	long min_block_us;		/* --min-block */
	uint32_t off_cpu_states;	/* --state, OFFCPU_STATE_* */
};

/*
 * Parses `faultline profile` arguments (argv[0] is "profile"). Returns 0,
 * 1 when --help was printed, or EXIT_USAGE after one error line.
 */
int profile_opts_parse(int argc, char **argv, struct profile_opts *o);

#endif
