/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_RECORDING_WRITE_PRIV_H
#define FAULTLINE_RECORDING_WRITE_PRIV_H

#include <stdint.h>
#include <zlib.h>
#include <cjson/cJSON.h>

struct strmap;

/* Shared by recording_write.c (the file) and recording_records.c (the records). */
struct rec_writer {
	gzFile gz;
	char *path, *partial;
	uint64_t bucket_ns;
	int64_t start_ns;
	int64_t last_flush_mono;
	struct strmap *stacks;	/* serialized event stacks -> stack_id */
	struct strmap *pstacks;	/* serialized profile stacks -> pstack id */
	uint64_t events, buckets, lost, records;
};

/* Writes @rec as one line; flushes when due. */
int recw_put_line(struct rec_writer *w, cJSON *rec);

#endif
