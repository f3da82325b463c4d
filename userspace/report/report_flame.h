/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_REPORT_FLAME_H
#define FAULTLINE_REPORT_FLAME_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>

#include "report/report_model.h"
#include "output/stack_profile.h"

/*
 * CPU samples of an incident window merged into one call tree, with the
 * same tree's counts from the minutes before the window (the baseline), for
 * a flame graph and a differential one (red grew, blue shrank).
 */
#define FLAME_MARGIN_NS (1000000000LL)
#define FLAME_BASELINE_NS (300 * 1000000000LL)

struct flame_node {
	const char *name;	/* owned by the recording's reader */
	uint32_t child, next;	/* first child and next sibling; 0 = none */
	uint64_t count, base;	/* window and baseline samples, inclusive */
	uint8_t kernel;
};

struct flame {
	struct flame_node *n;	/* n[0] is the root ("all") */
	size_t nn, cap;
	uint64_t total, base_total;
	int64_t start, end, base_start;
};

int flame_build(struct flame *f, const struct report_model *m, int64_t start, int64_t end);
void flame_free(struct flame *f);

/* An <svg> element; @diff colours by change against the baseline. */
int flame_svg(const struct flame *f, bool diff, const char *title, FILE *out);

/* {"samples", "baseline_samples", "grew": [...], "shrank": [...]} by self time. */
cJSON *report_profile_json(const struct report_model *m, int64_t start, int64_t end);

/*
 * The window of @fl as a profile for the profile writers: stacks and
 * strings point into @m's reader. Free with flame_profile_free().
 */
int flame_profile(const struct report_model *m, const struct flame *fl, struct profile_data *out);
void flame_profile_free(struct profile_data *p);
/* Off-CPU time of threads @tids in [@start, @end) (blocked stacks, "--", wakers), in us. */
int flame_offcpu_profile(const struct report_model *m, int64_t start, int64_t end,
			 const uint32_t *tids, size_t ntids, struct profile_data *out);
/* Adds each profile stack's samples in @fl's window to @win[id] (@nids ids). */
void flame_window_counts(const struct report_model *m, const struct flame *fl, uint64_t *win,
			 uint32_t nids);

/* Writes @s escaped for XML and HTML text and attribute values. */
void report_escape(FILE *out, const char *s);

#endif
