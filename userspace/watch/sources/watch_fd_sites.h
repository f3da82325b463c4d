/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_FD_SITES_H
#define FAULTLINE_WATCH_FD_SITES_H

/*
 * Leak sites of the fd source: the BPF maps count, per (process, creating
 * user stack), the fds still open. These helpers read, rank, render and
 * sweep them; the pure ones (sort, site name) are unit-tested.
 */
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "watch_fd.h"
#include "watch/sources/watch_fd_verdict.h"

struct watch_ctx;

struct fd_site {
	uint32_t tgid;
	uint64_t stack;		/* key in fd_stacks, 0: no stack */
	int64_t count;		/* fds still open from it */
	uint64_t opened, closed;	/* since tracking of the process began */
	/* From its open fds in fd_open: the oldest one's creation time, kinds. */
	uint64_t oldest_ns;
	uint32_t kinds[FD_KINDS];
	uint32_t ended;
};

/* The fd source's maps, by fd. */
struct fd_maps {
	int open;	/* (tgid, fd) -> creating stack */
	int sites;	/* (tgid, stack) -> count */
	int stacks;	/* stack key -> frames */
	int dead;	/* exited tgids to sweep */
};

/*
 * Sites with a positive count, of @tgid (0: every process), into a new array
 * (*@out, free()). Returns how many, or -errno.
 */
int fd_sites_collect(int sites_fd, uint32_t tgid, struct fd_site **out);

/* Largest count first; equal counts by process, then stack. */
void fd_sites_sort(struct fd_site *s, size_t n);

/*
 * "leak_fd <- main <- __libc_start_main" from symbol names (leaf first): the
 * first @max names after leading frames in @skip_module (the C library's
 * syscall wrappers), all of them when every frame is there.
 */
void fd_site_name(const char *const *names, const char *const *modules, int n, int max,
		  char *buf, size_t len);

struct fd_sites_summary {
	int64_t tracked;	/* open fds tracked, with a creating stack or not */
	int64_t no_stack;	/* of those, without one: in no site */
	char top[1024];		/* the top site's fd_site_describe(); empty when none */
	enum fd_verdict top_verdict;
};

/*
 * The top @max sites of @tgid as a JSON array ({count, site, verdict,
 * summary, opened, closed, oldest_s, kinds, connections_ended, stack}),
 * leaks first, then by fds open; @limit is the process's RLIMIT_NOFILE (0:
 * unknown). Fills @sum. NULL on allocation failure.
 */
cJSON *fd_sites_json(struct watch_ctx *c, const struct fd_maps *m, uint32_t tgid, int max,
		     uint64_t limit, struct fd_sites_summary *sum);

/*
 * Drops the fd_open/fd_sites entries of exited processes listed in fd_dead.
 * Returns the processes swept, or -errno.
 */
int fd_sites_sweep(const struct fd_maps *m);

/*
 * Drops stored stacks no site with open fds refers to, when more than
 * @keep are stored; *@stored gets how many remain. Returns how many were
 * dropped, or -errno.
 */
int fd_stacks_sweep(const struct fd_maps *m, int keep, int *stored);

#endif
