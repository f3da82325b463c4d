// SPDX-License-Identifier: GPL-2.0
/* The watch runner: load the chosen sources, poll their rings, report at exit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "base/lifecycle.h"
#include "base/log.h"
#include "sym/symbolizer.h"
#include "unwind/unwind_mode.h"
#include "watch/watch_internal.h"

#define POLL_MS 50
#define HOUSEKEEPING_NS 500000000ULL

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Realtime minus monotonic, sampled between two monotonic reads. */
static int64_t mono_to_real(void)
{
	uint64_t m1 = clock_ns(CLOCK_MONOTONIC), r = clock_ns(CLOCK_REALTIME);
	uint64_t m2 = clock_ns(CLOCK_MONOTONIC);

	return (int64_t)(r - (m1 + (m2 - m1) / 2));
}

/*
 * A record whose header disagrees with its size is not decoded, only
 * counted. In DWARF mode snapshots are kept and events held until the batch
 * is read (watch_defer.c); notices go first, as they would anyway.
 */
static int on_sample(void *arg, void *data, size_t size)
{
	const struct watch_header *h = data;
	struct watch_source *s = arg;

	if (size < sizeof(*h) || h->size != size) {
		s->decode_errors++;
		return 0;
	}
	if (h->type == WATCH_EV_NOTICE && watch_kunwind_notice(s->ctx, data, size))
		return 0;
	if (h->type == WATCH_EV_SNAPSHOT) {
		if (watch_unwind_store(s->ctx, data, size))
			s->decode_errors++;
		return 0;
	}
	if (s->ctx->unw && h->type != WATCH_EV_NOTICE && !watch_defer(s->ctx, s, data, size))
		return 0;
	if (s->ops->handle(s, data, size))
		s->decode_errors++;
	return 0;
}

static void free_sources(struct watch_ctx *c)
{
	for (int i = 0; i < c->nsources; i++)
		if (c->sources[i].ops->free)
			c->sources[i].ops->free(&c->sources[i]);
	c->nsources = 0;
}

static int load_one(struct watch_ctx *c, const struct watch_source_ops *ops)
{
	struct watch_source *s = &c->sources[c->nsources];
	int err;

	if (c->nsources >= WATCH_MAX_SOURCES)
		return -E2BIG;
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->ctx = c;
	s->ring_fd = -1;
	s->counters_fd = -1;
	err = ops->load(s, c->opts);
	if (err) {
		if (ops->free)
			ops->free(s);
		return err;
	}
	pr_info("%s: attached %s%s%s\n", ops->name, s->attached[0] ? s->attached : "nothing",
		s->skipped[0] ? "; skipped " : "", s->skipped);
	c->nsources++;
	return 0;
}

/*
 * A source that does not load with the in-kernel walker (an older kernel, a
 * stricter verifier) is tried once without it; when that loads, the rest of
 * the run unwinds as it would without the walker, and -v says so once.
 */
static int load_source(struct watch_ctx *c, const struct watch_source_ops *ops)
{
	struct watch_opts saved = c->opts_run;
	int err = load_one(c, ops);

	if (!err || !c->opts_run.kunwind || saved.unwind == UNWIND_MODE_KERNEL)
		return err;
	c->opts_run.kunwind = NULL;
	watch_unwind_resolve(&c->opts_run);
	if (load_one(c, ops)) {
		c->opts_run = saved;
		return err;
	}
	pr_info("watch: in-kernel unwinding does not load for %s (%s): user stacks as "
		"without it from now on\n", ops->name, strerror(-err));
	return c->unw ? 0 : watch_unwind_new(c);
}

extern const struct watch_source_ops watch_proc_ops;

static int load_sources(struct watch_ctx *c)
{
	int failed = 0, internal;

	load_one(c, &watch_proc_ops);	/* warns itself: stacks degrade, events do not */
	internal = c->nsources;

	for (int i = 0; watch_sources[i] && i < WATCH_MAX_SOURCES; i++) {
		if (!(c->opts->sources & (1u << i)))
			continue;
		if (load_source(c, watch_sources[i]))
			failed++;
	}
	if (c->nsources == internal)
		return -ENOENT;
	if (failed)
		pr_warn("Warning: %d event source%s could not be loaded (see above); watching "
			"the rest\n", failed, failed > 1 ? "s" : "");
	return 0;
}

static struct ring_buffer *open_rings(struct watch_ctx *c)
{
	struct ring_buffer *rb = NULL;

	for (int i = 0; i < c->nsources; i++) {
		struct watch_source *s = &c->sources[i];
		int err;

		if (s->ring_fd < 0)
			continue;
		if (!rb) {
			rb = ring_buffer__new(s->ring_fd, on_sample, s, NULL);
			err = rb ? 0 : -errno;
		} else {
			err = ring_buffer__add(rb, s->ring_fd, on_sample, s);
		}
		if (err) {
			log_error("watch: cannot open the %s ring buffer: %s", s->ops->name,
				  strerror(-err));
			ring_buffer__free(rb);
			return NULL;
		}
	}
	return rb;
}

static void announce(const struct watch_ctx *c)
{
	char names[128] = "";

	for (int i = 0; i < c->nsources; i++)
		if (!c->sources[i].ops->internal)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 names[0] ? ", " : "", c->sources[i].ops->name);
	fprintf(stderr, "faultline: watching %s (Ctrl-C to stop)\n", names);
}

