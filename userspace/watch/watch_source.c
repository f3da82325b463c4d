// SPDX-License-Identifier: GPL-2.0
/* What every watch source shares: registry lookup, hook notes, rodata, counters. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "base/log.h"
#include "unwind/unwind_kernel.h"
#include "unwind/unwind_mode.h"
#include "watch/watch_pipeline.h"
#include "watch_rss.h"

void watch_opts_init(struct watch_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sources = (1u << watch_source_count()) - 1;
	/* heap needs its --heap targets: selected by that option only */
	if (watch_source_find("heap") >= 0)
		o->sources &= ~(1u << watch_source_find("heap"));
	/*
	 * rss runs a BPF program at every page fault of the host: several per
	 * cent of a fault-bound workload (bench/rss/run.sh), so it is asked for
	 * by name (or with all).
	 */
	if (watch_source_find("rss") >= 0)
		o->sources &= ~(1u << watch_source_find("rss"));
	o->heap_interval_s = 5;
	o->rss_step_bytes = WATCH_RSS_STEP_DEFAULT;
	o->slow_threshold_ns = 100ULL * 1000000;
	o->fd_warn_pct = 80;
	o->rate_limit = 100;
	o->ringbuf_kb = 1024;
	o->cgroup_ssid = -1;
	o->unwind = UNWIND_MODE_AUTO;
	o->stack_bytes = WATCH_STACK_BYTES_DEFAULT;
}

int watch_source_count(void)
{
	int n = 0;

	while (watch_sources[n])
		n++;
	return n;
}

int watch_source_find(const char *name)
{
	for (int i = 0; watch_sources[i]; i++)
		if (!strcmp(watch_sources[i]->name, name))
			return i;
	return -1;
}

static void append(char *buf, size_t len, const char *fmt, va_list ap)
{
	size_t used = strlen(buf);

	if (used && used + 2 < len) {
		memcpy(buf + used, ", ", 3);
		used += 2;
	}
	if (used < len)
		vsnprintf(buf + used, len - used, fmt, ap);
}

void watch_source_attached(struct watch_source *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append(s->attached, sizeof(s->attached), fmt, ap);
	va_end(ap);
}

void watch_source_skipped(struct watch_source *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append(s->skipped, sizeof(s->skipped), fmt, ap);
	va_end(ap);
}

uint64_t watch_source_counter(const struct watch_source *s, enum watch_counter which)
{
	int ncpu = libbpf_num_possible_cpus();
	__u32 key = which;
	uint64_t sum = 0;
	__u64 *vals;

	if (s->counters_fd < 0 || ncpu <= 0)
		return 0;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return 0;
	if (!bpf_map_lookup_elem(s->counters_fd, &key, vals))
		for (int i = 0; i < ncpu; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

void watch_set_common_rodata(const struct watch_common_rodata *r, const struct watch_opts *o)
{
	for (int i = 0; i < o->npids && i < WATCH_MAX_PIDS; i++)
		r->targ_tgids[i] = o->pids[i];
	*r->targ_ntgids = o->npids;
	*r->self_tgid = getpid();
	*r->targ_cgroup_id = o->cgroup_id;
	*r->targ_cgroup_level = o->cgroup_level;
	*r->targ_cgroup_ssid = o->cgroup_ssid;
	*r->capture_user_stack = !o->no_user_stacks;
	*r->capture_kernel_stack = !o->no_kernel_stacks;
	*r->rate_limit_per_sec = o->rate_limit;
	*r->capture_snapshot = o->unwind != UNWIND_MODE_FP && !o->no_user_stacks && !o->kunwind;
	*r->kunwind = o->kunwind && !o->no_user_stacks;
	*r->snapshot_bytes = o->stack_bytes;
}

int watch_size_common_maps(struct bpf_object *obj, const struct watch_opts *o)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "snapshot_scratch");
	int ncpu = libbpf_num_possible_cpus();

	int err;

	if (!m)
		return -ENOENT;
	err = o->kunwind ? unwind_kernel__share(o->kunwind, obj) : unwind_kernel__shrink(obj);
	if (err)
		return err;
	if (o->unwind == UNWIND_MODE_FP || o->no_user_stacks || o->kunwind)
		return 0;
	return bpf_map__set_max_entries(m, ncpu > 0 ? ncpu : 1);
}

uint32_t watch_ringbuf_bytes(const struct watch_opts *o)
{
	uint32_t want = o->ringbuf_kb ? o->ringbuf_kb * 1024 : 1 << 20, bytes = 4096;

	while (bytes < want && bytes < (1u << 30))
		bytes <<= 1;
	return bytes;
}

bool watch_force_tracepoints(void)
{
	const char *v = getenv("FAULTLINE_WATCH_FORCE_TP");

	return v && !strcmp(v, "1");
}

const char *watch_source_prepare(struct watch_source *s, const struct watch_opts *o,
				 struct bpf_object *obj, struct bpf_map *events, const char *cap)
{
	int err = watch_size_common_maps(obj, o);

	if (err) {
		log_error("watch: %s: sizing its maps failed: %s", s->ops->name, strerror(-err));
		return NULL;
	}
	bpf_map__set_max_entries(events, watch_ringbuf_bytes(o));
	return watch_choose_hook(s, obj, cap);
}

int watch_source_start(struct watch_source *s, const struct bpf_object_skeleton *sk,
		       const char *hook, struct bpf_map *events, struct bpf_map *counters)
{
	int err = bpf_object__load_skeleton((struct bpf_object_skeleton *)sk);

	if (!err)
		err = bpf_object__attach_skeleton((struct bpf_object_skeleton *)sk);
	if (err)
		return err;
	watch_source_attached(s, "%s", hook);
	s->ring_fd = bpf_map__fd(events);
	s->counters_fd = bpf_map__fd(counters);
	return 0;
}
