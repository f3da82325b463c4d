// SPDX-License-Identifier: GPL-2.0
/*
 * The HTML report: one self-contained file (inline CSS, a few lines of
 * script, inline SVG flame graphs), readable offline. Every string from the
 * recording goes through report_escape().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "record/recording.h"
#include "report/report.h"
#include "report/report_filter.h"
#include "report/report_flame.h"
#include "report/html/report_html_priv.h"
#include "report/html/report_html_util.h"

static const char css[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1240px;padding:0 16px;"
	"color:#1d1d1f;background:#fff}h1{font-size:22px}h2{font-size:18px;margin:0 0 8px}"
	"h3{font-size:15px;margin:18px 0 6px}.meta{color:#555}"
	".banner{padding:8px 12px;border-radius:6px;margin:8px 0}"
	".warn{background:#fff3cd;border:1px solid #e0b400}.loss{background:#fde2e1;"
	"border:1px solid #d33}article{border:1px solid #ccc;border-radius:8px;padding:14px;"
	"margin:18px 0}article.critical{border-left:6px solid #c62828}"
	"article.error{border-left:6px solid #ef6c00}article.warning{border-left:6px solid #f9a825}"
	".sev{font-size:12px;text-transform:uppercase;padding:2px 6px;border-radius:4px;"
	"background:#eee;margin-right:6px}dl{display:grid;grid-template-columns:140px 1fr;gap:4px 12px}"
	"dt{font-weight:600;color:#444}dd{margin:0}table{border-collapse:collapse;width:100%}"
	"td,th{border-bottom:1px solid #eee;padding:2px 6px;text-align:left;vertical-align:top;"
	"font-size:13px}td.num{text-align:right}tr.marker td{background:#fde2e1;font-weight:600}"
	"code,.stack{font-family:ui-monospace,monospace;font-size:12.5px}"
	".flame{max-width:100%;height:auto;border:1px solid #eee}.ov{width:100%;height:auto}"
	"ol.steps li{margin:3px 0}";

static const char script[] =
	"window.addEventListener('error',function(e){document.body.setAttribute("
	"'data-js-error',String(e.message));});"
	"document.querySelectorAll('[data-goto]').forEach(function(el){el.addEventListener("
	"'click',function(){var t=document.getElementById(el.getAttribute('data-goto'));"
	"if(t)t.scrollIntoView();});});"
	"document.body.setAttribute('data-ready','1');";

static void header(const cJSON *doc, FILE *out)
{
	const cJSON *rec = cJSON_GetObjectItemCaseSensitive(doc, "recording"), *l;

	fputs("<header><h1>faultline report</h1><p class=\"meta\">", out);
	html_text(out, html_str(rec, "path"));
	fputs(" &#183; host ", out);
	html_text(out, html_str(rec, "host"));
	fputs(" &#183; kernel ", out);
	html_text(out, html_str(rec, "kernel"));
	fprintf(out, " &#183; %.0f events &#183; ", html_num(rec, "events"));
	html_text(out, html_str(rec, "start"));
	fputs(" to ", out);
	html_text(out, html_str(rec, "end"));
	fputs("</p>\n", out);
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "complete"))) {
		fputs("<p class=\"banner warn\" id=\"truncated\"><b>Incomplete recording:</b> ", out);
		html_text(out, html_str(rec, "problem"));
		fputs(". This report covers what was read, up to ", out);
		html_text(out, html_str(rec, "end"));
		fputs(".</p>\n", out);
	}
	cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(doc, "losses")) {
		fprintf(out, "<p class=\"banner loss\">Lost %.0f ", html_num(l, "count"));
		html_text(out, html_str(l, "source"));
		fputs(" at ", out);
		html_text(out, html_str(l, "time"));
		fputs(": ", out);
		html_text(out, html_str(l, "reason"));
		fputs("</p>\n", out);
	}
	fputs("</header>\n", out);
}

int report_html(const cJSON *doc, const struct report_model *m, FILE *out)
{
	const cJSON *incs = cJSON_GetObjectItemCaseSensitive(doc, "incidents"), *inc;
	const cJSON *rec = cJSON_GetObjectItemCaseSensitive(doc, "recording");
	const cJSON *filter = cJSON_GetObjectItemCaseSensitive(doc, "filter");
	char what[512];

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width\"><title>faultline report: ",
	      out);
	html_text(out, html_str(rec, "path"));
	fprintf(out, "</title><style>%s</style></head>\n<body>\n", css);
	header(doc, out);
	html_overview(doc, m, out);
	if (filter) {
		report_filter_describe(filter, cJSON_GetArraySize(incs), what, sizeof(what));
		fputs("<p id=\"filter\">Filter: ", out);
		html_text(out, what);
		fputs(" shown</p>\n", out);
	}
	if (!cJSON_GetArraySize(incs))
		fputs(filter ? "<p id=\"no-incidents\">No incident matches the filter.</p>\n" :
		      "<p id=\"no-incidents\">No incidents: no errors were recorded.</p>\n", out);
	cJSON_ArrayForEach(inc, incs)
		html_incident(inc, m, out);
	fprintf(out, "<script>%s</script>\n</body></html>\n", script);
	return ferror(out) ? -EIO : 0;
}
