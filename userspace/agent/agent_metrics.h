/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_AGENT_METRICS_H
#define FAULTLINE_AGENT_METRICS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The agent's counters and their Prometheus text exposition (format 0.0.4).
 * The poll loop writes them and the HTTP thread renders them: every call
 * takes the one lock. Comms are chosen by other users, so they are bounded
 * (the top N by count get their own series, the rest are comm="other") and
 * escaped.
 */
struct agent_metrics;

#define AGENT_DEFAULT_TOP_COMMS	20
#define AGENT_MAX_TOP_COMMS	1000

/* What /proc/self says of the agent (agent_procstat.c); ok false when unreadable. */
struct agent_procstat {
	bool ok;
	double cpu_seconds;
	uint64_t resident_bytes, virtual_bytes;
	long open_fds, max_fds;
	double start_time_s;		/* since the epoch */
};

struct agent_metrics *agent_metrics__new(unsigned int top_comms, const char *version);
void agent_metrics__free(struct agent_metrics *m);	/* NULL-safe */

/* One event of @type (a static string) from @comm. */
void agent_metrics__event(struct agent_metrics *m, const char *type, const char *comm);
/* The running total of what @source lost for @reason (both static strings). */
void agent_metrics__set_lost(struct agent_metrics *m, const char *source, const char *reason,
			     uint64_t total);
void agent_metrics__set_samples(struct agent_metrics *m, uint64_t total);
/* The profile rate now (0: not profiling). */
void agent_metrics__set_rate(struct agent_metrics *m, unsigned int hz);
void agent_metrics__set_top(struct agent_metrics *m, unsigned int top_comms);

/* What became of rows for the store (agent_ch.c). */
enum agent_sink_result {
	SINK_SENT,		/* inserted */
	SINK_SPOOLED,		/* kept on disk for later */
	SINK_RESENT,		/* inserted from the spool */
	SINK_DROPPED,		/* lost: the spool was full or unwritable */
	SINK__RESULTS,
};

/* @rows more rows of @table ("events", "stacks", "samples") ended as @result. */
void agent_metrics__sink_rows(struct agent_metrics *m, const char *table,
			      enum agent_sink_result result, uint64_t rows);
void agent_metrics__set_spool(struct agent_metrics *m, uint64_t bytes);

/* The exposition, a new string (NULL when out of memory); @ps may be NULL. */
char *agent_metrics__render(struct agent_metrics *m, const struct agent_procstat *ps);

/* Reads /proc/self into @ps; 0 or -errno (ps->ok says which). */
int agent_procstat_read(struct agent_procstat *ps);

/* Label value escaping of the exposition format: \ " and newline; @out holds 2*len+1. */
void agent_label_escape(const char *in, char *out, size_t outlen);

#endif
