// SPDX-License-Identifier: GPL-2.0
/*
 * The recorder: watch's runner drives the loop; its sink writes each event
 * and its on_poll hook cuts profile buckets, scans listening sockets, notes
 * losses and flushes, all on one thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/outfile.h"
#include "profile/profile_collect.h"
#include "profile/profile_procs.h"
#include "record/recording_procs.h"
#include "record/recording.h"
#include "record/recording_buildid.h"
#include "record/recording_offcpu.h"
#include "record/recording_profile.h"
#include "record/recording_run.h"
#include "record/recording_write.h"
#include "sym/symbolizer.h"
#include "unwind/unwind_kernel.h"
#include "unwind/unwind_mode.h"
#include "watch/watch_pipeline.h"

#define SCAN_NS (2 * 1000000000LL)		/* exits, losses, live updates */

struct recorder {
	const struct record_opts *o;
	struct rec_writer *w;
	struct rec_procs *procs;
	struct symbolizer *sym;
	struct profile_procs *pprocs;
	struct profile_sampler *sampler;
	struct rec_pdelta *delta;
	struct rec_offcpu *offcpu;	/* NULL: off-CPU time could not be recorded */
	struct rec_buildids *buildids;
	struct rec_listen_watch *listen;	/* NULL: only the start's listeners are known */
	struct unwind_kernel *kunwind;	/* the in-kernel walk's tables, for both halves */
	int64_t next_bucket_mono, bucket_start_wall, next_scan_mono;
	uint64_t lost[WATCH_MAX_SOURCES][WATCH_LOSS__COUNT];	/* loss counters already recorded */
	uint64_t events, buckets, write_errors;
	bool stopping;		/* after a write error */
	uint64_t listen_lost;	/* listener events lost, already recorded */
};

static void record_sink(void *arg, const struct watch_event *ev)
{
	struct recorder *r = arg;
	const cJSON *victim;
	cJSON *copy;

	rec_procs__note_pid(r->procs, ev->pid);
	if (ev->type == WATCH_EV_SLOW_SYSCALL &&
	    rec_offcpu__follow(r->offcpu, r->w, ev->pid))
		r->write_errors++;
	if (ev->type == WATCH_EV_OOM_KILL) {
		victim = cJSON_GetObjectItemCaseSensitive(ev->json, "victim");
		rec_procs__note_exit(r->procs, (uint32_t)cJSON_GetNumberValue(
			cJSON_GetObjectItemCaseSensitive(victim, "pid")), (int64_t)ev->wall_ns);
	}
	/* A copy: the object stays watch's; frames gain their files' build-ids. */
	copy = cJSON_Duplicate(ev->json, 1);
	if (copy)
		rec_buildids__annotate(r->buildids, copy, ev->pid);
	if (!copy || rec_writer__event(r->w, copy))
		r->write_errors++;
	else
		r->events++;
	cJSON_Delete(copy);
}

static void write_bucket(struct recorder *r)
{
	struct profile_result res = { 0 };
	struct profile_data bucket = { 0 };
	int64_t end = rec_now_wall_ns();

	profile_sampler__flush(r->sampler);
	if (profile_collect(r->sampler, r->sym, profile_procs__need_maps, r->pprocs, &res) ||
	    rec_pdelta__bucket(r->delta, &res.data, &bucket)) {
		r->write_errors++;
	} else {
		bucket.period_ns = profile_sampler__period_ns(r->sampler);
		if (rec_writer__profile(r->w, r->bucket_start_wall, &bucket))
			r->write_errors++;
		if (bucket.lost_samples)
			rec_writer__loss(r->w, end, "samples", "stack walk failed or map full",
					 bucket.lost_samples);
		r->buckets++;
	}
	if (rec_offcpu__bucket(r->offcpu, r->w, r->bucket_start_wall))
		r->write_errors++;
	free(bucket.stacks);
	profile_result__free(&res);
	r->bucket_start_wall = end;
}

