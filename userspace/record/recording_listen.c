// SPDX-License-Identifier: GPL-2.0
/* Listening TCP sockets from /proc/net/tcp and /proc/net/tcp6. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "record/recording_procs.h"

#define TCP_LISTEN 0x0A

/* The kernel prints each 32-bit word of the address in host byte order. */
static int hex_addr(const char *hex, bool v6, char *buf, size_t len)
{
	unsigned char raw[16];
	size_t words = v6 ? 4 : 1;

	if (strlen(hex) != words * 8)
		return -EINVAL;
	for (size_t w = 0; w < words; w++) {
		char part[9];
		uint32_t v;

		memcpy(part, hex + w * 8, 8);
		part[8] = '\0';
		v = (uint32_t)strtoul(part, NULL, 16);
		memcpy(raw + w * 4, &v, 4);
	}
	return inet_ntop(v6 ? AF_INET6 : AF_INET, raw, buf, len) ? 0 : -EINVAL;
}

static int push(struct rec_listen_sock **out, size_t *n, size_t *cap,
		const struct rec_listen_sock *s)
{
	if (VEC_RESERVE(*out, *cap, *n + 1))
		return -ENOMEM;
	(*out)[(*n)++] = *s;
	return 0;
}

int rec_parse_proc_net_tcp(const char *text, const char *proto, struct rec_listen_sock **out,
			   size_t *n, size_t *cap)
{
	bool v6 = !strcmp(proto, "tcp6");
	const char *line = strchr(text, '\n');	/* skip the column titles */

	while (line && *++line) {
		char local[64], rem[64];
		unsigned int port, state;
		unsigned long long inode;
		struct rec_listen_sock s = { .proto = proto };

		if (sscanf(line, " %*d: %63[0-9A-Fa-f]:%x %63[0-9A-Fa-f]:%*x %x %*s %*s %*s %*d "
			   "%*d %llu", local, &port, rem, &state, &inode) == 5 &&
		    state == TCP_LISTEN && !hex_addr(local, v6, s.addr, sizeof(s.addr))) {
			s.port = (uint16_t)port;
			s.inode = inode;
			if (push(out, n, cap, &s))
				return -ENOMEM;
		}
		line = strchr(line, '\n');
	}
	return 0;
}
