// SPDX-License-Identifier: GPL-2.0
/* watch's pure logic: time format, cgroup/container, option parsing, syscall tables. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/syscall_names.h"
#include "watch/watch_internal.h"
#include "watch/sources/watch_signal_names.h"
#include "watch/sources/watch_slow_cfg.h"

static char *read_fixture(const char *name, char *buf, size_t len)
{
	char path[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "tests/fixtures/watch/%s", name);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_rfc3339(void **state)
{
	char buf[40];

	(void)state;
	watch_format_rfc3339(1700000000123456789ULL, buf, sizeof(buf));
	assert_string_equal(buf, "2023-11-14T22:13:20.123456Z");
	watch_format_rfc3339(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00.000000Z");
}

static void test_pick_cgroup(void **state)
{
	char text[1024], path[256];

	(void)state;
	assert_int_equal(watch_pick_cgroup(read_fixture("cgroup_v1_memory.txt", text,
							sizeof(text)), path, sizeof(path)), 0);
	assert_string_equal(path, "/faultline-test-42");
	assert_int_equal(watch_pick_cgroup(read_fixture("cgroup_docker.txt", text, sizeof(text)),
					   path, sizeof(path)), 0);
	assert_string_equal(path, "/system.slice/docker-4f1e5c3a9b2d8e7f6a5b4c3d2e1f0a9b8c7d6e5f"
			    "4a3b2c1d0e9f8a7b6c5d4e3f.scope");
	assert_int_equal(watch_pick_cgroup("0::/\n", path, sizeof(path)), 0);
	assert_string_equal(path, "/");
	assert_int_equal(watch_pick_cgroup("", path, sizeof(path)), -ENOENT);
}

static void test_container_id(void **state)
{
	const char *hex = "4f1e5c3a9b2d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f";
	char path[256], id[80], rt[16];

	(void)state;
	snprintf(path, sizeof(path), "/system.slice/docker-%s.scope", hex);
	assert_true(watch_container_id(path, id, sizeof(id), rt, sizeof(rt)));
	assert_string_equal(id, hex);
	assert_string_equal(rt, "docker");
	snprintf(path, sizeof(path), "/kubepods/burstable/pod1234-5678/%s", hex);
	assert_true(watch_container_id(path, id, sizeof(id), rt, sizeof(rt)));
	assert_string_equal(rt, "kubernetes");
	snprintf(path, sizeof(path), "/kubepods.slice/kubepods-besteffort.slice/"
		 "cri-containerd-%s.scope", hex);
	assert_true(watch_container_id(path, id, sizeof(id), rt, sizeof(rt)));
	assert_string_equal(id, hex);
	assert_string_equal(rt, "containerd");
	snprintf(path, sizeof(path), "/crio-%s.scope", hex);
	assert_true(watch_container_id(path, id, sizeof(id), rt, sizeof(rt)));
	assert_string_equal(rt, "cri-o");
	assert_false(watch_container_id("/user.slice/user-0.slice", id, sizeof(id), rt,
					sizeof(rt)));
	/* 64 hex digits but no runtime marker: not claimed as a container. */
	snprintf(path, sizeof(path), "/something/%s", hex);
	assert_false(watch_container_id(path, id, sizeof(id), rt, sizeof(rt)));
}

static void test_parse_events(void **state)
{
	char bad[32];
	uint32_t mask;

	(void)state;
	assert_int_equal(watch_parse_events("slow", &mask, bad, sizeof(bad)), 0);
	assert_int_equal(mask, 1u << watch_source_find("slow"));
	assert_int_equal(watch_parse_events("oom,signal", &mask, bad, sizeof(bad)), 0);
	assert_int_equal(mask, 1u << watch_source_find("oom") | 1u << watch_source_find("signal"));
	assert_int_equal(watch_parse_events("all", &mask, bad, sizeof(bad)), 0);
	assert_int_equal(mask, (1u << watch_source_count()) - 1);
	assert_int_equal(watch_parse_events("oom,bogus", &mask, bad, sizeof(bad)), -EINVAL);
	assert_string_equal(bad, "bogus");
	assert_int_equal(watch_parse_events(",", &mask, bad, sizeof(bad)), -EINVAL);
}

