// SPDX-License-Identifier: GPL-2.0
/* fd_exhausted and fd_pressure: loader and decoder for bpf/watch_fd.bpf.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include "base/log.h"
#include "base/syscall_names.h"
#include "watch/watch_pipeline.h"
#include "watch_fd.skel.h"
#include "watch/sources/watch_fd_sites.h"

#define TOP_SITES 5
#define STACK_MIN_FDS 32	/* see fd_stack_min in bpf/watch_fd.bpf.c */
#define REPORT_PROCS 10
#define SWEEP_EVERY_NS 1000000000ULL
/* Unreferenced stacks are dropped once the map may be half full. */
#define STACKS_SWEEP_AT (WATCH_FD_STACKS_MAX / 2)

/* Syscalls that return new fds or close them; the BPF side decodes the odd ones. */
static const char *const fd_syscalls[] = {
	"open", "openat", "openat2", "creat", "open_by_handle_at", "socket", "socketpair",
	"accept", "accept4", "pipe", "pipe2", "dup", "dup2", "dup3", "fcntl", "eventfd",
	"eventfd2", "epoll_create", "epoll_create1", "memfd_create", "memfd_secret",
	"timerfd_create", "signalfd", "signalfd4", "inotify_init", "inotify_init1",
	"fanotify_init", "userfaultfd", "perf_event_open", "pidfd_open", "pidfd_getfd",
	"io_uring_setup", "open_tree", "fsopen", "fsmount", "fspick", "mq_open",
	"close", "close_range", NULL,
};

