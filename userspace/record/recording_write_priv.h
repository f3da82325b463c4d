/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_RECORDING_WRITE_PRIV_H
#define FAULTLINE_RECORDING_WRITE_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <zlib.h>
#include <cjson/cJSON.h>

#include "base/outfile.h"

struct strmap;

/* Shared by recording_write.c (the file) and recording_records.c (the records). */
struct rec_writer {
	gzFile gz;
	int fd;			/* the .partial file's, kept to fsync what gz wrote */
	int err;		/* the first write error: the run stops on it */
	char *path, *partial;
	struct outfile_target target;	/* what was at path when the run began */
	uint64_t bucket_ns;
	int64_t start_ns;
	int64_t last_flush_mono;
	struct strmap *stacks;	/* serialized event stacks -> stack_id */
	struct strmap *pstacks;	/* serialized profile stacks -> pstack id */
	uint64_t events, buckets, lost, records;
};

/* 0 when a gz call succeeded (@ok), else its -errno, remembered in w->err. */
int recw_status(struct rec_writer *w, bool ok);

/* Writes @rec as one line; flushes when due. */
int recw_put_line(struct rec_writer *w, cJSON *rec);

#endif
