// SPDX-License-Identifier: GPL-2.0
/* `faultline profile` command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "base/log.h"
#include "cli/profile_opts.h"
#include "profile/profile_sampler.h"
#include "unwind.h"
#include "offcpu.h"

enum {
	OPT_TID = 256, OPT_CGROUP, OPT_PERIOD, OPT_KERNEL_ONLY, OPT_USER_ONLY, OPT_IDLE,
	OPT_FORMAT, OPT_PID_IN_NAME, OPT_STACK_MAP, OPT_COUNTS_MAP, OPT_UNWIND, OPT_STACK_BYTES,
	OPT_OFF_CPU, OPT_MIN_BLOCK, OPT_STATE,
};

static const struct option long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "tid", required_argument, NULL, OPT_TID },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "frequency", required_argument, NULL, 'F' },
	{ "period", required_argument, NULL, OPT_PERIOD },
	{ "cpu", required_argument, NULL, 'C' },
	{ "duration", required_argument, NULL, 'd' },
	{ "kernel-only", no_argument, NULL, OPT_KERNEL_ONLY },
	{ "user-only", no_argument, NULL, OPT_USER_ONLY },
	{ "include-idle", no_argument, NULL, OPT_IDLE },
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "pid-in-name", no_argument, NULL, OPT_PID_IN_NAME },
	{ "stack-map-size", required_argument, NULL, OPT_STACK_MAP },
	{ "counts-map-size", required_argument, NULL, OPT_COUNTS_MAP },
	{ "unwind", required_argument, NULL, OPT_UNWIND },
	{ "stack-bytes", required_argument, NULL, OPT_STACK_BYTES },
	{ "off-cpu", no_argument, NULL, OPT_OFF_CPU },
	{ "min-block", required_argument, NULL, OPT_MIN_BLOCK },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{},
};

static void usage(void)
{
	printf("Usage: faultline profile [-p PID]... [--tid TID] [--cgroup PATH] [-F HZ]\n"
	       "                         [-d SECONDS] [--kernel-only|--user-only] [-o FILE]\n"
	       "                         [--format folded|svg|pprof|json]\n\n"
	       "Samples on-CPU stacks (kernel and user) of the whole system, or of the\n"
	       "processes, thread or cgroup given, until -d expires, Ctrl-C, or every -p\n"
	       "process has exited. Without -o, prints the hottest functions. With\n"
	       "--off-cpu, measures instead where threads wait: the time between going\n"
	       "to sleep and running again, by stack.\n\n"
	       "  -p, --pid PID          a process and all its threads (repeatable)\n"
	       "      --tid TID          one thread\n"
	       "      --cgroup PATH      a cgroup v2 directory (absolute or below the v2 root)\n"
	       "  -F, --frequency HZ     samples per second per CPU (default 99)\n"
	       "      --period NS        one sample per NS nanoseconds of CPU time instead\n"
	       "  -C, --cpu LIST         CPUs to sample, e.g. 0-3,6 (default: all online)\n"
	       "  -d, --duration SECONDS stop after this long (default: until Ctrl-C)\n"
	       "      --kernel-only      kernel time and stacks only\n"
	       "      --user-only        user stacks only (kernel threads are skipped)\n"
	       "      --include-idle     count the idle task too (--off-cpu: kernel threads)\n"
	       "      --off-cpu          time blocked (sleeping) instead of CPU samples\n"
	       "      --min-block US     --off-cpu: ignore waits shorter than US (default 1)\n"
	       "      --state S|D|SD     --off-cpu: interruptible (S), uninterruptible (D)\n"
	       "                         sleeps or both (default SD)\n"
	       "  -o, --output FILE      write the profile to FILE\n"
	       "      --format FMT       folded, svg, pprof or json (default: from FILE's\n"
	       "                         extension: .folded/.txt, .svg, .pb.gz/.pprof, .json)\n"
	       "      --pid-in-name      name processes comm-PID in folded and SVG output\n"
	       "      --stack-map-size N distinct stacks kept (default %d)\n"
	       "      --counts-map-size N distinct (process, stack) pairs counted (default %d)\n"
	       "      --unwind MODE      user stacks: fp (frame pointers), dwarf (.eh_frame, for\n"
	       "                         binaries built without frame pointers) or auto (dwarf\n"
	       "                         when a -p target's binary lacks them; default)\n"
	       "      --stack-bytes N    dwarf: user stack bytes copied per sample (default %d)\n"
	       "  -v, --verbose          more detail (-vv: libbpf's own messages)\n"
	       "  -h, --help             this help\n",
	       PROFILE_DEFAULT_STACK_MAP_SIZE, PROFILE_DEFAULT_COUNTS_MAP_SIZE,
	       UNWIND_STACK_DEFAULT);
}

static int parse_num(const char *opt, const char *arg, long min, long max, long *out)
{
	if (cli_parse_long(arg, min, max, out))
		return 0;
	return cli_usage_error("profile", "%s wants a number in %ld..%ld, not '%s'", opt, min,
			       max, arg);
}

static int add_pid(struct profile_opts *o, const char *arg)
{
	long v;
	int err = parse_num("-p", arg, 1, 0x3fffffff, &v);

	if (err)
		return err;
	if (o->npids == PROFILE_MAX_PIDS)
		return cli_usage_error("profile", "at most %d -p options", PROFILE_MAX_PIDS);
	o->pids[o->npids++] = v;
	return 0;
}

static int set_map_size(const char *opt, const char *arg, uint32_t *out)
{
	long v;
	int err = parse_num(opt, arg, 64, 1 << 22, &v);

	if (!err)
		*out = v;
	return err;
}

static int set_states(struct profile_opts *o, const char *arg)
{
	uint32_t mask = 0;

	for (const char *c = arg; *c; c++) {
		if (*c == 'S')
			mask |= OFFCPU_STATE_INTERRUPTIBLE;
		else if (*c == 'D')
			mask |= OFFCPU_STATE_UNINTERRUPTIBLE;
		else
			mask = 0, c = " ";	/* stop: refused below */
	}
	if (!mask)
		return cli_usage_error("profile", "--state wants S, D or SD, not '%s'", arg);
	o->off_cpu_states = mask;
	return 0;
}

