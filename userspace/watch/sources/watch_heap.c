// SPDX-License-Identifier: GPL-2.0
/*
 * heap: loader for bpf/watch_heap.bpf.c. Uprobes go on the allocator each
 * --heap process maps, per process (the kernel then breaks only in that
 * process's memory), and come off as soon as it exits.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "base/log.h"
#include "base/procfs.h"
#include "sym/symbolizer.h"
#include "watch_heap.h"
#include "watch_heap.skel.h"
#include "watch/sources/watch_heap_priv.h"
#include "watch/watch_internal.h"

#define CHECK_EXIT_NS 200000000ULL

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static struct bpf_program *fn_prog(struct watch_heap_bpf *k, int fn)
{
	switch (fn) {
	case HEAP_FN_CALLOC: return k->progs.heap_calloc;
	case HEAP_FN_REALLOC: return k->progs.heap_realloc;
	case HEAP_FN_REALLOCARRAY: return k->progs.heap_reallocarray;
	case HEAP_FN_POSIX_MEMALIGN: return k->progs.heap_posix_memalign;
	case HEAP_FN_ALIGNED_ALLOC:
	case HEAP_FN_MEMALIGN: return k->progs.heap_memalign;
	case HEAP_FN_FREE: return k->progs.heap_free;
	default: return k->progs.heap_malloc;	/* malloc, valloc */
	}
}

static int attach_one(struct heap_target *t, struct bpf_program *prog, const char *path,
		      uint64_t off, bool ret)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = ret);
	struct bpf_link *l = bpf_program__attach_uprobe_opts(prog, t->pid, path, off, &uo);

	if (!l)
		return -errno;
	t->links[t->nlinks++] = l;
	return 0;
}

static bool same_as_earlier(const uint64_t *off, int fn)
{
	for (int i = 0; i < fn; i++)
		if (off[i] == off[fn])
			return true;
	return false;
}

/*
 * Returns first, so no entry is seen whose return is not hooked yet; an
 * alias (aligned_alloc = memalign in some C libraries) is hooked once.
 */
static int attach_target(struct heap_priv *p, struct heap_target *t, const char *path,
			 const uint64_t *off, int *nfn)
{
	int err = 0;

	*nfn = 0;
	for (int pass = 0; pass < 2 && !err; pass++) {
		for (int fn = 0; fn < HEAP_FN__COUNT && !err; fn++) {
			if (!off[fn] || same_as_earlier(off, fn))
				continue;
			if (pass == 0 && fn != HEAP_FN_FREE)
				err = attach_one(t, p->skel->progs.heap_ret, path, off[fn], true);
			else if (pass == 1)
				err = attach_one(t, fn_prog(p->skel, fn), path, off[fn], false);
			*nfn += pass;
		}
	}
	return err;
}

static void detach_target(struct heap_target *t)
{
	for (int i = 0; i < t->nlinks; i++)
		bpf_link__destroy(t->links[i]);
	t->nlinks = 0;
}

static void read_comm(struct heap_target *t)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/comm", t->pid);
	f = fopen(path, "re");
	if (f && fgets(t->comm, sizeof(t->comm), f))
		t->comm[strcspn(t->comm, "\n")] = '\0';
	if (f)
		fclose(f);
}

/* Finds, resolves and hooks the allocator of process @t->pid; logs why not. */
static int setup_target(struct watch_source *s, struct heap_target *t)
{
	struct heap_priv *p = s->priv;
	struct watch_heap_stats zero = {};
	__u8 sound = 1;
	char path[PATH_MAX + 32];
	uint64_t off[HEAP_FN__COUNT];
	int err, nfn = 0;

	err = heap_find_allocator(t->pid, t->lib, sizeof(t->lib));
	if (err) {
		log_error("watch: heap: process %u: %s", t->pid, err == -ENOENT ?
			  "no allocator library mapped (libc, jemalloc, tcmalloc, mimalloc); "
			  "statically linked programs are not supported" : strerror(-err));
		return err;
	}
	snprintf(path, sizeof(path), "/proc/%u/root%s", t->pid, t->lib);
	err = heap_resolve(path, off);
	if (!err && (!off[HEAP_FN_MALLOC] || !off[HEAP_FN_FREE]))
		err = -ENOENT;
	if (err) {
		log_error("watch: heap: %s: no malloc and free in its .dynsym (%s)", t->lib,
			  strerror(-err));
		return err;
	}
	read_comm(t);
	symbolizer__capture_pid(watch_symbolizer(s->ctx), t->pid);
	watch_kunwind_load(s->ctx, t->pid, false);	/* before its first allocation is seen */
	if (watch_kunwind_fp_sound(t->pid))	/* auto: the cheaper walk is sound there */
		bpf_map_update_elem(bpf_map__fd(p->skel->maps.fp_sound), &t->pid, &sound, BPF_ANY);
	bpf_map_update_elem(bpf_map__fd(p->skel->maps.stats), &t->pid, &zero, BPF_ANY);
	err = attach_target(p, t, path, off, &nfn);
	if (err) {
		log_error("watch: heap: process %u: cannot attach uprobes to %s: %s", t->pid,
			  t->lib, strerror(-err));
		detach_target(t);
		return err;
	}
	watch_source_attached(s, "uprobes on %d functions of %s in %u", nfn, t->lib, t->pid);
	return 0;
}

