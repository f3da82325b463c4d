// SPDX-License-Identifier: GPL-2.0
/*
 * The always-on "proc" source (bpf/watch_proc.bpf.c): snapshots each new
 * process's maps at exec, so stacks of processes that die right after their
 * event (crashes, OOM kills, short commands) still symbolize, and drops the
 * snapshot a while after the process exits, so memory stays bounded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "sym/symbolizer.h"
#include "watch/watch_internal.h"
#include "watch_proc.skel.h"

/* Events of a process can still be queued in other rings when it exits. */
#define FORGET_AFTER_NS (5ULL * 1000000000)
#define FORGET_QUEUE 4096
/*
 * At exec only the binary and the dynamic loader are mapped: snapshot once
 * more a little later, when the shared libraries are, for processes that
 * then die before their event is decoded.
 */
#define RECAPTURE_AFTER_NS (10ULL * 1000000)
#define RECAPTURE_QUEUE 512
/*
 * The in-kernel walk's tables get a third look, for a loader slowed down
 * on a busy host: by then an event that takes its time (a slow syscall over
 * the default 100 ms) finds every library of the process in them.
 */
#define SETTLED_AFTER_NS (100ULL * 1000000)

struct gone {
	uint32_t pid;
	uint64_t at_ns;
};

struct proc_priv {
	struct watch_proc_bpf *skel;
	struct gone queue[FORGET_QUEUE];
	unsigned int head, len;
	struct gone fresh[RECAPTURE_QUEUE];	/* exec'd: snapshot again soon */
	unsigned int fresh_head, fresh_len;
	struct gone settled[RECAPTURE_QUEUE];	/* looked at again: tables once more */
	unsigned int settled_head, settled_len;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Opens, loads and attaches, with the fork program (in-kernel walk only) when @fork. */
static int open_load(struct proc_priv *p, const struct watch_opts *o, bool fork)
{
	int err;

	watch_proc_bpf__destroy(p->skel);
	p->skel = watch_proc_bpf__open();
	if (!p->skel)
		return -errno;
	watch_set_common_rodata(&WATCH_COMMON_RODATA(p->skel->rodata), o);
	err = watch_size_common_maps(p->skel->obj, o);
	if (err)
		return err;
	bpf_map__set_max_entries(p->skel->maps.events, 256 * 1024);
	bpf_program__set_autoload(p->skel->progs.proc_fork, fork);
	err = watch_proc_bpf__load(p->skel);
	return err ? err : watch_proc_bpf__attach(p->skel);
}

static int proc_load(struct watch_source *s, const struct watch_opts *o)
{
	struct proc_priv *p = calloc(1, sizeof(*p));
	bool fork = o->kunwind != NULL;
	int err;

	if (!p)
		return -ENOMEM;
	s->priv = p;
	err = open_load(p, o, fork);
	/* without tp_btf: forked processes wait for their first event to be loaded */
	if (err && fork) {
		fork = false;
		err = open_load(p, o, fork);
	}
	if (err) {
		pr_warn("Warning: watch: cannot follow process exec/exit (%s): stacks of "
			"short-lived processes may stay unresolved\n", strerror(-err));
		return err;
	}
	watch_source_attached(s, "tracepoint sched:sched_process_exec, tracepoint "
			      "sched:sched_process_exit%s", fork ? ", tp_btf sched_process_fork" : "");
	s->ring_fd = bpf_map__fd(p->skel->maps.events);
	s->counters_fd = bpf_map__fd(p->skel->maps.counters);
	return 0;
}

static void forget_due(struct watch_source *s, bool all)
{
	struct proc_priv *p = s->priv;
	uint64_t now = now_ns();

	while (p->len) {
		struct gone *g = &p->queue[p->head];

		if (!all && now - g->at_ns < FORGET_AFTER_NS)
			break;
		symbolizer__forget_pid(watch_symbolizer(s->ctx), g->pid);
		watch_unwind_forget(s->ctx, g->pid);
		p->head = (p->head + 1) % FORGET_QUEUE;
		p->len--;
	}
}

static void settle_due(struct watch_source *s, uint64_t now)
{
	struct proc_priv *p = s->priv;

	while (p->settled_len) {
		struct gone *g = &p->settled[p->settled_head];

		if (now - g->at_ns < SETTLED_AFTER_NS)
			break;
		if (!watch_process_gone(g->pid))
			watch_kunwind_load(s->ctx, g->pid, true);
		p->settled_head = (p->settled_head + 1) % RECAPTURE_QUEUE;
		p->settled_len--;
	}
}

static void recapture_due(struct watch_source *s)
{
	struct proc_priv *p = s->priv;
	uint64_t now = now_ns();

	while (p->fresh_len) {
		struct gone *g = &p->fresh[p->fresh_head];

		if (now - g->at_ns < RECAPTURE_AFTER_NS)
			break;
		symbolizer__capture_pid(watch_symbolizer(s->ctx), g->pid);
		watch_unwind_capture(s->ctx, g->pid);
		watch_kunwind_load(s->ctx, g->pid, true);
		if (watch_ctx_opts(s->ctx)->kunwind && p->settled_len < RECAPTURE_QUEUE) {
			p->settled[(p->settled_head + p->settled_len) % RECAPTURE_QUEUE] = *g;
			p->settled_len++;
		}
		p->fresh_head = (p->fresh_head + 1) % RECAPTURE_QUEUE;
		p->fresh_len--;
	}
	settle_due(s, now);
}

static void queue_exec(struct watch_source *s, uint32_t pid)
{
	struct proc_priv *p = s->priv;

	symbolizer__capture_pid(watch_symbolizer(s->ctx), pid);
	watch_unwind_capture(s->ctx, pid);
	/*
	 * The tables wait for the second look (only the binary and the loader
	 * are mapped yet): a batch of exec notices is first all captured, the
	 * cheap part that a process dying soon needs to be named at all.
	 */
	if (p->fresh_len == RECAPTURE_QUEUE) {	/* an exec storm: no second look */
		watch_kunwind_load(s->ctx, pid, true);
		return;
	}
	p->fresh[(p->fresh_head + p->fresh_len) % RECAPTURE_QUEUE] = (struct gone){ pid, now_ns() };
	p->fresh_len++;
}

static void queue_exit(struct watch_source *s, uint32_t pid)
{
	struct proc_priv *p = s->priv;

	/* its stacks were walked when its events happened: its tables can go now */
	watch_kunwind_forget(s->ctx, pid);
	if (p->len == FORGET_QUEUE) {	/* full: forget the oldest now */
		symbolizer__forget_pid(watch_symbolizer(s->ctx), p->queue[p->head].pid);
		watch_unwind_forget(s->ctx, p->queue[p->head].pid);
		p->head = (p->head + 1) % FORGET_QUEUE;
		p->len--;
	}
	p->queue[(p->head + p->len) % FORGET_QUEUE] = (struct gone){ pid, now_ns() };
	p->len++;
}

static int proc_handle(struct watch_source *s, const void *data, size_t size)
{
	const struct watch_notice *n = data;

	if (size < sizeof(*n) || n->hdr.type != WATCH_EV_NOTICE)
		return -EINVAL;
	if (n->kind == WATCH_NOTICE_EXEC)
		queue_exec(s, n->hdr.tgid);
	else if (n->kind == WATCH_NOTICE_EXIT)
		queue_exit(s, n->hdr.tgid);
	return 0;
}

static void proc_tick(struct watch_source *s)
{
	recapture_due(s);
	forget_due(s, false);
}

static void proc_free(struct watch_source *s)
{
	struct proc_priv *p = s->priv;

	if (!p)
		return;
	watch_proc_bpf__destroy(p->skel);
	free(p);
	s->priv = NULL;
}

const struct watch_source_ops watch_proc_ops = {
	.name = "proc",
	.summary = "process exec/exit notices for symbolization (always on)",
	.load = proc_load,
	.handle = proc_handle,
	.tick = proc_tick,
	.internal = true,
	.free = proc_free,
};
