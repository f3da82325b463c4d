/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_UNWIND_MODE_H
#define FAULTLINE_UNWIND_MODE_H

#include <stdbool.h>
#include <stddef.h>

/* --unwind: how user stacks are walked. */
enum unwind_mode {
	UNWIND_MODE_AUTO,	/* .eh_frame in the kernel; where it cannot load, as below */
	UNWIND_MODE_FP,		/* frame pointers, in the kernel */
	UNWIND_MODE_DWARF,	/* .eh_frame, in userspace, from stack copies ("snapshot") */
	UNWIND_MODE_KERNEL,	/* .eh_frame tables walked in the kernel, or fail */
};

/* "auto", "kernel", "fp", "dwarf" or "snapshot"; -1 when none of them. */
int unwind_mode_parse(const char *s);

/* Whether to try the in-kernel unwinder first, and whether it must load. */
bool unwind_mode_try_kernel(enum unwind_mode m);

/*
 * Whether @pid's main binary was built without frame pointers (the sample of
 * its functions' prologues the auto mode goes by): 1, 0, or -errno unknown.
 */
int unwind_pid_lacks_frame_pointers(int pid);
bool unwind_mode_kernel_required(enum unwind_mode m);

/*
 * Without the in-kernel unwinder: whether this run unwinds with DWARF; @why (for -v) says which and why.
 * auto looks at the main binary of each target (-p PIDs, --tid): one built
 * without frame pointers is enough. Without targets auto keeps frame
 * pointers: unwinding every process on the host in userspace costs more.
 */
bool unwind_mode_use_dwarf(enum unwind_mode m, const int *pids, int npids, int tid, char *why,
			   size_t len);

#endif
