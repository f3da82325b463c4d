// SPDX-License-Identifier: GPL-2.0
/* The terminal report: the answer first (what, why, what to do), details after. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report/report.h"
#include "report/report_filter.h"

#define STACK_LINES 8
#define HEADLINES 10

static const char *str(const cJSON *o, const char *name)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));

	return s ? s : "";
}

static double num(const cJSON *o, const char *name)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static const cJSON *get(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

static bool same_loss(const cJSON *a, const cJSON *b)
{
	return !strcmp(str(a, "source"), str(b, "source")) &&
	       !strcmp(str(a, "reason"), str(b, "reason"));
}

static bool seen_before(const cJSON *losses, const cJSON *l)
{
	for (const cJSON *p = losses->child; p && p != l; p = p->next)
		if (same_loss(p, l))
			return true;
	return false;
}

/* Losses of one kind in one line: every bucket may lose a sample or two. */
static void print_loss_group(const cJSON *first, FILE *out)
{
	const cJSON *l, *last = first;
	double total = 0;
	int n = 0;
	char t0[32], t1[32];

	for (l = first; l; l = l->next) {
		if (!same_loss(l, first))
			continue;
		total += num(l, "count");
		last = l;
		n++;
	}
	report_clock(str(first, "time"), t0, sizeof(t0));
	report_clock(str(last, "time"), t1, sizeof(t1));
	if (n == 1)
		fprintf(out, "  LOST: %.0f %s at %s (%s)\n", total, str(first, "source"), t0,
			str(first, "reason"));
	else
		fprintf(out, "  LOST: %.0f %s in %d gaps from %s to %s (%s)\n", total,
			str(first, "source"), n, t0, t1, str(first, "reason"));
}

static void print_recording(const cJSON *rec, const cJSON *losses, FILE *out)
{
	const cJSON *l;

	fprintf(out, "faultline report: %s\n  host %s, kernel %s, %s to %s (%.0f s), %.0f events\n",
		str(rec, "path"), str(rec, "host"), str(rec, "kernel"), str(rec, "start"),
		str(rec, "end"), num(rec, "duration_s"), num(rec, "events"));
	if (!cJSON_IsTrue(get(rec, "complete")))
		fprintf(out, "  WARNING: the recording is %s: %s; this report covers what was "
			"read up to %s\n", cJSON_IsTrue(get(rec, "corrupt")) ? "damaged" :
			"truncated", str(rec, "problem"), str(rec, "end"));
	if (num(rec, "unreadable_lines") > 0)
		fprintf(out, "  WARNING: %.0f unreadable records were skipped\n",
			num(rec, "unreadable_lines"));
	cJSON_ArrayForEach(l, losses)
		if (!seen_before(losses, l))
			print_loss_group(l, out);
}

/* User frames first and in full: the kernel's entry path says little. */
static void print_stack(const cJSON *stack, FILE *out)
{
	const cJSON *f;
	int shown = 0, kernel = 0, more = 0;
	bool cut = false;

	cJSON_ArrayForEach(f, stack) {
		const char *mod = str(f, "module"), *base = strrchr(mod, '/');
		const char *sym = *str(f, "symbol") ? str(f, "symbol") : str(f, "addr");

		if (!strncmp(str(f, "addr"), "0xffff", 6)) {
			kernel++;
			continue;
		}
		if (cut)
			continue;
		if (!*mod) {
			/* No mapping held it when recorded: an address, not a frame. */
			if (shown < STACK_LINES)
				fprintf(out, "      (stack ends: next address in no known mapping)\n");
			cut = true;
			continue;
		}
		if (shown == STACK_LINES) {
			more++;
			continue;
		}
		fprintf(out, "      %s%s%s%s\n", sym, *mod ? "  (" : "", base ? base + 1 : mod,
			*mod ? ")" : "");
		shown++;
	}
	if (more && kernel)
		fprintf(out, "      (%d more user frames and %d kernel frames: see --format json)\n",
			more, kernel);
	else if (more || kernel)
		fprintf(out, "      (%d more %s frame%s: see --format json)\n", more + kernel,
			more ? "user" : "kernel", more + kernel == 1 ? "" : "s");
}

static void print_list(const char *label, const cJSON *arr, bool numbered, FILE *out)
{
	const cJSON *s;
	int n = 0;

	cJSON_ArrayForEach(s, arr) {
		const char *text = cJSON_IsString(s) ? s->valuestring : str(s, "summary");

		if (numbered)
			fprintf(out, "  %-12s %d. %s\n", n ? "" : label, n + 1, text);
		else
			fprintf(out, "  %-12s %s\n", n ? "" : label, text);
		n++;
	}
}

