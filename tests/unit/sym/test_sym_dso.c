// SPDX-License-Identifier: GPL-2.0
/*
 * The file cache's lifetime: files are freed when the last process mapping
 * them is forgotten (after a few kept for reuse), so a long run over many
 * short-lived programs holds only what live processes map.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "sym/sym_elf.h"
#include "base/file_read.h"
#include "sym/symbolizer.h"

#ifndef SYM_FIXTURE_BIN
#error "the Makefile passes -DSYM_FIXTURE_BIN=<build/fixtures/sym>"
#endif

#define PROGRAMS 48	/* distinct builds: more than the cache keeps once released */

struct child {
	pid_t pid;
	int stdin_fd;
	uint64_t alpha;		/* where its fl_target_alpha is */
};

/* Starts @path and waits until it has printed its line (it is mapped by then). */
static void child_start(const char *path, struct child *c)
{
	int in[2], out[2];
	char line[256];
	FILE *f;

	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	c->pid = fork();
	assert_true(c->pid >= 0);
	if (c->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->stdin_fd = in[1];
	f = fdopen(out[0], "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_int_equal(sscanf(line, "%lx", &c->alpha), 1);
}

static void child_stop(struct child *c)
{
	int status;

	close(c->stdin_fd);
	assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int unhex(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

/* A copy of @from whose build-id ends in @tag: another build, as far as anyone can tell. */
static void copy_as_build(const char *from, const char *to, unsigned int tag)
{
	unsigned char id[20];
	char hex[ELF_BUILD_ID_HEX], *buf, *at;
	size_t len, idlen, i;
	int fd;

	fd = open(from, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(elf_build_id_fd(fd, hex), 0);
	close(fd);
	idlen = strlen(hex) / 2;
	assert_true(idlen >= 4);
	for (i = 0; i < idlen; i++)
		id[i] = unhex(hex[2 * i]) << 4 | unhex(hex[2 * i + 1]);
	assert_int_equal(file_read_all(from, &buf, &len), 0);
	at = memmem(buf, len, id, idlen);
	assert_non_null(at);
	at[idlen - 2] ^= (char)(tag >> 8 | 0x80);
	at[idlen - 1] ^= (char)tag;
	fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	free(buf);
}

/* Captures and forgets one short-lived program. */
static void run_once(struct symbolizer *s, const char *path)
{
	struct sym_result r;
	struct child c;

	child_start(path, &c);
	assert_int_equal(symbolizer__capture_pid(s, c.pid), 0);
	child_stop(&c);
	/* Exited but still symbolizable from the snapshot, until forgotten. */
	assert_int_equal(symbolizer__user(s, c.pid, c.alpha, &r), 0);
	assert_string_equal(r.symbol, "fl_target_alpha");
	symbolizer__forget_pid(s, c.pid);
}

static void test_released_files_are_freed(void **state)
{
	char dir[] = "/tmp/faultline-dso.XXXXXX", src[512], path[600];
	struct symbolizer *s = symbolizer__new();
	struct sym_stats base, st;
	struct sym_result r;
	struct child keep;

	(void)state;
	assert_non_null(s);
	assert_non_null(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/target-pie", SYM_FIXTURE_BIN);
	/* A live process holds libc and the loader: they must stay throughout. */
	child_start(src, &keep);
	assert_int_equal(symbolizer__capture_pid(s, keep.pid), 0);
	symbolizer__user(s, keep.pid, keep.alpha, &r);
	symbolizer__stats(s, &base);
	assert_true(base.files_held >= 2);
	for (unsigned int i = 0; i < PROGRAMS; i++) {
		snprintf(path, sizeof(path), "%s/prog%u", dir, i);
		copy_as_build(src, path, i);
		run_once(s, path);
		unlink(path);
	}
	symbolizer__stats(s, &st);
	assert_int_equal(st.processes, 1);
	assert_int_equal(st.files_parsed, base.files_parsed + PROGRAMS);
	assert_int_equal(st.files_held, base.files_held);
	assert_true(st.files_released > 0 && st.files_released < PROGRAMS);

	/* A re-exec of a recently released build is not parsed again. */
	snprintf(path, sizeof(path), "%s/again", dir);
	copy_as_build(src, path, PROGRAMS - 1);
	run_once(s, path);
	unlink(path);
	symbolizer__stats(s, &st);
	assert_int_equal(st.files_parsed, base.files_parsed + PROGRAMS);

	child_stop(&keep);
	symbolizer__forget_pid(s, keep.pid);
	symbolizer__stats(s, &st);
	assert_int_equal(st.processes, 0);
	assert_int_equal(st.files_held, 0);
	rmdir(dir);
	symbolizer__free(s);
}

/* Read lazily, after the process is gone: a file replaced since gives no names, not wrong ones. */
static void test_replaced_file_not_misread(void **state)
{
	char dir[] = "/tmp/faultline-dso.XXXXXX", src[512], path[600];
	struct symbolizer *s = symbolizer__new();
	struct sym_result r;
	struct child c;

	(void)state;
	assert_non_null(s);
	assert_non_null(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/target-pie", SYM_FIXTURE_BIN);
	snprintf(path, sizeof(path), "%s/prog", dir);
	copy_as_build(src, path, 1);
	child_start(path, &c);
	assert_int_equal(symbolizer__capture_pid(s, c.pid), 0);
	child_stop(&c);
	unlink(path);
	snprintf(src, sizeof(src), "%s/target-nopie", SYM_FIXTURE_BIN);
	copy_as_build(src, path, 2);
	symbolizer__user(s, c.pid, c.alpha, &r);
	assert_int_equal(r.kind, FRAME_USER);
	assert_null(r.symbol);
	assert_non_null(strstr(r.module, "/prog"));
	unlink(path);
	rmdir(dir);
	symbolizer__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_released_files_are_freed),
		cmocka_unit_test(test_replaced_file_not_misread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
