// SPDX-License-Identifier: GPL-2.0
/*
 * Off-CPU time of a latency incident: the recording's offcpu buckets of the
 * slow processes in the incident's window, as the stacks they blocked in,
 * with the task state, the wait named from the kernel frames, and the thread
 * that woke them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "record/recording.h"
#include "report/report.h"
#include "report/report_flame.h"
#include "report/report_model.h"
#include "watch/wait_reason.h"
#include "watch/watch_pipeline.h"

#define DAY_NS (86400ULL * 1000000000)
#define TOP_STACKS 5
#define SHOWN_FRAMES 8

static const char *jstr(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static const char *or_unknown(const char *s)
{
	return s && *s ? s : "[unknown]";
}

static int add_osample(struct report_model *m, const cJSON *s)
{
	const cJSON *id = cJSON_GetArrayItem(s, 0), *us = cJSON_GetArrayItem(s, 1);

	if (!cJSON_IsNumber(id) || !cJSON_IsNumber(us) || id->valuedouble < 1 ||
	    id->valuedouble > REC_MAX_STACK_ID)
		return 0;
	if (VEC_RESERVE(m->osamples, m->osamples_cap, m->nosamples + 1))
		return -ENOMEM;
	/* A sample is one thread's time in one bucket: more than a day is damage, clamped. */
	m->osamples[m->nosamples++] = (struct report_osample){
		.pstack = rec_json_uint(id, REC_MAX_STACK_ID),
		.us = rec_json_uint(us, DAY_NS / 1000),
		.waits = rec_json_uint(cJSON_GetArrayItem(s, 2), UINT32_MAX),
	};
	return 0;
}

int report_model_add_offcpu(struct report_model *m, const cJSON *rec)
{
	const char *state = jstr(rec, "state");
	struct report_obucket *b;
	const cJSON *s;
	int64_t t;

	if (rec_time_parse(jstr(rec, "time"), &t) || !state ||
	    (strcmp(state, "S") && strcmp(state, "D")))
		return 0;
	if (VEC_RESERVE(m->obuckets, m->obuckets_cap, m->nobuckets + 1))
		return -ENOMEM;
	b = &m->obuckets[m->nobuckets++];
	b->start_ns = t;
	b->duration_ns = rec_json_uint(cJSON_GetObjectItemCaseSensitive(rec, "duration_ns"),
				       DAY_NS);
	b->state = state[0];
	b->first = m->nosamples;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(rec, "samples"))
		if (add_osample(m, s))
			return -ENOMEM;
	b->n = m->nosamples - b->first;
	return 0;
}

/* @pids are thread ids: the slow threads, not their idle siblings. */
static bool pid_wanted(const struct report_model *m, uint32_t id, const uint32_t *pids, size_t n)
{
	const cJSON *def = rec_reader__pstack(m->reader, id);
	uint32_t pid = rec_json_uint(cJSON_GetObjectItemCaseSensitive(def, "tid"), UINT32_MAX);

	if (!def)
		return false;
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return !n;
}

static int by_time(const void *a, const void *b)
{
	const struct report_offcpu_stack *x = a, *y = b;

	return x->us < y->us ? 1 : x->us > y->us ? -1 : (int)x->pstack - (int)y->pstack;
}

/* Sums per (pstack, state) in @acc[2 * id + (state == 'D')]. */
static void window_sum(const struct report_model *m, int64_t start, int64_t end,
		       const uint32_t *pids, size_t npids, struct report_offcpu_stack *acc,
		       uint32_t nids)
{
	for (size_t k = 0; k < m->nobuckets; k++) {
		const struct report_obucket *b = &m->obuckets[k];

		if (b->start_ns >= end || b->start_ns + (int64_t)b->duration_ns <= start)
			continue;
		for (size_t i = b->first; i < b->first + b->n; i++) {
			const struct report_osample *s = &m->osamples[i];
			struct report_offcpu_stack *a;

			if (s->pstack >= nids || !pid_wanted(m, s->pstack, pids, npids))
				continue;
			a = &acc[2 * s->pstack + (b->state == 'D')];
			a->pstack = s->pstack;
			a->state = b->state;
			a->us += s->us;
			a->waits += s->waits;
		}
	}
}

