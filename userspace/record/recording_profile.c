// SPDX-License-Identifier: GPL-2.0
/* Per-bucket deltas of a cumulative profile, keyed by each stack's identity. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"
#include "base/vec.h"
#include "record/recording_profile.h"

struct rec_pdelta {
	struct strmap *keys;	/* "pid/tid/comm;frame;frame..." -> id */
	uint64_t *prev;		/* prev[id]: samples at the previous bucket */
	uint64_t *now;		/* now[id]: samples at this bucket, summed over alike stacks */
	uint64_t *prev_ev, *now_ev;	/* the same for off-CPU's waits (profile_stack.events) */
	size_t nprev;
	uint64_t prev_lost;
	char *buf;
	size_t buflen;
};

struct rec_pdelta *rec_pdelta__new(void)
{
	struct rec_pdelta *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->keys = strmap__new(0);
	d->buflen = 65536;
	d->buf = malloc(d->buflen);
	if (!d->keys || !d->buf) {
		rec_pdelta__free(d);
		return NULL;
	}
	return d;
}

void rec_pdelta__free(struct rec_pdelta *d)
{
	if (!d)
		return;
	strmap__free(d->keys);
	free(d->prev);
	free(d->now);
	free(d->prev_ev);
	free(d->now_ev);
	free(d->buf);
	free(d);
}

static const char *stack_key(struct rec_pdelta *d, const struct profile_stack *s)
{
	size_t o = snprintf(d->buf, d->buflen, "%u/%u/%s", s->pid, s->tid, s->comm ? s->comm : "");

	for (int i = 0; i < s->nframes && o < d->buflen; i++)
		o += snprintf(d->buf + o, d->buflen - o, ";%s@%s", s->frames[i].name,
			      s->frames[i].module ? s->frames[i].module : "");
	return d->buf;
}

/* prev[] and now[] grow alike from @old: both end with capacity *@cap. */
static int grow(uint64_t **v, size_t old, size_t need, size_t *cap)
{
	*cap = old;
	if (VEC_RESERVE(*v, *cap, need))
		return -ENOMEM;
	memset(*v + old, 0, (*cap - old) * sizeof(**v));
	return 0;
}

/* The id of @s's identity, with room for it in prev[] and now[]; 0 on ENOMEM. */
static uint32_t slot(struct rec_pdelta *d, const struct profile_stack *s)
{
	uint32_t id = strmap__id(d->keys, stack_key(d, s), NULL);
	size_t cap;

	if (id && id >= d->nprev) {
		if (grow(&d->prev, d->nprev, (size_t)id + 1, &cap) ||
		    grow(&d->now, d->nprev, (size_t)id + 1, &cap) ||
		    grow(&d->prev_ev, d->nprev, (size_t)id + 1, &cap) ||
		    grow(&d->now_ev, d->nprev, (size_t)id + 1, &cap))
			return 0;
		d->nprev = cap;
	}
	return id;
}

/*
 * Several raw stacks can have one identity (other addresses in the same
 * functions): their counts are summed before the difference, or each would
 * be diffed against the other's total.
 */
static int sum_alike(struct rec_pdelta *d, const struct profile_data *cum, uint32_t *ids)
{
	for (size_t i = 0; i < cum->nstacks; i++) {
		ids[i] = slot(d, &cum->stacks[i]);
		if (!ids[i])
			return -ENOMEM;
		d->now[ids[i]] = 0;
		d->now_ev[ids[i]] = 0;
	}
	for (size_t i = 0; i < cum->nstacks; i++) {
		d->now[ids[i]] += cum->stacks[i].count;
		d->now_ev[ids[i]] += cum->stacks[i].events;
	}
	return 0;
}

int rec_pdelta__bucket(struct rec_pdelta *d, const struct profile_data *cum,
		       struct profile_data *out)
{
	uint32_t *ids = calloc(cum->nstacks ? cum->nstacks : 1, sizeof(*ids));

	*out = *cum;
	out->nstacks = 0;
	out->total_samples = 0;
	out->stacks = calloc(cum->nstacks ? cum->nstacks : 1, sizeof(*out->stacks));
	if (!out->stacks || !ids || sum_alike(d, cum, ids)) {
		free(ids);
		free(out->stacks);
		out->stacks = NULL;
		return -ENOMEM;
	}
	for (size_t i = 0; i < cum->nstacks; i++) {
		uint64_t now = d->now[ids[i]], prev = d->prev[ids[i]];
		uint64_t now_ev = d->now_ev[ids[i]], prev_ev = d->prev_ev[ids[i]];

		if (now == UINT64_MAX)	/* an alike stack already emitted this identity */
			continue;
		/* Fewer than before: the map was reset; count it afresh. */
		if (now != prev) {
			out->stacks[out->nstacks] = cum->stacks[i];
			out->stacks[out->nstacks].count = now > prev ? now - prev : now;
			out->stacks[out->nstacks].events = now > prev && now_ev >= prev_ev ?
							   now_ev - prev_ev : now_ev;
			out->total_samples += out->stacks[out->nstacks++].count;
		}
		d->prev[ids[i]] = now;
		d->prev_ev[ids[i]] = now_ev;
		d->now[ids[i]] = UINT64_MAX;
	}
	free(ids);
	out->lost_samples = cum->lost_samples >= d->prev_lost ? cum->lost_samples - d->prev_lost :
								cum->lost_samples;
	d->prev_lost = cum->lost_samples;
	return 0;
}
