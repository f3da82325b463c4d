/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The conn source of `faultline watch`: refused and failed TCP connections.
 * Outbound: the connect() of a selected process failed, blocking (connect()
 * returned the error) or non-blocking (the refusal or timeout came later, in
 * softirq context, and is attributed to the process that called connect()).
 * Inbound: a SYN reached a local port nobody listens on and the kernel
 * answered with a RST. Shared by bpf/watch_conn.bpf.c and userspace.
 */
#ifndef FAULTLINE_WATCH_CONN_H
#define FAULTLINE_WATCH_CONN_H

#include "watch.h"

enum watch_conn_direction {
	WATCH_CONN_OUTBOUND = 0,
	WATCH_CONN_INBOUND = 1,
};

enum watch_conn_mode {
	WATCH_CONN_BLOCKING = 0,	/* connect() itself returned the error */
	WATCH_CONN_NONBLOCKING = 1,	/* connect() said EINPROGRESS; the error came later */
	WATCH_CONN_NO_LISTENER = 2,	/* inbound: RST for a SYN to a closed port */
};

/*
 * conn_refused and conn_error (hdr.type tells which). The initiator is
 * always s*, the port connected to d*: for inbound events daddr:dport is the
 * local closed port and saddr:sport the remote peer. Addresses are in
 * network byte order (4 bytes used for AF_INET), ports in host order.
 */
struct watch_conn_event {
	struct watch_header hdr;
	__u32 err;		/* positive errno */
	__u16 family;		/* AF_INET or AF_INET6 */
	__u16 sport;
	__u16 dport;
	__u8 direction;		/* enum watch_conn_direction */
	__u8 mode;		/* enum watch_conn_mode */
	__s32 fd;		/* the connecting socket, -1 when unknown */
	__u8 saddr[16];
	__u8 daddr[16];
	__u64 connect_ns;	/* ktime of the connect() call, 0 for inbound */
	struct watch_stacks stacks;
};

/* WATCH_CNT_SOURCE0..3 of the conn object: inbound refusals not shown under -p/--cgroup. */
#define WATCH_CONN_CNT_INBOUND_FILTERED WATCH_CNT_SOURCE0

#endif
