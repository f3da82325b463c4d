/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_FD_VERDICT_H
#define FAULTLINE_WATCH_FD_VERDICT_H

/*
 * Leaked or held: what the evidence gathered for one fd site supports
 * (docs/semantics.md, "fds: leaked vs held"). Pure logic, unit-tested.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "watch_fd.h"

#define FD_KINDS (WATCH_FD_KIND_CONNECTED + 1)
/* A site leaks only with at least this many fds open from it... */
#define FD_LEAK_MIN_FDS 8
/* ...the oldest open this long, or holding half the process's limit. */
#define FD_LEAK_MIN_AGE_S 10

/* One site's counts since tracking of its process began, and its open fds now. */
struct fd_site_facts {
	int64_t open;		/* still open */
	uint64_t opened, closed;
	double oldest_s;	/* age of the oldest open fd; < 0: unknown */
	uint32_t kinds[FD_KINDS];	/* open fds by enum watch_fd_open_kind */
	uint32_t ended;		/* open connections whose connection is over */
};

enum fd_verdict {
	FD_HELD,		/* held open: no evidence they will never be closed */
	FD_LEAKED,		/* nothing closed, old or at the limit */
	FD_LEAKED_ENDED,	/* connections kept open after they ended */
};

/* @limit: the process's RLIMIT_NOFILE, 0 when unknown. */
enum fd_verdict fd_site_verdict(const struct fd_site_facts *f, uint64_t limit);

/* "leak" or "held", as JSON says it. */
const char *fd_verdict_name(enum fd_verdict v);

/* What the fds are: "accepted connections", "fds" when of several kinds. */
const char *fd_site_noun(const struct fd_site_facts *f);

/*
 * One sentence about the site named @name: "34 accepted connections held
 * open by ngx_event_accept (oldest 41 s)", "200 fds leaked by leak_fd: 200
 * opened, none closed (oldest 12 s)".
 */
void fd_site_describe(const struct fd_site_facts *f, enum fd_verdict v, const char *name,
		      char *buf, size_t len);

#endif
