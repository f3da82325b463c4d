// SPDX-License-Identifier: GPL-2.0
/* Names of signals and si_codes, as the man pages spell them. Pure. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/syscall_names.h"
#include "watch/sources/watch_signal_names.h"

const char *watch_signal_name(int sig)
{
	static char buf[16];
	const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		snprintf(buf, sizeof(buf), "SIG%s", abbrev);
	else
		snprintf(buf, sizeof(buf), "SIG%d", sig);
	return buf;
}

static const char *generic_code(int code)
{
	switch (code) {
	case SI_USER: return "SI_USER";
	case SI_KERNEL: return "SI_KERNEL";
	case SI_QUEUE: return "SI_QUEUE";
	case SI_TIMER: return "SI_TIMER";
	case SI_MESGQ: return "SI_MESGQ";
	case SI_ASYNCIO: return "SI_ASYNCIO";
	case SI_SIGIO: return "SI_SIGIO";
	case SI_TKILL: return "SI_TKILL";
	}
	return NULL;
}

static const char *fault_code(int sig, int code)
{
	static const char *const segv[] = { NULL, "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR",
					    "SEGV_PKUERR", "SEGV_ACCADI", "SEGV_ADIDERR",
					    "SEGV_ADIPERR", "SEGV_MTEAERR", "SEGV_MTESERR",
					    "SEGV_CPERR" };
	static const char *const bus[] = { NULL, "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR",
					   "BUS_MCEERR_AR", "BUS_MCEERR_AO" };
	static const char *const ill[] = { NULL, "ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR",
					   "ILL_ILLTRP", "ILL_PRVOPC", "ILL_PRVREG", "ILL_COPROC",
					   "ILL_BADSTK", "ILL_BADIADDR" };
	static const char *const fpe[] = { NULL, "FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV",
					   "FPE_FLTOVF", "FPE_FLTUND", "FPE_FLTRES", "FPE_FLTINV",
					   "FPE_FLTSUB", "FPE_FLTUNK", "FPE_CONDTRAP" };
#define PICK(t) (code > 0 && code < (int)(sizeof(t) / sizeof(t[0])) ? t[code] : NULL)
	switch (sig) {
	case SIGSEGV: return PICK(segv);
	case SIGBUS: return PICK(bus);
	case SIGILL: return PICK(ill);
	case SIGFPE: return PICK(fpe);
	case SIGSYS: return code == 1 ? "SYS_SECCOMP" : NULL;
	}
#undef PICK
	return NULL;
}

const char *watch_si_code_name(int sig, int code)
{
	static char buf[16];
	const char *name = generic_code(code);

	if (!name)
		name = fault_code(sig, code);
	if (name)
		return name;
	snprintf(buf, sizeof(buf), "%d", code);
	return buf;
}

void watch_exit_status_text(unsigned int code, char *buf, unsigned long len)
{
	int sig = code & 0x7f;

	if (!sig)
		snprintf(buf, len, "exit status %u", (code >> 8) & 0xff);
	else
		snprintf(buf, len, "killed by %s%s", watch_signal_name(sig),
			 code & 0x80 ? " (core dumped)" : "");
}

enum watch_sig_action watch_signal_default_action(int sig)
{
	switch (sig) {
	case SIGCHLD: case SIGURG: case SIGWINCH:
		return WATCH_ACT_IGNORE;
	case SIGCONT:
		return WATCH_ACT_CONT;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return WATCH_ACT_STOP;
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
	case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return WATCH_ACT_CORE;
	}
	/* Everything else, real-time signals included, terminates. */
	return sig > 0 && sig <= 64 ? WATCH_ACT_TERM : WATCH_ACT_IGNORE;
}

