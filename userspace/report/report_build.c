// SPDX-License-Identifier: GPL-2.0
/* The report document: recording facts, then one object per incident. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/recording.h"
#include "report/report.h"
#include "report/report_flame.h"

#define LOSS_MARGIN_NS (5 * 1000000000LL)

struct fetched {
	uint64_t *offsets;	/* sorted, unique */
	cJSON **objs;
	size_t n;
};

static void add_time(cJSON *o, const char *name, int64_t ns)
{
	char buf[40];

	rec_time_format(ns, buf, sizeof(buf));
	cJSON_AddStringToObject(o, name, buf);
}

static const char *hstr(const cJSON *h, const char *name)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, name));

	return s ? s : "";
}

static cJSON *recording_json(const struct report_model *m)
{
	const cJSON *h = rec_reader__header(m->reader);
	const struct rec_status *st = &m->status;
	cJSON *r = cJSON_CreateObject();

	if (!r)
		return NULL;
	cJSON_AddStringToObject(r, "path", m->path);
	cJSON_AddStringToObject(r, "host", hstr(h, "host"));
	cJSON_AddStringToObject(r, "kernel", hstr(h, "kernel"));
	cJSON_AddStringToObject(r, "faultline_version", hstr(h, "faultline_version"));
	cJSON_AddStringToObject(r, "command", hstr(h, "command"));
	add_time(r, "start", m->start_ns);
	add_time(r, "end", m->end_ns);
	cJSON_AddNumberToObject(r, "duration_s", (m->end_ns - m->start_ns) / 1e9);
	cJSON_AddBoolToObject(r, "complete", st->complete);
	cJSON_AddBoolToObject(r, "truncated", st->truncated);
	cJSON_AddBoolToObject(r, "corrupt", st->corrupt);
	if (st->why[0])
		cJSON_AddStringToObject(r, "problem", st->why);
	cJSON_AddNumberToObject(r, "events", (double)m->nevents);
	cJSON_AddNumberToObject(r, "unreadable_lines", (double)(st->bad_lines + m->bad_events));
	cJSON_AddNumberToObject(r, "profile_buckets", (double)m->nbuckets);
	return r;
}

static cJSON *loss_json(const struct report_model *m, const struct report_loss *l)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "type", "loss");
	add_time(o, "time", l->time_ns);
	cJSON_AddStringToObject(o, "source", strmap__id_str(m->strs, l->source));
	cJSON_AddStringToObject(o, "reason", strmap__id_str(m->strs, l->reason));
	cJSON_AddNumberToObject(o, "count", (double)l->count);
	return o;
}

static cJSON *losses_json(const struct report_model *m)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; arr && i < m->nlosses; i++)
		cJSON_AddItemToArray(arr, loss_json(m, &m->losses[i]));
	return arr;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static const cJSON *fetched_get(const struct fetched *f, uint64_t off)
{
	const uint64_t *p = bsearch(&off, f->offsets, f->n, sizeof(off), cmp_u64);

	return p ? f->objs[p - f->offsets] : NULL;
}

struct inc_work {
	struct report_entry *e;
	size_t n, omitted;
	uint32_t leak_ev;	/* the latest fd event: its leak sites are the freshest */
};

static uint32_t latest_fd_event(const struct report_model *m, const struct cl_incident *inc)
{
	uint32_t best = inc->root;

	for (size_t k = 0; k < inc->nevents; k++) {
		uint16_t t = m->events[inc->events[k]].type;

		if (t == CL_FD_EXHAUSTED || t == CL_FD_PRESSURE)
			best = inc->events[k];
	}
	return best;
}

static int plan_incidents(struct report_model *m, const struct cl_result *res,
			  struct inc_work *w, struct fetched *f)
{
	size_t cap = 0, n = 0;

	for (size_t k = 0; k < res->nincidents; k++) {
		if (report_entries(m, res, &res->incidents[k], &w[k].e, &w[k].n, &w[k].omitted))
			return -ENOMEM;
		w[k].leak_ev = latest_fd_event(m, &res->incidents[k]);
		cap += w[k].n + 2;
	}
	f->offsets = malloc((cap ? cap : 1) * sizeof(*f->offsets));
	if (!f->offsets)
		return -ENOMEM;
	for (size_t k = 0; k < res->nincidents; k++) {
		f->offsets[n++] = m->events[res->incidents[k].root].ref;
		f->offsets[n++] = m->events[w[k].leak_ev].ref;
		for (size_t i = 0; i < w[k].n; i++)
			f->offsets[n++] = m->events[w[k].e[i].first].ref;
	}
	qsort(f->offsets, n, sizeof(*f->offsets), cmp_u64);
	f->n = 0;
	for (size_t i = 0; i < n; i++)
		if (!f->n || f->offsets[f->n - 1] != f->offsets[i])
			f->offsets[f->n++] = f->offsets[i];
	f->objs = calloc(f->n ? f->n : 1, sizeof(*f->objs));
	if (!f->objs)
		return -ENOMEM;
	return report_model_fetch(m, f->offsets, f->n, f->objs);
}

