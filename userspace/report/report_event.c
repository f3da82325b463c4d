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

#include "base/vec.h"
#include "record/recording.h"
#include "report/report_model.h"

#define KB_MAX (1ULL << 60)

static uint64_t num(const cJSON *o, const char *name, uint64_t max)
{
	return rec_json_uint(cJSON_GetObjectItemCaseSensitive(o, name), max);
}

static const char *str(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static uint32_t intern(struct report_model *m, const char *s)
{
	return s && *s ? strmap__id(m->strs, s, NULL) : 0;
}

/* Members read per event, found in one pass over the object. */
enum fld {
	F_TYPE, F_TIME, F_PID, F_TID, F_COMM, F_CGROUP, F_CONTAINER, F_CONTAINER_ID, F_SYSCALL,
	F_STACK, F_STACK_ID, F_ERRNO, F_OPEN_FDS, F_LIMIT, F_DURATION, F_SIGNAL, F_FATAL,
	F_SIGNO, F_VICTIM, F_MEMCG, F_DADDR, F_DPORT, F_SPORT, F_LOCAL_PORT, F_DIRECTION, F_SADDR,
	F_DROPPED, F_QUEUED, F__N,
};

static const char *const fld_names[F__N] = {
	"type", "time", "pid", "tid", "comm", "cgroup", "container", "container_id", "syscall",
	"stack", "stack_id", "errno", "open_fds", "limit", "duration_ms", "signal", "fatal",
	"signo", "victim", "memcg", "daddr", "dport", "sport", "local_port", "direction", "saddr",
	"dropped", "queued",
};

static void index_fields(const cJSON *ev, const cJSON **f)
{
	memset(f, 0, F__N * sizeof(*f));
	for (const cJSON *m = ev->child; m; m = m->next) {
		if (!m->string)
			continue;
		for (int k = 0; k < F__N; k++) {
			if (m->string[0] == fld_names[k][0] && !strcmp(m->string, fld_names[k])) {
				f[k] = m;
				break;
			}
		}
	}
}

static uint64_t fnum(const cJSON **f, enum fld k, uint64_t max)
{
	return rec_json_uint(f[k], max);
}

static const char *fstr(const cJSON **f, enum fld k)
{
	return cJSON_GetStringValue(f[k]);
}

static const struct {
	const char *name;
	int value;
} errnos[] = {
	{ "EMFILE", EMFILE }, { "ENFILE", ENFILE }, { "ECONNREFUSED", ECONNREFUSED },
	{ "ETIMEDOUT", ETIMEDOUT }, { "EHOSTUNREACH", EHOSTUNREACH },
	{ "ENETUNREACH", ENETUNREACH }, { "ECONNRESET", ECONNRESET }, { "ENOMEM", ENOMEM },
};

static int16_t parse_errno(const cJSON **f)
{
	const cJSON *v = f[F_ERRNO];

	if (cJSON_IsNumber(v))	/* 24 or -24; beyond 4095 is not an errno */
		return (int16_t)(v->valueint < 0 && v->valueint >= -4095 ? -v->valueint :
				 v->valueint <= 4095 ? v->valueint : 0);
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

static void parse_signal(const cJSON **f, struct cl_event *e)
{
	const cJSON *v = f[F_SIGNAL];
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
	/* Watch says whether the signal ended the process; older events are judged by name. */
	if (cJSON_IsTrue(f[F_FATAL]))
		e->flags |= CL_F_FATAL;
	else if (cJSON_IsFalse(f[F_FATAL]))
		e->flags &= ~CL_F_FATAL;
	if (cJSON_IsNumber(f[F_SIGNO]) && f[F_SIGNO]->valueint > 0 && f[F_SIGNO]->valueint < 65)
		e->signo = (uint32_t)f[F_SIGNO]->valueint;
}

/* The first frame worth naming: leaf-most user frame outside the C library. */
static bool boring_module(const char *mod)
{
	static const char *const libs[] = { "libc.so", "libc-", "ld-linux", "libpthread",
					    "[", "vmlinux" };
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
		const char *addr = str(f, "addr");

		sym = str(f, "symbol");
		/* Kernel frames (and BPF programs) come first in watch's stacks. */
		if (!sym || !*sym || (addr && !strncmp(addr, "0xffff", 6)))
			continue;
		if (!first)
			first = sym;	/* e.g. the C library's read() */
		if (!boring_module(str(f, "module")))
			return sym;
	}
	return first;
}

static uint32_t stack_where(struct report_model *m, const cJSON **f)
{
	const cJSON *id = f[F_STACK_ID];
	uint32_t sid;

	if (!cJSON_IsNumber(id))
		return intern(m, report_stack_where(f[F_STACK]));
	/* Sized by the stacks really defined, never by a number the file claims. */
	sid = rec_json_uint(id, REC_MAX_STACK_ID);
	if (!rec_reader__stack(m->reader, sid))
		return 0;
	if (sid >= m->nstack_where) {
		size_t old = m->nstack_where;

		if (VEC_RESERVE(m->stack_where, m->nstack_where, (size_t)sid + 1))
			return 0;
		memset(m->stack_where + old, 0xff, (m->nstack_where - old) * sizeof(uint32_t));
	}
	if (m->stack_where[sid] == UINT32_MAX)	/* computed once per distinct stack */
		m->stack_where[sid] = intern(m, report_stack_where(rec_reader__stack(m->reader,
										     sid)));
	return m->stack_where[sid];
}

static void parse_oom(struct report_model *m, const cJSON **f, struct cl_event *e)
{
	const cJSON *v = f[F_VICTIM];
	const char *memcg;

	if (cJSON_IsObject(v)) {
		e->victim_pid = num(v, "pid", UINT32_MAX);
		e->victim_comm = intern(m, str(v, "comm"));
		/* Each below 2^60 KiB: the sum cannot wrap. */
		e->value = num(v, "anon_rss_kb", KB_MAX) + num(v, "file_rss_kb", KB_MAX) +
			   num(v, "shmem_rss_kb", KB_MAX) + num(v, "rss_kb", KB_MAX);
		memcg = str(v, "memcg") ? str(v, "memcg") : str(v, "cgroup");
	} else {
		e->victim_pid = cJSON_IsNumber(v) ? rec_json_uint(v, UINT32_MAX) : e->pid;
		memcg = NULL;
	}
	if (fstr(f, F_MEMCG))
		memcg = fstr(f, F_MEMCG);
	e->memcg = intern(m, memcg);
}

bool report_addr_is_local(const struct report_model *m, const char *addr)
{
	if (!addr)
		return false;
	/* A dual-stack socket's peer "::ffff:10.0.0.5" is the host's 10.0.0.5. */
	if (!strncmp(addr, "::ffff:", 7) && strchr(addr + 7, '.'))
		addr += 7;
	if (!strncmp(addr, "127.", 4) || !strcmp(addr, "::1") ||
	    !strncmp(addr, "::ffff:127.", 11) || !strcmp(addr, "0.0.0.0") || !strcmp(addr, "::"))
		return true;
	for (int i = 0; i < m->nlocal; i++)
		if (!strcmp(m->local_addrs[i], addr))
			return true;
	return false;
}

static void parse_conn(struct report_model *m, const cJSON **f, struct cl_event *e)
{
	const char *dir = fstr(f, F_DIRECTION), *daddr = fstr(f, F_DADDR);
	bool inbound = dir && (!strcmp(dir, "inbound") || !strcmp(dir, "in"));
	char ep[80];

	e->err = parse_errno(f);
	if (inbound) {
		/*
		 * A SYN from saddr:sport to our closed daddr:dport answered with a
		 * reset. From a local client, that client's own outbound refusal
		 * reports the same connection: not counted twice.
		 */
		e->flags |= CL_F_INBOUND | CL_F_LOCAL_PORT;
		e->port = f[F_LOCAL_PORT] ? fnum(f, F_LOCAL_PORT, UINT16_MAX) :
					    fnum(f, F_DPORT, UINT16_MAX);
		if (report_addr_is_local(m, fstr(f, F_SADDR)))
			e->flags |= CL_F_ECHO;
		return;
	}
	e->port = fnum(f, F_DPORT, UINT16_MAX);
	if (report_addr_is_local(m, daddr))
		e->flags |= CL_F_LOCAL_PORT;
	snprintf(ep, sizeof(ep), "%s:%u", daddr ? daddr : "?", e->port);
	e->endpoint = intern(m, ep);
}

/* "duration_ms": 12.5 as microseconds, at most a day (more is damage). */
static uint64_t duration_us(const cJSON *ms)
{
	return cJSON_IsNumber(ms) ? rec_clamp_uint(ms->valuedouble * 1000, 86400ULL * 1000000) : 0;
}

static void parse_specific(struct report_model *m, const cJSON **f, struct cl_event *e)
{
	switch (e->type) {
	case CL_OOM_KILL:
		parse_oom(m, f, e);
		break;
	case CL_FD_EXHAUSTED:
	case CL_FD_PRESSURE:
		e->err = parse_errno(f);
		e->value = fnum(f, F_OPEN_FDS, UINT32_MAX);
		e->limit = fnum(f, F_LIMIT, UINT32_MAX);
		break;
	case CL_SLOW_SYSCALL:
		e->value = duration_us(f[F_DURATION]);
		break;
	case CL_SIGNAL:
		parse_signal(f, e);
		break;
	case CL_CONN_REFUSED:
	case CL_CONN_ERROR:
		parse_conn(m, f, e);
		break;
	case CL_CONN_DROPPED:
		/* daddr:dport is the listener's own address */
		e->flags |= CL_F_INBOUND | CL_F_LOCAL_PORT;
		e->port = fnum(f, F_DPORT, UINT16_MAX);
		e->value = fnum(f, F_DROPPED, UINT32_MAX);
		e->limit = fnum(f, F_QUEUED, UINT32_MAX);
		break;
	default:
		break;
	}
}

static int add_memsum(struct report_model *m, const cJSON **f, int64_t t, uint64_t offset,
		      bool heap)
{
	if (VEC_RESERVE(m->memsums, m->memsums_cap, m->nmemsums + 1))
		return -ENOMEM;
	m->memsums[m->nmemsums++] = (struct report_memsum){
		.time_ns = t, .ref = offset, .heap = heap,
		.pid = fnum(f, F_PID, UINT32_MAX), .cgroup = intern(m, fstr(f, F_CGROUP)) };
	return 0;
}

static int push_event(struct report_model *m, const struct cl_event *e)
{
	if (VEC_RESERVE(m->events, m->events_cap, m->nevents + 1))
		return -ENOMEM;
	m->events[m->nevents++] = *e;
	return 0;
}

int report_model_add_event(struct report_model *m, const cJSON *ev, uint64_t offset)
{
	struct cl_event e = { 0 };
	const cJSON *f[F__N];
	const char *type, *ctr;

	index_fields(ev, f);
	type = fstr(f, F_TYPE);
	if (!type || rec_time_parse(fstr(f, F_TIME), &e.time_ns)) {
		m->bad_events++;
		return 0;
	}
	/* Periodic measurements, not incidents: kept aside for the OOM incidents. */
	if (!strcmp(type, "heap_summary") || !strcmp(type, "rss_growth"))
		return add_memsum(m, f, e.time_ns, offset, !strcmp(type, "heap_summary"));
	e.ref = offset;
	e.type = cl_type_parse(type);
	e.pid = fnum(f, F_PID, UINT32_MAX);
	e.tid = fnum(f, F_TID, UINT32_MAX);
	e.comm = intern(m, fstr(f, F_COMM));
	e.cgroup = intern(m, fstr(f, F_CGROUP));
	ctr = fstr(f, F_CONTAINER) ? fstr(f, F_CONTAINER) : fstr(f, F_CONTAINER_ID);
	e.container = intern(m, ctr);
	e.syscall = intern(m, fstr(f, F_SYSCALL));
	e.where = stack_where(m, f);
	parse_specific(m, f, &e);
	return push_event(m, &e);
}
