// SPDX-License-Identifier: GPL-2.0
/*
 * The end-of-run summary of `faultline watch`: on stderr, after the events;
 * with --json also as a last {"type": "summary"} line on the output.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "watch/watch_internal.h"

void watch_print_summary(struct watch_ctx *c, double secs);

/* Everything a source dropped: events, and state whose events are then missing. */
static uint64_t source_lost(const struct watch_source *s)
{
	return watch_source_counter(s, WATCH_CNT_RINGBUF_FULL) +
	       watch_source_counter(s, WATCH_CNT_RATE_LIMITED) +
	       watch_source_counter(s, WATCH_CNT_MAP_FULL) + s->decode_errors;
}

static uint64_t total_lost(const struct watch_ctx *c)
{
	uint64_t lost = c->render_errors + c->write_errors;

	for (int i = 0; i < c->nsources; i++)
		lost += source_lost(&c->sources[i]);
	return lost;
}

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
		fprintf(stderr, "  %s (internal): notices %" PRIu64 ", lost: ring buffer full %"
			PRIu64 ", map full %" PRIu64 "\n", s->ops->name,
			watch_source_counter(s, WATCH_CNT_SUBMITTED),
			watch_source_counter(s, WATCH_CNT_RINGBUF_FULL),
			watch_source_counter(s, WATCH_CNT_MAP_FULL));
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

static uint64_t snapshots_lost(const struct watch_ctx *c)
{
	uint64_t n = 0;

	for (int i = 0; i < c->nsources; i++)
		n += watch_source_counter(&c->sources[i], WATCH_CNT_SNAPSHOT_LOST);
	return n;
}

/* DWARF mode: how user stacks were obtained, and why some fell back. */
static void print_unwind(const struct watch_ctx *c)
{
	const struct watch_unwind_stats *st = watch_unwind_stats(c);

	watch_kunwind_print(c, stderr);
	if (!st)
		return;
	fprintf(stderr, "  user stacks: dwarf %" PRIu64 ", frame pointers (binary has them) %"
		PRIu64 ", frame pointers (no snapshot) %" PRIu64 "; snapshots lost in BPF %"
		PRIu64 ", unpaired %" PRIu64 ", out of memory %" PRIu64 "\n", st->dwarf, st->fp,
		st->no_snapshot, snapshots_lost(c), st->evicted, st->no_memory);
	if (st->snapshots)
		fprintf(stderr, "    snapshots: %" PRIu64 ", %" PRIu64 " bytes each on average\n",
			st->snapshots, st->snapshot_bytes / st->snapshots);
	for (int i = 0; i < UNWIND_STATUS_NR; i++)
		if (st->failed[i])
			fprintf(stderr, "    dwarf stopped early (%s): %" PRIu64 "\n",
				unwind_status__name(i), st->failed[i]);
}

static void json_kunwind(cJSON *j, const struct watch_ctx *c)
{
	const struct watch_kunwind_stats *st = watch_kunwind_stats(c);
	cJSON *u;

	if (!st || !(u = cJSON_AddObjectToObject(j, "kernel_unwind")))
		return;
	cJSON_AddNumberToObject(u, "tables", st->tables);
	cJSON_AddNumberToObject(u, "whole", st->whole);
	cJSON_AddNumberToObject(u, "before_tables", st->fp);
	cJSON_AddNumberToObject(u, "first_events", st->first);
	cJSON_AddNumberToObject(u, "first_events_before_tables", st->first_fp);
}

static void json_unwind(cJSON *j, const struct watch_ctx *c)
{
	const struct watch_unwind_stats *st = watch_unwind_stats(c);
	cJSON *u, *failed;

	json_kunwind(j, c);
	if (!st || !(u = cJSON_AddObjectToObject(j, "unwind")))
		return;
	cJSON_AddNumberToObject(u, "dwarf", st->dwarf);
	cJSON_AddNumberToObject(u, "fp", st->fp);
	cJSON_AddNumberToObject(u, "no_snapshot", st->no_snapshot);
	cJSON_AddNumberToObject(u, "snapshots_lost", snapshots_lost(c));
	cJSON_AddNumberToObject(u, "unpaired", st->evicted);
	cJSON_AddNumberToObject(u, "out_of_memory", st->no_memory);
	cJSON_AddNumberToObject(u, "snapshots", st->snapshots);
	cJSON_AddNumberToObject(u, "snapshot_bytes", st->snapshot_bytes);
	failed = cJSON_AddObjectToObject(u, "failed");
	for (int i = 0; failed && i < UNWIND_STATUS_NR; i++)
		if (i != UNWIND_OK)
			cJSON_AddNumberToObject(failed, unwind_status__name(i), st->failed[i]);
}

