// SPDX-License-Identifier: GPL-2.0
/*
 * Grouping: one pass over events in time order, union-find on causal links.
 * Each link kind keeps the last event seen per key (process instance, port,
 * cgroup) and links a new event to it when the two are close enough.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "report/correlate_priv.h"

struct slot {
	uint32_t ev;
	int64_t t;
};

struct linker {
	const struct cl_input *in;
	struct cl_options o;
	uint32_t *parent;	/* union-find over events */
	struct slot *inst_last, *inst_fd, *inst_child;	/* per process instance */
	size_t ninst_slots;
	struct slot *port_last;	/* refusals on a port nobody owned */
	struct slot *key_last;	/* per string id: container, memcg, remote endpoint */
	uint8_t *key_oom;	/* memcg ids that hit their limit */
	size_t nkeys;
	struct cl_procs procs;
	uint32_t *event_proc;
};

static uint32_t uf_find(uint32_t *parent, uint32_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

static void uf_union(uint32_t *parent, uint32_t a, uint32_t b)
{
	a = uf_find(parent, a);
	b = uf_find(parent, b);
	/* The earlier event stays the representative: groups keep start order. */
	if (a < b)
		parent[b] = a;
	else if (b < a)
		parent[a] = b;
}

static void link_slot(struct linker *l, struct slot *s, uint32_t i, int64_t gap)
{
	int64_t t = l->in->events[i].time_ns;

	if (s->ev != CL_NONE && t - s->t <= gap)
		uf_union(l->parent, i, s->ev);
	s->ev = i;
	s->t = t;
}

static struct slot *new_slots(size_t n)
{
	struct slot *s = malloc((n ? n : 1) * sizeof(*s));

	for (size_t i = 0; s && i < n; i++)
		s[i] = (struct slot){ CL_NONE, 0 };
	return s;
}

/* Instance slots grow as instances are inferred from events. */
static int ensure_inst_slots(struct linker *l)
{
	size_t n = l->procs.n, old = l->ninst_slots, cap = old;
	struct slot **arrs[] = { &l->inst_last, &l->inst_fd, &l->inst_child };

	if (n <= old)
		return 0;
	for (int k = 0; k < 3; k++) {
		cap = old;	/* the three grow alike: one capacity counts them all */
		if (VEC_RESERVE(*arrs[k], cap, n))
			return -ENOMEM;
		for (size_t i = old; i < cap; i++)
			(*arrs[k])[i] = (struct slot){ CL_NONE, 0 };
	}
	l->ninst_slots = cap;
	return 0;
}

static bool is_conn_type(uint16_t type)
{
	return type == CL_CONN_REFUSED || type == CL_CONN_ERROR;
}

static bool is_fd_type(uint16_t type)
{
	return type == CL_FD_PRESSURE || type == CL_FD_EXHAUSTED;
}

/* Same instance, its fd history, and its parent (in both directions). */
static void link_process(struct linker *l, uint32_t i, uint32_t inst)
{
	const struct cl_event *e = &l->in->events[i];
	const struct cl_process *pr = &l->procs.v[inst];
	uint32_t pinst;

	link_slot(l, &l->inst_last[inst], i, l->o.proc_gap_ns);
	if (is_fd_type(e->type))
		link_slot(l, &l->inst_fd[inst], i, l->o.fd_gap_ns);
	if (l->inst_child[inst].ev != CL_NONE && e->time_ns - l->inst_child[inst].t <=
	    l->o.proc_gap_ns)
		uf_union(l->parent, i, l->inst_child[inst].ev);
	if (!pr->ppid)
		return;
	pinst = cl_procs_find(&l->procs, pr->ppid, pr->start_ns ? pr->start_ns : e->time_ns);
	if (pinst == CL_NONE)
		return;
	if (l->inst_last[pinst].ev != CL_NONE &&
	    e->time_ns - l->inst_last[pinst].t <= l->o.proc_gap_ns)
		uf_union(l->parent, i, l->inst_last[pinst].ev);
	l->inst_child[pinst] = (struct slot){ i, e->time_ns };
}

static int link_oom(struct linker *l, uint32_t i)
{
	const struct cl_event *e = &l->in->events[i];
	uint32_t v;

	if (e->victim_pid) {
		v = cl_procs_resolve(&l->procs, e->victim_pid, e->time_ns, e->victim_comm);
		if (v == CL_NONE || ensure_inst_slots(l))
			return -ENOMEM;
		link_slot(l, &l->inst_last[v], i, l->o.proc_gap_ns);
	}
	if (e->memcg && e->memcg < l->nkeys) {
		l->key_oom[e->memcg] = 1;
		link_slot(l, &l->key_last[e->memcg], i, l->o.proc_gap_ns);
	}
	return 0;
}

/* A refusal belongs with whoever owned the port, else with refusals alike. */
static void link_connection(struct linker *l, uint32_t i)
{
	const struct cl_event *e = &l->in->events[i];
	uint32_t owner;

	if (e->port && (e->flags & CL_F_LOCAL_PORT)) {
		owner = cl_procs_port_owner(&l->procs, e->port, e->time_ns, l->o.port_window_ns);
		if (owner != CL_NONE)
			link_slot(l, &l->inst_last[owner], i, l->o.port_window_ns);
		else
			link_slot(l, &l->port_last[e->port], i, l->o.proc_gap_ns);
	} else if (e->endpoint && e->endpoint < l->nkeys) {
		link_slot(l, &l->key_last[e->endpoint], i, l->o.proc_gap_ns);
	}
}

static void link_groups(struct linker *l, uint32_t i)
{
	const struct cl_event *e = &l->in->events[i];

	if (e->container && e->container < l->nkeys)
		link_slot(l, &l->key_last[e->container], i, l->o.proc_gap_ns);
	/* Everything in a memory cgroup after it hit its limit. */
	if (e->cgroup && e->cgroup < l->nkeys && l->key_oom[e->cgroup] && e->type != CL_OOM_KILL)
		link_slot(l, &l->key_last[e->cgroup], i, l->o.proc_gap_ns);
}

static int link_event(struct linker *l, uint32_t i)
{
	const struct cl_event *e = &l->in->events[i];
	uint32_t inst = CL_NONE;

	/* pid 0: softirq or kernel context, not a process. */
	if (e->pid) {
		inst = cl_procs_resolve(&l->procs, e->pid, e->time_ns, e->comm);
		if (inst == CL_NONE || ensure_inst_slots(l))
			return -ENOMEM;
		/*
		 * A refused client is a witness, not a cause: its refusals belong
		 * with the port's owner, and a client refused by two broken servers
		 * must not merge their incidents. Its own later faults still
		 * follow from its last refusal.
		 */
		if (is_conn_type(e->type))
			l->inst_last[inst] = (struct slot){ i, e->time_ns };
		else
			link_process(l, i, inst);
	}
	l->event_proc[i] = inst;
	if (e->type == CL_OOM_KILL && link_oom(l, i))
		return -ENOMEM;
	/* A listener's drops: with its owner when known, else with whoever owned the port. */
	if (is_conn_type(e->type) || (e->type == CL_CONN_DROPPED && !e->pid))
		link_connection(l, i);
	link_groups(l, i);
	return 0;
}

struct group {
	int64_t start, end;
	int64_t fault_start;	/* time of the first fault, when there is one */
	uint32_t count;
	uint32_t target;	/* the group this one merges into (itself by default) */
	bool fault;		/* has a fault or fd pressure: can explain others */
	bool weak;		/* only connection failures nobody's port explains */
	bool time_linked;
};

static bool is_fault(const struct cl_event *e)
{
	return e->type == CL_OOM_KILL || e->type == CL_FD_EXHAUSTED ||
	       e->type == CL_FD_PRESSURE || (e->type == CL_SIGNAL && (e->flags & CL_F_FATAL));
}

static bool explained(const struct linker *l, uint32_t i)
{
	const struct cl_event *e = &l->in->events[i];

	if (e->type == CL_CONN_DROPPED && e->pid)
		return true;	/* the listener's owner */
	if (e->type != CL_CONN_REFUSED && e->type != CL_CONN_ERROR && e->type != CL_CONN_DROPPED)
		return e->pid != 0;
	return (e->flags & CL_F_LOCAL_PORT) &&
	       cl_procs_port_owner(&l->procs, e->port, e->time_ns, l->o.port_window_ns) != CL_NONE;
}

static struct group *make_groups(struct linker *l, uint32_t *group_of, size_t *ngroups)
{
	size_t n = l->in->nevents, ng = 0;
	struct group *g = calloc(n ? n : 1, sizeof(*g));

	for (size_t i = 0; g && i < n; i++) {
		uint32_t r = uf_find(l->parent, i);
		const struct cl_event *e = &l->in->events[i];
		struct group *cur;

		if (r == i) {	/* the root is the group's earliest event */
			g[ng] = (struct group){ .start = e->time_ns, .target = ng, .weak = true };
			ng++;
		}
		group_of[i] = r == i ? ng - 1 : group_of[r];
		cur = &g[group_of[i]];
		cur->end = e->time_ns;
		cur->count++;
		if (is_fault(e) && !cur->fault)
			cur->fault_start = e->time_ns;
		cur->fault |= is_fault(e);
		if (cur->weak && explained(l, i))
			cur->weak = false;
	}
	*ngroups = ng;
	return g;
}

/* How long after @f's first fault, or within its span, @t is; effects follow causes. */
static int64_t span_distance(const struct group *f, int64_t t)
{
	if (t < f->fault_start)
		return INT64_MAX;
	return t > f->end ? t - f->end : 0;
}

/*
 * The last resort: a weak group joins the faulty group whose fault it follows
 * most closely in time.
 */
static void tie_by_time(struct group *g, size_t ng, int64_t window)
{
	uint64_t budget = 20000000;	/* comparisons; beyond that, leave groups alone */

	for (size_t w = 0; w < ng; w++) {
		int64_t best_d = window + 1;
		size_t best = w;

		if (!g[w].weak || g[w].fault)
			continue;
		for (size_t f = 0; f < ng && budget; f++, budget--) {
			int64_t d = g[f].fault ? span_distance(&g[f], g[w].start) : INT64_MAX;

			if (d < best_d) {
				best_d = d;
				best = f;
			}
		}
		g[w].target = best;
		if (best != w)
			g[best].time_linked = true;
	}
}

static int add_proc(struct cl_incident *inc, uint32_t *stamp, uint32_t inst, size_t cap)
{
	if (inst == CL_NONE || stamp[inst] == inc->id || inc->nprocs >= cap)
		return 0;
	stamp[inst] = inc->id;
	inc->procs[inc->nprocs++] = inst;
	return 0;
}

/* The processes an incident touches: its events', OOM victims and port owners. */
static int collect_procs(struct linker *l, struct cl_incident *inc, uint32_t *stamp)
{
	size_t cap = inc->nevents * 2 + 1;

	inc->procs = malloc(cap * sizeof(*inc->procs));
	if (!inc->procs)
		return -ENOMEM;
	for (size_t k = 0; k < inc->nevents; k++) {
		uint32_t i = inc->events[k];
		const struct cl_event *e = &l->in->events[i];

		add_proc(inc, stamp, l->event_proc[i], cap);
		if (e->type == CL_OOM_KILL && e->victim_pid)
			add_proc(inc, stamp, cl_procs_resolve(&l->procs, e->victim_pid, e->time_ns,
							      e->victim_comm), cap);
		if ((e->flags & CL_F_LOCAL_PORT) && e->port)
			add_proc(inc, stamp, cl_procs_port_owner(&l->procs, e->port, e->time_ns,
								 l->o.port_window_ns), cap);
	}
	return 0;
}

static int fill_incidents(struct linker *l, const uint32_t *group_of, struct group *g,
			  size_t ng, struct cl_result *out)
{
	uint32_t *inc_of = malloc((ng ? ng : 1) * sizeof(*inc_of));
	size_t n = 0;

	if (!inc_of)
		return -ENOMEM;
	for (size_t k = 0; k < ng; k++)
		inc_of[k] = g[k].target == k ? (uint32_t)n++ : CL_NONE;
	out->incidents = calloc(n ? n : 1, sizeof(*out->incidents));
	for (size_t k = 0; out->incidents && k < ng; k++) {
		struct cl_incident *inc = &out->incidents[inc_of[g[k].target]];

		inc->nevents += g[k].count;
		inc->time_linked |= g[k].time_linked;
	}
	for (size_t k = 0; out->incidents && k < n; k++) {
		out->incidents[k].events = malloc(out->incidents[k].nevents * sizeof(uint32_t));
		if (!out->incidents[k].events)
			break;
		out->incidents[k].nevents = 0;
		out->nincidents = k + 1;
	}
	if (!out->incidents || out->nincidents != n) {
		free(inc_of);
		return -ENOMEM;
	}
	for (size_t i = 0; i < l->in->nevents; i++) {
		struct cl_incident *inc = &out->incidents[inc_of[g[group_of[i]].target]];

		inc->events[inc->nevents++] = i;
	}
	free(inc_of);
	return 0;
}

static int cmp_event(const void *a, const void *b)
{
	const struct cl_event *x = a, *y = b;

	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* What an incident cost others: refused or failed work, killed processes. */
static uint64_t impact_score(const struct cl_impact *im)
{
	return im->refused + im->conn_errors + im->backlog_drops + im->fd_failures +
	       im->slow_calls + 10 * im->killed;
}

static int cmp_incident(const void *a, const void *b)
{
	const struct cl_incident *x = a, *y = b;
	uint64_t ix = impact_score(&x->impact), iy = impact_score(&y->impact);

	if (x->severity != y->severity)
		return y->severity - x->severity;
	if (ix != iy)
		return ix > iy ? -1 : 1;
	return (x->start_ns > y->start_ns) - (x->start_ns < y->start_ns);
}

static void set_defaults(struct cl_options *o)
{
	if (!o->proc_gap_ns)
		o->proc_gap_ns = 300 * 1000000000LL;
	if (!o->fd_gap_ns)
		o->fd_gap_ns = 3600 * 1000000000LL;
	if (!o->port_window_ns)
		o->port_window_ns = 600 * 1000000000LL;
	if (!o->tie_window_ns)
		o->tie_window_ns = 5 * 1000000000LL;
}

static int linker_init(struct linker *l, struct cl_input *in)
{
	size_t n = in->nevents;

	memset(l, 0, sizeof(*l));
	l->in = in;
	l->o = in->opts;
	set_defaults(&l->o);
	l->nkeys = strmap__count(in->strs) + 1;
	l->parent = malloc((n ? n : 1) * sizeof(*l->parent));
	l->event_proc = malloc((n ? n : 1) * sizeof(*l->event_proc));
	l->port_last = new_slots(65536);
	l->key_last = new_slots(l->nkeys);
	l->key_oom = calloc(l->nkeys, 1);
	if (!l->parent || !l->event_proc || !l->port_last || !l->key_last || !l->key_oom)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		l->parent[i] = i;
	if (cl_procs_init(&l->procs, in->procs, in->nprocs))
		return -ENOMEM;
	return ensure_inst_slots(l);
}

static void linker_release(struct linker *l)
{
	free(l->parent);
	free(l->inst_last);
	free(l->inst_fd);
	free(l->inst_child);
	free(l->port_last);
	free(l->key_last);
	free(l->key_oom);
	free(l->event_proc);
	cl_procs_release(&l->procs);
	free(l->procs.v);
}

static int finish_incidents(struct linker *l, struct cl_result *out)
{
	uint32_t *stamp = calloc(l->procs.n + 1, sizeof(*stamp));

	if (!stamp)
		return -ENOMEM;
	for (size_t k = 0; k < out->nincidents; k++) {
		struct cl_incident *inc = &out->incidents[k];

		inc->id = k + 1;	/* provisional: a stamp for collect_procs */
		cl_rank_incident(l->in, l->event_proc, inc);
		if (collect_procs(l, inc, stamp)) {
			free(stamp);
			return -ENOMEM;
		}
	}
	free(stamp);
	qsort(out->incidents, out->nincidents, sizeof(*out->incidents), cmp_incident);
	for (size_t k = 0; k < out->nincidents; k++)
		out->incidents[k].id = k + 1;
	return 0;
}

static int group_and_fill(struct linker *l, struct cl_result *out)
{
	uint32_t *group_of = malloc((l->in->nevents ? l->in->nevents : 1) * sizeof(*group_of));
	struct group *g;
	size_t ng = 0;
	int err = -ENOMEM;

	if (!group_of)
		return -ENOMEM;
	g = make_groups(l, group_of, &ng);
	if (g) {
		/*
		 * With listener metadata, a refusal nobody's port explains was to a
		 * port nobody listened on: not an effect of another fault. Only a
		 * recording without any says too little to keep them apart.
		 */
		if (!l->in->nprocs)
			tie_by_time(g, ng, l->o.tie_window_ns);
		err = fill_incidents(l, group_of, g, ng, out);
	}
	free(g);
	free(group_of);
	return err;
}

int cl_correlate(struct cl_input *in, struct cl_result *out)
{
	struct linker l;
	int err;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < in->nevents; i++)
		in->events[i].seq = i;
	if (in->nevents)
		qsort(in->events, in->nevents, sizeof(*in->events), cmp_event);
	err = linker_init(&l, in);
	for (size_t i = 0; !err && i < in->nevents; i++)
		err = link_event(&l, i);
	if (!err)
		err = group_and_fill(&l, out);
	if (!err)
		err = finish_incidents(&l, out);
	if (!err) {
		out->procs = l.procs.v;
		out->nprocs = l.procs.n;
		out->event_proc = l.event_proc;
		l.procs.v = NULL;
		l.event_proc = NULL;
	}
	linker_release(&l);
	if (err)
		cl_result_free(out);
	return err;
}

void cl_result_free(struct cl_result *r)
{
	for (size_t k = 0; r->incidents && k < r->nincidents; k++) {
		free(r->incidents[k].events);
		free(r->incidents[k].procs);
	}
	free(r->incidents);
	free(r->procs);
	free(r->event_proc);
	memset(r, 0, sizeof(*r));
}
