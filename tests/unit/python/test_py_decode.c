// SPDX-License-Identifier: GPL-2.0
/*
 * CPython decoding on fixtures taken from this host: the machine code of
 * Debian's python3.11 and a pyenv libpython3.11.so, glibc 2.36's
 * pthread_getspecific, and a location table compiled by python3.11.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "python/py_decode.h"

/* /usr/bin/python3.11 (3.11.2): PyGILState_GetThisThreadState at 0x4f7c30. */
static const uint8_t gil_exec[] = {
	0x48, 0x83, 0x3d, 0x50, 0x3d, 0x56, 0x00, 0x00,	/* cmpq $0,_PyRuntime+0x248(%rip) */
	0x0f, 0x84, 0x1f, 0xc8, 0xf2, 0xff,		/* je */
	0x8b, 0x3d, 0x50, 0x3d, 0x56, 0x00,		/* mov _PyRuntime+0x254(%rip),%edi */
	0xe9, 0xa7, 0x8a, 0xf2, 0xff,			/* jmp pthread_getspecific@plt */
};

/* pyenv 3.11.7 libpython3.11.so: rax = &_PyRuntime from the GOT, then &autoTSSkey. */
static const uint8_t gil_shared[] = {
	0x48, 0x8b, 0x05, 0x09, 0xd8, 0x1a, 0x00,	/* mov GOT(%rip),%rax */
	0x48, 0x83, 0xb8, 0x48, 0x02, 0x00, 0x00, 0x00,	/* cmpq $0,0x248(%rax) */
	0x74, 0x0f,					/* je */
	0x48, 0x8d, 0xb8, 0x50, 0x02, 0x00, 0x00,	/* lea 0x250(%rax),%rdi */
	0xe9, 0xf3, 0x3b, 0xe6, 0xff,			/* jmp PyThread_tss_get@plt */
};

/* glibc 2.36 __pthread_getspecific */
static const uint8_t getspecific[] = {
	0x83, 0xff, 0x1f, 0x77, 0x3b, 0x89, 0xf8, 0x48, 0x83, 0xc0, 0x31, 0x48, 0xc1, 0xe0,
	0x04, 0x64, 0x48, 0x03, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00, 0x48, 0x8b, 0x50, 0x08,
	0x48, 0x85, 0xd2,
};

static void test_tss_key_exec(void **state)
{
	uint32_t off = 0;

	(void)state;
	assert_int_equal(py_decode_tss_key(gil_exec, sizeof(gil_exec), 0x4f7c30, 0xa5b740, &off),
			 0);
	assert_int_equal(off, 0x254);
	/* The same code read as if _PyRuntime were elsewhere: the target is out of range. */
	assert_int_equal(py_decode_tss_key(gil_exec, sizeof(gil_exec), 0x4f7c30, 0xb00000, &off),
			 -ENOENT);
}

static void test_tss_key_shared(void **state)
{
	uint32_t off = 0;

	(void)state;
	assert_int_equal(py_decode_tss_key(gil_shared, sizeof(gil_shared), 0x296520, 0x54e540,
					   &off), 0);
	assert_int_equal(off, 0x254);
}

static void test_tss_key_unknown(void **state)
{
	static const uint8_t ret[] = {0x31, 0xc0, 0xc3, 0x90, 0x90, 0x90, 0x90, 0x90};
	uint32_t off = 0;

	(void)state;
	assert_int_equal(py_decode_tss_key(ret, sizeof(ret), 0x1000, 0x2000, &off), -ENOENT);
	/* Cut before the jmp: not recognised. */
	assert_int_equal(py_decode_tss_key(gil_exec, sizeof(gil_exec) - 5, 0x4f7c30, 0xa5b740,
					   &off), -ENOENT);
}

static void test_tsd(void **state)
{
	struct pyframes_proc c = {};

	(void)state;
	assert_int_equal(py_decode_tsd(getspecific, sizeof(getspecific), &c), 0);
	assert_int_equal(c.tsd_max_key, 31);
	assert_int_equal(c.tsd_base, 0x310);
	assert_int_equal(c.tsd_stride, 16);
	assert_int_equal(c.tsd_data, 8);
	assert_int_equal(py_decode_tsd(getspecific, 20, &c), -ENOENT);
}

static void test_layout(void **state)
{
	struct py_layout l;

	(void)state;
	assert_int_equal(py_layout_for(3, 11, &l), 0);
	assert_int_equal(l.bpf.frame_previous, 48);
	assert_int_equal(py_layout_for(3, 9, &l), -ENOTSUP);
	assert_int_equal(py_layout_for(3, 12, &l), -ENOTSUP);
}

/*
 * def f(a, b): / x = a + b / if x > 3: / y = [i * 2 / for i in range(x)] /
 * else: / y = None / / / return (x, / y)   compiled by python3.11, and the
 * line of each code unit as co_positions() gives it.
 */
static const uint8_t linetable[] = {
	0x80, 0x00, 0xd8, 0x08, 0x09, 0x88, 0x41, 0x89, 0x05, 0x80, 0x41, 0xd8, 0x07, 0x08,
	0x88, 0x31, 0x82, 0x75, 0x80, 0x75, 0xf0, 0x02, 0x01, 0x0d, 0x20, 0xf0, 0x00, 0x01,
	0x0d, 0x20, 0xdd, 0x16, 0x1b, 0x98, 0x41, 0x91, 0x68, 0x94, 0x68, 0xf0, 0x03, 0x01,
	0x0d, 0x20, 0xf1, 0x00, 0x01, 0x0d, 0x20, 0xf4, 0x00, 0x01, 0x0d, 0x20, 0x88, 0x01,
	0x88, 0x01, 0xf0, 0x06, 0x00, 0x0d, 0x11, 0x88, 0x01, 0xf0, 0x06, 0x00, 0x0d, 0x0e,
	0xd8, 0x0c, 0x0d, 0xf0, 0x03, 0x01, 0x0c, 0x0f, 0xf0, 0x00, 0x01, 0x05, 0x0f,
};
static const int lines[] = {
	1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5,
	5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 7, 7, 10, 11, 10, 10,
};

static void test_lines(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		assert_int_equal(py_line_at(linetable, sizeof(linetable), 1, i), lines[i]);
	/* Past the table, a truncated table, a table that is no table. */
	assert_int_equal(py_line_at(linetable, sizeof(linetable), 1, 44), -1);
	assert_int_equal(py_line_at(linetable, 21, 1, 40), -1);
	assert_int_equal(py_line_at((const uint8_t *)"\x01\x02", 2, 1, 0), -1);
}

static void test_line_none(void **state)
{
	/* code 15 (no location) for 2 units, then a short-form entry */
	static const uint8_t t[] = {0xf9, 0xd8, 0x01, 0x02};

	(void)state;
	assert_int_equal(py_line_at(t, sizeof(t), 7, 1), -1);
	assert_int_equal(py_line_at(t, sizeof(t), 7, 2), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tss_key_exec),
		cmocka_unit_test(test_tss_key_shared),
		cmocka_unit_test(test_tss_key_unknown),
		cmocka_unit_test(test_tsd),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_line_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
