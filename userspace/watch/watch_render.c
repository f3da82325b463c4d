// SPDX-License-Identifier: GPL-2.0
/* Stacks into events, and events out: human lines, JSON Lines, the sink. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/text_safe.h"
#include "sym/symbolizer.h"
#include "watch/watch_internal.h"

static cJSON *frame_json(const struct sym_result *r)
{
	cJSON *f = cJSON_CreateObject();
	char addr[24];

	if (!f)
		return NULL;
	snprintf(addr, sizeof(addr), "0x%" PRIx64, r->addr);
	cJSON_AddStringToObject(f, "addr", addr);
	if (r->module)
		cJSON_AddStringToObject(f, "module", r->module);
	else
		cJSON_AddNullToObject(f, "module");
	if (r->symbol) {
		cJSON_AddStringToObject(f, "symbol", r->symbol);
		cJSON_AddNumberToObject(f, "offset", (double)r->sym_offset);
	} else {
		cJSON_AddNullToObject(f, "symbol");
		cJSON_AddNumberToObject(f, "offset", (double)r->module_offset);
	}
	return f;
}

/* The BPF program and the tracepoint plumbing that ran it: not the story. */
static bool tracing_frame(const struct sym_result *r)
{
	static const char *const prefixes[] = {
		"bpf_prog_", "bpf_trace_run", "__bpf_trace_", "__traceiter_", "trace_call_bpf",
		"perf_trace_", "perf_syscall_", "bpf_dispatcher_",
	};

	if (!r->symbol)
		return false;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(r->symbol, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/*
 * Symbolizes one frame. A user address outside every known mapping means
 * the snapshot is stale (a library loaded since): refresh it once per event,
 * while the process lives (a no-op once it is gone).
 */
static void symbolize(struct watch_ctx *c, uint32_t pid, uint64_t ip, bool kernel,
		      bool *refreshed, struct sym_result *r)
{
	memset(r, 0, sizeof(*r));
	if (!kernel && ip == UNWIND_TRUNCATED_IP) {
		r->symbol = "[truncated]";	/* the DWARF unwind stopped early */
	} else if (kernel) {
		symbolizer__kernel(c->sym, ip, r);
	} else {
		symbolizer__user(c->sym, pid, ip, r);
		if (!r->module && !*refreshed) {
			*refreshed = true;
			if (!symbolizer__capture_pid(c->sym, pid))
				symbolizer__user(c->sym, pid, ip, r);
		}
	}
	r->addr = ip;
}

static int add_frames(struct watch_ctx *c, cJSON *arr, uint32_t pid, const __u64 *ips, int n,
		      bool kernel, int inferred)
{
	bool leading = kernel, refreshed = false;
	struct sym_result r;

	for (int i = 0; i < n && i < WATCH_MAX_FRAMES; i++) {
		cJSON *f;

		symbolize(c, pid, ips[i], kernel, &refreshed, &r);
		if (r.not_code) {	/* heap or stack: the walk went astray, no frame */
			c->stacks_cut++;
			break;
		}
		if (leading && tracing_frame(&r))
			continue;
		leading = false;
		f = frame_json(&r);
		if (!f)
			return -ENOMEM;
		if (i == inferred)
			cJSON_AddBoolToObject(f, "inferred", true);
		cJSON_AddItemToArray(arr, f);
	}
	return 0;
}

static int add_stack(struct watch_ctx *c, cJSON *obj, const char *key, uint32_t pid,
		     const __u64 *kernel, int nkernel, const __u64 *user, int nuser, int inferred)
{
	cJSON *arr;
	int err;

	if (!nkernel && !nuser)
		return 0;
	arr = cJSON_AddArrayToObject(obj, key);
	if (!arr)
		return -ENOMEM;
	err = add_frames(c, arr, pid, kernel, nkernel, true, -1);
	if (!err)
		err = add_frames(c, arr, pid, user, nuser, false, inferred);
	return err;
}

int watch_event_add_stack(struct watch_ctx *c, cJSON *obj, const char *key, uint32_t pid,
			  const __u64 *kernel, int nkernel, const __u64 *user, int nuser)
{
	return add_stack(c, obj, key, pid, kernel, nkernel, user, nuser, -1);
}

int watch_event_add_header_stack(struct watch_ctx *c, struct watch_event *ev,
				 const struct watch_header *h, const struct watch_stacks *s)
{
	__u64 user[WATCH_MAX_FRAMES];
	int n, inferred;
	bool dwarf;

	n = watch_unwind_user(c, h, s, user, &inferred, &dwarf);
	if (c->unw && n)
		cJSON_AddStringToObject(ev->json, "unwind", dwarf ? "dwarf" : "fp");
	return add_stack(c, ev->json, "stack", h->tgid, s->kernel, h->nr_kernel, user, n,
			 inferred);
}

/* Module paths and symbol names come from the watched files: escaped too. */
static void print_frame(FILE *out, const cJSON *f)
{
	const char *addr = cJSON_GetStringValue(cJSON_GetObjectItem(f, "addr"));
	const char *sym = cJSON_GetStringValue(cJSON_GetObjectItem(f, "symbol"));
	const char *mod = cJSON_GetStringValue(cJSON_GetObjectItem(f, "module"));
	const cJSON *off = cJSON_GetObjectItem(f, "offset");
	const char *base = mod ? strrchr(mod, '/') : NULL;
	char esym[1024], emod[1024];

	text_safe(sym ? sym : "[unknown]", esym, sizeof(esym), TEXT_SAFE_TERMINAL);
	text_safe(base ? base + 1 : mod ? mod : "?", emod, sizeof(emod), TEXT_SAFE_TERMINAL);
	fprintf(out, "    %-18s %s+0x%" PRIx64 " (%s)%s\n", addr ? addr : "?", esym,
		(uint64_t)cJSON_GetNumberValue(off), emod,
		cJSON_IsTrue(cJSON_GetObjectItem(f, "inferred")) ? " [leaf caller]" : "");
}

static void render_human(struct watch_ctx *c, const struct watch_event *ev)
{
	time_t secs = ev->wall_ns / 1000000000ULL;
	char when[32], comm[4 * WATCH_COMM_LEN + 1], facts[4 * sizeof(ev->facts) + 1];
	const cJSON *stack, *f;
	struct tm tm;

	localtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	text_safe(ev->comm, comm, sizeof(comm), TEXT_SAFE_TERMINAL);
	text_safe(ev->facts, facts, sizeof(facts), TEXT_SAFE_TERMINAL);
	/* pid 0: no process acted (the kernel answered a packet): never shown as a pid */
	fprintf(c->out, "%s.%03u %-8s %-13s %.0u%s%s %s\n", when,
		(unsigned int)(ev->wall_ns % 1000000000ULL / 1000000),
		watch_severity_name(ev->severity), watch_event_type_name(ev->type), ev->pid,
		ev->pid ? "/" : "", comm, facts);
	if (!c->opts->stacks)
		return;
	stack = cJSON_GetObjectItem(ev->json, "stack");
	cJSON_ArrayForEach(f, stack)
		print_frame(c->out, f);
}

static void render_json(struct watch_ctx *c, const struct watch_event *ev)
{
	char *text = cJSON_PrintUnformatted(ev->json), *safe;

	/* Names that are not UTF-8 would make the line unreadable to JSON parsers. */
	if (text && !text_is_safe(text, TEXT_SAFE_UTF8)) {
		safe = text_safe_json(text);
		free(text);
		text = safe;
	}
	if (!text) {
		c->render_errors++;
		return;
	}
	fputs(text, c->out);
	fputc('\n', c->out);
	free(text);
}

/*
 * Counts an event whose output failed; the first failure is kept and ends
 * the run (watch_run reports it): nobody reads what follows.
 */
static bool check_written(struct watch_ctx *c)
{
	if (!fflush(c->out) && !ferror(c->out))
		return true;
	if (!c->write_errno)
		c->write_errno = errno ? errno : EIO;
	c->write_errors++;
	return false;
}

void watch_emit(struct watch_ctx *c, struct watch_event *ev)
{
	if (ev->type < WATCH_EV__COUNT)
		c->emitted[ev->type]++;
	if (c->render && !c->write_errno) {
		errno = 0;
		if (c->opts->json)
			render_json(c, ev);
		else
			render_human(c, ev);
		check_written(c);
	} else if (c->render) {
		c->write_errors++;
	}
	if (c->sink)
		c->sink(c->sink_arg, ev);
	watch_event_discard(ev);
}

bool watch_output_ok(struct watch_ctx *c)
{
	errno = 0;
	return !c->write_errno && check_written(c);
}

struct symbolizer *watch_symbolizer(struct watch_ctx *c)
{
	return c->sym;
}

const struct watch_opts *watch_ctx_opts(const struct watch_ctx *c)
{
	return c->opts;
}
