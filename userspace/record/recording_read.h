/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_RECORDING_READ_H
#define FAULTLINE_RECORDING_READ_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "record/recording.h"

/*
 * Reads a recording record by record, in one pass and in bounded memory
 * (stacks are kept, everything else is handed out one record at a time).
 * A recording cut short (killed recorder, .partial file, truncated copy) is
 * read up to its last complete record and said to be truncated.
 */
struct rec_reader;

struct rec_record {
	enum rec_kind kind;
	cJSON *json;		/* owned by the reader, valid until the next call */
	uint64_t offset;	/* uncompressed byte offset of the record's line */
};

struct rec_status {
	bool truncated;		/* no trailer, or the stream ended mid-way */
	bool corrupt;		/* undecodable bytes: reading stopped there */
	bool complete;		/* trailer seen and the stream ended cleanly */
	char why[200];		/* what was wrong, for the report */
	uint64_t bad_lines;	/* lines that were not JSON objects, or held impossible ids: skipped */
	uint64_t unknown;	/* records of kinds this version does not know */
	uint64_t bytes;		/* uncompressed bytes consumed */
};

/*
 * Opens @path and reads its header; NULL with errno set, and a reason in
 * @why (EINVAL: not a recording; ENODATA: empty; ENOTSUP: newer format).
 */
struct rec_reader *rec_reader__open(const char *path, char *why, size_t whylen);
void rec_reader__free(struct rec_reader *r);	/* NULL-safe */

const cJSON *rec_reader__header(const struct rec_reader *r);

/*
 * The next header-less record: 1 and @out filled, 0 at the end (see
 * rec_reader__status() for how it ended). Stack definitions are kept by the
 * reader and also returned.
 */
int rec_reader__next(struct rec_reader *r, struct rec_record *out);

/*
 * Returns the record starting at uncompressed @offset (ascending between
 * calls): lines before it are skipped without being parsed. 1, 0 or -errno.
 */
int rec_reader__read_at(struct rec_reader *r, uint64_t offset, struct rec_record *out);

const struct rec_status *rec_reader__status(const struct rec_reader *r);

/* Whether every pid, port, fd, uid and signal number in @obj is a possible one. */
bool rec_ids_valid(const cJSON *obj, int depth);
/*
 * Rewrites every string value of @obj with text_safe(TEXT_SAFE_TERMINAL);
 * false when a key needs it (no record of ours has one) or memory ran out.
 */
bool rec_strings_make_safe(cJSON *obj, int depth);

/* Stack ids above this are corruption: the tables stay bounded. */
#define REC_MAX_STACK_ID (16 * 1024 * 1024)

/* An event stack or profile stack by id; NULL when never defined. */
const cJSON *rec_reader__stack(const struct rec_reader *r, uint32_t id);
const cJSON *rec_reader__pstack(const struct rec_reader *r, uint32_t id);
uint32_t rec_reader__pstack_count(const struct rec_reader *r);

/*
 * Turns @event (a record's object, or a copy of one) back into watch's
 * object: "rec" removed, every "stack_id" replaced by its "stack" array.
 * -ENOENT when a stack was never defined (the member is left as it is).
 */
int rec_reader__expand(const struct rec_reader *r, cJSON *event);

/*
 * @v as an integer in [0, @max]: 0 when @v is not a number, negative or NaN,
 * @max when it is larger (a hostile or damaged file's numbers are clamped).
 */
uint64_t rec_json_uint(const cJSON *v, uint64_t max);
uint64_t rec_clamp_uint(double d, uint64_t max);

#endif
