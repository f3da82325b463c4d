/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_SYM_MAPS_H
#define FAULTLINE_SYM_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAPS_BUILD_ID_HEX 41	/* up to 20 bytes as hex, plus NUL */

/* One line of /proc/PID/maps. */
struct maps_line {
	uint64_t start, end, pgoff;
	uint32_t dev_major, dev_minor;
	uint64_t inode;
	char perms[5];
	const char *path;	/* points into the parsed line; "" for anonymous memory */
	size_t path_len;	/* without a " (deleted)" suffix */
	bool deleted;		/* the file was unlinked after it was mapped */
};

/*
 * Parses one line (up to '\n' or NUL) without modifying it. Returns 0, or
 * -EINVAL for a malformed line.
 */
int maps_parse_line(const char *line, struct maps_line *out);

/* An executable mapping kept from a maps snapshot. */
struct maps_exec {
	uint64_t start, end, pgoff;
	uint32_t dev_major, dev_minor;
	uint64_t inode;
	bool deleted;
	char *path;		/* owned copy, without " (deleted)" */
	char build_id[MAPS_BUILD_ID_HEX];	/* lowercase hex from the kernel, "" unknown */
};

/*
 * Every executable mapping of a whole maps text, sorted by start address.
 * Malformed lines are skipped. Returns 0 or -ENOMEM.
 */
int maps_parse_exec(const char *text, struct maps_exec **out, size_t *n);
void maps_exec_free(struct maps_exec *v, size_t n);
/* Appends an executable mapping (copying its path) to @v of @n, grown as needed. */
int maps_push_exec(const struct maps_line *l, struct maps_exec **v, size_t *n, size_t *cap);

/*
 * The executable mappings of @pid, sorted, asked of the kernel (PROCMAP_QUERY)
 * rather than parsed from text. 0, -ESRCH (gone), -EOPNOTSUPP (kernel before
 * 6.11: read the text instead) or -errno.
 */
int maps_query_exec(int pid, struct maps_exec **out, size_t *n);

/* The mapping containing @addr, or NULL (binary search). */
const struct maps_exec *maps_find(const struct maps_exec *v, size_t n, uint64_t addr);

/* File-backed (a real path, not "[vdso]" or anonymous memory). */
static inline bool maps_is_file(const char *path)
{
	return path[0] == '/';
}

#endif
