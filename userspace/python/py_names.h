/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_PY_NAMES_H
#define FAULTLINE_PY_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "python/py_decode.h"

/*
 * Names of code objects, read from the live process with bounded
 * process_vm_readv calls and cached by (pid, address, checksum).
 */
struct py_names;

struct py_names *py_names__new(void);
void py_names__free(struct py_names *n);	/* NULL-safe */

/* What a frame is called; strings live until py_names__free(). */
struct py_name {
	const char *qualname;	/* NULL when the code object could not be read */
	const char *file;
	int line;		/* -1 when unknown */
};

/*
 * Names frame @f of process @pid laid out as @l. A code object whose
 * checksum no longer matches (freed, its memory reused) gets no name.
 */
void py_names__lookup(struct py_names *n, int pid, const struct py_layout *l,
		      const struct pyframe *f, struct py_name *out);

/* Code objects read, and those that could not be (process gone, checksum changed). */
void py_names__stats(const struct py_names *n, uint64_t *read, uint64_t *failed);

/*
 * Appends code point @cp to @out (UTF-8), '?' for controls and surrogates;
 * the length written (0 when it doesn't fit in @room).
 */
size_t py_utf8_put(uint32_t cp, char *out, size_t room);

#endif
