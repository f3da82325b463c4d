// SPDX-License-Identifier: GPL-2.0
/*
 * .eh_frame to unwind rows: functions with hand-written CFI in this test
 * binary (so every expected row is known), the whole of this binary, and the
 * C library it runs on.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "unwind/unwind_ehframe.h"
#include "unwind/unwind_maps.h"
#include "unwind/unwind_table.h"

/*
 * cfi_frame: push rbp; mov rbp,rsp; a body with remember/restore_state; leave; ret.
 * cfi_plt: the PLT's CFA expression. cfi_outer: return address undefined.
 * cfi_realign: gcc's stack realignment (CFA and rbp through expressions).
 */
asm(".text\n"
    ".globl cfi_frame\n.type cfi_frame,@function\ncfi_frame:\n.cfi_startproc\n"
    "push %rbp\n.cfi_def_cfa_offset 16\n.cfi_offset %rbp,-16\n"	/* +1 */
    "mov %rsp,%rbp\n.cfi_def_cfa_register %rbp\n"			/* +4 */
    "test %rdi,%rdi\n.cfi_remember_state\n"				/* +7 */
    "je 1f\n"
    "leave\n.cfi_def_cfa %rsp,8\n"					/* +10 */
    "ret\n.cfi_restore_state\n"						/* +11 */
    "1: nop\n"
    "leave\n.cfi_def_cfa %rsp,8\n.cfi_restore %rbp\n"			/* +13 */
    "ret\n.cfi_endproc\n.size cfi_frame,.-cfi_frame\n"
    ".globl cfi_plt\n.type cfi_plt,@function\ncfi_plt:\n.cfi_startproc\n"
    ".cfi_escape 0x0f,0x0b,0x77,0x08,0x80,0x00,0x3f,0x1a,0x3b,0x2a,0x33,0x24,0x22\n"
    "nop\nret\n.cfi_endproc\n.size cfi_plt,.-cfi_plt\n"
    ".globl cfi_outer\n.type cfi_outer,@function\ncfi_outer:\n.cfi_startproc\n"
    ".cfi_undefined %rip\nnop\nret\n.cfi_endproc\n.size cfi_outer,.-cfi_outer\n"
    ".globl cfi_realign\n.type cfi_realign,@function\ncfi_realign:\n.cfi_startproc\n"
    "nop\n.cfi_escape 0x0f,0x03,0x76,0x78,0x06\n"			/* +1: *(rbp-8) */
    "nop\n.cfi_escape 0x10,0x06,0x02,0x76,0x00\n"			/* +2: rbp at rbp+0 */
    "nop\n.cfi_register %rip,%rax\n"					/* +3 */
    "ret\n.cfi_endproc\n.size cfi_realign,.-cfi_realign\n");

void cfi_frame(void);
void cfi_plt(void);
void cfi_outer(void);
void cfi_realign(void);

static struct unwind_table self;
static uint64_t self_bias;

static int find_bias(struct dl_phdr_info *info, size_t size, void *ctx)
{
	(void)size;
	(void)ctx;
	self_bias = info->dlpi_addr;	/* the main program comes first */
	return 1;
}

static int setup(void **state)
{
	(void)state;
	dl_iterate_phdr(find_bias, NULL);
	return unwind_table__from_elf("/proc/self/exe", &self);
}

static int teardown(void **state)
{
	(void)state;
	unwind_table__clear(&self);
	return 0;
}

static const struct unwind_row *row_at(void (*fn)(void), unsigned int off)
{
	const struct unwind_row *r = unwind_table__find(&self, (uintptr_t)fn - self_bias + off);

	assert_non_null(r);
	return r;
}

static void assert_cfa(const struct unwind_row *r, int rule, int off)
{
	assert_int_equal(r->cfa_rule, rule);
	assert_int_equal(r->cfa_off, off);
}

static void assert_rbp(const struct unwind_row *r, int rule, int off)
{
	assert_int_equal(r->rbp_rule, rule);
	assert_int_equal(r->rbp_off, off);
}

