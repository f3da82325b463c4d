/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The conn source of `faultline watch`: refused and failed TCP connections.
 * Outbound: the connect() of a selected process failed; one event per
 * attempt (per SYN sent, or per connect() that failed before sending one),
 * attributed to the process that called connect() even when the refusal or
 * timeout arrives later in softirq context.
 * Inbound: a SYN reached a local port nobody listens on and the kernel
 * answered with a RST; from a client on this host, that fact is told in the
 * client's own event instead. Shared by bpf/watch_conn.bpf.c and userspace.
 */
#ifndef FAULTLINE_WATCH_CONN_H
#define FAULTLINE_WATCH_CONN_H

#include "watch.h"

enum watch_conn_direction {
	WATCH_CONN_OUTBOUND = 0,
	WATCH_CONN_INBOUND = 1,
};

/*
 * Outbound: the socket's mode when its connect() started (O_NONBLOCK on the
 * file), whichever call later returned or collected the error.
 */
enum watch_conn_mode {
	WATCH_CONN_BLOCKING = 0,	/* O_NONBLOCK clear: connect() waits for the answer */
	WATCH_CONN_NONBLOCKING = 1,	/* O_NONBLOCK set: connect() says EINPROGRESS */
	WATCH_CONN_NO_LISTENER = 2,	/* inbound: RST for a SYN to a closed port */
};

enum watch_conn_flags {
	/* outbound: this host's kernel answered the SYN with RST, nothing listened on dport */
	WATCH_CONN_F_NO_LISTENER = 1 << 0,
	/* inbound: the SYN came through the loopback device, i.e. from this host */
	WATCH_CONN_F_LOOPBACK = 1 << 1,
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
	__u32 flags;		/* enum watch_conn_flags */
	__u8 saddr[16];
	__u8 daddr[16];
	__u64 connect_ns;	/* ktime of the connect() call, 0 for inbound */
	struct watch_stacks stacks;
};

/* WATCH_CNT_SOURCE0..3 of the conn object. */
/* inbound refusals not shown under -p/--cgroup */
#define WATCH_CONN_CNT_INBOUND_FILTERED WATCH_CNT_SOURCE0
/* connect() calls that only collected the error of an attempt already reported */
#define WATCH_CONN_CNT_COLLECTED WATCH_CNT_SOURCE1
/* RSTs for SYNs from this host, told in the client's own event */
#define WATCH_CONN_CNT_MERGED WATCH_CNT_SOURCE2

#endif
