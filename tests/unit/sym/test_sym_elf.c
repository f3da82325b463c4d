// SPDX-License-Identifier: GPL-2.0
/*
 * ELF symbols and whole-process symbolization on programs built for the test
 * (tests/fixtures/sym/target.c: PIE, non-PIE, stripped with a debuglink),
 * on this test process itself, and on broken input.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "sym/sym_elf.h"
#include "sym/symbolizer.h"

#ifndef SYM_FIXTURE_BIN
#error "the Makefile passes -DSYM_FIXTURE_BIN=<build/fixtures/sym>"
#endif

struct child {
	pid_t pid;
	int stdin_fd;
	uint64_t alpha, stat, beta;	/* runtime addresses of its functions */
};

/* @setup, if any, runs in the child instead of exec'ing @path (e.g. enters a namespace). */
static void child_start_in(const char *path, struct child *c, void (*setup)(const char *))
{
	int in[2], out[2];
	char line[256];
	FILE *f;

	/* close-on-exec: a later child must not keep this one's stdin open */
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	c->pid = fork();
	assert_true(c->pid >= 0);
	if (c->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		if (setup)
			setup(path);	/* execs itself when it succeeds */
		else
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
	assert_int_equal(sscanf(line, "%lx %lx %lx", &c->alpha, &c->stat, &c->beta), 3);
}

static void child_start(const char *path, struct child *c)
{
	child_start_in(path, c, NULL);
}

static void child_stop(struct child *c)
{
	int status;

	close(c->stdin_fd);
	assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void fixture_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", SYM_FIXTURE_BIN, name);
}

static const char *ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix) ? s + ls - lx : NULL;
}

static void expect_user(struct symbolizer *s, int pid, uint64_t addr, const char *sym,
			const char *module_suffix)
{
	struct sym_result r;
	char name[256];

	assert_int_equal(symbolizer__user(s, pid, addr, &r), 0);
	assert_int_equal(r.kind, FRAME_USER);
	assert_non_null(r.symbol);
	assert_string_equal(r.symbol, sym);
	assert_non_null(r.module);
	assert_non_null(ends_with(r.module, module_suffix));
	sym_result__name(&r, name, sizeof(name));
	assert_string_equal(name, sym);
}

/* A process's three functions by name, also after it exits (from the snapshot). */
static void check_target(const char *file, const char *debug_source)
{
	struct symbolizer *s = symbolizer__new();
	struct sym_mapping map;
	struct elf_file *elf;
	struct child c;
	char path[512];

	fixture_path(path, sizeof(path), file);
	assert_non_null(s);
	child_start(path, &c);
	assert_int_equal(symbolizer__capture_pid(s, c.pid), 0);
	expect_user(s, c.pid, c.alpha, "fl_target_alpha", file);
	expect_user(s, c.pid, c.stat + 1, "fl_target_static", file);
	expect_user(s, c.pid, c.beta, "fl_target_beta", file);

	/* The mapping, for code that reads the file itself: vaddr = addr - bias. */
	assert_int_equal(elf_file__open(path, NULL, NULL, &elf), 0);
	assert_string_equal(elf->source, debug_source);
	assert_int_equal(symbolizer__mapping(s, c.pid, c.alpha, &map), 0);
	assert_true(map.has_load_bias);
	assert_non_null(map.open_path);
	assert_string_equal(map.build_id, elf->build_id);
	assert_string_equal(elf_file__sym_name(elf, (struct elf_sym *)elf_file__find(
				    elf, c.alpha - map.load_bias)), "fl_target_alpha");
	if (elf->type == 2 /* ET_EXEC */)
		assert_true(map.load_bias == 0);
	elf_file__free(elf);

	child_stop(&c);
	assert_int_equal(symbolizer__capture_pid(s, c.pid), -ESRCH);
	expect_user(s, c.pid, c.beta + 2, "fl_target_beta", file);
	symbolizer__free(s);
}

static void test_pie(void **state)
{
	(void)state;
	check_target("target-pie", ".symtab");
}

static void test_nopie(void **state)
{
	(void)state;
	check_target("target-nopie", ".symtab");
}

