/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_RECORDING_H
#define FAULTLINE_RECORDING_H

#include <stddef.h>
#include <stdint.h>

/*
 * Shared definitions of the recording file (docs/recording-format.md): a gzip
 * stream of JSON Lines records, each an object whose "rec" member names its
 * kind. Writers and readers agree on the names below and nothing else.
 */
#define RECORDING_FORMAT "faultline-recording"
#define RECORDING_VERSION 2	/* 2: offcpu records; version 1 files read alike */
/*
 * Additions a reader of the same version may skip: 1 = rss_growth events and
 * the rss_step_bytes option. Absent in older files (0).
 */
#define RECORDING_MINOR 1
#define RECORDING_PARTIAL_SUFFIX ".partial"
#define RECORDING_FLUSH_NS 1000000000ULL	/* sync-flush at least this often */

enum rec_kind {
	REC_HEADER,
	REC_EVENT,
	REC_STACK,	/* an interned event stack, referenced by "stack_id" */
	REC_PSTACK,	/* an interned profile stack, referenced by profile buckets */
	REC_PROFILE,	/* one time bucket of aggregated samples */
	REC_OFFCPU,	/* one time bucket of off-CPU time in one task state (version 2) */
	REC_PROCESS,
	REC_LOSS,
	REC_TRAILER,
	REC_UNKNOWN,	/* a newer writer's record: skipped, counted */
};

const char *rec_kind_name(enum rec_kind k);
enum rec_kind rec_kind_parse(const char *name);

/* "2026-11-23T14:03:12.123456Z" (RFC 3339, UTC, microseconds); @buf >= 32 bytes. */
void rec_time_format(int64_t wall_ns, char *buf, size_t len);

/* Parses what rec_time_format writes (also without fraction, or with an offset). */
int rec_time_parse(const char *s, int64_t *wall_ns);

#endif
