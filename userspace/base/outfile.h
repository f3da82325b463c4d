/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_OUTFILE_H
#define FAULTLINE_OUTFILE_H

#include <stdio.h>

/*
 * An output written to a temporary file beside its final name and renamed
 * into place on commit, so a reader never sees a half-written file under the
 * name the user asked for. "-" means stdout (written directly).
 */
struct outfile;

/* NULL with errno set on failure (e.g. the directory is not writable). */
struct outfile *outfile__open(const char *path);
FILE *outfile__stream(struct outfile *out);
const char *outfile__path(const struct outfile *out);
/* Flushes, syncs and renames; frees @out whatever the result. */
int outfile__commit(struct outfile *out);
/* Removes the temporary file; frees @out. NULL-safe. */
void outfile__abort(struct outfile *out);

#endif
