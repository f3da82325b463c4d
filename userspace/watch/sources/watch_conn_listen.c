// SPDX-License-Identifier: GPL-2.0
/*
 * conn_dropped: connections a listener's full accept queue turned away,
 * polled once a second from the listeners' drop counters (watch_listen.c).
 * The kernel drops those SYNs without an event of their own, so this is the
 * evidence: per listener, the count grew by N in the last interval.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "watch/watch_pipeline.h"
#include "watch/sources/watch_conn_fmt.h"
#include "watch/sources/watch_conn_listen.h"
#include "watch/sources/watch_listen.h"

#define POLL_NS 1000000000ULL

/* A listener as last seen, and who holds it once a drop made us look. */
struct seen {
	uint64_t inode;
	uint32_t drops;
	uint32_t owner;		/* 0: unknown or not looked up */
	uint32_t uid;
	int holders;
	bool looked_up;
	char comm[WATCH_COMM_LEN];
};

struct conn_listen {
	struct watch_ctx *ctx;
	const struct watch_opts *opts;
	struct watch_listeners now;
	struct seen *seen;
	size_t nseen;
	uint64_t last_ns;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static struct seen *find(struct conn_listen *l, uint64_t inode)
{
	for (size_t i = 0; i < l->nseen; i++)
		if (l->seen[i].inode == inode)
			return &l->seen[i];
	return NULL;
}

static bool owner_wanted(const struct watch_opts *o, uint32_t owner)
{
	if (!o->npids)
		return true;
	for (int i = 0; i < o->npids; i++)
		if (o->pids[i] == owner)
			return true;
	return false;
}

static void add_facts(struct watch_event *ev, const struct watch_listener *x,
		      const struct seen *s, uint32_t dropped, double secs)
{
	char addr[INET6_ADDRSTRLEN], ep[64];

	watch_conn_addr(x->family, x->addr, addr, sizeof(addr));
	watch_conn_endpoint(x->family, addr, x->port, ep, sizeof(ep));
	cJSON_AddStringToObject(ev->json, "direction", "inbound");
	cJSON_AddStringToObject(ev->json, "family", x->family == AF_INET6 ? "ipv6" : "ipv4");
	cJSON_AddStringToObject(ev->json, "daddr", addr);
	cJSON_AddNumberToObject(ev->json, "dport", x->port);
	cJSON_AddNumberToObject(ev->json, "dropped", dropped);
	cJSON_AddNumberToObject(ev->json, "interval_ms", (double)(int64_t)(secs * 1000));
	cJSON_AddNumberToObject(ev->json, "queued", x->queued);
	cJSON_AddNumberToObject(ev->json, "backlog", x->backlog);
	cJSON_AddNumberToObject(ev->json, "listener_inode", (double)x->inode);
	if (s->owner)
		cJSON_AddNumberToObject(ev->json, "holders", s->holders);
	watch_event_facts(ev, "listener %s dropped %u incoming connection packet%s in %.1f s "
			  "(SYNs or handshake ACKs, retries included); accept queue %u/%u",
			  ep, dropped, dropped == 1 ? "" : "s", secs, x->queued, x->backlog);
	if (!s->owner)
		watch_event_facts(ev, "; owner not found");
	else if (s->holders > 1)
		watch_event_facts(ev, "; held by %d processes", s->holders);
}

static void emit(struct conn_listen *l, const struct watch_listener *x, struct seen *s,
		 uint32_t dropped, uint64_t now)
{
	struct watch_header h = { .type = WATCH_EV_CONN_DROPPED, .ktime_ns = now };
	struct watch_event ev;

	if (!s->looked_up) {
		s->owner = watch_listen_owner(x->inode, s->comm, sizeof(s->comm), &s->uid,
					      &s->holders);
		s->looked_up = true;
	}
	if (!owner_wanted(l->opts, s->owner))
		return;
	h.tgid = h.tid = s->owner;
	h.uid = s->uid;
	/* no owner found: the kernel dropped them, no process is named */
	snprintf(h.comm, sizeof(h.comm), "%s", s->owner ? s->comm : "kernel");
	if (watch_event_begin(l->ctx, &ev, &h, WATCH_SEV_ERROR))
		return;
	add_facts(&ev, x, s, dropped, (now - l->last_ns) / 1e9);
	watch_emit(l->ctx, &ev);
}

/*
 * The seen list becomes @l->now's listeners, in its order, with their drops
 * as last seen and their owners carried over. @first: the baseline at start,
 * drops before the run are not its; later, a listener not seen before was
 * opened since the last poll and all its drops are new.
 */
static int remember(struct conn_listen *l, bool first)
{
	struct seen *v = calloc(l->now.n ? l->now.n : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < l->now.n; i++) {
		const struct seen *old = find(l, l->now.v[i].inode);

		if (old)
			v[i] = *old;
		v[i].inode = l->now.v[i].inode;
		if (!old)
			v[i].drops = first ? l->now.v[i].drops : 0;
	}
	free(l->seen);
	l->seen = v;
	l->nseen = l->now.n;
	return 0;
}

void watch_conn_listen_tick(struct conn_listen *l)
{
	uint64_t now = mono_ns();

	if (!l || now - l->last_ns < POLL_NS)
		return;
	/* A failed poll is retried next time: the counters keep the drops meanwhile. */
	if (watch_listen_dump(&l->now) || remember(l, false))
		return;
	for (size_t i = 0; i < l->now.n; i++) {
		const struct watch_listener *x = &l->now.v[i];
		struct seen *s = &l->seen[i];

		if (x->drops != s->drops)
			emit(l, x, s, x->drops - s->drops, now);
		s->drops = x->drops;
	}
	l->last_ns = now;
}

int watch_conn_listen_new(struct watch_ctx *ctx, const struct watch_opts *o,
			  struct conn_listen **out)
{
	struct conn_listen *l = calloc(1, sizeof(*l));
	int err;

	*out = NULL;
	if (!l)
		return -ENOMEM;
	l->ctx = ctx;
	l->opts = o;
	err = watch_listen_dump(&l->now);
	if (!err)
		err = remember(l, true);
	if (err) {
		watch_conn_listen_free(l);
		return err;
	}
	l->last_ns = mono_ns();
	*out = l;
	return 0;
}

void watch_conn_listen_free(struct conn_listen *l)
{
	if (!l)
		return;
	watch_listeners_free(&l->now);
	free(l->seen);
	free(l);
}
