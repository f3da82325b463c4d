// SPDX-License-Identifier: GPL-2.0
/* faultline profile: sample on-CPU stacks, symbolize them, write a profile. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "cli/cli.h"
#include "base/lifecycle.h"
#include "base/log.h"
#include "base/outfile.h"
#include "profile/profile_collect.h"
#include "cli/opts.h"
#include "profile/profile_procs.h"
#include "profile/profile_python.h"
#include "profile/profile_sampler.h"
#include "output/stack_profile.h"
#include "unwind/unwind_mode.h"
#include "profile/unwind_profile.h"
#include "unwind/unwind_kernel.h"

#define POLL_MS 100

#define PROFILE_INTRO								\
	"Usage: faultline profile [OPTION]...\n\n"				\
	"Samples on-CPU stacks (kernel and user) of the whole system, or of the\n"	\
	"processes, thread or cgroup given, until -d expires, Ctrl-C, or every -p\n"	\
	"process has exited. Without -o, prints the hottest functions.\n"

/* Everything one run owns; freed by run_cleanup(). */
struct run {
	struct cli_opts opts;
	struct profile_opts *o;		/* &opts.prof */
	struct profile_sampler_opts so;
	struct outfile *out;
	struct symbolizer *sym;
	struct profile_procs *procs;
	struct profile_sampler *sampler;
	struct profile_result result;
	char command[1024];
	char hostname[256];
	struct timespec start_mono, start_wall;
	uint64_t duration_ns;
};

static uint64_t ts_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000ULL + t->tv_nsec;
}

static uint64_t mono_since_ns(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return ts_ns(&now) - ts_ns(start);
}

static void fill_sampler_opts(struct run *r)
{
	r->so.on_event = profile_procs__on_event;
	r->so.ctx = r->procs;
}

static void describe_run(struct run *r, int argc, char **argv)
{
	size_t len = snprintf(r->command, sizeof(r->command), "faultline");

	for (int i = 0; i < argc && len < sizeof(r->command); i++)
		len += snprintf(r->command + len, sizeof(r->command) - len, " %s", argv[i]);
	if (gethostname(r->hostname, sizeof(r->hostname)))
		snprintf(r->hostname, sizeof(r->hostname), "unknown");
	r->hostname[sizeof(r->hostname) - 1] = '\0';
}

/* Opens the output first: an unwritable -o fails before any sampling. */
static int setup(struct run *r)
{
	if (cli_prepare_kernel("profile", false))
		return 1;
	if (r->o->out_path) {
		int err = outfile__open(r->o->out_path, &r->out);

		if (err) {
			log_error("profile: cannot write %s: %s", r->o->out_path,
				  outfile__strerror(err));
			return 1;
		}
	}
	r->sym = symbolizer__new();
	r->procs = r->sym ? profile_procs__new(r->sym, r->o->pids, r->o->npids) : NULL;
	if (!r->procs) {
		log_error("profile: out of memory");
		return 1;
	}
	/* The targets' maps now, in case they exit before their first sample. */
	for (int i = 0; i < r->o->npids; i++)
		profile_procs__need_maps(r->procs, r->o->pids[i]);
	fill_sampler_opts(r);
	if (profile_sampler__new(&r->so, &r->sampler))
		return 1;
	clock_gettime(CLOCK_REALTIME, &r->start_wall);
	clock_gettime(CLOCK_MONOTONIC, &r->start_mono);
	return profile_sampler__attach(r->sampler) ? 1 : 0;
}

static const char *why_stopped(struct run *r)
{
	if (lifecycle_exiting)
		return "interrupted";
	if (r->o->duration_s && mono_since_ns(&r->start_mono) >= r->o->duration_s * 1000000000ULL)
		return "duration reached";
	if (profile_procs__targets_gone(r->procs))
		return r->o->npids > 1 ? "the processes exited" : "the process exited";
	return NULL;
}

static void sample_until_done(struct run *r)
{
	const char *why;
	int n;

	pr_info("profile: sampling %s at %s on %d CPUs\n", profile_sampler__event(r->sampler),
		r->o->freq_hz ? "a fixed rate" : "a fixed period",
		profile_sampler__ncpus_attached(r->sampler));
	while (!(why = why_stopped(r))) {
		n = profile_sampler__poll(r->sampler, POLL_MS);
		if (n < 0) {
			pr_warn("profile: polling notifications failed: %s\n", strerror(-n));
			lifecycle_wait_ms(POLL_MS);
		}
	}
	r->duration_ns = mono_since_ns(&r->start_mono);
	profile_sampler__detach(r->sampler);
	/* Notifications still queued: their processes may still be readable. */
	profile_sampler__poll(r->sampler, 0);
	pr_info("profile: stopped: %s\n", why);
}

