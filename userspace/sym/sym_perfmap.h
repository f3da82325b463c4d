/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FAULTLINE_SYM_PERFMAP_H
#define FAULTLINE_SYM_PERFMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A JIT's /tmp/perf-PID.map: "START SIZE name" lines, hex numbers. */
struct perf_map;

struct perf_map_sym {
	uint64_t start, size;
	const char *name;
	size_t line;		/* later lines win when a JIT reuses an address */
};

/* Takes ownership of @buf (NUL-terminated); NULL + errno on failure. */
struct perf_map *perf_map__parse(char *buf);
/*
 * Loads @path only if it is a regular file owned by root or @uid (what perf
 * requires too: anyone can write /tmp). 0, -EPERM when not trusted, -errno.
 */
int perf_map__load(const char *path, uid_t uid, struct perf_map **out);
void perf_map__free(struct perf_map *m);	/* NULL-safe */

const struct perf_map_sym *perf_map__find(const struct perf_map *m, uint64_t addr);
size_t perf_map__count(const struct perf_map *m);

#endif
