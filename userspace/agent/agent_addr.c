// SPDX-License-Identifier: GPL-2.0
/* --metrics ADDR:PORT, parsed without name resolution: a daemon's socket is named exactly. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent_http.h"

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return -EINVAL;
	*port = htons((uint16_t)v);
	return 0;
}

static int parse_v6(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	const char *close = strchr(s, ']');
	char host[64];

	if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(host))
		return -EINVAL;
	snprintf(host, sizeof(host), "%.*s", (int)(close - s - 1), s + 1);
	a6->sin6_family = AF_INET6;
	*len = sizeof(*a6);
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
		return -EINVAL;
	return parse_port(close + 2, &a6->sin6_port);
}

int agent_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	const char *colon = strrchr(s, ':');
	size_t hl = colon ? (size_t)(colon - s) : 0;
	char host[64];

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[')
		return parse_v6(s, ss, len);
	if (!colon || !hl || hl >= sizeof(host))
		return -EINVAL;
	snprintf(host, sizeof(host), "%.*s", (int)hl, s);
	a4->sin_family = AF_INET;
	*len = sizeof(*a4);
	if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
		return -EINVAL;
	return parse_port(colon + 1, &a4->sin_port);
}
