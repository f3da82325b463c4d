/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_AGENT_HTTP_H
#define FAULTLINE_AGENT_HTTP_H

#include <sys/socket.h>

#include "agent/agent_metrics.h"

#define AGENT_DEFAULT_METRICS "127.0.0.1:9464"

/*
 * "ADDR:PORT" (IPv4 dotted quad) or "[ADDR]:PORT" (IPv6), PORT 1-65535, into
 * @ss. 0, or -EINVAL when malformed.
 */
int agent_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len);

/* The /metrics endpoint, served by libmicrohttpd's own thread. */
struct agent_http;

/* Listens on @sa; NULL with the reason logged. */
struct agent_http *agent_http__start(const struct sockaddr_storage *sa, const char *addr_text,
				     struct agent_metrics *m);
void agent_http__stop(struct agent_http *h);	/* NULL-safe */

#endif
