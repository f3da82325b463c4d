// SPDX-License-Identifier: GPL-2.0
/*
 * Outputs created as root in a directory other users write to: appear only on
 * commit, never through a planted link, never blocking on a FIFO, never
 * replacing a device node, never taking a name someone else took meanwhile.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "base/outfile.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/faultline-outfile.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

static const char *at(const char *name)
{
	static char path[2][256];
	static int i;

	i ^= 1;
	snprintf(path[i], sizeof(path[i]), "%s/%s", dir, name);
	return path[i];
}

static const char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return "";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_appears_only_on_commit(void **state)
{
	struct outfile *out;

	(void)state;
	assert_int_equal(outfile__open(at("p.folded"), &out), 0);
	fputs("main;burn 3\n", outfile__stream(out));
	/* Nothing with a name while it is written: a kill leaves no debris. */
	assert_int_equal(entries(), 0);
	assert_int_equal(outfile__commit(out), 0);
	assert_string_equal(slurp(at("p.folded")), "main;burn 3\n");
	assert_int_equal(entries(), 1);
}

static void test_abort_leaves_nothing(void **state)
{
	struct outfile *out;

	(void)state;
	assert_int_equal(outfile__open(at("x.svg"), &out), 0);
	fputs("<svg", outfile__stream(out));
	outfile__abort(out);
	outfile__abort(NULL);
	assert_int_equal(entries(), 0);
}

static void test_unwritable_dir_fails(void **state)
{
	struct outfile *out;

	(void)state;
	assert_int_equal(outfile__open("/nonexistent-dir/out.svg", &out), -ENOENT);
}

static void test_symlink_is_not_followed(void **state)
{
	struct outfile *out;

	(void)state;
	write_file(at("secret"), "root only\n", 0600);
	assert_int_equal(symlink(at("secret"), at("out.svg")), 0);
	assert_int_equal(outfile__open(at("out.svg"), &out), -OUTFILE_ESYMLINK);
	assert_string_equal(slurp(at("secret")), "root only\n");
	assert_non_null(strstr(outfile__strerror(-OUTFILE_ESYMLINK), "symbolic link"));
}

static void test_fifo_without_reader_does_not_block(void **state)
{
	struct outfile *out;

	(void)state;
	assert_int_equal(mkfifo(at("fifo"), 0666), 0);
	assert_int_equal(outfile__open(at("fifo"), &out), -EPIPE);
	assert_int_equal(entries(), 1);
}

static void test_device_is_written_not_replaced(void **state)
{
	struct outfile *out;
	struct stat st;

	(void)state;
	if (mknod(at("null"), S_IFCHR | 0666, makedev(1, 3)))
		skip();	/* needs CAP_MKNOD */
	assert_int_equal(outfile__open(at("null"), &out), 0);
	fputs("discarded\n", outfile__stream(out));
	assert_int_equal(outfile__commit(out), 0);
	assert_int_equal(lstat(at("null"), &st), 0);
	assert_true(S_ISCHR(st.st_mode));
}

static void test_full_device_reports_enospc(void **state)
{
	struct outfile *out;

	(void)state;
	if (mknod(at("full"), S_IFCHR | 0666, makedev(1, 7)))
		skip();
	assert_int_equal(outfile__open(at("full"), &out), 0);
	fputs("x\n", outfile__stream(out));
	assert_int_equal(outfile__commit(out), -ENOSPC);
}

static void test_replaced_file_keeps_owner_and_mode(void **state)
{
	struct outfile *out;
	struct stat st;

	(void)state;
	write_file(at("r.txt"), "old\n", 0600);
	if (geteuid() == 0)
		assert_int_equal(chown(at("r.txt"), 65534, 65534), 0);
	assert_int_equal(chmod(at("r.txt"), 0640), 0);
	assert_int_equal(outfile__open(at("r.txt"), &out), 0);
	fputs("new\n", outfile__stream(out));
	assert_int_equal(outfile__commit(out), 0);
	assert_string_equal(slurp(at("r.txt")), "new\n");
	assert_int_equal(stat(at("r.txt"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	if (geteuid() == 0)
		assert_int_equal(st.st_uid, 65534);
}

static void test_name_taken_meanwhile_is_not_replaced(void **state)
{
	struct outfile *out;

	(void)state;
	assert_int_equal(outfile__open(at("same.fl"), &out), 0);
	fputs("mine\n", outfile__stream(out));
	write_file(at("same.fl"), "theirs\n", 0644);
	assert_int_equal(outfile__commit(out), -OUTFILE_EAPPEARED);
	assert_string_equal(slurp(at("same.fl")), "theirs\n");
	assert_int_equal(entries(), 1);
}

static void test_same_file(void **state)
{
	(void)state;
	write_file(at("in.fl"), "x", 0644);
	assert_int_equal(link(at("in.fl"), at("alias.fl")), 0);
	assert_true(outfile_same_file(at("alias.fl"), at("in.fl")));
	assert_false(outfile_same_file(at("new.fl"), at("in.fl")));
	assert_false(outfile_same_file("-", at("in.fl")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_appears_only_on_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_dir_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_is_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_without_reader_does_not_block, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_device_is_written_not_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_device_reports_enospc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaced_file_keeps_owner_and_mode, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_name_taken_meanwhile_is_not_replaced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_same_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