static void json_source(cJSON *sources, const struct watch_source *s)
{
	cJSON *o = cJSON_AddObjectToObject(sources, s->ops->name);

	if (!o)
		return;
	cJSON_AddNumberToObject(o, "submitted", watch_source_counter(s, WATCH_CNT_SUBMITTED));
	cJSON_AddNumberToObject(o, "ring_full", watch_source_counter(s, WATCH_CNT_RINGBUF_FULL));
	cJSON_AddNumberToObject(o, "rate_limited",
				watch_source_counter(s, WATCH_CNT_RATE_LIMITED));
	cJSON_AddNumberToObject(o, "map_full", watch_source_counter(s, WATCH_CNT_MAP_FULL));
	cJSON_AddNumberToObject(o, "undecodable", s->decode_errors);
	for (int i = 0; i < 4; i++)
		if (s->ops->counter_names[i])
			cJSON_AddNumberToObject(o, s->ops->counter_names[i],
						watch_source_counter(s, WATCH_CNT_SOURCE0 + i));
}

static cJSON *json_summary(const struct watch_ctx *c, double secs, uint64_t lost)
{
	cJSON *j = cJSON_CreateObject(), *events, *sources;

	if (!j)
		return NULL;
	cJSON_AddStringToObject(j, "type", "summary");
	cJSON_AddNumberToObject(j, "duration_s", (double)(int64_t)(secs * 1000) / 1000);
	events = cJSON_AddObjectToObject(j, "events");
	for (int t = WATCH_EV_NONE + 1; events && t < WATCH_EV_NOTICE; t++)
		cJSON_AddNumberToObject(events, watch_event_type_name(t), c->emitted[t]);
	cJSON_AddNumberToObject(j, "lost", lost);
	cJSON_AddNumberToObject(j, "not_rendered", c->render_errors);
	cJSON_AddNumberToObject(j, "stacks_ended_not_code", c->stacks_cut);
	sources = cJSON_AddObjectToObject(j, "sources");
	for (int i = 0; sources && i < c->nsources; i++)
		json_source(sources, &c->sources[i]);
	json_unwind(j, c);
	return j;
}

/* The summary as the last JSON line; a failed write is counted like an event's. */
static void write_json_summary(struct watch_ctx *c, double secs, uint64_t lost)
{
	cJSON *j = json_summary(c, secs, lost);
	char *text = j ? cJSON_PrintUnformatted(j) : NULL;

	if (!text) {
		c->render_errors++;
	} else if (!c->write_errno) {
		fputs(text, c->out);
		fputc('\n', c->out);
		if (!watch_output_ok(c))
			c->write_errors++;
	}
	free(text);
	cJSON_Delete(j);
}

static void print_reports(struct watch_ctx *c)
{
	for (int i = 0; i < c->nsources; i++)
		if (c->sources[i].ops->report)
			c->sources[i].ops->report(&c->sources[i], c->opts->json ? c->out : stderr,
						  c->opts->json);
}

/* With --json the reports go to the output, before the summary line that ends it. */
void watch_print_summary(struct watch_ctx *c, double secs)
{
	uint64_t lost;

	if (c->opts->json) {
		print_reports(c);
		if (c->render)
			write_json_summary(c, secs, total_lost(c));
	}
	lost = total_lost(c);
	fprintf(stderr, "faultline: watch summary after %.1f s\n", secs);
	print_counts(c);
	fprintf(stderr, "  lost: %" PRIu64 "\n", lost);
	if (c->stacks_cut)
		fprintf(stderr, "  stack ends: next address not in executable memory: %" PRIu64
			" stacks\n", c->stacks_cut);
	if (c->render_errors)
		fprintf(stderr, "  not rendered (out of memory): %" PRIu64 "\n", c->render_errors);
	if (c->write_errors)
		fprintf(stderr, "  not written (output error): %" PRIu64 "\n", c->write_errors);
	for (int i = 0; i < c->nsources; i++)
		print_source(&c->sources[i]);
	print_unwind(c);
	if (!c->opts->json)
		print_reports(c);
}

int watch_source_losses(const struct watch_ctx *c, int i, const char **name,
			uint64_t lost[WATCH_LOSS__COUNT])
{
	const struct watch_source *s;

	if (i < 0 || i >= c->nsources || i >= WATCH_MAX_SOURCES)
		return -ENOENT;
	s = &c->sources[i];
	*name = s->ops->name;
	lost[WATCH_LOSS_RINGBUF_FULL] = watch_source_counter(s, WATCH_CNT_RINGBUF_FULL);
	lost[WATCH_LOSS_RATE_LIMITED] = watch_source_counter(s, WATCH_CNT_RATE_LIMITED);
	lost[WATCH_LOSS_MAP_FULL] = watch_source_counter(s, WATCH_CNT_MAP_FULL);
	lost[WATCH_LOSS_UNDECODABLE] = s->decode_errors;
	return 0;
}
