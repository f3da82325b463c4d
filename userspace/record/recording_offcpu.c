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

/* Without -p: the processes followed once they have a slow syscall. */
#define REC_OFFCPU_MAX_FOLLOWED 64

struct rec_offcpu {
	struct profile_sampler *sampler[NSTATES];
	struct rec_pdelta *delta[NSTATES];
	struct profile_sampler_opts base;	/* the CPU sampler's options */
	struct symbolizer *sym;
	struct profile_procs *pprocs;
	int slots[REC_OFFCPU_MAX_FOLLOWED + 1];	/* zeros: the initial target set */
	int tgids[REC_OFFCPU_MAX_FOLLOWED];	/* followed so far */
	int ntgids;
	bool fixed;		/* -p: its processes from the start, no others */
	uint64_t not_followed;	/* slow processes beyond REC_OFFCPU_MAX_FOLLOWED */
};

static int start_one(struct rec_offcpu *o, int i)
{
	struct profile_sampler_opts so = o->base;

	so.off_cpu = true;
	so.off_cpu_wakers = true;
	so.off_cpu_states = states[i].bit;
	so.min_block_ns = REC_OFFCPU_MIN_BLOCK_NS;
	/*
	 * Frame pointers only: the in-kernel .eh_frame walk at every switch
	 * measured several times the cost (docs/recording-format.md).
	 */
	so.unwind_dwarf = false;
	so.unwind_kernel = false;
	so.unwind_kernel_required = false;
	if (so.stack_map_size > REC_OFFCPU_STACK_MAP)
		so.stack_map_size = REC_OFFCPU_STACK_MAP;
	/*
	 * Without -p: a target set of REC_OFFCPU_MAX_FOLLOWED slots holding only
	 * pid 0 (the idle task, never counted: no mm), filled as slow processes
	 * appear.
	 */
	if (!o->fixed) {
		so.tgids = o->slots;
		so.ntgids = REC_OFFCPU_MAX_FOLLOWED + 1;	/* pid 0 holds one */
	}
	so.on_event = profile_procs__on_event;
	so.ctx = o->pprocs;
	o->delta[i] = rec_pdelta__new();
	if (!o->delta[i])
		return -ENOMEM;
	if (profile_sampler__new(&so, &o->sampler[i]))
		return -EINVAL;
	return profile_sampler__attach(o->sampler[i]) ? -EINVAL : 0;
}

static void stop_all(struct rec_offcpu *o)
{
	for (int i = 0; i < NSTATES; i++) {
		if (o->sampler[i])
			profile_sampler__detach(o->sampler[i]);
		profile_sampler__free(o->sampler[i]);
		rec_pdelta__free(o->delta[i]);
	}
}

struct rec_offcpu *rec_offcpu__new(const struct profile_sampler_opts *so, struct symbolizer *sym,
				   struct profile_procs *pprocs)
{
	struct rec_offcpu *o = calloc(1, sizeof(*o));
	int err = o ? 0 : -ENOMEM;

	if (o) {
		o->base = *so;
		o->sym = sym;
		o->pprocs = pprocs;
		o->fixed = so->ntgids > 0;
	}
	for (int i = 0; !err && i < NSTATES; i++)
		err = start_one(o, i);
	if (err) {
		log_error("record: cannot record off-CPU time: %s",
			  err == -ENOMEM ? strerror(ENOMEM) : "the sampler could not start");
		rec_offcpu__free(o);
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

int rec_offcpu__follow(struct rec_offcpu *o, struct rec_writer *w, uint32_t pid)
{
	int err;

	if (!o || o->fixed)
		return 0;
	for (int i = 0; i < o->ntgids; i++)
		if (o->tgids[i] == (int)pid)
			return 0;
	if (o->ntgids == REC_OFFCPU_MAX_FOLLOWED) {
		if (!o->not_followed++)
			pr_warn("record: off-CPU time is kept for the first %d processes with slow "
				"syscalls only\n", REC_OFFCPU_MAX_FOLLOWED);
		return rec_writer__loss(w, rec_now_wall_ns(), "offcpu", "processes limit", 1);
	}
	o->tgids[o->ntgids++] = (int)pid;
	for (int i = 0; i < NSTATES; i++) {
		err = profile_sampler__add_target(o->sampler[i], (int)pid);
		if (err)
			return err;
	}
	return 0;
}

uint64_t rec_offcpu__not_followed(const struct rec_offcpu *o)
{
	return o ? o->not_followed : 0;
}

void rec_offcpu__free(struct rec_offcpu *o)
{
	if (!o)
		return;
	stop_all(o);
	free(o);
}
