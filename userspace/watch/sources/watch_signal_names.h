/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_SIGNAL_NAMES_H
#define FAULTLINE_WATCH_SIGNAL_NAMES_H

/* "SIGSEGV"; "SIG<n>" for numbers without a name (static buffer: not reentrant). */
const char *watch_signal_name(int sig);

/* "SEGV_MAPERR", "SI_USER", ...; "<n>" when unknown (static buffer). */
const char *watch_si_code_name(int sig, int code);

/* Human text of a wait status: "exit status 3", "killed by SIGKILL (core dumped)". */
void watch_exit_status_text(unsigned int code, char *buf, unsigned long len);

#endif