/* The event as recorded, or what the compact copy still knows when it is gone. */
static cJSON *event_json(const struct report_model *m, const struct fetched *f, uint32_t i)
{
	const struct cl_event *e = &m->events[i];
	const cJSON *full = fetched_get(f, e->ref);
	cJSON *o = full ? cJSON_Duplicate(full, 1) : cJSON_CreateObject();

	if (o && !full) {
		cJSON_AddStringToObject(o, "type", cl_type_name(e->type));
		add_time(o, "time", e->time_ns);
		cJSON_AddNumberToObject(o, "pid", e->pid);
		cJSON_AddStringToObject(o, "comm", strmap__id_str(m->strs, e->comm));
	}
	return o;
}

/* A run shows all its values, not the first one's alone. */
static void add_run_values(cJSON *o, uint16_t type, const struct report_entry *en)
{
	if (type == CL_SLOW_SYSCALL) {
		cJSON_AddNumberToObject(o, "duration_ms_min", en->vmin / 1000.0);
		cJSON_AddNumberToObject(o, "duration_ms_p50", en->vp50 / 1000.0);
		cJSON_AddNumberToObject(o, "duration_ms_max", en->vmax / 1000.0);
		cJSON_AddNumberToObject(o, "duration_ms_total", en->vsum / 1000.0);
	} else if (type == CL_CONN_DROPPED) {
		cJSON_AddNumberToObject(o, "dropped_total", (double)en->vsum);
	}
}

static cJSON *entry_json(const struct report_model *m, const struct fetched *f,
			 const struct report_entry *en, int64_t base)
{
	cJSON *o = event_json(m, f, en->first);
	char rel[32];

	if (!o)
		return NULL;
	report_fmt_rel(m->events[en->first].time_ns, base, rel, sizeof(rel));
	cJSON_AddStringToObject(o, "t_rel", rel);
	if (en->count > 1) {
		cJSON_AddNumberToObject(o, "repeat", en->count);
		add_time(o, "last_time", m->events[en->last].time_ns);
		add_run_values(o, m->events[en->first].type, en);
	}
	return o;
}

static void add_marker(cJSON *tl, cJSON *marker, int64_t t, int64_t base)
{
	char rel[32];

	if (!marker)
		return;
	report_fmt_rel(t, base, rel, sizeof(rel));
	cJSON_AddStringToObject(marker, "t_rel", rel);
	cJSON_AddItemToArray(tl, marker);
}

/* Losses near the window, merged in time order with the entries. */
static void add_losses_until(const struct report_model *m, const struct cl_incident *inc,
			     size_t *li, int64_t until, cJSON *tl)
{
	for (; *li < m->nlosses && m->losses[*li].time_ns <= until; (*li)++) {
		const struct report_loss *l = &m->losses[*li];

		if (l->time_ns >= inc->start_ns - LOSS_MARGIN_NS &&
		    l->time_ns <= inc->end_ns + LOSS_MARGIN_NS)
			add_marker(tl, loss_json(m, l), l->time_ns, inc->start_ns);
	}
}

static cJSON *truncation_marker(const struct report_model *m)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "type", "truncated");
	add_time(o, "time", m->end_ns);
	cJSON_AddStringToObject(o, "reason", m->status.why[0] ? m->status.why :
				"the recording ends here");
	return o;
}

static cJSON *omitted_marker(size_t n)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "type", "omitted");
	cJSON_AddNumberToObject(o, "count", (double)n);
	return o;
}

