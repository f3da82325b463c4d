// SPDX-License-Identifier: GPL-2.0
/* One-line descriptions of events, for the text and HTML timelines. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report/report.h"
#include "watch/wait_reason.h"

static const char *str(const cJSON *o, const char *name)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));

	return s ? s : "?";
}

static double num(const cJSON *o, const char *name)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static bool has(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name) != NULL;
}

static void conn_summary(const cJSON *ev, const char *type, char *buf, size_t len)
{
	const char *dir = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "direction"));

	if (dir && (!strcmp(dir, "inbound") || !strcmp(dir, "in")))
		snprintf(buf, len, "no listener on port %.0f: SYN from %s:%.0f answered with RST",
			 num(ev, "dport"), str(ev, "saddr"), num(ev, "sport"));
	else
		snprintf(buf, len, "connect to %s:%.0f %s%s", str(ev, "daddr"), num(ev, "dport"),
			 !strcmp(type, "conn_refused") ? "refused" : str(ev, "errno"),
			 cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ev, "no_listener")) ?
			 " (nothing listens there on this host)" : "");
}

/* One call, or a run of them: "read() took 968-7988 ms (p50 3012 ms)". */
static void slow_summary(const cJSON *ev, char *buf, size_t len)
{
	double lo = num(ev, "duration_ms_min"), hi = num(ev, "duration_ms_max");
	enum wait_reason r = wait_reason_from_name(str(cJSON_GetObjectItemCaseSensitive(ev, "wait"),
							   "reason"));
	/* Where one call slept, when its stack named the wait. */
	const char *wait = r > WAIT_OTHER ? wait_reason_phrase(r) : NULL;

	if (has(ev, "duration_ms_min") && lo < hi)
		snprintf(buf, len, "%s() took %.0f-%.0f ms (p50 %.0f ms)", str(ev, "syscall"), lo,
			 hi, num(ev, "duration_ms_p50"));
	else
		snprintf(buf, len, "%s() took %.0f ms%s%s", str(ev, "syscall"),
			 num(ev, "duration_ms"), wait ? ", " : "", wait ? wait : "");
}

void report_event_summary(const cJSON *ev, char *buf, size_t len)
{
	const char *type = str(ev, "type");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, "victim");

	if (!strcmp(type, "fd_exhausted"))
		snprintf(buf, len, "%s() failed with %s, %.0f/%.0f fds", str(ev, "syscall"),
			 str(ev, "errno"), num(ev, "open_fds"), num(ev, "limit"));
	else if (!strcmp(type, "fd_pressure"))
		snprintf(buf, len, "%.0f/%.0f fds open", num(ev, "open_fds"), num(ev, "limit"));
	else if (!strcmp(type, "oom_kill"))
		snprintf(buf, len, "OOM killer killed %s (pid %.0f)%s%s", str(v, "comm"),
			 num(v, "pid"), has(v, "memcg") ? " in " : "",
			 has(v, "memcg") ? str(v, "memcg") : "");
	else if (!strcmp(type, "signal"))
		report_signal_summary(ev, buf, len);
	else if (!strcmp(type, "slow_syscall"))
		slow_summary(ev, buf, len);
	else if (!strcmp(type, "conn_refused") || !strcmp(type, "conn_error"))
		conn_summary(ev, type, buf, len);
	else if (!strcmp(type, "conn_dropped"))
		snprintf(buf, len, "full accept queue of %s:%.0f (%.0f/%.0f) dropped %.0f connection "
			 "packets", str(ev, "daddr"), num(ev, "dport"), num(ev, "queued"),
			 num(ev, "backlog"), has(ev, "dropped_total") ? num(ev, "dropped_total") :
			 num(ev, "dropped"));
	else if (!strcmp(type, "loss"))
		snprintf(buf, len, "%.0f %s lost: %s", num(ev, "count"), str(ev, "source"),
			 str(ev, "reason"));
	else if (!strcmp(type, "truncated"))
		snprintf(buf, len, "recording ends: %s", str(ev, "reason"));
	else if (!strcmp(type, "omitted"))
		snprintf(buf, len, "%.0f more events not listed", num(ev, "count"));
	else
		snprintf(buf, len, "%s", type);
}