/* What watch dropped since the last poll, as loss records at the time noticed. */
static void note_losses(struct recorder *r, struct watch_ctx *c)
{
	static const char *const reasons[WATCH_LOSS__COUNT] = {
		[WATCH_LOSS_RINGBUF_FULL] = "ring buffer full",
		[WATCH_LOSS_RATE_LIMITED] = "rate limit",
		[WATCH_LOSS_MAP_FULL] = "map full",
		[WATCH_LOSS_UNDECODABLE] = "undecodable",
	};
	int64_t now = rec_now_wall_ns();
	uint64_t v[WATCH_LOSS__COUNT];
	const char *name;

	for (int i = 0; !watch_source_losses(c, i, &name, v); i++) {
		for (int k = 0; k < WATCH_LOSS__COUNT; k++) {
			if (v[k] <= r->lost[i][k])
				continue;
			rec_writer__loss(r->w, now, name, reasons[k], v[k] - r->lost[i][k]);
			r->lost[i][k] = v[k];
		}
	}
	if (r->listen && rec_listen_watch__lost(r->listen) > r->listen_lost) {
		uint64_t lost = rec_listen_watch__lost(r->listen);

		rec_writer__loss(r->w, now, "listen", "ring buffer full", lost - r->listen_lost);
		r->listen_lost = lost;
	}
}

/* Followed from before the one /proc/net/tcp pass, so no listener falls between. */
static void start_listen(struct recorder *r)
{
	r->listen = rec_listen_watch__new(r->procs);
	if (!r->listen)
		pr_warn("record: listeners opened from now on will not be recorded: cannot attach "
			"the inet_sock_set_state tracepoint: %s\n", strerror(errno));
	rec_procs__scan(r->procs);
}

static void record_poll(void *arg, struct watch_ctx *c, bool last)
{
	struct recorder *r = arg;
	int64_t now = rec_now_mono_ns();

	if (r->sampler) {
		profile_sampler__poll(r->sampler, 0);
		rec_offcpu__poll(r->offcpu);
		if (last || now >= r->next_bucket_mono) {
			write_bucket(r);
			r->next_bucket_mono = now + (int64_t)r->o->bucket_ns;
		}
	}
	if (r->listen && rec_listen_watch__poll(r->listen))
		r->write_errors++;
	if (last || now >= r->next_scan_mono) {
		if (rec_procs__note_exits(r->procs))
			r->write_errors++;
		note_losses(r, c);
		r->next_scan_mono = now + SCAN_NS;
		if (r->o->on_flush && !rec_writer__flush(r->w))
			r->o->on_flush(r->o->flush_arg, rec_writer__partial_path(r->w), last);
	}
	if (rec_writer__tick(r->w))
		r->write_errors++;
	if (rec_writer__error(r->w) && !r->stopping) {
		/* Say it now, with its cause: ENOSPC is something to act on. */
		log_error("record: writing %s failed: %s; stopping, what was written is kept",
			  rec_writer__partial_path(r->w), strerror(-rec_writer__error(r->w)));
		r->stopping = true;
		watch_ctx_request_stop(c);
	}
}

