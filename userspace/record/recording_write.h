/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_RECORDING_WRITE_H
#define FAULTLINE_RECORDING_WRITE_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "output/stack_profile.h"

/*
 * Writes a recording (docs/recording-format.md) to PATH.partial, sync-flushed
 * at least every RECORDING_FLUSH_NS so a killed recorder leaves a readable
 * file, and renamed to PATH by rec_writer__close().
 */
struct rec_writer;

struct rec_writer_opts {
	const char *command;	/* the faultline command line, for the header */
	const cJSON *options;	/* copied into the header; may be NULL */
	uint64_t bucket_ns;	/* profile bucket length; 0 means 1 s */
};

struct rec_listen {
	const char *proto;	/* "tcp" or "tcp6" */
	const char *addr;	/* numeric local address */
	uint16_t port;
};

struct rec_process {
	uint32_t pid, ppid;
	int64_t start_ns;	/* wall clock; 0 when unknown */
	int64_t exit_ns;	/* wall clock; 0 while alive or unknown */
	const char *comm, *cmdline, *cgroup;	/* may be NULL */
	const struct rec_listen *listen;
	int nlisten;
};

/* NULL with errno set (an errno or an OUTFILE_E* refusal) when the file cannot be created. */
struct rec_writer *rec_writer__open(const char *path, const struct rec_writer_opts *o);

/* @event is watch's object; it is not modified nor owned. */
int rec_writer__event(struct rec_writer *w, const cJSON *event);
int rec_writer__process(struct rec_writer *w, const struct rec_process *p);
int rec_writer__loss(struct rec_writer *w, int64_t wall_ns, const char *source,
		     const char *reason, uint64_t count);
/* One bucket starting at @start_ns (wall) holding @p's stacks and counts. */
int rec_writer__profile(struct rec_writer *w, int64_t start_ns, const struct profile_data *p);
/*
 * One bucket of off-CPU time in task state @state ("S" or "D"): @p's stacks
 * (blocked frames, "--", the waker's) with microseconds and waits.
 */
int rec_writer__offcpu(struct rec_writer *w, int64_t start_ns, const char *state,
		       const struct profile_data *p);

/* Sync-flushes when the last flush is older than RECORDING_FLUSH_NS. */
int rec_writer__tick(struct rec_writer *w);
/* Sync-flushes now: everything written so far is readable in the .partial file. */
int rec_writer__flush(struct rec_writer *w);

uint64_t rec_writer__bucket_ns(const struct rec_writer *w);
/* The first write error (e.g. -ENOSPC), 0 while every write succeeded. */
int rec_writer__error(const struct rec_writer *w);
const char *rec_writer__partial_path(const struct rec_writer *w);

/* Writes the trailer, closes, renames to the final name; frees @w. */
int rec_writer__close(struct rec_writer *w);
/* Closes after a failure, leaving the .partial file for report; frees @w. NULL-safe. */
void rec_writer__abandon(struct rec_writer *w);

/*
 * This host's non-loopback IP addresses, as a JSON array of strings (empty
 * when they cannot be listed); the header's `addresses`.
 */
cJSON *rec_host_addresses(void);

/* CLOCK_REALTIME and CLOCK_MONOTONIC in ns. */
int64_t rec_now_wall_ns(void);
int64_t rec_now_mono_ns(void);

#endif
