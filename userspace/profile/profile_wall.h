/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PROFILE_WALL_H
#define FAULTLINE_PROFILE_WALL_H

#include <stdbool.h>
#include <stdint.h>

#include "output/stack_profile.h"

/*
 * profile --wall: the leaf pseudo-frame that says where a stack's time went,
 * from the state its thread was in (OFFCPU_STATE_*, offcpu.h) and, for an
 * uninterruptible sleep, whether its kernel stack shows block I/O.
 */

/* Whether kernel function @name waits for block I/O (or is how the kernel counts iowait). */
bool profile_wall_is_block_io(const char *name);

/*
 * "[running]", "[runnable]", "[sleeping]", "[disk wait]", "[uninterruptible]"
 * or "[stopped or other]"; @kernel[@n] the stack's kernel frames, any order.
 */
const char *profile_wall_state_frame(uint32_t state, const struct profile_frame *kernel, int n);

/* What profile_collect_stats.wall_us is indexed by. */
enum profile_wall_state {
	PROFILE_WALL_RUNNING,
	PROFILE_WALL_RUNNABLE,
	PROFILE_WALL_SLEEPING,
	PROFILE_WALL_DISK,
	PROFILE_WALL_UNINTERRUPTIBLE,
	PROFILE_WALL_OTHER,
	PROFILE_WALL_STATES,
};

/* The state named by a frame profile_wall_state_frame() returned, and back. */
enum profile_wall_state profile_wall_state_of(const char *frame);
const char *profile_wall_state_name(enum profile_wall_state s);

#endif
