// SPDX-License-Identifier: GPL-2.0
/* Loading a recording for the report: one pass, compact, bounded memory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "record/recording.h"
#include "report/report_model.h"

#define DAY_NS (86400ULL * 1000000000)

static const char *str(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static void widen(struct report_model *m, int64_t t)
{
	if (!t)
		return;
	if (!m->start_ns || t < m->start_ns)
		m->start_ns = t;
	if (t > m->end_ns)
		m->end_ns = t;
}

static int add_loss(struct report_model *m, const cJSON *rec)
{
	struct report_loss *l;
	int64_t t = 0;

	if (VEC_RESERVE(m->losses, m->losses_cap, m->nlosses + 1))
		return -ENOMEM;
	l = &m->losses[m->nlosses++];
	rec_time_parse(str(rec, "time"), &t);
	l->time_ns = t ? t : m->end_ns;
	l->count = rec_json_uint(cJSON_GetObjectItemCaseSensitive(rec, "count"), UINT32_MAX);
	l->source = strmap__id(m->strs, str(rec, "source") ? str(rec, "source") : "?", NULL);
	l->reason = strmap__id(m->strs, str(rec, "reason") ? str(rec, "reason") : "?", NULL);
	return 0;
}

static int add_sample(struct report_model *m, const cJSON *pair)
{
	const cJSON *id = cJSON_GetArrayItem(pair, 0), *count = cJSON_GetArrayItem(pair, 1);

	if (!cJSON_IsNumber(id) || !cJSON_IsNumber(count) || id->valuedouble < 1 ||
	    id->valuedouble > REC_MAX_STACK_ID)
		return 0;
	if (VEC_RESERVE(m->samples, m->samples_cap, m->nsamples + 1))
		return -ENOMEM;
	m->samples[m->nsamples++] = (struct report_sample){
		rec_json_uint(id, REC_MAX_STACK_ID), rec_json_uint(count, UINT32_MAX) };
	return 0;
}

static int add_bucket(struct report_model *m, const cJSON *rec)
{
	struct report_bucket *b;
	const cJSON *pair;
	int64_t t;

	if (rec_time_parse(str(rec, "time"), &t))
		return 0;
	if (VEC_RESERVE(m->buckets, m->buckets_cap, m->nbuckets + 1))
		return -ENOMEM;
	b = &m->buckets[m->nbuckets++];
	b->start_ns = t;
	/* A bucket longer than a day, or a sample of more than a second, is damage. */
	b->duration_ns = rec_json_uint(cJSON_GetObjectItemCaseSensitive(rec, "duration_ns"),
				       DAY_NS);
	b->lost = rec_json_uint(cJSON_GetObjectItemCaseSensitive(rec, "lost"), UINT32_MAX);
	if (!m->period_ns)
		m->period_ns = rec_json_uint(cJSON_GetObjectItemCaseSensitive(rec, "period_ns"),
					     1000000000);
	b->first = m->nsamples;
	cJSON_ArrayForEach(pair, cJSON_GetObjectItemCaseSensitive(rec, "samples"))
		if (add_sample(m, pair))
			return -ENOMEM;
	b->n = m->nsamples - b->first;
	widen(m, t);
	widen(m, t + (int64_t)b->duration_ns);
	return 0;
}

static int take_record(struct report_model *m, const struct rec_record *r)
{
	int64_t t;

	switch (r->kind) {
	case REC_EVENT:
		if (report_model_add_event(m, r->json, r->offset))
			return -ENOMEM;
		if (m->nevents)
			widen(m, m->events[m->nevents - 1].time_ns);
		return 0;
	case REC_PROCESS:
		return report_model_add_process(m, r->json);
	case REC_LOSS:
		return add_loss(m, r->json);
	case REC_PROFILE:
		return add_bucket(m, r->json);
	case REC_OFFCPU:
		return report_model_add_offcpu(m, r->json);
	case REC_TRAILER:
		if (!rec_time_parse(str(r->json, "end"), &t))
			widen(m, t);
		return 0;
	default:
		return 0;
	}
}

static int read_header(struct report_model *m)
{
	const cJSON *h = rec_reader__header(m->reader), *a;
	int64_t t;
	int n = 0;

	if (!rec_time_parse(str(h, "start"), &t))
		widen(m, t);
	a = cJSON_GetObjectItemCaseSensitive(h, "addresses");
	m->local_addrs = calloc(cJSON_GetArraySize(a) + 1, sizeof(char *));
	if (!m->local_addrs)
		return -ENOMEM;
	cJSON_ArrayForEach(h, a)
		if (cJSON_IsString(h) && (m->local_addrs[n] = strdup(h->valuestring)))
			n++;
	m->nlocal = n;
	return 0;
}

int report_model_load(struct report_model *m, const char *path, char *why, size_t len)
{
	struct rec_record r;
	int rc;

	memset(m, 0, sizeof(*m));
	m->path = strdup(path);
	m->strs = strmap__new(0);
	if (!m->path || !m->strs) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	m->reader = rec_reader__open(path, why, len);
	if (!m->reader)
		return -errno;
	if (read_header(m))
		goto nomem;
	while ((rc = rec_reader__next(m->reader, &r)) > 0)
		if (take_record(m, &r))
			goto nomem;
	m->status = *rec_reader__status(m->reader);
	report_model_merge_processes(m);
	return 0;
nomem:
	snprintf(why, len, "out of memory while reading the recording");
	return -ENOMEM;
}

void report_model_free(struct report_model *m)
{
	rec_reader__free(m->reader);
	strmap__free(m->strs);
	for (int i = 0; i < m->nlocal; i++)
		free(m->local_addrs[i]);
	free(m->local_addrs);
	free(m->events);
	free(m->procs);
	free(m->losses);
	free(m->buckets);
	free(m->samples);
	free(m->memsums);
	free(m->obuckets);
	free(m->osamples);
	free(m->stack_where);
	free(m->path);
	memset(m, 0, sizeof(*m));
}

/* Second pass: only the lines the report shows are parsed again. */
int report_model_fetch(const struct report_model *m, const uint64_t *offsets, size_t n,
		       cJSON **out)
{
	struct rec_reader *r;
	struct rec_record rec;
	char why[200];

	memset(out, 0, n * sizeof(*out));
	r = rec_reader__open(m->path, why, sizeof(why));
	if (!r)
		return -errno;
	for (size_t k = 0; k < n; k++) {
		if (k && offsets[k] == offsets[k - 1]) {
			out[k] = out[k - 1] ? cJSON_Duplicate(out[k - 1], 1) : NULL;
			continue;
		}
		if (rec_reader__read_at(r, offsets[k], &rec) <= 0)
			break;
		out[k] = cJSON_Duplicate(rec.json, 1);
		/* Stack ids are file-wide: the first pass's definitions serve. */
		if (out[k])
			rec_reader__expand(m->reader, out[k]);
	}
	rec_reader__free(r);
	return 0;
}
