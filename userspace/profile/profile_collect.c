// SPDX-License-Identifier: GPL-2.0
/* From the profiler's BPF maps to a symbolized struct profile_data. */
#include <errno.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "base/log.h"
#include "base/strmap.h"
#include "base/vec.h"
#include "output/output_common.h"
#include "profile/profile_collect.h"
#include "profile/profile_python.h"
#include "unwind/unwind_dwarf.h"
#include "offcpu.h"

#define LOST_NAME "[lost stack]"
#define TRUNCATED_NAME "[truncated]"
#define BEFORE_NAME "[user stack unknown: waiting since before the profile]"

struct key_count {
	struct profile_key key;
	struct profile_key waker;	/* --wakers: who ended the wait */
	bool has_waker;
	__u32 state;		/* --wall: OFFCPU_STATE_* */
	bool has_state;
	__u64 count;
	__u64 events;		/* off-CPU: switches */
};

/* One symbolized stack id, shared by every key that uses it. */
struct cached_stack {
	bool kernel;
	__u32 tgid;		/* 0 for kernel stacks: they do not depend on the process */
	__s32 id;
	int nframes;
	int unnamed;		/* frames without a symbol */
	bool cut;		/* ended at an address that is not code */
	struct profile_frame *frames;	/* root first */
};

struct collect_priv {
	/* Frame names repeat across stacks: one hashed copy each (a tree of strcmps was ~7%). */
	struct strmap *strings;
	void *stacks;		/* tsearch tree of struct cached_stack */
	void *tgids;		/* tsearch tree of tgids seen (as pointers) */
	void *tids;		/* --wall: tsearch tree of threads seen (as pointers) */
	struct symbolizer *sym;
	int stacks_fd;
	int overflow_fd;
	profile_need_maps_fn need_maps;
	void *ctx;
	struct profile_python *py;	/* CPython frames, merged into the stacks that have them */
};

