// SPDX-License-Identifier: GPL-2.0
/* Symbolized profile buckets of the agent's sampler, for the ClickHouse `samples` table. */
#include <errno.h>
#include <stdlib.h>

#include "agent/agent_samples.h"
#include "profile/profile_procs.h"
#include "record/recording_profile.h"
#include "sym/symbolizer.h"

struct agent_samples {
	struct symbolizer *sym;
	struct profile_procs *procs;
	struct rec_pdelta *delta;
};

struct agent_samples *agent_samples__new(struct profile_sampler_opts *so)
{
	struct agent_samples *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->sym = symbolizer__new();
	s->procs = s->sym ? profile_procs__new(s->sym, so->tgids, so->ntgids) : NULL;
	s->delta = rec_pdelta__new();
	if (!s->procs || !s->delta) {
		agent_samples__free(s);
		return NULL;
	}
	so->on_event = profile_procs__on_event;
	so->ctx = s->procs;
	return s;
}

void agent_samples__free(struct agent_samples *s)
{
	if (!s)
		return;
	rec_pdelta__free(s->delta);
	profile_procs__free(s->procs);
	symbolizer__free(s->sym);
	free(s);
}

int agent_samples__collect(struct agent_samples *s, struct profile_sampler *sampler,
			   struct profile_result *res, struct profile_data *bucket)
{
	int err;

	profile_sampler__flush(sampler);
	err = profile_collect(sampler, s->sym, profile_procs__need_maps, s->procs, res);
	if (!err)
		err = rec_pdelta__bucket(s->delta, &res->data, bucket);
	return err;
}

void agent_samples__done(struct profile_result *res, struct profile_data *bucket)
{
	free(bucket->stacks);
	bucket->stacks = NULL;
	profile_result__free(res);
}

int agent_samples__restart(struct agent_samples *s)
{
	rec_pdelta__free(s->delta);
	s->delta = rec_pdelta__new();
	return s->delta ? 0 : -ENOMEM;
}
