// SPDX-License-Identifier: GPL-2.0
/* faultline report: a recording turned into incidents (text, JSON or HTML). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "report/correlate.h"
#include "base/log.h"
#include "base/outfile.h"
#include "record/recording_write.h"
#include "report/report.h"
#include "report/report_model.h"

enum report_format { FMT_TEXT, FMT_JSON, FMT_HTML, FMT_UNSET };

struct report_args {
	const char *input, *output;
	enum report_format format;
};

static void report_usage(void)
{
	printf("Usage: faultline report FILE [--format text|json|html] [-o OUT]\n\n"
	       "Turns a recording (faultline record) into incidents: events grouped by cause,\n"
	       "each with its probable root cause, evidence, impact, next steps and timeline.\n"
	       "A truncated recording (FILE.partial of a recorder that did not stop cleanly)\n"
	       "is read up to its last complete record, and the report says so.\n\n"
	       "  -f, --format FMT  text (default), json, or html (self-contained, with flame\n"
	       "                    graphs); inferred from the -o extension when not given\n"
	       "  -o, --output OUT  write to OUT (atomically) instead of stdout\n"
	       "  -v                more messages\n"
	       "  -h, --help        this help\n");
}

static enum report_format parse_format(const char *s)
{
	if (!strcmp(s, "text"))
		return FMT_TEXT;
	if (!strcmp(s, "json"))
		return FMT_JSON;
	if (!strcmp(s, "html"))
		return FMT_HTML;
	return FMT_UNSET;
}

static enum report_format format_of_path(const char *path)
{
	const char *dot = path ? strrchr(path, '.') : NULL;

	if (dot && !strcmp(dot, ".json"))
		return FMT_JSON;
	if (dot && (!strcmp(dot, ".html") || !strcmp(dot, ".htm")))
		return FMT_HTML;
	return FMT_TEXT;
}

static int parse_args(int argc, char **argv, struct report_args *a)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	a->format = FMT_UNSET;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":f:o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a->format = parse_format(optarg);
			if (a->format == FMT_UNSET)
				return cli_usage_error("report", "unknown format '%s' (text, json, "
						       "html)", optarg);
			break;
		case 'o': a->output = optarg; break;
		case 'v': log_verbosity++; break;
		case 'h': report_usage(); return -1;
		default: return cli_bad_option("report", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("report", "missing the recording FILE");
	a->input = argv[optind++];
	if (optind < argc)
		return cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
	if (a->format == FMT_UNSET)
		a->format = format_of_path(a->output);
	return 0;
}

static int render(const cJSON *doc, const struct report_model *m, enum report_format fmt,
		  FILE *out)
{
	char *text;
	int err;

	switch (fmt) {
	case FMT_JSON:
		text = cJSON_Print(doc);
		if (!text)
			return -ENOMEM;
		err = fputs(text, out) < 0 || fputc('\n', out) == EOF ? -EIO : 0;
		free(text);
		return err;
	case FMT_HTML:
		return report_html(doc, m, out);
	default:
		return report_text(doc, out);
	}
}

static int write_report(const cJSON *doc, const struct report_model *m,
			const struct report_args *a)
{
	const char *path = a->output ? a->output : "-";
	struct outfile *out;
	int err;

	err = outfile_same_file(path, a->input) ? -OUTFILE_EINPUT : outfile__open(path, &out);
	if (err) {
		log_error("report: cannot write %s: %s", path, outfile__strerror(err));
		return 1;
	}
	err = render(doc, m, a->format, outfile__stream(out));
	if (err) {
		outfile__abort(out);
		log_error("report: writing %s failed: %s", path, strerror(-err));
		return 1;
	}
	err = outfile__commit(out);
	if (err) {
		log_error("report: writing %s failed: %s", path, outfile__strerror(err));
		return 1;
	}
	return 0;
}

static int correlate_model(struct report_model *m, struct cl_result *res)
{
	struct cl_input in = {
		.events = m->events, .nevents = m->nevents,
		.procs = m->procs, .nprocs = m->nprocs, .strs = m->strs,
	};

	return cl_correlate(&in, res);
}

int cmd_report(int argc, char **argv)
{
	struct report_args a = { 0 };
	struct report_model m;
	struct cl_result res = { 0 };
	cJSON *doc = NULL;
	int64_t t0, t1, t2 = 0;
	char why[256];
	int rc = parse_args(argc, argv, &a);

	if (rc)
		return rc < 0 ? 0 : rc;
	t0 = rec_now_mono_ns();
	if (report_model_load(&m, a.input, why, sizeof(why))) {
		log_error("report: cannot read recording %s: %s", a.input, why);
		report_model_free(&m);
		return 1;
	}
	if (!m.status.complete)
		pr_warn("report: %s is %s (%s): reporting what it holds\n", a.input,
			m.status.corrupt ? "damaged" : "truncated", m.status.why);
	rc = 1;
	t1 = rec_now_mono_ns();
	if (correlate_model(&m, &res))
		log_error("report: correlating events: %s", strerror(ENOMEM));
	else if (t2 = rec_now_mono_ns(), !(doc = report_build(&m, &res)))
		log_error("report: building the report: %s", strerror(ENOMEM));
	else
		rc = write_report(doc, &m, &a);
	pr_info("report: %zu events, %zu incidents; read %.2f s, correlated %.2f s, "
		"wrote %.2f s\n", m.nevents, res.nincidents, (t1 - t0) / 1e9,
		t2 ? (t2 - t1) / 1e9 : 0, t2 ? (rec_now_mono_ns() - t2) / 1e9 : 0);
	cJSON_Delete(doc);
	cl_result_free(&res);
	report_model_free(&m);
	return rc;
}
