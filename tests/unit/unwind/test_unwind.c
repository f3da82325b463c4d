// SPDX-License-Identifier: GPL-2.0
/*
 * DWARF unwinding on real snapshots of this test's own stack: registers
 * taken with inline asm, stack bytes read through /proc/self/mem (as BPF
 * would copy them), then unwound with the .eh_frame of this binary and libc.
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
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "unwind/unwind_dwarf.h"
#include "unwind/unwind_elf.h"
#include "unwind/unwind_maps.h"

#define SNAP_BYTES (16 * 1024)
#define MAX_FRAMES 64

int main(void);

struct snap {
	struct unwind_snapshot s;
	uint8_t stack[SNAP_BYTES];
};

/* /proc/self/mem rather than memcpy: ASan must not see reads of other frames. */
static void copy_stack(struct snap *out, uint32_t want)
{
	struct unwind_maps self;
	int fd;
	ssize_t n;

	assert_int_equal(unwind_maps__read(0, &self), 0);
	if (self.stack_end && self.stack_end - out->s.sp < want)
		want = self.stack_end - out->s.sp;
	unwind_maps__clear(&self);
	fd = open("/proc/self/mem", O_RDONLY);
	assert_true(fd >= 0);
	n = pread(fd, out->stack, want, out->s.sp);
	close(fd);
	assert_true(n > 0);
	out->s.stack = out->stack;
	out->s.stack_len = n;
	out->s.pid = getpid();
}

static __attribute__((noinline)) void capture_here(struct snap *out, uint32_t want)
{
	uint64_t ip, sp, bp;

	asm volatile("lea 0(%%rip), %0\n\tmov %%rsp, %1\n\tmov %%rbp, %2"
		     : "=r"(ip), "=r"(sp), "=r"(bp));
	out->s.ip = ip;
	out->s.sp = sp;
	out->s.bp = bp;
	copy_stack(out, want);
	asm volatile("" ::: "memory");
}

static __attribute__((noinline)) void level2(struct snap *out, uint32_t want)
{
	capture_here(out, want);
	asm volatile("" ::: "memory");
}

static __attribute__((noinline)) void level1(struct snap *out, uint32_t want)
{
	level2(out, want);
	asm volatile("" ::: "memory");
}

/* The start of the function containing return address @ip, as a runtime address. */
static uint64_t func_of(const struct unwind_maps *self, uint64_t ip)
{
	const struct unwind_mapping *m = unwind_maps__find(self, ip);
	struct unwind_elf *e;
	uint64_t bias, func = 0, fde;

	if (!m || m->path[0] != '/' || unwind_elf__open(m->path, &e))
		return 0;
	if (!unwind_elf__bias(e, m->start, m->pgoff, &bias) &&
	    !unwind_elf__find_fde(e, ip - 1 - bias, &func, &fde))
		func += bias;
	unwind_elf__free(e);
	return func;
}

static int in_libc(const struct unwind_maps *self, uint64_t ip)
{
	const struct unwind_mapping *m = unwind_maps__find(self, ip);

	return m && strstr(m->path, "/libc.so");
}

static void test_unwind_own_stack(void **state)
{
	struct snap *snap = calloc(1, sizeof(*snap));
	struct unwinder *u = unwinder__new();
	struct unwind_maps self;
	uint64_t ips[MAX_FRAMES];
	int n, i, saw_main = 0, saw_libc = 0;

	(void)state;
	assert_non_null(snap);
	assert_non_null(u);
	level1(snap, SNAP_BYTES);
	assert_int_equal(unwinder__unwind(u, &snap->s, ips, MAX_FRAMES, &n), UNWIND_OK);
	assert_int_equal(unwind_maps__read(0, &self), 0);
	assert_true(n >= 6);
	assert_int_equal(func_of(&self, ips[0] + 1), (uintptr_t)capture_here);
	assert_int_equal(func_of(&self, ips[1]), (uintptr_t)level2);
	assert_int_equal(func_of(&self, ips[2]), (uintptr_t)level1);
	assert_int_equal(func_of(&self, ips[3]), (uintptr_t)test_unwind_own_stack);
	for (i = 4; i < n; i++) {
		if (func_of(&self, ips[i]) == (uintptr_t)main)
			saw_main = i;
		if (saw_main && in_libc(&self, ips[i]))
			saw_libc = 1;
	}
	assert_true(saw_main);
	assert_true(saw_libc);
	unwind_maps__clear(&self);
	unwinder__free(u);
	free(snap);
}

