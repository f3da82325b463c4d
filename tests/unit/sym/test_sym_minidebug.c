// SPDX-License-Identifier: GPL-2.0
/*
 * MiniDebugInfo: tests/fixtures/sym/target.c stripped with its static
 * functions' symbols in an xz-compressed .gnu_debugdata (tools/minidebuginfo.sh),
 * the same binary only stripped, one whose section inflates past the cap,
 * and damaged copies made here.
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
#include <gelf.h>

#include "sym/sym_elf.h"
#include "sym/symbolizer.h"

#ifndef SYM_FIXTURE_BIN
#error "the Makefile passes -DSYM_FIXTURE_BIN=<build/fixtures/sym>"
#endif

static const char *const names[] = { "fl_target_alpha", "fl_target_static", "fl_target_beta" };

static struct elf_file *open_fixture(const char *name)
{
	struct elf_file *f;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", SYM_FIXTURE_BIN, name);
	assert_int_equal(elf_file__open(path, NULL, NULL, &f), 0);
	return f;
}

/* Where @name starts, from the unstripped build's own .symtab. */
static uint64_t addr_of(const char *name)
{
	struct elf_file *pie = open_fixture("target-pie");
	uint64_t addr = 0;
	size_t i;

	for (i = 0; i < pie->nsyms; i++) {
		if (!strcmp(elf_file__sym_raw(pie, &pie->syms[i]), name))
			addr = pie->syms[i].start;
	}
	elf_file__free(pie);
	assert_true(addr != 0);
	return addr;
}

static const char *name_at(struct elf_file *f, uint64_t vaddr)
{
	const struct elf_sym *sym = elf_file__find(f, vaddr);

	return sym ? elf_file__sym_raw(f, sym) : NULL;
}

/* Static functions are named from .gnu_debugdata, exported ones too. */
static void test_names(void **state)
{
	struct elf_file *f = open_fixture("target-minidebug");
	size_t i;

	(void)state;
	assert_string_equal(f->source, ".gnu_debugdata");
	assert_null(f->debugdata_err);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_non_null(name_at(f, addr_of(names[i]) + 1));
		assert_string_equal(name_at(f, addr_of(names[i]) + 1), names[i]);
	}
	/* PLT stubs still come from the binary itself. */
	for (i = 0; i < f->nsyms; i++) {
		if (strstr(elf_file__sym_raw(f, &f->syms[i]), "@plt"))
			break;
	}
	assert_true(i < f->nsyms);
	elf_file__free(f);
}

/* The same binary only stripped: without the section those names are unknown. */
static void test_bare(void **state)
{
	struct elf_file *f = open_fixture("target-bare");
	const char *name;

	(void)state;
	assert_null(f->debugdata_err);
	name = name_at(f, addr_of("fl_target_static") + 1);
	assert_true(!name || strstr(name, "@plt"));
	elf_file__free(f);
}

/* 70 MiB of zeros compressed: refused at the 64 MiB cap, one reason, no symbols from it. */
static void test_inflate_cap(void **state)
{
	struct elf_file *f = open_fixture("target-xzbomb");

	(void)state;
	assert_string_not_equal(f->source, ".gnu_debugdata");
	assert_non_null(f->debugdata_err);
	assert_string_equal(f->debugdata_err, "more than 64 MiB decompressed");
	assert_null(name_at(f, addr_of("fl_target_static") + 1));
	elf_file__free(f);
}

static char *slurp(const char *name, size_t *len)
{
	char path[512], *buf;
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", SYM_FIXTURE_BIN, name);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0 && !fstat(fd, &st));
	buf = malloc(st.st_size);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, st.st_size), st.st_size);
	close(fd);
	*len = st.st_size;
	return buf;
}

