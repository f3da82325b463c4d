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
 * Once, at the start: reads the listening sockets (/proc/net/tcp{,6}) and
 * records the processes that hold them. Listeners made later come from
 * struct rec_listen_watch, as they happen.
 */
int rec_procs__scan(struct rec_procs *p);
/* Records the exits of recorded processes whose /proc entry is gone. */
int rec_procs__note_exits(struct rec_procs *p);
/* @pid listens on @proto (tcp, tcp6) @addr:@port: records it with its metadata. */
int rec_procs__note_listen(struct rec_procs *p, uint32_t pid, const char *proto,
			   const char *addr, uint16_t port);
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

/*
 * New listeners as they happen, from the inet_sock_set_state tracepoint
 * (bpf/listen.bpf.c): its cost is one compare per TCP state change, not a
 * read of every connection of the host. NULL (errno set) when it cannot
 * attach.
 */
struct rec_listen_watch;
struct rec_listen_watch *rec_listen_watch__new(struct rec_procs *procs);
/* Records the listeners reported since the last call; -errno if writing failed. */
int rec_listen_watch__poll(struct rec_listen_watch *w);
/* Listeners the ring buffer had no room for. */
uint64_t rec_listen_watch__lost(const struct rec_listen_watch *w);
void rec_listen_watch__free(struct rec_listen_watch *w);	/* NULL-safe */

#endif