static int set_unwind(struct profile_opts *o, const char *arg)
{
	int m = unwind_mode_parse(arg);

	if (m < 0)
		return cli_usage_error("profile", "unknown --unwind mode '%s' (fp, dwarf or auto)",
				       arg);
	o->unwind = m;
	return 0;
}

/* One option; 0, or EXIT_USAGE after printing why. */
static int apply_opt(int c, const char *arg, struct profile_opts *o)
{
	long v;
	int err = 0;

	switch (c) {
	case 'p': return add_pid(o, arg);
	case OPT_TID: err = parse_num("--tid", arg, 1, 0x3fffffff, &v); o->tid = v; break;
	case OPT_CGROUP: o->cgroup = arg; break;
	case 'F': err = parse_num("-F", arg, 1, 100000, &v); o->freq_hz = v; break;
	case OPT_PERIOD: err = parse_num("--period", arg, 10000, 1000000000L * 60, &v);
		o->period_ns = v; break;
	case 'C': o->cpulist = arg; break;
	case 'd': err = parse_num("-d", arg, 1, 86400 * 365, &v); o->duration_s = v; break;
	case OPT_KERNEL_ONLY: o->kernel_only = true; break;
	case OPT_USER_ONLY: o->user_only = true; break;
	case OPT_IDLE: o->include_idle = true; break;
	case 'o': o->out_path = arg; break;
	case OPT_FORMAT:
		err = output_format_parse(arg);
		if (err < 0)
			return cli_usage_error("profile", "unknown format '%s' (folded, svg, "
					       "pprof or json)", arg);
		o->format = err;
		o->format_given = true;
		return 0;
	case OPT_PID_IN_NAME: o->pid_in_name = true; break;
	case OPT_STACK_MAP: return set_map_size("--stack-map-size", arg, &o->stack_map_size);
	case OPT_COUNTS_MAP: return set_map_size("--counts-map-size", arg, &o->counts_map_size);
	case OPT_UNWIND: return set_unwind(o, arg);
	case OPT_STACK_BYTES: err = parse_num("--stack-bytes", arg, 256, UNWIND_STACK_MAX, &v);
		o->stack_bytes = v; break;
	case OPT_OFF_CPU: o->off_cpu = true; break;
	case OPT_MIN_BLOCK: err = parse_num("--min-block", arg, 0, 3600L * 1000000, &v);
		o->min_block_us = v; break;
	case OPT_STATE: return set_states(o, arg);
	case 'v': log_verbosity++; break;
	}
	return err;
}

static int check_opts(struct profile_opts *o, bool freq_given)
{
	if (o->kernel_only && o->user_only)
		return cli_usage_error("profile",
				       "--kernel-only and --user-only exclude each other");
	if (freq_given && o->period_ns)
		return cli_usage_error("profile", "-F and --period exclude each other");
	if (o->period_ns)
		o->freq_hz = 0;
	if ((o->min_block_us != 1 ||
	     o->off_cpu_states != (OFFCPU_STATE_INTERRUPTIBLE | OFFCPU_STATE_UNINTERRUPTIBLE)) &&
	    !o->off_cpu)
		return cli_usage_error("profile", "--min-block and --state need --off-cpu");
	if (o->off_cpu && o->unwind == UNWIND_MODE_DWARF)
		return cli_usage_error("profile", "--off-cpu walks frame pointers: drop "
				       "--unwind dwarf");
	if (o->format_given && !o->out_path)
		return cli_usage_error("profile", "--format needs -o FILE");
	if (o->out_path && !o->format_given) {
		int f = output_format_from_path(o->out_path);

		if (f < 0)
			return cli_usage_error("profile", "cannot tell the format from '%s': use "
					       "--format folded|svg|pprof|json", o->out_path);
		o->format = f;
	}
	return 0;
}

int profile_opts_parse(int argc, char **argv, struct profile_opts *o)
{
	bool freq_given = false;
	int c, err;

	memset(o, 0, sizeof(*o));
	o->freq_hz = 99;
	o->stack_map_size = PROFILE_DEFAULT_STACK_MAP_SIZE;
	o->counts_map_size = PROFILE_DEFAULT_COUNTS_MAP_SIZE;
	o->min_block_us = 1;
	o->off_cpu_states = OFFCPU_STATE_INTERRUPTIBLE | OFFCPU_STATE_UNINTERRUPTIBLE;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:F:C:d:o:vh", long_opts, NULL)) != -1) {
		if (c == 'h') {
			usage();
			return 1;
		}
		if (c == '?' || c == ':')
			return cli_bad_option("profile", c, argv);
		freq_given |= c == 'F';
		err = apply_opt(c, optarg, o);
		if (err)
			return err;
	}
	if (optind < argc)
		return cli_usage_error("profile", "unexpected argument '%s'", argv[optind]);
	return check_opts(o, freq_given);
}
