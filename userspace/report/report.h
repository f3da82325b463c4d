/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_REPORT_H
#define FAULTLINE_REPORT_H

#include <stdarg.h>
#include <stdio.h>
#include <cjson/cJSON.h>

#include "report/correlate.h"
#include "report/report_model.h"

/*
 * The report as one JSON document (docs/report.md): what `--format json`
 * prints and what the text and HTML renderers lay out.
 */
cJSON *report_build(struct report_model *m, const struct cl_result *res);

int report_text(const cJSON *doc, FILE *out);
int report_html(const cJSON *doc, const struct report_model *m, FILE *out);

/* Pieces of report_build, shared by its files. */
#define REPORT_MAX_ENTRIES 60	/* timeline entries per incident before eliding */

struct report_entry {
	uint32_t first, last;	/* event indices (model order) of a run of alike events */
	uint32_t count;
	/* the run's cl_event values (slow: µs, dropped: packets): one is not all */
	uint64_t vmin, vmax, vp50, vsum;
};

/* Runs of alike events in @inc, elided in the middle beyond REPORT_MAX_ENTRIES. */
int report_entries(const struct report_model *m, const struct cl_result *res,
		   const struct cl_incident *inc, struct report_entry **out, size_t *n,
		   size_t *omitted);

/* Headline, evidence and next steps for an incident, from its root event. */
struct report_facts {
	const cJSON *root;	/* full root event */
	const cJSON *leaks;	/* leak_sites of the latest fd event, or NULL */
	const struct cl_incident *inc;
	const struct cl_event *root_ev;
	const char *root_comm;
	const char *where;	/* named frame of the root's stack, or NULL */
	const cJSON *growth;	/* oom_kill: memory_growth, or NULL */
	const cJSON *off_cpu;	/* latency incidents: report_incident_offcpu(), or NULL */
	int64_t window_start_ns;
};

char *report_title(const struct report_facts *f);
cJSON *report_evidence(const struct report_facts *f);
cJSON *report_next_steps(const struct report_facts *f);

/* Signal incidents (report_signal.c): a crash only for faults and self-raised aborts. */
char *report_signal_title(const struct report_facts *f, const char *comm, int pid);
void report_signal_evidence(cJSON *arr, const struct report_facts *f);
void report_signal_steps(cJSON *arr, const struct report_facts *f);
/* "SIGTERM from timeout (pid 812), terminated" */
void report_signal_summary(const cJSON *ev, char *buf, size_t len);

/* memory_growth of an OOM incident (report_memory.c): at most this many stacks. */
#define REPORT_MEMORY_ROWS 5
/*
 * The stacks that grew @oom's victim and its memory cgroup, from the last
 * heap_summary (else rss_growth) of each of their processes up to the kill.
 * An empty array when none was recorded; NULL without memory.
 */
cJSON *report_memory_growth(const struct report_model *m, const struct cl_event *oom);
/*
 * Pure: the rows of the summary events @sums (heap_summary "live",
 * rss_growth "growth"), stacks of the same functions merged, largest kept
 * bytes first, at most @max, each with its share of the summaries' total.
 */
cJSON *report_memory_rank(const cJSON *const *sums, size_t n, size_t max);
/* "keep_site < main" from a stack: the named frame and two callers. */
void report_memory_path(const cJSON *stack, char *buf, size_t len);
/* The evidence and the next step memory_growth @growth (NULL: none) supports. */
void report_memory_evidence(cJSON *arr, const cJSON *growth);
void report_memory_steps(cJSON *arr, const cJSON *growth);
/*
 * Latency incidents (report_offcpu.c): where the slow call slept and who woke
 * it; next steps that name the wait (a lock and its holder, a pipe or socket
 * peer, the disk), none when the wait is not one of those.
 */
void report_latency_evidence(cJSON *arr, const struct report_facts *f);
void report_latency_steps(cJSON *arr, const struct report_facts *f, const char *syscall);

/* Appends a formatted line (up to 511 bytes) to a JSON array of strings. */
void report_add_vline(cJSON *arr, const char *fmt, va_list ap);

/* One line for a timeline: "accept4() EMFILE, 1024/1024 fds" (no time, no process). */
void report_event_summary(const cJSON *ev, char *buf, size_t len);
/* "270 refused connections from 40 clients on port 8080; 1 process killed" */
void report_impact_line(const cJSON *impact, char *buf, size_t len);
/* "14:03:12.123" from an RFC 3339 time. */
void report_clock(const char *rfc3339, char *buf, size_t len);

/* "1,019" */
void report_fmt_count(uint64_t v, char *buf, size_t len);
/* "+1.234s" relative to @base */
void report_fmt_rel(int64_t t, int64_t base, char *buf, size_t len);

#endif