static void test_slow_threshold(void **state)
{
	struct watch_opts o;

	(void)state;
	watch_opts_init(&o);
	assert_int_equal(o.slow_threshold_ns, 100000000ULL);
	assert_int_equal(watch_parse_slow_threshold(&o, "250"), 0);
	assert_int_equal(o.slow_threshold_ns, 250000000ULL);
	assert_int_equal(watch_parse_slow_threshold(&o, "fsync=20"), 0);
	assert_int_equal(o.nslow_overrides, 1);
	assert_int_equal(o.slow_overrides[0].nr, syscall_nr("fsync"));
	assert_int_equal(o.slow_overrides[0].threshold_ns, 20000000ULL);
	assert_int_equal(watch_parse_slow_threshold(&o, "fsync=30"), 0);
	assert_int_equal(o.nslow_overrides, 1);
	assert_int_equal(watch_parse_slow_threshold(&o, "nosuchcall=5"), -EINVAL);
	assert_int_equal(watch_parse_slow_threshold(&o, "read="), -EINVAL);
	assert_int_equal(watch_parse_slow_threshold(&o, "=5"), -EINVAL);
	assert_int_equal(watch_parse_slow_threshold(&o, "0"), -EINVAL);
	assert_int_equal(watch_parse_slow_threshold(&o, "abc"), -EINVAL);
}

static void test_syscall_names(void **state)
{
	(void)state;
	assert_string_equal(syscall_name(0), "read");
	assert_string_equal(syscall_name(110), "getppid");
	assert_string_equal(syscall_name(202), "futex");
	assert_null(syscall_name(-1));
	assert_null(syscall_name(100000));
	assert_int_equal(syscall_nr("fsync"), 74);
	assert_int_equal(syscall_nr("clock_nanosleep"), 230);
	assert_int_equal(syscall_nr("nope"), -1);
	assert_true(syscall_max_nr() < WATCH_SLOW_NR_MAX);
}

static void test_slow_cfg(void **state)
{
	static struct watch_slow_cfg cfg[WATCH_SLOW_NR_MAX];
	struct watch_opts o;

	(void)state;
	watch_opts_init(&o);
	assert_int_equal(watch_parse_slow_threshold(&o, "fsync=20"), 0);
	assert_int_equal(watch_parse_slow_threshold(&o, "write=0"), 0);
	assert_int_equal(watch_slow_build_cfg(&o, cfg, WATCH_SLOW_NR_MAX), 20000000ULL);
	assert_int_equal(cfg[syscall_nr("read")].threshold_ns, 100000000ULL);
	assert_true(cfg[syscall_nr("read")].flags & WATCH_SLOW_FD_ARG0);
	assert_int_equal(cfg[syscall_nr("fsync")].threshold_ns, 20000000ULL);
	assert_int_equal(cfg[syscall_nr("write")].threshold_ns, 0);
	assert_int_equal(cfg[syscall_nr("epoll_wait")].threshold_ns, 0);
	assert_int_equal(cfg[syscall_nr("nanosleep")].threshold_ns, 0);
	assert_true(cfg[syscall_nr("futex")].flags & WATCH_SLOW_FUTEX);
	/* waiting for a peer: recv* always, read/readv when the fd is a socket */
	assert_int_equal(cfg[syscall_nr("recvfrom")].threshold_ns, 0);
	assert_int_equal(cfg[syscall_nr("recvmsg")].threshold_ns, 0);
	assert_true(cfg[syscall_nr("read")].flags & WATCH_SLOW_SOCK_READ);
	assert_true(cfg[syscall_nr("readv")].flags & WATCH_SLOW_SOCK_READ);
	assert_false(cfg[syscall_nr("pread64")].flags & WATCH_SLOW_SOCK_READ);
	/* a threshold named for it asks for it, socket reads included */
	assert_int_equal(watch_parse_slow_threshold(&o, "readv=30"), 0);
	assert_int_equal(watch_parse_slow_threshold(&o, "recvfrom=40"), 0);
	watch_slow_build_cfg(&o, cfg, WATCH_SLOW_NR_MAX);
	assert_false(cfg[syscall_nr("readv")].flags & WATCH_SLOW_SOCK_READ);
	assert_int_equal(cfg[syscall_nr("recvfrom")].threshold_ns, 40000000ULL);
	o.nslow_overrides = 0;
	/* rename's two paths; renameat's after their directory fds (1-based). */
	assert_int_equal(cfg[syscall_nr("rename")].path_arg[0], 1);
	assert_int_equal(cfg[syscall_nr("rename")].path_arg[1], 2);
	assert_int_equal(cfg[syscall_nr("renameat2")].path_arg[1], 4);
	assert_int_equal(cfg[syscall_nr("renameat2")].dirfd_arg[1], 3);
	assert_int_equal(cfg[syscall_nr("fsync")].path_arg[0], 0);
	o.slow_all = true;
	watch_slow_build_cfg(&o, cfg, WATCH_SLOW_NR_MAX);
	assert_int_equal(cfg[syscall_nr("epoll_wait")].threshold_ns, 100000000ULL);
	assert_int_equal(cfg[syscall_nr("recvfrom")].threshold_ns, 100000000ULL);
	assert_false(cfg[syscall_nr("read")].flags & WATCH_SLOW_SOCK_READ);
	assert_false(cfg[syscall_nr("futex")].flags & WATCH_SLOW_FUTEX);
}

