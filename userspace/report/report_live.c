// SPDX-License-Identifier: GPL-2.0
/*
 * `faultline watch --incidents`: incidents as they form. The events are
 * recorded to a temporary recording; every scan (~2 s) the flushed file is
 * correlated again and new or growing incidents get one line each; at the
 * end the full text report is printed and the recording removed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/vec.h"
#include "base/log.h"
#include "record/recording_run.h"
#include "report/report.h"
#include "report/report_live.h"

struct seen {
	uint64_t root_ref;	/* offset of the root event: stable as the file grows */
	size_t nevents;
};

struct live {
	struct seen *v;
	size_t n, cap;
	FILE *out;
};

static struct seen *find_seen(struct live *l, uint64_t ref)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].root_ref == ref)
			return &l->v[i];
	if (VEC_RESERVE(l->v, l->cap, l->n + 1))
		return NULL;
	l->v[l->n] = (struct seen){ ref, 0 };
	return &l->v[l->n++];
}

static void print_change(struct live *l, const cJSON *inc, size_t before)
{
	const cJSON *im = cJSON_GetObjectItemCaseSensitive(inc, "impact");
	const char *end = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(inc, "end"));
	double n = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(inc, "events"));
	char clock[32], impact[512];

	report_clock(end, clock, sizeof(clock));
	report_impact_line(im, impact, sizeof(impact));
	fprintf(l->out, "%s %s [%s] %s: %s (%.0f events)\n", clock,
		before ? "GROWS" : "NEW  ",
		cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(inc, "severity")),
		cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(inc, "title")), impact, n);
}

static void announce(struct live *l, const struct report_model *m, const struct cl_result *res,
		     const cJSON *doc)
{
	const cJSON *incs = cJSON_GetObjectItemCaseSensitive(doc, "incidents");

	for (size_t k = 0; k < res->nincidents; k++) {
		const struct cl_incident *inc = &res->incidents[k];
		struct seen *s = find_seen(l, m->events[inc->root].ref);

		if (!s || s->nevents == inc->nevents)
			continue;
		print_change(l, cJSON_GetArrayItem(incs, (int)k), s->nevents);
		s->nevents = inc->nevents;
	}
	fflush(l->out);
}

static void live_update(void *arg, const char *path, bool last)
{
	struct live *l = arg;
	struct report_model m;
	struct cl_result res = { 0 };
	struct cl_input in;
	cJSON *doc = NULL;
	char why[256];

	if (report_model_load(&m, path, why, sizeof(why))) {
		pr_warn("watch: cannot read back the live recording: %s\n", why);
		report_model_free(&m);
		return;
	}
	if (last) {
		/* The recorder is still running and has flushed: not a truncation. */
		m.status.complete = true;
		m.status.truncated = false;
		m.status.why[0] = '\0';
	}

	in = (struct cl_input){ .events = m.events, .nevents = m.nevents, .procs = m.procs,
				.nprocs = m.nprocs, .strs = m.strs };
	if (!cl_correlate(&in, &res))
		doc = report_build(&m, &res);
	if (doc && last) {
		/* The temporary file is gone once this returns. */
		cJSON *rec = cJSON_GetObjectItemCaseSensitive(doc, "recording");

		cJSON_ReplaceItemInObject(rec, "path", cJSON_CreateString("(live)"));
		fputs("\n", l->out);
		report_text(doc, l->out);
	} else if (doc) {
		announce(l, &m, &res, doc);
	}
	cJSON_Delete(doc);
	cl_result_free(&res);
	report_model_free(&m);
}

int report_live_run(const struct watch_opts *o)
{
	char dir[] = "/tmp/faultline-live.XXXXXX", path[64];
	struct live l = { .out = stdout };
	struct record_opts ro = { .watch = *o, .bucket_ns = 1000000000ULL,
				  .on_flush = live_update, .flush_arg = &l, .no_summary = true };
	int rc;

	if (!mkdtemp(dir)) {
		log_error("watch: cannot create a directory in /tmp: %s", strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/live.rec", dir);
	snprintf(ro.command, sizeof(ro.command), "faultline watch --incidents");
	ro.out_path = path;
	setvbuf(stdout, NULL, _IOLBF, 0);
	rc = record_run(&ro);
	unlink(path);
	snprintf(path, sizeof(path), "%s/live.rec.partial", dir);
	unlink(path);
	rmdir(dir);
	free(l.v);
	return rc;
}
