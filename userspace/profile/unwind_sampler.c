// SPDX-License-Identifier: GPL-2.0
/* CPU samples with DWARF-unwound user stacks (see unwind_sampler.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "base/log.h"
#include "unwind.h"
#include "profile/unwind_sampler.h"
#include "profile_dwarf.skel.h"

#define DEFAULT_MAX_FRAMES 127

struct unwind_sampler {
	struct profile_dwarf_bpf *skel;
	struct ring_buffer *rb;
	struct unwinder *unwinder;
	unwind_sample_fn fn;
	void *ctx;
	uint64_t *ips;
	int max_frames;
	bool kernel_only;
	uint64_t received, stack_bytes;
};

static int handle_sample(void *ctx, void *data, size_t len)
{
	struct unwind_sampler *us = ctx;
	const struct unwind_sample *e = data;
	struct unwind_snapshot snap;
	struct unwind_sampled s = { 0 };
	char comm[UNWIND_COMM_LEN + 1];

	if (len < UNWIND_SAMPLE_HDR_LEN || len < UNWIND_SAMPLE_HDR_LEN + e->stack_len)
		return 0;
	us->received++;
	us->stack_bytes += e->stack_len;
	memcpy(comm, e->comm, UNWIND_COMM_LEN);
	comm[UNWIND_COMM_LEN] = '\0';
	s.tgid = e->tgid;
	s.tid = e->tid;
	s.cpu = e->cpu;
	s.comm = comm;
	s.time_ns = e->time_ns;
	s.kstack_id = e->kstack_id;
	s.user_ips = us->ips;
	s.kernel_thread = e->flags & UNWIND_F_KERNEL_THREAD;
	if (!s.kernel_thread && !us->kernel_only) {
		snap = (struct unwind_snapshot){ .pid = e->tgid, .ip = e->ip, .sp = e->sp,
						 .bp = e->bp, .stack = e->stack,
						 .stack_len = e->stack_len };
		s.status = unwinder__unwind(us->unwinder, &snap, us->ips, us->max_frames, &s.nuser);
	}
	us->fn(us->ctx, &s);
	return 0;
}

static void set_rodata(struct profile_dwarf_bpf *skel, const struct unwind_sampler_opts *o)
{
	uint32_t bytes = o->stack_bytes ? o->stack_bytes : UNWIND_STACK_DEFAULT;

	skel->rodata->targ_tid = o->tid;
	skel->rodata->targ_cgroup = o->cgroup_id;
	skel->rodata->filter_pids = o->npids > 0;
	skel->rodata->include_idle = o->include_idle;
	skel->rodata->self_tgid = getpid();
	skel->rodata->user_only = o->user_only;
	skel->rodata->kernel_only = o->kernel_only;
	skel->rodata->stack_bytes = bytes > UNWIND_STACK_MAX ? UNWIND_STACK_MAX : bytes;
	if (o->ringbuf_bytes)
		bpf_map__set_max_entries(skel->maps.samples, o->ringbuf_bytes);
	/* a batch big enough to amortize the wakeup, small enough to never fill the ring */
	skel->rodata->wakeup_bytes = bpf_map__max_entries(skel->maps.samples) / 16;
	bpf_map__set_max_entries(skel->maps.scratch, libbpf_num_possible_cpus());
	if (o->kstack_entries)
		bpf_map__set_max_entries(skel->maps.kstacks, o->kstack_entries);
}

static int fill_pids(struct unwind_sampler *us, const struct unwind_sampler_opts *o)
{
	__u8 one = 1;
	int i;

	if (o->npids > (int)bpf_map__max_entries(us->skel->maps.pids))
		return -E2BIG;
	for (i = 0; i < o->npids; i++) {
		if (bpf_map__update_elem(us->skel->maps.pids, &o->pids[i], sizeof(o->pids[i]),
					 &one, sizeof(one), BPF_ANY))
			return -errno;
		/* capture now: a short-lived target may be gone before its first sample */
		unwinder__capture_pid(us->unwinder, o->pids[i]);
	}
	return 0;
}

static int sampler_load(struct unwind_sampler *us, const struct unwind_sampler_opts *o)
{
	int err;

	us->skel = profile_dwarf_bpf__open();
	if (!us->skel)
		return -errno;
	set_rodata(us->skel, o);
	err = profile_dwarf_bpf__load(us->skel);
	if (err)
		return err;
	err = fill_pids(us, o);
	if (err)
		return err;
	us->rb = ring_buffer__new(bpf_map__fd(us->skel->maps.samples), handle_sample, us, NULL);
	return us->rb ? 0 : -errno;
}

int unwind_sampler__new(const struct unwind_sampler_opts *o, struct unwind_sampler **out)
{
	struct unwind_sampler *us = calloc(1, sizeof(*us));
	int err = -ENOMEM;

	if (!us)
		goto fail;
	us->fn = o->fn;
	us->ctx = o->ctx;
	us->kernel_only = o->kernel_only;
	us->max_frames = o->max_frames > 0 ? o->max_frames : DEFAULT_MAX_FRAMES;
	us->ips = calloc(us->max_frames, sizeof(*us->ips));
	us->unwinder = unwinder__new();
	if (!us->ips || !us->unwinder)
		goto fail;
	err = sampler_load(us, o);
	if (!err) {
		*out = us;
		return 0;
	}
fail:
	log_error("profile: loading the DWARF sampler failed: %s", strerror(-err));
	unwind_sampler__free(us);
	return err;
}

struct bpf_link *unwind_sampler__attach_perf(struct unwind_sampler *us, int perf_fd)
{
	return bpf_program__attach_perf_event(us->skel->progs.profile_dwarf, perf_fd);
}

int unwind_sampler__poll(struct unwind_sampler *us, int timeout_ms)
{
	int n = ring_buffer__poll(us->rb, timeout_ms), m;

	if (n < 0 && n != -EINTR)
		return n;
	/* samples below the wakeup threshold do not wake us: take them on the timer */
	m = ring_buffer__consume(us->rb);
	if (m < 0)
		return m;
	return (n > 0 ? n : 0) + m;
}

int unwind_sampler__kernel_stack(struct unwind_sampler *us, int32_t id, uint64_t *ips, int max)
{
	uint64_t frames[127] = { 0 };
	int n;

	if (id < 0)
		return -ENOENT;
	if (bpf_map__lookup_elem(us->skel->maps.kstacks, &id, sizeof(id), frames, sizeof(frames),
				 0))
		return -errno;
	for (n = 0; n < 127 && n < max && frames[n]; n++)
		ips[n] = frames[n];
	return n;
}

void unwind_sampler__stats(struct unwind_sampler *us, struct unwind_sampler_stats *out)
{
	const __u64 *c = us->skel->bss->counters;

	memset(out, 0, sizeof(*out));
	out->samples = c[UNWIND_CNT_SAMPLES];
	out->filtered = c[UNWIND_CNT_FILTERED];
	out->ringbuf_full = c[UNWIND_CNT_RINGBUF_FULL];
	out->no_stack = c[UNWIND_CNT_NO_STACK];
	out->received = us->received;
	out->stack_bytes = us->stack_bytes;
	out->unwind = *unwinder__stats(us->unwinder);
}

struct unwinder *unwind_sampler__unwinder(struct unwind_sampler *us)
{
	return us->unwinder;
}

void unwind_sampler__free(struct unwind_sampler *us)
{
	if (!us)
		return;
	ring_buffer__free(us->rb);
	profile_dwarf_bpf__destroy(us->skel);
	unwinder__free(us->unwinder);
	free(us->ips);
	free(us);
}