static int write_output(struct run *r)
{
	struct output_opts oo = { .pid_in_name = r->o->pid_in_name, .top_n = 20 };
	struct outfile *out = r->out;
	int err;

	r->out = NULL;
	err = output_write(r->o->format, &r->result.data, &oo, out ? outfile__stream(out) : stdout);
	if (err) {
		log_error("profile: writing %s output failed: %s",
			  output_format_name(r->o->format), strerror(-err));
		outfile__abort(out);
		return 1;
	}
	err = out ? outfile__commit(out) : 0;
	if (err) {
		log_error("profile: cannot write %s: %s", r->o->out_path, outfile__strerror(err));
		return 1;
	}
	fflush(stdout);
	return 0;
}

static void fill_metadata(struct run *r)
{
	struct profile_data *d = &r->result.data;

	d->period_ns = profile_sampler__period_ns(r->sampler);
	d->freq_hz = r->o->off_cpu ? 0 : r->o->freq_hz;
	d->start_wall_ns = ts_ns(&r->start_wall);
	d->duration_ns = r->duration_ns;
	d->title = r->o->wall ? "Wall-clock profile" : r->o->off_cpu ? "Off-CPU profile" :
								   "CPU profile";
	d->command = r->command;
	d->hostname = r->hostname;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * part / whole : 0.0;
}

typedef unsigned long long ull;

static void print_lost(const struct profile_result *res)
{
	const uint64_t *c = res->stats.counters;

	fprintf(stderr, "profile: %llu samples lost: stack map full / collisions",
		(ull)res->data.lost_samples);
	if (res->data.lost_samples)
		fprintf(stderr, " (user stack: %llu collisions, %llu map full, %llu not walkable; "
			"kernel stack: %llu collisions, %llu map full, %llu not walkable; "
			"counts map full: %llu)",
			(ull)c[PC_USER_COLLISION], (ull)c[PC_USER_FULL],
			(ull)(c[PC_USER_FAULT] + c[PC_USER_OTHER]), (ull)c[PC_KERN_COLLISION],
			(ull)c[PC_KERN_FULL], (ull)(c[PC_KERN_FAULT] + c[PC_KERN_OTHER]),
			(ull)c[PC_COUNTS_FULL]);
	fputc('\n', stderr);
}

/* What to change when maps were too small. */
static void print_hints(const struct run *r)
{
	const uint64_t *c = r->result.stats.counters;

	uint64_t stack_lost = c[PC_USER_COLLISION] + c[PC_KERN_COLLISION] + c[PC_USER_FULL] +
			      c[PC_KERN_FULL];

	/* Collisions grow with distinct stacks per bucket: a bigger map is the cure. */
	if (stack_lost > r->result.data.total_samples / 100)
		fprintf(stderr, "profile: over 1%% lost to the stack map: "
			"try --stack-map-size %u\n", r->o->stack_map_size * 4);
	if (c[PC_COUNTS_FULL])
		fprintf(stderr, "profile: counts map full: try --counts-map-size %u\n",
			r->o->counts_map_size * 4);
}

/* --off-cpu: the time, the switches behind it, and what was left out. */
static void print_off_cpu(const struct run *r)
{
	const struct profile_result *res = &r->result;
	const uint64_t *c = res->stats.counters;
	uint64_t waits = 0;

	for (size_t i = 0; i < res->data.nstacks; i++)
		waits += res->data.stacks[i].events;
	fprintf(stderr, "profile: %.1f ms off-CPU in %llu waits over %.1f s (sched_switch: %llu "
		"context switches seen), %llu processes\n", res->data.total_samples / 1e3,
		(ull)waits, r->duration_ns / 1e9, (ull)c[PC_SAMPLES],
		(ull)res->stats.processes);
	fprintf(stderr, "profile: not counted: %llu waits under --min-block %ld us, %llu waits "
		"with no room in the maps (user stack not walkable: %llu, kernel: %llu)\n",
		(ull)profile_sampler__short_waits(r->sampler), r->o->min_block_us,
		(ull)c[PC_COUNTS_FULL], (ull)(c[PC_USER_FAULT] + c[PC_USER_OTHER]),
		(ull)(c[PC_KERN_FAULT] + c[PC_KERN_OTHER]));
}

/*
 * --wall: the time per state, and how it compares with duration x threads
 * (less for threads that started or ended during the profile).
 */
