// SPDX-License-Identifier: GPL-2.0
/* DWARF-unwound samples counted like profile.bpf.c counts (see unwind_profile.h). */
#include <errno.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "base/log.h"
#include "profile.h"
#include "unwind.h"
#include "profile/unwind_profile.h"
#include "profile/unwind_sampler.h"

/* User stack ids start above every kernel stack map id: they share one map. */
#define USER_ID_BASE (1 << 24)

struct user_stack {
	uint32_t tgid;
	int32_t id;
	uint64_t ips[PROFILE_MAX_DEPTH];	/* zero-terminated unless full */
};

struct key_count {
	struct profile_key key;
	uint64_t count;
	uint64_t accounted;	/* of count, already in the map or counted as lost */
};

struct unwind_profile {
	struct unwind_sampler *sampler;
	void *counts;		/* tsearch of struct key_count, written to counts_fd at the end */
	int counts_fd, stacks_fd;
	void *user_stacks;	/* tsearch of struct user_stack, by tgid and content */
	void *kernel_ids;	/* tsearch of copied kernel stack ids (as pointers) */
	void *tgids;		/* tsearch of announced tgids (as pointers) */
	int32_t next_user_id;
	uint64_t pc[PC__COUNT];	/* counted here, by the same rules as profile.bpf.c */
	bool want_user;
	profile_event_fn on_event;
	void *ctx;
};

static int cmp_user_stack(const void *a, const void *b)
{
	const struct user_stack *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return memcmp(x->ips, y->ips, sizeof(x->ips));
}

static int cmp_ptr(const void *a, const void *b)
{
	return (uintptr_t)a < (uintptr_t)b ? -1 : (uintptr_t)a > (uintptr_t)b;
}

/* A new tgid: the same notification profile.bpf.c sends on a first sample. */
static void announce(struct unwind_profile *up, uint32_t tgid)
{
	struct profile_event e = { .kind = PROFILE_EV_NEW, .tgid = tgid };
	void *key = (void *)(uintptr_t)(tgid + 1ULL);

	if (!tgid || tfind(key, &up->tgids, cmp_ptr) || !tsearch(key, &up->tgids, cmp_ptr))
		return;
	unwinder__capture_pid(unwind_sampler__unwinder(up->sampler), tgid);
	if (up->on_event)
		up->on_event(up->ctx, &e);
}

static void count_stack_error(struct unwind_profile *up, int err, enum profile_counter first)
{
	if (err == -EEXIST)
		up->pc[first]++;
	else if (err == -EFAULT)
		up->pc[first + 1]++;
	else if (err == -ENOMEM || err == -E2BIG)
		up->pc[first + 2]++;
	else
		up->pc[first + 3]++;
}

/* Copies a kernel stack into the shared stacks map the first time its id is seen. */
static int32_t kernel_id(struct unwind_profile *up, int32_t id)
{
	uint64_t ips[PROFILE_MAX_DEPTH] = { 0 };
	void *key = (void *)(uintptr_t)(id + 1ULL);
	int n;

	if (id == UNWIND_KSTACK_NONE)
		return PROFILE_STACK_NONE;
	if (id < 0) {
		count_stack_error(up, id, PC_KERN_COLLISION);
		return id;
	}
	if (tfind(key, &up->kernel_ids, cmp_ptr))
		return id;
	n = unwind_sampler__kernel_stack(up->sampler, id, ips, PROFILE_MAX_DEPTH);
	if (n <= 0 || bpf_map_update_elem(up->stacks_fd, &id, ips, BPF_ANY)) {
		n = n <= 0 ? -EFAULT : -errno;
		count_stack_error(up, n, PC_KERN_COLLISION);
		return n;
	}
	if (!tsearch(key, &up->kernel_ids, cmp_ptr))
		return -ENOMEM;
	return id;
}

static int32_t store_user_stack(struct unwind_profile *up, const struct user_stack *probe)
{
	struct user_stack *u;
	void *node = tfind(probe, &up->user_stacks, cmp_user_stack);

	if (node)
		return (*(struct user_stack **)node)->id;
	u = malloc(sizeof(*u));
	if (!u)
		return -ENOMEM;
	*u = *probe;
	u->id = up->next_user_id;
	if (bpf_map_update_elem(up->stacks_fd, &u->id, u->ips, BPF_NOEXIST) ||
	    !tsearch(u, &up->user_stacks, cmp_user_stack)) {
		free(u);
		return -ENOMEM;
	}
	up->next_user_id++;
	return u->id;
}

