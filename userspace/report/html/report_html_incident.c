// SPDX-License-Identifier: GPL-2.0
/* One incident card of the HTML report. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/recording.h"
#include "report/report.h"
#include "report/report_flame.h"
#include "report/html/report_html_priv.h"
#include "output/stack_profile.h"
#include "report/html/report_html_util.h"

static const cJSON *get(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

static void list(const char *tag, const cJSON *arr, FILE *out)
{
	const cJSON *s;

	fprintf(out, "<%s%s>", tag, strcmp(tag, "ol") ? "" : " class=\"steps\"");
	cJSON_ArrayForEach(s, arr) {
		fputs("<li>", out);
		html_text(out, cJSON_IsString(s) ? s->valuestring : html_str(s, "summary"));
		fputs("</li>", out);
	}
	fprintf(out, "</%s>\n", tag);
}

static bool kernel_frame(const cJSON *f)
{
	return !strncmp(html_str(f, "addr"), "0xffff", 6);
}

/* User frames (or kernel ones, @kernel), leaf first. */
static void stack_frames(const cJSON *frames, bool kernel, FILE *out)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, frames) {
		const char *sym = html_str(f, "symbol");

		if (kernel_frame(f) != kernel)
			continue;
		fputs("<li>", out);
		html_text(out, *sym ? sym : html_str(f, "addr"));
		if (*html_str(f, "module")) {
			fputs(" <span class=\"meta\">(", out);
			html_text(out, html_str(f, "module"));
			if (*html_str(f, "offset")) {
				fputs(" +", out);
				html_text(out, html_str(f, "offset"));
			}
			fputs(")</span>", out);
		}
		fputs("</li>", out);
	}
}

/* The user frames, where the fault is; the kernel's path folded away. */
static void stack(const cJSON *frames, FILE *out)
{
	const cJSON *f;
	int nkernel = 0;

	cJSON_ArrayForEach(f, frames)
		nkernel += kernel_frame(f);
	fputs("<ol class=\"stack\">", out);
	stack_frames(frames, false, out);
	fputs("</ol>\n", out);
	if (!nkernel)
		return;
	fprintf(out, "<details><summary>%d kernel frames</summary><ol class=\"stack\">",
		nkernel);
	stack_frames(frames, true, out);
	fputs("</ol></details>\n", out);
}

/* OOM: the stacks that grew the memory, each with its share and its whole stack. */
static void memory_growth(const cJSON *growth, FILE *out)
{
	const cJSON *r;
	char path[300];

	if (!cJSON_GetArraySize(growth))
		return;
	fputs("<dt>Memory grew at</dt><dd><table class=\"growth\"><tr><th>kept</th><th>share</th>"
	      "<th>grew at</th><th>process</th><th>source</th></tr>\n", out);
	cJSON_ArrayForEach(r, growth) {
		report_memory_path(get(r, "stack"), path, sizeof(path));
		fprintf(out, "<tr><td class=\"num\">%.1f MiB</td><td class=\"num\">%.1f%%</td>"
			"<td><details><summary>", html_num(r, "bytes") / 1048576,
			html_num(r, "share") * 100);
		html_text(out, path);
		fputs("</summary>", out);
		stack(get(r, "stack"), out);
		fputs("</details></td><td>", out);
		html_text(out, html_str(r, "comm"));
		fprintf(out, " (%.0f)</td><td>", html_num(r, "pid"));
		html_text(out, html_str(r, "source"));
		fputs("</td></tr>\n", out);
	}
	fputs("</table></dd>\n", out);
}

static void impact(const cJSON *im, FILE *out)
{
	char line[512];

	report_impact_line(im, line, sizeof(line));
	fputs("<dt>Impact</dt><dd class=\"impact\">", out);
	html_text(out, line);
	fputs("</dd>\n", out);
}

