// SPDX-License-Identifier: GPL-2.0
/*
 * rss_growth events: the sites map summed by stack. Sites whose stacks name
 * the same functions (a fault at another instruction of the same memset)
 * are one row: the row's stack is its largest site's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "base/vec.h"
#include "watch/sources/watch_heap_priv.h"
#include "watch/sources/watch_rss_priv.h"
#include "watch_rss.skel.h"

#define BATCH 1024
#define KEY_LEN 1024

struct rss_row {
	int64_t bytes;
	uint64_t grown, steps;
	cJSON *stack;		/* owned; NULL when no stack was kept */
	char key[KEY_LEN];	/* the functions of the stack, leaf first */
};

static int by_site_bytes(const void *a, const void *b)
{
	const struct rss_site_item *x = a, *y = b;

	if (x->key.tgid != y->key.tgid)
		return (x->key.tgid > y->key.tgid) - (x->key.tgid < y->key.tgid);
	return (x->site.bytes < y->site.bytes) - (x->site.bytes > y->site.bytes);
}

static int by_row_bytes(const void *a, const void *b)
{
	const struct rss_row *x = a, *y = b;

	if (x->bytes != y->bytes)
		return (x->bytes < y->bytes) - (x->bytes > y->bytes);
	return (x->grown < y->grown) - (x->grown > y->grown);
}

/* Every entry of a hash map, batch by batch: keys of @ksz bytes, values of @vsz. */
static int read_map(int fd, size_t ksz, size_t vsz, void **keys, void **vals, size_t *n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	size_t kcap = 0, vcap = 0;
	__u64 cursor = 0;
	int err = 0;

	*keys = *vals = NULL;
	*n = 0;
	for (bool first = true; !err; first = false) {
		__u32 count = BATCH;
		int r;

		if (vec_reserve(keys, &kcap, *n + BATCH, ksz) ||
		    vec_reserve(vals, &vcap, *n + BATCH, vsz))
			return -ENOMEM;
		r = bpf_map_lookup_batch(fd, first ? NULL : &cursor, &cursor,
					 (char *)*keys + *n * ksz, (char *)*vals + *n * vsz,
					 &count, &opts);
		if (r && errno != ENOENT)
			err = -errno;
		if (!err)
			*n += count;
		if (r)
			break;	/* ENOENT: that was the last bucket */
	}
	return err;
}

static int read_sites(struct rss_priv *p, struct rss_site_item **items, size_t *n)
{
	struct watch_rss_key *keys;
	struct watch_rss_site *vals;
	int err = read_map(bpf_map__fd(p->skel->maps.sites), sizeof(*keys), sizeof(*vals),
			   (void **)&keys, (void **)&vals, n);

	*items = err ? NULL : calloc(*n ? *n : 1, sizeof(**items));
	if (!err && !*items)
		err = -ENOMEM;
	for (size_t i = 0; !err && i < *n; i++)
		(*items)[i] = (struct rss_site_item){ keys[i], vals[i] };
	free(keys);
	free(vals);
	if (!err)
		qsort(*items, *n, sizeof(**items), by_site_bytes);
	return err;
}

/* The symbolized stacks of a site (leaf caller put back), NULL when not kept. */
static cJSON *site_stack(struct watch_source *s, const struct watch_rss_key *key)
{
	struct rss_priv *p = s->priv;
	struct watch_rss_stack st;
	__u64 user[WATCH_MAX_FRAMES];
	cJSON *tmp, *stack;
	int n, inferred;

	if (bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.site_stacks), key, &st))
		return NULL;
	n = watch_leaf_fixup(s->ctx, key->tgid, st.stacks.user,
			     st.nr_user < WATCH_MAX_FRAMES ? st.nr_user : WATCH_MAX_FRAMES,
			     st.stacks.user_sp, user, &inferred);
	tmp = cJSON_CreateObject();
	if (!tmp)
		return NULL;
	watch_event_add_stack(s->ctx, tmp, "stack", key->tgid, st.stacks.kernel,
			      st.nr_kernel < WATCH_MAX_FRAMES ? st.nr_kernel : WATCH_MAX_FRAMES,
			      user, n);
	stack = cJSON_DetachItemFromObject(tmp, "stack");
	cJSON_Delete(tmp);
	return stack;
}

