// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mount.h>

#include "base/log.h"
#include "base/tracefs.h"

#define TRACEFS "/sys/kernel/tracing"
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"

const char *tracefs_root(void)
{
	/*
	 * Same order as libbpf, so our answer matches what its attach will use.
	 * AT_EACCESS: a non-root user with CAP_DAC_READ_SEARCH (the systemd unit)
	 * can search the root-only directory; plain access() would ignore that.
	 */
	if (!faccessat(AT_FDCWD, DEBUGFS_TRACING "/events", F_OK, AT_EACCESS))
		return DEBUGFS_TRACING;
	if (!faccessat(AT_FDCWD, TRACEFS "/events", F_OK, AT_EACCESS))
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
