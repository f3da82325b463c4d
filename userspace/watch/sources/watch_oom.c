// SPDX-License-Identifier: GPL-2.0
/* oom_kill: loader and decoder for bpf/watch_oom.bpf.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "sym/symbolizer.h"
#include "watch/watch_internal.h"
#include "watch_oom.h"
#include "watch_oom.skel.h"

/*
 * tp_btf mark_victim, or on kernels without typed tracepoints or before
 * ~6.8 (whose mark_victim passes only a pid) the classic tracepoint, without
 * the victim's memory cgroup: as probe/hook_plan.c plans it.
 */
static int oom_load(struct watch_source *s, const struct watch_opts *o)
{
	struct watch_oom_bpf *skel = watch_oom_bpf__open();
	const char *hook;
	int err;

	s->priv = skel;
	if (!skel) {
		err = -errno;
		goto fail;
	}
	watch_set_common_rodata(&WATCH_COMMON_RODATA(skel->rodata), o);
	hook = watch_source_prepare(s, o, skel->obj, skel->maps.events, "oom");
	if (!hook)
		return -EOPNOTSUPP;
	err = watch_source_start(s, skel->skeleton, hook, skel->maps.events, skel->maps.counters);
	if (err)
		goto fail;
	return 0;
fail:
	log_error("watch: oom: cannot attach oom:mark_victim: %s", strerror(-err));
	return err;
}

static void oom_free(struct watch_source *s)
{
	watch_oom_bpf__destroy(s->priv);
	s->priv = NULL;
}

static void memcg_path(const struct watch_oom_event *e, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = (int)e->memcg_levels - 1; i >= 0 && i < WATCH_CG_LEVELS; i--)
		used += snprintf(buf + used, used < len ? len - used : 0, "/%.*s",
				 WATCH_CG_NAME_LEN, e->memcg_names[i]);
	if (!e->memcg_levels)
		snprintf(buf, len, "/");
}

/* Memcg or global OOM: from the trigger's kernel stack, else the counters. */
static const char *constraint(const struct watch_oom_event *e, const cJSON *stack)
{
	const cJSON *f;
	bool global = false;

	cJSON_ArrayForEach(f, stack) {
		const char *sym = cJSON_GetStringValue(cJSON_GetObjectItem(f, "symbol"));

		if (!sym)
			continue;
		if (strstr(sym, "mem_cgroup_out_of_memory") || strstr(sym, "try_charge"))
			return "memcg";
		if (strstr(sym, "sysrq"))
			return "sysrq";
		if (!strcmp(sym, "out_of_memory") || strstr(sym, "__alloc_pages"))
			global = true;
	}
	if (global)
		return "global";
	if (e->flags & WATCH_OOM_MEMCG_AT_LIMIT)
		return "memcg";
	return "unknown";
}

static void add_victim(cJSON *ev, const struct watch_oom_event *e, const char *memcg)
{
	cJSON *v = cJSON_AddObjectToObject(ev, "victim");

	if (!v)
		return;
	cJSON_AddNumberToObject(v, "pid", e->victim_pid);
	cJSON_AddNumberToObject(v, "tid", e->victim_tid);
	cJSON_AddStringToObject(v, "comm", e->victim_comm);
	if (e->flags & WATCH_OOM_NO_COUNTERS)	/* a pre-6.8 tracepoint: only the pid */
		return;
	cJSON_AddNumberToObject(v, "uid", e->victim_uid);
	cJSON_AddNumberToObject(v, "total_vm_kb", (double)e->total_vm_kb);
	cJSON_AddNumberToObject(v, "anon_rss_kb", (double)e->anon_rss_kb);
	cJSON_AddNumberToObject(v, "file_rss_kb", (double)e->file_rss_kb);
	cJSON_AddNumberToObject(v, "shmem_rss_kb", (double)e->shmem_rss_kb);
	cJSON_AddNumberToObject(v, "pgtables_kb", (double)e->pgtables_kb);
	cJSON_AddNumberToObject(v, "oom_score_adj", e->oom_score_adj);
	if (!(e->flags & WATCH_OOM_HAVE_MEMCG))
		return;
	cJSON_AddStringToObject(v, "memcg", memcg);
	cJSON_AddNumberToObject(v, "memcg_id", (double)e->memcg_id);
	if (e->memcg_limit_kb < (1ULL << 50))
		cJSON_AddNumberToObject(v, "memcg_limit_kb", (double)e->memcg_limit_kb);
	cJSON_AddNumberToObject(v, "memcg_usage_kb", (double)e->memcg_usage_kb);
}

