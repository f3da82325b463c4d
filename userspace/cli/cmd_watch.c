// SPDX-License-Identifier: GPL-2.0
/* faultline watch: trace production errors as they happen. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "report/report_live.h"
#include "base/tracefs.h"
#include "watch/watch_pipeline.h"

#define WATCH_INTRO								\
	"Usage: faultline watch [OPTION]...\n\n"					\
	"Traces production errors as they happen, each with the process, the facts\n"	\
	"and a symbolized stack.\n"

int cmd_watch(int argc, char **argv)
{
	struct watch_run_cfg cfg = { .out = stdout };
	struct cli_opts o;
	int ret;

	ret = cli_opts_parse(&o, CLI_WATCH, WATCH_INTRO, argc, argv);
	if (ret)
		return ret == 1 ? 0 : ret;
	if (watch_resolve_pids(&o.watch) || cli_prepare_kernel("watch", true))
		return 1;
	if (o.watch.incidents)
		return report_live_run(&o.watch);
	setvbuf(stdout, NULL, _IOLBF, 0);
	cfg.opts = &o.watch;
	return watch_run(&cfg) ? 1 : 0;
}
