// SPDX-License-Identifier: GPL-2.0
/* The merge of Python frames into native stacks, on fixture stacks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "python/py_merge.h"
#include "python/py_names.h"

static void test_eval_names(void **state)
{
	(void)state;
	assert_true(py_is_eval_frame("_PyEval_EvalFrameDefault"));
	assert_true(py_is_eval_frame("_PyEval_EvalFrameDefault.cold"));
	assert_false(py_is_eval_frame("_PyEval_EvalFrameDefaultX"));
	assert_false(py_is_eval_frame("_PyEval_Vector"));
	assert_false(py_is_eval_frame(NULL));
}

/*
 * main -> Py_RunMain -> eval(A) -> builtin sorted -> eval(B) -> leaf C code.
 * Python frames, leaf first: key (entry, run by B), worker, main, <module>
 * (entry, run by A).
 */
static void test_plan_nested(void **state)
{
	static const bool eval[] = {false, false, true, false, true, false};
	static const uint8_t entry[] = {1, 0, 0, 1};
	int take[6], first[6];

	(void)state;
	assert_int_equal(py_merge_plan(eval, 6, entry, 4, false, take, first), 0);
	assert_int_equal(take[4], 1);
	assert_int_equal(first[4], 0);
	assert_int_equal(take[2], 3);
	assert_int_equal(first[2], 1);
	assert_int_equal(take[0] + take[1] + take[3] + take[5], 0);
}

/* A native walk that lost the outer interpreter frame: its Python frames are left over. */
static void test_plan_leftover(void **state)
{
	static const bool eval[] = {true, false};
	static const uint8_t entry[] = {0, 1, 0, 1};
	int take[2], first[2];

	(void)state;
	assert_int_equal(py_merge_plan(eval, 2, entry, 4, false, take, first), 2);
	assert_int_equal(take[0], 2);
	assert_int_equal(take[1], 0);
}

/* No entry flag at all (a cut walk): the one interpreter frame runs all of them. */
static void test_plan_no_entry(void **state)
{
	static const bool eval[] = {false, true};
	static const uint8_t entry[] = {0, 0, 0};
	int take[2], first[2];

	(void)state;
	assert_int_equal(py_merge_plan(eval, 2, entry, 3, false, take, first), 0);
	assert_int_equal(take[1], 3);
	assert_int_equal(py_merge_plan(eval, 2, entry, 0, false, take, first), 0);
	assert_int_equal(take[1], 0);
}

/*
 * A walk cut early ([truncated] at the root) that shows one interpreter frame:
 * the frames beyond its entry frame go right after [truncated].
 */
static void test_plan_cut(void **state)
{
	static const bool eval[] = {false, true, false};
	static const uint8_t entry[] = {0, 1, 0, 1};
	static const bool none[] = {false, false};
	int take[3], first[3];

	(void)state;
	assert_int_equal(py_merge_plan(eval, 3, entry, 4, true, take, first), 0);
	assert_int_equal(take[1], 2);
	assert_int_equal(first[1], 0);
	assert_int_equal(take[0], 2);
	assert_int_equal(first[0], 2);
	/* No interpreter frame in sight: all of them after [truncated]. */
	assert_int_equal(py_merge_plan(none, 2, entry, 4, true, take, first), 0);
	assert_int_equal(take[0], 4);
	assert_int_equal(first[0], 0);
}

static void test_utf8(void **state)
{
	char b[8];

	(void)state;
	assert_int_equal(py_utf8_put('a', b, 8), 1);
	assert_int_equal(py_utf8_put(0xe9, b, 8), 2);
	assert_memory_equal(b, "\xc3\xa9", 2);
	assert_int_equal(py_utf8_put(0x20ac, b, 8), 3);
	assert_memory_equal(b, "\xe2\x82\xac", 3);
	assert_int_equal(py_utf8_put(0x1f600, b, 8), 4);
	assert_int_equal(py_utf8_put('\n', b, 8), 1);
	assert_int_equal(b[0], '?');
	assert_int_equal(py_utf8_put(0xd800, b, 8), 1);
	assert_int_equal(b[0], '?');
	assert_int_equal(py_utf8_put(0x20ac, b, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eval_names),
		cmocka_unit_test(test_plan_nested),
		cmocka_unit_test(test_plan_leftover),
		cmocka_unit_test(test_plan_no_entry),
		cmocka_unit_test(test_plan_cut),
		cmocka_unit_test(test_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