static void test_stripped_debuglink(void **state)
{
	(void)state;
	check_target("target-stripped", "debug file");
}

/* Copies up to @limit bytes; usable in a forked child (no cmocka asserts). */
static int copy_raw(const char *from, const char *to, size_t limit)
{
	char buf[65536];
	size_t done = 0;
	int in, out, err = 0;
	ssize_t n;

	in = open(from, O_RDONLY);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (in < 0 || out < 0)
		err = -1;
	while (!err && done < limit && (n = read(in, buf, sizeof(buf))) > 0) {
		if ((size_t)n > limit - done)
			n = limit - done;
		if (write(out, buf, n) != n)
			err = -1;
		done += n;
	}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return err;
}

static void copy_file(const char *from, const char *to, size_t limit)
{
	assert_int_equal(copy_raw(from, to, limit), 0);
}

/* An unlinked executable is still read, through /proc/PID/map_files. */
static void test_deleted_file(void **state)
{
	char dir[] = "/tmp/faultline-sym.XXXXXX", src[512], path[600];
	struct symbolizer *s = symbolizer__new();
	struct child c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	fixture_path(src, sizeof(src), "target-pie");
	snprintf(path, sizeof(path), "%s/gone", dir);
	copy_file(src, path, SIZE_MAX);
	child_start(path, &c);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(symbolizer__capture_pid(s, c.pid), 0);
	expect_user(s, c.pid, c.alpha, "fl_target_alpha", "/gone");
	child_stop(&c);
	symbolizer__free(s);
}

/* Another copy of the same build (another inode) is not parsed again. */
static void test_cache_by_build_id(void **state)
{
	char dir[] = "/tmp/faultline-sym.XXXXXX", src[512], path[600];
	struct symbolizer *s = symbolizer__new();
	struct sym_stats before, after;
	struct child a, b;

	(void)state;
	assert_non_null(mkdtemp(dir));
	fixture_path(src, sizeof(src), "target-pie");
	snprintf(path, sizeof(path), "%s/copy", dir);
	copy_file(src, path, SIZE_MAX);
	child_start(src, &a);
	child_start(path, &b);
	assert_int_equal(symbolizer__capture_pid(s, a.pid), 0);
	/* Symbols are read at the first lookup, not at capture. */
	symbolizer__stats(s, &before);
	assert_int_equal(before.files_parsed, 0);
	expect_user(s, a.pid, a.alpha, "fl_target_alpha", "/target-pie");
	symbolizer__stats(s, &before);
	assert_int_equal(before.files_parsed, 1);
	assert_int_equal(symbolizer__capture_pid(s, b.pid), 0);
	expect_user(s, b.pid, b.alpha, "fl_target_alpha", "/copy");
	symbolizer__stats(s, &after);
	assert_int_equal(after.files_parsed, before.files_parsed);
	assert_int_equal(after.processes, 2);
	child_stop(&a);
	child_stop(&b);
	symbolizer__forget_pid(s, a.pid);
	symbolizer__stats(s, &after);
	assert_int_equal(after.processes, 1);
	unlink(path);
	rmdir(dir);
	symbolizer__free(s);
}

static char ns_dir[] = "/tmp/faultline-symns.XXXXXX";

/* In the child: a private tmpfs over ns_dir that only its mount namespace sees. */
static void exec_in_private_mount(const char *path)
{
	char dst[128];

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tmpfs", ns_dir, "tmpfs", 0, NULL))
		return;
	snprintf(dst, sizeof(dst), "%s/hidden", ns_dir);
	if (!copy_raw(path, dst, SIZE_MAX))
		execl(dst, dst, (char *)NULL);
}

