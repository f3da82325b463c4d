/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_AGENT_CH_CLIENT_H
#define FAULTLINE_AGENT_CH_CLIENT_H

/* ClickHouse's HTTP interface, through libcurl: one blocking request at a time. */
#include <stdbool.h>
#include <stddef.h>

struct ch_client;

/*
 * @url: http://HOST:PORT/ or https://..., optionally with user:password@.
 * -EINVAL (said in @err) for anything else.
 */
int ch_client__new(const char *url, struct ch_client **out, char *err, size_t errlen);
void ch_client__free(struct ch_client *c);	/* NULL-safe */

/*
 * POSTs @body (@len bytes, gzip when @gzip) with @query in the URL (NULL: the
 * body is the query). The answer, when @answer, goes there NUL-terminated and
 * truncated to @alen. 0; -ECONNREFUSED/-ETIMEDOUT/-EIO when the server could
 * not be reached; -EPROTO when it answered with an error, which @err holds.
 */
int ch_client__post(struct ch_client *c, const char *query, const void *body, size_t len,
		    bool gzip, char *answer, size_t alen, char *err, size_t errlen);

/* gzip of @in into a malloc'ed *@out; 0 or -ENOMEM. */
int ch_gzip(const void *in, size_t len, void **out, size_t *outlen);

#endif
