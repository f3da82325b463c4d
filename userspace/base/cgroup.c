// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "base/cgroup.h"

/* Finds the first mount of @fstype whose options contain @opt (NULL: any). */
static int find_mount(const char *fstype, const char *opt, char *buf, size_t len)
{
	struct mntent *m;
	FILE *f = setmntent("/proc/self/mounts", "r");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while ((m = getmntent(f))) {
		if (strcmp(m->mnt_type, fstype) || (opt && !hasmntopt(m, opt)))
			continue;
		snprintf(buf, len, "%s", m->mnt_dir);
		err = 0;
		break;
	}
	endmntent(f);
	return err;
}

int cgroup_v2_root(char *buf, size_t len)
{
	return find_mount("cgroup2", NULL, buf, len);
}

int cgroup_memory_controller(char *buf, size_t len)
{
	char root[256], path[300], line[512];
	FILE *f;
	int err;

	if (!find_mount("cgroup", "memory", buf, len))
		return 0;
	err = cgroup_v2_root(root, sizeof(root));
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	err = -ENOENT;
	if (fgets(line, sizeof(line), f) && strstr(line, "memory")) {
		snprintf(buf, len, "%s", root);
		err = 0;
	}
	fclose(f);
	return err;
}

int cgroup_id_of_path(const char *path, uint64_t *id)
{
	struct {
		struct file_handle fh;
		uint64_t cgid;
	} h = { .fh.handle_bytes = sizeof(uint64_t) };
	char root[256], full[512];
	struct statfs sfs;
	int mount_id, err;

	if (path[0] != '/') {
		err = cgroup_v2_root(root, sizeof(root));
		if (err)
			return err;
		snprintf(full, sizeof(full), "%s/%s", root, path);
		path = full;
	}
	if (statfs(path, &sfs))
		return -errno;
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -EMEDIUMTYPE;
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0))
		return -errno;
	*id = h.cgid;
	return 0;
}
