// SPDX-License-Identifier: GPL-2.0
/* fd leak sites: read, rank, render and sweep the fd source's tracking maps. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "base/vec.h"
#include "sym/symbolizer.h"
#include "watch/sources/watch_fd_sites.h"
#include "watch/watch_internal.h"
#include "kunwind.h"

#define SWEEP_MAX_DEAD 4096
#define SITES_MERGED 64	/* largest sites named and merged by name */
#define SITE_FRAMES (WATCH_FD_SITE_FRAMES + 1)	/* + the leaf caller put back */
#define OPEN_BATCH 256	/* fd_open entries one lookup_batch call reads */

int fd_sites_collect(int sites_fd, uint32_t tgid, struct fd_site **out)
{
	struct watch_fd_site_key key, next, *prev = NULL;
	struct watch_fd_site_val v;
	struct fd_site *arr = NULL;
	size_t n = 0, cap = 0;

	while (!bpf_map_get_next_key(sites_fd, prev, &next)) {
		key = next;
		prev = &key;
		if ((tgid && key.tgid != tgid) || bpf_map_lookup_elem(sites_fd, &key, &v) ||
		    v.open <= 0)
			continue;
		if (VEC_RESERVE(arr, cap, n + 1)) {
			free(arr);
			return -ENOMEM;
		}
		arr[n++] = (struct fd_site){ .tgid = key.tgid, .stack = key.stack, .count = v.open,
					     .opened = v.opened, .closed = v.closed };
	}
	*out = arr;
	return (int)n;
}

static int cmp_site(const void *a, const void *b)
{
	const struct fd_site *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->stack < y->stack ? -1 : x->stack > y->stack;
}

void fd_sites_sort(struct fd_site *s, size_t n)
{
	if (n > 1)
		qsort(s, n, sizeof(*s), cmp_site);
}

/* The C library's syscall wrappers are where every fd comes from: not the site. */
static int is_libc(const char *module)
{
	const char *base = module ? strrchr(module, '/') : NULL;

	base = base ? base + 1 : module;
	return base && (!strncmp(base, "libc.so", 7) || !strncmp(base, "libc-", 5));
}

void fd_site_name(const char *const *names, const char *const *modules, int n, int max,
		  char *buf, size_t len)
{
	int first = 0;
	size_t used = 0;

	while (first < n - 1 && is_libc(modules[first]))
		first++;
	buf[0] = '\0';
	for (int i = first; i < n && i < first + max && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i > first ? " <- " : "",
				 names[i]);
	if (!n)
		snprintf(buf, len, "[no stack]");
}

/* Symbol names (and modules) of stack @ips, for fd_site_name(). */
static void site_name_of(struct watch_ctx *c, uint32_t pid, const __u64 *ips, int n,
			 char *buf, size_t len)
{
	char names[SITE_FRAMES][128];
	const char *np[SITE_FRAMES], *mp[SITE_FRAMES];
	struct sym_result r;

	n = n < SITE_FRAMES ? n : SITE_FRAMES;
	for (int i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		symbolizer__user(watch_symbolizer(c), pid, ips[i], &r);
		if (r.not_code) {
			n = i;	/* not a frame: the stack ends before it */
			break;
		}
		r.addr = ips[i];
		sym_result__name(&r, names[i], sizeof(names[i]));
		np[i] = names[i];
		mp[i] = r.module;
	}
	fd_site_name(np, mp, n, 3, buf, len);
}

/*
 * The frames of a stored stack: as walked in the kernel with the tables, or
 * with the caller of a frameless leaf put back into a frame-pointer walk.
 */
static int site_frames(struct watch_ctx *c, const struct fd_maps *m, const struct fd_site *s,
		       __u64 *out)
{
	struct watch_fd_stack st = {};
	int inferred, n;

	if (!s->stack || s->stack == WATCH_FD_STACK_UNWALKED ||
	    bpf_map_lookup_elem(m->stacks, &s->stack, &st))
		return 0;
	n = st.nr < WATCH_FD_SITE_FRAMES ? st.nr : WATCH_FD_SITE_FRAMES;
	if (st.how == KUNWIND_HOW_TABLES) {
		memcpy(out, st.ips, n * sizeof(*out));
		return n;
	}
	return watch_leaf_fixup(c, s->tgid, st.ips, n, st.user_sp, out, &inferred);
}

