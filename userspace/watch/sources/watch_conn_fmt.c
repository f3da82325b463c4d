// SPDX-License-Identifier: GPL-2.0
/* Addresses and endpoints of conn events, as people and scripts expect them. */
#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>

#include "watch/sources/watch_conn_fmt.h"

void watch_conn_addr(int family, const uint8_t *addr, char *buf, size_t len)
{
	if ((family != AF_INET && family != AF_INET6) ||
	    !inet_ntop(family, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

void watch_conn_endpoint(int family, const char *addr, unsigned int port, char *buf, size_t len)
{
	if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", addr, port);
	else
		snprintf(buf, len, "%s:%u", addr, port);
}
