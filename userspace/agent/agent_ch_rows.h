/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_AGENT_CH_ROWS_H
#define FAULTLINE_AGENT_CH_ROWS_H

/*
 * Rows for the ClickHouse tables (docs/fleet.md), as JSONEachRow lines: an
 * event becomes one `events` row and, the first time its stack is seen that
 * day, one `stacks` row; a profile bucket becomes `samples` rows (and stacks).
 * 64-bit numbers travel as JSON strings, which ClickHouse reads into UInt64.
 */
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "output/stack_profile.h"

enum ch_table { CH_EVENTS, CH_STACKS, CH_SAMPLES, CH_HOSTS, CH__TABLES };

/* The day-partitioned tables (retention drops their old partitions); hosts is not. */
#define CH_DAY_TABLES CH_HOSTS

extern const char *const ch_table_names[CH__TABLES];

/* JSONEachRow lines of one table, appended to until taken. */
struct ch_batch {
	char *buf;
	size_t len, cap;
	uint64_t rows;
};

struct ch_rows;

/* @host names this machine in every row. NULL on allocation failure. */
struct ch_rows *ch_rows__new(const char *host);
void ch_rows__free(struct ch_rows *r);	/* NULL-safe */

/*
 * Adds a watch event (its JSON as `watch --json` prints it) of time @wall_ns.
 * 0 or -ENOMEM (nothing added then).
 */
int ch_rows__event(struct ch_rows *r, const cJSON *ev, uint64_t wall_ns);

/* Adds the stacks of a profile bucket starting at @wall_ns, as `kind` rows. */
int ch_rows__samples(struct ch_rows *r, const struct profile_data *p, uint64_t wall_ns,
		     const char *kind);

/*
 * A `hosts` row: this machine's addresses (a JSON array of strings, e.g. the
 * recording header's), kernel and faultline version at @wall_ns, so a client
 * on one host refused by another is matched to it by address.
 */
int ch_rows__host(struct ch_rows *r, uint64_t wall_ns, const cJSON *addresses, const char *kernel,
		  const char *version);

/* Moves the lines gathered for @t into @out (which must be empty) and starts anew. */
void ch_rows__take(struct ch_rows *r, enum ch_table t, struct ch_batch *out);

void ch_batch__free(struct ch_batch *b);

/* FNV-1a over "module\0name\0" of each frame, root first; never 0. */
uint64_t ch_stack_hash(const char *const *names, const char *const *modules, size_t n);

#endif
