// SPDX-License-Identifier: GPL-2.0
/* profile --wall: naming where each stack's time went. */
#include <string.h>
#include <linux/types.h>

#include "profile/profile_wall.h"
#include "profile.h"
#include "offcpu.h"

static const char *const frames[PROFILE_WALL_STATES] = {
	[PROFILE_WALL_RUNNING] = "[running]",
	[PROFILE_WALL_RUNNABLE] = "[runnable]",
	[PROFILE_WALL_SLEEPING] = "[sleeping]",
	[PROFILE_WALL_DISK] = "[disk wait]",
	[PROFILE_WALL_UNINTERRUPTIBLE] = "[uninterruptible]",
	[PROFILE_WALL_OTHER] = "[stopped or other]",
};

/*
 * Where a thread waits on a block device: io_schedule*() (what the kernel
 * counts as iowait), the block layer, the ext3/ext4 journal, and waits for
 * writeback of pages or buffers. A D sleep elsewhere (a mutex taken with
 * mutex_lock(), a network file system's RPC) stays "uninterruptible".
 */
static const char *const block_io_prefixes[] = {
	"io_schedule", "blk_", "__blk_", "bio_", "submit_bio", "__submit_bio", "jbd2_",
	"__jbd2_", "folio_wait_writeback", "__folio_wait_writeback", "wait_on_page_writeback",
	"__filemap_fdatawait", "filemap_fdatawait", "__wait_on_buffer", "wait_on_buffer",
	"blkdev_", "submit_bh",
};

bool profile_wall_is_block_io(const char *name)
{
	if (!name)
		return false;
	for (size_t i = 0; i < sizeof(block_io_prefixes) / sizeof(block_io_prefixes[0]); i++)
		if (!strncmp(name, block_io_prefixes[i], strlen(block_io_prefixes[i])))
			return true;
	return false;
}

static bool shows_block_io(const struct profile_frame *kernel, int n)
{
	for (int i = 0; i < n; i++)
		if (kernel[i].kind == FRAME_KERNEL && profile_wall_is_block_io(kernel[i].name))
			return true;
	return false;
}

const char *profile_wall_state_frame(uint32_t state, const struct profile_frame *kernel, int n)
{
	switch (state) {
	case OFFCPU_STATE_RUNNING:
		return frames[PROFILE_WALL_RUNNING];
	case OFFCPU_STATE_RUNNABLE:
		return frames[PROFILE_WALL_RUNNABLE];
	case OFFCPU_STATE_INTERRUPTIBLE:
		return frames[PROFILE_WALL_SLEEPING];
	case OFFCPU_STATE_UNINTERRUPTIBLE:
		return frames[shows_block_io(kernel, n) ? PROFILE_WALL_DISK :
							  PROFILE_WALL_UNINTERRUPTIBLE];
	default:
		return frames[PROFILE_WALL_OTHER];
	}
}

enum profile_wall_state profile_wall_state_of(const char *frame)
{
	for (int i = 0; i < PROFILE_WALL_STATES; i++)
		if (frame && !strcmp(frame, frames[i]))
			return i;
	return PROFILE_WALL_STATES;
}

const char *profile_wall_state_name(enum profile_wall_state s)
{
	static const char *const names[PROFILE_WALL_STATES] = {
		"running", "runnable", "sleeping", "disk wait", "uninterruptible",
		"stopped or other",
	};

	return s < PROFILE_WALL_STATES ? names[s] : "?";
}
