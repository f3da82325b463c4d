// SPDX-License-Identifier: GPL-2.0
/* signal (and process_exit): loader and decoder for bpf/watch_signal.bpf.c. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/syscall_names.h"
#include "sym/symbolizer.h"
#include "watch/watch_internal.h"
#include "watch_signal.h"
#include "watch_signal.skel.h"
#include "watch/sources/watch_signal_names.h"

/* Reported even when a handler catches them: a handled fault is still worth seeing. */
static const int handled_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS };

/* The BPF masks: see report_mask, handled_mask and ends_mask in watch_signal.bpf.c. */
static void signal_masks(struct watch_signal_bpf *skel)
{
	__u64 report = 0, handled = 0, ends = 0;

	for (int sig = 1; sig < 64; sig++) {
		enum watch_sig_action a = watch_signal_default_action(sig);

		if (a == WATCH_ACT_TERM || a == WATCH_ACT_CORE)
			ends |= 1ULL << sig;
		if (a == WATCH_ACT_TERM || a == WATCH_ACT_CORE || a == WATCH_ACT_STOP)
			report |= 1ULL << sig;
	}
	for (size_t i = 0; i < sizeof(handled_signals) / sizeof(handled_signals[0]); i++)
		handled |= 1ULL << handled_signals[i];
	skel->rodata->report_mask = report;
	skel->rodata->handled_mask = handled;
	skel->rodata->ends_mask = ends;
}

/* tp_btf signal_deliver/generate, or the classic tracepoints: as probe/hook_plan.c plans. */
static int signal_load(struct watch_source *s, const struct watch_opts *o)
{
	struct watch_signal_bpf *skel = watch_signal_bpf__open();
	const char *hook;
	int err;

	s->priv = skel;
	if (!skel) {
		err = -errno;
		goto fail;
	}
	watch_set_common_rodata(&WATCH_COMMON_RODATA(skel->rodata), o);
	signal_masks(skel);
	hook = watch_source_prepare(s, o, skel->obj, skel->maps.events, "signal");
	if (!hook)
		return -EOPNOTSUPP;
	bpf_program__set_autoload(skel->progs.signal_exit, o->exits);
	err = watch_source_start(s, skel->skeleton, hook, skel->maps.events, skel->maps.counters);
	if (err)
		goto fail;
	if (o->exits)
		watch_source_attached(s, "tracepoint sched:sched_process_exit");
	return 0;
fail:
	log_error("watch: signal: cannot attach the signal tracepoints: %s", strerror(-err));
	return err;
}

static void signal_free(struct watch_source *s)
{
	watch_signal_bpf__destroy(s->priv);
	s->priv = NULL;
}

static enum watch_sig_cause signal_cause(const struct watch_signal_event *e)
{
	struct watch_sig_origin o = {
		.sig = e->sig, .code = e->code, .code_known = !(e->flags & WATCH_SIG_CODE_UNKNOWN),
		.have_sender = e->flags & WATCH_SIG_HAVE_SENDER, .sender_pid = e->sender.pid,
		.pid = e->hdr.tgid,
	};

	return watch_signal_cause(&o);
}

/* Faults are "sent" by the faulting thread itself: only name real senders. */
static void add_sender(cJSON *json, const struct watch_signal_event *e,
		       enum watch_sig_cause cause)
{
	const char *call = e->sender.syscall >= 0 ? syscall_name(e->sender.syscall) : NULL;
	char buf[48];
	const char *via = watch_signal_via(e->sender.code, e->sender.syscall, buf, sizeof(buf));
	cJSON *snd;

	if (!(e->flags & WATCH_SIG_HAVE_SENDER) || cause == WATCH_CAUSE_FAULT)
		return;
	snd = cJSON_AddObjectToObject(json, "sender");
	if (!snd)
		return;
	cJSON_AddNumberToObject(snd, "pid", e->sender.pid);
	cJSON_AddNumberToObject(snd, "tid", e->sender.tid);
	cJSON_AddStringToObject(snd, "comm", e->sender.comm);
	cJSON_AddStringToObject(snd, "thread_comm", e->sender.thread_comm);
	cJSON_AddNumberToObject(snd, "uid", e->sender.uid);
	cJSON_AddStringToObject(snd, "si_code", watch_si_code_name(e->sig, e->sender.code));
	if (call && e->sender.code != SI_KERNEL)	/* in interrupts: whatever ran */
		cJSON_AddStringToObject(snd, "syscall", call);
	if (via)
		cJSON_AddStringToObject(snd, "via", via);
}

/* "terminated by 812/timeout via kill()", "crash: a fault in the code", ... */
static void origin_facts(struct watch_event *ev, const struct watch_signal_event *e,
			 enum watch_sig_cause cause, enum watch_sig_action act)
{
	char buf[48];
	const char *via = watch_signal_via(e->sender.code, e->sender.syscall, buf, sizeof(buf));
	const char *verb = act == WATCH_ACT_STOP ? "stopped" :
			   e->flags & WATCH_SIG_FATAL ? "terminated" : "sent";

	switch (cause) {
	case WATCH_CAUSE_FAULT:
		watch_event_facts(ev, ": crash, a fault in the code");
		return;
	case WATCH_CAUSE_SELF:
		watch_event_facts(ev, ": %s by the process itself via %s",
				  watch_signal_is_crash(e->sig, cause) ? "crash, raised" : "sent",
				  via ? via : "?");
		return;
	case WATCH_CAUSE_SENDER:
		watch_event_facts(ev, ": %s by %u/%.16s%s%s", verb, e->sender.pid,
				  e->sender.comm, via ? " via " : "", via ? via : "");
		return;
	case WATCH_CAUSE_KERNEL:
		watch_event_facts(ev, ": %s by the kernel", verb);
		if (e->flags & WATCH_SIG_HAVE_SENDER)
			watch_event_facts(ev, " (while %u/%.16s ran)", e->sender.pid,
					  e->sender.comm);
		return;
	case WATCH_CAUSE_UNKNOWN:
		watch_event_facts(ev, ": %s, sender unknown", verb);
		return;
	}
}

