// SPDX-License-Identifier: GPL-2.0
/*
 * CPython decoding on bytes a hostile process controls: the location table
 * (co_linetable, read from its memory) and the machine code of the files it
 * maps. Each must stay in bounds and give answers that make sense.
 */
#include "fuzz_common.h"

#include "python/py_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pyframes_proc c = {};
	uint32_t off = 0;
	int line;

	/* Exact-size copies: ASan sees any read past the end. */
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	for (uint32_t i = 0; i < 64; i++) {
		line = py_line_at(copy, size, 1000, i);
		if (line < -1)
			abort();
	}
	if (!py_decode_tss_key(copy, size, 0x400000, 0x500000, &off) && off > 0xffff + 4)
		abort();
	if (!py_decode_tsd(copy, size, &c) && (c.tsd_stride != 16 || c.tsd_base > 0xff0))
		abort();
	free(copy);
	return 0;
}
