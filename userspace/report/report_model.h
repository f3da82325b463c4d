/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_REPORT_MODEL_H
#define FAULTLINE_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "report/correlate.h"
#include "record/recording_read.h"

/*
 * A recording loaded for the report, compactly: events reduced to what
 * correlation needs (the full objects are fetched again by offset for the
 * few the report shows), process metadata, losses and profile buckets.
 */
struct report_loss {
	int64_t time_ns;
	uint64_t count;
	uint32_t source, reason;	/* string ids */
};

struct report_sample {
	uint32_t pstack;
	uint32_t count;
};

struct report_bucket {
	int64_t start_ns;
	uint64_t duration_ns;
	uint64_t lost;
	size_t first, n;	/* in report_model.samples */
};

/* A heap_summary or rss_growth event: read again only for an OOM incident. */
struct report_memsum {
	int64_t time_ns;
	uint64_t ref;		/* its offset in the recording */
	uint32_t pid;
	uint32_t cgroup;	/* string id, 0 when unknown */
	bool heap;		/* heap_summary (live heap), else rss_growth */
};

/* An off-CPU sample: a pstack (blocked frames, "--", the waker's) with its time and waits. */
struct report_osample {
	uint32_t pstack;
	uint32_t waits;
	uint64_t us;
};

struct report_obucket {
	int64_t start_ns;
	uint64_t duration_ns;
	char state;		/* 'S' or 'D' */
	size_t first, n;	/* in report_model.osamples */
};

struct report_model {
	char *path;
	struct rec_reader *reader;	/* at its end; keeps the stack definitions */
	struct rec_status status;
	struct strmap *strs;
	struct cl_event *events;
	size_t nevents, events_cap;
	uint64_t bad_events;		/* event records without a usable time/type */
	struct cl_process *procs;
	size_t nprocs, procs_cap;
	struct report_loss *losses;
	size_t nlosses, losses_cap;
	struct report_bucket *buckets;
	size_t nbuckets, buckets_cap;
	struct report_sample *samples;
	size_t nsamples, samples_cap;
	struct report_memsum *memsums;
	size_t nmemsums, memsums_cap;
	struct report_obucket *obuckets;	/* off-CPU time (recording version 2) */
	size_t nobuckets, obuckets_cap;
	struct report_osample *osamples;
	size_t nosamples, osamples_cap;
	uint64_t period_ns;
	int64_t start_ns, end_ns;	/* what the recording covers */
	uint32_t *stack_where;		/* per stack id: string id of its named frame */
	size_t nstack_where;
	char **local_addrs;		/* from the header: addresses of the recorded host */
	int nlocal;
};

/* -errno with a reason in @why (the file is unusable); 0 also for a damaged file. */
int report_model_load(struct report_model *m, const char *path, char *why, size_t len);
void report_model_free(struct report_model *m);

/*
 * The full event objects (as watch prints them) at @offsets, ascending:
 * @out[k] is a new object or NULL when it could not be read again.
 */
int report_model_fetch(const struct report_model *m, const uint64_t *offsets, size_t n,
		       cJSON **out);

/* Internal to report_model*.c: one event record into m->events. */
int report_model_add_event(struct report_model *m, const cJSON *ev, uint64_t offset);
int report_model_add_process(struct report_model *m, const cJSON *rec);
/* One offcpu record into m->obuckets (report_offcpu.c). */
int report_model_add_offcpu(struct report_model *m, const cJSON *rec);

/* Off-CPU time of one (pstack, state) in a window. */
struct report_offcpu_stack {
	uint32_t pstack;
	char state;
	uint64_t us, waits;
};

/* The (pstack, state)s of threads @pids (none: all) in [@start, @end), longest first. */
int report_offcpu_window(const struct report_model *m, int64_t start, int64_t end,
			 const uint32_t *pids, size_t npids, struct report_offcpu_stack **out,
			 size_t *n);
/*
 * {window_start, window_end, tids, total_ms, stacks_total, top: [{ms, waits,
 * state, pid, tid, comm, stack, reason, where, waker: {comm, where, stack}}]};
 * NULL without off-CPU data.
 */
cJSON *report_offcpu_json(const struct report_model *m, int64_t start, int64_t end,
			  const uint32_t *pids, size_t npids);
/* That of a latency incident (slow syscalls): their threads and window; NULL if none. */
cJSON *report_incident_offcpu(const struct report_model *m, const struct cl_incident *inc);
void report_model_merge_processes(struct report_model *m);
/* The leaf-most named frame outside the C library and the kernel, or NULL. */
const char *report_stack_where(const cJSON *frames);
bool report_addr_is_local(const struct report_model *m, const char *addr);

#endif
