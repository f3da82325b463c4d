// SPDX-License-Identifier: GPL-2.0
/*
 * Enrichment: an event's stack addresses into frames (module, symbol,
 * offset), before any renderer sees the event.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sym/symbolizer.h"
#include "watch/watch_internal.h"
#include "kunwind.h"

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

bool watch_tracing_symbol(const char *symbol)
{
	static const char *const prefixes[] = {
		"bpf_prog_", "bpf_trace_run", "__bpf_trace_", "__traceiter_", "trace_call_bpf",
		"perf_trace_", "perf_syscall_", "bpf_dispatcher_",
	};

	if (!symbol)
		return false;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(symbol, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static bool tracing_frame(const struct sym_result *r)
{
	return watch_tracing_symbol(r->symbol);
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
	else if (c->kunwind && n)
		cJSON_AddStringToObject(ev->json, "unwind",
					h->user_how == KUNWIND_HOW_TABLES ? "kernel" : "fp");
	return add_stack(c, ev->json, "stack", h->tgid, s->kernel, h->nr_kernel, user, n,
			 inferred);
}

struct symbolizer *watch_symbolizer(struct watch_ctx *c)
{
	return c->sym;
}
