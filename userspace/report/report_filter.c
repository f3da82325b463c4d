// SPDX-License-Identifier: GPL-2.0
/* Which incidents a filtered report shows (report_filter.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/recording.h"
#include "report/report_filter.h"

#define NS_PER_S 1000000000LL
#define DAY_NS (86400 * NS_PER_S)
#define HALF_DAY_NS (DAY_NS / 2)

/* "12", "2.5": whole seconds, then up to 9 digits of fraction; -EINVAL otherwise. */
static int parse_seconds(const char *s, int64_t max_s, int64_t *ns)
{
	int64_t v = 0, frac = 0, scale = NS_PER_S;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > max_s)
			return -EINVAL;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && scale > 1; p++) {
			scale /= 10;
			frac += (*p - '0') * scale;
		}
		if (p[-1] == '.')
			return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	*ns = v * NS_PER_S + frac;
	return 0;
}

static int two_digits(const char *s)
{
	return isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) ?
	       (s[0] - '0') * 10 + s[1] - '0' : -1;
}

/* "HH:MM:SS" with an optional fraction of a second. */
static int parse_clock(const char *s, int64_t *ns)
{
	int h, m;
	int64_t sec;

	if (strlen(s) < 8 || s[2] != ':' || s[5] != ':' || (s[8] && s[8] != '.'))
		return -EINVAL;
	h = two_digits(s);
	m = two_digits(s + 3);
	if (h < 0 || h > 23 || m < 0 || m > 59 || two_digits(s + 6) < 0 ||
	    parse_seconds(s + 6, 59, &sec))
		return -EINVAL;
	*ns = (h * 3600LL + m * 60) * NS_PER_S + sec;
	return 0;
}

int report_time_parse(const char *s, struct report_time *t)
{
	t->kind = REPORT_TIME_NONE;
	if (!parse_seconds(s, 100LL * 365 * 86400, &t->ns))
		t->kind = REPORT_TIME_OFFSET;
	else if (!parse_clock(s, &t->ns))
		t->kind = REPORT_TIME_CLOCK;
	else if (strchr(s, 'T') && !rec_time_parse(s, &t->ns))
		t->kind = REPORT_TIME_ABSOLUTE;
	return t->kind == REPORT_TIME_NONE ? -EINVAL : 0;
}

int64_t report_time_resolve(const struct report_time *t, int64_t start_ns)
{
	int64_t from, day;

	switch (t->kind) {
	case REPORT_TIME_OFFSET:
		return start_ns + t->ns;
	case REPORT_TIME_CLOCK:
		from = start_ns - HALF_DAY_NS;
		day = from - (from % DAY_NS + DAY_NS) % DAY_NS;
		return day + t->ns >= from ? day + t->ns : day + DAY_NS + t->ns;
	case REPORT_TIME_ABSOLUTE:
		return t->ns;
	default:
		return 0;
	}
}

bool report_filter_active(const struct report_filter *f)
{
	return f->npids || f->ncomms || f->nids || f->since.kind || f->until.kind;
}

static bool has_pid(const struct report_filter *f, uint32_t pid)
{
	for (int i = 0; i < f->npids; i++)
		if (f->pids[i] == pid)
			return true;
	return false;
}

static bool has_comm(const struct report_filter *f, const struct strmap *strs, uint32_t comm)
{
	const char *s = strmap__id_str(strs, comm);

	for (int i = 0; s && i < f->ncomms; i++)
		if (!strcmp(f->comms[i], s))
			return true;
	return false;
}

/* Any of the incident's processes, or of its events' (a thread's comm may differ). */
static bool who_matches(const struct report_filter *f, const struct report_model *m,
			const struct cl_result *res, const struct cl_incident *inc)
{
	bool pid = !f->npids, comm = !f->ncomms;

	for (size_t k = 0; k < inc->nprocs && !(pid && comm); k++) {
		const struct cl_process *p = &res->procs[inc->procs[k]];

		pid = pid || has_pid(f, p->pid);
		comm = comm || has_comm(f, m->strs, p->comm);
	}
	for (size_t k = 0; k < inc->nevents && !(pid && comm); k++) {
		const struct cl_event *e = &m->events[inc->events[k]];

		pid = pid || has_pid(f, e->pid);
		comm = comm || has_comm(f, m->strs, e->comm);
	}
	return pid && comm;
}

