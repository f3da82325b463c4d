/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_CORRELATE_H
#define FAULTLINE_CORRELATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/strmap.h"

/*
 * Incidents out of events: events are linked when one can have caused the
 * other (same process instance, parent and child, an OOM victim, the owner
 * of a port and the connections refused on it, a memory cgroup that hit its
 * limit); time proximity only ties a left-over event with no other link to
 * the nearest incident. Pure logic on compact events, no I/O.
 */
enum cl_type {
	CL_OOM_KILL,
	CL_FD_EXHAUSTED,
	CL_SIGNAL,
	CL_FD_PRESSURE,
	CL_SLOW_SYSCALL,
	CL_CONN_REFUSED,
	CL_CONN_ERROR,
	CL_CONN_DROPPED,	/* connections a listener's full accept queue dropped */
	CL_OTHER,
	CL__TYPES,
};

enum cl_flags {
	CL_F_FATAL = 1,		/* signal that ends the process */
	CL_F_LOCAL_PORT = 2,	/* port is a service on this host */
	CL_F_INBOUND = 4,	/* refusal of a connection to us */
	CL_F_ECHO = 8,		/* inbound twin of a local client's own refusal event */
};

/* One event, reduced to what linking and ranking need; strings are string ids. */
struct cl_event {
	int64_t time_ns;	/* wall clock */
	uint64_t ref;		/* the caller's handle (e.g. offset in the recording) */
	uint32_t seq;		/* input order: breaks ties between equal times */
	uint32_t pid, tid;
	uint32_t victim_pid;	/* oom_kill: the killed process */
	uint32_t victim_comm;
	uint32_t comm, cgroup;	/* the event's process */
	uint32_t memcg;		/* oom_kill: the cgroup whose limit was hit */
	uint32_t container;	/* container id, when the cgroup carries one */
	uint32_t where;		/* leaf-most named frame of the stack */
	uint32_t syscall;
	uint32_t endpoint;	/* "addr:port" of a refused/failed connection */
	uint16_t type;		/* enum cl_type */
	uint16_t port;		/* the service port of a refusal */
	uint16_t flags;
	int16_t err;		/* errno, 0 when none */
	uint32_t signo;
	uint64_t value;		/* slow: µs; fd: open fds; oom: victim RSS kB; dropped: packets */
	uint64_t limit;		/* fd limit; dropped: connections waiting in the accept queue */
};

/* A process instance: a pid between a start and an exit (pids are reused). */
struct cl_process {
	uint32_t pid, ppid;
	int64_t start_ns, exit_ns;	/* 0 when unknown */
	uint32_t comm, cgroup, cmdline;
	uint16_t ports[16];		/* listening */
	int nports;
};

struct cl_options {
	int64_t proc_gap_ns;	/* same process: events further apart are separate (300 s) */
	int64_t fd_gap_ns;	/* fd pressure -> exhaustion in one process (3600 s) */
	int64_t port_window_ns;	/* a dead port owner still explains refusals (600 s) */
	int64_t tie_window_ns;	/* time-only attachment of unlinked events (5 s) */
};

struct cl_impact {
	uint64_t refused;	/* refused connections */
	uint64_t conn_errors;
	uint64_t refusing_clients;	/* distinct client processes refused */
	uint64_t killed;	/* processes OOM-killed or killed by a fatal signal */
	uint64_t fd_failures;	/* calls that failed with EMFILE/ENFILE */
	uint64_t slow_calls;
	uint64_t slow_us;	/* time spent in slow syscalls */
	uint64_t backlog_drops;	/* connection packets dropped by full accept queues */
	uint64_t backlog_waiting;	/* most connections seen waiting in one accept queue */
	uint16_t ports[8];	/* service ports refused */
	int nports;
};

struct cl_incident {
	uint32_t id;		/* 1, 2, ... in start order */
	int64_t start_ns, end_ns;
	uint32_t *events;	/* indices into cl_input.events, in time order */
	size_t nevents;
	uint32_t root;		/* index of the probable root cause event */
	uint32_t *procs;	/* indices into cl_result.procs */
	size_t nprocs;
	int severity;		/* 3 fault, 2 failures, 1 slowness */
	int time_linked;	/* parts joined by time proximity only */
	struct cl_impact impact;
};

struct cl_input {
	struct cl_event *events;	/* sorted in place by cl_correlate() */
	size_t nevents;
	const struct cl_process *procs;	/* from process metadata; may be empty */
	size_t nprocs;
	struct strmap *strs;
	struct cl_options opts;		/* zeros take the defaults */
};

struct cl_result {
	struct cl_incident *incidents;	/* sorted by severity, then start */
	size_t nincidents;
	struct cl_process *procs;	/* metadata plus instances inferred from events */
	size_t nprocs;
	uint32_t *event_proc;		/* per event: its process instance */
};

int cl_correlate(struct cl_input *in, struct cl_result *out);
void cl_result_free(struct cl_result *r);

/* Helpers shared with the report. */
enum cl_type cl_type_parse(const char *name);
const char *cl_type_name(enum cl_type t);
/* Root-cause rank: lower explains more (oom < fd exhaustion < signal < ...). */
int cl_type_rank(enum cl_type t);

#endif
