/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_AGENT_SPOOL_H
#define FAULTLINE_AGENT_SPOOL_H

/*
 * Batches the store could not take, kept on local disk until it can: one file
 * per batch (its gzip body as it would have been sent), named so that the
 * oldest sorts first and the file says its table and row count. Bounded:
 * adding past the limit deletes the oldest batches, and says how many rows.
 */
#include <stddef.h>
#include <stdint.h>

struct spool;

/*
 * Opens (creating, mode 0700) directory @path; a directory that is a symlink,
 * not ours or writable by others is refused (-EPERM). Files a previous run
 * left are kept for delivery; half-written ones are removed.
 */
int spool__open(const char *path, uint64_t max_bytes, struct spool **out);
void spool__close(struct spool *s);	/* NULL-safe */

/* Told of each batch deleted unsent: its table and rows. */
typedef void (*spool_drop_fn)(void *arg, const char *table, uint64_t rows);

/*
 * Adds a batch of @rows rows for @table, deleting the oldest batches to make
 * room (each told to @on_drop). A batch over the whole limit is not kept
 * (-EFBIG, told to @on_drop too). 0 or -errno.
 */
int spool__add(struct spool *s, const char *table, uint64_t rows, const void *body,
	       size_t len, spool_drop_fn on_drop, void *arg);

/* The oldest batch: its table (into @table), rows and body (malloc'ed). -ENOENT when empty. */
int spool__peek(struct spool *s, char *table, size_t tlen, uint64_t *rows, void **body,
		size_t *len);

/* Removes the batch spool__peek() returned. */
int spool__pop(struct spool *s);

uint64_t spool__bytes(const struct spool *s);
uint64_t spool__rows(const struct spool *s);

#endif
