// SPDX-License-Identifier: GPL-2.0
/* Symbolizer parsers on fixture text: maps lines, kallsyms, perf-PID.map, demangling. */
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
#include <cmocka.h>

#include "sym/sym_demangle.h"
#include "sym/sym_elf.h"
#include "sym/sym_kallsyms.h"
#include "sym/sym_maps.h"
#include "sym/sym_perfmap.h"
#include "base/file_read.h"
#include "sym/sym_search.h"

#ifndef SYM_FIXTURE_SRC
#error "the Makefile passes -DSYM_FIXTURE_SRC=<tests/fixtures/sym>"
#endif

static char *fixture(const char *name)
{
	char path[512], *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", SYM_FIXTURE_SRC, name);
	assert_int_equal(file_read_all(path, &buf, &len), 0);
	return buf;
}

static void test_maps_line(void **state)
{
	struct maps_line l;
	const char *line = "7f3e1a028000-7f3e1a17d000 r-xp 00028000 fd:01 1839113    "
			   "           /usr/lib/x86_64-linux-gnu/libc.so.6\n";

	(void)state;
	assert_int_equal(maps_parse_line(line, &l), 0);
	assert_true(l.start == 0x7f3e1a028000ULL && l.end == 0x7f3e1a17d000ULL);
	assert_true(l.pgoff == 0x28000);
	assert_int_equal(l.dev_major, 0xfd);
	assert_int_equal(l.dev_minor, 1);
	assert_true(l.inode == 1839113);
	assert_string_equal(l.perms, "r-xp");
	assert_int_equal(l.path_len, strlen("/usr/lib/x86_64-linux-gnu/libc.so.6"));
	assert_memory_equal(l.path, "/usr/lib/x86_64-linux-gnu/libc.so.6", l.path_len);
	assert_false(l.deleted);

	assert_int_equal(maps_parse_line("7f00-7f10 rw-p 0 00:00 0", &l), 0);
	assert_int_equal(l.path_len, 0);
	assert_int_equal(maps_parse_line("", &l), -EINVAL);
	assert_int_equal(maps_parse_line("7f00-7f10 rw 0 00:00 0", &l), -EINVAL);
	assert_int_equal(maps_parse_line("7f00-7f10 rw-p zz 00:00 0", &l), -EINVAL);
	assert_int_equal(maps_parse_line("7f10-7f00 r-xp 0 00:00 0", &l), -EINVAL);
	assert_int_equal(maps_parse_line("7f00-7f10 r-xp 0 00:00", &l), -EINVAL);
}

static void test_maps_fixture(void **state)
{
	char *text = fixture("maps.txt");
	struct maps_exec *v;
	size_t n;

	(void)state;
	assert_int_equal(maps_parse_exec(text, &v, &n), 0);
	/* cat, libc, anonymous rwx, two /tmp files, [vdso], [vsyscall] */
	assert_int_equal(n, 7);
	assert_string_equal(v[0].path, "/usr/bin/cat");
	assert_true(v[0].pgoff == 0x2000);
	assert_string_equal(v[2].path, "");
	assert_string_equal(v[3].path, "/tmp/my lib (v2).so");
	assert_true(v[3].deleted);
	assert_string_equal(v[4].path, "/tmp/not deleted (deleted) here");
	assert_false(v[4].deleted);
	assert_string_equal(v[5].path, "[vdso]");
	assert_false(maps_is_file(v[5].path));

	assert_ptr_equal(maps_find(v, n, 0x55d4c8a02000ULL), &v[0]);
	assert_ptr_equal(maps_find(v, n, 0x55d4c8a06fffULL), &v[0]);
	assert_null(maps_find(v, n, 0x55d4c8a07000ULL));	/* r--p: not kept */
	assert_ptr_equal(maps_find(v, n, 0x7f3e1a100000ULL), &v[1]);
	assert_null(maps_find(v, n, 0x1000));
	assert_ptr_equal(maps_find(v, n, 0xffffffffff600100ULL), &v[6]);
	maps_exec_free(v, n);
	free(text);
}

