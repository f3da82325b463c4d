// SPDX-License-Identifier: GPL-2.0
/*
 * memory_growth of an OOM incident: the stacks that grew the victim's (and
 * its memory cgroup's) memory, from the last heap_summary (live heap: what
 * is still allocated ranks above churn by construction) or, without heap
 * tracking, the last rss_growth event (anonymous RSS kept by stack) of each
 * process before the kill.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "report/report.h"
#include "watch/watch_pipeline.h"

#define VICTIM_GRACE_NS (10 * 1000000000LL)	/* its exit summary comes after the kill */
#define PEER_GRACE_NS (1 * 1000000000LL)
#define MAX_PIDS 64
#define KEY_LEN 1024

struct mem_row {
	double bytes, grown;
	const cJSON *sum;	/* the summary event it comes from */
	const cJSON *stack;
	bool rss;
	char key[KEY_LEN];
};

#define MAX_BYTES 1e18	/* an exabyte: more is damage, not memory */

static double num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsNumber(v) || !(v->valuedouble > 0))
		return 0;
	return v->valuedouble < MAX_BYTES ? v->valuedouble : MAX_BYTES;
}

static const char *or_unknown(const char *s)
{
	return s && *s ? s : "?";
}

/* Functions of a stack, leaf first: sites in the same functions are one row. */
static void stack_key(const cJSON *stack, bool rss, char *buf, size_t len)
{
	size_t used = snprintf(buf, len, "%s|", rss ? "rss" : "heap");

	if (used < len)
		watch_stack_key(stack, buf + used, len - used);
}

static int add_row(struct mem_row **rows, size_t *n, size_t *cap, const cJSON *sum,
		   const cJSON *r, bool rss)
{
	const cJSON *stack = cJSON_GetObjectItemCaseSensitive(r, "stack");
	struct mem_row *row = NULL;
	char key[KEY_LEN];

	stack_key(stack, rss, key, sizeof(key));
	for (size_t i = 0; cJSON_IsArray(stack) && i < *n && !row; i++)
		if ((*rows)[i].stack && !strcmp((*rows)[i].key, key))
			row = &(*rows)[i];
	if (!row) {
		if (VEC_RESERVE(*rows, *cap, *n + 1))
			return -ENOMEM;
		row = &(*rows)[(*n)++];
		*row = (struct mem_row){ .sum = sum, .rss = rss,
					 .stack = cJSON_IsArray(stack) ? stack : NULL };
		memcpy(row->key, key, sizeof(key));
	}
	row->bytes += num(r, "bytes");
	row->grown += rss ? num(r, "grown_bytes") : num(r, "bytes");
	return 0;
}

#define TRUNCATED_KEY "![truncated];"

/*
 * A stack whose walk stopped early ("[truncated]" at its root, e.g. one taken
 * before its process's unwind tables were loaded) is the same site as the
 * whole stack it begins: it joins the largest such row rather than splitting
 * that site's bytes in two. Only when it names user code: kernel frames alone
 * tell no site.
 */
/* Whether the first @len bytes of @key hold a frame of a file (a user frame). */
static bool has_user_frame(const char *key, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++)
		if ((key[i] == '|' || key[i] == ';') && key[i + 1] == '/')
			return true;
	return false;
}

static void fold_truncated(struct mem_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct mem_row *t = &rows[i], *into = NULL;
		size_t klen = strlen(t->key), plen = klen - strlen(TRUNCATED_KEY);

		if (klen < strlen(TRUNCATED_KEY) || strcmp(t->key + plen, TRUNCATED_KEY) ||
		    !has_user_frame(t->key, plen))
			continue;
		for (size_t k = 0; k < n; k++)
			if (k != i && rows[k].rss == t->rss && rows[k].bytes + rows[k].grown > 0 &&
			    strlen(rows[k].key) > plen && !strncmp(rows[k].key, t->key, plen) &&
			    (!into || rows[k].bytes > into->bytes))
				into = &rows[k];
		if (!into)
			continue;
		into->bytes += t->bytes;
		into->grown += t->grown;
		t->bytes = t->grown = 0;	/* sorted last, never shown */
	}
}

static int by_bytes(const void *a, const void *b)
{
	const struct mem_row *x = a, *y = b;

	if (x->bytes != y->bytes)
		return (x->bytes < y->bytes) - (x->bytes > y->bytes);
	return (x->grown < y->grown) - (x->grown > y->grown);
}

