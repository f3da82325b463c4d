// SPDX-License-Identifier: GPL-2.0
/*
 * The words of a report: a headline per incident, the evidence behind the
 * root cause, and next steps that cite that evidence (a call site, a count,
 * a limit), never generic advice alone.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

static const char *str(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static double num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static const char *or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

static const char *base(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path;
}

static const char *errno_name(const cJSON *ev)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(ev, "errno");

	return cJSON_IsString(e) ? e->valuestring : "an error";
}

struct leak {
	char site[160];
	const char *caller;	/* "serve <- main", when watch named callers */
	const char *module;
	const char *verdict;	/* "leak", "held"; NULL: the recording does not say */
	const char *summary;	/* watch's sentence about the site, with its evidence */
	double closed;		/* closed since tracking began; < 0: unknown */
	uint64_t open;
};

/* A site the evidence calls a leak outranks any site held open. */
static bool is_leak(const cJSON *l)
{
	return str(l, "verdict") && !strcmp(str(l, "verdict"), "leak");
}

/* The fd site with the most fds still open, leaks first. */
static bool top_leak(const cJSON *leaks, struct leak *out)
{
	const cJSON *l;
	double best = -1;
	bool best_leak = false;

	cJSON_ArrayForEach(l, leaks) {
		const cJSON *stack = cJSON_GetObjectItemCaseSensitive(l, "stack");
		const char *site = str(l, "symbol") ? str(l, "symbol") : str(l, "site");
		double open = num(l, "open") >= 0 ? num(l, "open") : num(l, "count");

		if (!site || *site == '[')	/* a placeholder ("[no stack]"), not a site */
			site = report_stack_where(stack);
		if (!site || (best_leak && !is_leak(l)) ||
		    (open <= best && is_leak(l) == best_leak))
			continue;
		best = open;
		best_leak = is_leak(l);
		out->verdict = str(l, "verdict");
		out->summary = str(l, "summary");
		out->closed = num(l, "closed");
		/* watch names a site "leaf <- caller <- ...": the leaf is the site. */
		snprintf(out->site, sizeof(out->site), "%.*s", (int)strcspn(site, " <"), site);
		out->caller = strstr(site, " <- ") ? site + 4 + (strstr(site, " <- ") - site) :
			      NULL;
		out->module = str(l, "module");
		for (const cJSON *f = cJSON_IsArray(stack) ? stack->child : NULL; f && !out->module;
		     f = f->next)
			if (str(f, "symbol") && !strcmp(str(f, "symbol"), out->site))
				out->module = str(f, "module");
		out->open = (uint64_t)(open > 0 ? open : 0);
	}
	return best >= 0;
}

static const cJSON *victim(const cJSON *ev)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, "victim");

	return cJSON_IsObject(v) ? v : ev;
}

