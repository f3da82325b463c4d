// SPDX-License-Identifier: GPL-2.0
/* Records with impossible identifiers are refused, at any depth. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "record/recording_read.h"

static bool valid(const char *json)
{
	cJSON *o = cJSON_Parse(json);
	bool ok;

	assert_non_null(o);
	ok = rec_ids_valid(o, 0);
	cJSON_Delete(o);
	return ok;
}

static void test_possible_ids_pass(void **state)
{
	(void)state;
	assert_true(valid("{\"pid\":4242,\"tid\":4243,\"dport\":6379,\"fd\":-1,\"uid\":0}"));
	assert_true(valid("{\"victim\":{\"pid\":1},\"signo\":9,\"comm\":\"x\"}"));
	assert_true(valid("{\"count\":-5,\"addr\":1e30}"));	/* not identifiers */
	/* slow_syscall's description of its fd */
	assert_true(valid("{\"fd\":{\"fd\":3,\"kind\":\"pipe\",\"inode\":1134693}}"));
}

static void test_impossible_ids_refused(void **state)
{
	(void)state;
	assert_false(valid("{\"pid\":-2147483648}"));
	assert_false(valid("{\"pid\":1e308}"));
	assert_false(valid("{\"pid\":12.5}"));
	assert_false(valid("{\"pid\":\"12\"}"));
	assert_false(valid("{\"dport\":-2}"));
	assert_false(valid("{\"sport\":65536}"));
	assert_false(valid("{\"signo\":65}"));
	assert_false(valid("{\"sender\":{\"pid\":-1}}"));
	assert_false(valid("{\"listen\":[{\"port\":70000}]}"));
	assert_false(valid("{\"fd\":{\"fd\":-7}}"));
	assert_false(valid("{\"fd\":[3]}"));
}

static void test_depth_is_bounded(void **state)
{
	char deep[200] = "";

	(void)state;
	for (int i = 0; i < 20; i++)
		strcat(deep, "[");
	for (int i = 0; i < 20; i++)
		strcat(deep, "]");
	assert_false(valid(deep));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_possible_ids_pass),
		cmocka_unit_test(test_impossible_ids_refused),
		cmocka_unit_test(test_depth_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