static bool selected(const struct report_filter *f, const struct report_model *m,
		     const struct cl_result *res, const struct cl_incident *inc)
{
	bool id = !f->nids;

	for (int i = 0; i < f->nids; i++)
		id = id || f->ids[i] == inc->id;
	if (!id)
		return false;
	if (f->since.kind && inc->end_ns < report_time_resolve(&f->since, m->start_ns))
		return false;
	if (f->until.kind && inc->start_ns > report_time_resolve(&f->until, m->start_ns))
		return false;
	return who_matches(f, m, res, inc);
}

size_t report_filter_apply(const struct report_filter *f, const struct report_model *m,
			   struct cl_result *res)
{
	size_t n = 0;

	for (size_t k = 0; k < res->nincidents; k++) {
		struct cl_incident *inc = &res->incidents[k];

		if (!selected(f, m, res, inc)) {
			free(inc->events);
			free(inc->procs);
			continue;
		}
		res->incidents[n++] = *inc;
	}
	res->nincidents = n;
	return n;
}

static void add_time(cJSON *o, const char *name, const struct report_time *t,
		     const struct report_model *m)
{
	char buf[40];

	if (!t->kind)
		return;
	rec_time_format(report_time_resolve(t, m->start_ns), buf, sizeof(buf));
	cJSON_AddStringToObject(o, name, buf);
}

cJSON *report_filter_json(const struct report_filter *f, const struct report_model *m,
			  size_t total)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *pids = cJSON_AddArrayToObject(o, "pid");
	cJSON *comms = cJSON_AddArrayToObject(o, "comm");
	cJSON *ids = cJSON_AddArrayToObject(o, "incident");

	if (!pids || !comms || !ids) {
		cJSON_Delete(o);
		return NULL;
	}
	for (int i = 0; i < f->npids; i++)
		cJSON_AddItemToArray(pids, cJSON_CreateNumber(f->pids[i]));
	for (int i = 0; i < f->ncomms; i++)
		cJSON_AddItemToArray(comms, cJSON_CreateString(f->comms[i]));
	for (int i = 0; i < f->nids; i++)
		cJSON_AddItemToArray(ids, cJSON_CreateNumber(f->ids[i]));
	add_time(o, "since", &f->since, m);
	add_time(o, "until", &f->until, m);
	cJSON_AddNumberToObject(o, "incidents_total", (double)total);
	return o;
}

static void append(char *buf, size_t len, size_t *o, const char *what, const char *val)
{
	if (*o < len)
		*o += snprintf(buf + *o, len - *o, "%s%s %s", *o ? ", " : "", what, val);
}

static void append_list(char *buf, size_t len, size_t *o, const char *what, const cJSON *arr)
{
	const cJSON *v;
	char num[24];

	cJSON_ArrayForEach(v, arr) {
		if (cJSON_IsString(v)) {
			append(buf, len, o, what, v->valuestring);
		} else {
			snprintf(num, sizeof(num), "%.0f", cJSON_GetNumberValue(v));
			append(buf, len, o, what, num);
		}
	}
}

void report_filter_describe(const cJSON *filter, size_t shown, char *buf, size_t len)
{
	static const char *const keys[] = { "pid", "comm", "incident" };
	const char *t;
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		append_list(buf, len, &o, keys[i],
			    cJSON_GetObjectItemCaseSensitive(filter, keys[i]));
	if ((t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(filter, "since"))))
		append(buf, len, &o, "since", t);
	if ((t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(filter, "until"))))
		append(buf, len, &o, "until", t);
	if (o < len)
		snprintf(buf + o, len - o, ": %zu of %.0f incidents", shown,
			 cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(filter,
									       "incidents_total")));
}
