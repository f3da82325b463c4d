// SPDX-License-Identifier: GPL-2.0
/* One getopt_long parser for profile, watch, record and agent, driven by cli_opts_table. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include <linux/types.h>

#include "profile.h"
#include "offcpu.h"
#include "agent/agent.h"
#include "agent/agent_http.h"
#include "agent/agent_metrics.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "unwind.h"
#include "watch/watch_internal.h"

#define PID_MAX_VALUE 0x3fffffff	/* PID_MAX_LIMIT is 4M; anything above is no pid */

static bool takes(const struct cli_opts *o, int id)
{
	return cli_opts_table[id].cmds & o->cmd;
}

/* A number in [min, max] for option @id; EXIT_USAGE after saying why not. */
static int num(struct cli_opts *o, int id, const char *arg, long min, long max, long *v)
{
	if (cli_parse_long(arg, min, max, v))
		return 0;
	return cli_usage_error(o->name, "invalid --%s '%s' (%ld-%ld)", cli_opts_table[id].name,
			       arg, min, max);
}

static int add_pid(struct cli_opts *o, const char *arg)
{
	int max = o->cmd == CLI_PROFILE ? PROFILE_MAX_PIDS : WATCH_MAX_PIDS;
	long v = 0;

	if (num(o, OPT_PID, arg, 1, PID_MAX_VALUE, &v))
		return EXIT_USAGE;
	if (o->prof.npids >= max)
		return cli_usage_error(o->name, "at most %d -p options", max);
	o->prof.pids[o->prof.npids++] = v;
	if (o->cmd != CLI_PROFILE)
		o->watch.pids[o->watch.npids++] = v;
	return 0;
}

static int add_heap_pid(struct cli_opts *o, const char *arg)
{
	struct watch_opts *w = &o->watch;
	long v = 0;

	if (num(o, OPT_HEAP, arg, 1, PID_MAX_VALUE, &v))
		return EXIT_USAGE;
	if (w->nheap_pids >= WATCH_MAX_PIDS)
		return cli_usage_error(o->name, "at most %d --heap options", WATCH_MAX_PIDS);
	w->heap_pids[w->nheap_pids++] = v;
	return 0;
}

static int set_cgroup(struct cli_opts *o, const char *path)
{
	int err = 0;

	o->prof.cgroup = path;
	o->watch.cgroup_path = path;
	/* profile resolves its (v2) cgroup when it starts: see profile_opts_resolve() */
	if (o->cmd == CLI_PROFILE)
		return 0;
	err = watch_cgroup_target(path, &o->watch);
	if (err == -EMEDIUMTYPE)
		return cli_usage_error(o->name, "--cgroup '%s' is not a cgroup directory (v2, or "
				       "v1 with a controller)", path);
	if (err)
		return cli_usage_error(o->name, "--cgroup '%s': %s", path, strerror(-err));
	return 0;
}

/* Who to look at and for how long: both halves of record see the same. */
static int apply_target(struct cli_opts *o, int id, const char *arg)
{
	long v = 0;
	int err = 0;

	switch (id) {
	case OPT_PID: return add_pid(o, arg);
	case OPT_TID: err = num(o, id, arg, 1, PID_MAX_VALUE, &v); o->prof.tid = v; break;
	case OPT_CGROUP: return set_cgroup(o, arg);
	case OPT_DURATION: err = num(o, id, arg, 1, 365L * 86400, &v);
		o->prof.duration_s = o->watch.duration_s = v; break;
	case OPT_UNWIND:
		v = unwind_mode_parse(arg);
		if (v < 0)
			return cli_usage_error(o->name, "unknown --unwind mode '%s' (kernel, fp, "
					       "dwarf, snapshot or auto)", arg);
		o->prof.unwind = o->watch.unwind = v;
		break;
	case OPT_STACK_BYTES: err = num(o, id, arg, 256, UNWIND_STACK_MAX, &v);
		o->prof.stack_bytes = o->watch.stack_bytes = v; break;
	case OPT_VERBOSE: log_verbosity++; break;
	}
	return err;
}

static int set_format(struct cli_opts *o, const char *arg)
{
	int f = output_format_parse(arg);

	if (f < 0)
		return cli_usage_error(o->name, "unknown format '%s' (folded, svg, pprof or json)",
				       arg);
	o->prof.format = f;
	o->prof.format_given = true;
	return 0;
}

static int set_states(struct cli_opts *o, const char *arg)
{
	uint32_t mask = 0;

	for (const char *c = arg; *c; c++) {
		if (*c != 'S' && *c != 'D')
			return cli_usage_error(o->name, "--state wants S, D or SD, not '%s'", arg);
		mask |= *c == 'S' ? OFFCPU_STATE_INTERRUPTIBLE : OFFCPU_STATE_UNINTERRUPTIBLE;
	}
	if (!mask)
		return cli_usage_error(o->name, "--state wants S, D or SD");
	o->prof.off_cpu_states = mask;
	return 0;
}

