// SPDX-License-Identifier: GPL-2.0
/* The overview strip of the HTML report: incidents, losses and truncation in time. */
#include <stdio.h>
#include <string.h>

#include "record/recording.h"
#include "report/html/report_html_priv.h"
#include "report/html/report_html_util.h"

#define OV_W 1200
#define OV_LABEL 260
#define OV_ROW 22
#define OV_TOP 30

struct axis {
	int64_t start, end;
};

static double xpos(const struct axis *a, const char *when)
{
	int64_t t;
	double span = (double)(a->end - a->start);

	if (rec_time_parse(when, &t) || span <= 0)
		return OV_LABEL;
	if (t < a->start)
		t = a->start;
	if (t > a->end)
		t = a->end;
	return OV_LABEL + (t - a->start) / span * (OV_W - OV_LABEL - 10);
}

static void row(const cJSON *inc, const struct axis *a, int y, FILE *out)
{
	double x0 = xpos(a, html_str(inc, "start")), x1 = xpos(a, html_str(inc, "end"));
	double xr = xpos(a, html_str(cJSON_GetObjectItemCaseSensitive(inc, "root_cause"), "time"));
	const char *sev = html_str(inc, "severity");
	const char *fill = sev[0] == 'c' ? "#c62828" : sev[0] == 'e' ? "#ef6c00" : "#f9a825";
	char label[40];

	fprintf(out, "<g data-goto=\"incident-%.0f\" style=\"cursor:pointer\"><title>",
		html_num(inc, "id"));
	html_text(out, html_str(inc, "title"));
	fprintf(out, "</title><text x=\"4\" y=\"%d\" font-size=\"12\">#%.0f ", y + 14,
		html_num(inc, "id"));
	/* The label column is narrow: the full title is in the card and the tooltip. */
	snprintf(label, sizeof(label), "%s", html_str(inc, "title"));
	if (strlen(label) > 36)
		strcpy(label + 33, "...");
	html_text(out, label);
	fprintf(out, "</text><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"14\" fill=\"%s\" "
		"opacity=\"0.75\"/>", x0, y + 3, x1 - x0 < 3 ? 3 : x1 - x0, fill);
	fprintf(out, "<path d=\"M%.1f %d l5 7 -5 7 -5 -7z\" fill=\"#000\"/></g>\n", xr, y + 3);
}

static void markers(const cJSON *doc, const struct axis *a, int height, FILE *out)
{
	const cJSON *rec = cJSON_GetObjectItemCaseSensitive(doc, "recording"), *l;

	cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(doc, "losses")) {
		double x = xpos(a, html_str(l, "time"));

		fprintf(out, "<g class=\"loss-marker\"><title>lost %.0f ", html_num(l, "count"));
		html_text(out, html_str(l, "source"));
		fputs(": ", out);
		html_text(out, html_str(l, "reason"));
		fprintf(out, "</title><path d=\"M%.1f %d l-5 -9 h10z\" fill=\"#d32f2f\"/>"
			"<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#d32f2f\" "
			"stroke-dasharray=\"2 3\"/></g>\n", x, OV_TOP - 2, x, x, OV_TOP, height);
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "complete")))
		return;
	fprintf(out, "<g class=\"truncation-marker\"><title>recording truncated here</title>"
		"<line x1=\"%d\" x2=\"%d\" y1=\"12\" y2=\"%d\" stroke=\"#d32f2f\" stroke-width=\"3\"/>"
		"<text x=\"%d\" y=\"12\" font-size=\"11\" text-anchor=\"end\" fill=\"#d32f2f\">"
		"data ends (truncated)</text></g>\n", OV_W - 10, OV_W - 10, height, OV_W - 14);
}

void html_overview(const cJSON *doc, const struct report_model *m, FILE *out)
{
	const cJSON *incs = cJSON_GetObjectItemCaseSensitive(doc, "incidents"), *inc;
	struct axis a = { m->start_ns, m->end_ns > m->start_ns ? m->end_ns : m->start_ns + 1 };
	int n = cJSON_GetArraySize(incs), height = OV_TOP + (n ? n : 1) * OV_ROW + 8, y = OV_TOP;
	char t0[40], t1[40];

	rec_time_format(a.start, t0, sizeof(t0));
	rec_time_format(a.end, t1, sizeof(t1));
	fprintf(out, "<section id=\"overview\"><h2>Timeline of the recording</h2>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ov\" viewBox=\"0 0 %d %d\" "
		"font-family=\"system-ui,sans-serif\">\n<rect width=\"100%%\" height=\"100%%\" "
		"fill=\"#fafafa\"/><text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>"
		"<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>\n",
		OV_W, height, OV_LABEL, OV_TOP - 12, t0, OV_W - 10, OV_TOP - 12, t1);
	cJSON_ArrayForEach(inc, incs) {
		row(inc, &a, y, out);
		y += OV_ROW;
	}
	markers(doc, &a, height, out);
	fputs("</svg></section>\n", out);
}