static int open_skel(struct heap_priv *p, const struct watch_opts *o)
{
	struct watch_opts targ = *o;

	/* The common filter holds the --heap processes, whatever -p says. */
	for (int i = 0; i < p->ntargets; i++)
		targ.pids[i] = p->targets[i].pid;
	targ.npids = p->ntargets;
	targ.cgroup_id = 0;
	targ.cgroup_ssid = -1;
	/* allocation stacks walked with the run's tables, when it has them */
	p->skel = watch_heap_bpf__open();
	if (!p->skel)
		return -errno;
	watch_set_common_rodata(&WATCH_COMMON_RODATA(p->skel->rodata), &targ);
	/* no DWARF snapshots (the scratch map keeps its one slot): stacks are kept by id */
	p->skel->rodata->capture_snapshot = false;
	if (watch_size_common_maps(p->skel->obj, &targ) ||
	    bpf_map__set_max_entries(p->skel->maps.snapshot_scratch, 1))
		return -EINVAL;
	p->skel->rodata->sample_bytes = o->heap_sample_bytes;
	bpf_map__set_max_entries(p->skel->maps.events, 4096);	/* nothing is sent */
	return watch_heap_bpf__load(p->skel);
}

/* The --heap processes, a thread id standing for its process, each once. */
static void resolve_targets(struct heap_priv *p, const struct watch_opts *o)
{
	for (int i = 0; i < o->nheap_pids; i++) {
		int tgid = proc_tgid(o->heap_pids[i]), j;

		if (tgid < 0) {
			log_error("watch: --heap %u: no such process", o->heap_pids[i]);
			continue;
		}
		if ((uint32_t)tgid != o->heap_pids[i])
			pr_warn("Note: watch: %u is a thread of process %d: tracing the process's "
				"heap\n", o->heap_pids[i], tgid);
		for (j = 0; j < p->ntargets && p->targets[j].pid != (uint32_t)tgid; j++)
			;
		if (j == p->ntargets)
			p->targets[p->ntargets++].pid = tgid;
	}
}

/* Drops the targets whose allocator could not be hooked (each said why). */
static int setup_targets(struct watch_source *s)
{
	struct heap_priv *p = s->priv;
	int n = 0;

	for (int i = 0; i < p->ntargets; i++) {
		struct heap_target t = { .pid = p->targets[i].pid };

		if (!setup_target(s, &t))
			p->targets[n++] = t;
	}
	p->ntargets = n;
	return n ? 0 : -ENOENT;
}

static int heap_load(struct watch_source *s, const struct watch_opts *o)
{
	struct heap_priv *p = calloc(1, sizeof(*p));
	int err;

	if (!p)
		return -ENOMEM;
	s->priv = p;
	p->sample_bytes = o->heap_sample_bytes;
	p->interval_ns = (o->heap_interval_s ? o->heap_interval_s : 5) * 1000000000ULL;
	resolve_targets(p, o);
	if (!p->ntargets)
		return -ESRCH;
	err = open_skel(p, o);
	if (err) {
		log_error("watch: heap: cannot load the BPF object: %s", strerror(-err));
		return err;
	}
	err = setup_targets(s);
	if (err)
		return err;
	p->next_summary_ns = mono_ns() + p->interval_ns;
	s->ring_fd = bpf_map__fd(p->skel->maps.events);
	s->counters_fd = bpf_map__fd(p->skel->maps.counters);
	return 0;
}

/* True when a source other than heap (and the internal ones) is running. */
static bool others_running(const struct watch_source *s)
{
	const struct watch_ctx *c = s->ctx;

	for (int i = 0; i < c->nsources; i++)
		if (!c->sources[i].ops->internal && c->sources[i].ops != s->ops)
			return true;
	return false;
}

static void check_exits(struct watch_source *s)
{
	struct heap_priv *p = s->priv;
	int alive = 0;

	for (int i = 0; i < p->ntargets; i++) {
		struct heap_target *t = &p->targets[i];

		if (!t->gone && watch_process_gone(t->pid)) {
			t->gone = true;
			detach_target(t);
			fprintf(stderr, "faultline: heap: process %u exited; its uprobes are "
				"detached\n", t->pid);
			heap_emit_summary(s, t, HEAP_EXITED);
		}
		alive += !t->gone;
	}
	if (!alive && !others_running(s))
		watch_ctx_request_stop(s->ctx);
}

static void heap_tick(struct watch_source *s)
{
	struct heap_priv *p = s->priv;
	uint64_t now = mono_ns();

	if (now >= p->next_check_ns) {
		p->next_check_ns = now + CHECK_EXIT_NS;
		check_exits(s);
	}
	if (now < p->next_summary_ns)
		return;
	p->next_summary_ns = now + p->interval_ns;
	for (int i = 0; i < p->ntargets; i++)
		if (!p->targets[i].gone)
			heap_emit_summary(s, &p->targets[i], HEAP_PERIODIC);
}

static void heap_finish(struct watch_source *s)
{
	struct heap_priv *p = s->priv;

	check_exits(s);
	for (int i = 0; i < p->ntargets; i++)
		if (!p->targets[i].gone)
			heap_emit_summary(s, &p->targets[i], HEAP_FINAL);
}

static void heap_free(struct watch_source *s)
{
	struct heap_priv *p = s->priv;

	if (!p)
		return;
	for (int i = 0; i < p->ntargets; i++)
		detach_target(&p->targets[i]);
	watch_heap_bpf__destroy(p->skel);
	free(p);
	s->priv = NULL;
}

static int heap_handle(struct watch_source *s, const void *data, size_t size)
{
	(void)s;
	(void)data;
	(void)size;
	return -EINVAL;	/* the BPF side sends nothing */
}

const struct watch_source_ops watch_heap_ops = {
	.name = "heap",
	.summary = "heap: live allocations of the --heap processes by stack (uprobes on "
		   "malloc, free...)",
	.load = heap_load,
	.handle = heap_handle,
	.tick = heap_tick,
	.finish = heap_finish,
	.counter_names = { "allocations untracked (live map full)", "stacks lost",
			   "frees of untracked blocks" },
	.free = heap_free,
};