static int cmp_stack(const void *a, const void *b)
{
	const struct cached_stack *x = a, *y = b;

	if (x->kernel != y->kernel)
		return x->kernel - y->kernel;
	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void free_cached(void *v)
{
	struct cached_stack *c = v;

	free(c->frames);
	free(c);
}

static int cmp_ptr(const void *a, const void *b)
{
	return (uintptr_t)a < (uintptr_t)b ? -1 : (uintptr_t)a > (uintptr_t)b;
}

static void no_free(void *v)
{
	(void)v;
}

static int fill_frame(struct collect_priv *p, const struct sym_result *r, struct profile_frame *f)
{
	char name[512];

	sym_result__name(r, name, sizeof(name));
	f->name = strmap__intern(p->strings, name);
	if (!f->name)
		return -ENOMEM;
	f->module = r->module;
	f->addr = r->addr;
	f->module_offset = r->module_offset;
	f->build_id = r->build_id;
	f->kind = r->kind;
	f->map_start = r->map_start;
	f->map_end = r->map_end;
	f->map_pgoff = r->map_pgoff;
	return 0;
}

/* Symbolizes @ips (leaf first, zero-terminated) into @c, root first. */
static int symbolize(struct collect_priv *p, struct cached_stack *c, const __u64 *ips)
{
	struct sym_result r;
	int n = 0, err;

	while (n < PROFILE_MAX_DEPTH && ips[n])
		n++;
	/* A walk that wandered into heap or stack ends there: what follows is no frame. */
	for (int i = 1; !c->kernel && i < n; i++) {
		if (ips[i] != UNWIND_TRUNCATED_IP &&
		    !symbolizer__user_is_code(p->sym, c->tgid, ips[i] - 1)) {
			n = i;
			c->cut = true;
		}
	}
	c->frames = calloc(n ? n : 1, sizeof(*c->frames));
	if (!c->frames)
		return -ENOMEM;
	for (int j = 0; j < n; j++) {
		int i = n - 1 - j;
		/* Callers' addresses are return addresses: look up the call itself. */
		__u64 addr = i > 0 ? ips[i] - 1 : ips[i];

		/* DWARF unwinding stopped early: say so at the root, don't guess */
		if (!c->kernel && ips[i] == UNWIND_TRUNCATED_IP) {
			c->frames[j] = (struct profile_frame){ .name = TRUNCATED_NAME,
							       .kind = FRAME_LOST };
			continue;
		}
		memset(&r, 0, sizeof(r));
		if (c->kernel)
			symbolizer__kernel(p->sym, addr, &r);
		else
			symbolizer__user(p->sym, c->tgid, addr, &r);
		err = fill_frame(p, &r, &c->frames[j]);
		if (err)
			return err;
		c->unnamed += !r.symbol;
	}
	c->nframes = n;
	return 0;
}

static const struct profile_frame lost_frame = { .name = LOST_NAME, .kind = FRAME_LOST };
static const struct cached_stack lost_stack = {
	.nframes = 1, .frames = (struct profile_frame *)&lost_frame,
};
static const struct cached_stack no_stack;
static const struct profile_frame before_frame = { .name = BEFORE_NAME, .kind = FRAME_UNKNOWN };
static const struct cached_stack before_stack = {
	.nframes = 1, .frames = (struct profile_frame *)&before_frame,
};

/* The addresses of stack @id, leaf first, zero-terminated (unless full). */
static int read_stack(struct collect_priv *p, __s32 id, __u64 *ips)
{
	struct profile_stack_buf buf;

	if (!(id & PROFILE_OVERFLOW_ID))
		return bpf_map_lookup_elem(p->stacks_fd, &id, ips);
	if (bpf_map_lookup_elem(p->overflow_fd, &id, &buf))
		return -errno;
	if (buf.nr > PROFILE_MAX_DEPTH)
		buf.nr = PROFILE_MAX_DEPTH;
	memcpy(ips, buf.ips, buf.nr * sizeof(*ips));
	return 0;
}

/* The frames for @id, symbolized once; NULL when out of memory. */
static const struct cached_stack *get_stack(struct collect_priv *p, bool kernel, __u32 tgid,
					    __s32 id, struct profile_collect_stats *st)
{
	struct cached_stack probe = { .kernel = kernel, .tgid = kernel ? 0 : tgid, .id = id };
	__u64 ips[PROFILE_MAX_DEPTH] = {};
	struct cached_stack *c;
	int64_t py_id = -1;
	void *node;

	if (id == PROFILE_STACK_NONE)
		return &no_stack;
	if (id == OFFCPU_STACK_BEFORE && !kernel)
		return &before_stack;
	if (id < 0)
		return &lost_stack;
	node = tfind(&probe, &p->stacks, cmp_stack);
	if (node)
		return *(struct cached_stack **)node;
	if (read_stack(p, id, ips)) {
		st->lost_stack_gone++;
		return &lost_stack;
	}
	if (!kernel)
		py_id = profile_python__split(ips, PROFILE_MAX_DEPTH);
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	*c = probe;
	if (symbolize(p, c, ips) ||
	    (py_id >= 0 && profile_python__merge(p->py, p->strings, tgid, py_id, &c->frames,
						 &c->nframes)) ||
	    !tsearch(c, &p->stacks, cmp_stack)) {
		free_cached(c);
		return NULL;
	}
	return c;
}

static void note_tgid(struct collect_priv *p, __u32 tgid, struct profile_collect_stats *st)
{
	void *key = (void *)(uintptr_t)(tgid + 1ULL);

	if (tfind(key, &p->tgids, cmp_ptr))
		return;
	if (tsearch(key, &p->tgids, cmp_ptr))
		st->processes++;
	if (tgid && p->need_maps)
		p->need_maps(p->ctx, tgid);
}

static void count_frames(const struct cached_stack *c, __u64 count,
			 struct profile_collect_stats *st)
{
	if (c == &lost_stack)
		return;
	st->frames += c->nframes * count;
	st->unnamed_frames += c->unnamed * count;
	st->cut_samples += c->cut * count;
}

/* Frames @c..., in the order given, into @f; returns how many. */
static int put_frames(struct profile_frame *f, const struct cached_stack *c, bool reversed)
{
	for (int i = 0; i < c->nframes; i++)
		f[i] = c->frames[reversed ? c->nframes - 1 - i : i];
	return c->nframes;
}

/*
 * Whether a waker's kernel stack ran in a hardware interrupt's entry. From
 * user mode x86-64 runs interrupt handlers on the interrupted task's own
 * stack, where BPF cannot tell them apart: the interrupted task is not the
 * waker then, whatever current says.
 */
static bool from_interrupt(const struct cached_stack *k)
{
	for (int i = 0; i < k->nframes; i++) {
		const char *name = k->frames[i].name;

		if (k->frames[i].kind == FRAME_KERNEL && name &&
		    (!strncmp(name, "asm_sysvec_", 11) || !strcmp(name, "asm_common_interrupt")))
			return true;
	}
	return false;
}

/*
 * --wakers: after the blocked thread's frames, "--" and the waker's, leaf
 * first, ending with its name, as offwaketime writes them: the wait reads
 * "blocked in X <- woken by Y", and a flame graph stacks the waker on top.
 */
static int add_waker(struct collect_priv *p, const struct key_count *e, struct profile_stack *out,
		     const struct cached_stack *u, const struct cached_stack *k,
		     struct profile_collect_stats *st)
{
	const struct cached_stack *wu, *wk;
	struct profile_frame *f;
	bool irq;
	int n = 0;

	if (e->waker.tgid)
		note_tgid(p, e->waker.tgid, st);
	wu = get_stack(p, false, e->waker.tgid, e->waker.user_stack_id, st);
	wk = get_stack(p, true, 0, e->waker.kernel_stack_id, st);
	if (!wu || !wk)
		return -ENOMEM;
	irq = from_interrupt(wk);
	if (irq)
		wu = &no_stack;	/* the task it happened to interrupt */
	f = calloc(u->nframes + k->nframes + wu->nframes + wk->nframes + 3, sizeof(*f));
	if (!f)
		return -ENOMEM;
	n += put_frames(f + n, u, false);
	n += put_frames(f + n, k, false);
	f[n++] = (struct profile_frame){ .name = "--", .kind = FRAME_UNKNOWN };
	n += put_frames(f + n, wk, true);
	n += put_frames(f + n, wu, true);
	f[n].name = strmap__intern(p->strings, irq ? "[interrupt]" :
				   e->waker.comm[0] ? e->waker.comm : "?");
	f[n++].kind = FRAME_UNKNOWN;
	if (!f[n - 1].name) {
		free(f);
		return -ENOMEM;
	}
	out->frames = f;
	out->nframes = n;
	return 0;
}

/*
 * --wall: the leaf pseudo-frame naming the state, and the time per state and
 * the threads, for the summary.
 */
static int add_state(struct collect_priv *p, const struct key_count *e, struct profile_stack *out,
		     const struct cached_stack *k, struct profile_collect_stats *st)
{
	const char *name = profile_wall_state_frame(e->state, k->frames, k->nframes);
	void *tid = (void *)(uintptr_t)(((uint64_t)e->key.tgid << 32 | e->key.pid) + 1);
	enum profile_wall_state ws = profile_wall_state_of(name);

	out->frames[out->nframes++] = (struct profile_frame){ .name = name,
							      .kind = FRAME_UNKNOWN };
	if (ws < PROFILE_WALL_STATES)
		st->wall_us[ws] += e->count;
	if (tfind(tid, &p->tids, cmp_ptr))
		return 0;
	if (!tsearch(tid, &p->tids, cmp_ptr))
		return -ENOMEM;
	st->wall_threads++;
	return 0;
}

/* User frames (the outer part of the stack) first, then the kernel's. */
static int build_stack(struct collect_priv *p, const struct key_count *e, struct profile_stack *out,
		       struct profile_result *r)
{
	struct profile_collect_stats *st = &r->stats;
	const struct cached_stack *u, *k;

	note_tgid(p, e->key.tgid, st);
	u = get_stack(p, false, e->key.tgid, e->key.user_stack_id, st);
	k = get_stack(p, true, 0, e->key.kernel_stack_id, st);
	out->comm = strmap__intern(p->strings, e->key.comm);
	if (!u || !k || !out->comm)
		return -ENOMEM;
	if (e->has_waker) {
		if (add_waker(p, e, out, u, k, st))
			return -ENOMEM;
	} else {
		out->frames = calloc(u->nframes + k->nframes + 1, sizeof(*out->frames));
		if (!out->frames)
			return -ENOMEM;
		out->nframes = put_frames(out->frames, u, false);
		out->nframes += put_frames(out->frames + out->nframes, k, false);
		if (e->has_state && add_state(p, e, out, k, st))
			return -ENOMEM;
	}
	out->pid = e->key.tgid;
	out->tid = e->key.pid;
	out->count = e->count;
	out->events = e->events;
	st->lost_user += u == &lost_stack ? e->count : 0;
	st->lost_kernel += k == &lost_stack ? e->count : 0;
	if (u == &lost_stack || k == &lost_stack)
		r->data.lost_samples += e->count;
	count_frames(u, e->count, st);
	count_frames(k, e->count, st);
	return 0;
}

/* A counts map's entry layout: keys with or without a waker, values of either kind. */
struct entry_sizes {
	size_t ksize, vsize;
};

/*
 * A counts value: a __u64 of samples, or off-CPU's struct offcpu_value whose
 * nanoseconds become microseconds (the unit profile_data.off_cpu and .wall
 * state). A key is a struct profile_key, --wakers' struct offcpu_waker_key
 * or --wall's struct offcpu_wall_key.
 */
static int append(struct key_count **v, size_t *n, size_t *cap, const void *key,
		  const void *value, const struct entry_sizes *sz)
{
	const struct offcpu_waker_key *wk = key;
	const struct offcpu_wall_key *wall = key;
	const struct offcpu_value *off = value;
	bool is_off = sz->vsize == sizeof(*off);
	__u64 count = is_off ? (off->ns + 500) / 1000 : *(const __u64 *)value;

	if (!count)
		return 0;
	if (VEC_RESERVE(*v, *cap, *n + 1))
		return -ENOMEM;
	memset(&(*v)[*n], 0, sizeof((*v)[*n]));
	(*v)[*n].key = wk->blocked;	/* the blocked key comes first in both layouts */
	if (sz->ksize == sizeof(*wk)) {
		(*v)[*n].waker = wk->waker;
		(*v)[*n].has_waker = true;
	} else if (sz->ksize == sizeof(*wall)) {
		(*v)[*n].state = wall->state;
		(*v)[*n].has_state = true;
	}
	(*v)[*n].events = is_off ? off->switches : 0;
	(*v)[(*n)++].count = count;
	return 0;
}

/* One key at a time: two syscalls per entry, for kernels without batch lookups. */
static int read_one_by_one(int fd, const struct entry_sizes *sz, struct key_count **v,
			   size_t *n, size_t *cap)
{
	struct offcpu_waker_key key, next;	/* the larger of the two key types */
	struct offcpu_value value;		/* and of the two value types */
	void *prev = NULL;
	int err = 0;

	while (!err && !bpf_map_get_next_key(fd, prev, &next)) {
		memcpy(&key, &next, sz->ksize);
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &value))
			err = append(v, n, cap, &key, &value, sz);
	}
	return err;
}