static cJSON *timeline_json(const struct report_model *m, const struct fetched *f,
			    const struct cl_incident *inc, const struct inc_work *w)
{
	cJSON *tl = cJSON_CreateArray();
	size_t li = 0, head = REPORT_MAX_ENTRIES * 2 / 3;

	for (size_t i = 0; tl && i < w->n; i++) {
		int64_t t = m->events[w->e[i].first].time_ns;

		if (i == head && w->omitted)
			add_marker(tl, omitted_marker(w->omitted), t, inc->start_ns);
		add_losses_until(m, inc, &li, t, tl);
		cJSON_AddItemToArray(tl, entry_json(m, f, &w->e[i], inc->start_ns));
	}
	if (!tl)
		return NULL;
	add_losses_until(m, inc, &li, INT64_MAX, tl);
	if (!m->status.complete && inc->end_ns >= m->end_ns - LOSS_MARGIN_NS)
		add_marker(tl, truncation_marker(m), m->end_ns, inc->start_ns);
	return tl;
}

static cJSON *impact_json(const struct cl_impact *im)
{
	cJSON *o = cJSON_CreateObject(), *ports = cJSON_CreateArray();

	if (!o || !ports) {
		cJSON_Delete(o);
		cJSON_Delete(ports);
		return NULL;
	}
	cJSON_AddNumberToObject(o, "refused_connections", (double)im->refused);
	cJSON_AddNumberToObject(o, "refused_clients", (double)im->refusing_clients);
	for (int i = 0; i < im->nports; i++)
		cJSON_AddItemToArray(ports, cJSON_CreateNumber(im->ports[i]));
	cJSON_AddItemToObject(o, "ports", ports);
	cJSON_AddNumberToObject(o, "connection_errors", (double)im->conn_errors);
	cJSON_AddNumberToObject(o, "backlog_drops", (double)im->backlog_drops);
	cJSON_AddNumberToObject(o, "backlog_waiting", (double)im->backlog_waiting);
	cJSON_AddNumberToObject(o, "killed_processes", (double)im->killed);
	cJSON_AddNumberToObject(o, "failed_fd_calls", (double)im->fd_failures);
	cJSON_AddNumberToObject(o, "slow_syscalls", (double)im->slow_calls);
	cJSON_AddNumberToObject(o, "slow_syscall_ms", im->slow_us / 1000.0);
	return o;
}

/* The listener entry of @port in @arr, created on first use. */
static cJSON *listener_of(cJSON *arr, const struct report_model *m, const struct cl_event *e)
{
	cJSON *l;
	char who[64];

	cJSON_ArrayForEach(l, arr)
		if (cJSON_GetNumberValue(cJSON_GetObjectItem(l, "port")) == e->port)
			return l;
	l = cJSON_CreateObject();
	if (!l || !cJSON_AddItemToArray(arr, l)) {
		cJSON_Delete(l);
		return NULL;
	}
	cJSON_AddNumberToObject(l, "port", e->port);
	snprintf(who, sizeof(who), "%s[%u]", strmap__id_str(m->strs, e->comm), e->pid);
	if (e->pid)
		cJSON_AddStringToObject(l, "owner", who);
	else
		cJSON_AddNullToObject(l, "owner");
	cJSON_AddNumberToObject(l, "dropped", 0);
	cJSON_AddNumberToObject(l, "waiting", 0);
	return l;
}

/* Per listener whose full accept queue dropped connections: port, owner, how many. */
static void add_listeners(cJSON *impact, const struct report_model *m,
			  const struct cl_incident *inc)
{
	cJSON *arr = cJSON_AddArrayToObject(impact, "listeners"), *l, *n;

	for (size_t k = 0; arr && k < inc->nevents; k++) {
		const struct cl_event *e = &m->events[inc->events[k]];

		if (e->type != CL_CONN_DROPPED || !(l = listener_of(arr, m, e)))
			continue;
		n = cJSON_GetObjectItem(l, "dropped");
		cJSON_SetNumberValue(n, n->valuedouble + (double)e->value);
		n = cJSON_GetObjectItem(l, "waiting");
		if ((double)e->limit > n->valuedouble)
			cJSON_SetNumberValue(n, (double)e->limit);
	}
}

static const char *role_of(const struct report_model *m, const struct cl_result *res,
			   const struct cl_incident *inc, uint32_t inst)
{
	bool only_refused = true, any = false;

	if (inst == res->event_proc[inc->root])
		return "root cause";
	for (size_t k = 0; k < inc->nevents; k++) {
		const struct cl_event *e = &m->events[inc->events[k]];

		if (res->event_proc[inc->events[k]] != inst)
			continue;
		any = true;
		only_refused &= e->type == CL_CONN_REFUSED || e->type == CL_CONN_ERROR;
	}
	if (!any)
		return "victim or port owner";
	return only_refused ? "client" : "affected";
}

