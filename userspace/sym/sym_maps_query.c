// SPDX-License-Identifier: GPL-2.0
/*
 * The executable mappings of a process through the PROCMAP_QUERY ioctl on
 * /proc/PID/maps (Linux 6.11): the kernel reports only the executable ones,
 * instead of printing every mapping as text for us to filter. The one
 * difference: the legacy [vsyscall] page is not a mapping of the process and
 * is not reported (nothing runs code there any more).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/types.h>

#include "sym/sym_maps.h"

/* From include/uapi/linux/fs.h (6.11); the build's kernel headers may predate it. */
#ifndef PROCMAP_QUERY
#define PROCMAP_QUERY_VMA_EXECUTABLE 0x04
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10

struct procmap_query {
	__u64 size;
	__u64 query_flags;
	__u64 query_addr;
	__u64 vma_start;
	__u64 vma_end;
	__u64 vma_flags;
	__u64 vma_page_size;
	__u64 vma_offset;
	__u64 inode;
	__u32 dev_major;
	__u32 dev_minor;
	__u32 vma_name_size;
	__u32 build_id_size;
	__u64 vma_name_addr;
	__u64 build_id_addr;
};

#define PROCMAP_QUERY _IOWR('f', 17, struct procmap_query)
#endif

#define DELETED_SUFFIX " (deleted)"

/* The mapping as a maps line would describe it. */
static void to_line(const struct procmap_query *q, const char *name, struct maps_line *l)
{
	size_t len = q->vma_name_size ? strlen(name) : 0, slen = strlen(DELETED_SUFFIX);

	memset(l, 0, sizeof(*l));
	l->start = q->vma_start;
	l->end = q->vma_end;
	l->pgoff = q->vma_offset;
	l->dev_major = q->dev_major;
	l->dev_minor = q->dev_minor;
	l->inode = q->inode;
	memcpy(l->perms, "--x-", 5);
	l->path = len ? name : "";
	if (len > slen && name[0] == '/' && !memcmp(name + len - slen, DELETED_SUFFIX, slen)) {
		l->deleted = true;
		len -= slen;
	}
	l->path_len = len;
}

static void hexify(const unsigned char *id, size_t len, char out[MAPS_BUILD_ID_HEX])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len && 2 * i + 2 < MAPS_BUILD_ID_HEX; i++) {
		out[2 * i] = hex[id[i] >> 4];
		out[2 * i + 1] = hex[id[i] & 0xf];
	}
	out[2 * i] = '\0';
}

/* The build-id comes along (when the kernel could read it): no need to open the file. */
static int query_all(int fd, struct maps_exec **v, size_t *n, size_t *cap)
{
	unsigned char id[(MAPS_BUILD_ID_HEX - 1) / 2];
	struct procmap_query q;
	struct maps_line l;
	char name[PATH_MAX];
	__u64 addr = 0;
	int err;

	for (;;) {
		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		q.query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA | PROCMAP_QUERY_VMA_EXECUTABLE;
		q.query_addr = addr;
		q.vma_name_addr = (__u64)(uintptr_t)name;
		q.vma_name_size = sizeof(name);
		q.build_id_addr = (__u64)(uintptr_t)id;
		q.build_id_size = sizeof(id);
		/* ESRCH: no memory (a kernel thread, an exited process), as empty text. */
		if (ioctl(fd, PROCMAP_QUERY, &q))
			return errno == ENOENT || errno == ESRCH ? 0 : -errno;
		to_line(&q, name, &l);
		err = maps_push_exec(&l, v, n, cap);
		if (err)
			return err;
		hexify(id, q.build_id_size, (*v)[*n - 1].build_id);
		addr = q.vma_end;
	}
}

int maps_query_exec(int pid, struct maps_exec **out, size_t *n)
{
	struct maps_exec *v = NULL;
	size_t cap = 0;
	char path[64];
	int fd, err;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	err = query_all(fd, &v, n, &cap);
	close(fd);
	if (err == -EINVAL || err == -ENOTTY)
		err = -EOPNOTSUPP;
	if (err) {
		maps_exec_free(v, *n);
		*n = 0;
		return err;
	}
	*out = v;
	return 0;
}
