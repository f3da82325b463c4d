// SPDX-License-Identifier: GPL-2.0
/*
 * .debug_frame: the same hand-written CFI assembled once into .eh_frame and
 * once into .debug_frame (`.cfi_sections .debug_frame`, what gcc does with
 * -fno-asynchronous-unwind-tables -g) gives the same rows; a file with
 * neither gives none; a malformed .debug_frame is refused, never read past.
 * The shared objects are built here with the C compiler the build uses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "unwind/unwind_table.h"

static const char cfi_asm[] =
	"\t.text\n"
	"\t.globl f_frame\n\t.type f_frame,@function\nf_frame:\n\t.cfi_startproc\n"
	"\tpush %rbp\n\t.cfi_def_cfa_offset 16\n\t.cfi_offset %rbp,-16\n"
	"\tmov %rsp,%rbp\n\t.cfi_def_cfa_register %rbp\n"
	"\ttest %rdi,%rdi\n\t.cfi_remember_state\n"
	"\tje 1f\n\tleave\n\t.cfi_def_cfa %rsp,8\n\tret\n\t.cfi_restore_state\n"
	"1:\tnop\n\tleave\n\t.cfi_def_cfa %rsp,8\n\t.cfi_restore %rbp\n"
	"\tret\n\t.cfi_endproc\n\t.size f_frame,.-f_frame\n"
	"\t.globl f_leaf\n\t.type f_leaf,@function\nf_leaf:\n\t.cfi_startproc\n"
	"\tsub $24,%rsp\n\t.cfi_def_cfa_offset 32\n\tnop\n\tadd $24,%rsp\n"
	"\t.cfi_def_cfa_offset 8\n\tret\n\t.cfi_endproc\n\t.size f_leaf,.-f_leaf\n"
	"\t.globl f_outer\n\t.type f_outer,@function\nf_outer:\n\t.cfi_startproc\n"
	"\t.cfi_undefined %rip\n\tnop\n\tret\n\t.cfi_endproc\n\t.size f_outer,.-f_outer\n";

static char dir[64];

/* Assembles @prefix + cfi_asm into DIR/@name.so; false when there is no compiler. */
static bool build(const char *name, const char *prefix)
{
	char src[128], cmd[512];
	FILE *f;

	snprintf(src, sizeof(src), "%s/%s.S", dir, name);
	f = fopen(src, "w");
	assert_non_null(f);
	fprintf(f, "%s%s", prefix, cfi_asm);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "${CC:-cc} -shared -nostdlib -Wl,--build-id=none -o %s/%s.so "
		 "%s 2>/dev/null", dir, name, src);
	return system(cmd) == 0;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/faultline-cfi-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

static void test_same_rows(void **state)
{
	struct unwind_table eh, dbg;
	char path[128];

	(void)state;
	if (!build("eh", "") || !build("dbg", "\t.cfi_sections .debug_frame\n"))
		skip();
	snprintf(path, sizeof(path), "%s/eh.so", dir);
	assert_int_equal(unwind_table__from_elf(path, &eh), 0);
	assert_false(eh.from_debug_frame);
	snprintf(path, sizeof(path), "%s/dbg.so", dir);
	assert_int_equal(unwind_table__from_elf(path, &dbg), 0);
	assert_true(dbg.from_debug_frame);
	assert_int_equal(dbg.bad_fdes, 0);
	/* f_frame: 5 rule changes; f_leaf: 3; f_outer: 1 (an outermost row). */
	assert_true(eh.n >= 9);
	assert_int_equal(dbg.n, eh.n);
	for (size_t i = 0; i < eh.n; i++) {
		assert_int_equal(dbg.rows[i].pc, eh.rows[i].pc);
		assert_int_equal(dbg.rows[i].cfa_rule, eh.rows[i].cfa_rule);
		assert_int_equal(dbg.rows[i].cfa_off, eh.rows[i].cfa_off);
		assert_int_equal(dbg.rows[i].rbp_rule, eh.rows[i].rbp_rule);
		assert_int_equal(dbg.rows[i].rbp_off, eh.rows[i].rbp_off);
	}
	assert_int_equal(dbg.nsegs, eh.nsegs);
	unwind_table__clear(&eh);
	unwind_table__clear(&dbg);
}

static void test_no_cfi(void **state)
{
	struct unwind_table t;
	char path[128], cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "printf '.text\\n.globl g\\ng: ret\\n' >%s/none.S && "
		 "${CC:-cc} -shared -nostdlib -o %s/none.so %s/none.S 2>/dev/null", dir, dir, dir);
	if (system(cmd))
		skip();
	snprintf(path, sizeof(path), "%s/none.so", dir);
	assert_int_equal(unwind_table__from_elf(path, &t), -ENODATA);
	unwind_table__clear(&t);
}

static void test_malformed(void **state)
{
	struct unwind_table t;
	/* A CIE (id ~0) whose length runs past the section. */
	static const uint8_t past_end[] = { 0x40, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1 };
	/* An FDE whose CIE pointer is beyond the section. */
	static const uint8_t bad_cie[] = { 0x14, 0, 0, 0, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 0,
					   0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0 };
	/* 64-bit DWARF, which the reader does not take. */
	static const uint8_t dwarf64[] = { 0xff, 0xff, 0xff, 0xff, 8, 0, 0, 0, 0, 0, 0, 0,
					   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	(void)state;
	assert_int_equal(unwind_table__from_debug_frame(past_end, sizeof(past_end), &t), -ENODATA);
	assert_int_equal(unwind_table__from_debug_frame(bad_cie, sizeof(bad_cie), &t), -ENODATA);
	assert_int_equal(t.bad_fdes, 1);
	assert_int_equal(unwind_table__from_debug_frame(dwarf64, sizeof(dwarf64), &t), -ENODATA);
	unwind_table__clear(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_cfi, setup, teardown),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