static void test_signal_names(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(watch_signal_name(SIGSEGV), "SIGSEGV");
	assert_string_equal(watch_signal_name(SIGKILL), "SIGKILL");
	assert_string_equal(watch_si_code_name(SIGSEGV, 1), "SEGV_MAPERR");
	assert_string_equal(watch_si_code_name(SIGBUS, 2), "BUS_ADRERR");
	assert_string_equal(watch_si_code_name(SIGKILL, 0), "SI_USER");
	assert_string_equal(watch_si_code_name(SIGKILL, 0x80), "SI_KERNEL");
	assert_string_equal(watch_si_code_name(SIGSEGV, 99), "99");
	watch_exit_status_text(3 << 8, buf, sizeof(buf));
	assert_string_equal(buf, "exit status 3");
	watch_exit_status_text(SIGSEGV | 0x80, buf, sizeof(buf));
	assert_string_equal(buf, "killed by SIGSEGV (core dumped)");
}

static void test_call_site(void **state)
{
	/* The 7 bytes before a return address, from real x86-64 code. */
	static const uint8_t rel32[] = { 0x90, 0x90, 0xe8, 0x34, 0x12, 0x00, 0x00 };
	static const uint8_t rip_ind[] = { 0x90, 0xff, 0x15, 0x10, 0x20, 0x30, 0x00 };
	static const uint8_t reg[] = { 0x90, 0x90, 0x90, 0x90, 0x90, 0xff, 0xd0 };
	static const uint8_t rex_reg[] = { 0x90, 0x90, 0x90, 0x90, 0x41, 0xff, 0xd3 };
	static const uint8_t disp8[] = { 0x90, 0x90, 0x90, 0x90, 0xff, 0x50, 0x18 };
	static const uint8_t mov[] = { 0x48, 0x89, 0xc7, 0x48, 0x89, 0xe5, 0xc3 };
	static const uint8_t jmp_reg[] = { 0x90, 0x90, 0x90, 0x90, 0x90, 0xff, 0xe0 };

	(void)state;
	assert_true(watch_is_call_site(rel32, sizeof(rel32)));
	assert_true(watch_is_call_site(rip_ind, sizeof(rip_ind)));
	assert_true(watch_is_call_site(reg, sizeof(reg)));
	assert_true(watch_is_call_site(rex_reg, sizeof(rex_reg)));
	assert_true(watch_is_call_site(disp8, sizeof(disp8)));
	assert_false(watch_is_call_site(mov, sizeof(mov)));
	assert_false(watch_is_call_site(jmp_reg, sizeof(jmp_reg)));	/* ff /4 */
	assert_false(watch_is_call_site(rel32, 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_pick_cgroup),
		cmocka_unit_test(test_container_id),
		cmocka_unit_test(test_parse_events),
		cmocka_unit_test(test_slow_threshold),
		cmocka_unit_test(test_syscall_names),
		cmocka_unit_test(test_slow_cfg),
		cmocka_unit_test(test_signal_names),
		cmocka_unit_test(test_call_site),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