/* Adds one site to @rows (merged by the functions of its stack). */
static int add_site(struct watch_source *s, const struct rss_site_item *it,
		    struct rss_row **rows, size_t *n, size_t *cap)
{
	cJSON *stack = site_stack(s, &it->key);
	char key[KEY_LEN];
	struct rss_row *r = NULL;

	watch_stack_key(stack, key, sizeof(key));
	for (size_t i = 0; stack && i < *n && !r; i++)
		if ((*rows)[i].stack && !strcmp((*rows)[i].key, key))
			r = &(*rows)[i];
	if (r) {
		cJSON_Delete(stack);
	} else {
		if (VEC_RESERVE(*rows, *cap, *n + 1)) {
			cJSON_Delete(stack);
			return -ENOMEM;
		}
		r = &(*rows)[(*n)++];
		*r = (struct rss_row){ .stack = stack };
		memcpy(r->key, key, sizeof(key));
	}
	r->bytes += it->site.bytes;
	r->grown += it->site.grown;
	r->steps += it->site.steps;
	return 0;
}

static void free_rows(struct rss_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(rows[i].stack);
	free(rows);
}

/* "grew at" text from the user frames (kernel frames come first in watch's stacks). */
static void user_site_text(const cJSON *stack, char *buf, size_t len)
{
	const cJSON *f;
	cJSON *view;

	cJSON_ArrayForEach(f, stack) {
		const char *addr = cJSON_GetStringValue(cJSON_GetObjectItem(f, "addr"));

		if (!addr || strncmp(addr, "0xffff", 6))
			break;
	}
	view = f ? cJSON_CreateArrayReference(f) : NULL;
	heap_site_text(view, buf, len);
	cJSON_Delete(view);
}

/* The "growth" array (moving the rows' stacks into it), and the human table. */
static void add_rows(struct watch_event *ev, struct rss_row *rows, size_t n, double total,
		     FILE *table)
{
	cJSON *arr = cJSON_AddArrayToObject(ev->json, "growth");
	char b[32], g[32], site[512];

	if (table && n)
		fprintf(table, "    %12s %12s %6s  %s\n", "KEPT", "GROWN", "SHARE",
			"GREW AT (call site < callers)");
	for (size_t i = 0; arr && i < n && i < RSS_TOP_STACKS; i++) {
		struct rss_row *r = &rows[i];
		double kept = r->bytes > 0 ? (double)r->bytes : 0;
		double share = total > 0 ? (double)(uint64_t)(kept / total * 1e4 + 0.5) / 1e4 : 0;
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			return;
		}
		cJSON_AddNumberToObject(o, "bytes", kept);
		cJSON_AddNumberToObject(o, "grown_bytes", (double)r->grown);
		cJSON_AddNumberToObject(o, "steps", (double)r->steps);
		cJSON_AddNumberToObject(o, "share", share);
		cJSON_AddBoolToObject(o, "stack_known", r->stack != NULL);
		if (r->stack)
			cJSON_AddItemToObject(o, "stack", r->stack);
		r->stack = NULL;
		if (!table)
			continue;
		user_site_text(cJSON_GetObjectItem(o, "stack"), site, sizeof(site));
		fprintf(table, "    %12s %12s %5.1f%%  %s\n", heap_human_bytes(kept, b, sizeof(b)),
			heap_human_bytes((double)r->grown, g, sizeof(g)), share * 100, site);
	}
}

