// SPDX-License-Identifier: GPL-2.0
/* Wait reasons from off-CPU kernel stacks, as a 6.18 kernel took them at sched_switch. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "watch/wait_reason.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *const pipe_read[] = {
	"__schedule", "schedule", "anon_pipe_read", "vfs_read", "ksys_read", "do_syscall_64",
	"entry_SYSCALL_64_after_hwframe",
};
static const char *const futex[] = {
	"__schedule", "schedule", "futex_do_wait", "__futex_wait", "futex_wait", "do_futex",
	"__x64_sys_futex", "do_syscall_64", "entry_SYSCALL_64_after_hwframe",
};
static const char *const tcp[] = {
	"__schedule", "schedule", "schedule_timeout", "wait_woken", "sk_wait_data",
	"tcp_recvmsg_locked", "tcp_recvmsg", "sock_recvmsg", "__sys_recvfrom",
	"__x64_sys_recvfrom", "do_syscall_64", "entry_SYSCALL_64_after_hwframe",
};
static const char *const udp[] = {
	"__schedule", "schedule", "schedule_timeout", "__skb_wait_for_more_packets",
	"__skb_recv_udp", "udp_recvmsg", "sock_recvmsg", "__sys_recvfrom", "__x64_sys_recvfrom",
	"do_syscall_64",
};
static const char *const unix_stream[] = {
	"__schedule", "schedule", "schedule_timeout", "unix_stream_read_generic",
	"unix_stream_recvmsg", "sock_recvmsg", "__sys_recvfrom", "__x64_sys_recvfrom",
};
static const char *const poll[] = {
	"__schedule", "schedule", "schedule_hrtimeout_range_clock",
	"poll_schedule_timeout.constprop.0", "do_sys_poll", "__x64_sys_poll", "do_syscall_64",
};
static const char *const epoll[] = {
	"__schedule", "schedule", "schedule_hrtimeout_range_clock", "do_epoll_wait",
	"__x64_sys_epoll_wait", "do_syscall_64",
};
static const char *const sleep_[] = {
	"__schedule", "schedule", "do_nanosleep", "hrtimer_nanosleep", "common_nsleep",
	"__x64_sys_clock_nanosleep", "do_syscall_64",
};
static const char *const fsync_flush[] = {
	"__schedule", "schedule", "schedule_timeout", "io_schedule_timeout",
	"wait_for_completion_io_timeout", "submit_bio_wait", "blkdev_issue_flush",
	"ext4_sync_file", "do_fsync", "__x64_sys_fsync",
};
static const char *const fsync_writeback[] = {
	"__schedule", "schedule", "io_schedule", "folio_wait_bit", "folio_wait_writeback",
	"__filemap_fdatawait_range", "file_write_and_wait_range",
	"generic_buffers_fsync_noflush", "ext4_fsync_nojournal.constprop.0", "ext4_sync_file",
};
/* A fault that waits for nothing on disk (a lock on the mm). */
static const char *const fault[] = {
	"__schedule", "schedule", "rwsem_down_read_slowpath", "lock_mm_and_find_vma",
	"do_user_addr_fault", "exc_page_fault", "asm_exc_page_fault",
};
/* The exit path a stack taken at sys_exit shows: no wait in it. */
static const char *const exit_path[] = {
	"syscall_exit_work", "do_syscall_64", "entry_SYSCALL_64_after_hwframe",
};
static const char *const unnamed[] = { NULL, NULL };

static void test_reasons_of_real_stacks(void **state)
{
	(void)state;
	assert_int_equal(wait_reason_classify(pipe_read, N(pipe_read)), WAIT_PIPE);
	assert_int_equal(wait_reason_classify(futex, N(futex)), WAIT_FUTEX);
	assert_int_equal(wait_reason_classify(tcp, N(tcp)), WAIT_TCP);
	assert_int_equal(wait_reason_classify(udp, N(udp)), WAIT_UDP);
	assert_int_equal(wait_reason_classify(unix_stream, N(unix_stream)), WAIT_UNIX);
	assert_int_equal(wait_reason_classify(poll, N(poll)), WAIT_POLL);
	assert_int_equal(wait_reason_classify(epoll, N(epoll)), WAIT_POLL);
	assert_int_equal(wait_reason_classify(sleep_, N(sleep_)), WAIT_SLEEP);
	assert_int_equal(wait_reason_classify(fsync_flush, N(fsync_flush)), WAIT_DISK);
	assert_int_equal(wait_reason_classify(fsync_writeback, N(fsync_writeback)), WAIT_DISK);
	assert_int_equal(wait_reason_classify(fault, N(fault)), WAIT_PAGE_FAULT);
}

/* A generic socket wait (sk_wait_data) is the protocol's further up the stack. */
static void test_generic_socket_frames_yield(void **state)
{
	(void)state;
	assert_int_equal(wait_reason_classify(udp, 5), WAIT_SOCKET);
	assert_int_equal(wait_reason_classify(tcp, 5), WAIT_SOCKET);
	assert_int_equal(wait_reason_classify(tcp, 6), WAIT_TCP);
}

static void test_unknown_stays_unknown(void **state)
{
	(void)state;
	assert_int_equal(wait_reason_classify(exit_path, N(exit_path)), WAIT_OTHER);
	assert_int_equal(wait_reason_classify(unnamed, N(unnamed)), WAIT_OTHER);
	assert_int_equal(wait_reason_classify(NULL, 0), WAIT_UNKNOWN);
	assert_int_equal(wait_reason_classify(pipe_read, 0), WAIT_UNKNOWN);
	/* "schedule" alone, or a name that only begins like a known one, says nothing */
	assert_int_equal(wait_reason_classify(pipe_read, 2), WAIT_OTHER);
	assert_int_equal(wait_reason_classify((const char *const[]){ "pipe_reader" }, 1),
			 WAIT_OTHER);
}

static void test_names_round_trip(void **state)
{
	(void)state;
	for (int r = 0; r < WAIT__COUNT; r++) {
		assert_int_equal(wait_reason_from_name(wait_reason_name(r)), r);
		assert_non_null(wait_reason_phrase(r));
	}
	assert_string_equal(wait_reason_name(WAIT_DISK), "disk_io");
	assert_string_equal(wait_reason_phrase(WAIT_PIPE), "waiting on a pipe");
	assert_int_equal(wait_reason_from_name("nonesuch"), WAIT_UNKNOWN);
	assert_int_equal(wait_reason_from_name(NULL), WAIT_UNKNOWN);
	assert_string_equal(wait_state_name(1), "S");
	assert_string_equal(wait_state_name(2), "D");
	assert_null(wait_state_name(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reasons_of_real_stacks),
		cmocka_unit_test(test_generic_socket_frames_yield),
		cmocka_unit_test(test_unknown_stays_unknown),
		cmocka_unit_test(test_names_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
