/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_AGENT_SAMPLES_H
#define FAULTLINE_AGENT_SAMPLES_H

/*
 * The agent's profile as symbolized buckets for the store: what each stack
 * gained since the previous bucket, the way record cuts its buckets.
 */
#include "output/stack_profile.h"
#include "profile/profile_collect.h"
#include "profile/profile_sampler.h"

#define AGENT_SAMPLES_BUCKET_NS (10 * 1000000000LL)

struct agent_samples;

/* For samples of @so's targets; hooks @so so new processes' maps are captured. */
struct agent_samples *agent_samples__new(struct profile_sampler_opts *so);
void agent_samples__free(struct agent_samples *s);	/* NULL-safe */

/*
 * The bucket since the last call into @bucket (its stacks point into @res;
 * free both with agent_samples__done()). 0 or -errno.
 */
int agent_samples__collect(struct agent_samples *s, struct profile_sampler *sampler,
			   struct profile_result *res, struct profile_data *bucket);
void agent_samples__done(struct profile_result *res, struct profile_data *bucket);

/* A new sampler counts from zero: the next bucket starts from nothing. */
int agent_samples__restart(struct agent_samples *s);

#endif
