// SPDX-License-Identifier: GPL-2.0
/*
 * The records of a recording. Stacks repeat (an fd storm is a million
 * identical stacks), so each distinct one is written once as a "stack" or
 * "pstack" record and referred to by id.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"
#include "record/recording.h"
#include "record/recording_write.h"
#include "record/recording_write_priv.h"

/*
 * The id of @def's text in @tab, writing a @kind record the first time: @def
 * goes under @name, or its members are copied when @name is NULL.
 */
static int intern_record(struct rec_writer *w, struct strmap *tab, cJSON *def,
			 const char *kind, const char *name, uint32_t *id)
{
	char *text = cJSON_PrintUnformatted(def);
	int added, err = 0;

	if (!text)
		return -ENOMEM;
	*id = strmap__id(tab, text, &added);
	free(text);
	if (!*id)
		return -ENOMEM;
	if (added) {
		cJSON *rec = cJSON_CreateObject();

		if (!rec)
			return -ENOMEM;
		cJSON_AddStringToObject(rec, "rec", kind);
		cJSON_AddNumberToObject(rec, "id", *id);
		if (name)
			cJSON_AddItemReferenceToObject(rec, name, def);
		else
			for (cJSON *m = def->child; m; m = m->next)
				cJSON_AddItemReferenceToObject(rec, m->string, m);
		err = recw_put_line(w, rec);
		cJSON_Delete(rec);
	}
	return err;
}

/* Replaces every "stack" array under @obj (at any depth) by a "stack_id". */
static int intern_stacks(struct rec_writer *w, cJSON *obj)
{
	cJSON *it, *next;
	uint32_t id;
	int err;

	for (it = obj ? obj->child : NULL; it; it = next) {
		next = it->next;
		if (it->string && !strcmp(it->string, "stack") && cJSON_IsArray(it)) {
			err = intern_record(w, w->stacks, it, "stack", "frames", &id);
			if (err)
				return err;
			cJSON_DeleteItemFromObjectCaseSensitive(obj, "stack");
			if (!cJSON_AddNumberToObject(obj, "stack_id", id))
				return -ENOMEM;
		} else if (cJSON_IsObject(it) || cJSON_IsArray(it)) {
			err = intern_stacks(w, it);
			if (err)
				return err;
		}
	}
	return 0;
}

int rec_writer__event(struct rec_writer *w, const cJSON *event)
{
	cJSON *rec = cJSON_Duplicate(event, 1);
	int err;

	if (!rec || !cJSON_IsObject(rec)) {
		cJSON_Delete(rec);
		return rec ? -EINVAL : -ENOMEM;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "rec");
	err = intern_stacks(w, rec);
	if (!err && !cJSON_AddStringToObject(rec, "rec", "event"))
		err = -ENOMEM;
	if (!err)
		err = recw_put_line(w, rec);
	cJSON_Delete(rec);
	if (!err)
		w->events++;
	return err;
}

static void add_time(cJSON *o, const char *name, int64_t ns)
{
	char when[40];

	if (!ns)
		return;
	rec_time_format(ns, when, sizeof(when));
	cJSON_AddStringToObject(o, name, when);
}

static cJSON *listen_json(const struct rec_process *p)
{
	cJSON *arr = cJSON_CreateArray(), *l;

	for (int i = 0; arr && i < p->nlisten; i++) {
		l = cJSON_CreateObject();
		if (!l)
			break;
		cJSON_AddStringToObject(l, "proto", p->listen[i].proto);
		cJSON_AddStringToObject(l, "addr", p->listen[i].addr);
		cJSON_AddNumberToObject(l, "port", p->listen[i].port);
		cJSON_AddItemToArray(arr, l);
	}
	return arr;
}

int rec_writer__process(struct rec_writer *w, const struct rec_process *p)
{
	cJSON *rec = cJSON_CreateObject();
	int err;

	if (!rec)
		return -ENOMEM;
	cJSON_AddStringToObject(rec, "rec", "process");
	cJSON_AddNumberToObject(rec, "pid", p->pid);
	cJSON_AddNumberToObject(rec, "ppid", p->ppid);
	cJSON_AddStringToObject(rec, "comm", p->comm ? p->comm : "");
	cJSON_AddStringToObject(rec, "cmdline", p->cmdline ? p->cmdline : "");
	cJSON_AddStringToObject(rec, "cgroup", p->cgroup ? p->cgroup : "");
	add_time(rec, "start", p->start_ns);
	add_time(rec, "exit", p->exit_ns);
	cJSON_AddItemToObject(rec, "listen", listen_json(p));
	err = recw_put_line(w, rec);
	cJSON_Delete(rec);
	return err;
}

