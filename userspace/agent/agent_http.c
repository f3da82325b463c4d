// SPDX-License-Identifier: GPL-2.0
/* GET /metrics with libmicrohttpd; its thread renders under the metrics' lock. */
#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent_http.h"
#include "base/log.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct agent_http {
	struct MHD_Daemon *d;
	struct agent_metrics *m;
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, char *body,
			     const char *type)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (!body)
		return MHD_NO;	/* out of memory: the connection is closed */
	r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **state)
{
	struct agent_http *h = cls;
	struct agent_procstat ps;
	char *body;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)state;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, strdup("GET only\n"), "text/plain");
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, strdup("faultline agent: see /metrics\n"),
			     "text/plain");
	agent_procstat_read(&ps);
	body = agent_metrics__render(h->m, &ps);
	if (!body)
		return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, strdup("out of memory\n"),
			     "text/plain");
	return reply(conn, MHD_HTTP_OK, body, CONTENT_TYPE);
}

struct agent_http *agent_http__start(const struct sockaddr_storage *sa, const char *addr_text,
				     struct agent_metrics *m)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	struct agent_http *h = calloc(1, sizeof(*h));

	if (!h) {
		log_error("agent: %s", strerror(ENOMEM));
		return NULL;
	}
	if (sa->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->m = m;
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, handle, h,
				MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)sa,
				MHD_OPTION_CONNECTION_LIMIT, 32U,
				MHD_OPTION_CONNECTION_TIMEOUT, 10U, MHD_OPTION_END);
	if (!h->d) {
		/* libmicrohttpd says no more; bind() failing is by far the usual cause. */
		log_error("agent: cannot serve metrics on %s: %s", addr_text,
			  strerror(errno ? errno : EADDRINUSE));
		free(h);
		return NULL;
	}
	return h;
}

void agent_http__stop(struct agent_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}
