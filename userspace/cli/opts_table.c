// SPDX-License-Identifier: GPL-2.0
/* Every option of profile, watch, record and agent: who takes it, and its --help line. */
#include <stdio.h>
#include <string.h>

#include "cli/opts.h"
#include "agent/agent.h"
#include "agent/agent_http.h"
#include "unwind.h"

#define P CLI_PROFILE
#define W CLI_WATCH
#define R CLI_RECORD
#define A CLI_AGENT
#define STR_(x) #x
#define STR(x) STR_(x)

const struct cli_opt cli_opts_table[OPT__COUNT] = {
	[OPT_PID] = { "pid", 'p', "PID", P | W | R | A,
		"a process and all its threads (repeatable)" },
	[OPT_TID] = { "tid", 0, "TID", P | R,
		"one thread's samples (record: events of its whole process)" },
	[OPT_CGROUP] = { "cgroup", 0, "PATH", P | W | R | A,
		"a cgroup directory, absolute or below the v2 root: samples of\n"
		"its own tasks (v2 only), events of its tasks and those below it\n"
		"(v2, or v1 of a controller, e.g. /sys/fs/cgroup/memory/x)" },
	[OPT_DURATION] = { "duration", 'd', "SECONDS", P | W | R,
		"stop after SECONDS (default: until Ctrl-C, or every -p process\n"
		"has exited)" },
	[OPT_FREQ] = { "frequency", 'F', "HZ", P | R,
		"samples per second per CPU (default 99; at most\n"
		"kernel.perf_event_max_sample_rate: above it, that is used)" },
	[OPT_PERIOD] = { "period", 0, "NS", P | R,
		"one sample per NS nanoseconds of CPU time instead" },
	[OPT_CPU] = { "cpu", 'C', "LIST", P | R | A,
		"CPUs to sample, e.g. 0-3,6 (default: all online)" },
	[OPT_KERNEL_ONLY] = { "kernel-only", 0, NULL, P | R | A, "kernel time and stacks only" },
	[OPT_USER_ONLY] = { "user-only", 0, NULL, P | R | A,
		"user stacks only (kernel threads are skipped)" },
	[OPT_IDLE] = { "include-idle", 0, NULL, P | R | A, "count the idle task too" },
	[OPT_STACK_MAP] = { "stack-map-size", 0, "N", P | R | A,
		"distinct stacks kept (default " STR(PROFILE_DEFAULT_STACK_MAP_SIZE) ")" },
	[OPT_COUNTS_MAP] = { "counts-map-size", 0, "N", P | R | A,
		"distinct (process, stack) pairs counted (default "
		STR(PROFILE_DEFAULT_COUNTS_MAP_SIZE) ")" },
	[OPT_UNWIND] = { "unwind", 0, "MODE", P | W | R | A,
		"user stacks: auto (default: .eh_frame walked in the kernel, and\n"
		"where that cannot load, as below), kernel (the in-kernel walk or\n"
		"fail), fp (frame pointers), dwarf or snapshot (stack copies\n"
		"unwound in userspace: auto's fallback picks it where the binary\n"
		"lacks frame pointers, per -p target for samples and per process\n"
		"for events)" },
	[OPT_STACK_BYTES] = { "stack-bytes", 0, "N", P | W | R | A,
		"dwarf: user stack bytes copied per sample (default 16384) or per\n"
		"event (default 8192)" },
	[OPT_OUTPUT] = { "output", 'o', "FILE", P,
		"write the profile to FILE instead of the top functions" },
	[OPT_FORMAT] = { "format", 0, "FMT", P,
		"folded, svg, pprof or json (default: from FILE's extension:\n"
		".folded, .svg, .pb.gz/.pb/.pprof, .json; others need --format)" },
	[OPT_PID_IN_NAME] = { "pid-in-name", 0, NULL, P,
		"name processes comm-PID in folded and SVG output" },
	[OPT_OFF_CPU] = { "off-cpu", 0, NULL, P,
		"time threads spend blocked (sleeping), by stack, instead of\n"
		"CPU samples; --include-idle adds kernel threads" },
	[OPT_MIN_BLOCK] = { "min-block", 0, "US", P,
		"--off-cpu: ignore waits shorter than US microseconds (default 1)" },
	[OPT_WAKERS] = { "wakers", 0, NULL, P,
		"--off-cpu: also who ended each wait (the waking thread's stack\n"
		"after \"--\", as offwaketime writes it)" },
	[OPT_STATE] = { "state", 0, "S|D|SD", P,
		"--off-cpu: interruptible (S) or uninterruptible (D) sleeps, or\n"
		"both (default SD)" },
	[OPT_WALL] = { "wall", 0, NULL, P,
		"wall-clock time of the -p/--tid threads: on-CPU samples and\n"
		"off-CPU time in one graph, a leaf frame naming the state\n"
		"([running], [runnable], [sleeping], [disk wait], ...)" },
	[OPT_EVENTS] = { "events", 'e', "LIST", W | R | A,
		"comma-separated sources (default: all but rss and heap;\n"
		"all: every source, heap only with --heap)" },
	[OPT_SLOW_THRESHOLD] = { "slow-threshold", 0, "MS", W | R | A,
		"report syscalls slower than MS (default 100); SYSCALL=MS\n"
		"overrides one syscall, 0 excludes it (repeatable)" },
	[OPT_SLOW_ALL] = { "slow-all", 0, NULL, W | R | A,
		"also syscalls that block by design (poll, futex...)" },
	[OPT_EXITS] = { "exits", 0, NULL, W | R | A, "also process exits with a non-zero status" },
	[OPT_FD_WARN] = { "fd-warn", 0, "PERCENT", W | R | A,
		"fd_pressure threshold (default 80)" },
	[OPT_RATE_LIMIT] = { "rate-limit", 0, "N", W | R | A,
		"events per second per process (default 100, 0: off)" },
	[OPT_RINGBUF_KB] = { "ringbuf-kb", 0, "KB", W | R | A,
		"ring buffer size per source (default 1024)" },
	[OPT_NO_USER] = { "no-user-stacks", 0, NULL, W | R | A, "events without user stacks" },
	[OPT_NO_KERNEL] = { "no-kernel-stacks", 0, NULL, W | R | A,
		"events without kernel stacks" },
	[OPT_HIST] = { "hist", 0, NULL, W, "per-syscall latency histograms at exit" },
	[OPT_STACKS] = { "stacks", 0, NULL, W, "print symbolized stacks under each line" },
	[OPT_JSON] = { "json", 'j', NULL, W, "JSON Lines on stdout (schema: docs/events.md)" },
	[OPT_INCIDENTS] = { "incidents", 0, NULL, W,
		"incidents as they form, then the report (docs/report.md)" },
	[OPT_HEAP] = { "heap", 0, "PID", W | R,
		"live heap of PID by allocation stack: uprobes on the allocator\n"
		"it maps (repeatable; alone, heap is the only source)" },
	[OPT_HEAP_INTERVAL] = { "heap-interval", 0, "SECONDS", W | R,
		"--heap: a heap_summary every SECONDS (default 5) and at the end" },
	[OPT_HEAP_SAMPLE] = { "heap-sample", 0, "BYTES", W | R,
		"--heap: track an allocation of size n < BYTES with probability\n"
		"n/BYTES, and scale the sums back up (estimates)" },
	[OPT_RSS_STEP] = { "rss-step", 0, "BYTES", W | R,
		"rss: take the stack each time a process's anonymous RSS has\n"
		"grown by BYTES (default 262144, at least 4096)" },
	[OPT_REC_OUTPUT] = { "output", 'o', "FILE", R, "the recording (required)" },
	[OPT_BUCKET] = { "bucket", 0, "MS", R, "profile bucket length (default 1000)" },
	[OPT_NO_PROFILE] = { "no-profile", 0, NULL, R | A, "events only, no profile" },
	[OPT_AGENT_FREQ] = { "frequency", 'F', "HZ", A,
		"profile samples per second per CPU (default " STR(AGENT_DEFAULT_FREQ_HZ) ";\n"
		"SIGHUP applies a new value from --config)" },
	[OPT_METRICS] = { "metrics", 0, "ADDR:PORT", A,
		"serve /metrics there (default " AGENT_DEFAULT_METRICS "; [ADDR]:PORT\n"
		"for IPv6)" },
	[OPT_CONFIG] = { "config", 0, "FILE", A,
		"'key = value' lines, keys being the long options above; the\n"
		"command line wins; SIGHUP re-reads it" },
	[OPT_TOP_COMMS] = { "top-comms", 0, "N", A,
		"process names with their own faultline_events_total series,\n"
		"the most frequent (default " STR(AGENT_DEFAULT_TOP_COMMS) "; live on SIGHUP)" },
	[OPT_MAX_CPU] = { "max-cpu-percent", 0, "PERCENT", A,
		"when the agent's own CPU use over 5 s passes PERCENT of one CPU,\n"
		"lower -F to fit (default 0: never; live on SIGHUP)" },
	[OPT_CLICKHOUSE] = { "clickhouse", 0, "URL", A,
		"also store events, stacks and profile samples in ClickHouse at\n"
		"URL (http://HOST:8123/; tables in database faultline, docs/fleet.md)" },
	[OPT_HOST] = { "host", 0, "NAME", A,
		"--clickhouse: this machine's name in the rows (default: hostname)" },
	[OPT_SPOOL] = { "spool", 0, "DIR", A,
		"--clickhouse: keep what the server does not take in DIR and send\n"
		"it later, across restarts (default: such rows are dropped, counted)" },
	[OPT_SPOOL_MAX_MB] = { "spool-max-mb", 0, "MB", A,
		"--spool: at most MB on disk, the oldest rows dropped past it\n"
		"(default " STR(AGENT_DEFAULT_SPOOL_MB) ")" },
	[OPT_RETAIN_DAYS] = { "retain-days", 0, "N", A,
		"--clickhouse: drop the tables' day partitions older than N days\n"
		"(default 0: keep everything)" },
	[OPT_FLIGHT_DIR] = { "flight-dir", 0, "DIR", A,
		"keep the last --retain-local minutes as recordings (one per\n"
		"--flight-segment) in DIR, and the segments of the last\n"
		"incidents in DIR/incidents/" },
	[OPT_RETAIN_LOCAL] = { "retain-local", 0, "MINUTES", A,
		"--flight-dir: minutes of segments kept (default "
		STR(AGENT_DEFAULT_RETAIN_LOCAL_MIN) ")" },
	[OPT_KEEP_INCIDENTS] = { "keep-incidents", 0, "N", A,
		"--flight-dir: incidents (an error or critical event, with the\n"
		"minute before and after) kept whatever their age (default "
		STR(AGENT_DEFAULT_KEEP_INCIDENTS) ")" },
	[OPT_FLIGHT_SEGMENT] = { "flight-segment", 0, "SECONDS", A,
		"--flight-dir: the length of one segment (default "
		STR(AGENT_DEFAULT_FLIGHT_SEGMENT_S) ")" },
	[OPT_VERBOSE] = { "verbose", 'v', NULL, P | W | R | A,
		"more detail (-vv: libbpf's own messages)" },
	[OPT_HELP] = { "help", 'h', NULL, P | W | R | A, "this help" },
};