#define BATCH 1024

/* -EOPNOTSUPP when the kernel cannot batch (or a bucket outgrew BATCH). */
static int read_batched(int fd, const struct entry_sizes *sz, struct key_count **v, size_t *n,
			size_t *cap)
{
	char *keys = calloc(BATCH, sz->ksize), *vals = calloc(BATCH, sz->vsize);
	struct offcpu_waker_key token;	/* opaque; a key's size is room enough */
	bool first = true, last = false;
	__u32 count;
	int err = keys && vals ? 0 : -ENOMEM;

	while (!err && !last) {
		count = BATCH;
		if (bpf_map_lookup_batch(fd, first ? NULL : &token, &token, keys, vals, &count,
					 NULL)) {
			err = errno == ENOENT ? 0 : -errno;
			last = true;
		}
		if (err)
			break;
		for (__u32 i = 0; i < count && !err; i++)
			err = append(v, n, cap, keys + i * sz->ksize, vals + i * sz->vsize, sz);
		first = false;
	}
	free(keys);
	free(vals);
	return err && err != -ENOMEM && !*n ? -EOPNOTSUPP : err;
}

static int read_entries(int fd, struct key_count **out, size_t *n)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct entry_sizes sz;
	size_t cap = 0;
	int err;

	*out = NULL;
	*n = 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	sz.ksize = info.key_size;
	sz.vsize = info.value_size;
	if ((sz.vsize != sizeof(__u64) && sz.vsize != sizeof(struct offcpu_value)) ||
	    (sz.ksize != sizeof(struct profile_key) && sz.ksize != sizeof(struct offcpu_waker_key) &&
	     sz.ksize != sizeof(struct offcpu_wall_key)))
		return -EINVAL;
	err = read_batched(fd, &sz, out, n, &cap);
	if (err == -EOPNOTSUPP)
		err = read_one_by_one(fd, &sz, out, n, &cap);
	return err;
}

