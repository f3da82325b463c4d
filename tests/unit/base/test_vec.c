// SPDX-License-Identifier: GPL-2.0
/* The growing-array helper: growth keeps contents, refusals keep the old array. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "base/vec.h"

static void test_vec_growth_keeps_contents(void **state)
{
	uint64_t *v = NULL;
	size_t cap = 0;

	(void)state;
	assert_int_equal(VEC_RESERVE(v, cap, 1), 0);
	assert_non_null(v);
	assert_true(cap >= 1);
	for (size_t i = 0; i < 1000; i++) {
		assert_int_equal(VEC_RESERVE(v, cap, i + 1), 0);
		assert_true(cap >= i + 1);
		v[i] = i * 7;
	}
	for (size_t i = 0; i < 1000; i++)
		assert_int_equal(v[i], i * 7);
	/* amortised: doubling, not one element at a time */
	assert_true(cap < 2000);
	free(v);
}

static void test_vec_enough_room_is_a_no_op(void **state)
{
	char *v = NULL, *before;
	size_t cap = 0;

	(void)state;
	assert_int_equal(VEC_RESERVE(v, cap, 100), 0);
	before = v;
	assert_int_equal(VEC_RESERVE(v, cap, 100), 0);
	assert_int_equal(VEC_RESERVE(v, cap, 3), 0);
	assert_ptr_equal(v, before);
	free(v);
}

static void test_vec_overflow_refused(void **state)
{
	uint64_t *v = NULL, *before;
	size_t cap = 0;

	(void)state;
	assert_int_equal(VEC_RESERVE(v, cap, 4), 0);
	v[3] = 42;
	before = v;
	assert_int_equal(VEC_RESERVE(v, cap, SIZE_MAX / sizeof(*v) + 1), -ENOMEM);
	assert_int_equal(vec_reserve((void **)&v, &cap, SIZE_MAX, 2), -ENOMEM);
	/* the caller still owns the old array, unchanged */
	assert_ptr_equal(v, before);
	assert_true(cap >= 4);
	assert_int_equal(v[3], 42);
	free(v);
}

static void test_vec_zero(void **state)
{
	void *v = NULL;
	size_t cap = 0;

	(void)state;
	assert_int_equal(vec_reserve(&v, &cap, 0, 8), 0);
	assert_null(v);
	assert_int_equal(cap, 0);
	assert_int_equal(vec_reserve(&v, &cap, 5, 0), -EINVAL);
	assert_null(v);
	assert_int_equal(cap, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vec_growth_keeps_contents),
		cmocka_unit_test(test_vec_enough_room_is_a_no_op),
		cmocka_unit_test(test_vec_overflow_refused),
		cmocka_unit_test(test_vec_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