struct fd_priv {
	struct watch_fd_bpf *skel;
	struct fd_maps maps;
	uint64_t last_sweep_ns;
	uint64_t stacks_dropped;	/* by fd_stacks_sweep(), vs fd_stacks_added */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int set_mask(struct watch_fd_bpf *skel)
{
	for (int i = 0; fd_syscalls[i]; i++) {
		int nr = syscall_nr(fd_syscalls[i]);

		if (nr < 0 || nr >= WATCH_FD_NR_MAX) {
			pr_debug("fd: no syscall number for %s\n", fd_syscalls[i]);
			continue;
		}
		skel->rodata->fd_nr_mask[nr / 64] |= 1ULL << (nr % 64);
	}
	return 0;
}

static int fd_open_skel(struct fd_priv *p, const struct watch_opts *o)
{
	struct watch_fd_bpf *skel = watch_fd_bpf__open();
	int pct = o->fd_warn_pct;

	if (!skel)
		return -errno;
	p->skel = skel;
	watch_set_common_rodata(&WATCH_COMMON_RODATA(skel->rodata), o);
	if (watch_size_common_maps(skel->obj, o))
		return -EINVAL;
	set_mask(skel);
	skel->rodata->fd_warn_pct = pct;
	/* Hysteresis: re-arm ten points below, or at half for tiny thresholds. */
	skel->rodata->fd_rearm_pct = pct > 20 ? pct - 10 : pct / 2;
	/* A targeted process gets a stack for every fd; the rest once they hold a few. */
	skel->rodata->fd_stack_min = o->npids ? 0 : STACK_MIN_FDS;
	bpf_map__set_max_entries(skel->maps.events, watch_ringbuf_bytes(o));
	return 0;
}

static int fd_load(struct watch_source *s, const struct watch_opts *o)
{
	struct fd_priv *p = calloc(1, sizeof(*p));
	const char *hook = NULL;
	int err;

	if (!p)
		return -ENOMEM;
	s->priv = p;
	err = fd_open_skel(p, o);
	if (!err) {
		hook = watch_choose_hook(s, p->skel->obj, "fd");
		if (!hook)
			return -EOPNOTSUPP;
		err = watch_fd_bpf__load(p->skel);
	}
	if (!err)
		err = watch_fd_bpf__attach(p->skel);
	if (err) {
		log_error("watch: fd: cannot load or attach the syscall exit hook: %s",
			  strerror(-err));
		return err;
	}
	watch_source_attached(s, "%s", hook);
	p->maps = (struct fd_maps){
		.open = bpf_map__fd(p->skel->maps.fd_open),
		.sites = bpf_map__fd(p->skel->maps.fd_sites),
		.stacks = bpf_map__fd(p->skel->maps.fd_stacks),
		.dead = bpf_map__fd(p->skel->maps.fd_dead),
	};
	s->ring_fd = bpf_map__fd(p->skel->maps.events);
	s->counters_fd = bpf_map__fd(p->skel->maps.counters);
	return 0;
}

static void fd_free(struct watch_source *s)
{
	struct fd_priv *p = s->priv;

	if (!p)
		return;
	watch_fd_bpf__destroy(p->skel);
	free(p);
	s->priv = NULL;
}

/* What the fd counts do not attribute to a site, said rather than left out. */
static void add_unattributed(struct watch_event *ev, const struct watch_fd_event *e,
			     const struct fd_sites_summary *sum)
{
	int64_t before = (int64_t)e->open_fds - sum->tracked;

	before = before > 0 ? before : 0;
	cJSON_AddNumberToObject(ev->json, "fds_before_tracking", (double)before);
	cJSON_AddNumberToObject(ev->json, "fds_without_stack", (double)sum->no_stack);
	if (before)
		watch_event_facts(ev, "; %" PRId64 " of %u open fds were opened before tracking "
				  "began and are not attributed", before, e->open_fds);
	if (sum->no_stack)
		watch_event_facts(ev, "; %" PRId64 " have no creating stack (opened while it held "
				  "under %d fds, or not walkable)", sum->no_stack, STACK_MIN_FDS);
}

static void add_sites(struct watch_source *s, struct watch_event *ev,
		      const struct watch_fd_event *e)
{
	struct fd_priv *p = s->priv;
	struct fd_sites_summary sum;
	cJSON *sites;

	sites = fd_sites_json(s->ctx, &p->maps, e->hdr.tgid, TOP_SITES, e->limit, &sum);
	if (!sites)
		return;
	cJSON_AddNumberToObject(ev->json, "tracked_open_fds", (double)sum.tracked);
	cJSON_AddItemToObject(ev->json, "leak_sites", sites);
	if (sum.top[0])
		watch_event_facts(ev, "; top site: %s", sum.top);
	add_unattributed(ev, e, &sum);
}

static void add_common(struct watch_event *ev, const struct watch_fd_event *e, const char *sc)
{
	cJSON_AddStringToObject(ev->json, "syscall", sc);
	cJSON_AddNumberToObject(ev->json, "syscall_nr", e->syscall_nr);
	cJSON_AddNumberToObject(ev->json, "limit", (double)e->limit);
	cJSON_AddNumberToObject(ev->json, "open_fds", e->open_fds);
	cJSON_AddNumberToObject(ev->json, "fd_table_size", e->max_fds);
}

static void add_exhausted(struct watch_event *ev, const struct watch_fd_event *e,
			  const char *sc)
{
	const char *errname = strerrorname_np(e->err) ?: "unknown";

	cJSON_AddStringToObject(ev->json, "errno", errname);
	cJSON_AddNumberToObject(ev->json, "suppressed", e->suppressed);
	watch_event_facts(ev, "%s failed with %s: %u fds open, limit %" PRIu64, sc, errname,
			  e->open_fds, (uint64_t)e->limit);
	if (e->suppressed)
		watch_event_facts(ev, " (%u more failures rate-limited)", e->suppressed);
}

static void add_pressure(struct watch_event *ev, const struct watch_fd_event *e)
{
	unsigned int pct = e->limit ? (unsigned int)(e->open_fds * 100ULL / e->limit) : 0;

	cJSON_AddNumberToObject(ev->json, "warn_percent", e->warn_pct);
	watch_event_facts(ev, "%u fds open, %u%% of the limit %" PRIu64 " (warns at %u%%)",
			  e->open_fds, pct, (uint64_t)e->limit, e->warn_pct);
}

static int fd_handle(struct watch_source *s, const void *data, size_t size)
{
	const struct watch_fd_event *e = data;
	bool exhausted = e->hdr.type == WATCH_EV_FD_EXHAUSTED;
	struct watch_event ev;
	const char *sc;

	if (size < sizeof(*e) || (!exhausted && e->hdr.type != WATCH_EV_FD_PRESSURE))
		return -EINVAL;
	if (watch_event_begin(s->ctx, &ev, &e->hdr,
			      exhausted ? WATCH_SEV_ERROR : WATCH_SEV_WARNING))
		return -ENOMEM;
	sc = syscall_name(e->syscall_nr) ?: "unknown";
	add_common(&ev, e, sc);
	if (exhausted)
		add_exhausted(&ev, e, sc);
	else
		add_pressure(&ev, e);
	add_sites(s, &ev, e);
	watch_event_add_header_stack(s->ctx, &ev, &e->hdr, &e->stacks);
	watch_emit(s->ctx, &ev);
	return 0;
}

static void fd_tick(struct watch_source *s)
{
	struct fd_priv *p = s->priv;
	uint64_t now = now_ns();
	int n, stored;

	if (now - p->last_sweep_ns < SWEEP_EVERY_NS)
		return;
	p->last_sweep_ns = now;
	n = fd_sites_sweep(&p->maps);
	if (n > 0)
		pr_debug("fd: dropped the tracked fds of %d exited processes\n", n);
	if (p->skel->bss->fd_stacks_added - p->stacks_dropped < STACKS_SWEEP_AT)
		return;
	n = fd_stacks_sweep(&p->maps, STACKS_SWEEP_AT, &stored);
	/* Resync with what is really stored, so a half-full map is not rescanned each tick. */
	p->stacks_dropped = p->skel->bss->fd_stacks_added - stored;
	if (n > 0)
		pr_debug("fd: dropped %d stacks no open fd refers to\n", n);
}

struct proc_total {
	uint32_t tgid;
	int64_t total;
};

static int cmp_total(const void *a, const void *b)
{
	const struct proc_total *x = a, *y = b;

	return x->total != y->total ? (x->total > y->total ? -1 : 1) : (x->tgid > y->tgid);
}

/*
 * Per-process totals of the fds of @sites that have a creating stack, largest
 * first, into @out (at most @max); returns how many.
 */
static int proc_totals(const struct fd_site *sites, int n, struct proc_total *out, int max)
{
	struct proc_total *all = calloc(n ? n : 1, sizeof(*all));
	int np = 0, i, j;

	if (!all)
		return 0;
	for (i = 0; i < n; i++) {
		/* Ranked by fds beyond a process's first ones: where leaks show. */
		if (sites[i].stack == WATCH_FD_STACK_UNWALKED)
			continue;
		for (j = 0; j < np && all[j].tgid != sites[i].tgid; j++)
			;
		if (j == np)
			all[np++] = (struct proc_total){ sites[i].tgid, 0 };
		all[j].total += sites[i].count;
	}
	qsort(all, np, sizeof(*all), cmp_total);
	np = np < max ? np : max;
	memcpy(out, all, np * sizeof(*all));
	free(all);
	return np;
}

/* False when the process is gone (its entries await the next sweep). */
static bool read_comm(uint32_t pid, char *buf, size_t len)
{
	char path[64];
	bool ok;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	f = fopen(path, "r");
	ok = f && fgets(buf, len, f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	if (f)
		fclose(f);
	return ok;
}

/* RLIMIT_NOFILE of @pid now; 0 when it cannot be read. */
static uint64_t nofile_limit(uint32_t pid)
{
	struct rlimit r;

	if (prlimit((pid_t)pid, RLIMIT_NOFILE, NULL, &r))
		return 0;
	return r.rlim_cur == RLIM_INFINITY ? 0 : r.rlim_cur;
}

static cJSON *report_proc(struct watch_source *s, const struct proc_total *t, FILE *out,
			  bool json)
{
	struct fd_priv *p = s->priv;
	struct fd_sites_summary sum;
	cJSON *o, *sites, *it;
	char comm[32];

	if (!read_comm(t->tgid, comm, sizeof(comm)))
		return NULL;
	sites = fd_sites_json(s->ctx, &p->maps, t->tgid, 3, nofile_limit(t->tgid), &sum);
	o = cJSON_CreateObject();
	if (!o || !sites) {
		cJSON_Delete(o);
		cJSON_Delete(sites);
		return NULL;
	}
	cJSON_AddNumberToObject(o, "pid", t->tgid);
	cJSON_AddStringToObject(o, "comm", comm);
	cJSON_AddNumberToObject(o, "tracked_open_fds", (double)sum.tracked);
	cJSON_AddNumberToObject(o, "fds_without_stack", (double)sum.no_stack);
	cJSON_AddItemToObject(o, "leak_sites", sites);
	if (json)
		return o;
	fprintf(out, "  pid %u (%s): %" PRId64 " tracked fds still open\n", t->tgid, comm,
		sum.tracked);
	cJSON_ArrayForEach(it, sites)
		fprintf(out, "    %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(it, "summary")));
	if (sum.no_stack)
		fprintf(out, "    %" PRId64 " with no creating stack (opened while it held under %d "
			"fds, or not walkable)\n", sum.no_stack, STACK_MIN_FDS);
	cJSON_Delete(o);
	return NULL;
}

static void print_json(FILE *out, cJSON *root)
{
	char *text = root ? cJSON_PrintUnformatted(root) : NULL;

	if (text)
		fprintf(out, "%s\n", text);
	free(text);
}

/*
 * At exit: the processes holding the most fds created beyond their first
 * ones (those with a stack), and where they came from.
 */
static void fd_report(struct watch_source *s, FILE *out, bool json)
{
	struct proc_total procs[REPORT_PROCS];
	struct fd_site *sites = NULL;
	cJSON *root = NULL, *arr = NULL;
	struct fd_priv *p = s->priv;
	int n, np;

	fd_sites_sweep(&p->maps);	/* processes that just exited hold nothing */
	n = fd_sites_collect(p->maps.sites, 0, &sites);
	if (n < 0)
		return;
	np = proc_totals(sites, n, procs, REPORT_PROCS);
	free(sites);
	if (json) {
		root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "type", "fd_leak_report");
		arr = cJSON_AddArrayToObject(root, "processes");
	} else {
		fprintf(out, "\nfd sites (tracked fds still open, by the call that created them; "
			"leaked or held, see docs/semantics.md):\n");
		if (!np)
			fprintf(out, "  none tracked\n");
	}
	for (int i = 0; i < np; i++) {
		cJSON *o = report_proc(s, &procs[i], out, json);

		if (o && arr)
			cJSON_AddItemToArray(arr, o);
		else
			cJSON_Delete(o);
	}
	if (json)
		print_json(out, root);
	cJSON_Delete(root);
}

const struct watch_source_ops watch_fd_ops = {
	.name = "fd",
	.summary = "fd_exhausted, fd_pressure: EMFILE/ENFILE, --fd-warn, fd leak sites",
	.load = fd_load,
	.handle = fd_handle,
	.tick = fd_tick,
	.report = fd_report,
	.counter_names = { "failures", "untracked_fds", "fds_without_stack", "proc_table_full" },
	.free = fd_free,
};