static int apply_profile(struct cli_opts *o, int id, const char *arg)
{
	struct profile_opts *p = &o->prof;
	long v = 0;
	int err = 0;

	switch (id) {
	case OPT_FREQ:
	case OPT_AGENT_FREQ: err = num(o, id, arg, 1, 100000, &v); p->freq_hz = v; break;
	case OPT_PERIOD: err = num(o, id, arg, 10000, 60 * 1000000000L, &v); p->period_ns = v;
		break;
	case OPT_CPU: p->cpulist = arg; break;
	case OPT_KERNEL_ONLY: p->kernel_only = true; break;
	case OPT_USER_ONLY: p->user_only = true; break;
	case OPT_IDLE: p->include_idle = true; break;
	case OPT_STACK_MAP: err = num(o, id, arg, 64, 1 << 22, &v); p->stack_map_size = v; break;
	case OPT_COUNTS_MAP: err = num(o, id, arg, 64, 1 << 22, &v); p->counts_map_size = v;
		break;
	case OPT_OUTPUT:
	case OPT_REC_OUTPUT: p->out_path = arg; break;
	case OPT_FORMAT: return set_format(o, arg);
	case OPT_PID_IN_NAME: p->pid_in_name = true; break;
	case OPT_OFF_CPU: p->off_cpu = true; break;
	case OPT_WAKERS: p->wakers = true; break;
	case OPT_WALL: p->wall = true; break;
	case OPT_MIN_BLOCK: err = num(o, id, arg, 0, 3600L * 1000000, &v); p->min_block_us = v;
		break;
	case OPT_STATE: return set_states(o, arg);
	case OPT_BUCKET: err = num(o, id, arg, 100, 60000, &v); o->bucket_ns = v * 1000000ULL;
		break;
	case OPT_NO_PROFILE: o->no_profile = true; break;
	case OPT_METRICS: o->metrics = arg; break;
	case OPT_CONFIG: o->config = arg; break;
	case OPT_MAX_CPU: err = num(o, id, arg, 0, 100000, &v); o->max_cpu_pct = v; break;
	case OPT_TOP_COMMS: err = num(o, id, arg, 0, AGENT_MAX_TOP_COMMS, &v); o->top_comms = v;
		break;
	case OPT_CLICKHOUSE: o->clickhouse = arg; break;
	case OPT_HOST: o->host = arg; break;
	case OPT_SPOOL: o->spool = arg; break;
	case OPT_SPOOL_MAX_MB: err = num(o, id, arg, 1, 1024 * 1024, &v); o->spool_max_mb = v;
		break;
	case OPT_RETAIN_DAYS: err = num(o, id, arg, 0, 36500, &v); o->retain_days = v; break;
	case OPT_FLIGHT_DIR: o->flight_dir = arg; break;
	case OPT_RETAIN_LOCAL: err = num(o, id, arg, 1, 7 * 24 * 60, &v); o->retain_local_min = v;
		break;
	case OPT_FLIGHT_SEGMENT: err = num(o, id, arg, 2, 3600, &v); o->flight_segment_s = v;
		break;
	case OPT_KEEP_INCIDENTS: err = num(o, id, arg, 0, 10000, &v); o->keep_incidents = v;
		break;
	default: return apply_target(o, id, arg);
	}
	return err;
}

static int apply_watch_value(struct cli_opts *o, int id, const char *arg)
{
	struct watch_opts *w = &o->watch;
	char bad[64];
	long v = 0;
	int err = 0;

	switch (id) {
	case OPT_EVENTS:
		if (watch_parse_events(arg, &w->sources, bad, sizeof(bad)))
			return cli_usage_error(o->name, "unknown event source '%s' in --events",
					       bad);
		break;
	case OPT_SLOW_THRESHOLD:
		if (watch_parse_slow_threshold(w, arg))
			return cli_usage_error(o->name, "invalid --slow-threshold '%s' (MS or "
					       "SYSCALL=MS)", arg);
		break;
	case OPT_FD_WARN: err = num(o, id, arg, 1, 100, &v); w->fd_warn_pct = v; break;
	case OPT_RATE_LIMIT: err = num(o, id, arg, 0, 1000000, &v); w->rate_limit = v; break;
	case OPT_RINGBUF_KB: err = num(o, id, arg, 4, 1024 * 1024, &v); w->ringbuf_kb = v;
		break;
	case OPT_HEAP: return add_heap_pid(o, arg);
	case OPT_HEAP_INTERVAL: err = num(o, id, arg, 1, 86400, &v); w->heap_interval_s = v;
		break;
	case OPT_HEAP_SAMPLE: err = num(o, id, arg, 1, 1L << 30, &v); w->heap_sample_bytes = v;
		break;
	case OPT_RSS_STEP: err = num(o, id, arg, 4096, 1L << 30, &v); w->rss_step_bytes = v;
		break;
	default: return apply_profile(o, id, arg);
	}
	return err;
}

