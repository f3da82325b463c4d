// SPDX-License-Identifier: GPL-2.0
/* Capability decisions, atomic outputs and number parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "base/outfile.h"
#include "base/privs.h"

static void test_privs_missing(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(privs_missing(0, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "CAP_BPF, CAP_PERFMON");
	assert_int_equal(privs_missing(CAP_BIT(39), buf, sizeof(buf)), 1);
	assert_string_equal(buf, "CAP_PERFMON");
	assert_int_equal(privs_missing(CAP_BIT(38), buf, sizeof(buf)), 1);
	assert_string_equal(buf, "CAP_BPF");
	assert_int_equal(privs_missing(CAP_BIT(38) | CAP_BIT(39), buf, sizeof(buf)), 0);
	/* CAP_SYS_ADMIN (21) covers both on every kernel */
	assert_int_equal(privs_missing(CAP_BIT(21), buf, sizeof(buf)), 0);
}

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_outfile_appears_only_on_commit(void **state)
{
	char dir[] = "/tmp/faultline-outfile.XXXXXX", path[300];
	struct outfile *out;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/profile.folded", dir);
	out = outfile__open(path);
	assert_non_null(out);
	fputs("main;burn 3\n", outfile__stream(out));
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(outfile__commit(out), 0);
	assert_string_equal(slurp(path), "main;burn 3\n");
	unlink(path);
	rmdir(dir);
}

static void test_outfile_abort_leaves_nothing(void **state)
{
	char dir[] = "/tmp/faultline-outfile.XXXXXX", path[300];
	struct outfile *out;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.svg", dir);
	out = outfile__open(path);
	assert_non_null(out);
	fputs("<svg", outfile__stream(out));
	outfile__abort(out);
	outfile__abort(NULL);
	/* the directory is empty again: no temporary left behind */
	assert_int_equal(rmdir(dir), 0);
}

static void test_outfile_unwritable_dir_fails(void **state)
{
	(void)state;
	assert_null(outfile__open("/nonexistent-dir/out.svg"));
}

static void test_parse_long(void **state)
{
	long v;

	(void)state;
	assert_true(cli_parse_long("99", 1, 1000, &v));
	assert_int_equal(v, 99);
	assert_false(cli_parse_long("0", 1, 1000, &v));
	assert_false(cli_parse_long("12x", 1, 1000, &v));
	assert_false(cli_parse_long("", 1, 1000, &v));
	assert_false(cli_parse_long("99999999999999999999", 1, 1000, &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_privs_missing),
		cmocka_unit_test(test_outfile_appears_only_on_commit),
		cmocka_unit_test(test_outfile_abort_leaves_nothing),
		cmocka_unit_test(test_outfile_unwritable_dir_fails),
		cmocka_unit_test(test_parse_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
