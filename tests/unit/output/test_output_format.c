// SPDX-License-Identifier: GPL-2.0
/* --format names and file extensions to writers. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "output/stack_profile.h"
#include "fixtures/output/profile_fixture.h"

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(output_format_parse("folded"), OUTPUT_FOLDED);
	assert_int_equal(output_format_parse("svg"), OUTPUT_SVG);
	assert_int_equal(output_format_parse("pprof"), OUTPUT_PPROF);
	assert_int_equal(output_format_parse("json"), OUTPUT_JSON);
	assert_int_equal(output_format_parse("top"), -EINVAL);
	assert_int_equal(output_format_parse("SVG"), -EINVAL);
	assert_int_equal(output_format_parse(""), -EINVAL);
	assert_string_equal(output_format_name(OUTPUT_PPROF), "pprof");
}

static void test_extensions(void **state)
{
	(void)state;
	assert_int_equal(output_format_from_path("out.folded"), OUTPUT_FOLDED);
	assert_int_equal(output_format_from_path("/tmp/x.txt"), -ENOENT);
	assert_int_equal(output_format_from_path("x.stacks"), -ENOENT);
	assert_int_equal(output_format_from_path("flame.SVG"), OUTPUT_SVG);
	assert_int_equal(output_format_from_path("cpu.pb.gz"), OUTPUT_PPROF);
	assert_int_equal(output_format_from_path("cpu.pprof"), OUTPUT_PPROF);
	assert_int_equal(output_format_from_path("p.json"), OUTPUT_JSON);
	assert_int_equal(output_format_from_path("profile"), -ENOENT);
	assert_int_equal(output_format_from_path(".svg"), -ENOENT);
	assert_int_equal(output_format_from_path("a.gz"), -ENOENT);
}

static void test_dispatch(void **state)
{
	struct profile_data p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	fixture_profile(&p);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(output_write(OUTPUT_FOLDED, &p, NULL, f), 0);
	assert_int_equal(output_write(99, &p, NULL, f), -EINVAL);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(buf, "prog;main;work;burn_a 350\n"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_extensions),
		cmocka_unit_test(test_dispatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
