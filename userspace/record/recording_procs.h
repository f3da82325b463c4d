/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_RECORDING_PROCS_H
#define FAULTLINE_RECORDING_PROCS_H

#include <stdbool.h>
#include <stdint.h>

#include "record/recording_write.h"

/*
 * Process metadata for a recording: who listens on which TCP port (so a
 * report can tie refused connections to a server, even one that was
 * OOM-killed since), and comm, cmdline, cgroup, parent, start and exit of
 * every process an event names. Read from /proc while the process lives.
 */
struct rec_procs;

/* @w is used under the caller's lock: the functions below take none. */
struct rec_procs *rec_procs__new(struct rec_writer *w);
void rec_procs__free(struct rec_procs *p);	/* NULL-safe */

/*
 * Reads the listening sockets (cheap: /proc/net/tcp{,6}) and, only when they
 * changed, finds their processes and records new ones; with @exits, also
 * records the exits of recorded processes. Meant to run every ~250 ms, so a
 * server that lives a second is still seen listening.
 */
int rec_procs__scan(struct rec_procs *p, bool exits);
/* Records @pid's metadata if it is not recorded yet (an event named it). */
int rec_procs__note_pid(struct rec_procs *p, uint32_t pid);
/* @pid died at @wall_ns (OOM kill, fatal signal): records its exit. */
int rec_procs__note_exit(struct rec_procs *p, uint32_t pid, int64_t wall_ns);

/* Parses /proc/net/tcp{,6} text: listening sockets as (inode, port, addr). */
struct rec_listen_sock {
	uint64_t inode;
	uint16_t port;
	char addr[48];
	const char *proto;
};
int rec_parse_proc_net_tcp(const char *text, const char *proto, struct rec_listen_sock **out,
			   size_t *n, size_t *cap);

#endif
