// SPDX-License-Identifier: GPL-2.0
/* Per incident: the probable root cause, the impact and a severity. */
#include <stdlib.h>
#include <string.h>

#include "report/correlate_priv.h"

static const char *const type_names[CL__TYPES] = {
	[CL_OOM_KILL] = "oom_kill",	      [CL_FD_EXHAUSTED] = "fd_exhausted",
	[CL_SIGNAL] = "signal",		      [CL_FD_PRESSURE] = "fd_pressure",
	[CL_SLOW_SYSCALL] = "slow_syscall",   [CL_CONN_REFUSED] = "conn_refused",
	[CL_CONN_ERROR] = "conn_error",	      [CL_CONN_DROPPED] = "conn_dropped",
	[CL_OTHER] = "other",
};

enum cl_type cl_type_parse(const char *name)
{
	for (int t = 0; name && t < CL_OTHER; t++)
		if (!strcmp(type_names[t], name))
			return t;
	return CL_OTHER;
}

const char *cl_type_name(enum cl_type t)
{
	return (unsigned int)t < CL__TYPES ? type_names[t] : "other";
}

int cl_type_rank(enum cl_type t)
{
	/* The enum is declared in root-cause order. */
	return (unsigned int)t < CL__TYPES ? (int)t : CL_OTHER;
}

/* A SIGKILL the OOM killer sent is a consequence, not a second fault. */
static bool oom_consequence(const struct cl_input *in, const struct cl_incident *inc,
			    const struct cl_event *sig)
{
	for (size_t k = 0; k < inc->nevents; k++) {
		const struct cl_event *e = &in->events[inc->events[k]];

		if (e->time_ns > sig->time_ns)
			break;
		if (e->type == CL_OOM_KILL && e->victim_pid == sig->pid)
			return true;
	}
	return false;
}

static int event_rank(const struct cl_input *in, const struct cl_incident *inc, size_t k)
{
	const struct cl_event *e = &in->events[inc->events[k]];

	if (e->type != CL_SIGNAL)
		return cl_type_rank(e->type);
	if (!(e->flags & CL_F_FATAL) || (e->signo == 9 && oom_consequence(in, inc, e)))
		return CL_OTHER;
	return cl_type_rank(CL_SIGNAL);
}

/* The earliest fault; without one, the most telling event, earliest first. */
static void pick_root(const struct cl_input *in, struct cl_incident *inc)
{
	int best_rank = CL_OTHER + 1;
	int64_t best_t = 0;
	bool fault = false;

	for (size_t k = 0; k < inc->nevents; k++) {
		int r = event_rank(in, inc, k);
		int64_t t = in->events[inc->events[k]].time_ns;
		bool is_fault = r <= cl_type_rank(CL_SIGNAL), better;

		if (fault)	/* once a fault is found only a same-time stronger one wins */
			better = is_fault && t == best_t && r < best_rank;
		else
			better = is_fault || r < best_rank;
		if (better) {
			inc->root = inc->events[k];
			best_rank = r;
			best_t = t;
			fault = is_fault;
		}
	}
	inc->severity = fault ? 3 : best_rank <= CL_CONN_DROPPED && best_rank != CL_SLOW_SYSCALL ?
			2 : 1;
}

static void add_port(struct cl_impact *im, uint16_t port)
{
	for (int i = 0; i < im->nports; i++)
		if (im->ports[i] == port)
			return;
	if (im->nports < (int)(sizeof(im->ports) / sizeof(im->ports[0])))
		im->ports[im->nports++] = port;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static void count_clients(const struct cl_incident *inc, const struct cl_input *in,
			  const uint32_t *event_proc, struct cl_impact *im)
{
	uint32_t *who = malloc((inc->nevents ? inc->nevents : 1) * sizeof(*who));
	size_t n = 0;

	if (!who)
		return;
	for (size_t k = 0; k < inc->nevents; k++)
		if (in->events[inc->events[k]].type == CL_CONN_REFUSED &&
		    event_proc[inc->events[k]] != CL_NONE)
			who[n++] = event_proc[inc->events[k]];
	qsort(who, n, sizeof(*who), cmp_u32);
	for (size_t k = 0; k < n; k++)
		im->refusing_clients += !k || who[k] != who[k - 1];
	free(who);
}

void cl_rank_incident(const struct cl_input *in, const uint32_t *event_proc,
		      struct cl_incident *inc)
{
	struct cl_impact *im = &inc->impact;

	inc->start_ns = in->events[inc->events[0]].time_ns;
	inc->end_ns = in->events[inc->events[inc->nevents - 1]].time_ns;
	pick_root(in, inc);
	for (size_t k = 0; k < inc->nevents; k++) {
		const struct cl_event *e = &in->events[inc->events[k]];

		switch (e->type) {
		case CL_CONN_REFUSED:
			im->refused += !(e->flags & CL_F_ECHO);
			if (e->port)
				add_port(im, e->port);
			break;
		case CL_CONN_ERROR: im->conn_errors++; break;
		case CL_CONN_DROPPED:
			im->backlog_drops += e->value;
			if (e->limit > im->backlog_waiting)
				im->backlog_waiting = e->limit;
			if (e->port)
				add_port(im, e->port);
			break;
		case CL_OOM_KILL: im->killed++; break;
		case CL_FD_EXHAUSTED: im->fd_failures++; break;
		case CL_SLOW_SYSCALL:
			im->slow_calls++;
			im->slow_us += e->value;
			break;
		case CL_SIGNAL:
			im->killed += (e->flags & CL_F_FATAL) && event_rank(in, inc, k) != CL_OTHER;
			break;
		default: break;
		}
	}
	count_clients(inc, in, event_proc, im);
}
