// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel symbols that appear after kallsyms was first read: a BPF program
 * loaded later is named once kallsyms is read again.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <cmocka.h>

#include "sym/symbolizer.h"

/* A two-instruction program ("return 0"), its fd and the address of its JIT image. */
static int load_prog(const char *name, uint64_t *addr)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	__u64 ksym = 0;
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, name, "GPL", insns, 2, NULL);
	if (fd < 0)
		return -errno;
	info.nr_jited_ksyms = 1;
	info.jited_ksyms = (uintptr_t)&ksym;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || !ksym) {
		close(fd);
		return -ENOENT;
	}
	*addr = ksym;
	return fd;
}

static void test_bpf_prog_loaded_later(void **state)
{
	struct symbolizer *s = symbolizer__new();
	struct sym_stats st;
	struct sym_result r;
	uint64_t addr = 0;
	int fd;

	(void)state;
	assert_non_null(s);
	/* kallsyms is read now, before the program exists. */
	if (symbolizer__kernel(s, 0xffffffff81000000ULL, &r) == -EPERM) {
		symbolizer__free(s);
		skip();
	}
	fd = load_prog("fl_symtest", &addr);
	if (fd < 0) {
		symbolizer__free(s);
		skip();
	}
	symbolizer__set_kernel_reload_ms(s, 0);
	assert_int_equal(symbolizer__kernel(s, addr + 1, &r), 0);
	assert_int_equal(r.kind, FRAME_KERNEL);
	assert_non_null(r.symbol);
	assert_true(!strncmp(r.symbol, "bpf_prog_", 9));
	assert_non_null(strstr(r.symbol, "_fl_symtest"));
	assert_string_equal(r.module, "[bpf]");
	assert_true(r.sym_offset == 1);
	symbolizer__stats(s, &st);
	assert_true(st.kernel_reloads >= 1);
	close(fd);
	symbolizer__free(s);
}

/* Not more often than asked: a miss within the interval does not re-read. */
static void test_reload_rate_limited(void **state)
{
	struct symbolizer *s = symbolizer__new();
	struct sym_stats st;
	struct sym_result r;

	(void)state;
	assert_non_null(s);
	symbolizer__set_kernel_reload_ms(s, 3600e3);
	symbolizer__kernel(s, 0xffffffff81000000ULL, &r);
	for (int i = 0; i < 100; i++)
		symbolizer__kernel(s, 0x1000 + i, &r);
	assert_int_equal(r.kind, FRAME_KERNEL);
	symbolizer__stats(s, &st);
	assert_int_equal(st.kernel_reloads, 0);
	symbolizer__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bpf_prog_loaded_later),
		cmocka_unit_test(test_reload_rate_limited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
