// SPDX-License-Identifier: GPL-2.0
/*
 * The agent: watch's runner drives the loop, as it does for record; its sink
 * counts each event and its on_poll hook keeps the profiler going, copies the
 * loss counters into the metrics and applies SIGHUP, all on one thread. The
 * HTTP thread only renders the metrics.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/agent.h"
#include "agent/agent_cpu.h"
#include "agent/agent_http.h"
#include "agent/agent_metrics.h"
#include "agent/agent_samples.h"
#include "base/log.h"
#include "unwind/unwind_kernel.h"
#include "unwind/unwind_mode.h"
#include "watch/watch_pipeline.h"

#define SCAN_NS 1000000000LL	/* loss and sample counters copied this often */

static volatile sig_atomic_t reload_requested;

struct agent {
	const struct agent_opts *o;
	struct agent_metrics *m;
	struct agent_http *http;
	struct profile_sampler_opts so;		/* the rate is live */
	struct profile_sampler *sampler;
	uint64_t samples_base, counts_full_base;	/* of the samplers before a rate change */
	unsigned int top;
	unsigned int max_cpu;		/* --max-cpu-percent */
	struct agent_cpu cpu;
	int64_t next_scan;
	struct agent_ch *ch;		/* NULL: no store */
	struct agent_flight *flight;	/* NULL: no local segments */
	struct unwind_kernel *kunwind;	/* the in-kernel walk's tables, for events and samples */
	struct agent_samples *samples;	/* the profile's buckets for the store */
	int64_t next_bucket;		/* monotonic */
	uint64_t bucket_start_wall;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void on_hup(int sig)
{
	(void)sig;
	reload_requested = 1;
}

static void agent_sink(void *arg, const struct watch_event *ev)
{
	struct agent *a = arg;

	if (ev->type > WATCH_EV_NONE && ev->type < WATCH_EV_NOTICE)
		agent_metrics__event(a->m, watch_event_type_name(ev->type), ev->comm);
	if (a->ch && ev->type > WATCH_EV_NONE)
		agent_ch__event(a->ch, ev->json, ev->wall_ns);
	if (a->flight && ev->type > WATCH_EV_NONE)
		agent_flight__event(a->flight, ev);
}

/* What the profile gained since the last bucket, as `samples` rows. */
static void push_bucket(struct agent *a)
{
	struct profile_result res = { 0 };
	struct profile_data bucket = { 0 };
	uint64_t end = wall_ns();

	if (!a->samples || !a->sampler)
		return;
	if (!agent_samples__collect(a->samples, a->sampler, &res, &bucket)) {
		bucket.period_ns = profile_sampler__period_ns(a->sampler);
		if (a->ch)
			agent_ch__samples(a->ch, &bucket, a->bucket_start_wall, "cpu");
		if (a->flight)
			agent_flight__bucket(a->flight, a->bucket_start_wall, &bucket);
	} else if (a->ch) {
		agent_metrics__sink_rows(a->m, "samples", SINK_DROPPED, 1);
	}
	agent_samples__done(&res, &bucket);
	a->bucket_start_wall = end;
	a->next_bucket = now_ns() + AGENT_SAMPLES_BUCKET_NS;
}

/* Samples of the profiled tasks, and those no count map entry was left for. */
static void sampler_totals(struct agent *a, uint64_t *samples, uint64_t *full)
{
	uint64_t c[PC__COUNT] = { 0 };

	*samples = a->samples_base;
	*full = a->counts_full_base;
	if (!a->sampler || profile_sampler__counters(a->sampler, c))
		return;
	*samples += c[PC_SAMPLES] > c[PC_FILTERED] ? c[PC_SAMPLES] - c[PC_FILTERED] : 0;
	*full += c[PC_COUNTS_FULL];
}

static void copy_counters(struct agent *a, struct watch_ctx *c)
{
	static const char *const reasons[WATCH_LOSS__COUNT] = {
		[WATCH_LOSS_RINGBUF_FULL] = "ringbuf_full",
		[WATCH_LOSS_RATE_LIMITED] = "rate_limited",
		[WATCH_LOSS_MAP_FULL] = "map_full",
		[WATCH_LOSS_UNDECODABLE] = "undecodable",
	};
	uint64_t samples, full, v[WATCH_LOSS__COUNT];
	const char *name;

	for (int i = 0; !watch_source_losses(c, i, &name, v); i++)
		for (int k = 0; k < WATCH_LOSS__COUNT; k++)
			agent_metrics__set_lost(a->m, name, reasons[k], v[k]);
	if (!a->o->profile)
		return;
	sampler_totals(a, &samples, &full);
	agent_metrics__set_samples(a->m, samples);
	agent_metrics__set_lost(a->m, "profile", "map_full", full);
}

static int start_sampler(struct agent *a)
{
	int err = a->samples ? agent_samples__restart(a->samples) : 0;

	if (!err)
		err = profile_sampler__new(&a->so, &a->sampler);

	if (!err)
		err = profile_sampler__attach(a->sampler);
	if (err) {
		profile_sampler__free(a->sampler);
		a->sampler = NULL;
	}
	agent_metrics__set_rate(a->m, a->sampler ? a->so.freq_hz : 0);
	return err;
}

static void stop_sampler(struct agent *a)
{
	if (!a->sampler)
		return;
	push_bucket(a);
	profile_sampler__detach(a->sampler);
	sampler_totals(a, &a->samples_base, &a->counts_full_base);
	profile_sampler__free(a->sampler);
	a->sampler = NULL;
}

/* A new perf event rate means new perf events: the sampler is started again. */
static void change_rate(struct agent *a, unsigned int hz)
{
	unsigned int old = a->so.freq_hz;

	if (!a->o->profile || hz == old)
		return;
	stop_sampler(a);
	a->so.freq_hz = hz;
	if (!start_sampler(a)) {
		pr_warn("faultline agent: profile rate %u Hz -> %u Hz (applied)\n", old, hz);
		return;
	}
	a->so.freq_hz = old;
	if (!start_sampler(a)) {
		pr_warn("faultline agent: profile rate %u Hz could not be applied: still %u Hz\n",
			hz, old);
		return;
	}
	pr_warn("faultline agent: the profiler could not be restarted: profiling has stopped\n");
}

static void reload(struct agent *a)
{
	struct agent_live live = { a->top, a->so.freq_hz, a->max_cpu };

	reload_requested = 0;
	if (!a->o->reload)
		return;
	pr_warn("faultline agent: SIGHUP: re-reading the configuration\n");
	if (a->o->reload(a->o->reload_arg, &live)) {
		pr_warn("faultline agent: the running configuration is kept\n");
		return;
	}
	if (live.top_comms != a->top) {
		pr_warn("faultline agent: top comms %u -> %u (applied)\n", a->top, live.top_comms);
		a->top = live.top_comms;
		agent_metrics__set_top(a->m, a->top);
	}
	if (live.max_cpu_pct != a->max_cpu) {
		pr_warn("faultline agent: max CPU %u%% -> %u%% (applied)\n", a->max_cpu,
			live.max_cpu_pct);
		a->max_cpu = live.max_cpu_pct;
	}
	change_rate(a, live.freq_hz);
	agent_cpu_reset(&a->cpu);
}

/* Over --max-cpu-percent for a whole window: a lower rate (never raised again by itself). */
static void keep_under_cpu(struct agent *a, int64_t now)
{
	double pct;
	unsigned int hz;

	if (!a->max_cpu || !a->sampler)
		return;
	pct = agent_cpu_check(&a->cpu, now);
	if (pct < 0)
		return;
	hz = agent_rate_for_cpu(a->so.freq_hz, pct, a->max_cpu);
	if (hz == a->so.freq_hz)
		return;
	pr_warn("faultline agent: own CPU %.1f%% over the last %lld s, above --max-cpu-percent "
		"%u: lowering the profile rate\n", pct, AGENT_CPU_WINDOW_NS / 1000000000LL,
		a->max_cpu);
	change_rate(a, hz);
	agent_cpu_reset(&a->cpu);
}

static void agent_poll(void *arg, struct watch_ctx *c, bool last)
{
	struct agent *a = arg;
	int64_t now = now_ns();

	if (a->sampler)
		profile_sampler__poll(a->sampler, 0);
	if (a->samples && !last && now >= a->next_bucket)
		push_bucket(a);
	if (a->flight)
		agent_flight__poll(a->flight);
	if (reload_requested && !last)
		reload(a);
	if (last || now >= a->next_scan) {
		copy_counters(a, c);
		if (!last)
			keep_under_cpu(a, now);
		a->next_scan = now + SCAN_NS;
	}
}

static bool loopback(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		return (ntohl(a4->sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr);
}

/* libmicrohttpd's thread inherits the mask: stop signals go to the polling thread. */
static int start_http(struct agent *a)
{
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	a->http = agent_http__start(&a->o->addr, a->o->addr_text, a->m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return a->http ? 0 : -EADDRNOTAVAIL;
}

/* Symbolized profile buckets, for the store and the flight recorder. */
static int start_samples(struct agent *a)
{
	if (!a->o->profile || (!a->o->ch.url && !a->o->flight.dir))
		return 0;
	a->samples = agent_samples__new(&a->so);
	if (!a->samples) {
		log_error("agent: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	return 0;
}

static int start_flight(struct agent *a)
{
	const struct agent_flight_opts *f = &a->o->flight;

	if (agent_flight__start(f, &a->flight))
		return -EINVAL;	/* logged */
	pr_warn("faultline agent: flight recorder: the last %u minutes in %s/segment-*.rec, the "
		"last %u incidents in %s/incidents/\n", f->retain_min, f->dir, f->keep_incidents,
		f->dir);
	return 0;
}

static int start_sink(struct agent *a)
{
	const struct agent_ch_opts *ch = &a->o->ch;

	if (agent_ch__start(ch, a->m, &a->ch))
		return -EINVAL;	/* logged */
	pr_warn("faultline agent: rows to ClickHouse at %s as host '%s'%s%s\n", ch->url,
		ch->host, ch->spool_dir ? ", spool " : ", no spool",
		ch->spool_dir ? ch->spool_dir : "");
	return 0;
}

static int start(struct agent *a)
{
	struct sigaction sa = { .sa_handler = on_hup };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGHUP, &sa, NULL)) {
		log_error("agent: cannot catch SIGHUP: %s", strerror(errno));
		return -errno;
	}
	a->m = agent_metrics__new(a->top, FAULTLINE_VERSION);
	if (!a->m) {
		log_error("agent: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (start_http(a))
		return -EADDRNOTAVAIL;
	if (!loopback(&a->o->addr))
		pr_warn("faultline agent: %s is not a loopback address: the metrics (process names "
			"included) are open to anyone who can reach it, without authentication\n",
			a->o->addr_text);
	if (start_samples(a) || (a->o->flight.dir && start_flight(a)) ||
	    (a->o->ch.url && start_sink(a)))
		return -EINVAL;
	if (a->o->profile && start_sampler(a))
		return -EINVAL;	/* the sampler logged why */
	a->bucket_start_wall = wall_ns();
	a->next_bucket = now_ns() + AGENT_SAMPLES_BUCKET_NS;
	pr_warn("faultline agent: metrics on http://%s/metrics; profile %s\n", a->o->addr_text,
		a->o->profile ? "on" : "off");
	if (a->o->profile)
		pr_warn("faultline agent: profile rate %u Hz per CPU\n", a->so.freq_hz);
	return 0;
}

/*
 * One set of unwind tables for the events and the samples, as record has:
 * both walk the same processes. When it cannot be had, each half sets up
 * (or does without) its own.
 */
static void share_tables(struct agent *a, struct watch_run_cfg *cfg)
{
	int err;

	if (!unwind_mode_try_kernel(a->o->watch.unwind) || a->o->watch.no_user_stacks)
		return;
	err = unwind_kernel__new(&a->kunwind);
	if (err) {
		pr_info("agent: in-kernel unwinding: creating its maps failed: %s\n",
			strerror(-err));
		return;
	}
	cfg->kunwind = a->kunwind;
	a->so.kunwind = a->kunwind;
}

int agent_run(const struct agent_opts *o)
{
	struct agent a = { .o = o, .so = o->sampler, .top = o->top_comms,
			   .max_cpu = o->max_cpu_pct };
	struct watch_run_cfg cfg = { .opts = &o->watch, .out = stdout, .sink = agent_sink,
				     .sink_arg = &a, .quiet_render = true,
				     .on_poll = agent_poll };
	int err;

	share_tables(&a, &cfg);
	err = start(&a);

	if (!err)
		err = watch_run(&cfg);
	stop_sampler(&a);	/* its last bucket goes to the sink */
	agent_ch__stop(a.ch);
	agent_flight__stop(a.flight);
	agent_samples__free(a.samples);
	unwind_kernel__free(a.kunwind);
	agent_http__stop(a.http);
	agent_metrics__free(a.m);
	signal(SIGHUP, SIG_DFL);
	if (!err)
		pr_warn("faultline agent: stopped\n");
	return err ? 1 : 0;
}