static cJSON *row_json(const struct mem_row *r, double total)
{
	cJSON *o = cJSON_CreateObject();
	double share = total > 0 ? r->bytes / total : 0;

	if (!o)
		return NULL;
	/* rows of a damaged file may claim more than its totals */
	share = share < 1 ? (double)(long long)(share * 1e4 + 0.5) / 1e4 : 1;
	cJSON_AddNumberToObject(o, "bytes", r->bytes);
	cJSON_AddNumberToObject(o, "share", share);
	cJSON_AddStringToObject(o, "source", r->rss ? "rss" : "heap");
	if (r->rss)
		cJSON_AddNumberToObject(o, "grown_bytes", r->grown);
	cJSON_AddNumberToObject(o, "pid", num(r->sum, "pid"));
	if (cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r->sum, "comm")))
		cJSON_AddStringToObject(o, "comm", cJSON_GetObjectItemCaseSensitive(r->sum,
					"comm")->valuestring);
	if (r->stack)
		cJSON_AddItemToObject(o, "stack", cJSON_Duplicate(r->stack, 1));
	else
		cJSON_AddArrayToObject(o, "stack");
	return o;
}

cJSON *report_memory_rank(const cJSON *const *sums, size_t n, size_t max)
{
	struct mem_row *rows = NULL;
	size_t nrows = 0, cap = 0;
	cJSON *arr = cJSON_CreateArray();
	double total = 0;
	int err = arr ? 0 : -ENOMEM;

	for (size_t i = 0; !err && i < n; i++) {
		const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(sums[i], "type"));
		bool rss = type && !strcmp(type, "rss_growth");
		const cJSON *r;

		if (!type || (!rss && strcmp(type, "heap_summary")))
			continue;
		total += num(sums[i], rss ? "kept_bytes" : "live_bytes");
		cJSON_ArrayForEach(r, cJSON_GetObjectItem(sums[i], rss ? "growth" : "live"))
			if (!err && (num(r, "bytes") > 0 || num(r, "grown_bytes") > 0))
				err = add_row(&rows, &nrows, &cap, sums[i], r, rss);
	}
	fold_truncated(rows, nrows);
	if (!err && nrows)
		qsort(rows, nrows, sizeof(*rows), by_bytes);
	for (size_t i = 0; !err && i < nrows && i < max && rows[i].bytes + rows[i].grown > 0; i++)
		if (!cJSON_AddItemToArray(arr, row_json(&rows[i], total)))
			err = -ENOMEM;
	free(rows);
	if (err) {
		cJSON_Delete(arr);
		return NULL;
	}
	return arr;
}

/* Per process: its latest summary of each kind within the window. */
struct pick {
	uint32_t pid;
	int64_t heap_t, rss_t;
	uint64_t heap_ref, rss_ref;
};

static bool eligible(const struct report_memsum *s, const struct cl_event *oom)
{
	if (s->pid == oom->victim_pid)
		return s->time_ns <= oom->time_ns + VICTIM_GRACE_NS;
	return oom->memcg && s->cgroup == oom->memcg && s->time_ns <= oom->time_ns + PEER_GRACE_NS;
}

static size_t pick_summaries(const struct report_model *m, const struct cl_event *oom,
			     struct pick *picks)
{
	size_t n = 0, k;