static int can_unshare_mounts(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(unshare(CLONE_NEWNS) ? 1 : 0);
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

/* A file only the process's mount namespace has: read through /proc/PID/root. */
static void test_mount_namespace(void **state)
{
	struct symbolizer *s;
	struct sym_mapping map;
	struct child c;
	char src[512];

	(void)state;
	if (!can_unshare_mounts())
		skip();
	assert_non_null(mkdtemp(ns_dir));
	fixture_path(src, sizeof(src), "target-pie");
	child_start_in(src, &c, exec_in_private_mount);
	s = symbolizer__new();
	assert_int_equal(symbolizer__capture_pid(s, c.pid), 0);
	expect_user(s, c.pid, c.beta, "fl_target_beta", "/hidden");
	assert_int_equal(symbolizer__mapping(s, c.pid, c.beta, &map), 0);
	assert_non_null(map.open_path);
	assert_int_equal(strncmp(map.open_path, "/proc/", 6), 0);
	child_stop(&c);
	symbolizer__free(s);
	assert_int_equal(rmdir(ns_dir), 0);
}

__attribute__((noinline)) int sym_test_self_function(int x)
{
	return x * 7;
}

static void test_self(void **state)
{
	struct symbolizer *s = symbolizer__new();
	struct sym_result r;

	(void)state;
	assert_int_equal(sym_test_self_function(1), 7);
	expect_user(s, getpid(), (uint64_t)sym_test_self_function + 3, "sym_test_self_function",
		    "test_sym_elf");
	/*
	 * A shared library (.dynsym, or its debug file when installed, where
	 * getpid is the weak alias of the global __getpid).
	 */
	assert_int_equal(symbolizer__user(s, getpid(), (uint64_t)getpid, &r), 0);
	assert_non_null(ends_with(r.symbol, "getpid"));
	assert_true(r.sym_offset == 0);
	assert_non_null(strstr(r.module, "libc"));
	/* A versioned definition is named without its "@@GLIBC_x" suffix. */
	assert_int_equal(symbolizer__user(s, getpid(), (uint64_t)clock_gettime, &r), 0);
	assert_non_null(ends_with(r.symbol, "clock_gettime"));
	assert_null(strchr(r.symbol, '@'));
	symbolizer__free(s);
}

/* The vDSO has no file: it is read from our own image. */
static void test_vdso(void **state)
{
	struct symbolizer *s = symbolizer__new();
	uint64_t base = getauxval(AT_SYSINFO_EHDR), addr = 0;
	struct sym_mapping map;
	struct sym_result r;
	uint64_t a;

	(void)state;
	if (!base)
		skip();
	/* The vDSO's first page is its ELF header; code follows. Scan for a function. */
	for (a = base; a < base + 0x4000 && !addr; a += 16) {
		if (!symbolizer__user(s, getpid(), a, &r) && r.symbol &&
		    strstr(r.symbol, "clock_gettime"))
			addr = a;
	}
	assert_true(addr != 0);
	assert_string_equal(r.module, "[vdso]");
	assert_int_equal(symbolizer__mapping(s, getpid(), addr, &map), 0);
	assert_null(map.open_path);
	symbolizer__free(s);
}

/* Kernel threads have empty maps, every time: not mistaken for an exiting process. */
static void test_kernel_thread(void **state)
{
	struct symbolizer *s = symbolizer__new();
	struct sym_result r;
	char buf[16];
	FILE *f = fopen("/proc/2/maps", "r");
	int empty = f && !fgets(buf, sizeof(buf), f);

	(void)state;
	if (f)
		fclose(f);
	if (!empty) {
		symbolizer__free(s);
		skip();
	}
	assert_int_equal(symbolizer__capture_pid(s, 2), 0);
	assert_int_equal(symbolizer__capture_pid(s, 2), 0);
	symbolizer__user(s, 2, 0x401000, &r);
	assert_int_equal(r.kind, FRAME_UNKNOWN);
	symbolizer__free(s);
}

static void test_missing_pid(void **state)
{
	struct symbolizer *s = symbolizer__new();
	struct sym_mapping map;
	struct sym_result r;
	char name[64];

	(void)state;
	assert_int_equal(symbolizer__capture_pid(s, 0x3ffffff0), -ESRCH);
	assert_int_not_equal(symbolizer__user(s, 0x3ffffff0, 0x401000, &r), 0);
	assert_int_equal(r.kind, FRAME_UNKNOWN);
	sym_result__name(&r, name, sizeof(name));
	assert_string_equal(name, "[unknown] 0x401000");
	assert_int_equal(symbolizer__mapping(s, 0x3ffffff0, 0x401000, &map), -ESRCH);
	symbolizer__forget_pid(s, 0x3ffffff0);
	symbolizer__forget_pid(s, 12);
	assert_int_equal(symbolizer__capture_pid(s, -1), -EINVAL);
	symbolizer__free(s);
	symbolizer__free(NULL);
}

static void write_perf_map(int pid, const char *text, uid_t owner)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/perf-%d.map", pid);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	if (owner != geteuid())
		assert_int_equal(fchown(fd, owner, owner), 0);
	close(fd);
}

