// SPDX-License-Identifier: GPL-2.0
/* faultline report: a recording turned into incidents (text, JSON or HTML). */
#include <errno.h>
#include <stdint.h>
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
#include "report/report_filter.h"
#include "report/report_model.h"

enum report_format { FMT_TEXT, FMT_JSON, FMT_HTML, FMT_UNSET };

struct report_args {
	const char *input, *output;
	enum report_format format;
	struct report_filter filter;
};

enum { OPT_PID = 256, OPT_COMM, OPT_SINCE, OPT_UNTIL, OPT_INCIDENT };

static void report_usage(void)
{
	printf("Usage: faultline report FILE [--format text|json|html] [-o OUT] [--pid PID]...\n"
	       "                        [--comm NAME]... [--since TIME] [--until TIME]\n"
	       "                        [--incident ID]...\n\n"
	       "Turns a recording (faultline record) into incidents: events grouped by cause,\n"
	       "each with its probable root cause, evidence, impact, next steps and timeline.\n"
	       "A truncated recording (FILE.partial of a recorder that did not stop cleanly)\n"
	       "is read up to its last complete record, and the report says so.\n\n"
	       "  -f, --format FMT  text (default), json, or html (self-contained, with flame\n"
	       "                    graphs); without it, from OUT's extension: .txt, .json,\n"
	       "                    .html/.htm (others need --format)\n"
	       "  -o, --output OUT  write to OUT (atomically) instead of stdout\n"
	       "\n"
	       "Filters choose the incidents shown; events are correlated over the whole\n"
	       "recording first, so an incident keeps its ID, events and impact. Repeated,\n"
	       "an option's values are alternatives; different options must all match.\n"
	       "      --pid PID     incidents involving this process (root cause, affected,\n"
	       "                    OOM victim, port owner or refused client)\n"
	       "      --comm NAME   incidents involving a process or thread of this name\n"
	       "      --since TIME  incidents still going on at TIME or later\n"
	       "      --until TIME  incidents that started by TIME\n"
	       "                    TIME: seconds into the recording (90, 2.5), a UTC time of\n"
	       "                    day as the report prints it (14:03:12, its first occurrence\n"
	       "                    from 12 h before the recording's start), or RFC 3339\n"
	       "      --incident ID the incident numbered ID in the unfiltered report\n"
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

/* Only extensions that name one format: anything else would be a guess. */
static enum report_format format_of_path(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot || strchr(dot, '/'))
		return FMT_UNSET;
	if (!strcmp(dot, ".txt"))
		return FMT_TEXT;
	if (!strcmp(dot, ".json"))
		return FMT_JSON;
	if (!strcmp(dot, ".html") || !strcmp(dot, ".htm"))
		return FMT_HTML;
	return FMT_UNSET;
}

static int add_filter(struct report_filter *f, int c, const char *arg)
{
	long v;

	if ((c == OPT_PID && f->npids == REPORT_FILTER_MAX) ||
	    (c == OPT_COMM && f->ncomms == REPORT_FILTER_MAX) ||
	    (c == OPT_INCIDENT && f->nids == REPORT_FILTER_MAX))
		return cli_usage_error("report", "at most %d of each filter", REPORT_FILTER_MAX);
	switch (c) {
	case OPT_PID:
		if (!cli_parse_long(arg, 1, INT32_MAX, &v))
			return cli_usage_error("report", "invalid --pid '%s'", arg);
		f->pids[f->npids++] = v;
		return 0;
	case OPT_INCIDENT:
		if (!cli_parse_long(arg, 1, INT32_MAX, &v))
			return cli_usage_error("report", "invalid --incident '%s'", arg);
		f->ids[f->nids++] = v;
		return 0;
	case OPT_COMM:
		f->comms[f->ncomms++] = arg;
		return 0;
	}
	if (report_time_parse(arg, c == OPT_SINCE ? &f->since : &f->until))
		return cli_usage_error("report", "invalid --%s '%s' (seconds into the recording, "
				       "HH:MM:SS UTC, or RFC 3339)",
				       c == OPT_SINCE ? "since" : "until", arg);
	return 0;
}

static int check_args(int argc, char **argv, struct report_args *a)
{
	if (optind >= argc)
		return cli_usage_error("report", "missing the recording FILE");
	a->input = argv[optind++];
	if (optind < argc)
		return cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
	if (a->format != FMT_UNSET)
		return 0;
	a->format = a->output ? format_of_path(a->output) : FMT_TEXT;
	if (a->format == FMT_UNSET)
		return cli_usage_error("report", "cannot tell the format from '%s': add --format "
				       "text|json|html", a->output);
	return 0;
}

static int parse_args(int argc, char **argv, struct report_args *a)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "comm", required_argument, NULL, OPT_COMM },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "incident", required_argument, NULL, OPT_INCIDENT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c, err;

	a->format = FMT_UNSET;
	optind = 1;
	opterr = 0;
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
		case '?': case ':': return cli_bad_option("report", c, argv);
		default:
			err = add_filter(&a->filter, c, optarg);
			if (err)
				return err;
		}
	}
	return check_args(argc, argv, a);
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

/* Correlation over the whole recording, then only the incidents the filters select. */
static cJSON *build_doc(struct report_model *m, struct cl_result *res,
			const struct report_filter *f)
{
	bool filtered = report_filter_active(f);
	size_t total = res->nincidents;
	cJSON *doc;

	if (filtered)
		report_filter_apply(f, m, res);
	doc = report_build(m, res);
	if (doc && filtered && !cJSON_AddItemToObject(doc, "filter",
						      report_filter_json(f, m, total))) {
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
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
	else if (t2 = rec_now_mono_ns(), !(doc = build_doc(&m, &res, &a.filter)))
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