static bool has_stack(uint64_t stack)
{
	return stack != WATCH_FD_STACK_NONE && stack != WATCH_FD_STACK_UNWALKED;
}

static int cmp_stack(const void *a, const void *b)
{
	const struct fd_site *x = a, *y = b;

	return x->stack < y->stack ? -1 : x->stack > y->stack;
}

static void add_open_fd(struct fd_site *sites, int n, const struct watch_fd_val *v)
{
	struct fd_site key = { .stack = v->stack };
	struct fd_site *s = bsearch(&key, sites, n, sizeof(*sites), cmp_stack);

	if (!s)
		return;
	if (!s->oldest_ns || v->open_ns < s->oldest_ns)
		s->oldest_ns = v->open_ns;
	if (v->kind < FD_KINDS)
		s->kinds[v->kind]++;
	s->ended += v->ended && (v->kind == WATCH_FD_KIND_ACCEPTED ||
				 v->kind == WATCH_FD_KIND_CONNECTED);
}

/* Ages and kinds of @tgid's open fds into @sites (sorted by stack here). */
static void read_open_fds(int open_fd, uint32_t tgid, struct fd_site *sites, int n)
{
	struct watch_fd_key keys[OPEN_BATCH];
	struct watch_fd_val vals[OPEN_BATCH];
	__u64 in = 0, out = 0;
	bool first = true;

	qsort(sites, n, sizeof(*sites), cmp_stack);
	for (;;) {
		__u32 cnt = OPEN_BATCH;
		int err = bpf_map_lookup_batch(open_fd, first ? NULL : &in, &out, keys, vals,
					       &cnt, NULL);

		if (err && errno != ENOENT)
			return;	/* ages and kinds stay unknown */
		for (__u32 i = 0; i < cnt; i++)
			if (keys[i].tgid == tgid)
				add_open_fd(sites, n, &vals[i]);
		if (err)
			return;
		in = out;
		first = false;
	}
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);	/* bpf_ktime_get_ns()'s clock */
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A site as named and shown: sites that differ only below the shown frames merge. */
struct named_site {
	struct fd_site_facts f;
	enum fd_verdict verdict;
	uint32_t tgid;
	int nips;
	__u64 ips[WATCH_MAX_FRAMES];
	char name[512];
};

static void add_facts(struct fd_site_facts *f, const struct fd_site *s, uint64_t now)
{
	double age = s->oldest_ns && s->oldest_ns <= now ? (now - s->oldest_ns) / 1e9 : -1;

	f->open += s->count;
	f->opened += s->opened;
	f->closed += s->closed;
	if (age > f->oldest_s)
		f->oldest_s = age;
	for (int k = 0; k < FD_KINDS; k++)
		f->kinds[k] += s->kinds[k];
	f->ended += s->ended;
}

/* Names @s and adds it to @out (or to the entry of the same name); returns the new count. */
static int name_site(struct watch_ctx *c, const struct fd_maps *m, const struct fd_site *s,
		     uint64_t now, struct named_site *out, int n)
{
	struct named_site *ns = &out[n];
	char name[512];
	__u64 ips[WATCH_MAX_FRAMES];
	int nips = site_frames(c, m, s, ips);

	site_name_of(c, s->tgid, ips, nips, name, sizeof(name));
	for (int i = 0; i < n; i++) {
		if (!strcmp(out[i].name, name)) {
			add_facts(&out[i].f, s, now);
			return n;
		}
	}
	memset(ns, 0, sizeof(*ns));
	ns->f.oldest_s = -1;
	ns->tgid = s->tgid;
	ns->nips = nips;
	memcpy(ns->ips, ips, nips * sizeof(*ips));
	snprintf(ns->name, sizeof(ns->name), "%s", name);
	add_facts(&ns->f, s, now);
	return n + 1;
}

