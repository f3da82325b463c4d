// SPDX-License-Identifier: GPL-2.0
/* slow_syscall: loader and decoder for bpf/watch_slow.bpf.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include <bpf/bpf.h>

#include "base/log.h"
#include "base/syscall_names.h"
#include "sym/symbolizer.h"
#include "watch/wait_reason.h"
#include "watch/watch_internal.h"
#include "watch_slow.skel.h"
#include "watch/sources/watch_slow_cfg.h"

/* The tick-based clock is precise enough from this many ticks (10%). */
#define COARSE_MIN_TICKS 10

struct slow_priv {
	struct watch_slow_bpf *skel;
	double resolution_ms;		/* of the clock the durations come from */
	struct watch_slow_cfg cfg[WATCH_SLOW_NR_MAX];
};

static int write_cfg(struct slow_priv *p)
{
	int fd = bpf_map__fd(p->skel->maps.cfg);

	for (__u32 nr = 0; nr < WATCH_SLOW_NR_MAX; nr++)
		if (bpf_map_update_elem(fd, &nr, &p->cfg[nr], BPF_ANY))
			return -errno;
	return 0;
}

/* One jiffy: the coarse clock's resolution is the tick (TICK_NSEC). */
static uint64_t tick_ns(void)
{
	struct timespec res;

	if (clock_getres(CLOCK_MONOTONIC_COARSE, &res) || res.tv_sec || !res.tv_nsec)
		return 0;
	return res.tv_nsec;
}

static int slow_open(struct watch_source *s, struct slow_priv *p, const struct watch_opts *o)
{
	struct watch_slow_bpf *skel = watch_slow_bpf__open();
	uint64_t min, tick;

	if (!skel)
		return -errno;
	p->skel = skel;
	watch_set_common_rodata(&WATCH_COMMON_RODATA(skel->rodata), o);
	if (watch_size_common_maps(skel->obj, o))
		return -EINVAL;
	min = watch_slow_build_cfg(o, p->cfg, WATCH_SLOW_NR_MAX);
	skel->rodata->min_threshold_ns = min;
	skel->rodata->hist_enabled = o->hist;
	tick = tick_ns();
	if (!o->hist && tick && min >= COARSE_MIN_TICKS * tick)
		skel->rodata->ns_per_tick = tick;
	p->resolution_ms = skel->rodata->ns_per_tick ? skel->rodata->ns_per_tick / 1e6 : 0.001;
	skel->rodata->nr_futex = syscall_nr("futex");
	skel->rodata->nr_io_uring_enter = syscall_nr("io_uring_enter");
	bpf_map__set_max_entries(skel->maps.events, watch_ringbuf_bytes(o));
	if (!o->hist)
		bpf_map__set_max_entries(skel->maps.hists, 1);
	(void)s;
	return 0;
}

/* tp_btf sys_enter/sys_exit, or the classic tracepoints: as probe/hook_plan.c plans. */
static int slow_load(struct watch_source *s, const struct watch_opts *o)
{
	struct slow_priv *p = calloc(1, sizeof(*p));
	const char *hook;
	int err;

	if (!p)
		return -ENOMEM;
	s->priv = p;
	err = slow_open(s, p, o);
	if (err)
		goto fail;
	hook = watch_choose_hook(s, p->skel->obj, "slow");
	if (!hook)
		return -EOPNOTSUPP;
	/* Each wait map is sized only when its hook keeps the waits. */
	p->skel->rodata->wait_by_tid = bpf_program__autoload(p->skel->progs.slow_switch_raw);
	if (!p->skel->rodata->wait_by_tid)
		bpf_map__set_max_entries(p->skel->maps.waits_by_tid, 1);
	err = watch_slow_bpf__load(p->skel);
	if (!err)
		err = write_cfg(p);
	if (!err)
		err = watch_slow_bpf__attach(p->skel);
	if (err)
		goto fail;
	watch_source_attached(s, "%s", hook);
	s->ring_fd = bpf_map__fd(p->skel->maps.events);
	s->counters_fd = bpf_map__fd(p->skel->maps.counters);
	return 0;
fail:
	log_error("watch: slow: cannot load or attach the syscall tracepoints: %s",
		  strerror(-err));
	return err;
}

static void slow_free(struct watch_source *s)
{
	struct slow_priv *p = s->priv;

	if (!p)
		return;
	watch_slow_bpf__destroy(p->skel);
	free(p);
	s->priv = NULL;
}

