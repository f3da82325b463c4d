// SPDX-License-Identifier: GPL-2.0
/* Process metadata records: one instance per (pid, start), updates merged. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "record/recording.h"
#include "report/report_model.h"

static const char *str(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static uint32_t intern(struct report_model *m, const char *s)
{
	return s && *s ? strmap__id(m->strs, s, NULL) : 0;
}

static int64_t time_of(const cJSON *o, const char *name)
{
	int64_t t;

	return rec_time_parse(str(o, name), &t) ? 0 : t;
}

static void parse_ports(struct cl_process *p, const cJSON *listen)
{
	const cJSON *l;

	cJSON_ArrayForEach(l, listen) {
		const cJSON *port = cJSON_GetObjectItemCaseSensitive(l, "port");

		if (!cJSON_IsNumber(port) || p->nports >= 16)
			continue;
		p->ports[p->nports++] = rec_json_uint(port, UINT16_MAX);
	}
}

int report_model_add_process(struct report_model *m, const cJSON *rec)
{
	struct cl_process p = { 0 };
	const cJSON *pid = cJSON_GetObjectItemCaseSensitive(rec, "pid");

	if (!cJSON_IsNumber(pid))
		return 0;
	p.pid = rec_json_uint(pid, UINT32_MAX);
	p.ppid = rec_json_uint(cJSON_GetObjectItemCaseSensitive(rec, "ppid"), UINT32_MAX);
	p.start_ns = time_of(rec, "start");
	p.exit_ns = time_of(rec, "exit");
	p.comm = intern(m, str(rec, "comm"));
	p.cgroup = intern(m, str(rec, "cgroup"));
	p.cmdline = intern(m, str(rec, "cmdline"));
	parse_ports(&p, cJSON_GetObjectItemCaseSensitive(rec, "listen"));
	if (VEC_RESERVE(m->procs, m->procs_cap, m->nprocs + 1))
		return -ENOMEM;
	m->procs[m->nprocs++] = p;
	return 0;
}

static int cmp_proc(const void *a, const void *b)
{
	const struct cl_process *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->start_ns > y->start_ns) - (x->start_ns < y->start_ns);
}

static void merge_into(struct cl_process *dst, const struct cl_process *src)
{
	if (src->exit_ns)
		dst->exit_ns = src->exit_ns;
	if (src->comm)
		dst->comm = src->comm;
	if (src->cmdline)
		dst->cmdline = src->cmdline;
	if (src->cgroup)
		dst->cgroup = src->cgroup;
	if (src->ppid)
		dst->ppid = src->ppid;
	for (int i = 0; i < src->nports; i++) {
		int k = 0;

		while (k < dst->nports && dst->ports[k] != src->ports[i])
			k++;
		if (k == dst->nports && dst->nports < 16)
			dst->ports[dst->nports++] = src->ports[i];
	}
}

/* Later records of an instance (exit, new ports) update the first one. */
void report_model_merge_processes(struct report_model *m)
{
	size_t out = 0;

	if (!m->nprocs)
		return;
	/* qsort is not stable, but merging is commutative except for strings. */
	qsort(m->procs, m->nprocs, sizeof(*m->procs), cmp_proc);
	for (size_t i = 0; i < m->nprocs; i++) {
		if (out && m->procs[out - 1].pid == m->procs[i].pid &&
		    m->procs[out - 1].start_ns == m->procs[i].start_ns) {
			merge_into(&m->procs[out - 1], &m->procs[i]);
			continue;
		}
		m->procs[out++] = m->procs[i];
	}
	m->nprocs = out;
}
