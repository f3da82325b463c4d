// SPDX-License-Identifier: GPL-2.0
/*
 * DWARF-unwound user stacks for watch events (--unwind dwarf|auto). In this
 * mode BPF sends a struct watch_snapshot (registers + top of the user stack)
 * ahead of each event that has stacks; the runner keeps snapshots here and
 * hands events over once their batch has been read (watch_run.c), so a
 * snapshot that follows its event in the ring is found too. An event's
 * snapshot is the one of the same thread with the same IP and words at SP.
 * The user stack comes from unwind_dwarf.c; when there is no snapshot or
 * the unwind stops early without beating the frame-pointer walk, the event
 * keeps that walk (with the leaf-caller fixup), and the reason is counted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "unwind/unwind_dwarf.h"
#include "unwind/unwind_mode.h"
#include "watch/watch_internal.h"
#include "kunwind.h"

/* Snapshots waiting for their event; conn's are taken at connect(), long before. */
#define PENDING_MAX 64
/* Per-process auto decisions remembered (a small ring: events are rare). */
#define DECIDED_MAX 256

struct pending {
	struct watch_snapshot *snap;	/* NULL: free slot */
	uint64_t seq;			/* arrival order */
};

struct decided {
	uint32_t pid;
	bool dwarf;
};

struct watch_unwind {
	struct unwinder *u;
	bool per_process;		/* auto without -p: decide per process */
	struct pending pending[PENDING_MAX];
	uint64_t seq;
	struct decided decided[DECIDED_MAX];
	unsigned int ndecided;
	struct watch_unwind_stats st;
};

int watch_unwind_new(struct watch_ctx *c)
{
	const struct watch_opts *o = c->opts;
	struct watch_unwind *w;

	if (o->unwind == UNWIND_MODE_FP || o->no_user_stacks || o->kunwind)
		return 0;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->u = unwinder__new();
	if (!w->u) {
		free(w);
		return -ENOMEM;
	}
	w->per_process = o->unwind == UNWIND_MODE_AUTO;
	c->unw = w;
	return 0;
}

void watch_unwind_free(struct watch_unwind *w)
{
	if (!w)
		return;
	for (int i = 0; i < PENDING_MAX; i++)
		free(w->pending[i].snap);
	unwinder__free(w->u);
	free(w);
}

/* The oldest slot when all are taken: its snapshot's event never came. */
static struct pending *free_slot(struct watch_unwind *w)
{
	struct pending *oldest = &w->pending[0];

	for (int i = 0; i < PENDING_MAX; i++) {
		if (!w->pending[i].snap)
			return &w->pending[i];
		if (w->pending[i].seq < oldest->seq)
			oldest = &w->pending[i];
	}
	free(oldest->snap);
	oldest->snap = NULL;
	w->st.evicted++;
	return oldest;
}

int watch_unwind_store(struct watch_ctx *c, const void *data, size_t size)
{
	const struct watch_snapshot *s = data;
	struct watch_unwind *w = c->unw;
	struct pending *p;

	if (size < WATCH_SNAPSHOT_HDR_LEN || s->stack_len > UNWIND_STACK_MAX ||
	    size != WATCH_SNAPSHOT_HDR_LEN + s->stack_len)
		return -EINVAL;
	if (!w)
		return 0;	/* not asked for: nothing to pair with */
	w->st.snapshots++;
	w->st.snapshot_bytes += size;
	p = free_slot(w);
	p->snap = malloc(size);
	if (!p->snap) {
		w->st.no_memory++;
		return 0;
	}
	memcpy(p->snap, data, size);
	p->seq = ++w->seq;
	/* the process may be gone by the time its event is decoded */
	if (!unwinder__has_pid(w->u, s->hdr.tgid))
		unwinder__capture_pid(w->u, s->hdr.tgid);
	return 0;
}

/* Same thread, IP and words at SP as the event: taken out of the table. */
static struct watch_snapshot *take_snapshot(struct watch_unwind *w, const struct watch_header *h,
					    const struct watch_stacks *s)
{
	struct watch_snapshot *snap;
	struct pending *best = NULL;

	for (int i = 0; i < PENDING_MAX; i++) {
		struct watch_snapshot *snap = w->pending[i].snap;
		__u64 words[WATCH_SP_WORDS] = { 0 };

		if (!snap || snap->hdr.tid != h->tid || (h->nr_user && snap->ip != s->user[0]))
			continue;
		if (snap->stack_len >= sizeof(words))
			memcpy(words, snap->stack, sizeof(words));
		if (memcmp(words, s->user_sp, sizeof(words)))
			continue;
		if (!best || w->pending[i].seq < best->seq)
			best = &w->pending[i];
	}
	if (!best)
		return NULL;
	snap = best->snap;
	best->snap = NULL;
	return snap;
}

