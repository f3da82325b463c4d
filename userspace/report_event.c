// SPDX-License-Identifier: GPL-2.0
/*
 * One event object (watch's JSON schema, docs/events.md) reduced to a
 * struct cl_event. Lenient: a missing field means "unknown", never an error;
 * only an event without a type or a time cannot be placed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recording.h"
#include "report_model.h"

static double num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *str(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static uint32_t intern(struct report_model *m, const char *s)
{
	return s && *s ? strtab__intern(m->strs, s, NULL) : 0;
}

static const struct {
	const char *name;
	int value;
} errnos[] = {
	{ "EMFILE", EMFILE }, { "ENFILE", ENFILE }, { "ECONNREFUSED", ECONNREFUSED },
	{ "ETIMEDOUT", ETIMEDOUT }, { "EHOSTUNREACH", EHOSTUNREACH },
	{ "ENETUNREACH", ENETUNREACH }, { "ECONNRESET", ECONNRESET }, { "ENOMEM", ENOMEM },
};

static int16_t parse_errno(const cJSON *ev)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, "errno");

	if (cJSON_IsNumber(v))
		return (int16_t)abs(v->valueint);
	for (size_t i = 0; cJSON_IsString(v) && i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (!strcmp(v->valuestring, errnos[i].name))
			return errnos[i].value;
	return 0;
}

static const struct {
	const char *name;
	int signo;
} fatal_signals[] = {
	{ "SIGSEGV", SIGSEGV }, { "SIGBUS", SIGBUS }, { "SIGILL", SIGILL }, { "SIGFPE", SIGFPE },
	{ "SIGABRT", SIGABRT }, { "SIGKILL", SIGKILL }, { "SIGSYS", SIGSYS },
	{ "SIGTRAP", SIGTRAP },
};

static void parse_signal(const cJSON *ev, struct cl_event *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, "signal");
	size_t n = sizeof(fatal_signals) / sizeof(fatal_signals[0]);

	if (cJSON_IsObject(v))	/* {"name": "SIGSEGV", "number": 11} */
		v = cJSON_GetObjectItemCaseSensitive(v, "name");
	for (size_t i = 0; i < n; i++) {
		bool hit = cJSON_IsString(v) ? !strcmp(v->valuestring, fatal_signals[i].name) :
			   cJSON_IsNumber(v) && v->valueint == fatal_signals[i].signo;

		if (hit) {
			e->signo = fatal_signals[i].signo;
			e->flags |= CL_F_FATAL;
		}
	}
	if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(ev, "fatal")))
		e->flags &= ~CL_F_FATAL;
}

/* The first frame worth naming: leaf-most user frame outside the C library. */
static bool boring_module(const char *mod)
{
	static const char *const libs[] = { "libc.so", "libc-", "ld-linux", "libpthread",
					    "[vdso]", "[kernel]", "vmlinux", "[unknown]" };
	const char *base;

	if (!mod)
		return true;
	base = strrchr(mod, '/') ? strrchr(mod, '/') + 1 : mod;
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		if (!strncmp(base, libs[i], strlen(libs[i])))
			return true;
	return false;
}

const char *report_stack_where(const cJSON *frames)
{
	const cJSON *f;
	const char *first = NULL, *sym;

	cJSON_ArrayForEach(f, frames) {
		sym = str(f, "symbol");
		if (!sym || !*sym)
			continue;
		if (!first)
			first = sym;
		if (!boring_module(str(f, "module")))
			return sym;
	}
	return first;
}

static uint32_t stack_where(struct report_model *m, const cJSON *ev)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(ev, "stack_id");
	uint32_t sid;

	if (!cJSON_IsNumber(id))
		return intern(m, report_stack_where(cJSON_GetObjectItemCaseSensitive(ev, "stack")));
	sid = (uint32_t)id->valuedouble;
	if (sid >= m->nstack_where) {
		size_t n = sid * 2 + 64;
		uint32_t *w = realloc(m->stack_where, n * sizeof(*w));

		if (!w)
			return 0;
		memset(w + m->nstack_where, 0xff, (n - m->nstack_where) * sizeof(*w));
		m->stack_where = w;
		m->nstack_where = n;
	}
	if (m->stack_where[sid] == UINT32_MAX)	/* computed once per distinct stack */
		m->stack_where[sid] = intern(m, report_stack_where(rec_reader__stack(m->reader,
										     sid)));
	return m->stack_where[sid];
}