static const char *const fd_kinds[] = {
	[WATCH_FD_NONE] = NULL, [WATCH_FD_FILE] = "file", [WATCH_FD_DIR] = "directory",
	[WATCH_FD_PIPE] = "pipe", [WATCH_FD_SOCKET] = "socket", [WATCH_FD_ANON] = "anon_inode",
	[WATCH_FD_OTHER] = "other",
};

/* A NUL-terminated copy of a fixed-size string from BPF. */
static void bpf_str(const char *s, size_t size, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)strnlen(s, size), s);
}

/*
 * The fd's path: the whole path BPF walked for a file or directory (it holds
 * even when the fd is closed before this runs), else /proc's link when it
 * still names the same inode, else what BPF saw (the leaf name, or
 * pipe:[ino] / socket:[ino] like /proc shows).
 */
static void fd_path(const struct watch_slow_event *e, char *buf, size_t len)
{
	char link[64], name[WATCH_FD_NAME_LEN + 1];
	struct stat st;
	ssize_t n;

	if (e->fd_path[0] == '/' || e->fd_path[0] == '.') {
		bpf_str(e->fd_path, sizeof(e->fd_path), buf, len);
		return;
	}
	snprintf(link, sizeof(link), "/proc/%u/fd/%" PRIu64, e->hdr.tgid, (uint64_t)e->args[0]);
	if (!stat(link, &st) && st.st_ino == e->fd_ino) {
		n = readlink(link, buf, len - 1);
		if (n > 0) {
			buf[n] = '\0';
			return;
		}
	}
	memcpy(name, e->fd_name, WATCH_FD_NAME_LEN);
	name[WATCH_FD_NAME_LEN] = '\0';
	if (e->fd_kind == WATCH_FD_PIPE || e->fd_kind == WATCH_FD_SOCKET)
		snprintf(buf, len, "%s:[%" PRIu64 "]", fd_kinds[e->fd_kind], (uint64_t)e->fd_ino);
	else if (e->fd_kind == WATCH_FD_ANON)
		snprintf(buf, len, "anon_inode:%s", name);
	else
		snprintf(buf, len, "%s", name);
}

static void add_fd(struct watch_event *ev, const struct watch_slow_event *e)
{
	char path[512];
	cJSON *fd;

	if (e->fd_kind == WATCH_FD_NONE || e->fd_kind > WATCH_FD_OTHER)
		return;
	fd_path(e, path, sizeof(path));
	fd = cJSON_AddObjectToObject(ev->json, "fd");
	if (!fd)
		return;
	cJSON_AddNumberToObject(fd, "fd", (double)e->args[0]);
	cJSON_AddStringToObject(fd, "kind", fd_kinds[e->fd_kind]);
	cJSON_AddStringToObject(fd, "path", path);
	cJSON_AddNumberToObject(fd, "inode", (double)e->fd_ino);
	watch_event_facts(ev, " fd %" PRIu64 " %s", (uint64_t)e->args[0], path);
}

/*
 * A relative path argument joined to the directory it is relative to (the
 * working directory, or a directory fd), read from /proc while the process
 * lives; said to be relative when that directory cannot be known.
 */
