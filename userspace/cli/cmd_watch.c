// SPDX-License-Identifier: GPL-2.0
/* faultline watch: trace production errors as they happen. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "base/lifecycle.h"
#include "base/log.h"
#include "base/privs.h"
#include "report/report_live.h"
#include "base/tracefs.h"
#include "watch/watch_pipeline.h"

enum {
	OPT_CGROUP = 256, OPT_SLOW_THRESHOLD, OPT_SLOW_ALL, OPT_HIST, OPT_STACKS, OPT_FD_WARN,
	OPT_EXITS, OPT_RATE_LIMIT, OPT_RINGBUF_KB, OPT_NO_USER, OPT_NO_KERNEL, OPT_INCIDENTS,
};

static void watch_usage(void)
{
	printf("Usage: faultline watch [-p PID]... [--cgroup PATH] [--events LIST]\n"
	       "                       [--slow-threshold MS|SYSCALL=MS]... [--json] [-d SECONDS]\n\n"
	       "Traces production errors as they happen, each with the process, the facts\n"
	       "and a symbolized stack. Events:\n");
	for (int i = 0; watch_sources[i]; i++)
		printf("  %-8s %s\n", watch_sources[i]->name, watch_sources[i]->summary);
	printf("\n"
	       "  -p, --pid PID            only this process (repeatable, up to %d)\n"
	       "      --cgroup PATH        only tasks in this cgroup directory or below (v2, or\n"
	       "                           v1 of a controller, e.g. /sys/fs/cgroup/memory/x)\n"
	       "  -e, --events LIST        comma-separated sources (default: all)\n"
	       "      --slow-threshold MS  report syscalls slower than MS (default 100);\n"
	       "                           SYSCALL=MS overrides one syscall, 0 excludes it\n"
	       "      --slow-all           also syscalls that block by design (poll, futex...)\n"
	       "      --hist               per-syscall latency histograms at exit\n"
	       "      --exits              also process exits with a non-zero status\n"
	       "      --fd-warn PERCENT    fd_pressure threshold (default 80)\n"
	       "      --rate-limit N       events per second per process (default 100, 0: off)\n"
	       "      --ringbuf-kb KB      ring buffer size per source (default 1024)\n"
	       "      --no-user-stacks, --no-kernel-stacks\n"
	       "      --stacks             print symbolized stacks under each line\n"
	       WATCH_UNWIND_HELP
	       "  -j, --json               JSON Lines on stdout (schema: docs/events.md)\n"
	       "      --incidents          incidents as they form, then the report (docs/report.md)\n"
	       "  -d, --duration SECONDS   stop after SECONDS (default: until Ctrl-C)\n"
	       "  -v, --verbose            hooks attached and skipped (-vv: libbpf messages)\n"
	       "  -h, --help               this help\n", WATCH_MAX_PIDS);
}

static int set_cgroup(struct watch_opts *o, const char *path)
{
	int err = watch_cgroup_target(path, o);

	if (err == -EMEDIUMTYPE)
		return cli_usage_error("watch", "--cgroup '%s' is not a cgroup directory (v2, or v1 "
				       "with a controller)", path);
	if (err)
		return cli_usage_error("watch", "--cgroup '%s': %s", path, strerror(-err));
	o->cgroup_path = path;
	return 0;
}

static int add_pid(struct watch_opts *o, const char *arg)
{
	long v;

	if (o->npids >= WATCH_MAX_PIDS)
		return cli_usage_error("watch", "at most %d -p options", WATCH_MAX_PIDS);
	if (!cli_parse_long(arg, 1, INT_MAX, &v))
		return cli_usage_error("watch", "invalid pid '%s'", arg);
	o->pids[o->npids++] = v;
	return 0;
}

static int parse_value(struct watch_opts *o, int c, const char *arg)
{
	char bad[64];
	long v;

	switch (c) {
	case 'p':
		return add_pid(o, arg);
	case 'e':
		if (watch_parse_events(arg, &o->sources, bad, sizeof(bad)))
			return cli_usage_error("watch", "unknown event source '%s' in --events",
					       bad);
		return 0;
	case 'd':
		if (!cli_parse_long(arg, 1, 365L * 86400, &o->duration_s))
			return cli_usage_error("watch", "invalid duration '%s'", arg);
		return 0;
	case OPT_SLOW_THRESHOLD:
		if (watch_parse_slow_threshold(o, arg))
			return cli_usage_error("watch", "invalid --slow-threshold '%s' (MS or "
					       "SYSCALL=MS)", arg);
		return 0;
	case OPT_FD_WARN:
		if (!cli_parse_long(arg, 1, 100, &v))
			return cli_usage_error("watch", "invalid --fd-warn '%s' (1-100)", arg);
		o->fd_warn_pct = v;
		return 0;
	case OPT_RATE_LIMIT:
		if (!cli_parse_long(arg, 0, 1000000, &v))
			return cli_usage_error("watch", "invalid --rate-limit '%s'", arg);
		o->rate_limit = v;
		return 0;
	case OPT_RINGBUF_KB:
		if (!cli_parse_long(arg, 4, 1024 * 1024, &v))
			return cli_usage_error("watch", "invalid --ringbuf-kb '%s' (4-1048576)", arg);
		o->ringbuf_kb = v;
		return 0;
	case OPT_CGROUP:
		return set_cgroup(o, arg);
	case WATCH_OPT_UNWIND:
	case WATCH_OPT_STACK_BYTES:
		return watch_parse_unwind(o, "watch", c, arg);
	}
	return -1;
}

static int parse_flag(struct watch_opts *o, int c)
{
	switch (c) {
	case 'j': o->json = true; return 0;
	case 'v': log_verbosity++; return 0;
	case OPT_SLOW_ALL: o->slow_all = true; return 0;
	case OPT_HIST: o->hist = true; return 0;
	case OPT_STACKS: o->stacks = true; return 0;
	case OPT_EXITS: o->exits = true; return 0;
	case OPT_NO_USER: o->no_user_stacks = true; return 0;
	case OPT_NO_KERNEL: o->no_kernel_stacks = true; return 0;
	case OPT_INCIDENTS: o->incidents = true; return 0;
	}
	return -1;
}

/* 0: run; 1: --help shown; otherwise the exit status of a usage error. */
static int parse_args(struct watch_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "events", required_argument, NULL, 'e' },
		{ "slow-threshold", required_argument, NULL, OPT_SLOW_THRESHOLD },
		{ "slow-all", no_argument, NULL, OPT_SLOW_ALL },
		{ "hist", no_argument, NULL, OPT_HIST },
		{ "stacks", no_argument, NULL, OPT_STACKS },
		{ "exits", no_argument, NULL, OPT_EXITS },
		{ "fd-warn", required_argument, NULL, OPT_FD_WARN },
		{ "rate-limit", required_argument, NULL, OPT_RATE_LIMIT },
		{ "ringbuf-kb", required_argument, NULL, OPT_RINGBUF_KB },
		{ "no-user-stacks", no_argument, NULL, OPT_NO_USER },
		{ "no-kernel-stacks", no_argument, NULL, OPT_NO_KERNEL },
		{ "incidents", no_argument, NULL, OPT_INCIDENTS },
		WATCH_UNWIND_LONGOPTS,
		{ "json", no_argument, NULL, 'j' },
		{ "duration", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:e:d:jvh", opts, NULL)) != -1) {
		if (c == 'h') {
			watch_usage();
			return 1;
		}
		if (c == '?' || c == ':')
			return cli_bad_option("watch", c, argv);
		ret = parse_flag(o, c);
		if (ret)
			ret = parse_value(o, c, optarg);
		if (ret)
			return ret;
	}
	if (optind < argc)
		return cli_usage_error("watch", "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int prepare_kernel(void)
{
	bool mounted;
	int err;

	if (privs_require_bpf("watch") || privs_require_btf("watch"))
		return -EPERM;
	err = tracefs_ensure(&mounted);
	if (err) {
		log_error("watch: tracefs is not mounted and mounting it failed: %s",
			  strerror(-err));
		return err;
	}
	err = lifecycle_install();
	if (err) {
		log_error("watch: cannot install signal handlers: %s", strerror(-err));
		return err;
	}
	return 0;
}

int cmd_watch(int argc, char **argv)
{
	struct watch_run_cfg cfg = { .out = stdout };
	struct watch_opts o;
	int ret;

	watch_opts_init(&o);
	ret = parse_args(&o, argc, argv);
	if (ret)
		return ret == 1 ? 0 : ret;
	if (watch_resolve_pids(&o) || prepare_kernel())
		return 1;
	if (o.incidents)
		return report_live_run(&o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	cfg.opts = &o;
	return watch_run(&cfg) ? 1 : 0;
}
