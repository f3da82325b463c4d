// SPDX-License-Identifier: GPL-2.0
/* Events out: human lines, JSON Lines, the sink (stacks come from watch_enrich.c). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/text_safe.h"
#include "watch/watch_internal.h"

/* Module paths and symbol names come from the watched files: escaped too. */
static void print_frame(FILE *out, const cJSON *f)
{
	const char *addr = cJSON_GetStringValue(cJSON_GetObjectItem(f, "addr"));
	const char *sym = cJSON_GetStringValue(cJSON_GetObjectItem(f, "symbol"));
	const char *mod = cJSON_GetStringValue(cJSON_GetObjectItem(f, "module"));
	const cJSON *off = cJSON_GetObjectItem(f, "offset");
	const char *base = mod ? strrchr(mod, '/') : NULL;
	char esym[1024], emod[1024];

	text_safe(sym ? sym : "[unknown]", esym, sizeof(esym), TEXT_SAFE_TERMINAL);
	text_safe(base ? base + 1 : mod ? mod : "?", emod, sizeof(emod), TEXT_SAFE_TERMINAL);
	fprintf(out, "    %-18s %s+0x%" PRIx64 " (%s)%s\n", addr ? addr : "?", esym,
		(uint64_t)cJSON_GetNumberValue(off), emod,
		cJSON_IsTrue(cJSON_GetObjectItem(f, "inferred")) ? " [leaf caller]" : "");
}

static void render_human(struct watch_ctx *c, const struct watch_event *ev)
{
	time_t secs = ev->wall_ns / 1000000000ULL;
	char when[32], comm[4 * WATCH_COMM_LEN + 1], facts[4 * sizeof(ev->facts) + 1];
	const cJSON *stack, *f;
	struct tm tm;

	localtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	text_safe(ev->comm, comm, sizeof(comm), TEXT_SAFE_TERMINAL);
	text_safe(ev->facts, facts, sizeof(facts), TEXT_SAFE_TERMINAL);
	/* pid 0: no process acted (the kernel answered a packet): never shown as a pid */
	fprintf(c->out, "%s.%03u %-8s %-13s %.0u%s%s %s\n", when,
		(unsigned int)(ev->wall_ns % 1000000000ULL / 1000000),
		watch_severity_name(ev->severity), watch_event_type_name(ev->type), ev->pid,
		ev->pid ? "/" : "", comm, facts);
	if (!c->opts->stacks)
		return;
	stack = cJSON_GetObjectItem(ev->json, "stack");
	cJSON_ArrayForEach(f, stack)
		print_frame(c->out, f);
}

static void render_json(struct watch_ctx *c, const struct watch_event *ev)
{
	char *text = cJSON_PrintUnformatted(ev->json), *safe;

	/* Names that are not UTF-8 would make the line unreadable to JSON parsers. */
	if (text && !text_is_safe(text, TEXT_SAFE_UTF8)) {
		safe = text_safe_json(text);
		free(text);
		text = safe;
	}
	if (!text) {
		c->render_errors++;
		return;
	}
	fputs(text, c->out);
	fputc('\n', c->out);
	free(text);
}

/*
 * Counts an event whose output failed; the first failure is kept and ends
 * the run (watch_run reports it): nobody reads what follows.
 */
static bool check_written(struct watch_ctx *c)
{
	if (!fflush(c->out) && !ferror(c->out))
		return true;
	if (!c->write_errno)
		c->write_errno = errno ? errno : EIO;
	c->write_errors++;
	return false;
}

void watch_emit(struct watch_ctx *c, struct watch_event *ev)
{
	if (ev->type < WATCH_EV__COUNT)
		c->emitted[ev->type]++;
	if (c->render && !c->write_errno) {
		errno = 0;
		if (c->opts->json)
			render_json(c, ev);
		else
			render_human(c, ev);
		check_written(c);
	} else if (c->render) {
		c->write_errors++;
	}
	if (c->sink)
		c->sink(c->sink_arg, ev);
	watch_event_discard(ev);
}

bool watch_output_ok(struct watch_ctx *c)
{
	errno = 0;
	return !c->write_errno && check_written(c);
}

const struct watch_opts *watch_ctx_opts(const struct watch_ctx *c)
{
	return c->opts;
}
