// SPDX-License-Identifier: GPL-2.0
/* Which process instance an event belongs to, and who owned a port. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "report/correlate_priv.h"

static int cmp_proc(const void *a, const void *b)
{
	const struct cl_process *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->start_ns > y->start_ns) - (x->start_ns < y->start_ns);
}

static const struct cl_process *g_sort_procs;	/* qsort has no context argument */

static int cmp_port(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint32_t px = g_sort_procs[x >> 4].ports[x & 15], py = g_sort_procs[y >> 4].ports[y & 15];

	return (px > py) - (px < py);
}

/* by_port holds (instance << 4 | port slot) so one process may own many ports. */
static int index_ports(struct cl_procs *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nmeta; i++)
		n += p->v[i].nports;
	p->by_port = calloc(n ? n : 1, sizeof(*p->by_port));
	if (!p->by_port)
		return -ENOMEM;
	for (size_t i = 0; i < p->nmeta; i++)
		for (int k = 0; k < p->v[i].nports && k < 16; k++)
			p->by_port[p->nby_port++] = (uint32_t)(i << 4 | k);
	g_sort_procs = p->v;
	qsort(p->by_port, p->nby_port, sizeof(*p->by_port), cmp_port);
	return 0;
}

int cl_procs_init(struct cl_procs *p, const struct cl_process *meta, size_t n)
{
	memset(p, 0, sizeof(*p));
	p->cap = n + 64;
	p->v = calloc(p->cap, sizeof(*p->v));
	p->synth_slots = 1024;
	p->synth_keys = calloc(p->synth_slots, sizeof(*p->synth_keys));
	p->synth_ids = calloc(p->synth_slots, sizeof(*p->synth_ids));
	if (!p->v || !p->synth_keys || !p->synth_ids)
		return -ENOMEM;
	if (n)
		memcpy(p->v, meta, n * sizeof(*meta));
	p->n = p->nmeta = n;
	for (size_t i = 0; i < n; i++)
		if (p->v[i].nports > 16)
			p->v[i].nports = 16;
	qsort(p->v, n, sizeof(*p->v), cmp_proc);
	return index_ports(p);
}

void cl_procs_release(struct cl_procs *p)
{
	free(p->synth_keys);
	free(p->synth_ids);
	free(p->by_port);
	p->synth_keys = NULL;
	p->synth_ids = NULL;
	p->by_port = NULL;
}

static bool alive_at(const struct cl_process *c, int64_t t)
{
	return (!c->start_ns || c->start_ns <= t + CL_GRACE_NS) &&
	       (!c->exit_ns || t <= c->exit_ns + CL_GRACE_NS);
}

uint32_t cl_procs_find(const struct cl_procs *p, uint32_t pid, int64_t t)
{
	size_t lo = 0, hi = p->nmeta;
	uint32_t best = CL_NONE;

	while (lo < hi) {	/* first instance of @pid */
		size_t mid = (lo + hi) / 2;

		if (p->v[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Sorted by start: the last live candidate is the most recent exec. */
	for (; lo < p->nmeta && p->v[lo].pid == pid; lo++)
		if (alive_at(&p->v[lo], t))
			best = lo;
	return best;
}

static int grow_synth(struct cl_procs *p)
{
	size_t n = p->synth_slots * 2;
	uint64_t *keys = calloc(n, sizeof(*keys));
	uint32_t *ids = calloc(n, sizeof(*ids));

	if (!keys || !ids) {
		free(keys);
		free(ids);
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->synth_slots; i++) {
		size_t j;

		if (!p->synth_keys[i])
			continue;
		for (j = p->synth_keys[i] * 0x9e3779b97f4a7c15ULL >> 20 & (n - 1); keys[j];)
			j = (j + 1) & (n - 1);
		keys[j] = p->synth_keys[i];
		ids[j] = p->synth_ids[i];
	}
	free(p->synth_keys);
	free(p->synth_ids);
	p->synth_keys = keys;
	p->synth_ids = ids;
	p->synth_slots = n;
	return 0;
}

static uint32_t add_instance(struct cl_procs *p, uint32_t pid, uint32_t comm)
{
	if (VEC_RESERVE(p->v, p->cap, p->n + 1))
		return CL_NONE;
	memset(&p->v[p->n], 0, sizeof(p->v[p->n]));
	p->v[p->n].pid = pid;
	p->v[p->n].comm = comm;
	return (uint32_t)p->n++;
}

/* Without metadata a pid is told apart from its reuse only by its command. */
static uint32_t synth_instance(struct cl_procs *p, uint32_t pid, uint32_t comm)
{
	uint64_t key = (uint64_t)pid << 32 | comm | 1ULL << 63;
	size_t mask, i;

	if ((p->n - p->nmeta + 1) * 2 > p->synth_slots && grow_synth(p))
		return CL_NONE;
	mask = p->synth_slots - 1;
	for (i = key * 0x9e3779b97f4a7c15ULL >> 20 & mask; p->synth_keys[i]; i = (i + 1) & mask)
		if (p->synth_keys[i] == key)
			return p->synth_ids[i];
	p->synth_ids[i] = add_instance(p, pid, comm);
	if (p->synth_ids[i] != CL_NONE)
		p->synth_keys[i] = key;
	return p->synth_ids[i];
}

uint32_t cl_procs_resolve(struct cl_procs *p, uint32_t pid, int64_t t, uint32_t comm)
{
	uint32_t i = cl_procs_find(p, pid, t);

	return i != CL_NONE ? i : synth_instance(p, pid, comm);
}

static uint16_t port_at(const struct cl_procs *p, size_t k)
{
	return p->v[p->by_port[k] >> 4].ports[p->by_port[k] & 15];
}

uint32_t cl_procs_port_owner(const struct cl_procs *p, uint16_t port, int64_t t,
			     int64_t window)
{
	uint32_t best = CL_NONE;
	int64_t best_exit = INT64_MIN;
	size_t lo = 0, hi = p->nby_port;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (port_at(p, mid) < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = lo; k < p->nby_port && port_at(p, k) == port; k++) {
		uint32_t i = p->by_port[k] >> 4;
		const struct cl_process *c = &p->v[i];

		if (alive_at(c, t))
			return i;
		if (c->exit_ns && c->exit_ns <= t && t - c->exit_ns <= window &&
		    c->exit_ns > best_exit) {
			best = i;
			best_exit = c->exit_ns;
		}
	}
	return best;
}
