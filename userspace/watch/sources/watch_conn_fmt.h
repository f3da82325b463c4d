/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_WATCH_CONN_FMT_H
#define FAULTLINE_WATCH_CONN_FMT_H

#include <stddef.h>
#include <stdint.h>

/*
 * @addr (network order, 4 bytes used for AF_INET, 16 for AF_INET6) as text:
 * "127.0.0.1", "::1", "::ffff:10.0.0.1". "?" for an unknown family.
 */
void watch_conn_addr(int family, const uint8_t *addr, char *buf, size_t len);

/* "127.0.0.1:8080" or "[::1]:8080" from the text of an address and a port. */
void watch_conn_endpoint(int family, const char *addr, unsigned int port, char *buf, size_t len);

#endif
