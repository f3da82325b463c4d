// SPDX-License-Identifier: GPL-2.0
/*
 * Records held until the end of a ring buffer batch (DWARF mode). BPF sends
 * an event's snapshot after reserving the event, so the snapshot follows the
 * event in the ring; both are committed by the time the event is readable,
 * so both are read in the same batch, and decoding the events after it
 * finds their snapshots.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "watch/watch_internal.h"

struct watch_deferred {
	struct watch_deferred *next;
	struct watch_source *src;
	size_t size;
	__u64 data[];	/* aligned like the ring buffer's records */
};

int watch_defer(struct watch_ctx *c, struct watch_source *s, const void *data, size_t size)
{
	struct watch_deferred *d = malloc(sizeof(*d) + size);

	if (!d)
		return -ENOMEM;
	d->next = NULL;
	d->src = s;
	d->size = size;
	memcpy(d->data, data, size);
	if (c->deferred_tail)
		c->deferred_tail->next = d;
	else
		c->deferred = d;
	c->deferred_tail = d;
	return 0;
}

void watch_deferred_run(struct watch_ctx *c)
{
	struct watch_deferred *d = c->deferred, *next;

	c->deferred = c->deferred_tail = NULL;
	for (; d; d = next) {
		next = d->next;
		if (d->src->ops->handle(d->src, d->data, d->size))
			d->src->decode_errors++;
		free(d);
	}
}
