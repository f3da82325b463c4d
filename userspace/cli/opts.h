/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_CLI_OPTS_H
#define FAULTLINE_CLI_OPTS_H

/*
 * The options of profile, watch, record and agent, defined once (opts_table.c):
 * each says which commands take it. record takes the union of what applies
 * of profile's and watch's; an option of the other commands is refused with
 * one line naming the commands that take it.
 */
#include <stdbool.h>
#include <stdint.h>

#include "cli/profile_opts.h"
#include "watch/watch_pipeline.h"

enum cli_cmd {
	CLI_PROFILE = 1,
	CLI_WATCH = 2,
	CLI_RECORD = 4,
	CLI_AGENT = 8,
};

enum cli_opt_id {
	OPT_PID, OPT_TID, OPT_CGROUP, OPT_DURATION,
	OPT_FREQ, OPT_PERIOD, OPT_CPU, OPT_KERNEL_ONLY, OPT_USER_ONLY, OPT_IDLE,
	OPT_STACK_MAP, OPT_COUNTS_MAP, OPT_UNWIND, OPT_STACK_BYTES,
	OPT_OUTPUT, OPT_FORMAT, OPT_PID_IN_NAME, OPT_OFF_CPU, OPT_MIN_BLOCK, OPT_STATE, OPT_WAKERS,
	OPT_WALL,
	OPT_EVENTS, OPT_SLOW_THRESHOLD, OPT_SLOW_ALL, OPT_EXITS, OPT_FD_WARN, OPT_RATE_LIMIT,
	OPT_RINGBUF_KB, OPT_NO_USER, OPT_NO_KERNEL, OPT_HIST, OPT_STACKS, OPT_JSON, OPT_INCIDENTS,
	OPT_HEAP, OPT_HEAP_INTERVAL, OPT_HEAP_SAMPLE, OPT_RSS_STEP,
	OPT_REC_OUTPUT, OPT_BUCKET, OPT_NO_PROFILE,
	OPT_AGENT_FREQ, OPT_METRICS, OPT_CONFIG, OPT_TOP_COMMS, OPT_MAX_CPU,
	OPT_CLICKHOUSE, OPT_HOST, OPT_SPOOL, OPT_SPOOL_MAX_MB, OPT_RETAIN_DAYS,
	OPT_FLIGHT_DIR, OPT_RETAIN_LOCAL, OPT_KEEP_INCIDENTS, OPT_FLIGHT_SEGMENT,
	OPT_VERBOSE, OPT_HELP,
	OPT__COUNT,
};

struct cli_opt {
	const char *name;	/* long name */
	char shortc;		/* 0: none */
	const char *arg;	/* value name for --help; NULL: a flag */
	unsigned int cmds;	/* enum cli_cmd bits of the commands that take it */
	const char *help;	/* '\n' starts an indented continuation line */
};

extern const struct cli_opt cli_opts_table[OPT__COUNT];

struct cli_opts {
	enum cli_cmd cmd;
	const char *name;		/* "profile", "watch", "record" or "agent" */
	struct profile_opts prof;	/* profile; record's profile samples */
	struct watch_opts watch;	/* watch; record's events */
	uint64_t bucket_ns;		/* record --bucket */
	bool no_profile;		/* record and agent --no-profile */
	const char *metrics;		/* agent --metrics ADDR:PORT */
	const char *config;		/* agent --config FILE */
	unsigned int top_comms;		/* agent --top-comms */
	unsigned int max_cpu_pct;	/* agent --max-cpu-percent */
	const char *clickhouse;		/* agent --clickhouse URL */
	const char *host;		/* agent --host: the rows' host column */
	const char *spool;		/* agent --spool DIR */
	unsigned int spool_max_mb;	/* agent --spool-max-mb */
	unsigned int retain_days;	/* agent --retain-days */
	const char *flight_dir;		/* agent --flight-dir */
	unsigned int retain_local_min;	/* agent --retain-local */
	unsigned int keep_incidents;	/* agent --keep-incidents */
	unsigned int flight_segment_s;	/* agent --flight-segment */
	uint64_t given;			/* bit i: option i was on the command line */
};

/*
 * Parses the arguments of @cmd (argv[0] its name) into @o. Returns 0, 1 when
 * --help was printed (@intro, then the options @cmd takes), or EXIT_USAGE
 * after one error line.
 */
int cli_opts_parse(struct cli_opts *o, enum cli_cmd cmd, const char *intro, int argc,
		   char **argv);

/* Checks across options (cli_opts_parse's last step); 0 or EXIT_USAGE. */
int cli_opts_check(struct cli_opts *o);

/* --help: @intro, the event sources (watch, record), then the options of @cmd. */
void cli_opts_usage(enum cli_cmd cmd, const char *intro);

/*
 * -F above the kernel's limit (kernel.perf_event_max_sample_rate): @max, and
 * the caller says so; @hz itself when within it or when @max is 0 (unknown).
 */
unsigned int cli_freq_capped(unsigned int hz, unsigned int max);

#endif
