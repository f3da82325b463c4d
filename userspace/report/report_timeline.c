// SPDX-License-Identifier: GPL-2.0
/* An incident's timeline: runs of alike events, elided in the middle. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

#define LOOKBACK 8	/* entries back a run may continue */

/* Refusals are alike whoever the client; everything else per process. */
static bool alike(const struct cl_result *res, const struct report_model *m, uint32_t a,
		  uint32_t b)
{
	const struct cl_event *x = &m->events[a], *y = &m->events[b];

	if (x->type != y->type || x->syscall != y->syscall || x->err != y->err ||
	    x->signo != y->signo || x->port != y->port)
		return false;
	if (x->type == CL_CONN_REFUSED || x->type == CL_CONN_ERROR)
		return x->endpoint == y->endpoint;
	return res->event_proc[a] == res->event_proc[b] && x->where == y->where;
}

/*
 * The recent entry @ev continues, if any: interleaved streams (an EMFILE
 * storm and the refusals it causes) collapse into one entry each. The root
 * cause always keeps an entry of its own.
 */
static size_t join_run(const struct report_model *m, const struct cl_result *res,
		       const struct cl_incident *inc, const struct report_entry *e, size_t k,
		       uint32_t ev)
{
	if (ev == inc->root)
		return k;
	for (size_t j = k; j > 0 && k - j < LOOKBACK; j--)
		if (e[j - 1].first != inc->root && alike(res, m, e[j - 1].last, ev))
			return j - 1;
	return k;
}

static void elide(struct report_entry *e, size_t *n, size_t *omitted)
{
	size_t head = REPORT_MAX_ENTRIES * 2 / 3, tail = REPORT_MAX_ENTRIES - head;

	*omitted = 0;
	if (*n <= REPORT_MAX_ENTRIES)
		return;
	for (size_t k = head; k < *n - tail; k++)
		*omitted += e[k].count;
	memmove(e + head, e + *n - tail, tail * sizeof(*e));
	*n = REPORT_MAX_ENTRIES;
}

struct run_value {
	size_t entry;
	uint64_t v;
};

static int cmp_run_value(const void *a, const void *b)
{
	const struct run_value *x = a, *y = b;

	if (x->entry != y->entry)
		return x->entry < y->entry ? -1 : 1;
	return (x->v > y->v) - (x->v < y->v);
}

/* Each run's median value, from its events' values sorted by run. */
static void set_medians(struct report_entry *e, struct run_value *rv, size_t nrv)
{
	qsort(rv, nrv, sizeof(*rv), cmp_run_value);
	for (size_t i = 0; i < nrv;) {
		size_t j = i;

		while (j < nrv && rv[j].entry == rv[i].entry)
			j++;
		e[rv[i].entry].vp50 = rv[i + (j - i - 1) / 2].v;
		i = j;
	}
}

static void run_add(struct report_entry *e, uint32_t ev, uint64_t v)
{
	e->last = ev;
	e->count++;
	e->vsum += v;
	e->vmin = v < e->vmin ? v : e->vmin;
	e->vmax = v > e->vmax ? v : e->vmax;
}

int report_entries(const struct report_model *m, const struct cl_result *res,
		   const struct cl_incident *inc, struct report_entry **out, size_t *n,
		   size_t *omitted)
{
	size_t k = 0, cnt = inc->nevents ? inc->nevents : 1;
	struct report_entry *e = malloc(cnt * sizeof(*e));
	struct run_value *rv = malloc(cnt * sizeof(*rv));

	*n = 0;
	if (!e || !rv) {
		free(e);
		free(rv);
		return -ENOMEM;
	}
	for (size_t i = 0; i < inc->nevents; i++) {
		uint32_t ev = inc->events[i];
		uint64_t v = m->events[ev].value;
		size_t j = join_run(m, res, inc, e, k, ev);

		if (j == k)
			e[k++] = (struct report_entry){ ev, ev, 0, UINT64_MAX, 0, 0, 0 };
		run_add(&e[j], ev, v);
		rv[i] = (struct run_value){ j, v };
	}
	set_medians(e, rv, inc->nevents);
	free(rv);
	*n = k;
	elide(e, n, omitted);
	*out = e;
	return 0;
}

void report_fmt_count(uint64_t v, char *buf, size_t len)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v), o = 0;

	for (int i = 0; i < n && o + 2 < (int)len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
}

void report_fmt_rel(int64_t t, int64_t base, char *buf, size_t len)
{
	int64_t d = t - base;

	snprintf(buf, len, "%s%lld.%03llds", d < 0 ? "-" : "+", (long long)(llabs(d) / 1000000000),
		 (long long)(llabs(d) % 1000000000 / 1000000));
}
