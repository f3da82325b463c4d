// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "base/log.h"
#include "profile/offcpu_sampler.h"
#include "offcpu.h"
#include "offcpu.skel.h"

struct offcpu {
	struct offcpu_bpf *skel;
};

static void set_rodata(struct offcpu_bpf *skel, const struct profile_sampler_opts *o)
{
	skel->rodata->filter_tgids = o->ntgids > 0;
	skel->rodata->targ_tid = o->tid;
	skel->rodata->filter_cgroup = o->filter_cgroup;
	skel->rodata->targ_cgroup_id = o->cgroup_id;
	skel->rodata->want_user = o->user;
	skel->rodata->want_kernel = o->kernel;
	skel->rodata->include_kthreads = o->include_idle;
	skel->rodata->state_mask = o->off_cpu_states;
	skel->rodata->min_block_ns = o->min_block_ns;
}

static int set_map_sizes(struct offcpu_bpf *skel, const struct profile_sampler_opts *o)
{
	int err = bpf_map__set_max_entries(skel->maps.stacks, o->stack_map_size);

	if (!err)
		err = bpf_map__set_max_entries(skel->maps.counts, o->counts_map_size);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.target_tgids,
					       o->ntgids > 0 ? o->ntgids : 1);
	return err;
}

static int fill_targets(struct offcpu *off, const struct profile_sampler_opts *o)
{
	int fd = bpf_map__fd(off->skel->maps.target_tgids);
	__u8 one = 1;

	for (int i = 0; i < o->ntgids; i++) {
		__u32 tgid = o->tgids[i];

		if (bpf_map_update_elem(fd, &tgid, &one, BPF_ANY))
			return -errno;
	}
	return 0;
}

int offcpu__new(const struct profile_sampler_opts *o, struct offcpu **out)
{
	struct offcpu *off = calloc(1, sizeof(*off));
	int err;

	if (!off)
		return -ENOMEM;
	off->skel = offcpu_bpf__open();
	err = off->skel ? 0 : -errno;
	if (!err) {
		set_rodata(off->skel, o);
		err = set_map_sizes(off->skel, o);
	}
	if (!err)
		err = offcpu_bpf__load(off->skel);
	if (err) {
		log_error("profile: loading the off-CPU programs failed: %s (they need "
			  "tp_btf/sched_switch and task storage, Linux 5.11+)", strerror(-err));
		goto fail;
	}
	err = fill_targets(off, o);
	if (err) {
		log_error("profile: filling the pid filter failed: %s", strerror(-err));
		goto fail;
	}
	*out = off;
	return 0;
fail:
	offcpu__free(off);
	return err;
}

int offcpu__attach(struct offcpu *off)
{
	int err = offcpu_bpf__attach(off->skel);

	if (err)
		log_error("profile: attaching sched_switch failed: %s", strerror(-err));
	return err;
}

void offcpu__detach(struct offcpu *off)
{
	if (off)
		offcpu_bpf__detach(off->skel);
}

void offcpu__free(struct offcpu *off)
{
	if (!off)
		return;
	offcpu_bpf__destroy(off->skel);
	free(off);
}

int offcpu__events_fd(const struct offcpu *off)
{
	return bpf_map__fd(off->skel->maps.events);
}

int offcpu__counts_fd(const struct offcpu *off)
{
	return bpf_map__fd(off->skel->maps.counts);
}

int offcpu__stacks_fd(const struct offcpu *off)
{
	return bpf_map__fd(off->skel->maps.stacks);
}

int offcpu__overflow_fd(const struct offcpu *off)
{
	return bpf_map__fd(off->skel->maps.overflow);
}

static int sum(const struct offcpu *off, int ncpus, uint64_t *oc)
{
	int fd = bpf_map__fd(off->skel->maps.counters);
	__u64 *vals = calloc(ncpus, sizeof(*vals));

	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < OC__COUNT; k++) {
		oc[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, vals))
			continue;
		for (int cpu = 0; cpu < ncpus; cpu++)
			oc[k] += vals[cpu];
	}
	free(vals);
	return 0;
}

int offcpu__counters(const struct offcpu *off, int ncpus, uint64_t *out)
{
	uint64_t oc[OC__COUNT];
	int err = sum(off, ncpus, oc);

	if (err)
		return err;
	memset(out, 0, PC__COUNT * sizeof(*out));
	out[PC_SAMPLES] = oc[OC_SWITCHES];
	out[PC_FILTERED] = oc[OC_FILTERED];
	out[PC_USER_FAULT] = oc[OC_USER_FAULT];
	out[PC_USER_OTHER] = oc[OC_USER_OTHER];
	out[PC_KERN_FAULT] = oc[OC_KERN_FAULT];
	out[PC_KERN_OTHER] = oc[OC_KERN_OTHER];
	out[PC_COUNTS_FULL] = oc[OC_COUNTS_FULL] + oc[OC_STORAGE_FULL];
	out[PC_NOTIFY_LOST] = oc[OC_NOTIFY_LOST];
	return 0;
}

uint64_t offcpu__short(const struct offcpu *off, int ncpus)
{
	uint64_t oc[OC__COUNT];

	return sum(off, ncpus, oc) ? 0 : oc[OC_SHORT];
}