static void processes(const cJSON *procs, FILE *out)
{
	const cJSON *p;

	fputs("<table class=\"procs\"><tr><th>pid</th><th>command</th><th>role</th>"
	      "<th>cgroup</th><th>listening</th><th>exit</th></tr>\n", out);
	cJSON_ArrayForEach(p, procs) {
		const char *cmd = html_str(p, "cmdline");
		const cJSON *port;

		fprintf(out, "<tr><td class=\"num\">%.0f</td><td>", html_num(p, "pid"));
		html_text(out, *cmd ? cmd : html_str(p, "comm"));
		fputs("</td><td>", out);
		html_text(out, html_str(p, "role"));
		fputs("</td><td>", out);
		html_text(out, html_str(p, "cgroup"));
		fputs("</td><td>", out);
		cJSON_ArrayForEach(port, get(p, "listening_ports"))
			fprintf(out, "%.0f ", port->valuedouble);
		fputs("</td><td>", out);
		html_text(out, html_str(p, "exit"));
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void timeline(const cJSON *tl, FILE *out)
{
	const cJSON *e;
	char line[400], clock[32];

	fputs("<h3>Timeline</h3><table class=\"timeline\"><tr><th>+time</th><th>UTC</th>"
	      "<th>event</th><th>process</th><th>what</th><th>repeats</th></tr>\n", out);
	cJSON_ArrayForEach(e, tl) {
		const char *type = html_str(e, "type");
		bool marker = !strcmp(type, "loss") || !strcmp(type, "truncated") ||
			      !strcmp(type, "omitted");

		report_event_summary(e, line, sizeof(line));
		report_clock(html_str(e, "time"), clock, sizeof(clock));
		fprintf(out, "<tr class=\"%s\"><td>", marker ? "marker" : "event");
		html_text(out, html_str(e, "t_rel"));
		fputs("</td><td>", out);
		html_text(out, clock);
		fputs("</td><td>", out);
		html_text(out, type);
		fputs("</td><td>", out);
		if (!marker && html_num(e, "pid") > 0) {
			html_text(out, html_str(e, "comm"));
			fprintf(out, " [%.0f]", html_num(e, "pid"));
		} else if (!marker) {
			fputs("-", out);	/* softirq: no process */
		}
		fputs("</td><td>", out);
		html_text(out, line);
		fputs("</td><td class=\"num\">", out);
		if (html_num(e, "repeat") > 1)
			fprintf(out, "&#215;%.0f", html_num(e, "repeat"));
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void delta_table(const char *title, const cJSON *rows, FILE *out)
{
	const cJSON *r;

	if (!cJSON_GetArraySize(rows))
		return;
	fprintf(out, "<h4>%s</h4><table class=\"delta\"><tr><th>function (self)</th>"
		"<th>window</th><th>before</th><th>change</th></tr>\n", title);
	cJSON_ArrayForEach(r, rows) {
		fputs("<tr><td><code>", out);
		html_text(out, html_str(r, "name"));
		fprintf(out, "</code></td><td class=\"num\">%.1f%%</td><td class=\"num\">%.1f%%</td>"
			"<td class=\"num\">%+.1f</td></tr>\n", html_num(r, "pct"),
			html_num(r, "baseline_pct"), html_num(r, "delta_pct"));
	}
	fputs("</table>\n", out);
}

static int svg_height(const char *svg)
{
	const char *h = strstr(svg, "height=\"");
	int v = 0;

	return h && sscanf(h + 8, "%d", &v) == 1 && v > 0 && v < 20000 ? v : 600;
}

/*
 * The window through the profile writers' interactive SVG (hover, zoom,
 * search), in a sandboxed frame so its script and ids stay apart from the
 * page's and the other graphs'.
 */
static bool embed_svg(const struct report_model *m, struct profile_data *p, const char *title,
		      FILE *out)
{
	const cJSON *h = rec_reader__header(m->reader);
	struct output_opts oo = { .top_n = 20 };
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	bool ok = false;

	p->title = title;
	p->command = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "command"));
	p->hostname = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "host"));
	mem = open_memstream(&buf, &len);
	if (mem) {
		ok = !output_svg(p, &oo, mem);
		ok &= !fclose(mem);
	}
	if (ok && buf) {
		fprintf(out, "<iframe class=\"flame-frame\" sandbox=\"allow-scripts\" "
			"title=\"%s\" style=\"width:100%%;height:%dpx;border:0\" "
			"srcdoc=\"", p->off_cpu ? "Off-CPU flame graph" : "CPU flame graph",
			svg_height(buf) + 24);
		report_escape(out, "<style>body{margin:0}svg{max-width:100%;height:auto}</style>");
		report_escape(out, buf);
		fputs("\"></iframe>\n", out);
	}
	free(buf);
	return ok && buf;
}

static bool interactive_flame(const struct report_model *m, const struct flame *f, FILE *out)
{
	struct profile_data p;
	bool ok;

	if (flame_profile(m, f, &p)) {
		flame_profile_free(&p);
		return false;
	}
	ok = embed_svg(m, &p, "CPU flame graph of the incident window (+-1 s)", out);
	flame_profile_free(&p);
	return ok;
}