static void test_short_snapshot_is_marked(void **state)
{
	struct snap *snap = calloc(1, sizeof(*snap));
	struct unwinder *u = unwinder__new();
	uint64_t ips[MAX_FRAMES];
	int n;

	(void)state;
	assert_non_null(snap);
	level1(snap, 16);
	assert_int_equal(unwinder__unwind(u, &snap->s, ips, MAX_FRAMES, &n),
			 UNWIND_SHORT_SNAPSHOT);
	assert_true(n >= 1 && n < 4);
	assert_int_equal(unwinder__stats(u)->by_status[UNWIND_SHORT_SNAPSHOT], 1);
	unwinder__free(u);
	free(snap);
}

static void test_unknown_code_is_not_guessed(void **state)
{
	struct snap *snap = calloc(1, sizeof(*snap));
	struct unwinder *u = unwinder__new();
	uint64_t ips[MAX_FRAMES];
	int n;

	(void)state;
	assert_non_null(snap);
	level1(snap, SNAP_BYTES);
	snap->s.ip = 0x1000;	/* never mapped */
	assert_int_equal(unwinder__unwind(u, &snap->s, ips, MAX_FRAMES, &n), UNWIND_NO_MAPPING);
	assert_int_equal(n, 1);
	snap->s.stack_len = 0;
	assert_int_equal(unwinder__unwind(u, &snap->s, ips, MAX_FRAMES, &n), UNWIND_NO_STACK);
	unwinder__free(u);
	free(snap);
}

static void test_eh_frame_hdr_lookup(void **state)
{
	struct unwind_maps self;
	const struct unwind_mapping *m;
	struct unwind_elf *e;
	uint64_t bias, func, fde, fn = (uintptr_t)level2;

	(void)state;
	assert_int_equal(unwind_maps__read(0, &self), 0);
	m = unwind_maps__find(&self, fn);
	assert_non_null(m);
	assert_int_equal(unwind_elf__open(m->path, &e), 0);
	assert_true(e->fde_count > 10);
	assert_int_equal(unwind_elf__bias(e, m->start, m->pgoff, &bias), 0);
	/* the function's own first byte and a byte inside it map to its FDE */
	assert_int_equal(unwind_elf__find_fde(e, fn - bias, &func, &fde), 0);
	assert_int_equal(func, fn - bias);
	assert_int_equal(unwind_elf__find_fde(e, fn - bias + 3, &func, &fde), 0);
	assert_int_equal(func, fn - bias);
	assert_int_equal(unwind_elf__find_fde(e, 0, &func, &fde), -ENOENT);
	unwind_elf__free(e);
	unwind_maps__clear(&self);
}

/* This test binary itself: -O2 omits frame pointers, the ASan build keeps them. */
static void test_frame_pointer_heuristic(void **state)
{
	struct unwinder *u = unwinder__new();
	struct unwind_elf *e;
	int sampled, with_fp;

	(void)state;
	assert_int_equal(unwind_elf__open("/proc/self/exe", &e), 0);
	assert_int_equal(unwind_elf__fp_prologues(e, &sampled, &with_fp), 0);
	assert_true(sampled >= 20);
#if defined(__SANITIZE_ADDRESS__)
	assert_true(with_fp * 4 >= sampled);
	assert_int_equal(unwinder__lacks_frame_pointers(u, getpid()), 0);
#else
	assert_true(with_fp * 4 < sampled);
	assert_int_equal(unwinder__lacks_frame_pointers(u, getpid()), 1);
#endif
	unwind_elf__free(e);
	unwinder__free(u);
}

static void test_maps_line(void **state)
{
	struct unwind_mapping m;

	(void)state;
	assert_int_equal(unwind_maps__parse_line("7f0000001000-7f0000005000 r-xp 00002000 fd:01 "
						 "1234   /usr/lib/x/libz.so.1 (deleted)\n", &m), 0);
	assert_int_equal(m.start, 0x7f0000001000ull);
	assert_int_equal(m.end, 0x7f0000005000ull);
	assert_int_equal(m.pgoff, 0x2000);
	assert_int_equal(m.dev, makedev(0xfd, 1));
	assert_int_equal(m.ino, 1234);
	assert_string_equal(m.path, "/usr/lib/x/libz.so.1");
	assert_true(m.deleted);
	free(m.path);
	assert_int_equal(unwind_maps__parse_line("7f0000001000-7f0000005000 rw-p 00000000 00:00 "
						 "0 \n", &m), 1);
	assert_int_equal(unwind_maps__parse_line("garbage\n", &m), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_line),
		cmocka_unit_test(test_eh_frame_hdr_lookup),
		cmocka_unit_test(test_frame_pointer_heuristic),
		cmocka_unit_test(test_unwind_own_stack),
		cmocka_unit_test(test_short_snapshot_is_marked),
		cmocka_unit_test(test_unknown_code_is_not_guessed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
