// SPDX-License-Identifier: GPL-2.0
/* The cgroup path of a process, from /proc, or from its v2 id once it is gone. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cgroup.h"
#include "watch_internal.h"

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

/* nftw has no user argument: the walk is single-threaded, so statics do. */
static uint64_t walk_want;
static char *walk_out;
static size_t walk_len, walk_root_len;

static int walk_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_D || st->st_ino != walk_want)
		return 0;
	snprintf(walk_out, walk_len, "%s", path[walk_root_len] ? path + walk_root_len : "/");
	return 1;
}

static int cgroup_path_of_id(uint64_t id, char *buf, size_t len)
{
	char root[256];
	int err = cgroup_v2_root(root, sizeof(root));

	if (err)
		return err;
	walk_want = id;
	walk_out = buf;
	walk_len = len;
	walk_root_len = strlen(root);
	return nftw(root, walk_cb, 16, FTW_PHYS) == 1 ? 0 : -ENOENT;
}

int watch_cgroup_path(struct watch_ctx *c, uint32_t pid, uint64_t cgid, char *buf, size_t len)
{
	struct watch_cgroup_cache_entry *e;
	int i;

	if (pid && !read_proc_cgroup(pid, buf, len))
		return 0;
	if (!cgid)
		return -ENOENT;
	for (i = 0; i < WATCH_CGROUP_CACHE; i++) {
		if (c->cg_cache[i].id == cgid) {
			snprintf(buf, len, "%s", c->cg_cache[i].path);
			return 0;
		}
	}
	if (cgroup_path_of_id(cgid, buf, len))
		return -ENOENT;
	e = &c->cg_cache[c->cg_next];
	c->cg_next = (c->cg_next + 1) % WATCH_CGROUP_CACHE;
	e->id = cgid;
	snprintf(e->path, sizeof(e->path), "%s", buf);
	return 0;
}
