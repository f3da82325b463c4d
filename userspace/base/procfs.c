// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>

#include "base/procfs.h"

int proc_tgid(int pid)
{
	char path[64], line[256];
	int tgid = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid > 0 ? tgid : -ENOENT;
}