static void parse_oom(struct report_model *m, const cJSON *ev, struct cl_event *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, "victim");
	const char *memcg;

	if (cJSON_IsObject(v)) {
		e->victim_pid = (uint32_t)num(v, "pid");
		e->victim_comm = intern(m, str(v, "comm"));
		e->value = (uint64_t)(num(v, "anon_rss_kb") + num(v, "file_rss_kb") +
				      num(v, "shmem_rss_kb") + num(v, "rss_kb"));
		memcg = str(v, "memcg") ? str(v, "memcg") : str(v, "cgroup");
	} else {
		e->victim_pid = cJSON_IsNumber(v) ? (uint32_t)v->valuedouble : e->pid;
		memcg = NULL;
	}
	if (str(ev, "memcg"))
		memcg = str(ev, "memcg");
	e->memcg = intern(m, memcg);
}

bool report_addr_is_local(const struct report_model *m, const char *addr)
{
	if (!addr)
		return false;
	if (!strncmp(addr, "127.", 4) || !strcmp(addr, "::1") || !strncmp(addr, "::ffff:127.", 11) ||
	    !strcmp(addr, "0.0.0.0") || !strcmp(addr, "::"))
		return true;
	for (int i = 0; i < m->nlocal; i++)
		if (!strcmp(m->local_addrs[i], addr))
			return true;
	return false;
}

static void parse_conn(struct report_model *m, const cJSON *ev, struct cl_event *e)
{
	const char *dir = str(ev, "direction"), *daddr = str(ev, "daddr");
	bool inbound = dir && (!strcmp(dir, "inbound") || !strcmp(dir, "in"));
	char ep[80];

	e->err = parse_errno(ev);
	if (inbound) {
		/* A SYN to us answered with a reset: the local side is the service. */
		e->flags |= CL_F_INBOUND | CL_F_LOCAL_PORT;
		e->port = (uint16_t)(cJSON_GetObjectItemCaseSensitive(ev, "local_port") ?
				     num(ev, "local_port") : num(ev, "sport"));
		return;
	}
	e->port = (uint16_t)num(ev, "dport");
	if (report_addr_is_local(m, daddr))
		e->flags |= CL_F_LOCAL_PORT;
	snprintf(ep, sizeof(ep), "%s:%u", daddr ? daddr : "?", e->port);
	e->endpoint = intern(m, ep);
}

static void parse_specific(struct report_model *m, const cJSON *ev, struct cl_event *e)
{
	switch (e->type) {
	case CL_OOM_KILL:
		parse_oom(m, ev, e);
		break;
	case CL_FD_EXHAUSTED:
	case CL_FD_PRESSURE:
		e->err = parse_errno(ev);
		e->value = (uint64_t)num(ev, "open_fds");
		e->limit = (uint64_t)num(ev, "limit");
		break;
	case CL_SLOW_SYSCALL:
		e->value = (uint64_t)(num(ev, "duration_ms") * 1000);
		break;
	case CL_SIGNAL:
		parse_signal(ev, e);
		break;
	case CL_CONN_REFUSED:
	case CL_CONN_ERROR:
		parse_conn(m, ev, e);
		break;
	default:
		break;
	}
}

static int push_event(struct report_model *m, const struct cl_event *e)
{
	if (m->nevents == m->events_cap) {
		size_t cap = m->events_cap ? m->events_cap * 2 : 1024;
		struct cl_event *v = realloc(m->events, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		m->events = v;
		m->events_cap = cap;
	}
	m->events[m->nevents++] = *e;
	return 0;
}

int report_model_add_event(struct report_model *m, const cJSON *ev, uint64_t offset)
{
	struct cl_event e = { 0 };
	const char *type = str(ev, "type"), *ctr;

	if (!type || rec_time_parse(str(ev, "time"), &e.time_ns)) {
		m->bad_events++;
		return 0;
	}
	e.ref = offset;
	e.type = cl_type_parse(type);
	e.pid = (uint32_t)num(ev, "pid");
	e.tid = (uint32_t)num(ev, "tid");
	e.comm = intern(m, str(ev, "comm"));
	e.cgroup = intern(m, str(ev, "cgroup"));
	ctr = str(ev, "container") ? str(ev, "container") : str(ev, "container_id");
	e.container = intern(m, ctr);
	e.syscall = intern(m, str(ev, "syscall"));
	e.where = stack_where(m, ev);
	parse_specific(m, ev, &e);
	return push_event(m, &e);
}
