// SPDX-License-Identifier: GPL-2.0
/*
 * rss: loader for bpf/watch_rss.bpf.c. The BPF side keeps anonymous RSS
 * growth by (process, stack) in maps; this side reads them every few seconds
 * into rss_growth events, once more when a process that grew exits, and at
 * the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "base/log.h"
#include "base/vec.h"
#include "sym/symbolizer.h"
#include "watch/sources/watch_rss_priv.h"
#include "watch_rss.skel.h"

#define RING_BYTES (256 * 1024)	/* notices only: first step and exit of a process */
#define CHECK_EXIT_NS 1000000000ULL

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

struct rss_seen *rss_seen_get(struct rss_priv *p, uint32_t tgid, const char *comm)
{
	struct rss_seen *e;

	for (size_t i = 0; i < p->nseen; i++)
		if (p->seen[i].tgid == tgid)
			return &p->seen[i];
	if (VEC_RESERVE(p->seen, p->seen_cap, p->nseen + 1))
		return NULL;
	e = &p->seen[p->nseen++];
	*e = (struct rss_seen){ .tgid = tgid };
	if (comm)
		snprintf(e->comm, sizeof(e->comm), "%.*s", WATCH_COMM_LEN - 1, comm);
	return e;
}

static int rss_load(struct watch_source *s, const struct watch_opts *o)
{
	struct rss_priv *p = calloc(1, sizeof(*p));
	const char *hook;
	int err;

	if (!p)
		return -ENOMEM;
	s->priv = p;
	p->step = o->rss_step_bytes ? o->rss_step_bytes : WATCH_RSS_STEP_DEFAULT;
	p->skel = watch_rss_bpf__open();
	if (!p->skel) {
		err = -errno;
		goto fail;
	}
	watch_set_common_rodata(&WATCH_COMMON_RODATA(p->skel->rodata), o);
	/* Stacks are kept by site in maps: no DWARF snapshots to pair with. */
	p->skel->rodata->capture_snapshot = false;
	p->skel->rodata->step_bytes = p->step;
	hook = watch_source_prepare(s, o, p->skel->obj, p->skel->maps.events, "rss");
	if (!hook)
		return -EOPNOTSUPP;
	bpf_map__set_max_entries(p->skel->maps.events, RING_BYTES);
	err = watch_source_start(s, p->skel->skeleton, hook, p->skel->maps.events,
				 p->skel->maps.counters);
	if (err)
		goto fail;
	p->next_summary_ns = mono_ns() + RSS_INTERVAL_NS;
	return 0;
fail:
	log_error("watch: rss: cannot attach kmem:rss_stat: %s", strerror(-err));
	return err;
}

/* A first step (keep the maps: the process may die before its summary) or an exit. */
static int rss_handle(struct watch_source *s, const void *data, size_t size)
{
	const struct watch_notice *n = data;
	struct rss_priv *p = s->priv;

	if (size < sizeof(*n) || n->hdr.type != WATCH_EV_NOTICE)
		return -EINVAL;
	if (!rss_seen_get(p, n->hdr.tgid, n->hdr.comm))
		return -ENOMEM;
	if (n->kind == WATCH_NOTICE_EXEC) {
		symbolizer__capture_pid(watch_symbolizer(s->ctx), n->hdr.tgid);
		return 0;
	}
	if (n->kind == WATCH_NOTICE_EXIT)
		return rss_emit_exited(s, n->hdr.tgid);
	return -EINVAL;
}

/*
 * Processes that took steps and are gone, whose exit notice was lost (ring
 * full): their last summary while their maps snapshot is still kept.
 */
static void check_exits(struct watch_source *s)
{
	struct rss_priv *p = s->priv;

	/* Backwards: forgetting an entry moves the last one, already seen, into its slot. */
	for (size_t i = p->nseen; i-- > 0;)
		if (i < p->nseen && watch_process_gone(p->seen[i].tgid))
			rss_emit_exited(s, p->seen[i].tgid);
}

static void rss_tick(struct watch_source *s)
{
	struct rss_priv *p = s->priv;
	uint64_t now = mono_ns();

	if (now >= p->next_check_ns) {
		p->next_check_ns = now + CHECK_EXIT_NS;
		check_exits(s);
	}
	if (now < p->next_summary_ns)
		return;
	p->next_summary_ns = now + RSS_INTERVAL_NS;
	rss_emit_all(s, RSS_PERIODIC);
}

static void rss_finish(struct watch_source *s)
{
	rss_emit_all(s, RSS_FINAL);
}

static void rss_free(struct watch_source *s)
{
	struct rss_priv *p = s->priv;

	if (!p)
		return;
	watch_rss_bpf__destroy(p->skel);
	free(p->seen);
	free(p);
	s->priv = NULL;
}

const struct watch_source_ops watch_rss_ops = {
	.name = "rss",
	.summary = "rss_growth: anonymous RSS growth by stack (kmem:rss_stat, every --rss-step "
		   "bytes)",
	.load = rss_load,
	.handle = rss_handle,
	.tick = rss_tick,
	.finish = rss_finish,
	.counter_names = { "steps without a site (sites map full)" },
	.free = rss_free,
};