int report_offcpu_window(const struct report_model *m, int64_t start, int64_t end,
			 const uint32_t *pids, size_t npids, struct report_offcpu_stack **out,
			 size_t *n)
{
	uint32_t nids = rec_reader__pstack_count(m->reader) + 1;
	struct report_offcpu_stack *acc = calloc(2 * (size_t)nids, sizeof(*acc));
	size_t k = 0;

	*out = NULL;
	*n = 0;
	if (!acc)
		return -ENOMEM;
	window_sum(m, start, end, pids, npids, acc, nids);
	for (size_t i = 0; i < 2 * (size_t)nids; i++)
		if (acc[i].us)
			acc[k++] = acc[i];
	qsort(acc, k, sizeof(*acc), by_time);
	*out = acc;
	*n = k;
	return 0;
}

/* C library and loader frames: what every blocking call passes through, so not the "where". */
static bool runtime_module(const char *module)
{
	const char *b = module ? strrchr(module, '/') : NULL;

	b = b ? b + 1 : module;
	return !b || !strncmp(b, "libc.so", 7) || !strncmp(b, "libc-", 5) ||
	       !strncmp(b, "libpthread", 10) || !strncmp(b, "ld-linux", 8);
}

/* The blocked part [0, sep) and the waker's (sep, n - 1): see profile_collect's add_waker(). */
static int separator(const cJSON *frames)
{
	int i = 0;
	const cJSON *f;

	cJSON_ArrayForEach(f, frames) {
		if (jstr(f, "name") && !strcmp(jstr(f, "name"), "--"))
			return i;
		i++;
	}
	return -1;
}

static bool is_kind(const cJSON *f, const char *kind)
{
	return jstr(f, "kind") && !strcmp(jstr(f, "kind"), kind);
}

/*
 * Frames [lo, hi) of @frames into @arr, leaf first (@leaf_last: the range
 * is stored root first). Returns the leaf-most user frame outside the C
 * library, else the leaf-most user frame, else NULL.
 */
static const char *frames_json(const cJSON *frames, int lo, int hi, bool leaf_last, cJSON *arr,
			       const char **kernel, int *nkernel)
{
	const char *where = NULL, *any = NULL;

	for (int k = 0; k < hi - lo; k++) {
		const cJSON *f = cJSON_GetArrayItem(frames, leaf_last ? hi - 1 - k : lo + k);
		const char *name = jstr(f, "name") ? jstr(f, "name") : "[unknown]";

		if (is_kind(f, "kernel") && watch_tracing_symbol(name))
			continue;
		if (kernel && is_kind(f, "kernel") && *nkernel < 64)
			kernel[(*nkernel)++] = name;
		if (is_kind(f, "user")) {
			any = any ? any : name;
			if (!where && !runtime_module(jstr(f, "module")))
				where = name;
		}
		if (cJSON_GetArraySize(arr) < SHOWN_FRAMES * 4)
			cJSON_AddItemToArray(arr, cJSON_CreateString(name));
	}
	return where ? where : any;
}

static void add_waker(cJSON *o, const cJSON *frames, int sep)
{
	int n = cJSON_GetArraySize(frames);
	cJSON *w, *arr;
	const char *where;

	if (sep < 0 || n < sep + 2) {
		cJSON_AddNullToObject(o, "waker");
		return;
	}
	w = cJSON_AddObjectToObject(o, "waker");
	arr = w ? cJSON_AddArrayToObject(w, "stack") : NULL;
	if (!arr)
		return;
	cJSON_AddStringToObject(w, "comm", or_unknown(jstr(cJSON_GetArrayItem(frames, n - 1),
							   "name")));
	where = frames_json(frames, sep + 1, n - 1, false, arr, NULL, NULL);
	if (where)
		cJSON_AddStringToObject(w, "where", where);
	else
		cJSON_AddNullToObject(w, "where");
}

static void waker_text(const cJSON *top, char *buf, size_t len);

static double pstack_id(const cJSON *def, const char *name)
{
	return (double)rec_json_uint(cJSON_GetObjectItemCaseSensitive(def, name), UINT32_MAX);
}

/* The first kernel frame that is not the scheduler: the wait itself. */
static const char *wait_frame(const char *const *kernel, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(kernel[i], "__schedule") && strcmp(kernel[i], "schedule") &&
		    strncmp(kernel[i], "schedule_", 9))
			return kernel[i];
	return NULL;
}

