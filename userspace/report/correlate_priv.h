/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_CORRELATE_PRIV_H
#define FAULTLINE_CORRELATE_PRIV_H

#include <stdbool.h>

#include "report/correlate.h"

#define CL_NONE UINT32_MAX
#define CL_GRACE_NS 1000000000LL	/* /proc start times vs event times */

/* Process instances: metadata first, then instances inferred from events. */
struct cl_procs {
	struct cl_process *v;
	size_t n, cap, nmeta;
	uint64_t *synth_keys;	/* (pid << 32 | comm) -> synth_ids, open addressing */
	uint32_t *synth_ids;
	size_t synth_slots;
	uint32_t *by_port;	/* metadata instances listening, sorted by port */
	size_t nby_port;
};

int cl_procs_init(struct cl_procs *p, const struct cl_process *meta, size_t n);
void cl_procs_release(struct cl_procs *p);	/* keeps p->v (handed to the result) */
/* The instance of @pid at @t; inferred (keyed by comm) when metadata has none. */
uint32_t cl_procs_resolve(struct cl_procs *p, uint32_t pid, int64_t t, uint32_t comm);
/* The metadata instance of @pid alive at @t, or CL_NONE. */
uint32_t cl_procs_find(const struct cl_procs *p, uint32_t pid, int64_t t);
/* Who listened on @port at @t, or most recently within @window before it. */
uint32_t cl_procs_port_owner(const struct cl_procs *p, uint16_t port, int64_t t,
			     int64_t window);

/* Ranking and impact, once events are grouped. */
void cl_rank_incident(const struct cl_input *in, const uint32_t *event_proc,
		      struct cl_incident *inc);

#endif
