/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_UNWIND_MAPS_H
#define FAULTLINE_UNWIND_MAPS_H

#include <stddef.h>
#include <stdint.h>

/*
 * A snapshot of the file-backed (and vdso) mappings of one process, taken
 * while it is alive so its stacks can still be unwound after it exits.
 */
struct unwind_mapping {
	uint64_t start, end, pgoff;
	uint64_t dev, ino;	/* makedev(major, minor) as in /proc/PID/maps; 0 for the vdso */
	char *path;		/* as shown by maps: "/usr/lib/...", "[vdso]" */
	int deleted;		/* path ended in " (deleted)" (suffix stripped) */
};

struct unwind_maps {
	struct unwind_mapping *maps;	/* sorted by start */
	size_t n;
	uint64_t stack_start, stack_end;	/* the main thread's [stack], 0 when absent */
};

/* Parses one /proc/PID/maps line; 0, -EINVAL when malformed, 1 for a line to skip. */
int unwind_maps__parse_line(const char *line, struct unwind_mapping *m);

/* Reads /proc/@pid/maps ("self" when @pid is 0); -errno (-ENOENT: process gone). */
int unwind_maps__read(int pid, struct unwind_maps *out);
int unwind_maps__read_file(const char *path, struct unwind_maps *out);

const struct unwind_mapping *unwind_maps__find(const struct unwind_maps *m, uint64_t addr);
void unwind_maps__clear(struct unwind_maps *m);	/* frees the contents, NULL-safe */

#endif
