/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_FILE_READ_H
#define FAULTLINE_FILE_READ_H

#include <stddef.h>

/*
 * Reads a whole file into a NUL-terminated heap buffer. Works for /proc files,
 * whose st_size is 0, by reading until EOF. Returns 0 or -errno.
 */
int file_read_all(const char *path, char **buf, size_t *len);

/* CLOCK_MONOTONIC in milliseconds, for refresh intervals and cost logging. */
double monotonic_ms(void);

#endif
