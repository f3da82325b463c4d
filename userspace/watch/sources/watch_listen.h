/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_LISTEN_H
#define FAULTLINE_WATCH_LISTEN_H

/*
 * Listening TCP sockets of this network namespace and what their accept
 * queues turned away, from sock_diag (the netlink interface `ss` uses).
 * A full accept queue drops the SYN (or the handshake's last ACK) without a
 * drop reason on most paths (tcp_conn_request() consumes it), but every such
 * drop goes through tcp_listendrop(), which counts it in the listener's
 * sk_drops: SK_MEMINFO_DROPS here.
 */
#include <stddef.h>
#include <stdint.h>

struct watch_listener {
	uint64_t inode;		/* the socket's inode: tells listeners apart over time */
	uint32_t drops;		/* packets the listener dropped (SK_MEMINFO_DROPS) */
	uint32_t queued;	/* connections established, waiting in the accept queue */
	uint32_t backlog;	/* the accept queue's limit */
	uint16_t port;		/* host order */
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network order, 4 bytes used for AF_INET */
};

struct watch_listeners {
	struct watch_listener *v;
	size_t n, cap;
};

/*
 * Appends the listeners in one received netlink buffer to @out. 1 when the
 * dump is complete (NLMSG_DONE), 0 when more is to come, -errno on an error
 * message or a malformed buffer. Pure: no I/O.
 */
int watch_listen_parse(const void *buf, size_t len, struct watch_listeners *out);

/* Replaces @out's contents with the IPv4 and IPv6 listeners now. 0 or -errno. */
int watch_listen_dump(struct watch_listeners *out);

/*
 * The lowest pid holding socket @inode (a listener may be shared by a master
 * and its workers), its comm and uid, and how many processes hold it.
 * 0 when none is found (another namespace, or gone).
 */
uint32_t watch_listen_owner(uint64_t inode, char *comm, size_t len, uint32_t *uid, int *holders);

void watch_listeners_free(struct watch_listeners *l);

#endif
