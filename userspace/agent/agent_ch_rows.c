// SPDX-License-Identifier: GPL-2.0
/*
 * Watch events and profile buckets as rows of the ClickHouse tables. Stacks
 * are stored apart, once per day and machine, under a hash of their frames:
 * the `stacks` table is partitioned by day and replaces duplicates, so the
 * same stack from many hosts is kept once per partition.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/agent_ch_rows.h"
#include "base/strmap.h"
#include "base/vec.h"

#define NS_PER_DAY (86400ULL * 1000000000ULL)
#define FRAME_NAME_MAX 512

const char *const ch_table_names[CH__TABLES] = {
	[CH_EVENTS] = "events", [CH_STACKS] = "stacks", [CH_SAMPLES] = "samples",
	[CH_HOSTS] = "hosts",
};

struct ch_rows {
	char *host;
	struct ch_batch b[CH__TABLES];
	struct strmap *seen;	/* stack hashes already sent today */
	uint64_t day;
};

struct ch_rows *ch_rows__new(const char *host)
{
	struct ch_rows *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->host = strdup(host);
	r->seen = strmap__new(0);
	if (!r->host || !r->seen) {
		ch_rows__free(r);
		return NULL;
	}
	return r;
}

void ch_batch__free(struct ch_batch *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

void ch_rows__free(struct ch_rows *r)
{
	if (!r)
		return;
	for (int t = 0; t < CH__TABLES; t++)
		ch_batch__free(&r->b[t]);
	strmap__free(r->seen);
	free(r->host);
	free(r);
}

void ch_rows__take(struct ch_rows *r, enum ch_table t, struct ch_batch *out)
{
	*out = r->b[t];
	memset(&r->b[t], 0, sizeof(r->b[t]));
}

uint64_t ch_stack_hash(const char *const *names, const char *const *modules, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		const char *parts[2] = { modules[i] ? modules[i] : "", names[i] };

		for (int k = 0; k < 2; k++)
			for (const char *p = parts[k];; p++) {
				h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
				if (!*p)
					break;
			}
	}
	return h ? h : 1;
}

/* Appends @row as one line and frees it. */
static int append_row(struct ch_batch *b, cJSON *row)
{
	char *line = row ? cJSON_PrintUnformatted(row) : NULL;
	size_t n = line ? strlen(line) : 0;
	int err = -ENOMEM;

	if (line && !vec_reserve((void **)&b->buf, &b->cap, b->len + n + 1, 1)) {
		memcpy(b->buf + b->len, line, n);
		b->buf[b->len + n] = '\n';
		b->len += n + 1;
		b->rows++;
		err = 0;
	}
	free(line);
	cJSON_Delete(row);
	return err;
}

static void add_u64(cJSON *o, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	cJSON_AddStringToObject(o, key, buf);
}