static void print_opt(const struct cli_opt *d)
{
	char left[64];
	const char *h = d->help, *nl;
	int n;

	if (d->shortc)
		n = snprintf(left, sizeof(left), "  -%c, --%s", d->shortc, d->name);
	else
		n = snprintf(left, sizeof(left), "      --%s", d->name);
	if (d->arg)
		snprintf(left + n, sizeof(left) - n, " %s", d->arg);
	if (strlen(left) > 26)
		printf("%s\n%-27s", left, "");
	else
		printf("%-27s", left);
	while ((nl = strchr(h, '\n'))) {
		printf("%.*s\n%-27s", (int)(nl - h), h, "");
		h = nl + 1;
	}
	printf("%s\n", h);
}

void cli_opts_usage(enum cli_cmd cmd, const char *intro)
{
	fputs(intro, stdout);
	if (cmd & (W | R | A)) {
		printf("\nEvent sources (--events):\n");
		for (int i = 0; watch_sources[i]; i++) {
			const struct watch_source_ops *s = watch_sources[i];

			if (!s->internal)
				printf("  %-8s %s\n", s->name, s->summary);
		}
	}
	printf("\nOptions:\n");
	for (int i = 0; i < OPT__COUNT; i++)
		if (cli_opts_table[i].cmds & cmd)
			print_opt(&cli_opts_table[i]);
}