static cJSON *process_json(const struct report_model *m, const struct cl_result *res,
			   const struct cl_incident *inc, uint32_t inst)
{
	const struct cl_process *p = &res->procs[inst];
	cJSON *o = cJSON_CreateObject(), *ports = cJSON_CreateArray();

	if (!o || !ports) {
		cJSON_Delete(o);
		cJSON_Delete(ports);
		return NULL;
	}
	cJSON_AddNumberToObject(o, "pid", p->pid);
	cJSON_AddStringToObject(o, "comm", strmap__id_str(m->strs, p->comm));
	cJSON_AddStringToObject(o, "role", role_of(m, res, inc, inst));
	if (p->cmdline)
		cJSON_AddStringToObject(o, "cmdline", strmap__id_str(m->strs, p->cmdline));
	if (p->cgroup)
		cJSON_AddStringToObject(o, "cgroup", strmap__id_str(m->strs, p->cgroup));
	if (p->ppid)
		cJSON_AddNumberToObject(o, "ppid", p->ppid);
	if (p->start_ns)
		add_time(o, "start", p->start_ns);
	if (p->exit_ns)
		add_time(o, "exit", p->exit_ns);
	for (int i = 0; i < p->nports; i++)
		cJSON_AddItemToArray(ports, cJSON_CreateNumber(p->ports[i]));
	cJSON_AddItemToObject(o, "listening_ports", ports);
	return o;
}

static cJSON *processes_json(const struct report_model *m, const struct cl_result *res,
			     const struct cl_incident *inc)
{
	cJSON *arr = cJSON_CreateArray();
	size_t clients = 0;

	/* Hundreds of refused clients say little one by one: list the first few. */
	for (size_t k = 0; arr && k < inc->nprocs; k++) {
		bool client = !strcmp(role_of(m, res, inc, inc->procs[k]), "client");

		if (client && ++clients > 10)
			continue;
		cJSON_AddItemToArray(arr, process_json(m, res, inc, inc->procs[k]));
	}
	return arr;
}

static void add_factor(cJSON *arr, const char *type, uint64_t count, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add_factor(cJSON *arr, const char *type, uint64_t count, const char *fmt, ...)
{
	cJSON *o = cJSON_CreateObject();
	char buf[256];
	va_list ap;

	if (!o)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(o, "type", type);
	cJSON_AddNumberToObject(o, "count", (double)count);
	cJSON_AddStringToObject(o, "summary", buf);
	cJSON_AddItemToArray(arr, o);
}

/* What made things worse before or around the root cause. */
static cJSON *contributing_json(const struct report_model *m, const struct cl_incident *inc)
{
	const struct cl_event *root = &m->events[inc->root], *first_p = NULL;
	cJSON *arr = cJSON_CreateArray();
	uint64_t pressure = 0;
	char rel[32];

	for (size_t k = 0; arr && k < inc->nevents; k++) {
		const struct cl_event *e = &m->events[inc->events[k]];

		if (e->type == CL_FD_PRESSURE && e != root && e->time_ns <= root->time_ns) {
			pressure++;
			first_p = first_p ? first_p : e;
		}
	}
	if (pressure) {
		report_fmt_rel(first_p->time_ns, inc->start_ns, rel, sizeof(rel));
		add_factor(arr, "fd_pressure", pressure, "fd pressure from %s: %llu of %llu fds "
			   "open before exhaustion", rel, (unsigned long long)first_p->value,
			   (unsigned long long)first_p->limit);
	}
	if (inc->impact.slow_calls && root->type != CL_SLOW_SYSCALL)
		add_factor(arr, "slow_syscall", inc->impact.slow_calls, "%llu slow syscalls, "
			   "%.1f ms in total", (unsigned long long)inc->impact.slow_calls,
			   inc->impact.slow_us / 1000.0);
	if (inc->impact.conn_errors && root->type != CL_CONN_ERROR)
		add_factor(arr, "conn_error", inc->impact.conn_errors, "%llu failed connections "
			   "(timeouts, resets, unreachable)",
			   (unsigned long long)inc->impact.conn_errors);
	return arr;
}

static const char *severity_name(int s)
{
	return s >= 3 ? "critical" : s == 2 ? "error" : "warning";
}

static void add_story(cJSON *o, const struct report_model *m, const struct cl_incident *inc,
		      const struct fetched *f, const struct inc_work *w, const cJSON *growth,
		      const cJSON *off_cpu)
{
	const struct cl_event *re = &m->events[inc->root];
	cJSON *root = event_json(m, f, inc->root);
	struct report_facts facts = {
		.root = root, .inc = inc, .root_ev = re,
		.leaks = cJSON_GetObjectItemCaseSensitive(fetched_get(f, m->events[w->leak_ev].ref),
							  "leak_sites"),
		.where = re->where ? strmap__id_str(m->strs, re->where) : NULL,
		.growth = growth,
		.off_cpu = off_cpu,
	};
	const char *sc = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "syscall"));
	char *title;

	/* "read() took 300 ms in read" says nothing: name a caller or nothing. */
	if (facts.where && sc && !strcmp(facts.where, sc))
		facts.where = NULL;
	title = root ? report_title(&facts) : NULL;

	cJSON_AddStringToObject(o, "title", title ? title : "incident");
	free(title);
	if (!root)
		return;
	cJSON_AddItemToObject(o, "evidence", report_evidence(&facts));
	cJSON_AddItemToObject(o, "next_steps", report_next_steps(&facts));
	cJSON_AddItemToObject(o, "root_cause", root);
}

