// SPDX-License-Identifier: GPL-2.0
/*
 * Files that monitored processes name: a FIFO or a device in place of a
 * binary is refused without blocking, and no read exceeds its cap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "base/file_read.h"

static char dir[64], path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/faultline-read.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/f", dir);
	alarm(10);	/* a blocking open fails the test instead of hanging it */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	alarm(0);
	unlink(path);
	return rmdir(dir);
}

static void test_fifo_is_refused_without_blocking(void **state)
{
	(void)state;
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(file_open_regular(path, 0), -ENOEXEC);
}

static void test_device_is_refused(void **state)
{
	(void)state;
	assert_int_equal(file_open_regular("/dev/zero", 0), -ENOEXEC);
}

static void test_link_refused_with_nofollow(void **state)
{
	(void)state;
	assert_int_equal(symlink("/etc/hostname", path), 0);
	assert_int_equal(file_open_regular(path, O_NOFOLLOW), -ELOOP);
}

static void test_read_stops_at_cap(void **state)
{
	bool truncated;
	char *buf;
	size_t len;
	int fd;

	(void)state;
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);	/* sparse: reads as zeros */
	close(fd);
	fd = file_open_regular(path, 0);
	assert_true(fd >= 0);
	assert_int_equal(file_read_fd(fd, 100000, &buf, &len, &truncated), 0);
	close(fd);
	assert_int_equal(len, 100000);
	assert_true(truncated);
	free(buf);
}

static void test_proc_file_reads_whole(void **state)
{
	char *buf;
	size_t len;

	(void)state;
	assert_int_equal(file_read_all("/proc/self/maps", &buf, &len), 0);
	assert_true(len > 0 && strlen(buf) == len);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fifo_is_refused_without_blocking, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_device_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_refused_with_nofollow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_stops_at_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_proc_file_reads_whole, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