static void full_arg_path(const struct watch_slow_event *e, const char *path, int dirfd_arg,
			  char *buf, size_t len)
{
	long dirfd = dirfd_arg ? (int)e->args[(dirfd_arg - 1) % 6] : AT_FDCWD;
	char link[64], dir[PATH_MAX];
	ssize_t n = -1;

	if (path[0] == '/') {
		snprintf(buf, len, "%s", path);
		return;
	}
	if (dirfd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%u/cwd", e->hdr.tgid);
	else
		snprintf(link, sizeof(link), "/proc/%u/fd/%ld", e->hdr.tgid, dirfd);
	if (dirfd == AT_FDCWD || dirfd >= 0)
		n = readlink(link, dir, sizeof(dir) - 1);
	if (n > 0 && dir[0] == '/') {
		dir[n] = '\0';
		snprintf(buf, len, "%s%s%s", dir, n > 1 ? "/" : "", path);
	} else {
		snprintf(buf, len, "%s (relative; its directory is unknown)", path);
	}
}

/* The path arguments as full paths: rename's both, "old -> new" in the line. */
static void add_paths(struct watch_event *ev, const struct watch_slow_event *e,
		      const struct watch_slow_cfg *c)
{
	char path[WATCH_SLOW_PATH_LEN + 1], full[PATH_MAX + WATCH_SLOW_PATH_LEN + 64];
	cJSON *arr = NULL;

	for (int i = 0; i < WATCH_SLOW_PATHS; i++) {
		if (!c->path_arg[i])
			continue;
		bpf_str(e->paths[i], sizeof(e->paths[i]), path, sizeof(path));
		if (!path[0])
			snprintf(full, sizeof(full), "[unreadable]");
		else
			full_arg_path(e, path, c->dirfd_arg[i], full, sizeof(full));
		if (!arr)
			arr = cJSON_AddArrayToObject(ev->json, "paths");
		if (arr)
			cJSON_AddItemToArray(arr, cJSON_CreateString(full));
		watch_event_facts(ev, "%s%s", i ? " -> " : " ", full);
	}
}

static void add_args(cJSON *obj, const struct watch_slow_event *e)
{
	cJSON *args = cJSON_AddArrayToObject(obj, "args");
	char hex[24];

	for (int i = 0; args && i < 6; i++) {
		snprintf(hex, sizeof(hex), "0x%" PRIx64, (uint64_t)e->args[i]);
		cJSON_AddItemToArray(args, cJSON_CreateString(hex));
	}
}

/* The names of the wait's kernel frames, leaf first, without the tracing plumbing. */
static int wait_frames(struct watch_source *s, const struct watch_slow_event *e, cJSON *arr,
		       const char **names)
{
	int n = 0;

	for (int i = 0; i < e->hdr.nr_kernel && i < WATCH_MAX_FRAMES; i++) {
		struct sym_result r;

		memset(&r, 0, sizeof(r));
		symbolizer__kernel(watch_symbolizer(s->ctx), e->stacks.kernel[i], &r);
		if (!n && watch_tracing_symbol(r.symbol))
			continue;
		names[n++] = r.symbol;
		cJSON_AddItemToArray(arr, r.symbol ? cJSON_CreateString(r.symbol) :
					    cJSON_CreateNull());
	}
	return n;
}

/*
 * Where the call slept: the longest sleep's kernel stack (taken at
 * sched_switch) names the wait. A call that never slept ran, or waited
 * runnable for a CPU, the whole time: reason "none".
 */
static void add_wait(struct watch_source *s, struct watch_event *ev,
		     const struct watch_slow_event *e)
{
	cJSON *w = cJSON_AddObjectToObject(ev->json, "wait"), *arr;
	const char *names[WATCH_MAX_FRAMES];
	enum wait_reason r;
	int n;

	if (!w)
		return;
	cJSON_AddNumberToObject(w, "off_cpu_ns", (double)e->off_cpu_ns);
	cJSON_AddNumberToObject(w, "waits", e->waits);
	if (!e->waits) {
		cJSON_AddStringToObject(w, "reason", "none");
		return;
	}
	cJSON_AddNumberToObject(w, "longest_ns", (double)e->wait_ns);
	if (wait_state_name(e->wait_state))
		cJSON_AddStringToObject(w, "state", wait_state_name(e->wait_state));
	arr = cJSON_AddArrayToObject(w, "kernel_stack");
	n = arr ? wait_frames(s, e, arr, names) : 0;
	r = wait_reason_classify(names, n);
	cJSON_AddStringToObject(w, "reason", wait_reason_name(r));
	watch_event_facts(ev, ", blocked %.0f ms %s", e->off_cpu_ns / 1e6, wait_reason_phrase(r));
}

static int slow_handle(struct watch_source *s, const void *data, size_t size)
{
	const struct watch_slow_event *e = data;
	struct slow_priv *p = s->priv;
	const char *name;
	struct watch_event ev;
	double ms;

	if (size < sizeof(*e) || e->hdr.type != WATCH_EV_SLOW_SYSCALL)
		return -EINVAL;
	if (watch_event_begin(s->ctx, &ev, &e->hdr, WATCH_SEV_WARNING))
		return -ENOMEM;
	name = syscall_name(e->nr);
	ms = e->duration_ns / 1e6;
	cJSON_AddStringToObject(ev.json, "syscall", name ? name : "unknown");
	cJSON_AddNumberToObject(ev.json, "syscall_nr", e->nr);
	cJSON_AddNumberToObject(ev.json, "duration_ms", (double)(int64_t)(ms * 1000) / 1000);
	cJSON_AddNumberToObject(ev.json, "threshold_ms",
				e->nr < WATCH_SLOW_NR_MAX ? p->cfg[e->nr].threshold_ns / 1e6 : 0);
	cJSON_AddNumberToObject(ev.json, "duration_resolution_ms", p->resolution_ms);
	cJSON_AddNumberToObject(ev.json, "ret", (double)e->ret);
	add_args(ev.json, e);
	watch_event_facts(&ev, "%s took %.1f ms", name ? name : "syscall", ms);
	add_wait(s, &ev, e);
	add_fd(&ev, e);
	if (e->nr < WATCH_SLOW_NR_MAX)
		add_paths(&ev, e, &p->cfg[e->nr]);
	watch_event_facts(&ev, " ret %" PRId64, (int64_t)e->ret);
	watch_event_add_header_stack(s->ctx, &ev, &e->hdr, &e->stacks);
	watch_emit(s->ctx, &ev);
	return 0;
}

/* Sums the per-CPU histogram of @nr into @out; false when it is empty. */
static bool read_hist(struct slow_priv *p, __u32 nr, struct watch_hist *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct watch_hist *vals;
	uint64_t n = 0;

	memset(out, 0, sizeof(*out));
	vals = ncpu > 0 ? calloc(ncpu, sizeof(*vals)) : NULL;
	if (!vals)
		return false;
	if (!bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.hists), &nr, vals)) {
		for (int c = 0; c < ncpu; c++) {
			for (int i = 0; i < WATCH_HIST_SLOTS; i++)
				out->slots[i] += vals[c].slots[i];
			out->total_ns += vals[c].total_ns;
		}
	}
	free(vals);
	for (int i = 0; i < WATCH_HIST_SLOTS; i++)
		n += out->slots[i];
	return n > 0;
}

