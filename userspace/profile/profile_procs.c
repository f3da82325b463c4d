// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <search.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "profile/profile_procs.h"

/* An exit this soon after a snapshot would only read the same maps again. */
#define EXIT_RECAPTURE_NS 250000000ULL

struct proc {
	int tgid;
	unsigned long long captured_ns;	/* CLOCK_MONOTONIC of the last snapshot */
	bool captured;
	bool exited;
	bool unreadable;
};

struct profile_procs {
	struct symbolizer *sym;
	void *tree;		/* tsearch tree of struct proc */
	int *targets;
	bool *target_gone;
	int ntargets;
	int captured, unreadable;
	int reads;
};

static int cmp_proc(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;

	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

static struct proc *get_proc(struct profile_procs *p, int tgid)
{
	struct proc key = { .tgid = tgid }, *n;
	void *node = tfind(&key, &p->tree, cmp_proc);

	if (node)
		return *(struct proc **)node;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->tgid = tgid;
	if (!tsearch(n, &p->tree, cmp_proc)) {
		free(n);
		return NULL;
	}
	return n;
}

static unsigned long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

static void capture(struct profile_procs *p, struct proc *pr)
{
	int err = symbolizer__capture_pid(p->sym, pr->tgid);

	p->reads++;
	if (!err) {
		p->captured += !pr->captured;
		pr->captured = true;
		pr->captured_ns = now_ns();
		return;
	}
	pr_debug("profile: reading the maps of %d failed: %s\n", pr->tgid, strerror(-err));
	if (!pr->captured && !pr->unreadable) {
		pr->unreadable = true;
		p->unreadable++;
	}
}

struct profile_procs *profile_procs__new(struct symbolizer *sym, const int *targets,
					 int ntargets)
{
	struct profile_procs *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->sym = sym;
	p->ntargets = ntargets;
	p->targets = calloc(ntargets + 1, sizeof(*p->targets));
	p->target_gone = calloc(ntargets + 1, sizeof(*p->target_gone));
	if (!p->targets || !p->target_gone) {
		profile_procs__free(p);
		return NULL;
	}
	memcpy(p->targets, targets, ntargets * sizeof(*targets));
	return p;
}

void profile_procs__free(struct profile_procs *p)
{
	if (!p)
		return;
	tdestroy(p->tree, free);
	free(p->targets);
	free(p->target_gone);
	free(p);
}

static void mark_target_gone(struct profile_procs *p, int tgid)
{
	for (int i = 0; i < p->ntargets; i++)
		if (p->targets[i] == tgid)
			p->target_gone[i] = true;
}

void profile_procs__on_event(void *procs, const struct profile_event *e)
{
	struct profile_procs *p = procs;
	struct proc *pr = get_proc(p, e->tgid);

	if (!pr)
		return;
	if (e->kind == PROFILE_EV_NEW) {
		capture(p, pr);
		return;
	}
	/*
	 * The exit tracepoint fires before the mm is torn down; a read that
	 * loses that race finds the maps empty and keeps the earlier snapshot.
	 */
	if (!pr->captured || now_ns() - pr->captured_ns > EXIT_RECAPTURE_NS)
		capture(p, pr);
	pr->exited = true;
	mark_target_gone(p, e->tgid);
}

void profile_procs__need_maps(void *procs, int tgid)
{
	struct profile_procs *p = procs;
	struct proc *pr = get_proc(p, tgid);

	if (pr && !pr->captured && !pr->unreadable)
		capture(p, pr);
}

/* Gone or a zombie: either way it will not run again. */
static bool process_ended(int pid)
{
	char path[64], buf[256], *paren;
	FILE *f;
	bool ended = true;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT || errno == ESRCH;
	if (fgets(buf, sizeof(buf), f) && (paren = strrchr(buf, ')')))
		ended = paren[1] && (paren[2] == 'Z' || paren[2] == 'X');
	else
		ended = false;
	fclose(f);
	return ended;
}

bool profile_procs__targets_gone(struct profile_procs *p)
{
	if (!p->ntargets)
		return false;
	for (int i = 0; i < p->ntargets; i++) {
		if (!p->target_gone[i] && process_ended(p->targets[i]))
			p->target_gone[i] = true;
		if (!p->target_gone[i])
			return false;
	}
	return true;
}

static void forget_if_exited(const void *node, VISIT which, void *ctx)
{
	const struct proc *pr = *(struct proc *const *)node;
	struct profile_procs *p = ctx;

	if ((which == postorder || which == leaf) && pr->exited)
		symbolizer__forget_pid(p->sym, pr->tgid);
}

void profile_procs__forget_exited(struct profile_procs *p)
{
	twalk_r(p->tree, forget_if_exited, p);
}

int profile_procs__unreadable(const struct profile_procs *p)
{
	return p->unreadable;
}

int profile_procs__captured(const struct profile_procs *p)
{
	return p->captured;
}

int profile_procs__reads(const struct profile_procs *p)
{
	return p->reads;
}
