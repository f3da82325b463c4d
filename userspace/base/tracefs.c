// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <unistd.h>
#include <sys/mount.h>

#include "base/log.h"
#include "base/tracefs.h"

#define TRACEFS "/sys/kernel/tracing"
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"

const char *tracefs_root(void)
{
	/* Same order as libbpf, so our answer matches what its attach will use. */
	if (!access(DEBUGFS_TRACING "/events", F_OK))
		return DEBUGFS_TRACING;
	if (!access(TRACEFS "/events", F_OK))
		return TRACEFS;
	return NULL;
}

int tracefs_ensure(bool *mounted_now)
{
	*mounted_now = false;
	if (tracefs_root())
		return 0;
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL))
		return -errno;
	pr_info("mounted tracefs at %s\n", TRACEFS);
	*mounted_now = true;
	return tracefs_root() ? 0 : -ENOENT;
}
