// SPDX-License-Identifier: GPL-2.0
/*
 * The words of a signal incident. A fault (the kernel's signal on a faulting
 * instruction) or an abort the process raised itself is a crash; a signal
 * another process sent (kill, timeout, systemd) is a stop by someone, and the
 * stack then only says what was running. See docs/semantics.md.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

/* A signal event as the report words it; strings point into the event. */
struct report_signal {
	const char *name;	/* "SIGTERM" */
	const char *code;	/* "SI_USER", "SEGV_MAPERR"; NULL when unknown */
	const char *cause;	/* "fault", "self", "sender", "kernel", "unknown" */
	const char *action;	/* "terminate", "core dump", "stop", "handler"; NULL if unsaid */
	const cJSON *sender;	/* the sender object, or NULL */
	const char *thread;	/* the receiving thread's name when not the process's */
	bool crash;		/* a fault in the code or an abort the process raised */
	bool handled;
};

static void add_line(cJSON *arr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_line(cJSON *arr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_add_vline(arr, fmt, ap);
	va_end(ap);
}

static const char *str(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static double num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static bool prefixed(const char *s, const char *const *prefixes)
{
	for (; s && *prefixes; prefixes++)
		if (!strncmp(s, *prefixes, strlen(*prefixes)))
			return true;
	return false;
}

/* Events written before watch said "cause": what their si_code and sender show. */
static const char *derived_cause(const struct report_signal *s, double pid)
{
	static const char *const fault_codes[] = { "SEGV_", "BUS_", "ILL_", "FPE_", "TRAP_",
						   "SYS_", NULL };
	static const char *const fault_sigs[] = { "SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE",
						  "SIGTRAP", NULL };

	if (prefixed(s->code, fault_codes))
		return "fault";
	if (s->code && !strcmp(s->code, "SI_KERNEL"))
		return prefixed(s->name, fault_sigs) ? "fault" : "kernel";
	if (s->sender)
		return num(s->sender, "pid") == pid ? "self" : "sender";
	return "unknown";
}

static void signal_read(const cJSON *ev, struct report_signal *s)
{
	const cJSON *sig = cJSON_GetObjectItemCaseSensitive(ev, "signal");
	const cJSON *crash = cJSON_GetObjectItemCaseSensitive(ev, "crash");
	const cJSON *snd = cJSON_GetObjectItemCaseSensitive(ev, "sender");

	memset(s, 0, sizeof(*s));
	if (cJSON_IsObject(sig))	/* {"name": "SIGSEGV", "number": 11} */
		sig = cJSON_GetObjectItemCaseSensitive(sig, "name");
	s->name = cJSON_IsString(sig) ? sig->valuestring : "a signal";
	s->code = str(ev, "si_code");
	if (s->code && !strcmp(s->code, "unknown"))
		s->code = NULL;
	s->sender = cJSON_IsObject(snd) ? snd : NULL;
	s->cause = str(ev, "cause") ? str(ev, "cause") : derived_cause(s, num(ev, "pid"));
	s->action = str(ev, "action");
	s->handled = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ev, "handled"));
	s->crash = cJSON_IsBool(crash) ? cJSON_IsTrue(crash) : !strcmp(s->cause, "fault") &&
		   !s->handled;
	s->thread = str(ev, "thread_comm");
	if (s->thread && str(ev, "comm") && !strcmp(s->thread, str(ev, "comm")))
		s->thread = NULL;
}

static bool signal_is(const struct report_signal *s, const char *cause)
{
	return !strcmp(s->cause, cause);
}

/* "terminated", "stopped", "caught": what the signal did to the process. */
static const char *signal_verb(const struct report_signal *s)
{
	if (s->handled || (s->action && !strcmp(s->action, "handler")))
		return "caught";
	if (s->action && !strcmp(s->action, "stop"))
		return "stopped";
	return "terminated";
}

/* "timeout (pid 812)", "the kernel", "an unknown sender" */
static void signal_sender(const struct report_signal *s, char *buf, size_t len)
{
	const char *comm = s->sender ? str(s->sender, "comm") : NULL;

	if (signal_is(s, "kernel"))
		snprintf(buf, len, "the kernel");
	else if (s->sender)
		snprintf(buf, len, "%s (pid %.0f)", comm && *comm ? comm : "?",
			 num(s->sender, "pid"));
	else
		snprintf(buf, len, "an unknown sender");
}

/* " via kill() (SI_USER)", or the si_code alone, or "" */
static void signal_via(const struct report_signal *s, char *buf, size_t len)
{
	const char *via = s->sender ? str(s->sender, "via") : NULL;

	if (via && s->code)
		snprintf(buf, len, " via %s (%s)", via, s->code);
	else if (s->code)
		snprintf(buf, len, " (%s)", s->code);
	else
		buf[0] = '\0';
}

