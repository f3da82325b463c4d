// SPDX-License-Identifier: GPL-2.0
/* heap_summary events: the live map summed by allocation stack. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "base/text_safe.h"
#include "base/vec.h"
#include "watch_heap.h"
#include "watch_heap.skel.h"
#include "watch/sources/watch_heap_priv.h"

#define BATCH 4096
#define SITE_FRAMES 3

/* Estimates are whole bytes and objects in the output (no libm for llround). */
static double rounded(double v)
{
	return v > 0 ? (double)(uint64_t)(v + 0.5) : 0;
}

static int by_stack(const void *a, const void *b)
{
	const struct heap_item *x = a, *y = b;

	return (x->stack_id > y->stack_id) - (x->stack_id < y->stack_id);
}

static int by_bytes(const void *a, const void *b)
{
	const struct heap_row *x = a, *y = b;

	return (x->bytes < y->bytes) - (x->bytes > y->bytes);
}

size_t heap_fold(struct heap_item *items, size_t n, uint64_t sample, struct heap_row *rows)
{
	size_t nrows = 0;

	if (!n)
		return 0;
	qsort(items, n, sizeof(*items), by_stack);
	for (size_t i = 0; i < n; i++) {
		const struct heap_item *it = &items[i];
		struct heap_row *r = &rows[nrows ? nrows - 1 : 0];

		if (!nrows || r->stack_id != it->stack_id) {
			r = &rows[nrows++];
			*r = (struct heap_row){ .stack_id = it->stack_id };
		}
		/* kept with probability size/sample: each stands for sample/size like it */
		if (sample && it->size < sample && it->size) {
			r->bytes += sample;
			r->objects += (double)sample / it->size;
		} else {
			r->bytes += it->size;
			r->objects += 1;
		}
	}
	qsort(rows, nrows, sizeof(*rows), by_bytes);
	return nrows;
}

static int add_batch(const struct watch_heap_key *keys, const struct watch_heap_obj *vals,
		     __u32 count, uint32_t pid, struct heap_item **items, size_t *n, size_t *cap)
{
	for (__u32 i = 0; i < count; i++) {
		if (keys[i].tgid != pid)
			continue;
		if (VEC_RESERVE(*items, *cap, *n + 1))
			return -ENOMEM;
		(*items)[(*n)++] = (struct heap_item){ vals[i].stack_id, vals[i].size };
	}
	return 0;
}

/*
 * The live allocations of @pid. Batch lookups walk the hash by bucket, so
 * blocks freed meanwhile do not restart the walk (get_next_key would).
 */
static int collect(int fd, uint32_t pid, struct heap_item **items, size_t *n)
{
	struct watch_heap_key *keys = calloc(BATCH, sizeof(*keys));
	struct watch_heap_obj *vals = calloc(BATCH, sizeof(*vals));
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u64 cursor = 0;
	size_t cap = 0;
	int err = keys && vals ? 0 : -ENOMEM;

	*items = NULL;
	*n = 0;
	for (bool first = true; !err; first = false) {
		__u32 count = BATCH;
		int r = bpf_map_lookup_batch(fd, first ? NULL : &cursor, &cursor, keys, vals,
					     &count, &opts);

		if (r && errno != ENOENT) {
			err = -errno;
			break;
		}
		err = add_batch(keys, vals, count, pid, items, n, &cap);
		if (r)
			break;	/* ENOENT: that was the last bucket */
	}
	free(keys);
	free(vals);
	return err;
}

/* Deletes what is left of an exited process: its blocks went with it. */
static void drop_pid(int fd, uint32_t pid)
{
	struct watch_heap_key key, next, *prev = NULL;
	int guard = 0;

	while (!bpf_map_get_next_key(fd, prev, &next) && guard++ < 1 << 22) {
		key = next;
		if (key.tgid == pid) {
			bpf_map_delete_elem(fd, &key);
			prev = NULL;	/* restart: the deleted key cannot lead on */
		} else {
			prev = &key;
		}
	}
}