static void add_summary(cJSON *o, const char *where, const char *wait)
{
	char waker[160], buf[400];

	waker_text(o, waker, sizeof(waker));
	snprintf(buf, sizeof(buf), "blocked in %s%s%s%s <- woken by %s", or_unknown(where),
		 wait ? " (" : "", wait ? wait : "", wait ? ")" : "", waker);
	cJSON_AddStringToObject(o, "summary", buf);
}

/* One blocking stack: "blocked in X <- woken by Y", with its time, state and wait. */
static cJSON *stack_json(const struct report_model *m, const struct report_offcpu_stack *s)
{
	const cJSON *def = rec_reader__pstack(m->reader, s->pstack);
	const cJSON *frames = cJSON_GetObjectItemCaseSensitive(def, "frames");
	int sep = separator(frames), n = cJSON_GetArraySize(frames), nk = 0;
	const char *kernel[64], *where;
	char state[2] = { s->state, 0 };
	cJSON *o = cJSON_CreateObject(), *arr;

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "ms", s->us / 1000.0);
	cJSON_AddNumberToObject(o, "waits", (double)s->waits);
	cJSON_AddStringToObject(o, "state", state);
	cJSON_AddNumberToObject(o, "pid", pstack_id(def, "pid"));
	cJSON_AddNumberToObject(o, "tid", pstack_id(def, "tid"));
	cJSON_AddStringToObject(o, "comm", or_unknown(jstr(def, "comm")));
	arr = cJSON_AddArrayToObject(o, "stack");
	if (!arr)
		return o;
	where = frames_json(frames, 0, sep >= 0 ? sep : n, true, arr, kernel, &nk);
	cJSON_AddStringToObject(o, "reason", wait_reason_name(wait_reason_classify(kernel, nk)));
	if (where)
		cJSON_AddStringToObject(o, "where", where);
	else
		cJSON_AddNullToObject(o, "where");
	add_waker(o, frames, sep);
	add_summary(o, where, wait_frame(kernel, nk));
	return o;
}

cJSON *report_offcpu_json(const struct report_model *m, int64_t start, int64_t end,
			  const uint32_t *pids, size_t npids)
{
	struct report_offcpu_stack *st;
	cJSON *o, *arr, *p;
	uint64_t total = 0;
	char t[40];
	size_t n;

	if (!m->nobuckets || report_offcpu_window(m, start, end, pids, npids, &st, &n))
		return NULL;
	o = cJSON_CreateObject();
	arr = cJSON_CreateArray();
	p = cJSON_CreateArray();
	for (size_t i = 0; o && arr && i < n && i < TOP_STACKS; i++)
		cJSON_AddItemToArray(arr, stack_json(m, &st[i]));
	for (size_t i = 0; i < n; i++)
		total += st[i].us;
	for (size_t i = 0; p && i < npids; i++)
		cJSON_AddItemToArray(p, cJSON_CreateNumber(pids[i]));
	free(st);
	if (!o || !arr || !p) {
		cJSON_Delete(o);
		cJSON_Delete(arr);
		cJSON_Delete(p);
		return NULL;
	}
	rec_time_format(start, t, sizeof(t));
	cJSON_AddStringToObject(o, "window_start", t);
	rec_time_format(end, t, sizeof(t));
	cJSON_AddStringToObject(o, "window_end", t);
	cJSON_AddItemToObject(o, "tids", p);
	cJSON_AddNumberToObject(o, "total_ms", total / 1000.0);
	cJSON_AddNumberToObject(o, "stacks_total", (double)n);
	cJSON_AddItemToObject(o, "top", arr);
	return o;
}

/*
 * A latency incident's scope: the threads of its slow syscalls, from the
 * start of the longest one (its time is its exit) to a second after the end.
 */
cJSON *report_incident_offcpu(const struct report_model *m, const struct cl_incident *inc)
{
	uint32_t pids[16];
	uint64_t longest_us = 0;
	size_t npids = 0;

	for (size_t i = 0; i < inc->nevents; i++) {
		const struct cl_event *e = &m->events[inc->events[i]];
		size_t k = 0;

		if (e->type != CL_SLOW_SYSCALL)
			continue;
		if (e->value > longest_us)
			longest_us = e->value;
		while (k < npids && pids[k] != e->tid)
			k++;
		if (k == npids && npids < sizeof(pids) / sizeof(pids[0]))
			pids[npids++] = e->tid;
	}
	if (!npids)
		return NULL;
	return report_offcpu_json(m, inc->start_ns - (int64_t)longest_us * 1000 - FLAME_MARGIN_NS,
				  inc->end_ns + FLAME_MARGIN_NS, pids, npids);
}