static int by_count_desc(const void *a, const void *b)
{
	const struct key_count *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

/* Samples the counts map could not hold: still shown, as their own stack. */
static int add_counts_full(struct profile_result *r, __u64 count)
{
	struct profile_stack *st = &r->data.stacks[r->data.nstacks];

	st->frames = calloc(1, sizeof(*st->frames));
	if (!st->frames)
		return -ENOMEM;
	st->frames[0] = lost_frame;
	st->nframes = 1;
	st->comm = "[lost]";
	st->count = count;
	r->data.nstacks++;
	r->data.lost_samples += count;
	r->data.total_samples += count;
	r->stats.lost_counts_full = count;
	return 0;
}

static int build_all(struct collect_priv *p, struct key_count *v, size_t n,
		     struct profile_result *r)
{
	int err;

	r->data.stacks = calloc(n + 1, sizeof(*r->data.stacks));
	if (!r->data.stacks)
		return -ENOMEM;
	if (n)	/* an empty map gives no array at all */
		qsort(v, n, sizeof(*v), by_count_desc);
	for (size_t i = 0; i < n; i++) {
		err = build_stack(p, &v[i], &r->data.stacks[r->data.nstacks], r);
		if (err)
			return err;
		r->data.nstacks++;
		r->data.total_samples += v[i].count;
	}
	/* Off-CPU waits that found no room have no known length: counted, not drawn. */
	if (r->stats.counters[PC_COUNTS_FULL] && !r->data.off_cpu && !r->data.wall)
		return add_counts_full(r, r->stats.counters[PC_COUNTS_FULL]);
	return 0;
}

int profile_collect(struct profile_sampler *s, struct symbolizer *sym,
		    profile_need_maps_fn need_maps, void *ctx, struct profile_result *r)
{
	struct collect_priv *p = calloc(1, sizeof(*p));
	struct key_count *v = NULL;
	size_t n = 0;
	int err;

	memset(r, 0, sizeof(*r));
	if (!p)
		return -ENOMEM;
	r->priv = p;
	p->strings = strmap__new(0);
	if (!p->strings)
		return -ENOMEM;
	p->sym = sym;
	p->stacks_fd = profile_sampler__stacks_fd(s);
	p->overflow_fd = profile_sampler__overflow_fd(s);
	p->py = profile_sampler__python(s);
	p->need_maps = need_maps;
	p->ctx = ctx;
	r->data.off_cpu = profile_sampler__off_cpu(s);
	r->data.wall = profile_sampler__wall(s);
	err = profile_sampler__counters(s, r->stats.counters);
	if (!err)
		err = read_entries(profile_sampler__counts_fd(s), &v, &n);
	if (!err)
		err = build_all(p, v, n, r);
	free(v);
	if (err)
		log_error("profile: reading the sampled stacks failed: %s", strerror(-err));
	return err;
}

void profile_result__free(struct profile_result *r)
{
	struct collect_priv *p = r->priv;

	for (size_t i = 0; i < r->data.nstacks; i++)
		free(r->data.stacks[i].frames);
	free(r->data.stacks);
	if (p) {
		strmap__free(p->strings);
		tdestroy(p->stacks, free_cached);
		tdestroy(p->tgids, no_free);
		tdestroy(p->tids, no_free);
		free(p);
	}
	memset(r, 0, sizeof(*r));
}