static void jit_lookup(int pid, struct sym_result *r)
{
	struct symbolizer *s = symbolizer__new();

	assert_non_null(s);
	assert_int_equal(symbolizer__capture_pid(s, pid), 0);
	symbolizer__user(s, pid, 0x100010, r);
	/* results stay valid until free; compare before */
	if (r->kind == FRAME_JIT)
		assert_string_equal(r->symbol, "LazyCompile:~jitted /app.js:1");
	symbolizer__free(s);
}

/* A JIT that keeps writing: new entries are picked up after the refresh interval. */
static void check_jit_growth(int pid)
{
	struct symbolizer *s = symbolizer__new();
	struct sym_result r;

	write_perf_map(pid, "100000 40 first\n", geteuid());
	assert_int_equal(symbolizer__capture_pid(s, pid), 0);
	assert_int_equal(symbolizer__user(s, pid, 0x100000, &r), 0);
	assert_string_equal(r.symbol, "first");
	assert_int_not_equal(symbolizer__user(s, pid, 0x200000, &r), 0);
	write_perf_map(pid, "100000 40 first\n200000 40 second\n", geteuid());
	usleep(1100 * 1000);
	assert_int_equal(symbolizer__user(s, pid, 0x200008, &r), 0);
	assert_int_equal(r.kind, FRAME_JIT);
	assert_string_equal(r.symbol, "second");
	symbolizer__free(s);
}

static void test_jit_perf_map(void **state)
{
	char path[512], mapfile[64];
	struct sym_result r;
	struct child c;

	(void)state;
	fixture_path(path, sizeof(path), "target-pie");
	child_start(path, &c);
	write_perf_map(c.pid, "100000 40 LazyCompile:~jitted /app.js:1\n", geteuid());
	jit_lookup(c.pid, &r);
	assert_int_equal(r.kind, FRAME_JIT);
	if (geteuid() == 0) {
		/* /tmp is world-writable: a map owned by someone else is ignored */
		write_perf_map(c.pid, "100000 40 LazyCompile:~jitted /app.js:1\n", 4242);
		jit_lookup(c.pid, &r);
		assert_int_equal(r.kind, FRAME_UNKNOWN);
	}
	snprintf(mapfile, sizeof(mapfile), "/tmp/perf-%d.map", c.pid);
	unlink(mapfile);
	check_jit_growth(c.pid);
	unlink(mapfile);
	child_stop(&c);
}

/* The address of a kernel function, from kallsyms itself. */
static uint64_t kallsyms_addr(const char *name)
{
	char line[512], sym[256], type;
	unsigned long long addr;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) == 3 && !strcmp(sym, name)) {
			fclose(f);
			return addr;
		}
	}
	fclose(f);
	return 0;
}

