// SPDX-License-Identifier: GPL-2.0
/* -p targets: resolved to processes before the run, watched for their end during it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/procfs.h"
#include "watch/watch_internal.h"

static bool have_pid(const struct watch_opts *o, int n, uint32_t pid)
{
	for (int i = 0; i < n; i++)
		if (o->pids[i] == pid)
			return true;
	return false;
}

int watch_resolve_pids(struct watch_opts *o)
{
	int n = 0;

	for (int i = 0; i < o->npids; i++) {
		int tgid = proc_tgid(o->pids[i]);

		if (tgid < 0) {
			log_error("watch: -p %u: no such process", o->pids[i]);
			return -ESRCH;
		}
		if ((uint32_t)tgid != o->pids[i])
			pr_warn("Note: watch: %u is a thread of process %d: watching the process\n",
				o->pids[i], tgid);
		if (!have_pid(o, n, tgid))
			o->pids[n++] = tgid;
	}
	o->npids = n;
	return 0;
}

bool watch_process_gone(uint32_t pid)
{
	char path[64], buf[512], *paren;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return true;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return !paren || paren[1] != ' ' || paren[2] == 'Z' || paren[2] == 'X';
}

bool watch_targets_gone(const struct watch_opts *o)
{
	if (!o->npids)
		return false;
	for (int i = 0; i < o->npids; i++)
		if (!watch_process_gone(o->pids[i]))
			return false;
	return true;
}
