// SPDX-License-Identifier: GPL-2.0
/*
 * User stacks walked in the kernel with .eh_frame tables (--unwind auto or
 * kernel): one set of tables per run (unwind_kernel.c), shared by every
 * source's object. A process is loaded as early as watch can: -p targets
 * before any source attaches, others 10 ms after exec and again at 100 ms (once their
 * libraries are mapped, see watch_proc.c), and whenever BPF walked one of
 * its stacks without them (a process older than the run, a library loaded
 * since), which it says with a WATCH_NOTICE_UNWIND. Each event's stack is
 * counted by how it was walked, and the first event of each process apart:
 * that is the one most likely to come before its tables.
 */
#include <errno.h>
#include <inttypes.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "unwind/unwind_kernel.h"
#include "unwind/unwind_mode.h"
#include "watch/watch_internal.h"

/*
 * Every process is loaded at exec on speculation, and a build host execs
 * compilers all the time: their big files (cc1, libLLVM: 4-8 MiB of rows
 * each) wait until one of their processes has an event, so that loading
 * stays cheap and fast for all.
 */
#define SPECULATIVE_MAX_BYTES (16ULL << 20)

struct watch_kunwind {
	struct unwind_kernel *k;
	bool owned;
	void *seen;		/* tsearch tree of pids whose first event was counted */
	struct watch_kunwind_stats st;
};

static int cmp_pid(const void *a, const void *b)
{
	return (uintptr_t)a < (uintptr_t)b ? -1 : (uintptr_t)a > (uintptr_t)b;
}

static void no_free(void *p)
{
	(void)p;
}

int watch_kunwind_new(struct watch_ctx *c, struct unwind_kernel *shared)
{
	struct watch_kunwind *w = calloc(1, sizeof(*w));
	int err = 0;

	if (!w)
		return -ENOMEM;
	w->k = shared;
	if (!w->k) {
		err = unwind_kernel__new(&w->k);
		w->owned = !err;
	}
	if (err) {
		free(w);
		return err;
	}
	c->kunwind = w;
	c->opts_run.kunwind = w->k;
	/* the targets now, so that their first events are whole */
	for (int i = 0; i < c->opts_run.npids; i++)
		unwind_kernel__load_pid(w->k, (int)c->opts_run.pids[i]);
	return 0;
}

void watch_kunwind_free(struct watch_kunwind *w)
{
	if (!w)
		return;
	if (w->owned)
		unwind_kernel__free(w->k);
	tdestroy(w->seen, no_free);
	free(w);
}

void watch_kunwind_load(struct watch_ctx *c, uint32_t pid, bool speculative)
{
	if (!c->kunwind || !c->opts->kunwind)
		return;
	if (speculative)
		unwind_kernel__load_pid_cheap(c->kunwind->k, (int)pid, SPECULATIVE_MAX_BYTES);
	else
		unwind_kernel__load_pid(c->kunwind->k, (int)pid);
}

void watch_kunwind_forget(struct watch_ctx *c, uint32_t pid)
{
	void *key = (void *)(uintptr_t)pid;

	if (!c->kunwind)
		return;
	unwind_kernel__forget_pid(c->kunwind->k, (int)pid);
	/* a later process with this pid is a new one */
	tdelete(key, &c->kunwind->seen, cmp_pid);
}

bool watch_kunwind_notice(struct watch_ctx *c, const void *data, size_t size)
{
	const struct watch_notice *n = data;

	if (size < sizeof(*n) || n->kind != WATCH_NOTICE_UNWIND)
		return false;
	if (c->kunwind)
		c->kunwind->st.asked++;
	watch_kunwind_load(c, n->hdr.tgid, false);
	return true;
}

/* Counts one event's user stack of @n frames by how BPF walked it. */
void watch_kunwind_note(struct watch_ctx *c, const struct watch_header *h, const __u64 *user,
			int n)
{
	struct watch_kunwind_stats *st;
	void *key = (void *)(uintptr_t)h->tgid;
	bool whole, first;

	if (!c->kunwind || !n)
		return;
	st = &c->kunwind->st;
	whole = h->user_how == KUNWIND_HOW_TABLES && user[n - 1] != UNWIND_TRUNCATED_IP;
	if (h->user_how == KUNWIND_HOW_TABLES)
		st->tables++;
	else
		st->fp++;
	st->whole += whole;
	first = !tfind(key, &c->kunwind->seen, cmp_pid);
	if (!first || !tsearch(key, &c->kunwind->seen, cmp_pid))
		return;
	st->first++;
	st->first_fp += h->user_how != KUNWIND_HOW_TABLES;
}

const struct watch_kunwind_stats *watch_kunwind_stats(const struct watch_ctx *c)
{
	return c->kunwind ? &c->kunwind->st : NULL;
}

void watch_kunwind_print(const struct watch_ctx *c, FILE *f)
{
	const struct watch_kunwind_stats *st = watch_kunwind_stats(c);

	if (!st || !c->opts->kunwind)
		return;
	fprintf(f, "  user stacks: walked in the kernel with .eh_frame tables %" PRIu64
		" (%" PRIu64 " whole), before their process's tables were loaded (frame "
		"pointers, checked) %" PRIu64 "; first events of processes: %" PRIu64
		" of %" PRIu64 " before the tables\n", st->tables, st->whole, st->fp,
		st->first_fp, st->first);
	if (log_verbosity > 0)
		unwind_kernel__print_summary(c->kunwind->k, "watch", f);
}

bool watch_kunwind_fp_sound(uint32_t pid)
{
	return unwind_pid_lacks_frame_pointers((int)pid) == 0;
}
