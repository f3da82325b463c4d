// SPDX-License-Identifier: GPL-2.0
/* The end-of-run summary of `faultline watch`: on stderr, after the events. */
#include <inttypes.h>
#include <stdio.h>

#include "watch_internal.h"

void watch_print_summary(struct watch_ctx *c, double secs);

static void print_counts(const struct watch_ctx *c)
{
	uint64_t total = 0;

	for (int t = WATCH_EV_NONE + 1; t < WATCH_EV_NOTICE; t++)
		total += c->emitted[t];
	fprintf(stderr, "  events: %" PRIu64, total);
	for (int t = WATCH_EV_NONE + 1; t < WATCH_EV_NOTICE; t++)
		if (c->emitted[t])
			fprintf(stderr, ", %s %" PRIu64, watch_event_type_name(t), c->emitted[t]);
	fputc('\n', stderr);
}

static void print_source(const struct watch_source *s)
{
	if (s->ops->internal) {
		fprintf(stderr, "  %s (internal): notices %" PRIu64 ", lost %" PRIu64 "\n",
			s->ops->name, watch_source_counter(s, WATCH_CNT_SUBMITTED),
			watch_source_counter(s, WATCH_CNT_RINGBUF_FULL));
		return;
	}
	uint64_t full = watch_source_counter(s, WATCH_CNT_RINGBUF_FULL);
	uint64_t limited = watch_source_counter(s, WATCH_CNT_RATE_LIMITED);
	uint64_t mapfull = watch_source_counter(s, WATCH_CNT_MAP_FULL);

	fprintf(stderr, "  %s: submitted %" PRIu64 ", lost: ring buffer full %" PRIu64
		", rate limited %" PRIu64 ", map full %" PRIu64 ", undecodable %" PRIu64,
		s->ops->name, watch_source_counter(s, WATCH_CNT_SUBMITTED), full, limited,
		mapfull, s->decode_errors);
	for (int i = 0; i < 4; i++)
		if (s->ops->counter_names[i])
			fprintf(stderr, ", %s %" PRIu64, s->ops->counter_names[i],
				watch_source_counter(s, WATCH_CNT_SOURCE0 + i));
	fprintf(stderr, "\n    hooks: %s\n", s->attached[0] ? s->attached : "none");
	if (s->skipped[0])
		fprintf(stderr, "    skipped: %s\n", s->skipped);
}

void watch_print_summary(struct watch_ctx *c, double secs)
{
	uint64_t lost = 0;

	for (int i = 0; i < c->nsources; i++) {
		const struct watch_source *s = &c->sources[i];

		if (s->ops->internal)
			continue;
		lost += watch_source_counter(s, WATCH_CNT_RINGBUF_FULL) +
			watch_source_counter(s, WATCH_CNT_RATE_LIMITED) + s->decode_errors;
	}
	fprintf(stderr, "faultline: watch summary after %.1f s\n", secs);
	print_counts(c);
	lost += c->render_errors;
	fprintf(stderr, "  lost: %" PRIu64 "\n", lost);
	if (c->render_errors)
		fprintf(stderr, "  not rendered (out of memory): %" PRIu64 "\n", c->render_errors);
	for (int i = 0; i < c->nsources; i++)
		print_source(&c->sources[i]);
	for (int i = 0; i < c->nsources; i++)
		if (c->sources[i].ops->report)
			c->sources[i].ops->report(&c->sources[i], c->opts->json ? c->out : stderr,
						  c->opts->json);
}