/* The kernel's answer (PROCMAP_QUERY) and the parsed text agree, on this very process. */
static void test_maps_query_matches_text(void **state)
{
	struct maps_exec *q, *t;
	size_t nq, nt, len;
	int err, ids = 0;
	char *text;

	(void)state;
	err = maps_query_exec(getpid(), &q, &nq);
	if (err == -EOPNOTSUPP)
		skip();
	assert_int_equal(err, 0);
	assert_int_equal(file_read_all("/proc/self/maps", &text, &len), 0);
	assert_int_equal(maps_parse_exec(text, &t, &nt), 0);
	free(text);
	assert_true(nq >= 2);	/* this program, libc, ... */
	/* [vsyscall] is no mapping of the process (the kernel's gate page): text only. */
	if (nt && !strcmp(t[nt - 1].path, "[vsyscall]"))
		free(t[--nt].path);
	assert_int_equal(nq, nt);
	for (size_t i = 0; i < nq; i++) {
		assert_true(q[i].start == t[i].start && q[i].end == t[i].end);
		assert_true(q[i].pgoff == t[i].pgoff && q[i].inode == t[i].inode);
		assert_int_equal(q[i].dev_major, t[i].dev_major);
		assert_int_equal(q[i].dev_minor, t[i].dev_minor);
		assert_int_equal(q[i].deleted, t[i].deleted);
		assert_string_equal(q[i].path, t[i].path);
		/* The kernel's build-id, when it gives one, is the file's own. */
		if (q[i].build_id[0]) {
			char id[ELF_BUILD_ID_HEX];
			int fd = open(q[i].path, O_RDONLY);

			assert_true(fd >= 0);
			assert_int_equal(elf_build_id_fd(fd, id), 0);
			close(fd);
			assert_string_equal(q[i].build_id, id);
			ids++;
		}
	}
	print_message("%d of %zu executable mappings came with a build-id\n", ids, nq);
	maps_exec_free(q, nq);
	maps_exec_free(t, nt);
	assert_int_equal(maps_query_exec(0x7ffffff0, &q, &nq), -ESRCH);
}

/* The one search every symbol table uses: last start <= addr, any record layout. */
static void test_search_le(void **state)
{
	struct rec {
		uint32_t pad;
		uint64_t start;
	} __attribute__((packed)) v[] = { { 0, 0x10 }, { 0, 0x20 }, { 0, 0x20 }, { 0, 0x40 } };
	uint64_t one = 0x100;

	(void)state;
	assert_int_equal(sym_search_le(v, 0, sizeof(v[0]), 4, 0x30), -1);
	assert_int_equal(sym_search_le(NULL, 4, sizeof(v[0]), 4, 0x30), -1);
	assert_int_equal(sym_search_le(v, 4, sizeof(v[0]), 4, 0xf), -1);
	assert_int_equal(sym_search_le(v, 4, sizeof(v[0]), 4, 0x10), 0);
	assert_int_equal(sym_search_le(v, 4, sizeof(v[0]), 4, 0x1f), 0);
	/* equal starts: the last of them */
	assert_int_equal(sym_search_le(v, 4, sizeof(v[0]), 4, 0x20), 2);
	assert_int_equal(sym_search_le(v, 4, sizeof(v[0]), 4, 0x3f), 2);
	assert_int_equal(sym_search_le(v, 4, sizeof(v[0]), 4, UINT64_MAX), 3);
	assert_int_equal(sym_search_le(v, 3, sizeof(v[0]), 4, UINT64_MAX), 2);
	assert_int_equal(sym_search_le(&one, 1, sizeof(one), 0, 0x100), 0);
	assert_int_equal(sym_search_le(&one, 1, sizeof(one), 0, 0xff), -1);
}

