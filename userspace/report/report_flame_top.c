// SPDX-License-Identifier: GPL-2.0
/* What grew and what shrank: self time per function, window against baseline. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"
#include "report/report_flame.h"

struct self {
	const char *name;
	uint64_t win, base;
	double delta;	/* share of the window minus share of the baseline, in % */
};

static int collect(const struct flame *f, struct strmap *names, struct self **v, size_t *n)
{
	*v = calloc(f->nn + 1, sizeof(**v));
	if (!*v)
		return -ENOMEM;
	/* Node 1.. are processes and frames; a frame's self = inclusive - children. */
	for (size_t i = 1; i < f->nn; i++) {
		uint64_t win = f->n[i].count, base = f->n[i].base;
		uint32_t id;

		for (uint32_t c = f->n[i].child; c; c = f->n[c].next) {
			win -= f->n[c].count;
			base -= f->n[c].base;
		}
		if (!win && !base)
			continue;
		id = strmap__id(names, f->n[i].name, NULL);
		if (!id)
			return -ENOMEM;
		(*v)[id - 1].name = f->n[i].name;
		(*v)[id - 1].win += win;
		(*v)[id - 1].base += base;
		if (id > *n)
			*n = id;
	}
	return 0;
}

static int by_delta_desc(const void *a, const void *b)
{
	const struct self *x = a, *y = b;

	return (y->delta > x->delta) - (y->delta < x->delta);
}

static cJSON *row(const struct self *s, const struct flame *f)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "name", s->name);
	cJSON_AddNumberToObject(o, "samples", (double)s->win);
	cJSON_AddNumberToObject(o, "pct", f->total ? 100.0 * s->win / f->total : 0);
	cJSON_AddNumberToObject(o, "baseline_pct", f->base_total ? 100.0 * s->base /
				f->base_total : 0);
	cJSON_AddNumberToObject(o, "delta_pct", s->delta);
	return o;
}

static cJSON *top_json(const struct flame *f, struct self *v, size_t n)
{
	cJSON *o = cJSON_CreateObject(), *grew = cJSON_CreateArray(), *shrank = cJSON_CreateArray();

	for (size_t i = 0; i < n; i++)
		v[i].delta = (f->total ? 100.0 * v[i].win / f->total : 0) -
			     (f->base_total ? 100.0 * v[i].base / f->base_total : 0);
	qsort(v, n, sizeof(*v), by_delta_desc);
	for (size_t i = 0; grew && i < n && i < 8 && v[i].delta > 0.5; i++)
		cJSON_AddItemToArray(grew, row(&v[i], f));
	for (size_t i = n; shrank && i > 0 && n - i < 8 && v[i - 1].delta < -0.5; i--)
		cJSON_AddItemToArray(shrank, row(&v[i - 1], f));
	cJSON_AddNumberToObject(o, "samples", (double)f->total);
	cJSON_AddNumberToObject(o, "baseline_samples", (double)f->base_total);
	cJSON_AddItemToObject(o, "grew", grew);
	cJSON_AddItemToObject(o, "shrank", shrank);
	return o;
}

cJSON *report_profile_json(const struct report_model *m, int64_t start, int64_t end)
{
	struct strmap *names = strmap__new(0);
	struct self *v = NULL;
	struct flame f;
	cJSON *o = NULL;
	size_t n = 0;

	if (names && !flame_build(&f, m, start, end)) {
		if (!collect(&f, names, &v, &n))
			o = top_json(&f, v, n);
		flame_free(&f);
	}
	free(v);
	strmap__free(names);
	return o;
}