/* A damaged copy either keeps every name right or says why it used none. */
static void check_damaged(const char *image, size_t len)
{
	char path[] = "/tmp/faultline-minidebug.XXXXXX";
	struct elf_file *f;
	const char *name;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, image, len), (ssize_t)len);
	close(fd);
	assert_int_equal(elf_file__open(path, NULL, NULL, &f), 0);
	unlink(path);
	if (strcmp(f->source, ".gnu_debugdata")) {
		assert_non_null(f->debugdata_err);
	} else {
		name = name_at(f, addr_of("fl_target_static") + 1);
		assert_non_null(name);
		assert_string_equal(name, "fl_target_static");
	}
	elf_file__free(f);
}

/* File offset and size of .gnu_debugdata in @image. */
static void find_section(char *image, size_t len, size_t *off, size_t *size)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	size_t shstrndx;
	const char *name;
	Elf *elf;

	elf_version(EV_CURRENT);
	elf = elf_memory(image, len);
	assert_non_null(elf);
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	*size = 0;
	while ((scn = elf_nextscn(elf, scn))) {
		assert_non_null(gelf_getshdr(scn, &shdr));
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (name && !strcmp(name, ".gnu_debugdata")) {
			*off = shdr.sh_offset;
			*size = shdr.sh_size;
		}
	}
	elf_end(elf);
	assert_true(*size > 0 && *off + *size <= len);
}

static void test_damaged(void **state)
{
	size_t len, off = 0, xz_len = 0, i;
	unsigned int seed = 7;
	char *orig, *copy;

	(void)state;
	orig = slurp("target-minidebug", &len);
	find_section(orig, len, &off, &xz_len);
	assert_memory_equal(orig + off, "\xfd" "7zXZ", 5);
	copy = malloc(len);
	assert_non_null(copy);
	for (i = 0; i < 200; i++) {
		memcpy(copy, orig, len);
		copy[off + rand_r(&seed) % xz_len] ^= 1 + rand_r(&seed) % 255;
		check_damaged(copy, len);
	}
	/* Truncated streams: the section keeps its size, the tail is zeros. */
	for (i = 1; i < xz_len; i += 37) {
		memcpy(copy, orig, len);
		memset(copy + off + i, 0, xz_len - i);
		check_damaged(copy, len);
	}
	free(copy);
	free(orig);
}

struct child {
	pid_t pid;
	int stdin_fd;
	uint64_t stat_fn;	/* runtime address of fl_target_static */
};

/* Starts a fixture; it prints its functions' addresses and waits for stdin to close. */
static void child_start(const char *name, struct child *c)
{
	int in[2], out[2];
	char path[512], line[256];
	uint64_t a, b;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", SYM_FIXTURE_BIN, name);
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
	assert_int_equal(sscanf(line, "%lx %lx %lx", &a, &c->stat_fn, &b), 3);
}

static void child_stop(struct child *c)
{
	int status;

	close(c->stdin_fd);
	assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
}

/* Whole path: a running process's static function by name; an unusable section is counted. */
static void test_symbolizer(void **state)
{
	struct symbolizer *s = symbolizer__new();
	struct sym_result r;
	struct sym_stats st;
	struct child c;

	(void)state;
	assert_non_null(s);
	child_start("target-minidebug", &c);
	assert_int_equal(symbolizer__user(s, c.pid, c.stat_fn + 1, &r), 0);
	assert_non_null(r.symbol);
	assert_string_equal(r.symbol, "fl_target_static");
	child_stop(&c);
	symbolizer__stats(s, &st);
	assert_int_equal(st.debugdata_bad, 0);
	symbolizer__free(s);

	/* A new cache: files of the same build-id share their symbols. */
	s = symbolizer__new();
	assert_non_null(s);
	child_start("target-xzbomb", &c);
	assert_int_equal(symbolizer__user(s, c.pid, c.stat_fn + 1, &r), 0);
	assert_null(r.symbol);
	child_stop(&c);
	symbolizer__stats(s, &st);
	assert_int_equal(st.debugdata_bad, 1);
	symbolizer__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bare),
		cmocka_unit_test(test_inflate_cap),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_symbolizer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
