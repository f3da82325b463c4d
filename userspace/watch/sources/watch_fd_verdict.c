// SPDX-License-Identifier: GPL-2.0
/*
 * Leaked or held. Every fd a process holds is "still open"; only some are
 * leaked. A listener, or a connection whose peer is still there, is held on
 * purpose however long it lives. A connection kept open after it ended (the
 * peer closed or reset it) is the footprint of a missing close(). Other fds
 * leak when their site never closed one while it piled up: open for a while,
 * or enough of them to take half the process's limit.
 */
#include <inttypes.h>
#include <stdio.h>

#include "watch/sources/watch_fd_verdict.h"

static uint32_t live_conns(const struct fd_site_facts *f)
{
	uint32_t conns = f->kinds[WATCH_FD_KIND_ACCEPTED] + f->kinds[WATCH_FD_KIND_CONNECTED];

	return conns - (f->ended < conns ? f->ended : conns);
}

enum fd_verdict fd_site_verdict(const struct fd_site_facts *f, uint64_t limit)
{
	uint64_t held_sockets = live_conns(f) + f->kinds[WATCH_FD_KIND_LISTENER];

	if (f->ended >= FD_LEAK_MIN_FDS)
		return FD_LEAKED_ENDED;
	/* Mostly listeners and live connections: held, whatever else it made. */
	if (held_sockets * 2 >= (uint64_t)(f->open > 0 ? f->open : 0) && held_sockets)
		return FD_HELD;
	if (f->closed || f->open < FD_LEAK_MIN_FDS)
		return FD_HELD;
	if (f->oldest_s >= FD_LEAK_MIN_AGE_S || (limit && (uint64_t)f->open * 2 >= limit))
		return FD_LEAKED;
	return FD_HELD;
}

const char *fd_verdict_name(enum fd_verdict v)
{
	return v == FD_HELD ? "held" : "leak";
}

const char *fd_site_noun(const struct fd_site_facts *f)
{
	static const char *const nouns[FD_KINDS] = {
		[WATCH_FD_KIND_OTHER] = "fds",
		[WATCH_FD_KIND_SOCKET] = "sockets",
		[WATCH_FD_KIND_LISTENER] = "listening sockets",
		[WATCH_FD_KIND_ACCEPTED] = "accepted connections",
		[WATCH_FD_KIND_CONNECTED] = "outgoing connections",
	};
	int kind = -1;

	for (int k = 0; k < FD_KINDS; k++) {
		if (!f->kinds[k])
			continue;
		if (kind >= 0)
			return "fds";
		kind = k;
	}
	/* Kinds come from the open fds, read a moment apart from the counts: all that agree. */
	return kind < 0 ? "fds" : nouns[kind];
}

static void age_text(double s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "age unknown");
	else if (s < 10)
		snprintf(buf, len, "oldest %.1f s", s);
	else
		snprintf(buf, len, "oldest %.0f s", s);
}

void fd_site_describe(const struct fd_site_facts *f, enum fd_verdict v, const char *name,
		      char *buf, size_t len)
{
	char age[32];

	age_text(f->oldest_s, age, sizeof(age));
	if (v == FD_LEAKED_ENDED)
		snprintf(buf, len, "%" PRIu32 " connections leaked by %s: still open after the "
			 "peer closed or reset them (%" PRId64 " open from there, %s)", f->ended,
			 name, f->open, age);
	else if (v == FD_LEAKED)
		snprintf(buf, len, "%" PRId64 " %s leaked by %s: %" PRIu64 " opened, none closed "
			 "(%s)", f->open, fd_site_noun(f), name, f->opened, age);
	else
		snprintf(buf, len, "%" PRId64 " %s held open by %s (%s)", f->open, fd_site_noun(f),
			 name, age);
}
