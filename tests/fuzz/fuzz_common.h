/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_FUZZ_COMMON_H
#define FAULTLINE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

/*
 * Harness helpers shared by tests/fuzz/fuzz_*.c. Each input is handed to the
 * code the way faultline gets it: as a file, a NUL-terminated buffer, or argv.
 */

/* A NUL-terminated copy of the input, as the text parsers take ownership of. */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Writes @data to a new memfd and names it "/proc/self/fd/N" in @path, for
 * parsers that open a path; the fd is returned (close it after the parse).
 */
static inline int fuzz_memfd(const char *name, const void *data, size_t size, char *path,
			     size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	const char *p = data;
	ssize_t n;

	if (fd < 0)
		abort();
	while (size) {
		n = write(fd, p, size);
		if (n <= 0)
			abort();
		p += n;
		size -= n;
	}
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

/* The part of @data before @sep in @a, after it in @b (empty when absent). */
static inline void fuzz_split(const uint8_t *data, size_t size, const char *sep,
			      const uint8_t **a, size_t *alen, const uint8_t **b, size_t *blen)
{
	const uint8_t *s = memmem(data, size, sep, strlen(sep));

	*a = data;
	*alen = s ? (size_t)(s - data) : size;
	*b = s ? s + strlen(sep) : data + size;
	*blen = s ? size - *alen - strlen(sep) : 0;
}

#endif
