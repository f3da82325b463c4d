// SPDX-License-Identifier: GPL-2.0
/* Checks across options, once all are parsed. */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "cli/cli.h"
#include "cli/opts.h"

#define BIT(id) (1ULL << (id))
#define MAX_RATE_PATH "/proc/sys/kernel/perf_event_max_sample_rate"

unsigned int cli_freq_capped(unsigned int hz, unsigned int max)
{
	return max && hz > max ? max : hz;
}

/*
 * The kernel refuses perf events asking for more, and lowers the limit itself
 * when sampling interrupts take too long: read it each run. 0 when unknown.
 */
static unsigned int max_sample_rate(void)
{
	unsigned int v = 0;
	FILE *f = fopen(MAX_RATE_PATH, "re");

	if (f && fscanf(f, "%u", &v) != 1)
		v = 0;
	if (f)
		fclose(f);
	return v;
}

/* A whole host has as many wall clocks as threads, most of them asleep: targets only. */
static int check_wall(struct cli_opts *o)
{
	struct profile_opts *p = &o->prof;

	if (!p->wall)
		return 0;
	if (!p->npids && !p->tid)
		return cli_usage_error(o->name, "--wall needs -p PID or --tid TID: the wall-clock "
				       "time of a whole system is not a profile");
	if (p->off_cpu || (o->given & (BIT(OPT_MIN_BLOCK) | BIT(OPT_STATE) | BIT(OPT_WAKERS))))
		return cli_usage_error(o->name, "--wall counts every state and every wait: "
				       "--off-cpu, --wakers, --min-block and --state do not apply");
	if (p->cgroup)
		return cli_usage_error(o->name, "--wall takes -p or --tid, not --cgroup");
	if (p->unwind == UNWIND_MODE_DWARF)
		return cli_usage_error(o->name, "--wall walks stacks in the kernel: --unwind "
				       "dwarf (stack copies) does not apply");
	return 0;
}

static int check_off_cpu(struct cli_opts *o)
{
	int err = check_wall(o);

	if (err)
		return err;
	if ((o->given & (BIT(OPT_MIN_BLOCK) | BIT(OPT_STATE) | BIT(OPT_WAKERS))) &&
	    !o->prof.off_cpu)
		return cli_usage_error(o->name, "--min-block, --state and --wakers need --off-cpu");
	if (o->prof.off_cpu && o->prof.unwind == UNWIND_MODE_DWARF)
		return cli_usage_error(o->name, "--off-cpu walks stacks in the kernel: --unwind "
				       "dwarf (stack copies) does not apply");
	if (o->prof.off_cpu && (o->given & (BIT(OPT_FREQ) | BIT(OPT_PERIOD))))
		return cli_usage_error(o->name, "--off-cpu times every wait: -F and --period "
				       "do not apply");
	return 0;
}

static int check_sampling(struct cli_opts *o)
{
	struct profile_opts *p = &o->prof;
	unsigned int hz, max;
	int err = check_off_cpu(o);

	if (err)
		return err;
	if (p->kernel_only && p->user_only)
		return cli_usage_error(o->name, "--kernel-only and --user-only exclude each other");
	if ((o->given & BIT(OPT_FREQ)) && (o->given & BIT(OPT_PERIOD)))
		return cli_usage_error(o->name, "-F and --period exclude each other");
	if (p->period_ns) {
		p->freq_hz = 0;
		return 0;
	}
	max = max_sample_rate();
	hz = cli_freq_capped(p->freq_hz, max);
	if (hz != p->freq_hz)
		pr_warn("%s: -F %u is above kernel.perf_event_max_sample_rate: sampling at %u Hz\n",
			o->name, p->freq_hz, hz);
	p->freq_hz = hz;
	return 0;
}

static int check_profile_output(struct cli_opts *o)
{
	struct profile_opts *p = &o->prof;
	int f;

	if (p->format_given && !p->out_path)
		return cli_usage_error(o->name, "--format needs -o FILE");
	if (!p->out_path || p->format_given)
		return 0;
	f = output_format_from_path(p->out_path);
	if (f < 0)
		return cli_usage_error(o->name, "cannot tell the format from '%s': add --format "
				       "folded|svg|pprof|json", p->out_path);
	p->format = f;
	return 0;
}