static int32_t user_id(struct unwind_profile *up, const struct unwind_sampled *s)
{
	struct user_stack probe = { .tgid = s->tgid };
	int n = s->nuser < PROFILE_MAX_DEPTH - 1 ? s->nuser : PROFILE_MAX_DEPTH - 1;
	int32_t id;

	if (!up->want_user || s->kernel_thread)
		return PROFILE_STACK_NONE;
	if (!n) {
		up->pc[PC_USER_FAULT]++;
		return -EFAULT;
	}
	memcpy(probe.ips, s->user_ips, n * sizeof(probe.ips[0]));
	if (s->status != UNWIND_OK)
		probe.ips[n] = UNWIND_TRUNCATED_IP;
	id = store_user_stack(up, &probe);
	if (id < 0)
		count_stack_error(up, id, PC_USER_COLLISION);
	return id;
}

static int cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct profile_key));
}

/* Counted here, not with a map update per sample: two syscalls less each. */
static void add_count(struct unwind_profile *up, const struct profile_key *key)
{
	struct key_count *kc;
	void *node = tfind(key, &up->counts, cmp_key);

	if (node) {
		(*(struct key_count **)node)->count++;
		return;
	}
	kc = malloc(sizeof(*kc));
	if (kc) {
		kc->key = *key;
		kc->count = 1;
		kc->accounted = 0;
	}
	if (!kc || !tsearch(kc, &up->counts, cmp_key)) {
		free(kc);
		up->pc[PC_COUNTS_FULL]++;
	}
}

/* The map holds running totals, so a flush may come at any time and again. */
static void flush_one(const void *node, VISIT which, void *ctx)
{
	struct key_count *kc = *(struct key_count *const *)node;
	struct unwind_profile *up = ctx;

	if (which != postorder && which != leaf)
		return;
	if (bpf_map_update_elem(up->counts_fd, &kc->key, &kc->count, BPF_ANY))
		up->pc[PC_COUNTS_FULL] += kc->count - kc->accounted;
	kc->accounted = kc->count;
}

static void on_sample(void *ctx, const struct unwind_sampled *s)
{
	struct unwind_profile *up = ctx;
	struct profile_key key;

	/* compared as bytes in the counts tree: no stray padding */
	memset(&key, 0, sizeof(key));
	key.tgid = s->tgid;

	announce(up, s->tgid);
	memcpy(key.comm, s->comm, strnlen(s->comm, sizeof(key.comm)));
	key.kernel_stack_id = kernel_id(up, s->kstack_id);
	key.user_stack_id = user_id(up, s);
	add_count(up, &key);
}

int unwind_profile__idle_fp(struct bpf_program *fp_prog, struct bpf_map **maps, int nmaps)
{
	int i, err = bpf_program__set_autoload(fp_prog, false);

	for (i = 0; i < nmaps && !err; i++)
		err = bpf_map__set_max_entries(maps[i], 1);
	return err;
}

static int create_maps(struct unwind_profile *up, const struct profile_sampler_opts *o)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	uint32_t counts = o->counts_map_size ? o->counts_map_size : PROFILE_DEFAULT_COUNTS_MAP_SIZE;
	uint32_t stacks = o->stack_map_size ? o->stack_map_size : PROFILE_DEFAULT_STACK_MAP_SIZE;

	/* not preallocated: most runs use a small part of them */
	up->counts_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "dwarf_counts", sizeof(struct profile_key),
				       sizeof(uint64_t), counts, &opts);
	if (up->counts_fd < 0)
		return -errno;
	up->stacks_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "dwarf_stacks", sizeof(uint32_t),
				       PROFILE_MAX_DEPTH * sizeof(uint64_t), stacks * 2, &opts);
	return up->stacks_fd < 0 ? -errno : 0;
}