static uint64_t slot_low_us(int i)
{
	return i ? (uint64_t)1 << (i - 1) : 0;
}

static void print_hist_text(FILE *out, const char *name, const struct watch_hist *h)
{
	uint64_t n = 0, max = 0;
	int last = 0;

	for (int i = 0; i < WATCH_HIST_SLOTS; i++) {
		n += h->slots[i];
		if (h->slots[i] > max)
			max = h->slots[i];
		if (h->slots[i])
			last = i;
	}
	fprintf(out, "\n%s: %" PRIu64 " calls, %.3f ms total\n", name, n, h->total_ns / 1e6);
	fprintf(out, "%24s : %-10s %s\n", "usecs", "count", "distribution");
	for (int i = 0; i <= last; i++) {
		int bar = max ? (int)(h->slots[i] * 40 / max) : 0;

		fprintf(out, "%10" PRIu64 " -> %-10" PRIu64 " : %-10" PRIu64 " |%-40.*s|\n",
			slot_low_us(i), i ? ((uint64_t)1 << i) - 1 : 0, (uint64_t)h->slots[i], bar,
			"****************************************");
	}
}

static cJSON *hist_json(const char *name, const struct watch_hist *h)
{
	cJSON *o = cJSON_CreateObject(), *b;
	uint64_t n = 0;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "syscall", name);
	b = cJSON_AddArrayToObject(o, "buckets");
	for (int i = 0; b && i < WATCH_HIST_SLOTS; i++) {
		cJSON *slot;

		n += h->slots[i];
		if (!h->slots[i])
			continue;
		slot = cJSON_CreateObject();
		if (!slot)
			break;
		cJSON_AddNumberToObject(slot, "min_us", (double)slot_low_us(i));
		cJSON_AddNumberToObject(slot, "count", (double)h->slots[i]);
		cJSON_AddItemToArray(b, slot);
	}
	cJSON_AddNumberToObject(o, "count", (double)n);
	cJSON_AddNumberToObject(o, "total_ms", h->total_ns / 1e6);
	return o;
}

static void slow_report(struct watch_source *s, FILE *out, bool json)
{
	cJSON *root = NULL, *arr = NULL;
	struct slow_priv *p = s->priv;
	struct watch_hist h;
	char *text;

	if (!s->ctx->opts->hist)
		return;
	if (json) {
		root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "type", "syscall_latency_histograms");
		arr = cJSON_AddArrayToObject(root, "histograms");
	} else {
		fprintf(out, "\nsyscall latency histograms (all traced syscalls):\n");
	}
	for (__u32 nr = 0; nr < WATCH_SLOW_NR_MAX; nr++) {
		const char *name = syscall_name(nr);

		if (!read_hist(p, nr, &h))
			continue;
		if (!json)
			print_hist_text(out, name ? name : "unknown", &h);
		else if (arr)
			cJSON_AddItemToArray(arr, hist_json(name ? name : "unknown", &h));
	}
	if (!json)
		return;
	text = root ? cJSON_PrintUnformatted(root) : NULL;
	if (text)
		fprintf(out, "%s\n", text);
	free(text);
	cJSON_Delete(root);
}

const struct watch_source_ops watch_slow_ops = {
	.name = "slow",
	.summary = "slow_syscall: syscalls slower than --slow-threshold (raw_syscalls)",
	.load = slow_load,
	.handle = slow_handle,
	.report = slow_report,
	.free = slow_free,
};