/* What the event says the signal was, did, and who sent it. */
static void signal_json(cJSON *json, const struct watch_signal_event *e,
			enum watch_sig_cause cause, enum watch_sig_action act)
{
	const char *code = e->flags & WATCH_SIG_CODE_UNKNOWN ? "unknown" :
			   watch_si_code_name(e->sig, e->code);

	cJSON_AddStringToObject(json, "thread_comm", e->thread_comm);
	cJSON_AddStringToObject(json, "signal", watch_signal_name(e->sig));
	cJSON_AddNumberToObject(json, "signo", e->sig);
	cJSON_AddStringToObject(json, "si_code", code);
	cJSON_AddNumberToObject(json, "si_errno", e->err);
	cJSON_AddBoolToObject(json, "handled", e->flags & WATCH_SIG_HANDLED);
	cJSON_AddStringToObject(json, "cause", watch_sig_cause_name(cause));
	cJSON_AddBoolToObject(json, "crash", (e->flags & WATCH_SIG_FATAL) &&
			      watch_signal_is_crash(e->sig, cause));
	cJSON_AddStringToObject(json, "action", e->flags & WATCH_SIG_HANDLED ? "handler" :
				watch_sig_action_name(act));
	cJSON_AddBoolToObject(json, "fatal", e->flags & WATCH_SIG_FATAL);
	cJSON_AddBoolToObject(json, "group_exit", e->flags & WATCH_SIG_GROUP_EXIT);
	cJSON_AddBoolToObject(json, "reraised", (e->flags & WATCH_SIG_HAVE_SENDER) &&
			      (e->sender.flags & WATCH_SENDER_RERAISED));
	add_sender(json, e, cause);
}

static int handle_signal(struct watch_source *s, const struct watch_signal_event *e)
{
	enum watch_sig_cause cause = signal_cause(e);
	enum watch_sig_action act = watch_signal_default_action(e->sig);
	struct watch_event ev;
	char addr[24];

	if (watch_event_begin(s->ctx, &ev, &e->hdr, e->flags & WATCH_SIG_FATAL ?
			      WATCH_SEV_CRITICAL : WATCH_SEV_WARNING))
		return -ENOMEM;
	signal_json(ev.json, e, cause, act);
	watch_event_facts(&ev, "%s (%s)", watch_signal_name(e->sig),
			  cJSON_GetStringValue(cJSON_GetObjectItem(ev.json, "si_code")));
	if (cause == WATCH_CAUSE_FAULT && e->code > 0 && e->code < SI_KERNEL &&
	    !(e->flags & WATCH_SIG_NO_FAULT_ADDR)) {
		snprintf(addr, sizeof(addr), "0x%" PRIx64, (uint64_t)e->fault_addr);
		cJSON_AddStringToObject(ev.json, "fault_addr", addr);
		watch_event_facts(&ev, " at %s", addr);
	}
	origin_facts(&ev, e, cause, act);
	if (cJSON_IsTrue(cJSON_GetObjectItem(ev.json, "reraised")))
		watch_event_facts(&ev, ", caught and raised again by the process");
	if (e->flags & WATCH_SIG_HANDLED)
		watch_event_facts(&ev, ", handled by the process");
	else
		watch_event_facts(&ev, " (default action: %s)", watch_sig_action_name(act));
	if (strncmp(e->thread_comm, e->hdr.comm, sizeof(e->thread_comm)))
		watch_event_facts(&ev, "; thread %.16s", e->thread_comm);
	watch_event_add_header_stack(s->ctx, &ev, &e->hdr, &e->stacks);
	watch_emit(s->ctx, &ev);
	return 0;
}

static int handle_exit(struct watch_source *s, const struct watch_exit_event *e)
{
	struct watch_event ev;
	char text[64];
	int sig = e->exit_code & 0x7f;

	if (watch_event_begin(s->ctx, &ev, &e->hdr, WATCH_SEV_WARNING))
		return -ENOMEM;
	watch_exit_status_text(e->exit_code, text, sizeof(text));
	cJSON_AddNumberToObject(ev.json, "exit_code", e->exit_code);
	if (sig) {
		cJSON_AddStringToObject(ev.json, "signal", watch_signal_name(sig));
		cJSON_AddBoolToObject(ev.json, "core_dumped", e->exit_code & 0x80);
	} else {
		cJSON_AddNumberToObject(ev.json, "status", (e->exit_code >> 8) & 0xff);
	}
	watch_event_facts(&ev, "%s", text);
	watch_emit(s->ctx, &ev);
	return 0;
}

static int signal_handle(struct watch_source *s, const void *data, size_t size)
{
	const struct watch_header *h = data;

	switch (h->type) {
	case WATCH_EV_SIGNAL:
		if (size < sizeof(struct watch_signal_event))
			return -EINVAL;
		return handle_signal(s, data);
	case WATCH_EV_PROCESS_EXIT:
		if (size < sizeof(struct watch_exit_event))
			return -EINVAL;
		return handle_exit(s, data);
	}
	return -EINVAL;
}

const struct watch_source_ops watch_signal_ops = {
	.name = "signal",
	.summary = "signal: signals that end or stop a process, and handled faults (SIGSEGV, "
		   "SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS), with sender and stack",
	.load = signal_load,
	.handle = signal_handle,
	.counter_names = { "per-thread duplicates", "sibling kills of exit/exec" },
	.free = signal_free,
};
