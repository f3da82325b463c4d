// SPDX-License-Identifier: GPL-2.0
/* Choosing frame-pointer or DWARF unwinding for a run (see unwind_mode.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "unwind/unwind_dwarf.h"
#include "unwind/unwind_mode.h"

int unwind_mode_parse(const char *s)
{
	if (!strcmp(s, "auto"))
		return UNWIND_MODE_AUTO;
	if (!strcmp(s, "fp"))
		return UNWIND_MODE_FP;
	if (!strcmp(s, "dwarf") || !strcmp(s, "snapshot"))
		return UNWIND_MODE_DWARF;
	if (!strcmp(s, "kernel"))
		return UNWIND_MODE_KERNEL;
	return -1;
}

bool unwind_mode_try_kernel(enum unwind_mode m)
{
	return m == UNWIND_MODE_AUTO || m == UNWIND_MODE_KERNEL;
}

bool unwind_mode_kernel_required(enum unwind_mode m)
{
	return m == UNWIND_MODE_KERNEL;
}

int unwind_pid_lacks_frame_pointers(int pid)
{
	struct unwinder *u = unwinder__new();
	int lacks;

	if (!u)
		return -ENOMEM;
	lacks = unwinder__lacks_frame_pointers(u, pid);
	unwinder__free(u);
	return lacks;
}

/* The first target whose main binary lacks frame pointers, or 0. */
static int target_without_fp(const int *pids, int npids, int tid)
{
	struct unwinder *u = unwinder__new();
	int i, found = 0;

	if (!u)
		return 0;
	for (i = 0; i < npids && !found; i++)
		if (unwinder__lacks_frame_pointers(u, pids[i]) == 1)
			found = pids[i];
	if (!found && tid && unwinder__lacks_frame_pointers(u, tid) == 1)
		found = tid;
	unwinder__free(u);
	return found;
}

bool unwind_mode_use_dwarf(enum unwind_mode m, const int *pids, int npids, int tid, char *why,
			   size_t len)
{
	int pid;

	if (m == UNWIND_MODE_FP || m == UNWIND_MODE_KERNEL) {
		snprintf(why, len, "frame pointers (--unwind fp)");
		return false;
	}
	if (m == UNWIND_MODE_DWARF) {
		snprintf(why, len, "DWARF .eh_frame unwinding (--unwind dwarf)");
		return true;
	}
	if (!npids && !tid) {
		snprintf(why, len, "frame pointers (--unwind auto, whole system; "
			 "--unwind dwarf for binaries built without them)");
		return false;
	}
	pid = target_without_fp(pids, npids, tid);
	if (pid)
		snprintf(why, len, "DWARF .eh_frame unwinding (--unwind auto: the binary of "
			 "%d has no frame pointers)", pid);
	else
		snprintf(why, len, "frame pointers (--unwind auto: the targets' binaries "
			 "have them)");
	return pid != 0;
}
