// SPDX-License-Identifier: GPL-2.0
/* Profile buckets of a window and of its baseline, merged into a call tree. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "report/report_flame.h"

static uint32_t add_node(struct flame *f, const char *name, bool kernel)
{
	if (VEC_RESERVE(f->n, f->cap, f->nn + 1))
		return 0;
	f->n[f->nn] = (struct flame_node){ .name = name, .kernel = kernel };
	return (uint32_t)f->nn++;
}

static uint32_t child_of(struct flame *f, uint32_t parent, const char *name, bool kernel)
{
	uint32_t c, last = 0;

	for (c = f->n[parent].child; c; c = f->n[c].next) {
		if (!strcmp(f->n[c].name, name))
			return c;
		last = c;
	}
	c = add_node(f, name, kernel);
	if (!c)
		return 0;
	if (last)
		f->n[last].next = c;
	else
		f->n[parent].child = c;
	return c;
}

static const char *frame_name(const cJSON *fr, bool *kernel)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fr, "name"));
	const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fr, "kind"));

	*kernel = kind && !strcmp(kind, "kernel");
	return name ? name : "[unknown]";
}

static int add_stack(struct flame *f, const cJSON *def, uint64_t win, uint64_t base)
{
	const char *comm = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(def, "comm"));
	const cJSON *fr;
	uint32_t node = child_of(f, 0, comm && *comm ? comm : "[unknown]", false);
	bool kernel;

	if (!node)
		return -ENOMEM;
	f->n[0].count += win;
	f->n[0].base += base;
	f->n[node].count += win;
	f->n[node].base += base;
	cJSON_ArrayForEach(fr, cJSON_GetObjectItemCaseSensitive(def, "frames")) {
		const char *name = frame_name(fr, &kernel);

		node = child_of(f, node, name, kernel);
		if (!node)
			return -ENOMEM;
		f->n[node].count += win;
		f->n[node].base += base;
	}
	return 0;
}

/* Sums samples per profile stack over the window and over the baseline. */
static void sum_buckets(const struct report_model *m, const struct flame *f, uint64_t *win,
			uint64_t *base, uint32_t nids)
{
	for (size_t b = 0; b < m->nbuckets; b++) {
		const struct report_bucket *bk = &m->buckets[b];
		int64_t bend = bk->start_ns + (int64_t)(bk->duration_ns ? bk->duration_ns : 1);
		uint64_t *dst = NULL;

		if (bend > f->start && bk->start_ns <= f->end)
			dst = win;
		else if (base && bend <= f->start && bk->start_ns >= f->base_start)
			dst = base;
		for (size_t i = 0; dst && i < bk->n; i++) {
			const struct report_sample *s = &m->samples[bk->first + i];

			if (s->pstack < nids)
				dst[s->pstack] += s->count;
		}
	}
}

void flame_window_counts(const struct report_model *m, const struct flame *fl, uint64_t *win,
			 uint32_t nids)
{
	sum_buckets(m, fl, win, NULL, nids);
}

int flame_build(struct flame *f, const struct report_model *m, int64_t start, int64_t end)
{
	uint32_t nids = rec_reader__pstack_count(m->reader);
	uint64_t *win = calloc(nids + 1, sizeof(*win)), *base = calloc(nids + 1, sizeof(*base));
	int err = 0;

	memset(f, 0, sizeof(*f));
	f->start = start - FLAME_MARGIN_NS;
	f->end = end + FLAME_MARGIN_NS;
	f->base_start = f->start - FLAME_BASELINE_NS;
	if (!win || !base || add_node(f, "all", false) != 0 || !f->n)
		err = -ENOMEM;
	if (!err)
		sum_buckets(m, f, win, base, nids);
	for (uint32_t id = 1; !err && id < nids; id++) {
		const cJSON *def = rec_reader__pstack(m->reader, id);

		if (def && (win[id] || base[id]))
			err = add_stack(f, def, win[id], base[id]);
	}
	free(win);
	free(base);
	f->total = f->n ? f->n[0].count : 0;
	f->base_total = f->n ? f->n[0].base : 0;
	return err;
}

void flame_free(struct flame *f)
{
	free(f->n);
	memset(f, 0, sizeof(*f));
}