char *report_title(const struct report_facts *f)
{
	const cJSON *ev = f->root;
	const char *type = or(str(ev, "type"), "event"), *comm = or(str(ev, "comm"), "?");
	const char *at = f->where ? " in " : "", *where = f->where ? f->where : "";
	int pid = (int)num(ev, "pid");
	char *t = NULL;
	int rc = -1;

	if (!strcmp(type, "oom_kill"))
		rc = asprintf(&t, "%s (pid %d) was killed by the OOM killer%s%s",
			      or(str(victim(ev), "comm"), comm), (int)num(victim(ev), "pid"),
			      str(victim(ev), "memcg") ? ": memory cgroup " : "",
			      or(str(victim(ev), "memcg"), ""));
	else if (!strcmp(type, "fd_exhausted"))
		rc = asprintf(&t, "%s (pid %d) ran out of file descriptors (%.0f of %.0f): "
			      "%s() failed with %s%s%s", comm, pid, num(ev, "open_fds"),
			      num(ev, "limit"), or(str(ev, "syscall"), "a call"), errno_name(ev),
			      at, where);
	else if (!strcmp(type, "signal"))
		return report_signal_title(f, comm, pid);
	else if (!strcmp(type, "fd_pressure"))
		rc = asprintf(&t, "%s (pid %d) is running out of file descriptors (%.0f of %.0f)",
			      comm, pid, num(ev, "open_fds"), num(ev, "limit"));
	else if (!strcmp(type, "slow_syscall"))
		rc = asprintf(&t, "%s (pid %d): %s() took %.0f ms%s%s", comm, pid,
			      or(str(ev, "syscall"), "a syscall"), num(ev, "duration_ms"), at,
			      where);
	else if (!strcmp(type, "conn_refused") || !strcmp(type, "conn_error"))
		rc = asprintf(&t, "connections to %s:%.0f %s (%s)", or(str(ev, "daddr"), "?"),
			      num(ev, "dport"), strcmp(type, "conn_refused") ? "failed" :
			      "refused: nothing listening", errno_name(ev));
	else if (!strcmp(type, "conn_dropped"))
		rc = asprintf(&t, "the accept queue of %s:%.0f%s%s%s was full: connections dropped",
			      or(str(ev, "daddr"), "?"), num(ev, "dport"), pid ? " (" : "",
			      pid ? comm : "", pid ? ")" : "");
	else
		rc = asprintf(&t, "%s in %s (pid %d)", type, comm, pid);
	return rc < 0 ? NULL : t;
}

void report_add_vline(cJSON *arr, const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	cJSON_AddItemToArray(arr, cJSON_CreateString(buf));
}

