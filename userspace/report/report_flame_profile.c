// SPDX-License-Identifier: GPL-2.0
/*
 * An incident window as a struct profile_data, so the profile writers
 * (output_svg's interactive flame graph) render it like any profile.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_flame.h"

static enum frame_kind kind_of(const char *k)
{
	if (!k)
		return FRAME_UNKNOWN;
	if (!strcmp(k, "kernel"))
		return FRAME_KERNEL;
	if (!strcmp(k, "user"))
		return FRAME_USER;
	if (!strcmp(k, "jit"))
		return FRAME_JIT;
	if (!strcmp(k, "python"))
		return FRAME_PYTHON;
	return !strcmp(k, "lost") ? FRAME_LOST : FRAME_UNKNOWN;
}

static const char *jstr(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static int fill_stack(struct profile_stack *s, const cJSON *def, uint64_t count)
{
	const cJSON *frames = cJSON_GetObjectItemCaseSensitive(def, "frames"), *f;
	int n = cJSON_GetArraySize(frames), i = 0;

	s->frames = calloc(n ? n : 1, sizeof(*s->frames));
	if (!s->frames)
		return -ENOMEM;
	s->pid = rec_json_uint(cJSON_GetObjectItemCaseSensitive(def, "pid"), UINT32_MAX);
	s->comm = jstr(def, "comm") ? jstr(def, "comm") : "[unknown]";
	s->count = count;
	cJSON_ArrayForEach(f, frames) {
		struct profile_frame *pf = &s->frames[i++];
		const cJSON *off = cJSON_GetObjectItemCaseSensitive(f, "offset");

		pf->name = jstr(f, "name") ? jstr(f, "name") : "[unknown]";
		pf->module = jstr(f, "module");
		pf->build_id = jstr(f, "build_id");
		pf->kind = kind_of(jstr(f, "kind"));
		pf->module_offset = rec_json_uint(off, UINT64_MAX);
	}
	s->nframes = i;
	return 0;
}

int flame_profile(const struct report_model *m, const struct flame *fl, struct profile_data *out)
{
	uint32_t nids = rec_reader__pstack_count(m->reader);
	uint64_t *win = calloc(nids + 1, sizeof(*win));
	int err = win ? 0 : -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (!err)
		flame_window_counts(m, fl, win, nids);
	out->stacks = calloc(nids + 1, sizeof(*out->stacks));
	for (uint32_t id = 1; !err && out->stacks && id < nids; id++) {
		const cJSON *def = rec_reader__pstack(m->reader, id);

		if (!def || !win[id])
			continue;
		err = fill_stack(&out->stacks[out->nstacks++], def, win[id]);
		out->total_samples += win[id];
	}
	free(win);
	if (!err && !out->stacks)
		err = -ENOMEM;
	out->period_ns = m->period_ns;
	out->start_wall_ns = (uint64_t)fl->start;
	out->duration_ns = (uint64_t)(fl->end - fl->start);
	return err;
}

void flame_profile_free(struct profile_data *p)
{
	for (size_t i = 0; p->stacks && i < p->nstacks; i++)
		free(p->stacks[i].frames);
	free(p->stacks);
	memset(p, 0, sizeof(*p));
}

int flame_offcpu_profile(const struct report_model *m, int64_t start, int64_t end,
			 const uint32_t *tids, size_t ntids, struct profile_data *out)
{
	struct report_offcpu_stack *st;
	size_t n;
	int err;

	memset(out, 0, sizeof(*out));
	err = report_offcpu_window(m, start, end, tids, ntids, &st, &n);
	if (err)
		return err;
	out->stacks = calloc(n ? n : 1, sizeof(*out->stacks));
	for (size_t i = 0; !err && out->stacks && i < n; i++) {
		const cJSON *def = rec_reader__pstack(m->reader, st[i].pstack);

		err = fill_stack(&out->stacks[out->nstacks], def, st[i].us);
		out->stacks[out->nstacks++].events = st[i].waits;
		out->total_samples += st[i].us;
	}
	free(st);
	if (!err && !out->stacks)
		err = -ENOMEM;
	out->off_cpu = true;
	out->period_ns = 1000;	/* counts are microseconds */
	out->start_wall_ns = (uint64_t)start;
	out->duration_ns = (uint64_t)(end - start);
	return err;
}
