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

int report_entries(const struct report_model *m, const struct cl_result *res,
		   const struct cl_incident *inc, struct report_entry **out, size_t *n,
		   size_t *omitted)
{
	struct report_entry *e = malloc((inc->nevents ? inc->nevents : 1) * sizeof(*e));
	size_t k = 0;

	*n = 0;
	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < inc->nevents; i++) {
		uint32_t ev = inc->events[i];
		size_t j = join_run(m, res, inc, e, k, ev);

		if (j < k) {
			e[j].last = ev;
			e[j].count++;
			continue;
		}
		e[k++] = (struct report_entry){ ev, ev, 1 };
	}
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