static void add_line(cJSON *arr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_line(cJSON *arr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_add_vline(arr, fmt, ap);
	va_end(ap);
}

static void leak_evidence(cJSON *arr, const struct report_facts *f)
{
	struct leak l = { 0 };
	char n[32];

	if (!top_leak(f->leaks, &l))
		return;
	report_fmt_count(l.open, n, sizeof(n));
	if (l.summary)
		add_line(arr, "top fd site: %s", l.summary);
	else
		add_line(arr, "top fd site: %s%s%s%s: %s fds opened there still open", l.site,
			 l.module ? " (" : "", l.module ? base(l.module) : "",
			 l.module ? ")" : "", n);
}

/* The memory cgroup's limit and usage at the kill, when the event has them. */
static void limit_evidence(cJSON *arr, const cJSON *v)
{
	double limit = num(v, "memcg_limit_kb"), usage = num(v, "memcg_usage_kb");

	if (!str(v, "memcg"))
		return;
	if (limit >= 0)
		add_line(arr, "memory cgroup limit %.0f kB (%.1f MB), usage at the kill %.0f kB",
			 limit, limit / 1024, usage);
	else
		add_line(arr, "memory cgroup limit: none of its own (the limit that applied is "
			 "an ancestor's or the system's), usage at the kill %.0f kB", usage);
}

static void oom_evidence(cJSON *arr, const cJSON *ev)
{
	const cJSON *v = victim(ev), *trig = cJSON_GetObjectItemCaseSensitive(ev, "trigger");
	const char *tw = report_stack_where(cJSON_GetObjectItemCaseSensitive(trig, "stack"));

	add_line(arr, "victim %s (pid %.0f): anon RSS %.0f kB, file RSS %.0f kB, shmem %.0f kB, "
		 "oom_score_adj %.0f", or(str(v, "comm"), "?"), num(v, "pid"),
		 num(v, "anon_rss_kb"), num(v, "file_rss_kb"), num(v, "shmem_rss_kb"),
		 num(v, "oom_score_adj"));
	if (cJSON_IsObject(trig))
		add_line(arr, "allocation that triggered it: %s (pid %.0f)%s%s",
			 or(str(trig, "comm"), "?"), num(trig, "pid"), tw ? " in " : "",
			 tw ? tw : "");
	if (str(ev, "scope") || str(v, "memcg"))
		add_line(arr, "scope: %s%s%s", or(str(ev, "scope"), "memcg"),
			 str(v, "memcg") ? " " : "", or(str(v, "memcg"), ""));
	limit_evidence(arr, v);
}

cJSON *report_evidence(const struct report_facts *f)
{
	cJSON *arr = cJSON_CreateArray();
	const cJSON *ev = f->root;
	const char *type = or(str(ev, "type"), "");
	char n[32];

	if (!arr)
		return NULL;
	if (!strcmp(type, "fd_exhausted") || !strcmp(type, "fd_pressure")) {
		add_line(arr, "open fds %.0f, RLIMIT_NOFILE soft limit %.0f", num(ev, "open_fds"),
			 num(ev, "limit"));
		report_fmt_count(f->inc->impact.fd_failures, n, sizeof(n));
		if (f->inc->impact.fd_failures)
			add_line(arr, "%s calls failed with EMFILE/ENFILE", n);
		leak_evidence(arr, f);
	} else if (!strcmp(type, "oom_kill")) {
		oom_evidence(arr, ev);
		report_memory_evidence(arr, f->growth);
	} else if (!strcmp(type, "signal")) {
		report_signal_evidence(arr, f);
	} else if (!strcmp(type, "slow_syscall")) {
		add_line(arr, "%s() blocked %.0f ms", or(str(ev, "syscall"), "?"),
			 num(ev, "duration_ms"));
		report_latency_evidence(arr, f);
	}
	if (f->inc->time_linked)
		add_line(arr, "some events are linked to this incident by time only (no process "
			 "or port metadata connects them)");
	return arr;
}

static void ports_text(const struct cl_impact *im, char *buf, size_t len)
{
	int o = 0;

	buf[0] = '\0';
	for (int i = 0; i < im->nports && o < (int)len - 8; i++)
		o += snprintf(buf + o, len - o, "%s%u", i ? ", " : "", im->ports[i]);
}

static void refusal_step(cJSON *arr, const struct report_facts *f, const char *why)
{
	char n[32], ports[64];

	if (!f->inc->impact.refused)
		return;
	report_fmt_count(f->inc->impact.refused, n, sizeof(n));
	ports_text(&f->inc->impact, ports, sizeof(ports));
	add_line(arr, "%s connections to port %s were refused %s", n, *ports ? ports : "?", why);
}

static void fd_steps(cJSON *arr, const struct report_facts *f)
{
	const cJSON *ev = f->root;
	struct leak l = { 0 };
	char n[32];

	if (top_leak(f->leaks, &l) && l.verdict && strcmp(l.verdict, "leak")) {
		add_line(arr, "%s: in use, not leaked; the limit is below what it holds at peak: "
			 "raise RLIMIT_NOFILE (ulimit -n, LimitNOFILE=) or bound how many it "
			 "holds", l.summary ? l.summary : l.site);
		add_line(arr, "RLIMIT_NOFILE is %.0f", num(ev, "limit"));
		refusal_step(arr, f, "once it could not accept: alert on fd_pressure");
		return;
	}
	if (l.open) {
		report_fmt_count(l.open, n, sizeof(n));
		add_line(arr, "fds opened at %s%s%s%s %s: %s still open; find the path that keeps "
			 "them%s%s%s and close them", l.site, l.module ? " (" : "",
			 l.module ? base(l.module) : "", l.module ? ")" : "",
			 !l.verdict ? "are not closed yet" : l.closed == 0 ? "are never closed" :
			 "leak", n, l.caller ? " (called from " : "", l.caller ? l.caller : "",
			 l.caller ? ")" : "");
	} else {
		add_line(arr, "find what %s keeps open: ls -l /proc/%.0f/fd while it runs%s%s",
			 or(str(ev, "comm"), "the process"), num(ev, "pid"),
			 f->where ? "; the failing call is in " : "", f->where ? f->where : "");
	}
	add_line(arr, "RLIMIT_NOFILE is %.0f: raising it (ulimit -n, LimitNOFILE=) only delays "
		 "the next exhaustion if fds leak", num(ev, "limit"));
	refusal_step(arr, f, "once it could not accept: restart it after the fix, and alert on "
		     "fd_pressure");
}

static void oom_steps(cJSON *arr, const struct report_facts *f)
{
	const cJSON *v = victim(f->root), *trig;
	char limit[64] = "";
	const char *tw;

	trig = cJSON_GetObjectItemCaseSensitive(f->root, "trigger");
	tw = report_stack_where(cJSON_GetObjectItemCaseSensitive(trig, "stack"));
	if (num(v, "memcg_limit_kb") >= 0)
		snprintf(limit, sizeof(limit), ", %.1f MB", num(v, "memcg_limit_kb") / 1024);
	add_line(arr, "%s%s hit its memory limit with %s at %.0f MB resident: compare the limit "
		 "(memory.limit_in_bytes or memory.max%s) with what it needs",
		 str(v, "memcg") ? "memory cgroup " : "the system", or(str(v, "memcg"), ""),
		 or(str(v, "comm"), "the victim"),
		 (num(v, "anon_rss_kb") + num(v, "file_rss_kb") + num(v, "shmem_rss_kb")) / 1024,
		 limit);
	report_memory_steps(arr, f->growth);
	if (tw)
		add_line(arr, "the allocation that triggered the kill was in %s: the flame graph of "
			 "the window against the minutes before shows what grew", tw);
	refusal_step(arr, f, "after it died: nothing restarted it (add a restart policy)");
}

static void signal_steps(cJSON *arr, const struct report_facts *f)
{
	report_signal_steps(arr, f);
	refusal_step(arr, f, "after it died: add a restart policy");
}

static void slow_steps(cJSON *arr, const struct report_facts *f)
{
	int n = cJSON_GetArraySize(arr);

	report_latency_steps(arr, f, or(str(f->root, "syscall"), "?"));
	add_line(arr, "%s() blocked %.0f ms%s%s: %llu slow calls, %.0f ms in total%s",
		 or(str(f->root, "syscall"), "?"), num(f->root, "duration_ms"),
		 f->where ? " in " : "", f->where ? f->where : "",
		 (unsigned long long)f->inc->impact.slow_calls, f->inc->impact.slow_us / 1000.0,
		 cJSON_GetArraySize(arr) > n ? "" :
		 "; check what it waits on (the file, device or peer behind the fd)");
}

cJSON *report_next_steps(const struct report_facts *f)
{
	cJSON *arr = cJSON_CreateArray();
	const char *type = or(str(f->root, "type"), "");

	if (!arr)
		return NULL;
	if (!strcmp(type, "fd_exhausted") || !strcmp(type, "fd_pressure"))
		fd_steps(arr, f);
	else if (!strcmp(type, "oom_kill"))
		oom_steps(arr, f);
	else if (!strcmp(type, "signal"))
		signal_steps(arr, f);
	else if (!strcmp(type, "slow_syscall"))
		slow_steps(arr, f);
	else if (!strcmp(type, "conn_refused"))
		add_line(arr, "nothing listened on %s:%.0f: check that the service is running and "
			 "that clients use the right address", or(str(f->root, "daddr"), "?"),
			 num(f->root, "dport"));
	else if (!strcmp(type, "conn_dropped"))
		add_line(arr, "the listener on port %.0f accepted more slowly than connections "
			 "arrived (queue limit %.0f): find why its accept() loop stalled (its other "
			 "events, a profile of the window) before raising the listen() backlog",
			 num(f->root, "dport"), num(f->root, "backlog"));
	else
		add_line(arr, "%s from %s:%.0f: check the network path and the peer",
			 errno_name(f->root), or(str(f->root, "daddr"), "?"), num(f->root, "dport"));
	return arr;
}