static void print_wall(const struct run *r)
{
	const struct profile_result *res = &r->result;
	const struct profile_collect_stats *st = &res->stats;
	const uint64_t *c = st->counters;
	double whole = r->duration_ns / 1e3 * st->wall_threads;

	fprintf(stderr, "profile: %.1f ms wall over %.1f s in %llu threads: %.1f%% of duration x "
		"threads\nprofile:", res->data.total_samples / 1e3, r->duration_ns / 1e9,
		(ull)st->wall_threads, pct(res->data.total_samples, whole));
	for (int i = 0; i < PROFILE_WALL_STATES; i++)
		if (st->wall_us[i])
			fprintf(stderr, " %s %.1f ms (%.1f%%)", profile_wall_state_name(i),
				st->wall_us[i] / 1e3, pct(st->wall_us[i], res->data.total_samples));
	fprintf(stderr, "\nprofile: not counted: %llu samples or waits with no room in the counts "
		"map, %llu threads with no room in task storage (user stack not walkable: %llu, "
		"kernel: %llu)\n", (ull)c[PC_COUNTS_FULL], (ull)c[PC_OFF_STORAGE_FULL],
		(ull)(c[PC_USER_FAULT] + c[PC_USER_OTHER]),
		(ull)(c[PC_KERN_FAULT] + c[PC_KERN_OTHER]));
}

static void print_summary(const struct run *r, bool written)
{
	const struct profile_result *res = &r->result;
	const struct profile_collect_stats *st = &res->stats;
	int unreadable = profile_procs__unreadable(r->procs);
	char rate[64];

	if (r->o->wall)
		print_wall(r);
	else if (r->o->off_cpu)
		print_off_cpu(r);
	else if (r->o->freq_hz)
		snprintf(rate, sizeof(rate), "%u Hz", r->o->freq_hz);
	else
		snprintf(rate, sizeof(rate), "every %llu ns", (ull)r->o->period_ns);
	if (!r->o->off_cpu && !r->o->wall) {
		fprintf(stderr, "profile: %llu samples in %.1f s (%s, %s, %d CPUs), %llu "
			"processes\n", (ull)res->data.total_samples, r->duration_ns / 1e9,
			profile_sampler__event(r->sampler), rate,
			profile_sampler__ncpus_attached(r->sampler), (ull)st->processes);
		print_lost(res);
	}
	unwind_profile__print_summary(profile_sampler__dwarf(r->sampler), stderr);
	unwind_kernel__print_summary(profile_sampler__kernel_unwinder(r->sampler), "profile",
				     stderr);
	profile_python__print_summary(profile_sampler__python(r->sampler), st->counters, stderr);
	print_hints(r);
	fprintf(stderr, "profile: unsymbolized frames: %.1f%%",
		pct(st->unnamed_frames, st->frames));
	if (unreadable)
		fprintf(stderr, " (%d processes exited before their maps could be read)",
			unreadable);
	fputc('\n', stderr);
	if (st->cut_samples)
		fprintf(stderr, "profile: stack ends: next address not in executable memory: "
			"%llu samples\n", (ull)st->cut_samples);
	if (st->counters[PC_NOTIFY_LOST])
		fprintf(stderr, "profile: %llu process notifications lost (ring buffer full)\n",
			(ull)st->counters[PC_NOTIFY_LOST]);
	pr_info("profile: %llu samples seen by BPF, %llu filtered out, %llu stack map "
		"collisions saved in the overflow map\n",
		(ull)st->counters[PC_SAMPLES],
		(ull)st->counters[PC_FILTERED],
		(ull)st->counters[PC_COLLISION_SAVED]);
	pr_info("profile: maps of %d processes read (%d reads)\n",
		profile_procs__captured(r->procs), profile_procs__reads(r->procs));
	if (r->o->out_path && written)
		fprintf(stderr, "profile: wrote %s (%s)\n", r->o->out_path,
			output_format_name(r->o->format));
}

static void run_cleanup(struct run *r)
{
	outfile__abort(r->out);
	profile_result__free(&r->result);
	profile_sampler__free(r->sampler);
	profile_procs__free(r->procs);
	symbolizer__free(r->sym);
	free(r);
}

int cmd_profile(int argc, char **argv)
{
	struct run *r = calloc(1, sizeof(*r));
	int ret;

	if (!r) {
		log_error("profile: out of memory");
		return 1;
	}
	r->o = &r->opts.prof;
	ret = cli_opts_parse(&r->opts, CLI_PROFILE, PROFILE_INTRO, argc, argv);
	if (ret == 1) {
		ret = 0;	/* --help */
		goto out;
	}
	if (!ret)
		ret = profile_opts_resolve("profile", r->o, &r->so);
	if (ret)
		goto out;
	describe_run(r, argc, argv);
	ret = setup(r);
	if (ret)
		goto out;
	sample_until_done(r);
	if (profile_collect(r->sampler, r->sym, profile_procs__need_maps, r->procs, &r->result)) {
		ret = 1;
		goto out;
	}
	profile_procs__forget_exited(r->procs);
	fill_metadata(r);
	ret = write_output(r);
	print_summary(r, ret == 0);
out:
	run_cleanup(r);
	return ret;
}
