// SPDX-License-Identifier: GPL-2.0
/*
 * A JIT's /tmp/perf-PID.map: written by the profiled process itself, so
 * every byte of it is the process owner's choice.
 */
#include "fuzz_common.h"

#include "sym/sym_perfmap.h"

static void lookup(const struct perf_map *m, uint64_t addr)
{
	const struct perf_map_sym *s = perf_map__find(m, addr);

	if (s && (addr < s->start || addr - s->start >= s->size || !s->name[0]))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size), *line, *nl;
	struct perf_map *m = perf_map__parse(fuzz_strdup(data, size));
	uint64_t addr;
	int n = 0;

	for (line = text; m && line && n++ < 1000; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		addr = strtoull(line, NULL, 16);
		lookup(m, addr);
		lookup(m, addr - 1);
		lookup(m, addr + 1);
	}
	perf_map__count(m);
	perf_map__free(m);
	free(text);
	return 0;
}