char *report_signal_title(const struct report_facts *f, const char *comm, int pid)
{
	const char *at = f->where ? " in " : "", *where = f->where ? f->where : "";
	struct report_signal s;
	char who[96], code[48];
	char *t = NULL;
	int rc;

	signal_read(f->root, &s);
	signal_sender(&s, who, sizeof(who));
	snprintf(code, sizeof(code), "%s%s%s", s.code ? " (" : "", s.code ? s.code : "",
		 s.code ? ")" : "");
	if (signal_is(&s, "fault"))
		rc = asprintf(&t, "%s (pid %d) %s %s%s%s%s", comm, pid,
			      s.crash ? "crashed:" : "caught a fault,", s.name, code, at, where);
	else if (s.crash)
		rc = asprintf(&t, "%s (pid %d) crashed: it raised %s itself%s%s", comm, pid,
			      s.name, at, where);
	else if (signal_is(&s, "self"))
		rc = asprintf(&t, "%s (pid %d) was %s by %s, sent by itself", comm, pid,
			      signal_verb(&s), s.name);
	else if (!strcmp(signal_verb(&s), "caught"))
		rc = asprintf(&t, "%s (pid %d) caught %s from %s", comm, pid, s.name, who);
	else
		rc = asprintf(&t, "%s (pid %d) was %s by %s from %s", comm, pid,
			      signal_verb(&s), s.name, who);
	return rc < 0 ? NULL : t;
}

/* Where the signal came from, in one line. */
static void origin_evidence(cJSON *arr, const struct report_facts *f,
			    const struct report_signal *s)
{
	const char *addr = str(f->root, "fault_addr");
	char who[96], via[64];

	signal_sender(s, who, sizeof(who));
	signal_via(s, via, sizeof(via));
	if (signal_is(s, "fault"))
		add_line(arr, "%s%s%s%s: raised by the kernel on a faulting instruction%s%s",
			 s->name, s->code ? " (" : "", s->code ? s->code : "", s->code ? ")" : "",
			 addr ? " at address " : "", addr ? addr : "");
	else if (signal_is(s, "self"))
		add_line(arr, "%s sent by the process to itself%s", s->name, via);
	else if (signal_is(s, "sender"))
		add_line(arr, "%s sent by %s, uid %.0f,%s: a stop requested by another process, "
			 "not a crash", s->name, who, num(s->sender, "uid"), via);
	else if (signal_is(s, "kernel"))
		add_line(arr, "%s sent by the kernel%s, not by a process", s->name, via);
	else
		add_line(arr, "%s%s: no sender was seen (sent before the recording began, or its "
			 "record was lost)", s->name, via);
}

static const char *action_text(const char *action)
{
	if (!strcmp(action, "handler"))
		return "a handler installed by the process caught it";
	if (!strcmp(action, "stop"))
		return "its default action stopped the process";
	if (!strcmp(action, "core dump"))
		return "its default action ended the process with a core dump (when core dumps "
		       "are enabled)";
	return "its default action terminated the process";
}

void report_signal_evidence(cJSON *arr, const struct report_facts *f)
{
	struct report_signal s;

	signal_read(f->root, &s);
	origin_evidence(arr, f, &s);
	if (s.action)
		add_line(arr, "%s", action_text(s.action));
	if (f->where && signal_is(&s, "self"))
		add_line(arr, "it was in %s when it sent the signal", f->where);
	else if (f->where && !signal_is(&s, "fault"))
		add_line(arr, "it was running %s when the signal arrived: where it was "
			 "interrupted, not where the signal came from", f->where);
	if (s.thread)
		add_line(arr, "thread %s took the signal", s.thread);
}

void report_signal_steps(cJSON *arr, const struct report_facts *f)
{
	const char *comm = str(f->root, "comm") ? str(f->root, "comm") : "the process";
	const char *at = f->where ? " in " : "", *where = f->where ? f->where : "";
	const char *self;
	struct report_signal s;
	char who[96];

	signal_read(f->root, &s);
	signal_sender(&s, who, sizeof(who));
	self = signal_is(&s, "self") ? ", raised by the process itself" : "";
	if (s.crash)
		add_line(arr, "%s%s%s%s: enable core dumps (ulimit -c unlimited or "
			 "systemd-coredump) to capture the state, then fix that code path", s.name,
			 self, at, where);
	else if (signal_is(&s, "sender"))
		add_line(arr, "%s did not crash: %s sent it %s; find out why (a supervisor's "
			 "timeout or restart, a deploy, an operator's kill)", comm, who, s.name);
	else if (signal_is(&s, "self"))
		add_line(arr, "%s sent %s to itself (for SIGPIPE: a write to a pipe or socket "
			 "whose reader had gone): check what it did%s%s", comm, s.name, at, where);
	else if (signal_is(&s, "kernel"))
		add_line(arr, "the kernel sent %s to %s: its log (dmesg) at that time names the "
			 "reason (OOM killer, RLIMIT_CPU, a timer)", s.name, comm);
	else
		add_line(arr, "no sender of %s was seen: the supervisor's and shells' logs may say "
			 "who sent it", s.name);
}

/* The timeline's words: "SIGTERM from timeout (pid 812), terminated". */
void report_signal_summary(const cJSON *ev, char *buf, size_t len)
{
	struct report_signal s;
	char who[96];

	signal_read(ev, &s);
	signal_sender(&s, who, sizeof(who));
	if (signal_is(&s, "fault"))
		snprintf(buf, len, "%s%s%s%s, %s", s.name, s.code ? " (" : "", s.code ? s.code : "",
			 s.code ? ")" : "", s.crash ? "crash" : "fault caught by a handler");
	else if (signal_is(&s, "self"))
		snprintf(buf, len, "%s sent by itself, %s", s.name, s.crash ? "crash" :
			 signal_verb(&s));
	else
		snprintf(buf, len, "%s from %s, %s", s.name, who, signal_verb(&s));
}