static int apply(struct cli_opts *o, int id, const char *arg)
{
	struct watch_opts *w = &o->watch;

	switch (id) {
	case OPT_SLOW_ALL: w->slow_all = true; return 0;
	case OPT_EXITS: w->exits = true; return 0;
	case OPT_NO_USER: w->no_user_stacks = true; return 0;
	case OPT_NO_KERNEL: w->no_kernel_stacks = true; return 0;
	case OPT_HIST: w->hist = true; return 0;
	case OPT_STACKS: w->stacks = true; return 0;
	case OPT_JSON: w->json = true; return 0;
	case OPT_INCIDENTS: w->incidents = true; return 0;
	}
	return apply_watch_value(o, id, arg);
}

/* Names taken by @cmd first, then the others (refused when used, with the reason). */
struct getopt_tables {
	struct option longs[OPT__COUNT + 1];
	char shorts[2 * OPT__COUNT + 2];
};

static bool have_long(const struct option *l, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(l[i].name, name))
			return true;
	return false;
}

static void build_tables(enum cli_cmd cmd, struct getopt_tables *t)
{
	size_t ns = 0;
	int n = 0;

	memset(t, 0, sizeof(*t));
	t->shorts[ns++] = ':';
	for (int pass = 0; pass < 2; pass++) {
		for (int id = 0; id < OPT__COUNT; id++) {
			const struct cli_opt *d = &cli_opts_table[id];

			bool taken = d->cmds & cmd;

			if (taken != !pass || have_long(t->longs, n, d->name))
				continue;
			t->longs[n++] = (struct option){ d->name, d->arg ? required_argument :
							 no_argument, NULL, 256 + id };
			if (d->shortc && !strchr(t->shorts + 1, d->shortc)) {
				t->shorts[ns++] = d->shortc;
				if (d->arg)
					t->shorts[ns++] = ':';
			}
		}
	}
}

/* The table entry getopt_long's @c stands for: one @cmd takes if any. */
static int opt_id(enum cli_cmd cmd, int c)
{
	int other = -1;

	if (c >= 256)
		return c - 256;
	for (int id = 0; id < OPT__COUNT; id++) {
		if (cli_opts_table[id].shortc != c)
			continue;
		if (cli_opts_table[id].cmds & cmd)
			return id;
		other = other < 0 ? id : other;
	}
	return other;
}

static int not_here(struct cli_opts *o, int id)
{
	static const char *const names[] = { "profile", "watch", "record", "agent" };
	const char *name = cli_opts_table[id].name;
	unsigned int cmds = 0;
	char list[64] = "";
	size_t len = 0;

	for (int i = 0; i < OPT__COUNT; i++)
		if (!strcmp(cli_opts_table[i].name, name))
			cmds |= cli_opts_table[i].cmds;
	for (int b = 0; b < 4; b++)
		if (cmds & (1u << b))
			len += snprintf(list + len, sizeof(list) - len, "%s%s", len ? " and " : "",
					names[b]);
	return cli_usage_error(o->name, "--%s does not apply to %s (%s only)", name, o->name,
			       list);
}

static void set_defaults(struct cli_opts *o, enum cli_cmd cmd, const char *name)
{
	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->name = name;
	o->prof.freq_hz = cmd == CLI_AGENT ? AGENT_DEFAULT_FREQ_HZ : 99;
	o->prof.stack_map_size = PROFILE_DEFAULT_STACK_MAP_SIZE;
	o->prof.counts_map_size = PROFILE_DEFAULT_COUNTS_MAP_SIZE;
	o->prof.min_block_us = 1;
	o->prof.off_cpu_states = OFFCPU_STATE_INTERRUPTIBLE | OFFCPU_STATE_UNINTERRUPTIBLE;
	o->bucket_ns = 1000000000ULL;
	o->metrics = AGENT_DEFAULT_METRICS;
	o->top_comms = AGENT_DEFAULT_TOP_COMMS;
	o->spool_max_mb = AGENT_DEFAULT_SPOOL_MB;
	o->retain_local_min = AGENT_DEFAULT_RETAIN_LOCAL_MIN;
	o->keep_incidents = AGENT_DEFAULT_KEEP_INCIDENTS;
	o->flight_segment_s = AGENT_DEFAULT_FLIGHT_SEGMENT_S;
	watch_opts_init(&o->watch);
}

int cli_opts_parse(struct cli_opts *o, enum cli_cmd cmd, const char *intro, int argc,
		   char **argv)
{
	struct getopt_tables t;
	int c, id, err;

	set_defaults(o, cmd, argv[0]);
	build_tables(cmd, &t);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, t.shorts, t.longs, NULL)) != -1) {
		if (c == '?' || c == ':')
			return cli_bad_option(o->name, c, argv);
		id = opt_id(cmd, c);
		if (id < 0)
			return cli_bad_option(o->name, '?', argv);
		if (!takes(o, id))
			return not_here(o, id);
		if (id == OPT_HELP) {
			cli_opts_usage(cmd, intro);
			return 1;
		}
		o->given |= 1ULL << id;
		err = apply(o, id, optarg);
		if (err)
			return err;
	}
	if (optind < argc)
		return cli_usage_error(o->name, "unexpected argument '%s'", argv[optind]);
	return cli_opts_check(o);
}
