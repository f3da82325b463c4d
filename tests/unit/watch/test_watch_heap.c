// SPDX-License-Identifier: GPL-2.0
/* heap: the allocator picked from maps lines, and live blocks summed by stack. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "watch/sources/watch_heap_priv.h"

#define LIBC "/usr/lib/x86_64-linux-gnu/libc.so.6"
#define JEMALLOC "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"

static void test_allocator_lines(void **state)
{
	int libc = -1, je = -1, r = -1;

	(void)state;
	assert_string_equal(heap_allocator_in_line("7f00-7f01 r-xp 0 08:01 12 " LIBC "\n",
						   &libc), LIBC "\n");
	assert_non_null(heap_allocator_in_line("7f00-7f01 r--p 0 08:01 13 " JEMALLOC, &je));
	assert_true(je < libc);	/* a replacement allocator wins over the C library */
	assert_null(heap_allocator_in_line("7f00-7f01 r-xp 0 08:01 14 /usr/lib/libcrypt.so.1",
					   &r));
	assert_null(heap_allocator_in_line("7f00-7f01 r-xp 0 08:01 15 /opt/libc.so.6x", &r));
	assert_null(heap_allocator_in_line("7f00-7f01 rw-p 0 00:00 0 [heap]", &r));
	assert_null(heap_allocator_in_line("7f00-7f01 rw-p 0 00:00 0", &r));
}

static void test_fold_exact(void **state)
{
	struct heap_item items[] = { { 7, 100 }, { 3, 1000 }, { 7, 100 }, { -1, 50 }, { 3, 24 } };
	struct heap_row rows[5];
	size_t n = heap_fold(items, 5, 0, rows);

	(void)state;
	assert_int_equal(n, 3);
	assert_int_equal(rows[0].stack_id, 3);
	assert_true(rows[0].bytes == 1024 && rows[0].objects == 2);
	assert_int_equal(rows[1].stack_id, 7);
	assert_true(rows[1].bytes == 200 && rows[1].objects == 2);
	assert_int_equal(rows[2].stack_id, -1);	/* a lost stack is a row of its own */
	assert_true(rows[2].bytes == 50);
}

/* Sampled at n/S: a small block stands for S bytes and S/n blocks, a large one for itself. */
static void test_fold_sampled(void **state)
{
	struct heap_item items[] = { { 1, 256 }, { 1, 1024 }, { 2, 16384 } };
	struct heap_row rows[3];
	size_t n = heap_fold(items, 3, 4096, rows);

	(void)state;
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].stack_id, 2);
	assert_true(rows[0].bytes == 16384 && rows[0].objects == 1);
	assert_true(rows[1].bytes == 8192 && rows[1].objects == 16 + 4);
}

static void test_fold_empty(void **state)
{
	struct heap_row rows[1];

	(void)state;
	assert_int_equal(heap_fold(NULL, 0, 0, rows), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allocator_lines),
		cmocka_unit_test(test_fold_exact),
		cmocka_unit_test(test_fold_sampled),
		cmocka_unit_test(test_fold_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