/* Leaks first, then by fds open. */
static int cmp_named(const void *a, const void *b)
{
	const struct named_site *x = a, *y = b;

	if ((x->verdict == FD_HELD) != (y->verdict == FD_HELD))
		return x->verdict == FD_HELD ? 1 : -1;
	return x->f.open > y->f.open ? -1 : x->f.open < y->f.open;
}

static cJSON *named_json(struct watch_ctx *c, const struct named_site *ns)
{
	static const char *const kinds[FD_KINDS] = {
		[WATCH_FD_KIND_OTHER] = "other", [WATCH_FD_KIND_SOCKET] = "socket",
		[WATCH_FD_KIND_LISTENER] = "listener", [WATCH_FD_KIND_ACCEPTED] = "accepted",
		[WATCH_FD_KIND_CONNECTED] = "connected",
	};
	cJSON *o = cJSON_CreateObject(), *k;
	char text[1024];

	if (!o)
		return NULL;
	fd_site_describe(&ns->f, ns->verdict, ns->name, text, sizeof(text));
	cJSON_AddNumberToObject(o, "count", (double)ns->f.open);
	cJSON_AddStringToObject(o, "site", ns->name);
	cJSON_AddStringToObject(o, "verdict", fd_verdict_name(ns->verdict));
	cJSON_AddStringToObject(o, "summary", text);
	cJSON_AddNumberToObject(o, "opened", (double)ns->f.opened);
	cJSON_AddNumberToObject(o, "closed", (double)ns->f.closed);
	if (ns->f.oldest_s >= 0)
		cJSON_AddNumberToObject(o, "oldest_s", (double)(int64_t)(ns->f.oldest_s * 10) / 10);
	k = cJSON_AddObjectToObject(o, "kinds");
	for (int i = 0; k && i < FD_KINDS; i++)
		if (ns->f.kinds[i])
			cJSON_AddNumberToObject(k, kinds[i], ns->f.kinds[i]);
	cJSON_AddNumberToObject(o, "connections_ended", ns->f.ended);
	if (ns->nips)
		watch_event_add_stack(c, o, "stack", ns->tgid, NULL, 0, ns->ips, ns->nips);
	return o;
}

/* Counts, names and merges the sites with a stack; returns how many named. */
static int name_sites(struct watch_ctx *c, const struct fd_maps *m, struct fd_site *sites,
		      int n, uint64_t limit, struct fd_sites_summary *sum, struct named_site *out)
{
	uint64_t now = mono_ns();
	int nn = 0, shown = 0;

	for (int i = 0; i < n; i++) {
		sum->tracked += sites[i].count;
		if (!has_stack(sites[i].stack)) {
			sum->no_stack += sites[i].count;	/* placeholders are not sites */
			continue;
		}
		if (shown++ < SITES_MERGED)
			nn = name_site(c, m, &sites[i], now, out, nn);
	}
	for (int i = 0; i < nn; i++)
		out[i].verdict = fd_site_verdict(&out[i].f, limit);
	qsort(out, nn, sizeof(*out), cmp_named);
	return nn;
}

cJSON *fd_sites_json(struct watch_ctx *c, const struct fd_maps *m, uint32_t tgid, int max,
		     uint64_t limit, struct fd_sites_summary *sum)
{
	cJSON *arr = cJSON_CreateArray();
	struct named_site *named = NULL;
	struct fd_site *sites = NULL;
	int n, nn;

	memset(sum, 0, sizeof(*sum));
	if (!arr)
		return NULL;
	n = fd_sites_collect(m->sites, tgid, &sites);
	named = n > 0 ? calloc(n < SITES_MERGED ? n : SITES_MERGED, sizeof(*named)) : NULL;
	if (!named) {
		free(sites);
		return arr;	/* an empty list: nothing tracked, or the maps could not be read */
	}
	read_open_fds(m->open, tgid, sites, n);
	fd_sites_sort(sites, n);
	nn = name_sites(c, m, sites, n, limit, sum, named);
	for (int i = 0; i < nn && i < max; i++) {
		cJSON *o = named_json(c, &named[i]);

		if (o)
			cJSON_AddItemToArray(arr, o);
	}
	if (nn) {
		fd_site_describe(&named[0].f, named[0].verdict, named[0].name, sum->top,
				 sizeof(sum->top));
		sum->top_verdict = named[0].verdict;
	}
	free(named);
	free(sites);
	return arr;
}

