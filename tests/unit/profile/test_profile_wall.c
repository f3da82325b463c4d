// SPDX-License-Identifier: GPL-2.0
/* profile --wall's leaf frames: the state, and disk waits told from other D sleeps. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <linux/types.h>

#include "profile/profile_wall.h"
#include "profile.h"
#include "offcpu.h"

#define K(n) { .name = (n), .kind = FRAME_KERNEL }

/* fsync on ext4, as a D sleep's kernel stack reads root first */
static const struct profile_frame fsync_stack[] = {
	K("entry_SYSCALL_64_after_hwframe"), K("do_syscall_64"), K("__x64_sys_fsync"),
	K("ext4_sync_file"), K("jbd2_log_wait_commit"), K("schedule"), K("__schedule"),
};
/* a D sleep on a mutex: no block I/O in sight */
static const struct profile_frame mutex_stack[] = {
	K("do_syscall_64"), K("__x64_sys_mkdir"), K("filename_create"),
	K("mutex_lock"), K("__mutex_lock.constprop.0"), K("schedule"), K("__schedule"),
};

static void test_states(void **state)
{
	(void)state;
	assert_string_equal(profile_wall_state_frame(OFFCPU_STATE_RUNNING, NULL, 0), "[running]");
	assert_string_equal(profile_wall_state_frame(OFFCPU_STATE_RUNNABLE, NULL, 0),
			    "[runnable]");
	assert_string_equal(profile_wall_state_frame(OFFCPU_STATE_INTERRUPTIBLE, fsync_stack, 7),
			    "[sleeping]");
	assert_string_equal(profile_wall_state_frame(OFFCPU_STATE_OTHER, NULL, 0),
			    "[stopped or other]");
	assert_string_equal(profile_wall_state_frame(0x1234, NULL, 0), "[stopped or other]");
}

static void test_disk_wait(void **state)
{
	struct profile_frame user_named_blk = { .name = "blk_fake", .kind = FRAME_USER };

	(void)state;
	assert_string_equal(profile_wall_state_frame(OFFCPU_STATE_UNINTERRUPTIBLE, fsync_stack, 7),
			    "[disk wait]");
	assert_string_equal(profile_wall_state_frame(OFFCPU_STATE_UNINTERRUPTIBLE, mutex_stack, 7),
			    "[uninterruptible]");
	/* only kernel frames count: a user function named like the block layer is not I/O */
	assert_string_equal(profile_wall_state_frame(OFFCPU_STATE_UNINTERRUPTIBLE,
						     &user_named_blk, 1), "[uninterruptible]");
	assert_string_equal(profile_wall_state_frame(OFFCPU_STATE_UNINTERRUPTIBLE, NULL, 0),
			    "[uninterruptible]");
	assert_true(profile_wall_is_block_io("io_schedule_timeout"));
	assert_true(profile_wall_is_block_io("folio_wait_writeback"));
	assert_true(profile_wall_is_block_io("submit_bio_wait"));
	assert_false(profile_wall_is_block_io("schedule_timeout"));
	assert_false(profile_wall_is_block_io("pipe_read"));
	assert_false(profile_wall_is_block_io(NULL));
}

static void test_names_round_trip(void **state)
{
	(void)state;
	assert_int_equal(profile_wall_state_of("[running]"), PROFILE_WALL_RUNNING);
	assert_int_equal(profile_wall_state_of("[sleeping]"), PROFILE_WALL_SLEEPING);
	assert_int_equal(profile_wall_state_of("[disk wait]"), PROFILE_WALL_DISK);
	assert_int_equal(profile_wall_state_of("main"), PROFILE_WALL_STATES);
	assert_string_equal(profile_wall_state_name(PROFILE_WALL_DISK), "disk wait");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_disk_wait),
		cmocka_unit_test(test_names_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
