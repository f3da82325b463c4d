// SPDX-License-Identifier: GPL-2.0
/* What every BPF command needs before it loads anything. */
#include <errno.h>
#include <string.h>

#include "base/lifecycle.h"
#include "base/log.h"
#include "base/privs.h"
#include "base/tracefs.h"
#include "cli/cli.h"

int cli_prepare_kernel(const char *cmd, bool tracefs)
{
	bool mounted;
	int err;

	if (privs_require_bpf(cmd) || privs_require_btf(cmd))
		return -EPERM;
	if (tracefs) {
		err = tracefs_ensure(&mounted);
		if (err) {
			log_error("%s: tracefs is not mounted and mounting it failed: %s", cmd,
				  strerror(-err));
			return err;
		}
	}
	err = lifecycle_install();
	if (err)
		log_error("%s: cannot install signal handlers: %s", cmd, strerror(-err));
	return err;
}