static void print_impact(const cJSON *im, FILE *out)
{
	char line[512];

	report_impact_line(im, line, sizeof(line));
	fprintf(out, "  %-12s %s\n", "Impact", line);
}

/*
 * Refused clients in one line, "comm (pids 1, 2, other[3])": they are
 * witnesses, and there may be many (the JSON lists the first 10 of @total).
 */
static void print_clients(const cJSON *procs, double total, bool first, FILE *out)
{
	const cJSON *p;
	const char *comm = NULL;
	char line[256];
	size_t o = 0;
	int n = 0;

	cJSON_ArrayForEach(p, procs) {
		if (strcmp(str(p, "role"), "client") || o >= sizeof(line))
			continue;
		if (!comm)
			comm = str(p, "comm");
		if (strcmp(comm, str(p, "comm")))
			o += snprintf(line + o, sizeof(line) - o, "%s%s[%.0f]", n ? ", " : "",
				      str(p, "comm"), num(p, "pid"));
		else
			o += snprintf(line + o, sizeof(line) - o, "%s%.0f", n ? ", " : "",
				      num(p, "pid"));
		n++;
	}
	if (!n)
		return;
	fprintf(out, "  %-12s %s (pid%s %s%s): refused client%s", first ? "Processes" : "", comm,
		n == 1 ? "" : "s", line, o >= sizeof(line) ? ", ..." : "", n == 1 ? "" : "s");
	if (total > n)
		fprintf(out, ", %.0f more not listed", total - n);
	fputc('\n', out);
}

static void print_processes(const cJSON *procs, double total_clients, FILE *out)
{
	const cJSON *p;
	char clock[32];
	int n = 0;

	cJSON_ArrayForEach(p, procs) {
		const cJSON *ports = get(p, "listening_ports");

		if (!strcmp(str(p, "role"), "client"))
			continue;
		fprintf(out, "  %-12s %s (pid %.0f, %s", n++ ? "" : "Processes", str(p, "comm"),
			num(p, "pid"), str(p, "role"));
		if (cJSON_GetArraySize(ports))
			fprintf(out, ", listening on %.0f",
				cJSON_GetArrayItem(ports, 0)->valuedouble);
		report_clock(str(p, "exit"), clock, sizeof(clock));
		if (*clock)
			fprintf(out, ", exited %s", clock);
		fputs(")\n", out);
	}
	print_clients(procs, total_clients, !n, out);
}

/*
 * The profile in a line: which function took more of the CPU than before.
 * The profile is the whole host's (the HTML graph splits it by process).
 */
static void print_cpu(const cJSON *prof, FILE *out)
{
	const cJSON *grew = cJSON_GetArrayItem(get(prof, "grew"), 0);
	const cJSON *shrank = cJSON_GetArrayItem(get(prof, "shrank"), 0);

	if (num(prof, "samples") > 0)
		fprintf(out, "  %-12s host: %.0f samples in the window, %.0f in the minutes before",
			"CPU", num(prof, "samples"), num(prof, "baseline_samples"));
	else
		return;
	if (grew)
		fprintf(out, "; grew most: %s %.1f%% (was %.1f%%)", str(grew, "name"),
			num(grew, "pct"), num(grew, "baseline_pct"));
	if (shrank)
		fprintf(out, "; shrank most: %s %.1f%% (was %.1f%%)", str(shrank, "name"),
			num(shrank, "pct"), num(shrank, "baseline_pct"));
	fputs("; flame graphs: --format html\n", out);
}

/* A latency incident's top blocking stacks, with their state, wait and waker. */
static void print_offcpu(const cJSON *off, FILE *out)
{
	const cJSON *s;
	char a[32], b[32];

	if (!off)
		return;
	report_clock(str(off, "window_start"), a, sizeof(a));
	report_clock(str(off, "window_end"), b, sizeof(b));
	fprintf(out, "  %-12s the slow threads slept %.0f ms from %s to %s%s\n", "Off-CPU",
		num(off, "total_ms"), a, b, cJSON_GetArraySize(get(off, "top")) ? ":" : "");
	cJSON_ArrayForEach(s, get(off, "top"))
		fprintf(out, "  %-12s %6.0f ms %s %-10s %.0f waits, %s\n", "", num(s, "ms"),
			str(s, "state"), str(s, "reason"), num(s, "waits"), str(s, "summary"));
}

