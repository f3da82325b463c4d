// SPDX-License-Identifier: GPL-2.0
/* The cgroup path of an event: from its cgroup v2 id, else from /proc/PID/cgroup. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "base/cgroup.h"
#include "watch/watch_internal.h"

static int read_proc_cgroup(uint32_t pid, char *buf, size_t len)
{
	char path[64], text[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -ENOENT;
	text[n] = '\0';
	return watch_pick_cgroup(text, buf, len);
}

#define FILEID_KERNFS 0xfe	/* the handle type name_to_handle_at gives cgroupfs */

/*
 * The path of cgroup v2 @id, relative to the v2 root: the inverse of
 * cgroup_id_of_path(), by opening the directory by its handle (no tree walk).
 */
static int cgroup_path_of_id(uint64_t id, char *buf, size_t len)
{
	struct {
		struct file_handle fh;
		uint64_t cgid;
	} h = { .fh.handle_bytes = sizeof(uint64_t), .fh.handle_type = FILEID_KERNFS, .cgid = id };
	char root[256], link[64], target[512];
	int err, mnt, fd;
	size_t rlen;
	ssize_t n;

	err = cgroup_v2_root(root, sizeof(root));
	if (err)
		return err;
	mnt = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mnt < 0)
		return -errno;
	fd = open_by_handle_at(mnt, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	err = fd < 0 ? -errno : 0;
	close(mnt);
	if (err)
		return err;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	target[n] = '\0';
	rlen = strlen(root);
	if (strncmp(target, root, rlen) || (target[rlen] && target[rlen] != '/'))
		return -ENOENT;
	snprintf(buf, len, "%s", target[rlen] ? target + rlen : "/");
	return 0;
}

/* Cached per id, failures too (an empty path), so each id is resolved once. */
static int cached_path_of_id(struct watch_ctx *c, uint64_t cgid, char *buf, size_t len)
{
	struct watch_cgroup_cache_entry *e;

	for (int i = 0; i < WATCH_CGROUP_CACHE; i++) {
		e = &c->cg_cache[i];
		if (e->id == cgid) {
			snprintf(buf, len, "%s", e->path);
			return e->path[0] ? 0 : -ENOENT;
		}
	}
	e = &c->cg_cache[c->cg_next];
	c->cg_next = (c->cg_next + 1) % WATCH_CGROUP_CACHE;
	e->id = cgid;
	if (cgroup_path_of_id(cgid, e->path, sizeof(e->path)))
		e->path[0] = '\0';
	snprintf(buf, len, "%s", e->path);
	return e->path[0] ? 0 : -ENOENT;
}

/*
 * The v2 id of the event, resolved once per cgroup, unless it is the root
 * (on hybrid hosts the v1 controllers then tell more, from /proc/PID/cgroup).
 */
int watch_cgroup_path(struct watch_ctx *c, uint32_t pid, uint64_t cgid, char *buf, size_t len)
{
	if (cgid && !cached_path_of_id(c, cgid, buf, len) && strcmp(buf, "/"))
		return 0;
	if (pid && !read_proc_cgroup(pid, buf, len))
		return 0;
	return cgid ? cached_path_of_id(c, cgid, buf, len) : -ENOENT;
}
