// SPDX-License-Identifier: GPL-2.0
/* faultline record: watch and profile together, into one recording file. */
#include <stdio.h>

#include "base/log.h"
#include "base/procfs.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "record/recording_run.h"
#include "base/tracefs.h"
#include "unwind.h"
#include "watch/watch_pipeline.h"

#define RECORD_INTRO								\
	"Usage: faultline record -o FILE [OPTION]...\n\n"				\
	"Runs watch and profile together and writes one recording (gzip JSON Lines,\n"	\
	"docs/recording-format.md) for 'faultline report'. It is written to FILE.partial,\n" \
	"flushed every second, and renamed to FILE when recording stops (-d elapsed,\n"	\
	"Ctrl-C, SIGTERM); after a crash, FILE.partial is still readable by report.\n"	\
	"-p, --tid and --cgroup filter both events and profile samples; how, for each:\n"	\
	"docs/recording-format.md.\n"

static void describe(struct record_opts *r, int argc, char **argv)
{
	size_t len = snprintf(r->command, sizeof(r->command), "faultline");

	for (int i = 0; i < argc && len < sizeof(r->command); i++)
		len += snprintf(r->command + len, sizeof(r->command) - len, " %s", argv[i]);
}

/*
 * -p for both halves: the processes watch resolved (threads to their process).
 * Events have no per-thread filter: --tid watches its whole process.
 */
static int resolve_targets(struct cli_opts *o)
{
	struct watch_opts *w = &o->watch;
	int tgid;

	if (watch_resolve_pids(w))
		return 1;
	o->prof.npids = w->npids;
	for (int i = 0; i < w->npids; i++)
		o->prof.pids[i] = w->pids[i];
	if (!o->prof.tid)
		return 0;
	tgid = proc_tgid(o->prof.tid);
	if (tgid < 0) {
		log_error("record: --tid %d: no such thread", o->prof.tid);
		return 1;
	}
	for (int i = 0; i < w->npids; i++)
		if (w->pids[i] == (uint32_t)tgid)
			return 0;
	if (w->npids >= WATCH_MAX_PIDS)
		return cli_usage_error("record", "at most %d processes with -p and --tid",
				       WATCH_MAX_PIDS);
	w->pids[w->npids++] = tgid;
	return 0;
}

static int setup(struct cli_opts *o, struct record_opts *r)
{
	int err = resolve_targets(o);

	if (err)
		return err;
	r->out_path = o->prof.out_path;
	r->watch = o->watch;
	r->profile = !o->no_profile;
	r->bucket_ns = o->bucket_ns;
	r->unwind = o->prof.unwind;
	if (r->profile)
		return profile_opts_resolve("record", &o->prof, &r->sampler);
	return 0;
}

int cmd_record(int argc, char **argv)
{
	struct record_opts r = { 0 };
	struct cli_opts o;
	int ret;

	ret = cli_opts_parse(&o, CLI_RECORD, RECORD_INTRO, argc, argv);
	if (ret)
		return ret == 1 ? 0 : ret;
	ret = setup(&o, &r);
	if (ret)
		return ret;
	describe(&r, argc, argv);
	if (cli_prepare_kernel("record", true))
		return 1;
	return record_run(&r);
}