static void add_trigger(struct watch_ctx *c, cJSON *ev, const struct watch_oom_event *e)
{
	cJSON *t = cJSON_AddObjectToObject(ev, "trigger");
	char path[WATCH_PATH_LEN];

	if (!t)
		return;
	cJSON_AddNumberToObject(t, "pid", e->hdr.tgid);
	cJSON_AddNumberToObject(t, "tid", e->hdr.tid);
	cJSON_AddStringToObject(t, "comm", e->hdr.comm);
	cJSON_AddNumberToObject(t, "uid", e->hdr.uid);
	if (!watch_cgroup_path(c, e->hdr.tgid, e->hdr.cgroup_id, path, sizeof(path)))
		cJSON_AddStringToObject(t, "cgroup", path);
}

/*
 * The classic tracepoint names the victim by thread id: its process id (and,
 * before 6.8, its comm) come from /proc, while the dying victim is still
 * there; when it is already gone, the thread id stands in.
 */
static void resolve_victim(struct watch_oom_event *e)
{
	char path[64], line[256];
	int tgid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/status", e->victim_tid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!e->victim_comm[0] && !strncmp(line, "Name:\t", 6)) {
			size_t n = strcspn(line + 6, "\n");

			n = n < sizeof(e->victim_comm) - 1 ? n : sizeof(e->victim_comm) - 1;
			memcpy(e->victim_comm, line + 6, n);
			e->victim_comm[n] = '\0';
		}
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	}
	fclose(f);
	if (tgid > 0)
		e->victim_pid = tgid;
}

static int oom_handle(struct watch_source *s, const void *data, size_t size)
{
	struct watch_oom_event copy;
	const struct watch_oom_event *e = data;
	struct watch_header victim;
	struct watch_event ev;
	char memcg[WATCH_CG_LEVELS * (WATCH_CG_NAME_LEN + 1) + 2];
	const char *kind;

	if (size < sizeof(*e) || e->hdr.type != WATCH_EV_OOM_KILL)
		return -EINVAL;
	if (e->flags & WATCH_OOM_TID_ONLY) {
		memcpy(&copy, e, sizeof(copy));
		resolve_victim(&copy);
		e = &copy;
	}
	victim = e->hdr;
	victim.tgid = e->victim_pid;
	victim.tid = e->victim_tid;
	victim.uid = e->victim_uid;
	victim.cgroup_id = 0;	/* the trigger's; the victim's is looked up by pid */
	memcpy(victim.comm, e->victim_comm, sizeof(victim.comm));
	if (watch_event_begin(s->ctx, &ev, &victim, WATCH_SEV_CRITICAL))
		return -ENOMEM;
	memcg_path(e, memcg, sizeof(memcg));
	if (cJSON_IsNull(cJSON_GetObjectItem(ev.json, "cgroup")) &&
	    (e->flags & WATCH_OOM_HAVE_MEMCG))
		cJSON_ReplaceItemInObject(ev.json, "cgroup", cJSON_CreateString(memcg));
	add_victim(ev.json, e, memcg);
	add_trigger(s->ctx, ev.json, e);
	watch_event_add_header_stack(s->ctx, &ev, &e->hdr, &e->stacks);
	kind = constraint(e, cJSON_GetObjectItem(ev.json, "stack"));
	cJSON_AddStringToObject(ev.json, "constraint", kind);
	watch_event_facts(&ev, "killed %u/%.16s (anon-rss %" PRIu64 " kB, total-vm %" PRIu64
			  " kB, oom_score_adj %d) %s OOM", e->victim_pid, e->victim_comm,
			  (uint64_t)e->anon_rss_kb, (uint64_t)e->total_vm_kb, e->oom_score_adj, kind);
	if (e->flags & WATCH_OOM_HAVE_MEMCG)
		watch_event_facts(&ev, " in memcg %s", memcg);
	watch_event_facts(&ev, ", triggered by %u/%.16s", e->hdr.tgid, e->hdr.comm);
	watch_emit(s->ctx, &ev);
	return 0;
}

const struct watch_source_ops watch_oom_ops = {
	.name = "oom",
	.summary = "oom_kill: OOM killer victims, memory cgroup and the triggering task",
	.load = oom_load,
	.handle = oom_handle,
	.free = oom_free,
};
