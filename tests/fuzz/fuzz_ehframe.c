// SPDX-License-Identifier: GPL-2.0
/*
 * The .eh_frame and .debug_frame table builders: CIEs, FDEs and their CFA
 * programs, compiled into the rows the in-kernel unwinder trusts. An input is
 * 8 bytes of load address, then the section's bytes, read both ways; the
 * binaries it comes from are other users'. The rows must come out sorted and every lookup must answer with
 * the row that covers the address.
 */
#include "fuzz_common.h"

#include "unwind/unwind_table.h"

static void check(const struct unwind_table *t)
{
	for (size_t i = 1; i < t->n; i++)
		if (t->rows[i].pc <= t->rows[i - 1].pc)
			abort();
	for (size_t i = 0; i < t->n && i < 64; i++) {
		const struct unwind_row *r = unwind_table__find(t, t->rows[i].pc);

		if (r != &t->rows[i])
			abort();
		if (t->rows[i].pc <= UINT32_MAX)
			unwind_table__pack(&t->rows[i]);
	}
	if (t->n && unwind_table__find(t, t->rows[0].pc - 1) && t->rows[0].pc)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unwind_table t = { 0 };
	uint64_t vaddr;

	if (size < sizeof(vaddr))
		return 0;
	memcpy(&vaddr, data, sizeof(vaddr));
	vaddr &= 0xffffffffffffULL;	/* user addresses */
	if (!unwind_table__from_ehframe(data + 8, size - 8, vaddr, &t))
		check(&t);
	unwind_table__clear(&t);
	if (!unwind_table__from_debug_frame(data + 8, size - 8, &t))
		check(&t);
	unwind_table__clear(&t);
	return 0;
}
