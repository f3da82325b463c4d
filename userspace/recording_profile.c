// SPDX-License-Identifier: GPL-2.0
/* Per-bucket deltas of a cumulative profile, keyed by each stack's identity. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recording_intern.h"
#include "recording_profile.h"

struct rec_pdelta {
	struct strtab *keys;	/* "pid/tid/comm;frame;frame..." -> id */
	uint64_t *prev;		/* prev[id]: samples at the previous bucket */
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
	d->keys = strtab__new();
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
	strtab__free(d->keys);
	free(d->prev);
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

static uint64_t *prev_slot(struct rec_pdelta *d, uint32_t id)
{
	if (id >= d->nprev) {
		size_t n = id * 2 + 64;
		uint64_t *v = realloc(d->prev, n * sizeof(*v));

		if (!v)
			return NULL;
		memset(v + d->nprev, 0, (n - d->nprev) * sizeof(*v));
		d->prev = v;
		d->nprev = n;
	}
	return &d->prev[id];
}

int rec_pdelta__bucket(struct rec_pdelta *d, const struct profile_data *cum,
		       struct profile_data *out)
{
	*out = *cum;
	out->nstacks = 0;
	out->total_samples = 0;
	out->stacks = calloc(cum->nstacks ? cum->nstacks : 1, sizeof(*out->stacks));
	if (!out->stacks)
		return -ENOMEM;
	for (size_t i = 0; i < cum->nstacks; i++) {
		const struct profile_stack *s = &cum->stacks[i];
		uint32_t id = strtab__intern(d->keys, stack_key(d, s), NULL);
		uint64_t *prev = id ? prev_slot(d, id) : NULL;

		if (!prev)
			return -ENOMEM;
		/* Fewer than before: the map was reset; count it afresh. */
		if (s->count != *prev) {
			out->stacks[out->nstacks] = *s;
			out->stacks[out->nstacks].count = s->count > *prev ? s->count - *prev :
								s->count;
			out->total_samples += out->stacks[out->nstacks++].count;
		}
		*prev = s->count;
	}
	out->lost_samples = cum->lost_samples >= d->prev_lost ? cum->lost_samples - d->prev_lost :
								cum->lost_samples;
	d->prev_lost = cum->lost_samples;
	return 0;
}