const char *watch_sig_action_name(enum watch_sig_action a)
{
	static const char *const names[] = {
		[WATCH_ACT_IGNORE] = "ignore", [WATCH_ACT_TERM] = "terminate",
		[WATCH_ACT_CORE] = "core dump", [WATCH_ACT_STOP] = "stop",
		[WATCH_ACT_CONT] = "continue",
	};

	return (unsigned int)a < sizeof(names) / sizeof(names[0]) ? names[a] : "?";
}

/* Signals the CPU raises through the kernel when an instruction faults or traps. */
static bool fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
	       sig == SIGTRAP || sig == SIGSYS;
}

static bool sent_code(int code)
{
	return code == SI_USER || code == SI_TKILL || code == SI_QUEUE;
}

enum watch_sig_cause watch_signal_cause(const struct watch_sig_origin *o)
{
	if (!o->code_known)
		return o->have_sender ? WATCH_CAUSE_SENDER : WATCH_CAUSE_UNKNOWN;
	/*
	 * Positive si_codes of these signals (SEGV_MAPERR, FPE_INTDIV, SYS_SECCOMP...)
	 * only come from the kernel's fault paths; SI_KERNEL from a trap (#GP, int3).
	 */
	if (fault_signal(o->sig) && (o->code > 0 || o->code == SI_KERNEL))
		return WATCH_CAUSE_FAULT;
	if (sent_code(o->code)) {
		if (!o->have_sender)
			return WATCH_CAUSE_UNKNOWN;
		return o->sender_pid == o->pid ? WATCH_CAUSE_SELF : WATCH_CAUSE_SENDER;
	}
	if (o->code == SI_KERNEL || o->code == SI_TIMER || o->code == SI_MESGQ ||
	    o->code == SI_ASYNCIO || o->code == SI_SIGIO)
		return WATCH_CAUSE_KERNEL;
	return WATCH_CAUSE_UNKNOWN;
}

const char *watch_sig_cause_name(enum watch_sig_cause c)
{
	static const char *const names[] = {
		[WATCH_CAUSE_UNKNOWN] = "unknown", [WATCH_CAUSE_FAULT] = "fault",
		[WATCH_CAUSE_SELF] = "self", [WATCH_CAUSE_SENDER] = "sender",
		[WATCH_CAUSE_KERNEL] = "kernel",
	};

	return (unsigned int)c < sizeof(names) / sizeof(names[0]) ? names[c] : "unknown";
}

bool watch_signal_is_crash(int sig, enum watch_sig_cause c)
{
	return c == WATCH_CAUSE_FAULT || (c == WATCH_CAUSE_SELF && (sig == SIGABRT ||
								 fault_signal(sig)));
}

const char *watch_si_code_via(int code)
{
	switch (code) {
	case SI_USER: return "kill()";
	case SI_TKILL: return "tgkill()";
	case SI_QUEUE: return "sigqueue()";
	case SI_KERNEL: return "the kernel";
	case SI_TIMER: return "a POSIX timer";
	case SI_MESGQ: return "a message queue";
	case SI_ASYNCIO: return "AIO completion";
	case SI_SIGIO: return "queued SIGIO";
	}
	return NULL;
}

static bool signal_syscall(const char *name)
{
	static const char *const calls[] = { "kill", "tkill", "tgkill", "rt_sigqueueinfo",
					     "rt_tgsigqueueinfo", "pidfd_send_signal" };

	for (size_t i = 0; name && i < sizeof(calls) / sizeof(calls[0]); i++)
		if (!strcmp(name, calls[i]))
			return true;
	return false;
}

const char *watch_signal_via(int code, int syscall, char *buf, unsigned long len)
{
	const char *name = syscall >= 0 ? syscall_name(syscall) : NULL;

	if (!sent_code(code) || !name)
		return watch_si_code_via(code);
	if (signal_syscall(name))
		snprintf(buf, len, "%s()", name);
	else	/* e.g. SIGPIPE from write(), a parent's death signal from exit_group() */
		snprintf(buf, len, "the kernel during %s()", name);
	return buf;
}
