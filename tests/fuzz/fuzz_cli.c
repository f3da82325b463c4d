// SPDX-License-Identifier: GPL-2.0
/*
 * Command lines: the option parsers of profile, watch, record and report,
 * and the value parsers behind them (CPU lists, event lists, slow-syscall
 * thresholds). The first byte picks the command, the rest is its arguments
 * separated by NUL bytes. A parser must return (0, 1 for --help, or 2 after
 * one error line), never exit or crash.
 */
#include <getopt.h>

#include "fuzz_common.h"
#include "fuzz_cli/fuzz_cli.h"

#include "base/log.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/profile_opts.h"
#include "profile/profile_sampler.h"
#include "watch/watch_internal.h"
#include "watch/watch_pipeline.h"

#define MAX_ARGS 64

static const char *const names[] = { "profile", "watch", "record", "report", "values" };

/*
 * getopt keeps a pointer into the last argv it read (a cluster like "-hv"
 * stopped at 'h'); optind = 0 makes glibc drop it, which the parsers'
 * optind = 1 does not. faultline parses once per process: only the harness
 * needs this.
 */
static void getopt_reset(void)
{
	char *argv[] = { "reset", NULL };

	optind = 0;
	opterr = 0;
	getopt(1, argv, "");
	optind = 1;
}

/* The value parsers directly, each argument in turn through all of them. */
static int values(int argc, char **argv)
{
	bool mask[PROFILE_MAX_CPUS];
	struct watch_opts o;
	uint32_t events;
	char bad[64];
	long v;

	watch_opts_init(&o);
	for (int i = 1; i < argc; i++) {
		profile_parse_cpulist(argv[i], mask, PROFILE_MAX_CPUS);
		watch_parse_events(argv[i], &events, bad, sizeof(bad));
		watch_parse_slow_threshold(&o, argv[i]);
		cli_parse_long(argv[i], -1000, 1000, &v);
	}
	return 0;
}

static int run(int cmd, int argc, char **argv)
{
	static const enum cli_cmd cmds[] = { CLI_PROFILE, CLI_WATCH, CLI_RECORD };
	static struct cli_opts o;	/* large: not on the fuzzer's stack */
	bool mask[PROFILE_MAX_CPUS];
	int ret;

	switch (cmd) {
	case 0:
	case 1:
	case 2:
		ret = cli_opts_parse(&o, cmds[cmd], "", argc, argv);
		if (!ret && o.prof.cpulist)
			profile_parse_cpulist(o.prof.cpulist, mask, PROFILE_MAX_CPUS);
		return ret;
	case 3: return fuzz_report_args(argc, argv);
	default: return values(argc, argv);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 1];
	const uint8_t *p, *end, *nul;
	int argc = 1, cmd, ret;

	if (!size)
		return 0;
	cmd = data[0] % (sizeof(names) / sizeof(names[0]));
	argv[0] = strdup(names[cmd]);
	/* Each argument its own allocation: reading past one is caught. */
	for (p = data + 1, end = data + size; p < end && argc < MAX_ARGS; p = nul + 1) {
		nul = memchr(p, '\0', end - p);
		if (!nul)
			nul = end;
		argv[argc++] = fuzz_strdup(p, nul - p);
	}
	argv[argc] = NULL;
	getopt_reset();
	log_verbosity = 0;
	ret = run(cmd, argc, argv);
	if (ret != 0 && ret != 1 && ret != EXIT_USAGE)
		abort();
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