const char *heap_human_bytes(double b, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (b >= 1024 && u < 4) {
		b /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", b, units[u]);
	return buf;
}

/* The first frame with its offset: one function can allocate from several call sites. */
static void frame_text(const cJSON *f, bool first, char *buf, size_t len)
{
	const char *sym = cJSON_GetStringValue(cJSON_GetObjectItem(f, "symbol"));
	char safe[256];

	text_safe(sym ? sym : "[unknown]", safe, sizeof(safe), TEXT_SAFE_TERMINAL);
	if (first && sym)
		snprintf(buf, len, "%s+0x%" PRIx64, safe,
			 (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(f, "offset")));
	else
		snprintf(buf, len, "%s", safe);
}

/* "keep_site+0x9d < main < __libc_start_call_main (heap_grow)" from a JSON stack. */
void heap_site_text(const cJSON *stack, char *buf, size_t len)
{
	const cJSON *f, *mod = NULL;
	size_t used = 0;
	int n = 0;
	char frame[300], safe[256];

	buf[0] = '\0';
	cJSON_ArrayForEach(f, stack) {
		if (n == SITE_FRAMES || used >= len)
			break;
		if (!n)
			mod = cJSON_GetObjectItem(f, "module");
		frame_text(f, !n, frame, sizeof(frame));
		used += snprintf(buf + used, len - used, "%s%s", n++ ? " < " : "", frame);
	}
	if (!n) {
		snprintf(buf, len, "[stack unknown]");
	} else if (cJSON_GetStringValue(mod) && used < len) {
		const char *m = cJSON_GetStringValue(mod), *base = strrchr(m, '/');

		text_safe(base ? base + 1 : m, safe, sizeof(safe), TEXT_SAFE_TERMINAL);
		snprintf(buf + used, len - used, " (%s)", safe);
	}
}

/* One row of the "live" array: its numbers and its symbolized stack. */
/*
 * The frames of stack @id into @ips (WATCH_HEAP_STACK_DEPTH of room), leaf
 * first: from the walked stacks or the frame-pointer stack map. How many.
 */
static int stack_of(struct heap_priv *p, __s32 id, __u64 *ips)
{
	struct watch_heap_walked w;
	int n = 0;

	if (id < 0)
		return 0;
	if (id & WATCH_HEAP_WALKED) {
		if (bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.walked), &id, &w) ||
		    w.nr > WATCH_MAX_FRAMES)
			return 0;
		memcpy(ips, w.ips, w.nr * sizeof(*ips));
		return w.nr;
	}
	if (bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.stacks), &id, ips))
		return 0;
	while (n < WATCH_HEAP_STACK_DEPTH && ips[n])
		n++;
	return n;
}

static cJSON *row_json(struct watch_source *s, struct heap_target *t, const struct heap_row *r,
		       double total)
{
	struct heap_priv *p = s->priv;
	__u64 ips[WATCH_HEAP_STACK_DEPTH] = {};
	cJSON *o = cJSON_CreateObject();
	int n = 0;

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "bytes", rounded(r->bytes));
	cJSON_AddNumberToObject(o, "objects", rounded(r->objects));
	cJSON_AddNumberToObject(o, "share", total > 0 ? rounded(r->bytes / total * 1e4) / 1e4 : 0);
	n = stack_of(p, r->stack_id, ips);
	cJSON_AddBoolToObject(o, "stack_known", n > 0);
	watch_event_add_stack(s->ctx, o, "stack", t->pid, NULL, 0, ips, n);
	return o;
}

/* The "live" array, and the human table's rows into @table. */
static void add_rows(struct watch_source *s, struct heap_target *t, struct watch_event *ev,
		     const struct heap_row *rows, size_t nrows, double total, FILE *table)
{
	cJSON *live = cJSON_AddArrayToObject(ev->json, "live");
	char b[32], site[512];

	for (size_t i = 0; live && i < nrows && i < HEAP_TOP_STACKS; i++) {
		cJSON *o = row_json(s, t, &rows[i], total);

		if (!o)
			break;
		cJSON_AddItemToArray(live, o);
		if (!table)
			continue;
		heap_site_text(cJSON_GetObjectItem(o, "stack"), site, sizeof(site));
		fprintf(table, "    %12s %10.0f %5.1f%%  %s\n", heap_human_bytes(rows[i].bytes, b,
			sizeof(b)), rows[i].objects, total > 0 ? rows[i].bytes * 100 / total : 0.0,
			site);
	}
}