static void line(cJSON *arr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void line(cJSON *arr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_add_vline(arr, fmt, ap);
	va_end(ap);
}

static double jnum(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* The wait the root event names, else the one the top off-CPU stack does. */
static enum wait_reason latency_reason(const struct report_facts *f, const cJSON **top)
{
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(f->root, "wait");
	enum wait_reason r = wait_reason_from_name(jstr(w, "reason"));

	*top = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f->off_cpu, "top"), 0);
	if (r == WAIT_UNKNOWN && *top)
		r = wait_reason_from_name(jstr(*top, "reason"));
	return r;
}

/* "slow_waits (holder thread) in hold_the_lock" or "an interrupt (a timer, a device)". */
static void waker_text(const cJSON *top, char *buf, size_t len)
{
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(top, "waker");
	const char *comm = jstr(w, "comm"), *where = jstr(w, "where");

	if (!comm)
		snprintf(buf, len, "an unrecorded waker");
	else if (!strcmp(comm, "[interrupt]"))
		snprintf(buf, len, "an interrupt (a timer or a device)");
	else
		snprintf(buf, len, "%s%s%s", comm, where ? " in " : "", where ? where : "");
}

void report_latency_evidence(cJSON *arr, const struct report_facts *f)
{
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(f->root, "wait"), *top;
	char waker[160];

	latency_reason(f, &top);
	if (jnum(w, "waits") > 0)
		line(arr, "it slept %.0f ms of that, %s (state %s)", jnum(w, "off_cpu_ns") / 1e6,
		     wait_reason_phrase(wait_reason_from_name(jstr(w, "reason"))),
		     jstr(w, "state") ? jstr(w, "state") : "unknown");
	else if (w)
		line(arr, "it never slept: it ran, or waited for a CPU, the whole time");
	if (!top)
		return;
	waker_text(top, waker, sizeof(waker));
	line(arr, "off-CPU in the window: blocked %.0f ms in %s (%s, state %s, %.0f waits) "
	     "<- woken by %s", jnum(top, "ms"), or_unknown(jstr(top, "where")),
	     or_unknown(jstr(top, "reason")), or_unknown(jstr(top, "state")), jnum(top, "waits"),
	     waker);
}

void report_latency_steps(cJSON *arr, const struct report_facts *f, const char *sc)
{
	const cJSON *top, *w;
	enum wait_reason r = latency_reason(f, &top);
	const char *comm;
	char waker[160];

	w = cJSON_GetObjectItemCaseSensitive(top, "waker");
	comm = jstr(w, "comm");
	waker_text(top, waker, sizeof(waker));
	switch (r) {
	case WAIT_FUTEX:
		if (comm && strcmp(comm, "[interrupt]"))
			line(arr, "%s() waited for a lock (futex): the thread that released it "
			     "(its holder, for a mutex) woke it from %s; shorten what that thread "
			     "does while holding it", sc, waker);
		else if (comm)
			line(arr, "%s() waited on a futex until a timer ended the wait: a timed "
			     "wait (a lock or condition) that no thread released in time", sc);
		else
			line(arr, "%s() waited for a lock (futex): find which thread holds it (no "
			     "waker was recorded for this wait)", sc);
		break;
	case WAIT_PIPE: case WAIT_TCP: case WAIT_UDP: case WAIT_UNIX: case WAIT_SOCKET:
		line(arr, "%s() waited %s for its peer, which answered from %s: find why that "
		     "process was slow to write", sc, wait_reason_phrase(r) + strlen("waiting "),
		     waker);
		break;
	case WAIT_DISK:
		line(arr, "%s() waited for disk I/O: check the device's latency and queue (iostat) "
		     "and what else writes to it in this window", sc);
		break;
	case WAIT_PAGE_FAULT:
		line(arr, "%s() waited in a page fault: check for memory pressure (swap, reclaim) "
		     "or a mapped file on slow storage", sc);
		break;
	default:
		return;
	}
}