/* A latency incident: where its slow threads slept, with the wakers stacked on top. */
static void offcpu_flame(const cJSON *inc, const struct report_model *m, FILE *out)
{
	const cJSON *off = get(inc, "off_cpu"), *t;
	int64_t start = 0, end = 0;
	uint32_t tids[16];
	size_t n = 0;
	struct profile_data p;

	if (!off)
		return;
	fputs("<h3>Off-CPU during the incident</h3>\n", out);
	cJSON_ArrayForEach(t, get(off, "tids"))
		if (cJSON_IsNumber(t) && n < sizeof(tids) / sizeof(tids[0]))
			tids[n++] = (uint32_t)t->valuedouble;
	if (rec_time_parse(html_str(off, "window_start"), &start) ||
	    rec_time_parse(html_str(off, "window_end"), &end) ||
	    flame_offcpu_profile(m, start, end, tids, n, &p) || !p.nstacks) {
		fputs("<p class=\"meta\">No off-CPU time of the slow threads was recorded in this "
		      "window.</p>\n", out);
		flame_profile_free(&p);
		return;
	}
	fputs("<ul class=\"offcpu\">", out);
	cJSON_ArrayForEach(t, get(off, "top")) {
		fprintf(out, "<li>%.0f ms, state ", html_num(t, "ms"));
		html_text(out, html_str(t, "state"));
		fputs(", ", out);
		html_text(out, html_str(t, "reason"));
		fputs(": ", out);
		html_text(out, html_str(t, "summary"));
		fputs("</li>", out);
	}
	fputs("</ul>\n<p class=\"meta\">Time the slow threads slept, by blocked stack; above "
	      "each <code>--</code>, the stack of the thread that woke them.</p>\n", out);
	if (!embed_svg(m, &p, "Off-CPU flame graph of the slow threads (wakers above --)", out))
		fputs("<p class=\"meta\">The off-CPU flame graph could not be drawn.</p>\n", out);
	flame_profile_free(&p);
}

static void flames(const cJSON *inc, const struct report_model *m, FILE *out)
{
	int64_t start = 0, end = 0;
	struct flame f;

	fputs("<h3>CPU during the incident</h3>\n", out);
	if (rec_time_parse(html_str(inc, "start"), &start) ||
	    rec_time_parse(html_str(inc, "end"), &end) || !m->nbuckets ||
	    flame_build(&f, m, start, end)) {
		fputs("<p class=\"meta\">No CPU profile was recorded.</p>\n", out);
		return;
	}
	if (!f.total) {
		fputs("<p class=\"meta\">No CPU samples in this window.</p>\n", out);
	} else {
		if (!interactive_flame(m, &f, out))
			flame_svg(&f, false, "CPU flame graph of the incident window (+-1 s)", out);
		fputs("<h3>What changed against the 5 minutes before</h3>\n", out);
		if (f.base_total)
			flame_svg(&f, true, "Differential flame graph", out);
		else
			fputs("<p class=\"meta\">No samples before the window to compare with."
			      "</p>\n", out);
		delta_table("Grew", get(get(inc, "profile"), "grew"), out);
		delta_table("Shrank", get(get(inc, "profile"), "shrank"), out);
	}
	flame_free(&f);
}

void html_incident(const cJSON *inc, const struct report_model *m, FILE *out)
{
	const cJSON *root = get(inc, "root_cause");

	fprintf(out, "<article class=\"incident %s\" id=\"incident-%.0f\"><h2>"
		"<span class=\"sev\">", html_str(inc, "severity"), html_num(inc, "id"));
	html_text(out, html_str(inc, "severity"));
	fprintf(out, "</span>Incident %.0f: ", html_num(inc, "id"));
	html_text(out, html_str(inc, "title"));
	fputs("</h2>\n<dl><dt>Window</dt><dd>", out);
	html_text(out, html_str(inc, "start"));
	fputs(" to ", out);
	html_text(out, html_str(inc, "end"));
	fprintf(out, " (%.1f s, %.0f events)</dd>\n<dt>Root cause</dt><dd class=\"root\">",
		html_num(inc, "duration_s"), html_num(inc, "events"));
	html_text(out, html_str(root, "type"));
	fputs(" at ", out);
	html_text(out, html_str(root, "time"));
	fputs("</dd>\n<dt>Evidence</dt><dd>", out);
	list("ul", get(inc, "evidence"), out);
	if (cJSON_GetArraySize(get(root, "stack"))) {
		fputs("</dd><dt>Stack</dt><dd>", out);
		stack(get(root, "stack"), out);
	}
	fputs("</dd>\n", out);
	memory_growth(get(inc, "memory_growth"), out);
	impact(get(inc, "impact"), out);
	fputs("<dt>Next steps</dt><dd>", out);
	list("ol", get(inc, "next_steps"), out);
	fputs("</dd><dt>Contributing</dt><dd>", out);
	list("ul", get(inc, "contributing"), out);
	fputs("</dd></dl>\n<h3>Processes</h3>\n", out);
	processes(get(inc, "processes"), out);
	timeline(get(inc, "timeline"), out);
	flames(inc, m, out);
	offcpu_flame(inc, m, out);
	fputs("</article>\n", out);
}
