/* SPDX-License-Identifier: GPL-2.0 */
/*
 * New TCP listeners, for `faultline record`: which process listens where,
 * learned as it happens instead of by rereading /proc/net/tcp (whose cost
 * grows with the host's connections). Shared by bpf/listen.bpf.c and
 * userspace/record/recording_listen.c.
 */
#ifndef FAULTLINE_LISTEN_H
#define FAULTLINE_LISTEN_H

struct listen_event {
	__u32 tgid;		/* the task that called listen() */
	__u16 family;		/* AF_INET or AF_INET6 */
	__u16 port;		/* host byte order */
	__u8 addr[16];		/* the first 4 bytes for AF_INET */
};

#endif