int rec_writer__loss(struct rec_writer *w, int64_t wall_ns, const char *source,
		     const char *reason, uint64_t count)
{
	cJSON *rec = cJSON_CreateObject();
	int err;

	if (!rec)
		return -ENOMEM;
	cJSON_AddStringToObject(rec, "rec", "loss");
	add_time(rec, "time", wall_ns);
	cJSON_AddStringToObject(rec, "source", source);
	cJSON_AddStringToObject(rec, "reason", reason);
	cJSON_AddNumberToObject(rec, "count", (double)count);
	err = recw_put_line(w, rec);
	cJSON_Delete(rec);
	if (!err)
		w->lost += count;
	return err;
}

static const char *const kind_names[] = {
	[FRAME_KERNEL] = "kernel", [FRAME_USER] = "user", [FRAME_JIT] = "jit",
	[FRAME_UNKNOWN] = "unknown", [FRAME_LOST] = "lost", [FRAME_PYTHON] = "python",
};

static cJSON *pframe_json(const struct profile_frame *f)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "name", f->name ? f->name : "[unknown]");
	cJSON_AddStringToObject(o, "kind", (unsigned int)f->kind <= FRAME_PYTHON ?
				kind_names[f->kind] : "unknown");
	if (f->module) {
		cJSON_AddStringToObject(o, "module", f->module);
		cJSON_AddNumberToObject(o, "offset", (double)f->module_offset);
	}
	if (f->build_id)
		cJSON_AddStringToObject(o, "build_id", f->build_id);
	return o;
}

static cJSON *pstack_json(const struct profile_stack *s)
{
	cJSON *o = cJSON_CreateObject(), *frames = cJSON_CreateArray(), *f;

	if (!o || !frames)
		goto fail;
	cJSON_AddNumberToObject(o, "pid", s->pid);
	cJSON_AddNumberToObject(o, "tid", s->tid);
	cJSON_AddStringToObject(o, "comm", s->comm ? s->comm : "");
	for (int i = 0; i < s->nframes; i++) {
		f = pframe_json(&s->frames[i]);
		if (!f)
			goto fail;
		cJSON_AddItemToArray(frames, f);
	}
	cJSON_AddItemToObject(o, "frames", frames);
	return o;
fail:
	cJSON_Delete(frames);
	cJSON_Delete(o);
	return NULL;
}

static int add_sample(struct rec_writer *w, cJSON *samples, const struct profile_stack *s,
		      bool waits)
{
	cJSON *def = pstack_json(s), *pair;
	uint32_t id;
	int err;

	if (!def)
		return -ENOMEM;
	err = intern_record(w, w->pstacks, def, "pstack", NULL, &id);
	cJSON_Delete(def);
	if (err)
		return err;
	pair = cJSON_CreateArray();
	if (!pair)
		return -ENOMEM;
	cJSON_AddItemToArray(pair, cJSON_CreateNumber(id));
	cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)s->count));
	if (waits)
		cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)s->events));
	cJSON_AddItemToArray(samples, pair);
	return 0;
}

/*
 * A bucket record of kind @rec ("profile", "offcpu") starting at @start_ns
 * with @p's stacks as samples (@waits: each with its number of waits); NULL
 * with *@err set when it cannot be built.
 */
static cJSON *bucket_record(struct rec_writer *w, const char *kind, int64_t start_ns,
			    const struct profile_data *p, bool waits, int *err)
{
	cJSON *rec = cJSON_CreateObject(), *samples = cJSON_CreateArray();

	*err = 0;
	if (!rec || !samples) {
		cJSON_Delete(rec);
		cJSON_Delete(samples);
		*err = -ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < p->nstacks && !*err; i++)
		*err = add_sample(w, samples, &p->stacks[i], waits);
	cJSON_AddStringToObject(rec, "rec", kind);
	add_time(rec, "time", start_ns);
	cJSON_AddNumberToObject(rec, "duration_ns", (double)w->bucket_ns);
	cJSON_AddItemToObject(rec, "samples", samples);
	if (*err) {
		cJSON_Delete(rec);
		return NULL;
	}
	return rec;
}

int rec_writer__profile(struct rec_writer *w, int64_t start_ns, const struct profile_data *p)
{
	int err;
	cJSON *rec = bucket_record(w, "profile", start_ns, p, false, &err);

	if (!rec)
		return err;
	cJSON_AddNumberToObject(rec, "period_ns", (double)p->period_ns);
	cJSON_AddNumberToObject(rec, "total", (double)p->total_samples);
	cJSON_AddNumberToObject(rec, "lost", (double)p->lost_samples);
	err = recw_put_line(w, rec);
	cJSON_Delete(rec);
	if (!err)
		w->buckets++;
	return err;
}

int rec_writer__offcpu(struct rec_writer *w, int64_t start_ns, const char *state,
		       const struct profile_data *p)
{
	int err;
	cJSON *rec = bucket_record(w, "offcpu", start_ns, p, true, &err);

	if (!rec)
		return err;
	cJSON_AddStringToObject(rec, "state", state);
	cJSON_AddNumberToObject(rec, "total_us", (double)p->total_samples);
	err = recw_put_line(w, rec);
	cJSON_Delete(rec);
	return err;
}
