// SPDX-License-Identifier: GPL-2.0
/* CPython frames: detection per process, then the merge into native stacks. */
#include <errno.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "base/log.h"
#include "profile/profile_python.h"
#include "python/py_detect.h"
#include "python/py_merge.h"
#include "python/py_names.h"

#define UNKNOWN_CODE "[python code unknown]"
#define TRUNCATED_NAME "[truncated]"	/* profile_collect.c's root of a cut walk */
/*
 * How often new Python stacks are named while profiling: a process that exits
 * before the end keeps the names read while it lived.
 */
#define REFRESH_NS 200000000ULL

struct py_proc {
	int tgid;
	struct py_layout layout;
};

struct profile_python {
	int procs_fd, stacks_fd;
	void *procs;			/* tsearch tree of struct py_proc, kept after exit */
	struct py_names *names;
	uint64_t said_versions[4];	/* 3.x versions already named at -v, by x */
	uint64_t processes, leftover;
	void *named;			/* tsearch tree of Python stack ids named (id + 1) */
	uint64_t refreshed_ns;
};

static int cmp_proc(const void *a, const void *b)
{
	const struct py_proc *x = a, *y = b;

	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

static int cmp_ptr(const void *a, const void *b)
{
	return (uintptr_t)a < (uintptr_t)b ? -1 : (uintptr_t)a > (uintptr_t)b;
}

static void no_free(void *v)
{
	(void)v;
}

static const struct py_proc *find_proc(const struct profile_python *pp, int tgid)
{
	struct py_proc probe = { .tgid = tgid };
	void *node = tfind(&probe, &pp->procs, cmp_proc);

	return node ? *(struct py_proc **)node : NULL;
}

/* Once per version: which Python processes keep native frames only, and why. */
static void say_unsupported(struct profile_python *pp, const struct py_target *t, int tgid)
{
	unsigned int bit = t->major == 3 && t->minor < 256 ? t->minor : 255;

	if (pp->said_versions[bit / 64] & 1ULL << bit % 64)
		return;
	pp->said_versions[bit / 64] |= 1ULL << bit % 64;
	if (t->major)
		pr_info("profile: python %u.%u (pid %d...): frames not supported\n", t->major,
			t->minor, tgid);
	else
		pr_info("profile: python without Py_Version (before 3.11; pid %d...): frames "
			"not supported\n", tgid);
}

static void detect(struct profile_python *pp, int tgid)
{
	struct py_proc *p, probe = { .tgid = tgid };
	struct py_target t;
	void *node;
	int err = py_detect(tgid, &t);

	if (err == -ENOTSUP)
		say_unsupported(pp, &t, tgid);
	if (err)
		return;
	if (bpf_map_update_elem(pp->procs_fd, &tgid, &t.layout.bpf, BPF_ANY)) {
		pr_debug("profile: python pid %d: py_procs full: %s\n", tgid, strerror(errno));
		return;
	}
	node = tfind(&probe, &pp->procs, cmp_proc);
	p = node ? *(struct py_proc **)node : calloc(1, sizeof(*p));
	if (!p || (!node && !tsearch(p, &pp->procs, cmp_proc))) {
		free(p);
		return;
	}
	p->tgid = tgid;
	p->layout = t.layout;
	pp->processes += !node;
	pr_debug("profile: python %u.%u.%u in pid %d\n", t.major, t.minor, t.micro, tgid);
}

struct profile_python *profile_python__new(int procs_fd, int stacks_fd, const int *tgids,
					   int ntgids)
{
	struct profile_python *pp = calloc(1, sizeof(*pp));

	if (!pp)
		return NULL;
	pp->procs_fd = procs_fd;
	pp->stacks_fd = stacks_fd;
	pp->names = py_names__new();
	if (!pp->names) {
		free(pp);
		return NULL;
	}
	for (int i = 0; i < ntgids; i++)
		detect(pp, tgids[i]);
	return pp;
}

void profile_python__free(struct profile_python *pp)
{
	if (!pp)
		return;
	tdestroy(pp->procs, free);
	tdestroy(pp->named, no_free);
	py_names__free(pp->names);
	free(pp);
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

/* Names the code objects of Python stack @id (into the cache); false when out of memory. */
static bool name_stack(struct profile_python *pp, __u32 id)
{
	void *key = (void *)(uintptr_t)(id + 1ULL);
	const struct py_proc *p;
	struct pyframes_stack st;
	struct py_name n;

	if (tfind(key, &pp->named, cmp_ptr))
		return true;
	if (bpf_map_lookup_elem(pp->stacks_fd, &id, &st))
		return true;
	p = find_proc(pp, st.tgid);
	for (__u32 i = 0; p && i < st.nr && i < PYFRAMES_MAX_DEPTH; i++)
		py_names__lookup(pp->names, p->tgid, &p->layout, &st.frames[i], &n);
	return tsearch(key, &pp->named, cmp_ptr) != NULL;
}

void profile_python__refresh(struct profile_python *pp, bool force)
{
	__u32 key, next;
	uint64_t now;
	int err;

	if (!pp || !pp->processes)
		return;
	now = now_ns();
	if (!force && now - pp->refreshed_ns < REFRESH_NS)
		return;
	pp->refreshed_ns = now;
	for (err = bpf_map_get_next_key(pp->stacks_fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(pp->stacks_fd, &key, &next)) {
		key = next;
		if (!name_stack(pp, key))
			return;
	}
}

void profile_python__on_event(struct profile_python *pp, const struct profile_event *e)
{
	const struct py_proc *p = pp ? find_proc(pp, e->tgid) : NULL;
	struct pyframes_proc cur;
	__u32 tgid = e->tgid;

	/* Its memory may still be mapped: the last frames seen can still be named. */
	if (p && e->kind == PROFILE_EV_EXIT)
		profile_python__refresh(pp, true);
	/* Re-announcements of a process already set up (the exec hook clears it). */
	if (!pp || e->kind != PROFILE_EV_NEW || !bpf_map_lookup_elem(pp->procs_fd, &tgid, &cur))
		return;
	detect(pp, e->tgid);
}

int64_t profile_python__split(__u64 *ips, int max)
{
	for (int i = 0; i < max && ips[i]; i++) {
		if ((ips[i] & PYFRAMES_TAG_MASK) == PYFRAMES_TAG) {
			int64_t id = (__u32)ips[i];

			ips[i] = 0;
			return id;
		}
	}
	return -1;
}

/* "qualname (file:line)", kind python, with the parts kept apart for pprof. */
static int fill_py(struct profile_python *pp, struct strmap *strings, const struct py_proc *p,
		   const struct pyframe *f, struct profile_frame *out)
{
	struct py_name n;
	char name[1024];

	py_names__lookup(pp->names, p->tgid, &p->layout, f, &n);
	memset(out, 0, sizeof(*out));
	out->kind = FRAME_PYTHON;	/* no address: a code object is no instruction */
	if (!n.qualname) {
		out->name = UNKNOWN_CODE;
		return 0;
	}
	if (n.line >= 0)
		snprintf(name, sizeof(name), "%s (%s:%d)", n.qualname, n.file, n.line);
	else
		snprintf(name, sizeof(name), "%s (%s)", n.qualname, n.file);
	out->name = strmap__intern(strings, name);
	out->src_func = strmap__intern(strings, n.qualname);
	out->src_file = strmap__intern(strings, n.file);
	out->src_line = n.line > 0 ? n.line : 0;
	return out->name && out->src_func && out->src_file ? 0 : -ENOMEM;
}

/* @in (root first) with the Python frames of @st after the interpreter frames. */
static int interleave(struct profile_python *pp, struct strmap *strings, const struct py_proc *p,
		      const struct pyframes_stack *st, struct profile_frame *in, int n,
		      struct profile_frame *out)
{
	int nr = st->nr < PYFRAMES_MAX_DEPTH ? st->nr : PYFRAMES_MAX_DEPTH, m = 0;
	int *take = calloc(n + 1, sizeof(*take)), *first = calloc(n + 1, sizeof(*first));
	bool *eval = calloc(n + 1, sizeof(*eval));
	uint8_t entry[PYFRAMES_MAX_DEPTH];
	int err = -ENOMEM;
	bool cut;

	if (!take || !first || !eval)
		goto cleanup;
	for (int j = 0; j < n; j++)
		eval[j] = in[j].kind == FRAME_USER && py_is_eval_frame(in[j].name);
	for (int i = 0; i < nr; i++)
		entry[i] = st->frames[i].is_entry;
	cut = n && in[0].kind == FRAME_LOST && !strcmp(in[0].name, TRUNCATED_NAME);
	pp->leftover += py_merge_plan(eval, n, entry, nr, cut, take, first);
	for (int j = 0; j < n; j++) {
		out[m++] = in[j];
		/* the run of frames is leaf first: its entry frame comes first here */
		for (int t = take[j] - 1; t >= 0; t--)
			if (fill_py(pp, strings, p, &st->frames[first[j] + t], &out[m++]))
				goto cleanup;
	}
	err = m;
cleanup:
	free(take);
	free(first);
	free(eval);
	return err;
}

int profile_python__merge(struct profile_python *pp, struct strmap *strings, __u32 tgid,
			  __u32 py_id, struct profile_frame **frames, int *nframes)
{
	const struct py_proc *p = pp ? find_proc(pp, tgid) : NULL;
	struct pyframes_stack st;
	struct profile_frame *out;
	int m;

	/* Without its layout or stack the native frames are still true. */
	if (!p || bpf_map_lookup_elem(pp->stacks_fd, &py_id, &st))
		return 0;
	out = calloc(*nframes + PYFRAMES_MAX_DEPTH + 1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	m = interleave(pp, strings, p, &st, *frames, *nframes, out);
	if (m < 0) {
		free(out);
		return m;
	}
	free(*frames);
	*frames = out;
	*nframes = m;
	return 0;
}

void profile_python__print_summary(const struct profile_python *pp, const uint64_t *counters,
				   FILE *out)
{
	uint64_t read = 0, failed = 0;

	if (!pp || !pp->processes)
		return;
	py_names__stats(pp->names, &read, &failed);
	fprintf(out, "profile: python: %llu processes, %llu samples with Python frames, %llu "
		"without (no thread state), %llu cut at an unreadable frame, %llu over %d "
		"frames, %llu not stored (map full or busy)\n",
		(unsigned long long)pp->processes, (unsigned long long)counters[PC_PY_STACKS],
		(unsigned long long)counters[PC_PY_NONE],
		(unsigned long long)counters[PC_PY_READ],
		(unsigned long long)counters[PC_PY_TRUNCATED], PYFRAMES_MAX_DEPTH,
		(unsigned long long)counters[PC_PY_STORE]);
	if (failed || pp->leftover)
		fprintf(out, "profile: python: %llu of %llu code objects unnamed (process gone or "
			"object freed), %llu frames without an interpreter frame to go under "
			"(left out)\n", (unsigned long long)failed, (unsigned long long)read,
			(unsigned long long)pp->leftover);
}
