// SPDX-License-Identifier: GPL-2.0
/* Names of signals and si_codes, as the man pages spell them. Pure. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

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
