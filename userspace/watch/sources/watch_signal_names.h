/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_SIGNAL_NAMES_H
#define FAULTLINE_WATCH_SIGNAL_NAMES_H

#include <stdbool.h>

/* "SIGSEGV"; "SIG<n>" for numbers without a name (static buffer: not reentrant). */
const char *watch_signal_name(int sig);

/* "SEGV_MAPERR", "SI_USER", ...; "<n>" when unknown (static buffer). */
const char *watch_si_code_name(int sig, int code);

/* Human text of a wait status: "exit status 3", "killed by SIGKILL (core dumped)". */
void watch_exit_status_text(unsigned int code, char *buf, unsigned long len);

/* What the kernel does with a signal nobody handles (signal(7)). */
enum watch_sig_action {
	WATCH_ACT_IGNORE,
	WATCH_ACT_TERM,
	WATCH_ACT_CORE,
	WATCH_ACT_STOP,
	WATCH_ACT_CONT,
};

enum watch_sig_action watch_signal_default_action(int sig);
/* "terminate", "core dump", "stop", "ignore", "continue" */
const char *watch_sig_action_name(enum watch_sig_action a);

/* Where a signal came from. */
enum watch_sig_cause {
	WATCH_CAUSE_UNKNOWN,	/* sent, by nobody we saw */
	WATCH_CAUSE_FAULT,	/* the kernel, synchronously, on an instruction of the thread */
	WATCH_CAUSE_SELF,	/* the process sent it to itself (abort(), raise(), EPIPE) */
	WATCH_CAUSE_SENDER,	/* another process: kill(), tgkill(), sigqueue() */
	WATCH_CAUSE_KERNEL,	/* the kernel on its own (OOM killer, rlimit, timer) */
};

struct watch_sig_origin {
	int sig;
	int code;		/* si_code */
	bool code_known;
	bool have_sender;
	unsigned int sender_pid;	/* tgid */
	unsigned int pid;	/* the receiving process */
};

enum watch_sig_cause watch_signal_cause(const struct watch_sig_origin *o);
/* "fault", "self", "sender", "kernel", "unknown" */
const char *watch_sig_cause_name(enum watch_sig_cause c);
/* A crash: a fault in the code, or a fatal signal the process raised itself (abort()). */
bool watch_signal_is_crash(int sig, enum watch_sig_cause c);
/* How an si_code is sent: "kill()", "tgkill()", "sigqueue()", "the kernel"...; NULL if unknown. */
const char *watch_si_code_via(int code);
/*
 * How the sender sent it, from its si_code and the system call it was in
 * (-1: none): "kill()", "tgkill()", "the kernel during write()" (SIGPIPE),
 * else watch_si_code_via(). May use @buf.
 */
const char *watch_signal_via(int code, int syscall, char *buf, unsigned long len);

#endif