static void print_timeline(const cJSON *tl, FILE *out)
{
	const cJSON *e;
	char line[400], clock[32], who[64];

	fprintf(out, "  Timeline\n");
	cJSON_ArrayForEach(e, tl) {
		const char *type = str(e, "type");
		bool marker = !strcmp(type, "loss") || !strcmp(type, "truncated") ||
			      !strcmp(type, "omitted");

		report_event_summary(e, line, sizeof(line));
		report_clock(str(e, "time"), clock, sizeof(clock));
		if (marker) {
			fprintf(out, "    %-9s %-12s !! %s\n", str(e, "t_rel"), *clock ? clock : "",
				line);
			continue;
		}
		if (num(e, "pid") > 0)
			snprintf(who, sizeof(who), "%s[%.0f]", str(e, "comm"), num(e, "pid"));
		else
			snprintf(who, sizeof(who), "-");	/* softirq: no process */
		fprintf(out, "    %-9s %-12s %-13s %s %s", str(e, "t_rel"), clock, type, who, line);
		if (num(e, "repeat") > 1) {
			report_clock(str(e, "last_time"), clock, sizeof(clock));
			fprintf(out, " (x%.0f until %s)", num(e, "repeat"), clock);
		}
		fputc('\n', out);
	}
}

/* OOM: the stacks that grew the memory, largest kept first. */
static void print_growth(const cJSON *growth, FILE *out)
{
	const cJSON *r;
	char path[300];
	int n = 0;

	cJSON_ArrayForEach(r, growth) {
		report_memory_path(get(r, "stack"), path, sizeof(path));
		fprintf(out, "  %-12s %8.1f MiB %5.1f%%  %s  (%s[%.0f], %s)\n",
			n++ ? "" : "Memory grew", num(r, "bytes") / 1048576, num(r, "share") * 100,
			path, str(r, "comm"), num(r, "pid"), str(r, "source"));
	}
}

static void print_incident(const cJSON *inc, FILE *out)
{
	const cJSON *root = get(inc, "root_cause");
	char clock[32], start[32];

	report_clock(str(inc, "start"), start, sizeof(start));
	fprintf(out, "\n== Incident %.0f [%s] %s, %.1f s, %.0f events\n", num(inc, "id"),
		str(inc, "severity"), start, num(inc, "duration_s"), num(inc, "events"));
	fprintf(out, "%s\n\n", str(inc, "title"));
	report_clock(str(root, "time"), clock, sizeof(clock));
	fprintf(out, "  %-12s %s at %s\n", "Root cause", str(root, "type"), clock);
	print_list("Evidence", get(inc, "evidence"), false, out);
	if (cJSON_GetArraySize(get(root, "stack"))) {
		fputs("  Stack\n", out);
		print_stack(get(root, "stack"), out);
	}
	print_growth(get(inc, "memory_growth"), out);
	print_impact(get(inc, "impact"), out);
	print_list("Next steps", get(inc, "next_steps"), true, out);
	print_list("Contributing", get(inc, "contributing"), false, out);
	print_cpu(get(inc, "profile"), out);
	print_offcpu(get(inc, "off_cpu"), out);
	print_processes(get(inc, "processes"), num(get(inc, "impact"), "refused_clients"), out);
	print_timeline(get(inc, "timeline"), out);
}

/* One line per incident, the first few only: the first screen is for the answer. */
static void print_headlines(const cJSON *incs, FILE *out)
{
	const cJSON *inc;
	int n = 0, rest = 0, rest_warn = 0;

	cJSON_ArrayForEach(inc, incs) {
		if (n++ < HEADLINES) {
			fprintf(out, "  %.0f. [%s] %s\n", num(inc, "id"), str(inc, "severity"),
				str(inc, "title"));
			continue;
		}
		rest++;
		rest_warn += !strcmp(str(inc, "severity"), "warning");
	}
	if (rest)
		fprintf(out, "  ... and %d more (%d of them warnings), below\n", rest, rest_warn);
}

int report_text(const cJSON *doc, FILE *out)
{
	const cJSON *incs = get(doc, "incidents"), *inc, *filter = get(doc, "filter");
	int n = cJSON_GetArraySize(incs);
	char what[512];

	print_recording(get(doc, "recording"), get(doc, "losses"), out);
	if (filter) {
		report_filter_describe(filter, n, what, sizeof(what));
		fprintf(out, "  Filter: %s shown\n", what);
	}
	if (!n)
		fprintf(out, filter ? "\nNo incident matches the filter.\n" :
			"\nNo incidents: no errors were recorded.\n");
	else
		fprintf(out, "\n%d incident%s, most severe first:\n", n, n == 1 ? "" : "s");
	print_headlines(incs, out);
	cJSON_ArrayForEach(inc, incs)
		print_incident(inc, out);
	return ferror(out) ? -EIO : 0;
}
