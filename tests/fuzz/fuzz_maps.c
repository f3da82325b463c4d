// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID/maps text. The kernel writes it, but the paths in it are names
 * other users chose (any bytes but '\0' and '\n', " (deleted)" included).
 */
#include "fuzz_common.h"

#include "sym/sym_maps.h"

static void check_line(const char *text)
{
	struct maps_line l;

	if (maps_parse_line(text, &l))
		return;
	if (l.end <= l.start || l.path_len > strlen(l.path) || memchr(l.path, '\n', l.path_len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size);
	const struct maps_exec *e;
	struct maps_exec *v;
	uint64_t addr;
	size_t n, i;

	check_line(text);
	if (!maps_parse_exec(text, &v, &n)) {
		for (i = 0; i < n; i++) {
			/* An answer must hold the address (overlapping ranges may give none). */
			addr = v[i].start + (v[i].end - v[i].start) / 2;
			e = maps_find(v, n, addr);
			if (e && (addr < e->start || addr >= e->end))
				abort();
		}
		maps_exec_free(v, n);
	}
	free(text);
	return 0;
}
