// SPDX-License-Identifier: GPL-2.0
/*
 * watch's DWARF mode on real snapshots of this test's own stack: a snapshot
 * record pairs with the event of the same thread, IP and words at SP and is
 * unwound; one that does not pair leaves the frame-pointer walk, counted;
 * malformed records are refused; unpaired snapshots are bounded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sym/symbolizer.h"
#include "unwind/unwind_maps.h"
#include "unwind/unwind_mode.h"
#include "watch/watch_internal.h"

#define SNAP_BYTES (8 * 1024)

/* /proc/self/mem rather than memcpy: ASan must not see reads of other frames. */
static void copy_stack(struct watch_snapshot *s)
{
	struct unwind_maps self;
	uint32_t want = SNAP_BYTES;
	ssize_t n;
	int fd;

	assert_int_equal(unwind_maps__read(0, &self), 0);
	if (self.stack_end && self.stack_end - s->sp < want)
		want = self.stack_end - s->sp;
	unwind_maps__clear(&self);
	fd = open("/proc/self/mem", O_RDONLY);
	assert_true(fd >= 0);
	n = pread(fd, s->stack, want, s->sp);
	close(fd);
	assert_true(n >= 64);
	s->stack_len = n;
	s->hdr.size = WATCH_SNAPSHOT_HDR_LEN + n;
}

static __attribute__((noinline)) void capture_here(struct watch_snapshot *s)
{
	uint64_t ip, sp, bp;

	asm volatile("lea 0(%%rip), %0\n\tmov %%rsp, %1\n\tmov %%rbp, %2"
		     : "=r"(ip), "=r"(sp), "=r"(bp));
	s->ip = ip;
	s->sp = sp;
	s->bp = bp;
	copy_stack(s);
	asm volatile("" ::: "memory");
}

static __attribute__((noinline)) void caller_of_capture(struct watch_snapshot *s)
{
	capture_here(s);
	asm volatile("" ::: "memory");
}

/* A snapshot of here, and the event header + stacks BPF would send with it. */
static struct watch_snapshot *snapshot(struct watch_header *h, struct watch_stacks *st)
{
	struct watch_snapshot *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->hdr.type = WATCH_EV_SNAPSHOT;
	s->hdr.tgid = getpid();
	s->hdr.tid = gettid();
	caller_of_capture(s);
	memset(h, 0, sizeof(*h));
	memset(st, 0, sizeof(*st));
	h->type = WATCH_EV_SLOW_SYSCALL;
	h->tgid = s->hdr.tgid;
	h->tid = s->hdr.tid;
	h->nr_user = 1;
	st->user[0] = s->ip;
	memcpy(st->user_sp, s->stack, sizeof(st->user_sp));
	return s;
}

static struct watch_ctx *ctx_new(struct watch_opts *o)
{
	struct watch_ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	watch_opts_init(o);
	o->unwind = UNWIND_MODE_DWARF;
	c->opts = o;
	c->sym = symbolizer__new();
	assert_non_null(c->sym);
	assert_int_equal(watch_unwind_new(c), 0);
	assert_non_null(c->unw);
	return c;
}

static void ctx_free(struct watch_ctx *c)
{
	watch_unwind_free(c->unw);
	symbolizer__free(c->sym);
	free(c);
}

static void test_pairs_and_unwinds(void **state)
{
	struct watch_opts o;
	struct watch_ctx *c = ctx_new(&o);
	struct watch_header h;
	struct watch_stacks st;
	struct watch_snapshot *s = snapshot(&h, &st);
	__u64 out[WATCH_MAX_FRAMES];
	int n, inferred;
	bool dwarf;

	(void)state;
	assert_int_equal(watch_unwind_store(c, s, s->hdr.size), 0);
	n = watch_unwind_user(c, &h, &st, out, &inferred, &dwarf);
	assert_true(dwarf);
	assert_int_equal(inferred, -1);
	/* capture_here, caller_of_capture, snapshot, this test, cmocka..., main, libc */
	assert_true(n >= 6);
	assert_int_equal(out[0], s->ip);
	assert_int_equal(watch_unwind_stats(c)->dwarf, 1);
	/* taken: the same event again finds no snapshot and keeps its one FP frame */
	n = watch_unwind_user(c, &h, &st, out, &inferred, &dwarf);
	assert_false(dwarf);
	assert_int_equal(watch_unwind_stats(c)->no_snapshot, 1);
	free(s);
	ctx_free(c);
}

static void test_other_thread_or_stack_does_not_pair(void **state)
{
	struct watch_opts o;
	struct watch_ctx *c = ctx_new(&o);
	struct watch_header h;
	struct watch_stacks st;
	struct watch_snapshot *s = snapshot(&h, &st);
	__u64 out[WATCH_MAX_FRAMES];
	int inferred;
	bool dwarf;

	(void)state;
	assert_int_equal(watch_unwind_store(c, s, s->hdr.size), 0);
	h.tid++;
	watch_unwind_user(c, &h, &st, out, &inferred, &dwarf);
	assert_false(dwarf);
	h.tid--;
	st.user_sp[3] ^= 1;
	watch_unwind_user(c, &h, &st, out, &inferred, &dwarf);
	assert_false(dwarf);
	st.user_sp[3] ^= 1;
	watch_unwind_user(c, &h, &st, out, &inferred, &dwarf);
	assert_true(dwarf);
	assert_int_equal(watch_unwind_stats(c)->no_snapshot, 2);
	free(s);
	ctx_free(c);
}

static void test_malformed_and_bounded(void **state)
{
	struct watch_opts o;
	struct watch_ctx *c = ctx_new(&o);
	struct watch_header h;
	struct watch_stacks st;
	struct watch_snapshot *s = snapshot(&h, &st);
	int i;

	(void)state;
	assert_int_equal(watch_unwind_store(c, s, s->hdr.size - 1), -EINVAL);
	assert_int_equal(watch_unwind_store(c, s, WATCH_SNAPSHOT_HDR_LEN - 8), -EINVAL);
	for (i = 0; i < 65; i++)
		assert_int_equal(watch_unwind_store(c, s, s->hdr.size), 0);
	assert_int_equal(watch_unwind_stats(c)->evicted, 1);
	free(s);
	ctx_free(c);
}

static void test_fp_mode_has_no_state(void **state)
{
	struct watch_ctx c = { 0 };
	struct watch_opts o;

	(void)state;
	watch_opts_init(&o);
	assert_int_equal(o.unwind, UNWIND_MODE_AUTO);
	assert_int_equal(o.stack_bytes, WATCH_STACK_BYTES_DEFAULT);
	o.unwind = UNWIND_MODE_FP;
	c.opts = &o;
	assert_int_equal(watch_unwind_new(&c), 0);
	assert_null(c.unw);
	assert_null(watch_unwind_stats(&c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pairs_and_unwinds),
		cmocka_unit_test(test_other_thread_or_stack_does_not_pair),
		cmocka_unit_test(test_malformed_and_bounded),
		cmocka_unit_test(test_fp_mode_has_no_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