void report_clock(const char *rfc3339, char *buf, size_t len)
{
	/* "2026-11-23T14:03:12.123456Z" -> "14:03:12.123" */
	if (rfc3339 && strlen(rfc3339) >= 23)
		snprintf(buf, len, "%.12s", rfc3339 + 11);
	else
		snprintf(buf, len, "%s", rfc3339 ? rfc3339 : "?");
}

/* Appends to @buf at *@o, keeping it terminated. */
static void append(char *buf, size_t len, size_t *o, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t len, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*o >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *o, len - *o, fmt, ap);
	va_end(ap);
	if (n > 0)
		*o += (size_t)n;
}

/* "1,200 calls": @im's member @name, grouped, with @noun in the plural but for one. */
static void append_count(char *buf, size_t len, size_t *o, const cJSON *im, const char *name,
			 const char *noun)
{
	char n[32];
	double v = num(im, name);

	report_fmt_count(v > 0 ? (uint64_t)v : 0, n, sizeof(n));
	append(buf, len, o, "%s %s%s", n, noun, v == 1 ? "" : "s");
}

/* "45 connection packets dropped by the full accept queue of port 80 (nginx[7]); " */
static void append_listener(char *buf, size_t len, size_t *o, const cJSON *l)
{
	const char *owner = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(l, "owner"));

	append_count(buf, len, o, l, "dropped", "connection packet");
	append(buf, len, o, " (SYNs, retries included) dropped by the full accept queue of port "
	       "%.0f (%s)", num(l, "port"), owner ? owner : "owner unknown");
	if (num(l, "waiting") > 0)
		append(buf, len, o, ", up to %.0f connections left waiting in it",
		       num(l, "waiting"));
	append(buf, len, o, "; ");
}

void report_impact_line(const cJSON *im, char *buf, size_t len)
{
	const cJSON *p;
	char n[32];
	size_t o = 0;
	int k;

	buf[0] = '\0';
	const cJSON *ports = cJSON_GetObjectItemCaseSensitive(im, "ports");

	if (num(im, "refused_connections") > 0) {
		append_count(buf, len, &o, im, "refused_connections", "refused connection");
		append(buf, len, &o, " from ");
		append_count(buf, len, &o, im, "refused_clients", "client");
		append(buf, len, &o, " on port%s", cJSON_GetArraySize(ports) > 1 ? "s" : "");
		k = 0;
		cJSON_ArrayForEach(p, ports)
			append(buf, len, &o, "%s %.0f", k++ ? "," : "", p->valuedouble);
		append(buf, len, &o, "; ");
	}
	if (num(im, "killed_processes") > 0)
		append(buf, len, &o, "%.0f process%s killed; ", num(im, "killed_processes"),
		       num(im, "killed_processes") == 1 ? "" : "es");
	if (num(im, "failed_fd_calls") > 0) {
		append_count(buf, len, &o, im, "failed_fd_calls", "call");
		append(buf, len, &o, " failed for lack of fds; ");
	}
	if (num(im, "connection_errors") > 0) {
		append_count(buf, len, &o, im, "connection_errors", "failed connection");
		append(buf, len, &o, "; ");
	}
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(im, "listeners"))
		append_listener(buf, len, &o, p);
	if (num(im, "slow_syscalls") > 0) {
		append_count(buf, len, &o, im, "slow_syscalls", "slow syscall");
		report_fmt_count((uint64_t)num(im, "slow_syscall_ms"), n, sizeof(n));
		append(buf, len, &o, " (%s ms); ", n);
	}
	if (o >= 2 && o < len)
		buf[o - 2] = '\0';	/* the last "; " */
	else if (!o)
		snprintf(buf, len, "none recorded");
}
