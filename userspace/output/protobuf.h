/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PROTOBUF_H
#define FAULTLINE_PROTOBUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * The few protobuf wire-format encoders pprof needs: varints, length-
 * delimited fields (strings, bytes, nested messages) and packed repeated
 * varints. A nested message is built in its own pb_buf and appended with
 * pb_bytes(). Errors stick in @err, so callers check once at the end.
 */
struct pb_buf {
	uint8_t *data;
	size_t len, cap;
	int err;	/* 0 or -ENOMEM */
};

enum pb_wire {
	PB_VARINT = 0,
	PB_LEN = 2,
};

void pb_reset(struct pb_buf *b);	/* keeps the allocation */
void pb_free(struct pb_buf *b);

void pb_varint(struct pb_buf *b, uint64_t v);
void pb_tag(struct pb_buf *b, uint32_t field, enum pb_wire wire);
/* A varint field; zero is proto3's default and written as nothing. */
void pb_uint(struct pb_buf *b, uint32_t field, uint64_t v);
/* int64 fields are varints of the two's complement, like uint64. */
void pb_int(struct pb_buf *b, uint32_t field, int64_t v);
void pb_bytes(struct pb_buf *b, uint32_t field, const void *data, size_t len);
void pb_string(struct pb_buf *b, uint32_t field, const char *s);
void pb_packed(struct pb_buf *b, uint32_t field, const uint64_t *v, size_t n);

#endif
