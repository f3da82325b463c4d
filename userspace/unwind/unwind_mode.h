/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_UNWIND_MODE_H
#define FAULTLINE_UNWIND_MODE_H

#include <stdbool.h>
#include <stddef.h>

/* --unwind: how user stacks are walked. */
enum unwind_mode {
	UNWIND_MODE_AUTO,	/* DWARF when a target's binary has no frame pointers */
	UNWIND_MODE_FP,		/* frame pointers, in the kernel */
	UNWIND_MODE_DWARF,	/* .eh_frame, in userspace, from stack copies */
};

/* "fp", "dwarf" or "auto"; -1 when none of them. */
int unwind_mode_parse(const char *s);

/*
 * Whether this run unwinds with DWARF; @why (for -v) says which and why.
 * auto looks at the main binary of each target (-p PIDs, --tid): one built
 * without frame pointers is enough. Without targets auto keeps frame
 * pointers: unwinding every process on the host in userspace costs more.
 */
bool unwind_mode_use_dwarf(enum unwind_mode m, const int *pids, int npids, int tid, char *why,
			   size_t len);

#endif