	for (size_t i = 0; i < m->nmemsums; i++) {
		const struct report_memsum *s = &m->memsums[i];

		if (!eligible(s, oom))
			continue;
		for (k = 0; k < n && picks[k].pid != s->pid; k++)
			;
		if (k == n) {
			if (n == MAX_PIDS)
				continue;
			picks[n++] = (struct pick){ .pid = s->pid, .heap_t = -1, .rss_t = -1 };
		}
		if (s->heap && s->time_ns >= picks[k].heap_t) {
			picks[k].heap_t = s->time_ns;
			picks[k].heap_ref = s->ref;
		} else if (!s->heap && s->time_ns >= picks[k].rss_t) {
			picks[k].rss_t = s->time_ns;
			picks[k].rss_ref = s->ref;
		}
	}
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

cJSON *report_memory_growth(const struct report_model *m, const struct cl_event *oom)
{
	struct pick picks[MAX_PIDS];
	uint64_t refs[MAX_PIDS];
	cJSON *objs[MAX_PIDS] = { 0 }, *arr;
	size_t n = pick_summaries(m, oom, picks), got = 0;

	/* Heap tracking, when it was on, ranks what is still allocated. */
	for (size_t k = 0; k < n; k++)
		refs[k] = picks[k].heap_t >= 0 ? picks[k].heap_ref : picks[k].rss_ref;
	qsort(refs, n, sizeof(*refs), cmp_u64);
	if (n && report_model_fetch(m, refs, n, objs))
		return NULL;
	for (size_t k = 0; k < n; k++)	/* stacks come expanded; unreadable ones left out */
		if (objs[k])
			objs[got++] = objs[k];
	arr = report_memory_rank((const cJSON *const *)objs, got, REPORT_MEMORY_ROWS);
	for (size_t k = 0; k < got; k++)
		cJSON_Delete(objs[k]);
	return arr;
}

static void add_line(cJSON *arr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_line(cJSON *arr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_add_vline(arr, fmt, ap);
	va_end(ap);
}

/* "keep_site < main": the named frame report_stack_where() picks and its two callers. */
void report_memory_path(const cJSON *stack, char *buf, size_t len)
{
	const char *where = report_stack_where(stack);
	const cJSON *f;
	size_t used = 0;
	int n = 0;

	snprintf(buf, len, "%s", where ? where : "[stack unknown]");
	cJSON_ArrayForEach(f, stack) {
		const char *sym = cJSON_GetStringValue(cJSON_GetObjectItem(f, "symbol"));

		if (!where || n == 3 || used >= len)
			break;
		if (!n && (!sym || strcmp(sym, where)))
			continue;	/* kernel and library frames below the named one */
		if (!sym || !*sym)
			break;	/* an address without a name ends the path */
		used += snprintf(buf + used, len - used, "%s%s", n++ ? " < " : "", sym);
	}
}

static const char *source_words(const cJSON *row)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(row, "source"));

	return s && !strcmp(s, "heap") ? "live heap (allocated, not freed)" :
	       "RSS growth samples (anonymous memory faulted in, less what was given back)";
}

void report_memory_evidence(cJSON *arr, const cJSON *growth)
{
	const cJSON *top = cJSON_GetArrayItem(growth, 0), *next = cJSON_GetArrayItem(growth, 1);
	char path[300];

	if (!growth)
		return;
	if (!top) {
		add_line(arr, "what grew the memory is unknown: the recording has no heap_summary "
			 "or rss_growth of the victim or its memory cgroup up to the kill (-e rss or "
			 "--heap PID records them)");
		return;
	}
	report_memory_path(cJSON_GetObjectItem(top, "stack"), path, sizeof(path));
	add_line(arr, "memory kept by %s in %s (pid %.0f): %.1f MiB, %.0f%% of what the "
		 "recording shows the victim and its memory cgroup kept, from %s", path,
		 or_unknown(cJSON_GetStringValue(cJSON_GetObjectItem(top, "comm"))),
		 num(top, "pid"), num(top, "bytes") / 1048576, num(top, "share") * 100,
		 source_words(top));
	if (!next)
		return;
	report_memory_path(cJSON_GetObjectItem(next, "stack"), path, sizeof(path));
	add_line(arr, "next: %s, %.1f MiB (%.0f%%)%s", path, num(next, "bytes") / 1048576,
		 num(next, "share") * 100, num(next, "grown_bytes") > num(next, "bytes") * 2 ?
		 ", most of what it grew was given back" : "");
}

void report_memory_steps(cJSON *arr, const cJSON *growth)
{
	const cJSON *top = cJSON_GetArrayItem(growth, 0);
	const char *src = cJSON_GetStringValue(cJSON_GetObjectItem(top, "source"));
	char path[300];

	if (!top)
		return;
	report_memory_path(cJSON_GetObjectItem(top, "stack"), path, sizeof(path));
	add_line(arr, "%.0f%% of the memory kept before the kill grew at %s: find what holds "
		 "on to it there (a cache without a bound, a leak, a backlog) before raising the "
		 "limit%s",
		 num(top, "share") * 100, path, src && !strcmp(src, "rss") ?
		 "; `faultline record --heap PID` tells live allocations from returned ones by "
		 "allocation stack" : "");
}
