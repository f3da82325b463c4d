// SPDX-License-Identifier: GPL-2.0
/* Capability decisions and number parsing. */
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
		cmocka_unit_test(test_parse_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
