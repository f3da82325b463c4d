// SPDX-License-Identifier: GPL-2.0
/*
 * An address that is not code is not a frame: this process's heap and stack
 * are in no executable mapping, its functions are.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "sym/symbolizer.h"

static void test_heap_and_stack_are_not_code(void **state)
{
	struct symbolizer *s = symbolizer__new();
	void *heap = malloc(64);
	int local = 0;
	struct sym_result r;

	(void)state;
	assert_non_null(s);
	assert_non_null(heap);
	assert_false(symbolizer__user_is_code(s, getpid(), (uintptr_t)heap));
	assert_false(symbolizer__user_is_code(s, getpid(), (uintptr_t)&local));
	symbolizer__user(s, getpid(), (uintptr_t)heap, &r);
	assert_true(r.not_code);
	assert_int_equal(r.kind, FRAME_UNKNOWN);
	/* Code, named or not, is code. */
	assert_true(symbolizer__user_is_code(s, getpid(), (uintptr_t)&symbolizer__new));
	symbolizer__user(s, getpid(), (uintptr_t)&symbolizer__new, &r);
	assert_false(r.not_code);
	free(heap);
	symbolizer__free(s);
}

static void test_unreadable_process_is_unknown_not_junk(void **state)
{
	struct symbolizer *s = symbolizer__new();
	struct sym_result r;

	(void)state;
	assert_non_null(s);
	/* No such process: its mappings are unknown, so nothing is said not to be code. */
	assert_true(symbolizer__user_is_code(s, 0x7ffffff0, 0x1000));
	symbolizer__user(s, 0x7ffffff0, 0x1000, &r);
	assert_false(r.not_code);
	symbolizer__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heap_and_stack_are_not_code),
		cmocka_unit_test(test_unreadable_process_is_unknown_not_junk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
