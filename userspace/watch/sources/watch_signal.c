// SPDX-License-Identifier: GPL-2.0
/* signal (and process_exit): loader and decoder for bpf/watch_signal.bpf.c. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "sym/symbolizer.h"
#include "watch/watch_internal.h"
#include "watch_signal.h"
#include "watch_signal.skel.h"
#include "watch/sources/watch_signal_names.h"

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGKILL, SIGSYS };

/* tp_btf signal_deliver/generate, or the classic tracepoints: as probe/hook_plan.c plans. */
static int signal_load(struct watch_source *s, const struct watch_opts *o)
{
	struct watch_signal_bpf *skel = watch_signal_bpf__open();
	const char *hook;
	__u64 mask = 0;
	int err;

	s->priv = skel;
	if (!skel) {
		err = -errno;
		goto fail;
	}
	watch_set_common_rodata(&WATCH_COMMON_RODATA(skel->rodata), o);
	watch_size_common_maps(skel->obj, o);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		mask |= 1ULL << fatal_signals[i];
	skel->rodata->fatal_mask = mask;
	bpf_map__set_max_entries(skel->maps.events, watch_ringbuf_bytes(o));
	hook = watch_choose_hook(s, skel->obj, "signal");
	if (!hook)
		return -EOPNOTSUPP;
	bpf_program__set_autoload(skel->progs.signal_exit, o->exits);
	err = watch_signal_bpf__load(skel);
	if (!err)
		err = watch_signal_bpf__attach(skel);
	if (err)
		goto fail;
	watch_source_attached(s, "%s", hook);
	if (o->exits)
		watch_source_attached(s, "tracepoint sched:sched_process_exit");
	s->ring_fd = bpf_map__fd(skel->maps.events);
	s->counters_fd = bpf_map__fd(skel->maps.counters);
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

static void add_sender(struct watch_event *ev, const struct watch_signal_event *e)
{
	cJSON *snd;

	/* Faults are "sent" by the faulting thread itself: only name real senders. */
	if (!(e->flags & WATCH_SIG_HAVE_SENDER) ||
	    (e->sender.code > 0 && e->sender.code != SI_KERNEL))
		return;
	snd = cJSON_AddObjectToObject(ev->json, "sender");
	if (!snd)
		return;
	cJSON_AddNumberToObject(snd, "pid", e->sender.pid);
	cJSON_AddNumberToObject(snd, "tid", e->sender.tid);
	cJSON_AddStringToObject(snd, "comm", e->sender.comm);
	cJSON_AddNumberToObject(snd, "uid", e->sender.uid);
	cJSON_AddStringToObject(snd, "si_code", watch_si_code_name(e->sig, e->sender.code));
	watch_event_facts(ev, " from %u/%.16s", e->sender.pid, e->sender.comm);
}

static int handle_signal(struct watch_source *s, const struct watch_signal_event *e)
{
	struct watch_event ev;
	char addr[24];

	if (watch_event_begin(s->ctx, &ev, &e->hdr, e->flags & WATCH_SIG_HANDLED ?
			      WATCH_SEV_WARNING : WATCH_SEV_CRITICAL))
		return -ENOMEM;
	cJSON_AddStringToObject(ev.json, "signal", watch_signal_name(e->sig));
	cJSON_AddNumberToObject(ev.json, "signo", e->sig);
	cJSON_AddStringToObject(ev.json, "si_code", watch_si_code_name(e->sig, e->code));
	cJSON_AddNumberToObject(ev.json, "si_errno", e->err);
	cJSON_AddBoolToObject(ev.json, "handled", e->flags & WATCH_SIG_HANDLED);
	watch_event_facts(&ev, "%s (%s)", watch_signal_name(e->sig),
			  watch_si_code_name(e->sig, e->code));
	if (e->code > 0 && e->code < SI_KERNEL && !(e->flags & WATCH_SIG_NO_FAULT_ADDR)) {
		snprintf(addr, sizeof(addr), "0x%" PRIx64, (uint64_t)e->fault_addr);
		cJSON_AddStringToObject(ev.json, "fault_addr", addr);
		watch_event_facts(&ev, " at %s", addr);
	}
	add_sender(&ev, e);
	if (e->flags & WATCH_SIG_HANDLED)
		watch_event_facts(&ev, ", handled by the process");
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
	.summary = "signal: fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGKILL, "
		   "SIGSYS) with sender and stack",
	.load = signal_load,
	.handle = signal_handle,
	.counter_names = { "per-thread duplicates" },
	.free = signal_free,
};
