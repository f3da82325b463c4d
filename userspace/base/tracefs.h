/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_TRACEFS_H
#define FAULTLINE_TRACEFS_H

#include <stdbool.h>

/*
 * Makes tracefs reachable where libbpf looks for tracepoint ids, mounting it
 * at /sys/kernel/tracing when nothing is mounted (as root may). Returns 0 and
 * sets *@mounted_now when this call mounted it; -errno otherwise.
 */
int tracefs_ensure(bool *mounted_now);

/* The tracefs root in use, or NULL when there is none. */
const char *tracefs_root(void);

#endif
