/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_RSS_PRIV_H
#define FAULTLINE_WATCH_RSS_PRIV_H

/* The rss source's state, shared by its loader and its summaries. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "watch/watch_internal.h"
#include "watch_rss.h"

#define RSS_TOP_STACKS 10		/* stacks listed in an rss_growth event */
#define RSS_INTERVAL_NS (5ULL * 1000000000)	/* between periodic summaries */

/* A process that took steps: what its last summary said, and its name. */
struct rss_seen {
	uint32_t tgid;
	uint64_t grown, returned;	/* as of its last summary */
	char comm[WATCH_COMM_LEN];
};

struct rss_priv {
	struct watch_rss_bpf *skel;
	uint64_t step;
	uint64_t next_summary_ns, next_check_ns;
	struct rss_seen *seen;
	size_t nseen, seen_cap;
};

enum rss_when {
	RSS_PERIODIC,
	RSS_FINAL,		/* the watch ends */
	RSS_EXITED,		/* the process exited */
};

/* One entry of the sites map. */
struct rss_site_item {
	struct watch_rss_key key;
	struct watch_rss_site site;
};

/* The entry of @tgid, created (with @comm, may be NULL) when absent; NULL without memory. */
struct rss_seen *rss_seen_get(struct rss_priv *p, uint32_t tgid, const char *comm);

/*
 * Emits one rss_growth event for each process of the procs map that took
 * steps (periodic: only those that changed since their last one).
 */
int rss_emit_all(struct watch_source *s, enum rss_when when);
/* The exited process @tgid's last rss_growth event; then its entries are deleted. */
int rss_emit_exited(struct watch_source *s, uint32_t tgid);

#endif