/*
 * Every half second: follow wall-clock steps (NTP, settimeofday) in the
 * event times, and with -p, stop once every target has exited: nothing more
 * can come. True to stop.
 */
static bool housekeeping(struct watch_ctx *c, uint64_t *next)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

	if (now < *next)
		return false;
	*next = now + HOUSEKEEPING_NS;
	c->mono_to_real_ns = mono_to_real();
	if (!watch_targets_gone(c->opts))
		return false;
	fprintf(stderr, "faultline: every watched process has exited; stopping\n");
	return true;
}

void watch_ctx_request_stop(struct watch_ctx *c)
{
	c->stop_requested = true;
}

static int poll_loop(struct watch_ctx *c, struct ring_buffer *rb)
{
	uint64_t deadline = 0, next_check = 0;
	int n;

	if (c->opts->duration_s)
		deadline = clock_ns(CLOCK_MONOTONIC) + c->opts->duration_s * 1000000000ULL;
	while (!lifecycle_exiting) {
		n = ring_buffer__poll(rb, POLL_MS);
		watch_deferred_run(c);
		if (n < 0 && n != -EINTR) {
			log_error("watch: polling the ring buffers failed: %s", strerror(-n));
			return n;
		}
		for (int i = 0; i < c->nsources; i++)
			if (c->sources[i].ops->tick)
				c->sources[i].ops->tick(&c->sources[i]);
		if (c->on_poll)
			c->on_poll(c->sink_arg, c, false);
		if (deadline && clock_ns(CLOCK_MONOTONIC) >= deadline)
			break;
		if (c->write_errno || c->stop_requested || housekeeping(c, &next_check))
			break;
	}
	/* What is already in the rings was reported by the kernel: print it too. */
	ring_buffer__consume(rb);
	watch_deferred_run(c);
	for (int i = 0; i < c->nsources; i++)
		if (c->sources[i].ops->finish)
			c->sources[i].ops->finish(&c->sources[i]);
	if (c->on_poll)
		c->on_poll(c->sink_arg, c, true);
	return 0;
}

void watch_print_summary(struct watch_ctx *c, double secs);

/*
 * --unwind auto (and kernel): the in-kernel walk, its tables shared by every
 * source; fp, dwarf, or tables that cannot be had: as resolved for them.
 */
static int setup_unwind(struct watch_ctx *c, const struct watch_run_cfg *cfg)
{
	struct watch_opts *o = &c->opts_run;
	int err;

	o->kunwind = NULL;
	if (!o->no_user_stacks && unwind_mode_try_kernel(o->unwind)) {
		err = watch_kunwind_new(c, cfg->kunwind);
		if (!err) {
			pr_info("watch: user stacks: walked in the kernel with .eh_frame tables\n");
			return watch_unwind_new(c);
		}
		if (unwind_mode_kernel_required(o->unwind)) {
			log_error("watch: in-kernel unwinding: creating its maps failed: %s",
				  strerror(-err));
			return err;
		}
		pr_info("watch: in-kernel unwinding: creating its maps failed (%s)\n",
			strerror(-err));
	}
	watch_unwind_resolve(o);
	return watch_unwind_new(c);
}

static int setup_ctx(struct watch_ctx *c, const struct watch_run_cfg *cfg)
{
	memset(c, 0, sizeof(*c));
	c->opts_run = *cfg->opts;
	c->opts = &c->opts_run;
	c->out = cfg->out ? cfg->out : stdout;
	c->sink = cfg->sink;
	c->sink_arg = cfg->sink_arg;
	c->on_poll = cfg->on_poll;
	c->render = !cfg->quiet_render;
	c->mono_to_real_ns = mono_to_real();
	c->sym = symbolizer__new();
	if (!c->sym) {
		log_error("watch: cannot create the symbolizer: %s", strerror(errno ? errno : ENOMEM));
		return -ENOMEM;
	}
	/*
	 * kallsyms before the first event: read then (0.1-0.6 s), it held up the
	 * exec notices queued behind that event until short-lived processes had
	 * exited unnamed. Its absence is said where kernel frames are shown.
	 */
	if (!c->opts->no_kernel_stacks)
		symbolizer__load_kernel(c->sym);
	return setup_unwind(c, cfg);
}

int watch_run(const struct watch_run_cfg *cfg)
{
	struct ring_buffer *rb = NULL;
	struct watch_ctx *c;
	uint64_t start;
	int err;

	c = calloc(1, sizeof(*c));
	if (!c) {
		log_error("watch: out of memory");
		return -ENOMEM;
	}
	err = setup_ctx(c, cfg);
	if (err)
		goto cleanup;
	err = load_sources(c);
	if (err) {
		log_error("watch: no event source could be attached (run with -v for details)");
		goto cleanup;
	}
	rb = open_rings(c);
	if (!rb) {
		err = -EINVAL;
		goto cleanup;
	}
	start = clock_ns(CLOCK_MONOTONIC);
	announce(c);
	err = poll_loop(c, rb);
	watch_print_summary(c, (clock_ns(CLOCK_MONOTONIC) - start) / 1e9);
	if (!err && c->render && !watch_output_ok(c)) {
		log_error("watch: writing events: %s", strerror(c->write_errno));
		err = -c->write_errno;
	}
cleanup:
	ring_buffer__free(rb);
	free_sources(c);
	free(c->hook_features);
	watch_unwind_free(c->unw);
	watch_kunwind_free(c->kunwind);
	symbolizer__free(c->sym);
	free(c);
	return err;
}