static int start_profile(struct recorder *r)
{
	struct profile_sampler_opts so = r->o->sampler;

	r->sym = symbolizer__new();
	r->pprocs = r->sym ? profile_procs__new(r->sym, so.tgids, so.ntgids) : NULL;
	r->delta = rec_pdelta__new();
	if (!r->pprocs || !r->delta) {
		log_error("record: cannot start the profiler: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	so.on_event = profile_procs__on_event;
	so.ctx = r->pprocs;
	so.kunwind = r->kunwind;
	if (profile_sampler__new(&so, &r->sampler) || profile_sampler__attach(r->sampler))
		return -EINVAL;	/* the sampler logged why */
	r->offcpu = rec_offcpu__new(&so, r->sym, r->pprocs);
	if (!r->offcpu)
		pr_warn("record: recording CPU samples and events without off-CPU time\n");
	r->bucket_start_wall = rec_now_wall_ns();
	r->next_bucket_mono = rec_now_mono_ns() + (int64_t)r->o->bucket_ns;
	return 0;
}

static void stop_all(struct recorder *r)
{
	if (r->sampler)
		profile_sampler__detach(r->sampler);
	profile_sampler__free(r->sampler);
	rec_offcpu__free(r->offcpu);
	profile_procs__free(r->pprocs);
	symbolizer__free(r->sym);
	rec_pdelta__free(r->delta);
	rec_listen_watch__free(r->listen);
	rec_procs__free(r->procs);
	rec_buildids__free(r->buildids);
	unwind_kernel__free(r->kunwind);
}

/*
 * One set of unwind tables for the events and the samples: the watch loop
 * and the profiler walk the same processes, so they load them once. When it
 * cannot be had, each half sets up (or does without) its own.
 */
static void share_tables(struct recorder *r)
{
	int err;

	if (!unwind_mode_try_kernel(r->o->unwind) || r->o->watch.no_user_stacks)
		return;
	err = unwind_kernel__new(&r->kunwind);
	if (err)
		pr_info("record: in-kernel unwinding: creating its maps failed: %s\n",
			strerror(-err));
}

static cJSON *options_json(const struct record_opts *o)
{
	cJSON *j = cJSON_CreateObject(), *pids = cJSON_CreateArray();

	if (!j || !pids) {
		cJSON_Delete(j);
		cJSON_Delete(pids);
		return NULL;
	}
	for (int i = 0; i < o->watch.npids; i++)
		cJSON_AddItemToArray(pids, cJSON_CreateNumber(o->watch.pids[i]));
	cJSON_AddItemToObject(j, "pids", pids);
	cJSON_AddNumberToObject(j, "duration_s", o->watch.duration_s);
	cJSON_AddNumberToObject(j, "watch_sources", o->watch.sources);
	cJSON_AddNumberToObject(j, "slow_threshold_ms", o->watch.slow_threshold_ns / 1e6);
	if (watch_source_find("rss") >= 0 && (o->watch.sources & (1u << watch_source_find("rss"))))
		cJSON_AddNumberToObject(j, "rss_step_bytes", (double)o->watch.rss_step_bytes);
	if (o->watch.cgroup_path)
		cJSON_AddStringToObject(j, "cgroup", o->watch.cgroup_path);
	cJSON_AddBoolToObject(j, "profile", o->profile);
	cJSON_AddNumberToObject(j, "freq_hz", o->sampler.freq_hz);
	if (o->sampler.period_ns)
		cJSON_AddNumberToObject(j, "period_ns", (double)o->sampler.period_ns);
	if (o->sampler.tid)
		cJSON_AddNumberToObject(j, "tid", o->sampler.tid);
	if (o->profile)
		cJSON_AddStringToObject(j, "profile_stacks", !o->sampler.user ? "kernel" :
					!o->sampler.kernel ? "user" : "kernel+user");
	cJSON_AddStringToObject(j, "unwind", o->unwind == UNWIND_MODE_DWARF ? "dwarf" :
				o->unwind == UNWIND_MODE_FP ? "fp" :
				o->unwind == UNWIND_MODE_KERNEL ? "kernel" : "auto");
	return j;
}

static struct rec_writer *open_writer(const struct record_opts *o)
{
	cJSON *opts = options_json(o);
	struct rec_writer_opts wo = { .command = o->command, .options = opts,
				      .bucket_ns = o->bucket_ns };
	struct rec_writer *w = rec_writer__open(o->out_path, &wo);

	if (!w)
		log_error("record: cannot write %s: %s", o->out_path, outfile__strerror(-errno));
	cJSON_Delete(opts);
	return w;
}

static int finish(struct recorder *r, int run_err)
{
	char partial[4096];
	int err;

	snprintf(partial, sizeof(partial), "%s", rec_writer__partial_path(r->w));
	if (run_err && !r->events && !r->buckets && !rec_writer__error(r->w)) {
		/* Nothing was recorded: leave no file that looks like a recording. */
		rec_writer__abandon(r->w);
		unlink(partial);
		return 1;
	}
	err = rec_writer__close(r->w);
	if (err) {
		log_error("record: finishing %s failed: %s (what was written is in %s)",
			  r->o->out_path, outfile__strerror(err), partial);
		return 1;
	}
	if (!r->o->no_summary)
		fprintf(stderr, "faultline: recorded %llu events and %llu profile buckets "
			"to %s%s\n", (unsigned long long)r->events,
			(unsigned long long)r->buckets, r->o->out_path,
			r->write_errors ? " (some records could not be written)" : "");
	return run_err ? 1 : 0;
}

int record_run(const struct record_opts *o)
{
	struct recorder r = { .o = o };
	struct watch_run_cfg cfg = { .opts = &o->watch, .out = stdout, .sink = record_sink,
				     .sink_arg = &r, .quiet_render = true,
				     .on_poll = record_poll };
	int err;

	r.w = open_writer(o);
	if (!r.w)
		return 1;
	r.procs = rec_procs__new(r.w);
	r.buildids = rec_buildids__new();
	if (!r.procs || !r.buildids) {
		log_error("record: %s", strerror(ENOMEM));
		err = -ENOMEM;
	} else {
		/* Who listens where, before anything can kill them; then as they start. */
		start_listen(&r);
		share_tables(&r);
		cfg.kunwind = r.kunwind;
		err = o->profile ? start_profile(&r) : 0;
	}
	if (!err)
		err = watch_run(&cfg);
	stop_all(&r);
	return finish(&r, err);
}
