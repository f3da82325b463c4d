// SPDX-License-Identifier: GPL-2.0
/*
 * --cgroup PATH: what the BPF filter compares. A cgroup v2 directory gives
 * its id and depth (bpf_get_current_ancestor_cgroup_id); a cgroup v1
 * directory gives its kernfs id and its controller's enum cgroup_subsys_id,
 * read from the kernel's BTF, for a walk up the task's css on that hierarchy.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <bpf/btf.h>
#include <linux/magic.h>

#include "base/cgroup.h"
#include "watch/watch_internal.h"

static int v2_level(const char *path, uint32_t *level)
{
	char root[256], full[PATH_MAX], rel[PATH_MAX];
	int err = cgroup_v2_root(root, sizeof(root));

	if (err)
		return err;
	snprintf(rel, sizeof(rel), "%s%s%s", path[0] == '/' ? "" : root,
		 path[0] == '/' ? "" : "/", path);
	if (!realpath(rel, full))
		return -errno;
	if (strncmp(full, root, strlen(root)))
		return -EMEDIUMTYPE;
	*level = 0;
	for (const char *p = full + strlen(root); *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			(*level)++;
	return 0;
}

/* The controllers of the cgroup v1 mount holding @path, e.g. "memory" or "cpu,cpuacct". */
static int v1_controller(const char *path, char *ctrl, size_t len)
{
	static const char *const known[] = { "cpuset", "cpu", "cpuacct", "blkio", "memory",
					     "devices", "freezer", "net_cls", "perf_event",
					     "net_prio", "hugetlb", "pids", "rdma", "misc", NULL };
	FILE *f = setmntent("/proc/self/mounts", "r");
	size_t best = 0;
	struct mntent *m;

	if (!f)
		return -errno;
	ctrl[0] = '\0';
	while ((m = getmntent(f))) {
		size_t n = strlen(m->mnt_dir);

		if (strcmp(m->mnt_type, "cgroup") || strncmp(path, m->mnt_dir, n) || n < best ||
		    (path[n] && path[n] != '/'))
			continue;
		for (int i = 0; known[i]; i++) {
			if (hasmntopt(m, known[i])) {
				snprintf(ctrl, len, "%s", known[i]);
				best = n;
				break;
			}
		}
	}
	endmntent(f);
	return ctrl[0] ? 0 : -ENOENT;
}

/* enum cgroup_subsys_id value of @ctrl ("blkio" is io_cgrp_id) from vmlinux BTF. */
static int subsys_id(const char *ctrl)
{
	char want[64];
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *t;
	int id, ret = -ENOENT;

	if (!btf)
		return -errno;
	snprintf(want, sizeof(want), "%s_cgrp_id", strcmp(ctrl, "blkio") ? ctrl : "io");
	id = btf__find_by_name_kind(btf, "cgroup_subsys_id", BTF_KIND_ENUM);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	for (int i = 0; t && i < btf_vlen(t); i++) {
		const struct btf_enum *e = btf_enum(t) + i;

		if (!strcmp(btf__name_by_offset(btf, e->name_off), want))
			ret = e->val;
	}
	btf__free(btf);
	return ret;
}

static int kernfs_id(const char *path, uint64_t *id)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = { .fh.handle_bytes = sizeof(uint64_t) };
	int mount_id;

	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0))
		return -errno;
	*id = h.id;
	return 0;
}

static int v1_target(const char *path, struct watch_opts *o)
{
	char full[PATH_MAX], ctrl[32];
	int err, ssid;

	if (!realpath(path, full))
		return -errno;
	err = v1_controller(full, ctrl, sizeof(ctrl));
	if (err)
		return -EMEDIUMTYPE;	/* e.g. the name=systemd hierarchy: no controller */
	ssid = subsys_id(ctrl);
	if (ssid < 0)
		return ssid;
	err = kernfs_id(full, &o->cgroup_id);
	if (err)
		return err;
	o->cgroup_ssid = ssid;
	return 0;
}

int watch_cgroup_target(const char *path, struct watch_opts *o)
{
	struct statfs sfs;
	int err = cgroup_id_of_path(path, &o->cgroup_id);

	if (!err)
		return v2_level(path, &o->cgroup_level);
	if (err != -EMEDIUMTYPE)
		return err;
	if (statfs(path, &sfs))
		return -errno;
	if (sfs.f_type != CGROUP_SUPER_MAGIC)
		return -EMEDIUMTYPE;
	return v1_target(path, o);
}