static void add_totals(struct rss_priv *p, struct watch_event *ev, const struct watch_rss_proc *pr,
		       double kept, size_t nrows, enum rss_when when)
{
	char l[32], g[32], r[32], st[32], k[32];

	cJSON_AddNumberToObject(ev->json, "rss_anon_bytes", (double)pr->rss);
	cJSON_AddNumberToObject(ev->json, "kept_bytes", kept);
	cJSON_AddNumberToObject(ev->json, "grown_bytes", (double)pr->grown);
	cJSON_AddNumberToObject(ev->json, "returned_bytes", (double)pr->returned);
	cJSON_AddNumberToObject(ev->json, "returned_unmatched_bytes", (double)pr->unmatched);
	cJSON_AddNumberToObject(ev->json, "steps", (double)pr->steps);
	cJSON_AddNumberToObject(ev->json, "step_bytes", (double)p->step);
	cJSON_AddNumberToObject(ev->json, "stacks", (double)nrows);
	cJSON_AddBoolToObject(ev->json, "final", when != RSS_PERIODIC);
	cJSON_AddBoolToObject(ev->json, "exited", when == RSS_EXITED);
	watch_event_facts(ev, "%s anon RSS %s; since the watch began: grew %s in %llu steps of "
			  "%s, gave back %s; %s kept by %zu stack%s",
			  when == RSS_EXITED ? "exited with" : "at",
			  heap_human_bytes((double)pr->rss, l, sizeof(l)),
			  heap_human_bytes((double)pr->grown, g, sizeof(g)),
			  (unsigned long long)pr->steps, heap_human_bytes((double)p->step, st,
			  sizeof(st)), heap_human_bytes((double)pr->returned, r, sizeof(r)),
			  heap_human_bytes(kept, k, sizeof(k)), nrows, nrows == 1 ? "" : "s");
}

static void read_comm(uint32_t tgid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/comm", tgid);
	f = fopen(path, "re");
	if (f && fgets(comm, len, f))
		comm[strcspn(comm, "\n")] = '\0';
	if (f)
		fclose(f);
}

static int build_event(struct watch_source *s, struct rss_seen *who,
		       const struct watch_rss_proc *pr, struct rss_row *rows, size_t nrows,
		       enum rss_when when, struct watch_event *ev, FILE *table)
{
	struct watch_header h = { .type = WATCH_EV_RSS_GROWTH, .tgid = who->tgid,
				  .tid = who->tgid };
	struct timespec ts;
	double kept = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	h.ktime_ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	if (!who->comm[0])
		read_comm(who->tgid, who->comm, sizeof(who->comm));
	memcpy(h.comm, who->comm, sizeof(h.comm));
	for (size_t i = 0; i < nrows; i++)
		kept += rows[i].bytes > 0 ? (double)rows[i].bytes : 0;
	if (watch_event_begin(s->ctx, ev, &h, WATCH_SEV_INFO))
		return -ENOMEM;
	add_totals(s->priv, ev, pr, kept, nrows, when);
	add_rows(ev, rows, nrows, kept, table);
	return 0;
}

/* One rss_growth event for @tgid from its sites @items[0..@n). */
static int emit_one(struct watch_source *s, uint32_t tgid, const struct watch_rss_proc *pr,
		    const struct rss_site_item *items, size_t n, enum rss_when when)
{
	struct watch_ctx *c = s->ctx;
	struct rss_seen *who = rss_seen_get(s->priv, tgid, NULL);
	bool human = c->render && !c->opts->json;
	struct rss_row *rows = NULL;
	size_t nrows = 0, cap = 0, tlen = 0;
	struct watch_event ev;
	char *text = NULL;
	FILE *table = NULL;
	int err = who ? 0 : -ENOMEM;

	for (size_t i = 0; !err && i < n; i++)
		err = add_site(s, &items[i], &rows, &nrows, &cap);
	if (err)
		goto cleanup;
	if (nrows)
		qsort(rows, nrows, sizeof(*rows), by_row_bytes);
	table = human ? open_memstream(&text, &tlen) : NULL;
	err = build_event(s, who, pr, rows, nrows, when, &ev, table);
	if (table)
		fclose(table);
	if (err)
		goto cleanup;
	who->grown = pr->grown;
	who->returned = pr->returned;
	watch_emit(c, &ev);
	if (text && !c->write_errno)
		fputs(text, c->out);
cleanup:
	free(text);
	free_rows(rows, nrows);
	return err;
}