static void test_kernel(void **state)
{
	struct symbolizer *s = symbolizer__new();
	uint64_t addr = kallsyms_addr("vfs_read");
	struct sym_result r;
	struct timespec t0, t1;
	char name[64];
	int i;

	(void)state;
	if (!addr) {
		symbolizer__free(s);
		skip();
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(symbolizer__kernel(s, addr + 4, &r), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("kallsyms load + first lookup: %.1f ms\n",
		      (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	assert_int_equal(r.kind, FRAME_KERNEL);
	assert_string_equal(r.symbol, "vfs_read");
	assert_true(r.sym_offset == 4);
	assert_string_equal(r.module, "[kernel]");
	for (i = 0; i < 1000; i++)
		symbolizer__kernel(s, addr + i, &r);
	/* Unnamed kernel code is still kernel code, named by its address. */
	symbolizer__kernel(s, 0x1000, &r);
	assert_int_equal(r.kind, FRAME_KERNEL);
	assert_null(r.symbol);
	assert_string_equal(r.module, "[kernel]");
	sym_result__name(&r, name, sizeof(name));
	assert_string_equal(name, "[kernel]+0x1000");
	symbolizer__free(s);
}

static void test_names(void **state)
{
	struct sym_result r = { .kind = FRAME_USER, .addr = 0xdead };
	char buf[64];

	(void)state;
	sym_result__name(&r, buf, sizeof(buf));
	assert_string_equal(buf, "[unknown] 0xdead");
	r.module = "/usr/lib/x86_64-linux-gnu/libc.so.6";
	r.module_offset = 0x1234;
	sym_result__name(&r, buf, sizeof(buf));
	assert_string_equal(buf, "libc.so.6+0x1234");
	r.symbol = "a_rather_long_symbol_name";
	sym_result__name(&r, buf, 7);
	assert_string_equal(buf, "a_rath");
	r.kind = FRAME_LOST;
	sym_result__name(&r, buf, sizeof(buf));
	assert_string_equal(buf, "[lost stack]");
	sym_result__name(&r, NULL, 0);
}

static void open_and_probe(const char *path)
{
	struct elf_file *elf = NULL;
	uint64_t v, a;

	if (elf_file__open(path, NULL, NULL, &elf))
		return;
	for (a = 0; a < 0x3000; a += 0x40) {
		elf_file__offset_to_vaddr(elf, a, &v);
		elf_file__find(elf, a);
	}
	elf_file__free(elf);
}

/* Overwrites 8 random bytes, most of them in the ELF, program and section headers. */
static void damage(const char *path, size_t size, unsigned int *seed)
{
	unsigned char b;
	size_t j, off;
	int fd;

	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	for (j = 0; j < 8; j++) {
		b = rand_r(seed);
		off = (size_t)rand_r(seed);
		if (j < 4)
			off %= 64;
		else if (j < 6)
			off %= 1024;
		else
			off = size - 1 - off % 2048;
		assert_int_equal(pwrite(fd, &b, 1, off), 1);
	}
	close(fd);
}

/* Truncated and damaged ELF files: errors or partial answers, never a crash. */
static void test_corrupt_elf(void **state)
{
	static const size_t cuts[] = { 0, 1, 16, 63, 64, 200, 1000, 4096, 9000 };
	char src[512], path[] = "/tmp/faultline-corrupt.XXXXXX";
	unsigned int seed = 42;
	struct stat st;
	size_t i;
	int fd;

	(void)state;
	fixture_path(src, sizeof(src), "target-pie");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stat(src, &st), 0);
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		copy_file(src, path, cuts[i]);
		open_and_probe(path);
	}
	copy_file(src, path, st.st_size - 100);
	open_and_probe(path);
	for (i = 0; i < 40; i++) {
		copy_file(src, path, SIZE_MAX);
		damage(path, st.st_size, &seed);
		open_and_probe(path);
	}
	unlink(path);
}

/* PLT stubs are named "sym@plt" at the addresses objdump gives them. */
static void check_plt(const char *file)
{
	char path[512], cmd[600], line[256], name[128];
	struct elf_file *elf;
	const struct elf_sym *sym;
	unsigned long addr;
	int matched = 0;
	FILE *p;

	fixture_path(path, sizeof(path), file);
	assert_int_equal(elf_file__open(path, NULL, NULL, &elf), 0);
	snprintf(cmd, sizeof(cmd), "objdump -d '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		if (sscanf(line, "%lx <%127[^>]>:", &addr, name) != 2 || !strstr(name, "@plt"))
			continue;
		sym = elf_file__find(elf, addr + 4);
		/* .plt.got stubs (no jump slot) stay unnamed; never misnamed */
		if (!sym)
			continue;
		assert_string_equal(elf_file__sym_raw(elf, sym), name);
		matched++;
	}
	pclose(p);
	elf_file__free(elf);
	if (system("objdump --version >/dev/null 2>&1") == 0)
		assert_true(matched >= 3);	/* printf, read, fflush */
}

static void test_plt(void **state)
{
	(void)state;
	check_plt("target-pie");
	check_plt("target-nopie");
	check_plt("target-stripped");
}

/* Device files and FIFOs are refused without blocking, directories too. */
static void test_not_regular(void **state)
{
	char dir[] = "/tmp/faultline-fifo.XXXXXX", fifo[64];
	struct elf_file *elf;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(elf_file__open(fifo, NULL, NULL, &elf), -ENOEXEC);
	assert_int_equal(elf_file__open("/dev/null", NULL, NULL, &elf), -ENOEXEC);
	assert_int_equal(elf_file__open(dir, NULL, NULL, &elf), -ENOEXEC);
	assert_int_equal(elf_file__open("/nonexistent", NULL, NULL, &elf), -ENOENT);
	unlink(fifo);
	rmdir(dir);
}

/* Executable memory backed by a file that is not ELF: module+offset. */
static void test_not_elf_mapping(void **state)
{
	char path[] = "/tmp/faultline-notelf.XXXXXX", name[128], want[128];
	struct symbolizer *s = symbolizer__new();
	struct sym_result r;
	char junk[8192];
	void *mem;
	int fd;

	(void)state;
	memset(junk, 0xcc, sizeof(junk));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	mem = mmap(NULL, sizeof(junk), PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	close(fd);
	if (mem == MAP_FAILED) {	/* /tmp mounted noexec */
		unlink(path);
		symbolizer__free(s);
		skip();
	}
	assert_int_equal(symbolizer__user(s, getpid(), (uint64_t)mem + 0x10, &r), 0);
	assert_int_equal(r.kind, FRAME_USER);
	assert_null(r.symbol);
	sym_result__name(&r, name, sizeof(name));
	snprintf(want, sizeof(want), "%s+0x10", strrchr(path, '/') + 1);
	assert_string_equal(name, want);
	munmap(mem, sizeof(junk));
	unlink(path);
	symbolizer__free(s);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Numbers for the record (not asserted: these machines are shared and noisy). */
static void test_speed(void **state)
{
	struct symbolizer *s = symbolizer__new();
	uint64_t base = (uint64_t)getpid, hits = 0;
	struct elf_file *elf;
	struct timespec t0;
	struct sym_result r;
	double ms;
	long i, n = 1000000;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(symbolizer__user(s, getpid(), base, &r), 0);
	print_message("first lookup in libc (maps + ELF load): %.2f ms\n", ms_since(&t0));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		symbolizer__user(s, getpid(), base + (uint64_t)(i * 7919) % 0x100000, &r);
		hits += r.symbol != NULL;
	}
	ms = ms_since(&t0);
	print_message("%ld user lookups in %.1f ms: %.2f M/s (%llu named)\n", n, ms,
		      n / ms / 1e3, (unsigned long long)hits);
	assert_true(hits > 0);
	if (!elf_file__open(r.module, NULL, NULL, &elf)) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		elf_file__free(elf);
		assert_int_equal(elf_file__open(r.module, NULL, NULL, &elf), 0);
		print_message("%s: %zu symbols (%s) parsed in %.2f ms\n", r.module, elf->nsyms,
			      elf->source, ms_since(&t0));
		elf_file__free(elf);
	}
	symbolizer__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pie),
		cmocka_unit_test(test_nopie),
		cmocka_unit_test(test_stripped_debuglink),
		cmocka_unit_test(test_deleted_file),
		cmocka_unit_test(test_mount_namespace),
		cmocka_unit_test(test_cache_by_build_id),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_vdso),
		cmocka_unit_test(test_missing_pid),
		cmocka_unit_test(test_kernel_thread),
		cmocka_unit_test(test_jit_perf_map),
		cmocka_unit_test(test_kernel),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_corrupt_elf),
		cmocka_unit_test(test_plt),
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_not_elf_mapping),
		cmocka_unit_test(test_speed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