static bool is_dead(__u32 tgid, const __u32 *dead, int ndead)
{
	for (int i = 0; i < ndead; i++)
		if (dead[i] == tgid)
			return true;
	return false;
}

/*
 * Deletes every key of @fd whose leading __u32 (the tgid) is in @dead. Keys
 * are collected first: deleting while walking restarts the walk.
 */
static int sweep_map(int fd, size_t key_size, const __u32 *dead, int ndead)
{
	char cur[32], next[32], *keys = NULL;
	size_t n = 0, cap = 0;
	bool first = true;
	__u32 tgid;

	while (!bpf_map_get_next_key(fd, first ? NULL : cur, next)) {
		first = false;
		memcpy(cur, next, key_size);
		memcpy(&tgid, cur, sizeof(tgid));
		if (!is_dead(tgid, dead, ndead))
			continue;
		if (vec_reserve((void **)&keys, &cap, n + 1, key_size)) {
			free(keys);
			return -ENOMEM;
		}
		memcpy(keys + n++ * key_size, cur, key_size);
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, keys + i * key_size);
	free(keys);
	return 0;
}

int fd_sites_sweep(const struct fd_maps *m)
{
	__u32 *dead = malloc(SWEEP_MAX_DEAD * sizeof(*dead)), key, *prev = NULL;
	int n = 0;

	if (!dead)
		return -ENOMEM;
	while (n < SWEEP_MAX_DEAD && !bpf_map_get_next_key(m->dead, prev, &key)) {
		dead[n++] = key;
		prev = &dead[n - 1];
	}
	if (n) {
		sweep_map(m->open, sizeof(struct watch_fd_key), dead, n);
		sweep_map(m->sites, sizeof(struct watch_fd_site_key), dead, n);
		for (int i = 0; i < n; i++)
			bpf_map_delete_elem(m->dead, &dead[i]);
	}
	free(dead);
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The stack keys of @fd (fd_stacks) into a new array; returns how many or -errno. */
static int stack_keys(int fd, uint64_t **out)
{
	uint64_t *keys = NULL, next, *prev = NULL;
	size_t n = 0, cap = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (VEC_RESERVE(keys, cap, n + 1)) {
			free(keys);
			return -ENOMEM;
		}
		keys[n] = next;
		prev = &keys[n++];
	}
	*out = keys;
	return (int)n;
}

int fd_stacks_sweep(const struct fd_maps *m, int keep, int *stored)
{
	struct fd_site *sites = NULL;
	uint64_t *keys = NULL, *used = NULL;
	int nkeys, nsites, dropped = 0;

	nkeys = stack_keys(m->stacks, &keys);
	*stored = nkeys > 0 ? nkeys : 0;
	if (nkeys <= keep) {
		free(keys);
		return nkeys < 0 ? nkeys : 0;
	}
	nsites = fd_sites_collect(m->sites, 0, &sites);
	used = nsites >= 0 ? calloc(nsites ? nsites : 1, sizeof(*used)) : NULL;
	if (!used) {
		free(keys);
		free(sites);
		return -ENOMEM;
	}
	for (int i = 0; i < nsites; i++)
		used[i] = sites[i].stack;
	qsort(used, nsites, sizeof(*used), cmp_u64);
	/* A site whose fds are all closed may come back: its stack is stored again then. */
	for (int i = 0; i < nkeys; i++)
		if (!bsearch(&keys[i], used, nsites, sizeof(*used), cmp_u64) &&
		    !bpf_map_delete_elem(m->stacks, &keys[i]))
			dropped++;
	free(keys);
	free(sites);
	free(used);
	*stored -= dropped;
	return dropped;
}
