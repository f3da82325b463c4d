// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kallsyms text: written by the kernel, but the names of BPF programs
 * and modules in it were chosen by whoever loaded them.
 */
#include "fuzz_common.h"

#include "sym/sym_kallsyms.h"

static void lookup(const struct ksyms *k, uint64_t addr)
{
	const struct ksym *s = ksyms__find(k, addr);

	ksyms__in_bpf(k, addr);
	if (!s)
		return;
	if (s->addr > addr || !ksyms__module(k, s))
		abort();
	ksyms__module_base(k, s);
	ksyms__may_be_stale(k, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size), *line, *nl;
	struct ksyms *k = ksyms__parse(fuzz_strdup(data, size), size);
	uint64_t addr;
	int n = 0;

	/* Look up at, around and far past each address the text names. */
	for (line = text; k && line && n++ < 1000; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		addr = strtoull(line, NULL, 16);
		lookup(k, addr);
		lookup(k, addr - 1);
		lookup(k, addr + 1);
		lookup(k, addr + (1ULL << 20));
	}
	ksyms__free(k);
	free(text);
	return 0;
}