static void add_totals(struct heap_priv *p, struct watch_event *ev, enum heap_when when,
		       const struct watch_heap_stats *st, double bytes, double objects,
		       size_t nrows)
{
	char a[32], f[32], l[32];

	cJSON_AddNumberToObject(ev->json, "live_bytes", rounded(bytes));
	cJSON_AddNumberToObject(ev->json, "live_objects", rounded(objects));
	cJSON_AddNumberToObject(ev->json, "allocated_bytes", st->alloc_bytes);
	cJSON_AddNumberToObject(ev->json, "allocations", st->alloc_count);
	cJSON_AddNumberToObject(ev->json, "freed_bytes", st->free_bytes);
	cJSON_AddNumberToObject(ev->json, "frees", st->free_count);
	cJSON_AddNumberToObject(ev->json, "live_stacks", nrows);
	cJSON_AddNumberToObject(ev->json, "sample_bytes", p->sample_bytes);
	cJSON_AddBoolToObject(ev->json, "estimated", p->sample_bytes > 0);
	cJSON_AddBoolToObject(ev->json, "final", when != HEAP_PERIODIC);
	cJSON_AddBoolToObject(ev->json, "exited", when == HEAP_EXITED);
	watch_event_facts(ev, "%s %s in %.0f objects from %zu stack%s%s; since the watch "
			  "began: %s allocated, %s freed", when == HEAP_EXITED ?
			  "exited leaving" : "live", heap_human_bytes(bytes, l, sizeof(l)), objects,
			  nrows, nrows == 1 ? "" : "s",
			  p->sample_bytes ? " (estimated from samples)" : "",
			  heap_human_bytes(st->alloc_bytes, a, sizeof(a)),
			  heap_human_bytes(st->free_bytes, f, sizeof(f)));
}

static int build_event(struct watch_source *s, struct heap_target *t, enum heap_when when,
		       struct watch_event *ev, struct heap_row *rows, size_t nrows, FILE *table)
{
	struct heap_priv *p = s->priv;
	struct watch_heap_stats st = {};
	struct watch_header h = { .type = WATCH_EV_HEAP_SUMMARY, .tgid = t->pid, .tid = t->pid };
	struct timespec ts;
	double bytes = 0, objects = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	h.ktime_ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	memcpy(h.comm, t->comm, sizeof(h.comm));
	bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.stats), &t->pid, &st);
	for (size_t i = 0; i < nrows; i++) {
		bytes += rows[i].bytes;
		objects += rows[i].objects;
	}
	if (watch_event_begin(s->ctx, ev, &h, WATCH_SEV_INFO))
		return -ENOMEM;
	add_totals(p, ev, when, &st, bytes, objects, nrows);
	if (table && nrows)
		fprintf(table, "    %12s %10s %6s  %s\n", "LIVE", "OBJECTS", "SHARE",
			"ALLOCATED AT (call site < callers)");
	add_rows(s, t, ev, rows, nrows, bytes, table);
	return 0;
}

int heap_emit_summary(struct watch_source *s, struct heap_target *t, enum heap_when when)
{
	struct heap_priv *p = s->priv;
	struct watch_ctx *c = s->ctx;
	int fd = bpf_map__fd(p->skel->maps.live);
	bool human = c->render && !c->opts->json;
	struct heap_item *items = NULL;
	struct heap_row *rows = NULL;
	struct watch_event ev;
	char *text = NULL;
	size_t n = 0, nrows = 0, tlen = 0;
	FILE *table = NULL;
	int err;

	err = collect(fd, t->pid, &items, &n);
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!err && !rows)
		err = -ENOMEM;
	if (err)
		goto cleanup;
	nrows = heap_fold(items, n, p->sample_bytes, rows);
	table = human ? open_memstream(&text, &tlen) : NULL;
	err = build_event(s, t, when, &ev, rows, nrows, table);
	if (table)
		fclose(table);
	if (err)
		goto cleanup;
	watch_emit(c, &ev);
	if (text && !c->write_errno)
		fputs(text, c->out);
cleanup:
	if (when == HEAP_EXITED)
		drop_pid(fd, t->pid);
	free(text);
	free(items);
	free(rows);
	return err;
}
