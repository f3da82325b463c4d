/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_STACK_PROFILE_H
#define FAULTLINE_STACK_PROFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sym/symbolizer.h"

/*
 * A symbolized CPU profile: what every output format (folded, SVG, pprof,
 * JSON, top table) renders. Built by the profiler (and later by report for a
 * time window); the writers only read it.
 */
struct profile_frame {
	const char *name;	/* display name, never NULL: see sym_result__name() */
	const char *module;	/* as in struct sym_result; NULL when unknown */
	uint64_t addr;
	uint64_t module_offset;
	const char *build_id;
	enum frame_kind kind;
	uint64_t map_start, map_end, map_pgoff;
	/* Source-level frames (Python): the function, file and line (0: unknown) apart. */
	const char *src_func, *src_file;
	uint32_t src_line;
};

struct profile_stack {
	uint32_t pid;
	uint32_t tid;		/* 0 when samples of several threads were merged */
	const char *comm;
	struct profile_frame *frames;	/* root first: frames[0] is the outermost caller */
	int nframes;
	uint64_t count;		/* samples; with off_cpu or wall, microseconds */
	uint64_t events;	/* off_cpu: the times it blocked there; wall: and samples */
};

struct profile_data {
	struct profile_stack *stacks;
	size_t nstacks;
	uint64_t total_samples;	/* including lost ones */
	uint64_t lost_samples;	/* shown as "[lost stack]" frames in stacks */
	uint64_t period_ns;	/* CPU time one sample stands for */
	unsigned int freq_hz;	/* 0 when sampling by period */
	bool off_cpu;		/* counts are microseconds off-CPU (period_ns 1000) */
	/*
	 * Counts are microseconds of wall-clock time (period_ns 1000): on-CPU
	 * samples weighing their period and off-CPU waits, the leaf frame
	 * saying which ("[running]", "[sleeping]"...); events: samples + waits.
	 */
	bool wall;
	uint64_t start_wall_ns;	/* CLOCK_REALTIME at start */
	uint64_t duration_ns;
	const char *title;	/* e.g. "CPU profile" */
	const char *command;	/* the faultline command line */
	const char *hostname;
};

struct output_opts {
	int pid_in_name;	/* folded/svg: "comm-PID" as the root frame */
	int top_n;		/* top table rows */
};

/*
 * A count as its unit says: "N samples", "N.N ms off-CPU" or "N.N ms wall".
 * @buf gets at least 48 bytes.
 */
const char *output_amount(const struct profile_data *p, uint64_t count, char *buf, size_t len);

/* Each returns 0 or -errno; @out is already open (atomically, see outfile.h). */
int output_folded(const struct profile_data *p, const struct output_opts *o, FILE *out);
int output_svg(const struct profile_data *p, const struct output_opts *o, FILE *out);
int output_pprof(const struct profile_data *p, const struct output_opts *o, FILE *out);
int output_json(const struct profile_data *p, const struct output_opts *o, FILE *out);
int output_top(const struct profile_data *p, const struct output_opts *o, FILE *out);

enum output_format {
	OUTPUT_TOP,		/* the table for a terminal, when there is no -o */
	OUTPUT_FOLDED,
	OUTPUT_SVG,
	OUTPUT_PPROF,
	OUTPUT_JSON,
};

/* "folded", "svg", "pprof", "json" (--format); -EINVAL for anything else. */
int output_format_parse(const char *name);
/*
 * The format a file name asks for: .folded .txt .stacks, .svg, .pb.gz
 * .pprof .pb, .json; -ENOENT when the extension says nothing.
 */
int output_format_from_path(const char *path);
const char *output_format_name(enum output_format f);
/* Dispatches to the writer of @f. */
int output_write(enum output_format f, const struct profile_data *p,
		 const struct output_opts *o, FILE *out);

#endif
