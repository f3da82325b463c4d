// SPDX-License-Identifier: GPL-2.0
/*
 * The profile as one JSON document for scripts; the schema is in
 * docs/output-formats.md. Addresses are hex strings because JSON numbers
 * are doubles and kernel addresses do not fit in 53 bits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "base/text_safe.h"
#include "output/output_common.h"

#define JSON_FORMAT_VERSION 1

static int add_hex(cJSON *obj, const char *key, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return cJSON_AddStringToObject(obj, key, buf) ? 0 : -ENOMEM;
}

/* cJSON_AddStringToObject with NULL written as JSON null. */
static int add_str(cJSON *obj, const char *key, const char *s)
{
	if (!s)
		return cJSON_AddNullToObject(obj, key) ? 0 : -ENOMEM;
	return cJSON_AddStringToObject(obj, key, s) ? 0 : -ENOMEM;
}

static int add_num(cJSON *obj, const char *key, double v)
{
	return cJSON_AddNumberToObject(obj, key, v) ? 0 : -ENOMEM;
}

static cJSON *frame_json(const struct profile_frame *f)
{
	cJSON *j = cJSON_CreateObject();
	int err;

	if (!j)
		return NULL;
	err = add_str(j, "name", output_frame_name(f));
	err = err ?: add_str(j, "kind", output_kind_name(f->kind));
	err = err ?: add_str(j, "module", f->module);
	err = err ?: add_hex(j, "offset", f->module_offset);
	err = err ?: add_hex(j, "addr", f->addr);
	err = err ?: add_str(j, "build_id", f->build_id);
	if (!err && f->src_file) {
		err = add_str(j, "file", f->src_file);
		err = err ?: add_num(j, "line", f->src_line);
	}
	if (err) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

static cJSON *stack_json(const struct profile_data *p, const struct profile_stack *s)
{
	cJSON *j = cJSON_CreateObject(), *frames;
	int err;

	if (!j)
		return NULL;
	err = add_num(j, "pid", s->pid);
	err = err ?: add_num(j, "tid", s->tid);
	err = err ?: add_str(j, "comm", s->comm);
	err = err ?: add_num(j, "count", (double)s->count);
	if (!err && s->events)
		err = add_num(j, p->wall ? "events" : "switches", (double)s->events);
	frames = err ? NULL : cJSON_AddArrayToObject(j, "frames");
	for (int i = 0; frames && i < s->nframes; i++) {
		cJSON *f = frame_json(&s->frames[i]);

		if (!f || !cJSON_AddItemToArray(frames, f)) {
			cJSON_Delete(f);
			frames = NULL;
		}
	}
	if (!frames) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

/* Wall-clock start as ISO 8601 UTC: nanoseconds since 1970 exceed a double's precision. */
static int add_time(cJSON *obj, const char *key, uint64_t wall_ns)
{
	time_t secs = wall_ns / 1000000000ULL;
	char buf[64], frac[16];
	struct tm tm;

	if (!wall_ns)
		return cJSON_AddNullToObject(obj, key) ? 0 : -ENOMEM;
	gmtime_r(&secs, &tm);
	strftime(buf, sizeof(buf) - sizeof(frac), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(frac, sizeof(frac), ".%06lluZ",
		 (unsigned long long)(wall_ns % 1000000000ULL) / 1000);
	strcat(buf, frac);
	return cJSON_AddStringToObject(obj, key, buf) ? 0 : -ENOMEM;
}

static cJSON *metadata_json(const struct profile_data *p)
{
	cJSON *j = cJSON_CreateObject();
	int err;

	if (!j)
		return NULL;
	err = add_str(j, "title", p->title);
	err = err ?: add_str(j, "command", p->command);
	err = err ?: add_str(j, "host", p->hostname);
	err = err ?: add_time(j, "start_time", p->start_wall_ns);
	err = err ?: add_num(j, "duration_ns", (double)p->duration_ns);
	err = err ?: add_num(j, "freq_hz", p->freq_hz);
	err = err ?: add_num(j, "period_ns", (double)p->period_ns);
	/* What a stack's "count" is: a sample of period_ns, or a microsecond blocked or lived. */
	err = err ?: add_str(j, "unit", p->wall ? "microseconds_wall" :
				   p->off_cpu ? "microseconds_off_cpu" : "samples");
	err = err ?: add_num(j, "samples", (double)p->total_samples);
	err = err ?: add_num(j, "lost_samples", (double)p->lost_samples);
	err = err ?: add_num(j, "unique_stacks", (double)p->nstacks);
	if (err) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

/* Prints @j unformatted and frees it; NULL @j is the allocation failure it was. */
static int print_json(cJSON *j, FILE *out)
{
	char *text, *safe;
	int err = 0;

	if (!j)
		return -ENOMEM;
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (text && !text_is_safe(text, TEXT_SAFE_UTF8)) {
		safe = text_safe_json(text);	/* names that are not UTF-8 */
		cJSON_free(text);
		text = safe;
	}
	if (!text)
		return -ENOMEM;
	if (fputs(text, out) == EOF)
		err = -EIO;
	free(text);
	return err;
}

/*
 * The document is streamed one stack at a time: a whole profile as one
 * cJSON tree costs about 1 KB of memory per frame.
 */
int output_json(const struct profile_data *p, const struct output_opts *o, FILE *out)
{
	int err;

	(void)o;
	fprintf(out, "{\"format\":\"faultline-profile\",\"version\":%d,\"metadata\":",
		JSON_FORMAT_VERSION);
	err = print_json(metadata_json(p), out);
	if (!err)
		fputs(",\"stacks\":[", out);
	for (size_t i = 0; i < p->nstacks && !err; i++) {
		if (i)
			fputc(',', out);
		err = print_json(stack_json(p, &p->stacks[i]), out);
	}
	if (!err)
		fputs("]}\n", out);
	if (!err && ferror(out))
		err = -EIO;
	return err;
}
