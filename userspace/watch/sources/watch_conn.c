// SPDX-License-Identifier: GPL-2.0
/* conn_refused and conn_error: loader and decoder for bpf/watch_conn.bpf.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/log.h"
#include "watch/watch_pipeline.h"
#include "watch_conn.h"
#include "watch_conn.skel.h"
#include "watch/sources/watch_conn_fmt.h"
#include "watch/sources/watch_conn_listen.h"

struct conn_priv {
	struct watch_conn_bpf *skel;
	struct conn_listen *listen;	/* NULL: accept-queue drops not watched */
};

/* Listeners' accept-queue drops: polled, so no hook; said so when unavailable. */
static void listen_setup(struct watch_source *s, struct conn_priv *p, const struct watch_opts *o)
{
	int err;

	if (o->cgroup_id) {
		watch_source_skipped(s, "accept-queue drops (listeners are not tied to cgroups)");
		return;
	}
	err = watch_conn_listen_new(s->ctx, o, &p->listen);
	if (err)
		watch_source_skipped(s, "accept-queue drops (sock_diag: %s)", strerror(-err));
	else
		watch_source_attached(s, "sock_diag listener drop counters (polled each second)");
}

static int conn_load(struct watch_source *s, const struct watch_opts *o)
{
	struct conn_priv *p = calloc(1, sizeof(*p));
	const char *hook;
	int err;

	if (!p)
		return -ENOMEM;
	s->priv = p;
	p->skel = watch_conn_bpf__open();
	if (!p->skel) {
		err = -errno;
		goto fail;
	}
	watch_set_common_rodata(&WATCH_COMMON_RODATA(p->skel->rodata), o);
	hook = watch_source_prepare(s, o, p->skel->obj, p->skel->maps.events, "conn");
	if (!hook)
		return -EOPNOTSUPP;
	err = watch_source_start(s, p->skel->skeleton, hook, p->skel->maps.events,
				 p->skel->maps.counters);
	if (err)
		goto fail;
	if (o->npids || o->cgroup_id)
		watch_source_skipped(s, "inbound refusals (no process owns a closed port)");
	listen_setup(s, p, o);
	return 0;
fail:
	log_error("watch: conn: cannot load or attach the socket tracepoints: %s", strerror(-err));
	return err;
}

static void conn_free(struct watch_source *s)
{
	struct conn_priv *p = s->priv;

	if (!p)
		return;
	watch_conn_bpf__destroy(p->skel);
	watch_conn_listen_free(p->listen);
	free(p);
	s->priv = NULL;
}

static void add_addrs(struct watch_event *ev, const struct watch_conn_event *e)
{
	char saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN], src[64], dst[64];

	watch_conn_addr(e->family, e->saddr, saddr, sizeof(saddr));
	watch_conn_addr(e->family, e->daddr, daddr, sizeof(daddr));
	cJSON_AddStringToObject(ev->json, "family", e->family == AF_INET6 ? "ipv6" : "ipv4");
	if (e->sport || e->direction == WATCH_CONN_INBOUND) {
		cJSON_AddStringToObject(ev->json, "saddr", saddr);
		cJSON_AddNumberToObject(ev->json, "sport", e->sport);
	}
	cJSON_AddStringToObject(ev->json, "daddr", daddr);
	cJSON_AddNumberToObject(ev->json, "dport", e->dport);
	watch_conn_endpoint(e->family, saddr, e->sport, src, sizeof(src));
	watch_conn_endpoint(e->family, daddr, e->dport, dst, sizeof(dst));
	if (e->direction == WATCH_CONN_INBOUND)
		watch_event_facts(ev, "no listener on %s: SYN from %s%s answered with RST", dst, src,
				  e->flags & WATCH_CONN_F_LOOPBACK ? " (this host)" : "");
	else
		watch_event_facts(ev, "connect to %s", dst);
}

static void add_outbound(struct watch_event *ev, const struct watch_conn_event *e,
			 const char *errname)
{
	double ms = e->hdr.ktime_ns > e->connect_ns ? (e->hdr.ktime_ns - e->connect_ns) / 1e6 : 0;
	bool nonblock = e->mode == WATCH_CONN_NONBLOCKING;
	bool no_listener = e->flags & WATCH_CONN_F_NO_LISTENER;

	cJSON_AddStringToObject(ev->json, "mode", nonblock ? "nonblocking" : "blocking");
	cJSON_AddNumberToObject(ev->json, "fd", e->fd);
	cJSON_AddNumberToObject(ev->json, "elapsed_ms", (double)(int64_t)(ms * 1000) / 1000);
	if (no_listener)
		cJSON_AddBoolToObject(ev->json, "no_listener", true);
	watch_event_facts(ev, " failed: %s (%s connect, fd %d, after %.1f ms)%s", errname,
			  nonblock ? "non-blocking" : "blocking", e->fd, ms,
			  no_listener ? "; nothing listens on that port on this host" : "");
}

static int conn_handle(struct watch_source *s, const void *data, size_t size)
{
	const struct watch_conn_event *e = data;
	bool inbound = e->direction == WATCH_CONN_INBOUND;
	struct watch_header hdr;
	struct watch_event ev;
	const char *errname;

	if (size < sizeof(*e) || (e->hdr.type != WATCH_EV_CONN_REFUSED &&
				  e->hdr.type != WATCH_EV_CONN_ERROR))
		return -EINVAL;
	hdr = e->hdr;
	if (inbound)	/* the kernel answered, no process: "kernel", never a pid 0 */
		snprintf(hdr.comm, sizeof(hdr.comm), "kernel");
	if (watch_event_begin(s->ctx, &ev, &hdr, inbound ? WATCH_SEV_WARNING : WATCH_SEV_ERROR))
		return -ENOMEM;
	errname = strerrorname_np(e->err) ?: "unknown";
	cJSON_AddStringToObject(ev.json, "errno", errname);
	cJSON_AddStringToObject(ev.json, "direction", inbound ? "inbound" : "outbound");
	add_addrs(&ev, e);
	if (!inbound)
		add_outbound(&ev, e, errname);
	watch_event_add_header_stack(s->ctx, &ev, &e->hdr, &e->stacks);
	watch_emit(s->ctx, &ev);
	return 0;
}

static void conn_tick(struct watch_source *s)
{
	struct conn_priv *p = s->priv;

	watch_conn_listen_tick(p->listen);
}

const struct watch_source_ops watch_conn_ops = {
	.name = "conn",
	.summary = "conn_refused, conn_error, conn_dropped: refused/failed TCP connects, SYNs to "
		   "closed ports, connections dropped by full accept queues",
	.load = conn_load,
	.handle = conn_handle,
	.tick = conn_tick,
	.counter_names = { "inbound_not_selectable", "connect_collected_error",
			   "loopback_rst_in_client_event" },
	.free = conn_free,
};