static void test_frame_prologue_epilogue(void **state)
{
	(void)state;
	assert_cfa(row_at(cfi_frame, 0), KUNWIND_CFA_RSP, 8);
	assert_rbp(row_at(cfi_frame, 0), KUNWIND_RBP_SAME, 0);
	assert_cfa(row_at(cfi_frame, 1), KUNWIND_CFA_RSP, 16);
	assert_rbp(row_at(cfi_frame, 1), KUNWIND_RBP_CFA, -16);
	assert_cfa(row_at(cfi_frame, 3), KUNWIND_CFA_RSP, 16);
	assert_cfa(row_at(cfi_frame, 4), KUNWIND_CFA_RBP, 16);
	assert_cfa(row_at(cfi_frame, 9), KUNWIND_CFA_RBP, 16);
	assert_cfa(row_at(cfi_frame, 10), KUNWIND_CFA_RSP, 8);
	/* remember_state/restore_state: back to rbp-based after the first ret */
	assert_cfa(row_at(cfi_frame, 11), KUNWIND_CFA_RBP, 16);
	assert_rbp(row_at(cfi_frame, 11), KUNWIND_RBP_CFA, -16);
	assert_cfa(row_at(cfi_frame, 13), KUNWIND_CFA_RSP, 8);
	assert_rbp(row_at(cfi_frame, 13), KUNWIND_RBP_SAME, 0);
}

static void test_special_rules(void **state)
{
	(void)state;
	assert_cfa(row_at(cfi_plt, 0), KUNWIND_CFA_PLT, 11);
	assert_cfa(row_at(cfi_outer, 0), KUNWIND_CFA_OUTERMOST, 8);
	assert_cfa(row_at(cfi_realign, 0), KUNWIND_CFA_RSP, 8);
	assert_cfa(row_at(cfi_realign, 1), KUNWIND_CFA_DEREF_RBP, -8);
	assert_rbp(row_at(cfi_realign, 1), KUNWIND_RBP_SAME, 0);
	assert_rbp(row_at(cfi_realign, 2), KUNWIND_RBP_AT_RBP, 0);
	/* the return address in a register: not followed */
	assert_int_equal(row_at(cfi_realign, 3)->cfa_rule, KUNWIND_CFA_UNSUPPORTED);
}

/* Sorted, one row per pc, no repeats, and a gap after the last function. */
static void assert_well_formed(const struct unwind_table *t)
{
	assert_true(t->n > 0);
	for (size_t i = 1; i < t->n; i++) {
		const struct unwind_row *a = &t->rows[i - 1], *b = &t->rows[i];

		assert_true(a->pc < b->pc);
		assert_false(a->cfa_rule == b->cfa_rule && a->cfa_off == b->cfa_off &&
			     a->rbp_rule == b->rbp_rule && a->rbp_off == b->rbp_off);
	}
	assert_int_equal(t->rows[t->n - 1].cfa_rule, KUNWIND_CFA_GAP);
}

static void test_whole_binary(void **state)
{
	(void)state;
	assert_well_formed(&self);
	assert_true(self.fdes > 10);
	assert_int_equal(self.bad_fdes, 0);
	/* before the first FDE: nothing, past the last: a gap */
	assert_cfa(row_at(cfi_frame, 0), KUNWIND_CFA_RSP, 8);
	assert_null(unwind_table__find(&self, 0));
}

/* The bias of the mapping holding our code, from the segments, is the loader's. */
static void test_bias(void **state)
{
	struct unwind_maps maps;
	const struct unwind_mapping *m;
	uint64_t bias = 0;

	(void)state;
	assert_true(self.nsegs > 0);
	assert_int_equal(unwind_maps__read(0, &maps), 0);
	m = unwind_maps__find(&maps, (uintptr_t)cfi_frame);
	assert_non_null(m);
	assert_int_equal(unwind_table__bias(self.segs, self.nsegs, m->start, m->pgoff, &bias), 0);
	assert_int_equal(bias, self_bias);
	assert_int_equal(unwind_table__bias(self.segs, self.nsegs, m->start, 1ULL << 40, &bias),
			 -ENOENT);
	unwind_maps__clear(&maps);
}

static void test_libc(void **state)
{
	struct unwind_table t;
	Dl_info info;
	struct link_map *lm;
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	void *getpid_addr, *qsort_addr;

	(void)state;
	/* from libc itself, not a sanitizer's interceptor of the same name */
	assert_non_null(libc);
	getpid_addr = dlsym(libc, "getpid");
	qsort_addr = dlsym(libc, "qsort");
	assert_non_null(getpid_addr);
	assert_non_null(qsort_addr);
	assert_true(dladdr1(getpid_addr, &info, (void **)&lm, RTLD_DL_LINKMAP));
	assert_int_equal(unwind_table__from_elf(info.dli_fname, &t), 0);
	assert_well_formed(&t);
	assert_true(t.fdes > 1000);
	/* every function entry: the return address was just pushed */
	assert_cfa(unwind_table__find(&t, (uintptr_t)getpid_addr - lm->l_addr), KUNWIND_CFA_RSP, 8);
	assert_cfa(unwind_table__find(&t, (uintptr_t)qsort_addr - lm->l_addr), KUNWIND_CFA_RSP, 8);
	/* few rules are beyond it: signal trampolines and the like */
	assert_true(t.unsupported * 100 < t.n);
	unwind_table__clear(&t);
	dlclose(libc);
}

