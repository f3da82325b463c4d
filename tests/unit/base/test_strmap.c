// SPDX-License-Identifier: GPL-2.0
/* The string hash table: interning, indexes in insertion order, values. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/strmap.h"

#define MANY 5000	/* enough to rehash several times */

static void test_strmap_intern_one_copy(void **state)
{
	struct strmap *m = strmap__new(0);
	char buf[32] = "libc.so.6";
	const char *a, *b, *first;

	(void)state;
	assert_non_null(m);
	a = strmap__intern(m, buf);
	assert_non_null(a);
	assert_ptr_not_equal(a, buf);
	strcpy(buf, "libc.so.6");
	b = strmap__intern(m, buf);
	assert_ptr_equal(a, b);
	assert_int_equal(strmap__count(m), 1);
	first = a;
	for (int i = 0; i < MANY; i++) {
		snprintf(buf, sizeof(buf), "sym_%d", i);
		assert_string_equal(strmap__intern(m, buf), buf);
	}
	/* growing never moves a stored key */
	assert_ptr_equal(strmap__intern(m, "libc.so.6"), first);
	assert_string_equal(first, "libc.so.6");
	assert_int_equal(strmap__count(m), MANY + 1);
	assert_null(strmap__value(m, 0));
	strmap__free(m);
}

static void test_strmap_index_in_insertion_order(void **state)
{
	struct strmap *m = strmap__new(0);
	char buf[32];
	int added;

	(void)state;
	for (int i = 0; i < MANY; i++) {
		snprintf(buf, sizeof(buf), "k%d", i);
		assert_int_equal(strmap__add(m, buf, strlen(buf), &added), i);
		assert_int_equal(added, 1);
	}
	assert_int_equal(strmap__add(m, "k17", 3, &added), 17);
	assert_int_equal(added, 0);
	assert_int_equal(strmap__find(m, "k4999", 5), 4999);
	assert_int_equal(strmap__find(m, "k5000", 5), -ENOENT);
	assert_int_equal(strmap__find(m, "k1", 1), -ENOENT);	/* a prefix is another key */
	assert_string_equal(strmap__key(m, 42, NULL), "k42");
	strmap__free(m);
}

static void test_strmap_byte_keys(void **state)
{
	struct strmap *m = strmap__new(0);
	const char a[] = { 'x', '\0', 'y' }, b[] = { 'x', '\0', 'z' };
	size_t klen;

	(void)state;
	assert_int_equal(strmap__add(m, a, sizeof(a), NULL), 0);
	assert_int_equal(strmap__add(m, b, sizeof(b), NULL), 1);
	assert_int_equal(strmap__add(m, a, 1, NULL), 2);
	assert_int_equal(strmap__add(m, "", 0, NULL), 3);
	assert_int_equal(strmap__find(m, b, sizeof(b)), 1);
	assert_memory_equal(strmap__key(m, 1, &klen), b, sizeof(b));
	assert_int_equal(klen, sizeof(b));
	assert_string_equal(strmap__key(m, 3, &klen), "");
	assert_int_equal(klen, 0);
	strmap__free(m);
}

static void test_strmap_values_zeroed_and_stable(void **state)
{
	struct strmap *m = strmap__new(sizeof(uint64_t));
	uint64_t *first, *v;
	char buf[32];
	int added;

	(void)state;
	first = strmap__get(m, "a;b;c", 5, &added);
	assert_non_null(first);
	assert_int_equal(added, 1);
	assert_int_equal(*first, 0);
	*first = 7;
	for (int i = 0; i < MANY; i++) {
		snprintf(buf, sizeof(buf), "stack %d", i);
		v = strmap__get(m, buf, strlen(buf), &added);
		assert_int_equal(*v, 0);
		*v = i;
	}
	v = strmap__get(m, "a;b;c", 5, &added);
	assert_int_equal(added, 0);
	assert_ptr_equal(v, first);
	assert_int_equal(*v, 7);
	assert_int_equal(*(uint64_t *)strmap__value(m, 10), 9);
	strmap__free(m);
}

static void test_strmap_ids_keep_zero_for_none(void **state)
{
	struct strmap *m = strmap__new(0);
	int added;

	(void)state;
	assert_int_equal(strmap__id(m, "nginx", &added), 1);
	assert_int_equal(added, 1);
	assert_int_equal(strmap__id(m, "/system.slice", &added), 2);
	assert_int_equal(strmap__id(m, "nginx", &added), 1);
	assert_int_equal(added, 0);
	assert_string_equal(strmap__id_str(m, 2), "/system.slice");
	assert_string_equal(strmap__id_str(m, 0), "");
	assert_string_equal(strmap__id_str(m, 3), "");
	assert_int_equal(strmap__count(m), 2);
	strmap__free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strmap_intern_one_copy),
		cmocka_unit_test(test_strmap_index_in_insertion_order),
		cmocka_unit_test(test_strmap_byte_keys),
		cmocka_unit_test(test_strmap_values_zeroed_and_stable),
		cmocka_unit_test(test_strmap_ids_keep_zero_for_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