static void day_text(uint64_t day, char *buf, size_t len)
{
	time_t t = (time_t)(day * 86400);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

/* A `stacks` row for @h unless one went out today. */
static int add_stack(struct ch_rows *r, uint64_t h, uint64_t wall_ns, const char *const *names,
		     const char *const *modules, size_t n)
{
	uint64_t day = wall_ns / NS_PER_DAY;
	cJSON *row, *fr, *mo;
	char date[16];
	int added;

	if (day != r->day) {	/* a new partition: every stack is new to it */
		strmap__free(r->seen);
		r->seen = strmap__new(0);
		r->day = day;
	}
	if (!r->seen || strmap__add(r->seen, &h, sizeof(h), &added) < 0)
		return -ENOMEM;
	if (!added)
		return 0;
	row = cJSON_CreateObject();
	day_text(day, date, sizeof(date));
	cJSON_AddStringToObject(row, "date", date);
	add_u64(row, "stack_hash", h);
	fr = cJSON_AddArrayToObject(row, "frames");
	mo = cJSON_AddArrayToObject(row, "modules");
	for (size_t i = 0; fr && mo && i < n; i++) {
		cJSON_AddItemToArray(fr, cJSON_CreateString(names[i]));
		cJSON_AddItemToArray(mo, cJSON_CreateString(modules[i] ? modules[i] : ""));
	}
	return append_row(&r->b[CH_STACKS], row);
}

static const char *str_field(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return s ? s : "";
}

static uint32_t u32_field(const cJSON *o, const char *key)
{
	double v = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return v >= 0 && v <= UINT32_MAX ? (uint32_t)v : 0;
}

/* An event frame's name as the report shows it: symbol, else module+0xoffset. */
static void frame_name(const cJSON *f, char *buf, size_t len)
{
	const char *sym = str_field(f, "symbol"), *mod = str_field(f, "module");
	const char *base = strrchr(mod, '/') ? strrchr(mod, '/') + 1 : mod;

	if (*sym)
		snprintf(buf, len, "%s", sym);
	else if (*mod)
		snprintf(buf, len, "%s+0x%" PRIx64, base, (uint64_t)cJSON_GetNumberValue(
			cJSON_GetObjectItemCaseSensitive(f, "offset")));
	else
		snprintf(buf, len, "[unknown]");
}

/* The event's stack (leaf first) as a `stacks` row, root first; its hash, 0 without one. */
static int event_stack(struct ch_rows *r, const cJSON *stack, uint64_t wall_ns, uint64_t *hash)
{
	int n = cJSON_GetArraySize(stack), err = -ENOMEM;
	const char **names = calloc(n ? n : 1, sizeof(*names));
	const char **mods = calloc(n ? n : 1, sizeof(*mods));
	char *text = malloc((size_t)(n ? n : 1) * FRAME_NAME_MAX);
	const cJSON *f;
	int i = n;

	*hash = 0;
	if (!names || !mods || !text)
		goto out;
	cJSON_ArrayForEach(f, stack) {
		i--;
		frame_name(f, text + (size_t)i * FRAME_NAME_MAX, FRAME_NAME_MAX);
		names[i] = text + (size_t)i * FRAME_NAME_MAX;
		mods[i] = str_field(f, "module");
	}
	err = 0;
	if (n) {
		*hash = ch_stack_hash(names, mods, n);
		err = add_stack(r, *hash, wall_ns, names, mods, n);
	}
out:
	free(names);
	free(mods);
	free(text);
	return err;
}

int ch_rows__event(struct ch_rows *r, const cJSON *ev, uint64_t wall_ns)
{
	static const char *const common[] = { "type", "time", "pid", "tid", "comm", "cgroup",
					      "stack" };
	cJSON *row, *attrs = cJSON_Duplicate(ev, 1);
	uint64_t h;
	char *text;
	int err;

	if (!attrs)
		return -ENOMEM;
	err = event_stack(r, cJSON_GetObjectItemCaseSensitive(ev, "stack"), wall_ns, &h);
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		cJSON_DeleteItemFromObjectCaseSensitive(attrs, common[i]);
	text = err ? NULL : cJSON_PrintUnformatted(attrs);
	cJSON_Delete(attrs);
	if (!text)
		return -ENOMEM;
	row = cJSON_CreateObject();
	cJSON_AddNumberToObject(row, "ts", (double)(wall_ns / 1000000000ULL));
	add_u64(row, "ts_ns", wall_ns);
	cJSON_AddStringToObject(row, "host", r->host);
	cJSON_AddStringToObject(row, "type", str_field(ev, "type"));
	cJSON_AddNumberToObject(row, "pid", u32_field(ev, "pid"));
	cJSON_AddNumberToObject(row, "tid", u32_field(ev, "tid"));
	cJSON_AddStringToObject(row, "comm", str_field(ev, "comm"));
	cJSON_AddStringToObject(row, "cgroup", str_field(ev, "cgroup"));
	add_u64(row, "stack_hash", h);
	cJSON_AddStringToObject(row, "attrs", text);
	free(text);
	return append_row(&r->b[CH_EVENTS], row);
}

static int sample_row(struct ch_rows *r, const struct profile_stack *s, uint64_t wall_ns,
		      const char *kind)
{
	const char **names = calloc(s->nframes ? s->nframes : 1, sizeof(*names));
	const char **mods = calloc(s->nframes ? s->nframes : 1, sizeof(*mods));
	uint64_t h = 0;
	cJSON *row;
	int err = -ENOMEM;

	if (!names || !mods)
		goto out;
	for (int i = 0; i < s->nframes; i++) {
		names[i] = s->frames[i].name;
		mods[i] = s->frames[i].module;
	}
	if (s->nframes) {
		h = ch_stack_hash(names, mods, s->nframes);
		if (add_stack(r, h, wall_ns, names, mods, s->nframes))
			goto out;
	}
	row = cJSON_CreateObject();
	cJSON_AddNumberToObject(row, "ts", (double)(wall_ns / 1000000000ULL));
	cJSON_AddStringToObject(row, "host", r->host);
	cJSON_AddStringToObject(row, "kind", kind);
	cJSON_AddNumberToObject(row, "pid", s->pid);
	cJSON_AddStringToObject(row, "comm", s->comm ? s->comm : "");
	cJSON_AddStringToObject(row, "cgroup", "");
	add_u64(row, "stack_hash", h);
	add_u64(row, "count", s->count);
	err = append_row(&r->b[CH_SAMPLES], row);
out:
	free(names);
	free(mods);
	return err;
}

int ch_rows__samples(struct ch_rows *r, const struct profile_data *p, uint64_t wall_ns,
		     const char *kind)
{
	for (size_t i = 0; i < p->nstacks; i++)
		if (p->stacks[i].count && sample_row(r, &p->stacks[i], wall_ns, kind))
			return -ENOMEM;
	return 0;
}

int ch_rows__host(struct ch_rows *r, uint64_t wall_ns, const cJSON *addresses, const char *kernel,
		  const char *version)
{
	cJSON *row = cJSON_CreateObject();

	cJSON_AddNumberToObject(row, "ts", (double)(wall_ns / 1000000000ULL));
	cJSON_AddStringToObject(row, "host", r->host);
	cJSON_AddItemToObject(row, "addresses", addresses ? cJSON_Duplicate(addresses, 1) :
			      cJSON_CreateArray());
	cJSON_AddStringToObject(row, "kernel", kernel);
	cJSON_AddStringToObject(row, "version", version);
	return append_row(&r->b[CH_HOSTS], row);
}