static void test_errors(void **state)
{
	struct unwind_table t;
	static const uint8_t truncated[] = { 0x14, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t terminator[] = { 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(unwind_table__from_elf("/nonexistent", &t), -ENOENT);
	assert_int_equal(unwind_table__from_elf("/proc/self/maps", &t), -ENOEXEC);
	assert_int_equal(unwind_table__from_ehframe(truncated, sizeof(truncated), 0, &t), -ENODATA);
	assert_int_equal(unwind_table__from_ehframe(terminator, sizeof(terminator), 0, &t),
			 -ENODATA);
	unwind_table__clear(&t);
}

static void assert_packed(struct unwind_row r, int cfa_rule, int cfa_off, int rbp_rule,
			  int rbp_off8)
{
	struct kunwind_row k = unwind_table__pack(&r);

	assert_int_equal(k.pc, r.pc);
	assert_int_equal(KUNWIND_ROW_CFA(&k), cfa_rule);
	assert_int_equal(k.cfa_off, cfa_off);
	assert_int_equal(KUNWIND_ROW_RBP(&k), rbp_rule);
	if (rbp_rule != KUNWIND_RBP_UNKNOWN)
		assert_int_equal(k.rbp_off8, rbp_off8);
}

static void test_pack(void **state)
{
	(void)state;
	assert_packed((struct unwind_row){ 0x1234, 16, -16, KUNWIND_CFA_RSP, KUNWIND_RBP_CFA },
		      KUNWIND_CFA_RSP, 16, KUNWIND_RBP_CFA, -2);
	/* a 64 KiB frame: in eighths */
	assert_packed((struct unwind_row){ 1, 0x10010, 0, KUNWIND_CFA_RSP, KUNWIND_RBP_SAME },
		      KUNWIND_CFA_RSP_X8, 0x2002, KUNWIND_RBP_SAME, 0);
	/* too big, not a multiple of 8, or rbp-based: not representable */
	assert_packed((struct unwind_row){ 1, 0x10004, 0, KUNWIND_CFA_RSP, KUNWIND_RBP_SAME },
		      KUNWIND_CFA_UNSUPPORTED, 0x2000, KUNWIND_RBP_SAME, 0);
	assert_packed((struct unwind_row){ 1, 0x10010, 0, KUNWIND_CFA_RBP, KUNWIND_RBP_SAME },
		      KUNWIND_CFA_UNSUPPORTED, 0x2002, KUNWIND_RBP_SAME, 0);
	assert_packed((struct unwind_row){ 1, 8, -12, KUNWIND_CFA_PLT, KUNWIND_RBP_CFA },
		      KUNWIND_CFA_PLT, 8, KUNWIND_RBP_UNKNOWN, 0);
	assert_packed((struct unwind_row){ 1, 8, -2048, KUNWIND_CFA_RSP, KUNWIND_RBP_CFA },
		      KUNWIND_CFA_RSP, 8, KUNWIND_RBP_UNKNOWN, 0);
}

static void test_leb128(void **state)
{
	static const uint8_t u[] = { 0xe5, 0x8e, 0x26 }, s[] = { 0x7f }, bad[] = { 0x80 };
	const uint8_t *p = u;
	uint64_t v;
	int64_t sv;

	(void)state;
	assert_int_equal(ehframe__uleb(&p, u + sizeof(u), &v), 0);
	assert_int_equal(v, 624485);
	p = s;
	assert_int_equal(ehframe__sleb(&p, s + 1, &sv), 0);
	assert_int_equal(sv, -1);
	p = bad;
	assert_int_equal(ehframe__uleb(&p, bad + 1, &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_prologue_epilogue),
		cmocka_unit_test(test_special_rules),
		cmocka_unit_test(test_whole_binary),
		cmocka_unit_test(test_bias),
		cmocka_unit_test(test_libc),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_pack),
		cmocka_unit_test(test_leb128),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
