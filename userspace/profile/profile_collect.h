/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PROFILE_COLLECT_H
#define FAULTLINE_PROFILE_COLLECT_H

#include <stdint.h>
#include <linux/types.h>

#include "profile.h"
#include "profile/profile_sampler.h"
#include "output/stack_profile.h"
#include "sym/symbolizer.h"
#include "profile/profile_wall.h"

struct profile_collect_stats {
	uint64_t counters[PC__COUNT];	/* from BPF, summed over CPUs */
	uint64_t lost_user;		/* samples whose user stack walk failed */
	uint64_t lost_kernel;		/* samples whose kernel stack walk failed */
	uint64_t lost_counts_full;	/* samples not counted: counts map full */
	uint64_t lost_stack_gone;	/* stack id valid but no longer in the map */
	uint64_t processes;
	uint64_t frames;		/* frames shown, weighted by samples */
	uint64_t unnamed_frames;	/* of those, without a symbol */
	uint64_t cut_samples;		/* user stack ended at an address that is not code */
	uint64_t wall_us[PROFILE_WALL_STATES];	/* --wall: time per state */
	uint64_t wall_threads;		/* --wall: threads with any time */
};

/* A collected profile; its strings live until profile_result__free(). */
struct profile_result {
	struct profile_data data;
	struct profile_collect_stats stats;
	void *priv;
};

/* Called for each sampled tgid before its stacks are symbolized. */
typedef void (*profile_need_maps_fn)(void *ctx, int tgid);

/*
 * Reads the aggregated stacks and counters out of the sampler's maps and
 * symbolizes them with @sym: frames root first, user then kernel, a failed
 * walk as one "[lost stack]" frame, samples the counts map could not hold as
 * a "[lost]" stack. Fills everything in @r->data but the run's metadata.
 */
int profile_collect(struct profile_sampler *s, struct symbolizer *sym,
		    profile_need_maps_fn need_maps, void *ctx, struct profile_result *r);
void profile_result__free(struct profile_result *r);

#endif