static void test_kallsyms_fixture(void **state)
{
	struct ksyms *k = ksyms__parse(fixture("kallsyms.txt"), 0);
	const struct ksym *s;

	(void)state;
	assert_non_null(k);
	/* 3 aliases at _stext become one; the data symbol is not code */
	assert_int_equal(ksyms__count(k), 8);
	s = ksyms__find(k, 0xffffffff81000050ULL);
	assert_non_null(s);
	assert_string_equal(s->name, "startup_64");
	assert_string_equal(ksyms__module(k, s), "[kernel]");
	assert_true(ksyms__module_base(k, s) == 0xffffffff81000000ULL);
	assert_string_equal(ksyms__find(k, 0xffffffff81000100ULL)->name, "secondary_startup_64");
	/* 'T' beats 'W' even with more underscores; D is skipped over */
	s = ksyms__find(k, 0xffffffff81000350ULL);
	assert_string_equal(s->name, "__do_sys_getpid");
	assert_string_equal(ksyms__find(k, 0xffffffff81000501ULL)->name, "__x64_sys_read");
	s = ksyms__find(k, 0xffffffffc0100210ULL);
	assert_string_equal(s->name, "ext4_file_read_iter");
	assert_string_equal(ksyms__module(k, s), "[ext4]");
	assert_true(0xffffffffc0100210ULL - ksyms__module_base(k, s) == 0x210);
	assert_string_equal(ksyms__module(k, ksyms__find(k, 0xffffffffc0200010ULL)), "[xfs]");
	assert_null(ksyms__find(k, 0xffffffff80000000ULL));
	assert_null(ksyms__find(k, 0xffffffffc0200000ULL + (4 << 20)));
	ksyms__free(k);
}

/* BPF programs are listed as module [bpf]; the JIT's packs around them are BPF code. */
static void test_kallsyms_bpf(void **state)
{
	char *text = strdup("ffffffff81000000 T _stext\n"
			    "ffffffffc0401000 t bpf_prog_26b0af14da32081e_on_exec\t[bpf]\n"
			    "ffffffffc0402000 t bpf_prog_33da343ec8dd2d32_on_exit\t[bpf]\n"
			    "ffffffffc1000000 t ext4_fill_super\t[ext4]\n");
	struct ksyms *k;

	(void)state;
	assert_non_null(text);
	k = ksyms__parse(text, strlen(text));
	assert_non_null(k);
	assert_string_equal(ksyms__find(k, 0xffffffffc0402010ULL)->name,
			    "bpf_prog_33da343ec8dd2d32_on_exit");
	assert_string_equal(ksyms__module(k, ksyms__find(k, 0xffffffffc0401000ULL)), "[bpf]");
	assert_true(ksyms__in_bpf(k, 0xffffffffc0400000ULL));
	assert_true(ksyms__in_bpf(k, 0xffffffffc05fffffULL));
	assert_false(ksyms__in_bpf(k, 0xffffffffc0600000ULL));
	assert_false(ksyms__in_bpf(k, 0xffffffffc03fffffULL));
	assert_false(ksyms__in_bpf(k, 0xffffffff81000010ULL));
	ksyms__free(k);
	text = strdup("ffffffff81000000 T _stext\n");
	assert_non_null(text);
	k = ksyms__parse(text, strlen(text));
	assert_false(ksyms__in_bpf(k, 0xffffffffc0400000ULL));
	ksyms__free(k);
}

/* Sorted but for a tail, as kallsyms lists BPF programs and trampolines last. */
static void test_kallsyms_unsorted_tail(void **state)
{
	char *text = strdup("ffffffff81000000 T _stext\n"
			    "ffffffff81000000 T startup_64\n"
			    "ffffffff81000100 t b\n"
			    "ffffffff81000200 t d\n"
			    "ffffffffc0002000 t bpf_prog_2\t[bpf]\n"
			    "ffffffff81000180 t c\n"
			    "ffffffffc0001000 t bpf_prog_1\t[bpf]\n"
			    "ffffffff81000200 T d_global\n");
	struct ksyms *k;

	(void)state;
	assert_non_null(text);
	k = ksyms__parse(text, strlen(text));
	assert_non_null(k);
	assert_int_equal(ksyms__count(k), 6);
	assert_string_equal(ksyms__find(k, 0xffffffff81000050ULL)->name, "startup_64");
	assert_string_equal(ksyms__find(k, 0xffffffff81000150ULL)->name, "b");
	assert_string_equal(ksyms__find(k, 0xffffffff81000190ULL)->name, "c");
	assert_string_equal(ksyms__find(k, 0xffffffff81000250ULL)->name, "d_global");
	assert_string_equal(ksyms__find(k, 0xffffffffc0001010ULL)->name, "bpf_prog_1");
	assert_string_equal(ksyms__find(k, 0xffffffffc0002010ULL)->name, "bpf_prog_2");
	ksyms__free(k);
}

