// SPDX-License-Identifier: GPL-2.0
/*
 * Listening TCP sockets: once from /proc/net/tcp and /proc/net/tcp6 at the
 * start, then as they appear, from bpf/listen.bpf.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "base/vec.h"
#include "record/recording_procs.h"
#include "listen.h"
#include "listen.skel.h"

#define TCP_LISTEN 0x0A

/* The kernel prints each 32-bit word of the address in host byte order. */
static int hex_addr(const char *hex, bool v6, char *buf, size_t len)
{
	unsigned char raw[16];
	size_t words = v6 ? 4 : 1;

	if (strlen(hex) != words * 8)
		return -EINVAL;
	for (size_t w = 0; w < words; w++) {
		char part[9];
		uint32_t v;

		memcpy(part, hex + w * 8, 8);
		part[8] = '\0';
		v = (uint32_t)strtoul(part, NULL, 16);
		memcpy(raw + w * 4, &v, 4);
	}
	return inet_ntop(v6 ? AF_INET6 : AF_INET, raw, buf, len) ? 0 : -EINVAL;
}

static int push(struct rec_listen_sock **out, size_t *n, size_t *cap,
		const struct rec_listen_sock *s)
{
	if (VEC_RESERVE(*out, *cap, *n + 1))
		return -ENOMEM;
	(*out)[(*n)++] = *s;
	return 0;
}

int rec_parse_proc_net_tcp(const char *text, const char *proto, struct rec_listen_sock **out,
			   size_t *n, size_t *cap)
{
	bool v6 = !strcmp(proto, "tcp6");
	const char *line = strchr(text, '\n');	/* skip the column titles */

	while (line && *++line) {
		char local[64], rem[64];
		unsigned int port, state;
		unsigned long long inode;
		struct rec_listen_sock s = { .proto = proto };

		if (sscanf(line, " %*d: %63[0-9A-Fa-f]:%x %63[0-9A-Fa-f]:%*x %x %*s %*s %*s %*d "
			   "%*d %llu", local, &port, rem, &state, &inode) == 5 &&
		    state == TCP_LISTEN && !hex_addr(local, v6, s.addr, sizeof(s.addr))) {
			s.port = (uint16_t)port;
			s.inode = inode;
			if (push(out, n, cap, &s))
				return -ENOMEM;
		}
		line = strchr(line, '\n');
	}
	return 0;
}

struct rec_listen_watch {
	struct listen_bpf *skel;
	struct ring_buffer *rb;
	struct rec_procs *procs;
	int err;		/* the first failure to record one */
};

static int on_listen(void *ctx, void *data, size_t size)
{
	struct rec_listen_watch *w = ctx;
	const struct listen_event *e = data;
	bool v6 = e->family == AF_INET6;
	char addr[INET6_ADDRSTRLEN];
	int err;

	if (size < sizeof(*e) || (e->family != AF_INET && !v6) ||
	    !inet_ntop(v6 ? AF_INET6 : AF_INET, e->addr, addr, sizeof(addr)))
		return 0;
	err = rec_procs__note_listen(w->procs, e->tgid, v6 ? "tcp6" : "tcp", addr, e->port);
	if (err && !w->err)
		w->err = err;
	return 0;
}

struct rec_listen_watch *rec_listen_watch__new(struct rec_procs *procs)
{
	struct rec_listen_watch *w = calloc(1, sizeof(*w));
	int err = -ENOMEM;

	if (!w)
		goto fail;
	w->procs = procs;
	w->skel = listen_bpf__open_and_load();
	err = w->skel ? listen_bpf__attach(w->skel) : -errno;
	if (!err) {
		w->rb = ring_buffer__new(bpf_map__fd(w->skel->maps.listen_events), on_listen, w,
					 NULL);
		err = w->rb ? 0 : -errno;
	}
	if (!err)
		return w;
fail:
	rec_listen_watch__free(w);
	errno = -err;
	return NULL;
}

int rec_listen_watch__poll(struct rec_listen_watch *w)
{
	int err;

	ring_buffer__consume(w->rb);
	err = w->err;
	w->err = 0;
	return err;
}

uint64_t rec_listen_watch__lost(const struct rec_listen_watch *w)
{
	return w->skel->bss->listen_lost;
}

void rec_listen_watch__free(struct rec_listen_watch *w)
{
	if (!w)
		return;
	ring_buffer__free(w->rb);
	listen_bpf__destroy(w->skel);
	free(w);
}