/* auto: DWARF for a process whose main binary lacks frame pointers (said once, at -v). */
static bool wants_dwarf(struct watch_unwind *w, uint32_t pid, const char *comm)
{
	struct decided *d;
	unsigned int i, n = w->ndecided < DECIDED_MAX ? w->ndecided : DECIDED_MAX;
	int lacks;

	if (!w->per_process)
		return true;
	for (i = 0; i < n; i++)
		if (w->decided[i].pid == pid)
			return w->decided[i].dwarf;
	lacks = unwinder__lacks_frame_pointers(w->u, pid);
	d = &w->decided[w->ndecided++ % DECIDED_MAX];
	d->pid = pid;
	d->dwarf = lacks == 1;
	pr_info("watch: pid %u (%s): %s\n", pid, comm, d->dwarf ?
		"DWARF .eh_frame unwinding (--unwind auto: its binary has no frame pointers)" :
		lacks == 0 ? "frame pointers (--unwind auto: its binary has them)" :
		"frame pointers (--unwind auto: its binary could not be examined)");
	return d->dwarf;
}

/* -1: keep the frame-pointer walk; else the frames of the unwind in @out. */
static int unwind_snapshot(struct watch_unwind *w, const struct watch_snapshot *snap,
			   int fp_frames, uint64_t *out)
{
	struct unwind_snapshot us = {
		.pid = (int)snap->hdr.tgid, .ip = snap->ip, .sp = snap->sp, .bp = snap->bp,
		.stack = snap->stack, .stack_len = snap->stack_len,
	};
	enum unwind_status st;
	int n = 0;

	st = unwinder__unwind(w->u, &us, out, WATCH_MAX_FRAMES, &n);
	if (st == UNWIND_OK)
		return n;
	w->st.failed[st]++;
	/* a partial unwind still wins when it found more than the walk did */
	if (n <= fp_frames)
		return -1;
	if (n < WATCH_MAX_FRAMES)
		out[n++] = UNWIND_TRUNCATED_IP;
	return n;
}

int watch_unwind_user(struct watch_ctx *c, const struct watch_header *h,
		      const struct watch_stacks *s, __u64 *out, int *inferred, bool *dwarf)
{
	struct watch_unwind *w = c->unw;
	uint64_t frames[WATCH_MAX_FRAMES];
	struct watch_snapshot *snap;
	int n, fp;

	*dwarf = false;
	if (h->user_how == KUNWIND_HOW_TABLES) {
		/* walked in the kernel from the registers: the wrapper's caller is there */
		n = h->nr_user < WATCH_MAX_FRAMES ? h->nr_user : WATCH_MAX_FRAMES;
		memcpy(out, s->user, n * sizeof(*out));
		*inferred = -1;
		watch_kunwind_note(c, h, out, n);
		return n;
	}
	fp = watch_leaf_fixup(c, h->tgid, s->user, h->nr_user, s->user_sp, out, inferred);
	watch_kunwind_note(c, h, out, fp);
	if (!w || !h->nr_user)
		return fp;
	snap = take_snapshot(w, h, s);
	if (!wants_dwarf(w, h->tgid, h->comm)) {
		free(snap);
		w->st.fp++;
		return fp;
	}
	if (!snap) {
		w->st.no_snapshot++;
		return fp;
	}
	n = unwind_snapshot(w, snap, fp, frames);
	free(snap);
	if (n < 0)
		return fp;
	for (int i = 0; i < n; i++)
		out[i] = frames[i];
	*inferred = -1;
	*dwarf = true;
	w->st.dwarf++;
	return n;
}

/* An exec changes the binary, an exit frees the pid: decide again next time. */
static void undecide(struct watch_unwind *w, uint32_t pid)
{
	for (unsigned int i = 0; i < DECIDED_MAX && i < w->ndecided; i++)
		if (w->decided[i].pid == pid)
			w->decided[i].pid = 0;
}

void watch_unwind_capture(struct watch_ctx *c, uint32_t pid)
{
	if (!c->unw)
		return;
	unwinder__capture_pid(c->unw->u, pid);
	undecide(c->unw, pid);
}

void watch_unwind_forget(struct watch_ctx *c, uint32_t pid)
{
	if (!c->unw)
		return;
	unwinder__forget_pid(c->unw->u, pid);
	undecide(c->unw, pid);
}

const struct watch_unwind_stats *watch_unwind_stats(const struct watch_ctx *c)
{
	return c->unw ? &c->unw->st : NULL;
}

void watch_unwind_resolve(struct watch_opts *o)
{
	int pids[WATCH_MAX_PIDS];
	char why[160];
	bool dwarf;

	if (o->no_user_stacks) {
		o->unwind = UNWIND_MODE_FP;
		return;
	}
	if (o->unwind == UNWIND_MODE_AUTO && !o->npids) {
		pr_info("watch: user stacks: --unwind auto, decided per process by its binary\n");
		return;
	}
	for (int i = 0; i < o->npids; i++)
		pids[i] = (int)o->pids[i];
	dwarf = unwind_mode_use_dwarf(o->unwind, pids, o->npids, 0, why, sizeof(why));
	o->unwind = dwarf ? UNWIND_MODE_DWARF : UNWIND_MODE_FP;
	pr_info("watch: user stacks: %s\n", why);
}
