// SPDX-License-Identifier: GPL-2.0
/*
 * `faultline report` on a recording someone else handed over: the bytes go
 * through the same steps cmd_report takes (load, correlate, build, render as
 * text, JSON and HTML), from a memfd as the reader wants a regular file.
 */
#include "fuzz_common.h"

#include "base/log.h"
#include "report/report.h"

static void render(const cJSON *doc, const struct report_model *m)
{
	FILE *out = fopen("/dev/null", "we");
	char *json;

	if (!out)
		abort();
	report_text(doc, out);
	report_html(doc, m, out);
	json = cJSON_Print(doc);
	if (json)
		fputs(json, out);
	free(json);
	fclose(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_model m;
	struct cl_input in;
	struct cl_result res = { 0 };
	char path[64], why[256];
	cJSON *doc;
	int fd;

	log_verbosity = -1;	/* the "truncated recording" warnings are expected */
	fd = fuzz_memfd("recording", data, size, path, sizeof(path));
	if (report_model_load(&m, path, why, sizeof(why))) {
		report_model_free(&m);
		close(fd);
		return 0;
	}
	in = (struct cl_input){ .events = m.events, .nevents = m.nevents, .procs = m.procs,
				.nprocs = m.nprocs, .strs = m.strs };
	if (!cl_correlate(&in, &res)) {
		doc = report_build(&m, &res);
		if (doc)
			render(doc, &m);
		cJSON_Delete(doc);
	}
	cl_result_free(&res);
	report_model_free(&m);
	close(fd);
	return 0;
}