static cJSON *incident_json(const struct report_model *m, const struct cl_result *res,
			    const struct cl_incident *inc, const struct fetched *f,
			    const struct inc_work *w)
{
	const struct cl_event *root = &m->events[inc->root];
	cJSON *o = cJSON_CreateObject();
	cJSON *growth = NULL, *off = NULL;

	if (!o)
		return NULL;
	if (root->type == CL_OOM_KILL)
		growth = report_memory_growth(m, root);
	/* A latency incident: where its processes blocked, and who woke them. */
	if (root->type == CL_SLOW_SYSCALL)
		off = report_incident_offcpu(m, inc);
	cJSON_AddNumberToObject(o, "id", inc->id);
	cJSON_AddStringToObject(o, "severity", severity_name(inc->severity));
	add_time(o, "start", inc->start_ns);
	add_time(o, "end", inc->end_ns);
	cJSON_AddNumberToObject(o, "duration_s", (inc->end_ns - inc->start_ns) / 1e9);
	cJSON_AddNumberToObject(o, "events", (double)inc->nevents);
	cJSON_AddBoolToObject(o, "linked_by_time_only", inc->time_linked);
	add_story(o, m, inc, f, w, growth, off);
	if (growth)
		cJSON_AddItemToObject(o, "memory_growth", growth);
	cJSON_AddItemToObject(o, "contributing", contributing_json(m, inc));
	cJSON_AddItemToObject(o, "impact", impact_json(&inc->impact));
	add_listeners(cJSON_GetObjectItem(o, "impact"), m, inc);
	cJSON_AddItemToObject(o, "processes", processes_json(m, res, inc));
	cJSON_AddItemToObject(o, "timeline", timeline_json(m, f, inc, w));
	if (w->omitted)
		cJSON_AddNumberToObject(o, "timeline_omitted", (double)w->omitted);
	if (m->nbuckets)
		cJSON_AddItemToObject(o, "profile", report_profile_json(m, inc->start_ns,
									inc->end_ns));
	if (off)
		cJSON_AddItemToObject(o, "off_cpu", off);
	return o;
}

static void release(struct inc_work *w, size_t n, struct fetched *f)
{
	for (size_t k = 0; w && k < n; k++)
		free(w[k].e);
	free(w);
	for (size_t i = 0; f->objs && i < f->n; i++)
		cJSON_Delete(f->objs[i]);
	free(f->objs);
	free(f->offsets);
}

cJSON *report_build(struct report_model *m, const struct cl_result *res)
{
	struct inc_work *w = calloc(res->nincidents + 1, sizeof(*w));
	struct fetched f = { 0 };
	cJSON *doc = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	int err = !w || !doc || !arr ? -ENOMEM : plan_incidents(m, res, w, &f);

	for (size_t k = 0; !err && k < res->nincidents; k++) {
		cJSON *inc = incident_json(m, res, &res->incidents[k], &f, &w[k]);

		if (!inc)
			err = -ENOMEM;
		cJSON_AddItemToArray(arr, inc);
	}
	release(w, res->nincidents, &f);
	if (err) {
		cJSON_Delete(doc);
		cJSON_Delete(arr);
		return NULL;
	}
	cJSON_AddItemToObject(doc, "recording", recording_json(m));
	cJSON_AddItemToObject(doc, "losses", losses_json(m));
	cJSON_AddItemToObject(doc, "incidents", arr);
	return doc;
}