/* Options that only shape profile samples (and --bucket, their grouping). */
static const char *profile_only_given(const struct cli_opts *o)
{
	for (int id = 0; id < OPT__COUNT; id++) {
		unsigned int cmds = cli_opts_table[id].cmds;

		if ((o->given & BIT(id)) && (((cmds & CLI_PROFILE) && !(cmds & CLI_WATCH)) ||
					     id == OPT_BUCKET || id == OPT_AGENT_FREQ ||
					     id == OPT_MAX_CPU))
			return cli_opts_table[id].name;
	}
	return NULL;
}

/* record and agent: events, and profile samples unless --no-profile. */
static int check_both_halves(struct cli_opts *o)
{
	const char *name = profile_only_given(o);

	if (o->no_profile && name)
		return cli_usage_error(o->name, "--%s shapes profile samples, and --no-profile "
				       "turns them off", name);
	if (!o->no_profile && o->watch.cgroup_path && o->watch.cgroup_ssid >= 0)
		return cli_usage_error(o->name, "--cgroup '%s' is a cgroup v1 directory: profile "
				       "samples can only be filtered by a v2 cgroup (add "
				       "--no-profile)", o->watch.cgroup_path);
	return 0;
}

/* The store's and the flight recorder's own options mean nothing without them. */
static int check_sink(struct cli_opts *o)
{
	static const int needs_dir[] = { OPT_RETAIN_LOCAL, OPT_KEEP_INCIDENTS, OPT_FLIGHT_SEGMENT };

	for (size_t i = 0; !o->flight_dir && i < sizeof(needs_dir) / sizeof(needs_dir[0]); i++)
		if (o->given & BIT(needs_dir[i]))
			return cli_usage_error(o->name, "--%s needs --flight-dir DIR",
					       cli_opts_table[needs_dir[i]].name);
	static const int needs_it[] = { OPT_HOST, OPT_SPOOL, OPT_SPOOL_MAX_MB, OPT_RETAIN_DAYS };

	if (o->clickhouse && strncmp(o->clickhouse, "http://", 7) &&
	    strncmp(o->clickhouse, "https://", 8))
		return cli_usage_error(o->name, "--clickhouse '%s' is not an http:// or https:// URL",
				       o->clickhouse);
	if (o->clickhouse)
		return 0;
	for (size_t i = 0; i < sizeof(needs_it) / sizeof(needs_it[0]); i++)
		if (o->given & BIT(needs_it[i]))
			return cli_usage_error(o->name, "--%s needs --clickhouse URL",
					       cli_opts_table[needs_it[i]].name);
	return 0;
}

static int check_record(struct cli_opts *o)
{
	if (!o->prof.out_path)
		return cli_usage_error(o->name, "missing -o FILE");
	return check_both_halves(o);
}

/* --heap selects the heap source: alone, or added to --events. */
static int check_heap(struct cli_opts *o)
{
	struct watch_opts *w = &o->watch;
	int heap = watch_source_find("heap");

	if (!w->nheap_pids && (o->given & (BIT(OPT_HEAP_INTERVAL) | BIT(OPT_HEAP_SAMPLE))))
		return cli_usage_error(o->name, "--heap-interval and --heap-sample need --heap PID");
	if (heap < 0)
		return 0;
	if (!w->nheap_pids && w->sources == 1u << heap)
		return cli_usage_error(o->name, "the heap source needs --heap PID");
	if (!w->nheap_pids) {
		w->sources &= ~(1u << heap);	/* --events all */
		return 0;
	}
	if (o->given & BIT(OPT_EVENTS))
		w->sources |= 1u << heap;
	else
		w->sources = 1u << heap;
	return 0;
}

/* --rss-step shapes the rss source: refused when it is not running. */
static int check_rss(struct cli_opts *o)
{
	int rss = watch_source_find("rss");

	if (!(o->given & BIT(OPT_RSS_STEP)) || rss < 0 || (o->watch.sources & (1u << rss)))
		return 0;
	return cli_usage_error(o->name, "--rss-step needs the rss source (see --events)");
}

int cli_opts_check(struct cli_opts *o)
{
	int err = check_heap(o);

	if (!err)
		err = check_rss(o);

	if (!err && o->cmd != CLI_WATCH)
		err = check_sampling(o);
	if (!err && o->cmd == CLI_PROFILE)
		err = check_profile_output(o);
	if (!err && o->cmd == CLI_RECORD)
		err = check_record(o);
	if (!err && o->cmd == CLI_AGENT)
		err = check_both_halves(o);
	if (!err && o->cmd == CLI_AGENT)
		err = check_sink(o);
	return err;
}
