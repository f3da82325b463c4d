// SPDX-License-Identifier: GPL-2.0
/* faultline record: watch and profile together, into one recording file. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "base/lifecycle.h"
#include "base/log.h"
#include "base/privs.h"
#include "record/recording_run.h"
#include "base/tracefs.h"
#include "unwind.h"
#include "watch/watch_pipeline.h"

enum {
	OPT_SLOW_THRESHOLD = 256, OPT_SLOW_ALL, OPT_FD_WARN, OPT_RATE_LIMIT, OPT_NO_PROFILE,
	OPT_BUCKET,
};

static void record_usage(void)
{
	printf("Usage: faultline record -o FILE [-d SECONDS] [-p PID]... [--events LIST]\n"
	       "                        [--slow-threshold MS|SYSCALL=MS]... [-F HZ] [--no-profile]\n\n"
	       "Runs watch and profile together and writes one recording (gzip JSON Lines,\n"
	       "docs/recording-format.md) for 'faultline report'. It is written to FILE.partial,\n"
	       "flushed every second, and renamed to FILE when recording stops (-d elapsed,\n"
	       "Ctrl-C, SIGTERM); after a crash, FILE.partial is still readable by report.\n\n"
	       "  -o, --output FILE        the recording (required)\n"
	       "  -d, --duration SECONDS   stop after SECONDS (default: until Ctrl-C)\n"
	       "  -p, --pid PID            only this process (repeatable)\n"
	       "  -e, --events LIST        watch sources: oom,fd,conn,slow,signal (default: all)\n"
	       "      --slow-threshold MS  slow syscall threshold (default 100); SYSCALL=MS\n"
	       "      --slow-all           also syscalls that block by design\n"
	       "      --fd-warn PERCENT    fd_pressure threshold (default 80)\n"
	       "      --rate-limit N       events per second per process (default 100, 0: off)\n"
	       WATCH_UNWIND_HELP
	       "  -F, --freq HZ            profile samples per second per CPU (default 99)\n"
	       "      --bucket MS          profile bucket length (default 1000)\n"
	       "      --no-profile         record events only\n"
	       "  -v, --verbose            more messages\n"
	       "  -h, --help               this help\n");
}

static int parse_number(struct record_opts *o, int c, const char *arg)
{
	long v;

	switch (c) {
	case 'p':
		if (o->watch.npids >= WATCH_MAX_PIDS || !cli_parse_long(arg, 1, INT_MAX, &v))
			return cli_usage_error("record", "invalid pid '%s'", arg);
		o->watch.pids[o->watch.npids++] = v;
		return 0;
	case 'd':
		if (!cli_parse_long(arg, 1, 365L * 86400, &o->watch.duration_s))
			return cli_usage_error("record", "invalid duration '%s'", arg);
		return 0;
	case 'F':
		if (!cli_parse_long(arg, 1, 10000, &v))
			return cli_usage_error("record", "invalid frequency '%s' (1-10000)", arg);
		o->freq_hz = v;
		return 0;
	case OPT_BUCKET:
		if (!cli_parse_long(arg, 100, 60000, &v))
			return cli_usage_error("record", "invalid --bucket '%s' (100-60000 ms)", arg);
		o->bucket_ns = v * 1000000ULL;
		return 0;
	case OPT_FD_WARN:
		if (!cli_parse_long(arg, 1, 100, &v))
			return cli_usage_error("record", "invalid --fd-warn '%s' (1-100)", arg);
		o->watch.fd_warn_pct = v;
		return 0;
	case OPT_RATE_LIMIT:
		if (!cli_parse_long(arg, 0, 1000000, &v))
			return cli_usage_error("record", "invalid --rate-limit '%s'", arg);
		o->watch.rate_limit = v;
		return 0;
	}
	return -1;
}

static int parse_other(struct record_opts *o, int c, const char *arg)
{
	char bad[64];

	switch (c) {
	case 'o': o->out_path = arg; return 0;
	case 'v': log_verbosity++; return 0;
	case OPT_NO_PROFILE: o->profile = false; return 0;
	case OPT_SLOW_ALL: o->watch.slow_all = true; return 0;
	case 'e':
		if (watch_parse_events(arg, &o->watch.sources, bad, sizeof(bad)))
			return cli_usage_error("record", "unknown event source '%s' in --events",
					       bad);
		return 0;
	case OPT_SLOW_THRESHOLD:
		if (watch_parse_slow_threshold(&o->watch, arg))
			return cli_usage_error("record", "invalid --slow-threshold '%s' (MS or "
					       "SYSCALL=MS)", arg);
		return 0;
	case WATCH_OPT_UNWIND:
	case WATCH_OPT_STACK_BYTES:
		/* One choice for both halves: events and profile samples. */
		if (watch_parse_unwind(&o->watch, "record", c, arg))
			return EXIT_USAGE;
		if (c == WATCH_OPT_UNWIND)
			o->unwind = o->watch.unwind;
		else
			o->stack_bytes = o->watch.stack_bytes;
		return 0;
	}
	return parse_number(o, c, arg);
}

/* 0: run; 1: --help shown; otherwise the exit status of a usage error. */
static int parse_args(struct record_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "events", required_argument, NULL, 'e' },
		{ "slow-threshold", required_argument, NULL, OPT_SLOW_THRESHOLD },
		{ "slow-all", no_argument, NULL, OPT_SLOW_ALL },
		{ "fd-warn", required_argument, NULL, OPT_FD_WARN },
		{ "rate-limit", required_argument, NULL, OPT_RATE_LIMIT },
		{ "freq", required_argument, NULL, 'F' },
		{ "bucket", required_argument, NULL, OPT_BUCKET },
		{ "no-profile", no_argument, NULL, OPT_NO_PROFILE },
		WATCH_UNWIND_LONGOPTS,
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c, ret;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:d:p:e:F:vh", opts, NULL)) != -1) {
		if (c == 'h') {
			record_usage();
			return 1;
		}
		if (c == '?' || c == ':')
			return cli_bad_option("record", c, argv);
		ret = parse_other(o, c, optarg);
		if (ret)
			return ret;
	}
	if (optind < argc)
		return cli_usage_error("record", "unexpected argument '%s'", argv[optind]);
	if (!o->out_path)
		return cli_usage_error("record", "missing -o FILE");
	return 0;
}

static void describe(struct record_opts *o, int argc, char **argv)
{
	size_t len = snprintf(o->command, sizeof(o->command), "faultline");

	for (int i = 0; i < argc && len < sizeof(o->command); i++)
		len += snprintf(o->command + len, sizeof(o->command) - len, " %s", argv[i]);
}

static int prepare_kernel(void)
{
	bool mounted;
	int err;

	if (privs_require_bpf("record") || privs_require_btf("record"))
		return -EPERM;
	err = tracefs_ensure(&mounted);
	if (err) {
		log_error("record: tracefs is not mounted and mounting it failed: %s",
			  strerror(-err));
		return err;
	}
	err = lifecycle_install();
	if (err)
		log_error("record: cannot install signal handlers: %s", strerror(-err));
	return err;
}

int cmd_record(int argc, char **argv)
{
	struct record_opts o = { .profile = true, .freq_hz = 99, .bucket_ns = 1000000000ULL };
	int ret;

	watch_opts_init(&o.watch);
	ret = parse_args(&o, argc, argv);
	if (ret)
		return ret == 1 ? 0 : ret;
	describe(&o, argc, argv);
	if (prepare_kernel())
		return 1;
	return record_run(&o);
}
