// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's spool: batches come back oldest first, also after a reopen (an
 * agent restart); the size bound deletes the oldest and says which rows; a
 * half-written file is removed; a directory others could write is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "agent/agent_spool.h"

static char base[64], path[128];
static char dropped_table[32];
static uint64_t dropped_rows;

static void on_drop(void *arg, const char *table, uint64_t rows)
{
	(void)arg;
	snprintf(dropped_table, sizeof(dropped_table), "%s", table);
	dropped_rows += rows;
}

static int setup(void **state)
{
	(void)state;
	snprintf(base, sizeof(base), "/tmp/faultline-spool-XXXXXX");
	assert_non_null(mkdtemp(base));
	snprintf(path, sizeof(path), "%s/spool", base);
	dropped_rows = 0;
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) ? -1 : 0;
}

static void expect_head(struct spool *s, const char *table, uint64_t rows, const char *body)
{
	char t[32];
	uint64_t r;
	void *b;
	size_t len;

	assert_int_equal(spool__peek(s, t, sizeof(t), &r, &b, &len), 0);
	assert_string_equal(t, table);
	assert_int_equal(r, rows);
	assert_int_equal(len, strlen(body));
	assert_memory_equal(b, body, len);
	free(b);
}

static void test_order_and_restart(void **state)
{
	struct spool *s;

	(void)state;
	assert_int_equal(spool__open(path, 1 << 20, &s), 0);
	assert_int_equal(spool__add(s, "events", 3, "one", 3, on_drop, NULL), 0);
	assert_int_equal(spool__add(s, "stacks", 1, "two!", 4, on_drop, NULL), 0);
	assert_int_equal(spool__add(s, "samples", 9, "three", 5, on_drop, NULL), 0);
	assert_int_equal(spool__bytes(s), 12);
	assert_int_equal(spool__rows(s), 13);
	expect_head(s, "events", 3, "one");
	assert_int_equal(spool__pop(s), 0);
	spool__close(s);

	/* A batch cut short by a crash is not sent. */
	snprintf(path + strlen(path), 32, "/.tmp.00000000000000000009");
	close(creat(path, 0600));
	*strrchr(path, '/') = '\0';
	assert_int_equal(spool__open(path, 1 << 20, &s), 0);
	assert_int_equal(spool__rows(s), 10);
	expect_head(s, "stacks", 1, "two!");
	assert_int_equal(spool__pop(s), 0);
	/* New batches go after the old ones. */
	assert_int_equal(spool__add(s, "events", 2, "four", 4, on_drop, NULL), 0);
	expect_head(s, "samples", 9, "three");
	assert_int_equal(spool__pop(s), 0);
	expect_head(s, "events", 2, "four");
	assert_int_equal(spool__pop(s), 0);
	assert_int_equal(spool__pop(s), -ENOENT);
	assert_int_equal(spool__bytes(s), 0);
	spool__close(s);
	assert_int_equal(dropped_rows, 0);
}

static void test_bound(void **state)
{
	struct spool *s;

	(void)state;
	assert_int_equal(spool__open(path, 10, &s), 0);
	assert_int_equal(spool__add(s, "stacks", 4, "123456", 6, on_drop, NULL), 0);
	assert_int_equal(spool__add(s, "events", 5, "abcdef", 6, on_drop, NULL), 0);
	/* The older batch made room, and said whose rows went. */
	assert_string_equal(dropped_table, "stacks");
	assert_int_equal(dropped_rows, 4);
	expect_head(s, "events", 5, "abcdef");
	/* Over the whole bound: not kept, told. */
	dropped_rows = 0;
	assert_int_equal(spool__add(s, "samples", 7, "0123456789ab", 12, on_drop, NULL), -EFBIG);
	assert_string_equal(dropped_table, "samples");
	assert_int_equal(dropped_rows, 7);
	spool__close(s);
}

static void test_refused(void **state)
{
	struct spool *s;
	char link[160];

	(void)state;
	assert_int_equal(mkdir(path, 0777), 0);
	assert_int_equal(chmod(path, 0777), 0);
	assert_int_equal(spool__open(path, 100, &s), -EPERM);
	snprintf(link, sizeof(link), "%s/link", base);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(chmod(path, 0700), 0);
	assert_int_equal(spool__open(link, 100, &s), -EPERM);
	assert_int_equal(spool__open(path, 100, &s), 0);
	spool__close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_and_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
