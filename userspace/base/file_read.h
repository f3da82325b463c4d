/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_FILE_READ_H
#define FAULTLINE_FILE_READ_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The most faultline reads of any one file it did not choose (/proc/PID/maps,
 * kallsyms, a perf map): other users decide their size, so a sparse 1 GiB
 * perf-PID.map must not cost 1 GiB.
 */
#define FILE_READ_MAX (64u << 20)

/*
 * Opens a file that a monitored process names (a mapped binary, a debug file,
 * a perf map) for reading: never blocks on a FIFO or a device, and refuses
 * anything but a regular file (-ENOEXEC). @flags adds e.g. O_NOFOLLOW.
 * Returns the fd or -errno.
 */
int file_open_regular(const char *path, int flags);

/*
 * Reads a whole regular file into a NUL-terminated heap buffer, by reading
 * until EOF (so /proc files, whose st_size is 0, work), at most @max bytes:
 * *truncated says whether there was more. Returns 0 or -errno.
 */
int file_read_fd(int fd, size_t max, char **buf, size_t *len, bool *truncated);

/* file_read_fd() of @path, opened by file_open_regular(); -EFBIG past FILE_READ_MAX. */
int file_read_all(const char *path, char **buf, size_t *len);

/* CLOCK_MONOTONIC in milliseconds, for refresh intervals and cost logging. */
double monotonic_ms(void);

#endif