static void test_kallsyms_hidden(void **state)
{
	char *text = strdup("0000000000000000 T _stext\n0000000000000000 t foo\n");

	(void)state;
	assert_non_null(text);
	errno = 0;
	assert_null(ksyms__parse(text, strlen("x")));
	assert_int_equal(errno, EPERM);
}

static void test_perf_map_fixture(void **state)
{
	struct perf_map *m = perf_map__parse(fixture("perf-map.txt"));

	(void)state;
	assert_non_null(m);
	assert_int_equal(perf_map__count(m), 4);
	assert_string_equal(perf_map__find(m, 0x7f0000001010ULL)->name,
			    "LazyCompile:~hot /app/server.js:10");
	assert_string_equal(perf_map__find(m, 0x7f000000105fULL)->name, "py::burn:/app/x.py");
	assert_null(perf_map__find(m, 0x7f0000001060ULL));
	assert_string_equal(perf_map__find(m, 0x7f00000020ffULL)->name, "Interpreter");
	/* the JIT reused the address: the later line wins */
	assert_string_equal(perf_map__find(m, 0x7f0000003005ULL)->name, "new_code");
	assert_null(perf_map__find(m, 0x7f0000004000ULL));
	assert_null(perf_map__find(m, 0x1000));
	perf_map__free(m);
}

static void test_perf_map_owner(void **state)
{
	char path[] = "/tmp/faultline-perfmap.XXXXXX", link[64];
	struct perf_map *m = NULL;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "1000 10 jitted\n", 15), 15);
	if (geteuid() == 0) {
		assert_int_equal(fchown(fd, 4242, 4242), 0);
		/* written by someone else than the process: not trusted */
		assert_int_equal(perf_map__load(path, 1000, &m), -EPERM);
		assert_int_equal(perf_map__load(path, 4242, &m), 0);
		assert_string_equal(perf_map__find(m, 0x1008)->name, "jitted");
		perf_map__free(m);
	}
	snprintf(link, sizeof(link), "%s.lnk", path);
	assert_int_equal(symlink(path, link), 0);
	assert_int_not_equal(perf_map__load(link, 4242, &m), 0);
	assert_int_equal(perf_map__load("/nonexistent/perf-1.map", 0, &m), -ENOENT);
	unlink(link);
	close(fd);
	unlink(path);
}

static void expect_demangled(const char *mangled, const char *want)
{
	char *got = sym_demangle(mangled);

	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_demangle(void **state)
{
	(void)state;
	expect_demangled("_ZN3foo3barEv", "foo::bar()");
	expect_demangled("_ZNSt6vectorIiSaIiEE9push_backERKi",
			 "std::vector<int, std::allocator<int> >::push_back(int const&)");
	/* Rust legacy: the hash suffix goes */
	expect_demangled("_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write");
	expect_demangled("_ZN3std2rt10lang_start28_$u7b$$u7b$closure$u7d$$u7d$17h1a2b3c4d5e6f7a8bE",
			 "std::rt::lang_start::{{closure}}");
	/* Rust v0 */
	expect_demangled("_RNvCs15kBYyAo9fc_7mycrate7example", "mycrate::example");
	expect_demangled("main", NULL);
	expect_demangled("_start", NULL);
	expect_demangled("_Zgarbage", NULL);
	expect_demangled("", NULL);
	expect_demangled(NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_line),
		cmocka_unit_test(test_maps_fixture),
		cmocka_unit_test(test_maps_query_matches_text),
		cmocka_unit_test(test_search_le),
		cmocka_unit_test(test_kallsyms_fixture),
		cmocka_unit_test(test_kallsyms_bpf),
		cmocka_unit_test(test_kallsyms_unsorted_tail),
		cmocka_unit_test(test_kallsyms_hidden),
		cmocka_unit_test(test_perf_map_fixture),
		cmocka_unit_test(test_perf_map_owner),
		cmocka_unit_test(test_demangle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