int unwind_profile__new(const struct profile_sampler_opts *o, struct unwind_profile **out)
{
	struct unwind_sampler_opts so = {
		.sz = sizeof(so),
		.pids = o->tgids,
		.npids = o->ntgids,
		.tid = o->tid,
		.cgroup_id = o->filter_cgroup ? o->cgroup_id : 0,
		.include_idle = o->include_idle,
		.user_only = !o->kernel,
		.kernel_only = !o->user,
		.stack_bytes = o->stack_bytes,
		.kstack_entries = o->stack_map_size,
		.max_frames = PROFILE_MAX_DEPTH - 1,
		.fn = on_sample,
	};
	struct unwind_profile *up = calloc(1, sizeof(*up));
	int err;

	if (!up)
		return -ENOMEM;
	up->counts_fd = up->stacks_fd = -1;
	up->next_user_id = USER_ID_BASE;
	up->want_user = o->user;
	up->on_event = o->on_event;
	up->ctx = o->ctx;
	so.ctx = up;
	err = create_maps(up, o);
	if (err)
		log_error("profile: creating the DWARF stack maps failed: %s", strerror(-err));
	else
		err = unwind_sampler__new(&so, &up->sampler);
	if (err) {
		unwind_profile__free(up);
		return err;
	}
	*out = up;
	return 0;
}

struct bpf_link *unwind_profile__attach_perf(struct unwind_profile *up, int perf_fd)
{
	return unwind_sampler__attach_perf(up->sampler, perf_fd);
}

int unwind_profile__poll(struct unwind_profile *up, int timeout_ms)
{
	return unwind_sampler__poll(up->sampler, timeout_ms);
}

int unwind_profile__flush(struct unwind_profile *up)
{
	int n = unwind_sampler__poll(up->sampler, 0);

	if (up->counts)
		twalk_r(up->counts, flush_one, up);
	return n;
}

int unwind_profile__finish(struct unwind_profile *up)
{
	int n = unwind_profile__flush(up);

	tdestroy(up->counts, free);
	up->counts = NULL;
	return n;
}

int unwind_profile__counts_fd(const struct unwind_profile *up)
{
	return up->counts_fd;
}

int unwind_profile__stacks_fd(const struct unwind_profile *up)
{
	return up->stacks_fd;
}

void unwind_profile__add_counters(struct unwind_profile *up, uint64_t *out)
{
	struct unwind_sampler_stats st;
	int i;

	unwind_sampler__stats(up->sampler, &st);
	for (i = 0; i < PC__COUNT; i++)
		out[i] += up->pc[i];
	out[PC_SAMPLES] += st.samples;
	out[PC_FILTERED] += st.filtered;
	/* never reached userspace: shown as lost, like a sample the counts map refused */
	out[PC_COUNTS_FULL] += st.ringbuf_full;
}

void unwind_profile__print_summary(struct unwind_profile *up, FILE *f)
{
	struct unwind_sampler_stats st;
	const char *sep = " (";
	int i;

	if (!up)
		return;
	unwind_sampler__stats(up->sampler, &st);
	fprintf(f, "profile: DWARF unwinding: %llu user stacks, %llu whole, %llu truncated",
		(unsigned long long)st.unwind.unwound,
		(unsigned long long)st.unwind.by_status[UNWIND_OK],
		(unsigned long long)(st.unwind.unwound - st.unwind.by_status[UNWIND_OK]));
	for (i = UNWIND_OK + 1; i < UNWIND_STATUS_NR; i++) {
		if (!st.unwind.by_status[i])
			continue;
		fprintf(f, "%s%s: %llu", sep, unwind_status__name(i),
			(unsigned long long)st.unwind.by_status[i]);
		sep = ", ";
	}
	fprintf(f, "%s; %.0f stack bytes per sample; %llu dropped (ring buffer full)\n",
		sep[0] == ',' ? ")" : "", st.received ? (double)st.stack_bytes / st.received : 0.0,
		(unsigned long long)st.ringbuf_full);
}

static void free_node(void *v)
{
	(void)v;
}

void unwind_profile__free(struct unwind_profile *up)
{
	if (!up)
		return;
	unwind_sampler__free(up->sampler);
	tdestroy(up->counts, free);
	tdestroy(up->user_stacks, free);
	tdestroy(up->kernel_ids, free_node);
	tdestroy(up->tgids, free_node);
	if (up->counts_fd >= 0)
		close(up->counts_fd);
	if (up->stacks_fd >= 0)
		close(up->stacks_fd);
	free(up);
}
