// SPDX-License-Identifier: GPL-2.0
/* Decoded events: common fields, stacks, and emitting them (render + sink). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sym/symbolizer.h"
#include "watch/watch_internal.h"

static const char *const type_names[WATCH_EV__COUNT] = {
	[WATCH_EV_OOM_KILL] = "oom_kill",
	[WATCH_EV_FD_EXHAUSTED] = "fd_exhausted",
	[WATCH_EV_FD_PRESSURE] = "fd_pressure",
	[WATCH_EV_CONN_REFUSED] = "conn_refused",
	[WATCH_EV_CONN_ERROR] = "conn_error",
	[WATCH_EV_SLOW_SYSCALL] = "slow_syscall",
	[WATCH_EV_SIGNAL] = "signal",
	[WATCH_EV_PROCESS_EXIT] = "process_exit",
	[WATCH_EV_CONN_DROPPED] = "conn_dropped",
	[WATCH_EV_HEAP_SUMMARY] = "heap_summary",
	[WATCH_EV_RSS_GROWTH] = "rss_growth",
};

const char *watch_event_type_name(enum watch_event_type type)
{
	if (type >= WATCH_EV__COUNT || !type_names[type])
		return "unknown";
	return type_names[type];
}

const char *watch_severity_name(enum watch_severity sev)
{
	switch (sev) {
	case WATCH_SEV_INFO: return "info";
	case WATCH_SEV_WARNING: return "warning";
	case WATCH_SEV_ERROR: return "error";
	case WATCH_SEV_CRITICAL: return "critical";
	}
	return "unknown";
}

void watch_format_rfc3339(uint64_t wall_ns, char *buf, size_t len)
{
	time_t secs = wall_ns / 1000000000ULL;
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned int)(wall_ns % 1000000000ULL / 1000));
}

static void add_cgroup(struct watch_ctx *c, cJSON *obj, uint32_t pid, uint64_t cgid)
{
	char path[WATCH_PATH_LEN], id[80], runtime[16];

	if (watch_cgroup_path(c, pid, cgid, path, sizeof(path))) {
		cJSON_AddNullToObject(obj, "cgroup");
		return;
	}
	cJSON_AddStringToObject(obj, "cgroup", path);
	if (watch_container_id(path, id, sizeof(id), runtime, sizeof(runtime))) {
		cJSON_AddStringToObject(obj, "container", id);
		cJSON_AddStringToObject(obj, "container_runtime", runtime);
	}
}

int watch_event_begin(struct watch_ctx *c, struct watch_event *ev,
		      const struct watch_header *h, enum watch_severity sev)
{
	char when[40];

	memset(ev, 0, sizeof(*ev));
	ev->type = h->type;
	ev->severity = sev;
	ev->wall_ns = h->ktime_ns + c->mono_to_real_ns;
	ev->pid = h->tgid;
	memcpy(ev->comm, h->comm, sizeof(ev->comm));
	ev->comm[sizeof(ev->comm) - 1] = '\0';
	ev->json = cJSON_CreateObject();
	if (!ev->json)
		return -ENOMEM;
	watch_format_rfc3339(ev->wall_ns, when, sizeof(when));
	cJSON_AddStringToObject(ev->json, "type", watch_event_type_name(h->type));
	cJSON_AddStringToObject(ev->json, "time", when);
	cJSON_AddStringToObject(ev->json, "severity", watch_severity_name(sev));
	cJSON_AddNumberToObject(ev->json, "pid", h->tgid);
	cJSON_AddNumberToObject(ev->json, "tid", h->tid);
	cJSON_AddStringToObject(ev->json, "comm", ev->comm);
	cJSON_AddNumberToObject(ev->json, "uid", h->uid);
	add_cgroup(c, ev->json, h->tgid, h->cgroup_id);
	return 0;
}

void watch_event_facts(struct watch_event *ev, const char *fmt, ...)
{
	size_t used = strlen(ev->facts);
	va_list ap;

	if (used >= sizeof(ev->facts) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(ev->facts + used, sizeof(ev->facts) - used, fmt, ap);
	va_end(ap);
}

void watch_event_discard(struct watch_event *ev)
{
	cJSON_Delete(ev->json);
	ev->json = NULL;
}

void watch_stack_key(const cJSON *stack, char *buf, size_t len)
{
	const cJSON *f;
	size_t used = 0;

	if (!len)
		return;
	buf[0] = '\0';
	cJSON_ArrayForEach(f, stack) {
		const char *sym = cJSON_GetStringValue(cJSON_GetObjectItem(f, "symbol"));
		const char *mod = cJSON_GetStringValue(cJSON_GetObjectItem(f, "module"));
		const char *addr = cJSON_GetStringValue(cJSON_GetObjectItem(f, "addr"));

		if (used >= len)
			break;
		used += snprintf(buf + used, len - used, "%s!%s;", mod ? mod : "",
				 sym ? sym : addr ? addr : "?");
	}
}
