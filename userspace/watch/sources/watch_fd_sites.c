// SPDX-License-Identifier: GPL-2.0
/* fd leak sites: read, rank, render and sweep the fd source's tracking maps. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "base/vec.h"
#include "sym/symbolizer.h"
#include "watch/sources/watch_fd_sites.h"
#include "watch/watch_internal.h"

#define SWEEP_MAX_DEAD 4096
#define SITES_MERGED 64	/* largest sites named and merged by name */
#define SITE_FRAMES (WATCH_FD_SITE_FRAMES + 1)	/* + the leaf caller put back */

int fd_sites_collect(int sites_fd, uint32_t tgid, struct fd_site **out)
{
	struct watch_fd_site_key key, next, *prev = NULL;
	struct fd_site *arr = NULL;
	size_t n = 0, cap = 0;
	__s64 count;

	while (!bpf_map_get_next_key(sites_fd, prev, &next)) {
		key = next;
		prev = &key;
		if ((tgid && key.tgid != tgid) || bpf_map_lookup_elem(sites_fd, &key, &count) ||
		    count <= 0)
			continue;
		if (VEC_RESERVE(arr, cap, n + 1)) {
			free(arr);
			return -ENOMEM;
		}
		arr[n++] = (struct fd_site){ key.tgid, key.stack, count };
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
		r.addr = ips[i];
		sym_result__name(&r, names[i], sizeof(names[i]));
		np[i] = names[i];
		mp[i] = r.module;
	}
	fd_site_name(np, mp, n, 3, buf, len);
}

/* The frames of a stored stack, with the caller of a frameless leaf put back. */
static int site_frames(struct watch_ctx *c, const struct fd_maps *m, const struct fd_site *s,
		       __u64 *out)
{
	struct watch_fd_stack st = {};
	int inferred;

	if (!s->stack || s->stack == WATCH_FD_STACK_UNWALKED ||
	    bpf_map_lookup_elem(m->stacks, &s->stack, &st))
		return 0;
	return watch_leaf_fixup(c, s->tgid, st.ips,
				st.nr < WATCH_FD_SITE_FRAMES ? st.nr : WATCH_FD_SITE_FRAMES,
				st.user_sp, out, &inferred);
}

static cJSON *site_json(struct watch_ctx *c, const struct fd_maps *m, const struct fd_site *s,
			char *name, size_t namelen)
{
	cJSON *o = cJSON_CreateObject();
	__u64 ips[WATCH_MAX_FRAMES];
	int n;

	if (!o)
		return NULL;
	n = site_frames(c, m, s, ips);
	if (s->stack == WATCH_FD_STACK_UNWALKED)
		snprintf(name, namelen, "[opened while the process held few fds: no stack]");
	else
		site_name_of(c, s->tgid, ips, n, name, namelen);
	cJSON_AddNumberToObject(o, "count", (double)s->count);
	cJSON_AddStringToObject(o, "site", name);
	if (n)
		watch_event_add_stack(c, o, "stack", s->tgid, NULL, 0, ips, n);
	return o;
}

/* Adds @o to @arr, or its count to an item naming the same site (frees @o then). */
static void merge_site(cJSON *arr, cJSON *o)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(o, "site"));
	cJSON *it, *cnt;

	cJSON_ArrayForEach(it, arr) {
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(it, "site")), name))
			continue;
		cnt = cJSON_GetObjectItem(it, "count");
		cJSON_SetNumberValue(cnt, cnt->valuedouble +
				     cJSON_GetNumberValue(cJSON_GetObjectItem(o, "count")));
		cJSON_Delete(o);
		return;
	}
	cJSON_AddItemToArray(arr, o);
}

static int cmp_item(const void *a, const void *b)
{
	double x = cJSON_GetNumberValue(cJSON_GetObjectItem(*(cJSON *const *)a, "count"));
	double y = cJSON_GetNumberValue(cJSON_GetObjectItem(*(cJSON *const *)b, "count"));

	return x > y ? -1 : x < y;
}

/* Re-sorts @arr by count after merging and keeps the first @max items. */
static void keep_top(cJSON *arr, int max)
{
	int n = cJSON_GetArraySize(arr);
	cJSON **items = calloc(n ? n : 1, sizeof(*items));

	if (!items)
		return;
	for (int i = 0; i < n; i++)
		items[i] = cJSON_DetachItemFromArray(arr, 0);
	qsort(items, n, sizeof(*items), cmp_item);
	for (int i = 0; i < n; i++) {
		if (i < max)
			cJSON_AddItemToArray(arr, items[i]);
		else
			cJSON_Delete(items[i]);
	}
	free(items);
}

cJSON *fd_sites_json(struct watch_ctx *c, const struct fd_maps *m, uint32_t tgid, int max,
		     int64_t *tracked, char *top, size_t toplen)
{
	cJSON *arr = cJSON_CreateArray(), *first;
	struct fd_site *sites = NULL;
	char name[512];
	int n;

	*tracked = 0;
	top[0] = '\0';
	if (!arr)
		return NULL;
	n = fd_sites_collect(m->sites, tgid, &sites);
	if (n < 0)
		return arr;	/* an empty list: the maps could not be read */
	fd_sites_sort(sites, n);
	for (int i = 0; i < n; i++) {
		cJSON *o;

		*tracked += sites[i].count;
		/* Stacks that differ only below the shown frames are one site. */
		if (i >= SITES_MERGED)
			continue;
		o = site_json(c, m, &sites[i], name, sizeof(name));
		if (o)
			merge_site(arr, o);
	}
	free(sites);
	keep_top(arr, max);
	first = cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "site");
	if (first)
		snprintf(top, toplen, "%s", cJSON_GetStringValue(first));
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
