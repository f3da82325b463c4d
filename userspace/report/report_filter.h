/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_REPORT_FILTER_H
#define FAULTLINE_REPORT_FILTER_H

/*
 * report --pid/--comm/--since/--until/--incident: which incidents are shown.
 * Correlation always runs on the whole recording, so an incident keeps its
 * id, its events and its impact whatever the filter; the filter only picks
 * incidents. Values of one option are alternatives; options combine (and).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "report/correlate.h"
#include "report/report_model.h"

#define REPORT_FILTER_MAX 16

enum report_time_kind {
	REPORT_TIME_NONE,
	REPORT_TIME_OFFSET,	/* seconds into the recording: "90", "2.5" */
	REPORT_TIME_CLOCK,	/* UTC time of day, as the report prints it: "14:03:12[.5]" */
	REPORT_TIME_ABSOLUTE,	/* RFC 3339: "2026-11-23T14:03:12Z" */
};

struct report_time {
	enum report_time_kind kind;
	int64_t ns;		/* offset, nanoseconds since 00:00 UTC, or wall clock */
};

struct report_filter {
	uint32_t pids[REPORT_FILTER_MAX];
	int npids;
	const char *comms[REPORT_FILTER_MAX];
	int ncomms;
	uint32_t ids[REPORT_FILTER_MAX];
	int nids;
	struct report_time since, until;
};

/* -EINVAL when @s is none of the report_time forms. */
int report_time_parse(const char *s, struct report_time *t);

/*
 * The wall clock @t stands for in a recording that starts at @start_ns: a
 * time of day is its first occurrence from 12 h before the start on.
 */
int64_t report_time_resolve(const struct report_time *t, int64_t start_ns);

bool report_filter_active(const struct report_filter *f);

/* Drops from @res the incidents @f does not select (freeing them); how many were kept. */
size_t report_filter_apply(const struct report_filter *f, const struct report_model *m,
			   struct cl_result *res);

/*
 * The "filter" object of the report: the values given, the window resolved
 * ("since"/"until" as RFC 3339), and "incidents_total" before filtering.
 */
cJSON *report_filter_json(const struct report_filter *f, const struct report_model *m,
			  size_t total);

/* "pid 42, since 2026-...Z: 1 of 4 incidents", for the text and HTML reports. */
void report_filter_describe(const cJSON *filter, size_t shown, char *buf, size_t len);

#endif
