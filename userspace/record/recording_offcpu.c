// SPDX-License-Identifier: GPL-2.0
/* Off-CPU time with its wakers, per state and per bucket, for record. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "base/log.h"
#include "profile.h"
#include "offcpu.h"
#include "profile/profile_collect.h"
#include "record/recording_offcpu.h"
#include "record/recording_profile.h"

/*
 * Shorter waits are dropped in BPF: a busy server's sub-millisecond hand-offs
 * would fill the maps and say nothing about a latency incident.
 */
#define REC_OFFCPU_MIN_BLOCK_NS 1000000ULL
/* Off-CPU stacks are fewer than CPU ones; the maps are preallocated. */
#define REC_OFFCPU_STACK_MAP 4096

static const struct {
	uint32_t bit;
	const char *name;
} states[] = {
	{ OFFCPU_STATE_INTERRUPTIBLE, "S" },
	{ OFFCPU_STATE_UNINTERRUPTIBLE, "D" },
};

#define NSTATES (int)(sizeof(states) / sizeof(states[0]))

struct rec_offcpu {
	struct profile_sampler *sampler[NSTATES];
	struct rec_pdelta *delta[NSTATES];
	struct symbolizer *sym;
	struct profile_procs *pprocs;
};

static int start_one(struct rec_offcpu *o, int i, const struct profile_sampler_opts *cpu)
{
	struct profile_sampler_opts so = *cpu;

	so.off_cpu = true;
	so.off_cpu_wakers = true;
	so.off_cpu_states = states[i].bit;
	so.min_block_ns = REC_OFFCPU_MIN_BLOCK_NS;
	so.unwind_dwarf = false;	/* off-CPU stacks: frame pointers or the in-kernel walk */
	if (so.stack_map_size > REC_OFFCPU_STACK_MAP)
		so.stack_map_size = REC_OFFCPU_STACK_MAP;
	so.on_event = profile_procs__on_event;
	so.ctx = o->pprocs;
	o->delta[i] = rec_pdelta__new();
	if (!o->delta[i])
		return -ENOMEM;
	if (profile_sampler__new(&so, &o->sampler[i]))
		return -EINVAL;
	return profile_sampler__attach(o->sampler[i]) ? -EINVAL : 0;
}

struct rec_offcpu *rec_offcpu__start(const struct profile_sampler_opts *so, struct symbolizer *sym,
				     struct profile_procs *pprocs)
{
	struct rec_offcpu *o = calloc(1, sizeof(*o));
	int err = o ? 0 : -ENOMEM;

	if (o) {
		o->sym = sym;
		o->pprocs = pprocs;
	}
	for (int i = 0; !err && i < NSTATES; i++)
		err = start_one(o, i, so);
	if (err) {
		log_error("record: cannot record off-CPU time: %s",
			  err == -ENOMEM ? strerror(ENOMEM) : "the sampler could not start");
		rec_offcpu__free(o);
		errno = -err;
		return NULL;
	}
	return o;
}

void rec_offcpu__poll(struct rec_offcpu *o)
{
	for (int i = 0; o && i < NSTATES; i++)
		profile_sampler__poll(o->sampler[i], 0);
}

static int bucket_one(struct rec_offcpu *o, int i, struct rec_writer *w, int64_t start_wall)
{
	struct profile_result res = { 0 };
	struct profile_data bucket = { 0 };
	int err;

	err = profile_collect(o->sampler[i], o->sym, profile_procs__need_maps, o->pprocs, &res);
	if (!err)
		err = rec_pdelta__bucket(o->delta[i], &res.data, &bucket);
	if (!err && bucket.nstacks)
		err = rec_writer__offcpu(w, start_wall, states[i].name, &bucket);
	free(bucket.stacks);
	profile_result__free(&res);
	return err;
}

int rec_offcpu__bucket(struct rec_offcpu *o, struct rec_writer *w, int64_t start_wall)
{
	int err = 0;

	for (int i = 0; o && i < NSTATES; i++)
		if (bucket_one(o, i, w, start_wall))
			err = -EIO;
	return err;
}

void rec_offcpu__free(struct rec_offcpu *o)
{
	if (!o)
		return;
	for (int i = 0; i < NSTATES; i++) {
		if (o->sampler[i])
			profile_sampler__detach(o->sampler[i]);
		profile_sampler__free(o->sampler[i]);
		rec_pdelta__free(o->delta[i]);
	}
	free(o);
}