/* The first of @items[0..@n) (sorted by process) that belongs to @tgid, and how many do. */
static const struct rss_site_item *sites_of(const struct rss_site_item *items, size_t n,
					    uint32_t tgid, size_t *count)
{
	size_t lo = 0, hi = n, j;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (items[mid].key.tgid < tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (j = lo; j < n && items[j].key.tgid == tgid; j++)
		;
	*count = j - lo;
	return items + lo;
}

static bool changed(struct rss_priv *p, uint32_t tgid, const struct watch_rss_proc *pr)
{
	for (size_t i = 0; i < p->nseen; i++)
		if (p->seen[i].tgid == tgid)
			return p->seen[i].grown != pr->grown || p->seen[i].returned != pr->returned;
	return true;
}

/* What the BPF side keeps of @tgid, and what this side remembers of it. */
static void forget(struct rss_priv *p, uint32_t tgid, const struct rss_site_item *items,
		   size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bpf_map_delete_elem(bpf_map__fd(p->skel->maps.sites), &items[i].key);
		bpf_map_delete_elem(bpf_map__fd(p->skel->maps.site_stacks), &items[i].key);
	}
	bpf_map_delete_elem(bpf_map__fd(p->skel->maps.procs), &tgid);
	for (size_t i = 0; i < p->nseen; i++) {
		if (p->seen[i].tgid == tgid) {
			p->seen[i] = p->seen[--p->nseen];
			break;
		}
	}
}

/*
 * Sites of processes no longer followed (the procs map, an LRU, let them go)
 * and gone: nothing would report or delete them otherwise.
 */
static void drop_orphans(struct rss_priv *p, const struct rss_site_item *items, size_t n)
{
	struct watch_rss_proc pr;
	size_t cnt;

	for (size_t i = 0; i < n; i += cnt) {
		uint32_t tgid = items[i].key.tgid;

		sites_of(items + i, n - i, tgid, &cnt);
		if (bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.procs), &tgid, &pr) &&
		    watch_process_gone(tgid))
			forget(p, tgid, items + i, cnt);
	}
}

int rss_emit_all(struct watch_source *s, enum rss_when when)
{
	struct rss_priv *p = s->priv;
	struct rss_site_item *items = NULL;
	struct watch_rss_proc *procs = NULL;
	__u32 *tgids = NULL;
	size_t n = 0, nprocs = 0, cnt;
	int err;

	err = read_map(bpf_map__fd(p->skel->maps.procs), sizeof(*tgids), sizeof(*procs),
		       (void **)&tgids, (void **)&procs, &nprocs);
	if (!err)
		err = read_sites(p, &items, &n);
	for (size_t i = 0; !err && i < nprocs; i++) {
		const struct rss_site_item *first = sites_of(items, n, tgids[i], &cnt);
		bool periodic = when == RSS_PERIODIC;

		if (!procs[i].steps)
			continue;
		if (periodic && watch_process_gone(tgids[i])) {	/* exit notice lost */
			err = emit_one(s, tgids[i], &procs[i], first, cnt, RSS_EXITED);
			forget(p, tgids[i], first, cnt);
		} else if (!periodic || changed(p, tgids[i], &procs[i])) {
			err = emit_one(s, tgids[i], &procs[i], first, cnt, when);
		}
	}
	if (!err && when == RSS_PERIODIC)
		drop_orphans(p, items, n);
	free(tgids);
	free(procs);
	free(items);
	return err;
}

int rss_emit_exited(struct watch_source *s, uint32_t tgid)
{
	struct rss_priv *p = s->priv;
	struct rss_site_item *items = NULL;
	const struct rss_site_item *first;
	struct watch_rss_proc pr;
	size_t n = 0, cnt = 0;
	int err;

	if (bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.procs), &tgid, &pr)) {
		forget(p, tgid, NULL, 0);	/* summed up already, or evicted */
		return 0;
	}
	err = read_sites(p, &items, &n);
	first = sites_of(items, err ? 0 : n, tgid, &cnt);
	if (!err)
		err = emit_one(s, tgid, &pr, first, cnt, RSS_EXITED);
	forget(p, tgid, first, cnt);
	free(items);
	return err;
}
